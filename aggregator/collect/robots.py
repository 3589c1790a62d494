"""robots.txt kept between runs, as RFC 9309 allows: reused for up to 24 hours, then
asked again with its validators (a 304 keeps it for another 24 hours).

The fetcher asks a ``RobotsCache`` for an origin's file before it fetches it, and tells it
what the server answered. ``RobotsCache.load`` reads the files a database keeps and
``save`` writes back the ones that changed, once per run, after the sources are stored.
A cache made without a database lives as long as its fetcher (one run, or one ``check``).

Example::

    cache = RobotsCache.load(store, now)
    async with Fetcher(options, robots_cache=cache) as fetcher: ...
    cache.save(store)
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from aggregator.store import Store
from aggregator.store.database import iso, parse_iso, utcnow

# RFC 9309 section 2.4: a crawler should not use a cached robots.txt for more than 24 hours.
MAX_AGE = timedelta(hours=24)
# RFC 9309 section 2.5: parsers must read at least 500 KiB; what lies beyond may be ignored,
# so no more is stored.
MAX_BODY = 500 * 1024


@dataclass(frozen=True)
class RobotsFile:
    """One origin's robots.txt as last received (``body`` empty: none, everything allowed)."""

    origin: str
    body: str
    etag: str | None
    last_modified: str | None
    fetched: datetime  # when it was received, or last confirmed by a 304

    def validators(self) -> dict[str, str]:
        """The headers of a conditional request for this file."""
        headers = {}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        return headers


class RobotsCache:
    """The robots.txt files known, by origin, and which of them changed since loading."""

    def __init__(self, files: dict[str, RobotsFile] | None = None, now: datetime | None = None):
        self._files = dict(files or {})
        self._now = now
        self._changed: set[str] = set()

    @property
    def now(self) -> datetime:
        return self._now or utcnow()

    @classmethod
    def load(cls, store: Store, now: datetime | None = None) -> RobotsCache:
        rows = store.execute("SELECT origin, body, etag, last_modified, fetched FROM robots")
        files = {}
        for origin, body, etag, modified, fetched in rows.fetchall():
            when = parse_iso(fetched)
            if when is not None:
                files[origin] = RobotsFile(origin, body or "", etag, modified, when)
        return cls(files, now)

    def get(self, origin: str) -> RobotsFile | None:
        return self._files.get(origin)

    def fresh(self, known: RobotsFile) -> bool:
        """Whether a file may be used without asking the server again."""
        return self.now - known.fetched < MAX_AGE

    def answer(
        self,
        origin: str,
        known: RobotsFile | None,
        status: int | None,
        headers: dict[str, str],
        body: bytes,
    ) -> RobotsFile | None:
        """What to use after asking for ``origin``'s robots.txt; None: allow everything.

        A 304 renews the known file; a 2xx replaces it; any other 4xx means there is none
        (RFC 9309: everything allowed), which is kept like a file. A server error, a 429 or
        no answer at all keeps nothing new: the known file if any, else nothing forbidden
        (as before this cache), and the next run asks again.
        """
        if status == 304 and known is not None:
            return self._keep(replace(known, fetched=self.now))
        if status is not None and 200 <= status < 300:
            text = body[:MAX_BODY].decode("utf-8", errors="replace")
            received = RobotsFile(
                origin, text, headers.get("etag"), headers.get("last-modified"), self.now
            )
            return self._keep(received)
        if status is not None and 400 <= status < 500 and status != 429:
            return self._keep(RobotsFile(origin, "", None, None, self.now))
        return known

    def _keep(self, file: RobotsFile) -> RobotsFile:
        self._files[file.origin] = file
        self._changed.add(file.origin)
        return file

    def save(self, store: Store) -> None:
        """Write the files received or renewed since loading, in one transaction."""
        if not self._changed:
            return
        rows = [self._files[origin] for origin in sorted(self._changed)]
        with store.transaction():
            store.execute_many(
                "INSERT INTO robots (origin, body, etag, last_modified, fetched) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT(origin) DO UPDATE SET body=excluded.body, "
                "etag=excluded.etag, last_modified=excluded.last_modified, "
                "fetched=excluded.fetched",
                [(f.origin, f.body, f.etag, f.last_modified, iso(f.fetched)) for f in rows],
            )
        self._changed.clear()
