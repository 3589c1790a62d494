"""The only module that touches SQLite: the Store, on one connection, through sqlite-utils.

The schema, its migrations, views and full-text index are made by sqlite-utils in
:mod:`aggregator.store.schema`. The database is in WAL mode; what a stage returns is written
in one transaction the store opens, so a crash loses nothing that was already committed.
Writes are plain SQL, batched where they run for every entry or item of a run: sqlite-utils'
write methods commit on their own, which would cut those transactions in pieces.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from aggregator.errors import StoreError, failure_reason
from aggregator.models import (
    Collected,
    Entry,
    FetchResult,
    Incident,
    Item,
    Mark,
    RawItem,
    Saved,
    Source,
    SourceStatus,
    Understood,
    is_stale,
)
from aggregator.store.schema import SCHEMA_VERSION, prepare
from aggregator.text.sanitize import stored_html
from aggregator.text.urls import link_key, without_tracking

__all__ = ["SCHEMA_VERSION", "Store", "entry_id"]

log = logging.getLogger("aggregator")

# Seconds a connection waits for another's lock before giving up (see Store).
BUSY_TIMEOUT = 30.0
# Keys per "IN (...)" query: well under SQLite's limit on bound parameters.
_IN_CHUNK = 500

# An article page that failed is fetched again on the next runs, this many times at most,
# so that a page down for an hour does not leave its item without a body for good.
ARTICLE_RETRIES = 3


def _publish_key(output: Path) -> str:
    return f"published:{output.resolve()}"


def entry_id(source: str, guid: str) -> str:
    """The stable id of a sighting, and of the item it founds: a hash of source and guid."""
    digest = hashlib.sha256(f"{source}\x1f{guid}".encode("utf-8", "surrogatepass")).hexdigest()
    return digest[:20]


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def parse_iso(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _dumps(values: Sequence[str]) -> str:
    # Most lists are empty: the JSON encoder is skipped for them, in both directions.
    return json.dumps(list(values), ensure_ascii=False) if values else "[]"


def _loads(value: str | None) -> tuple[str, ...]:
    return tuple(json.loads(value)) if value and value != "[]" else ()


def _content_hash(item: RawItem, with_content: bool = True) -> str:
    content = item.content if with_content else ""
    blob = "\x1f".join((item.url, item.title, item.summary, content, iso(item.updated) or ""))
    return hashlib.sha256(blob.encode("utf-8", "surrogatepass")).hexdigest()[:20]


class Store:
    """A handle on the database file. Not shared between threads."""

    def __init__(self, path: str | Path, timeout: float = BUSY_TIMEOUT) -> None:
        """``timeout``: seconds to wait for another program's lock on the database."""
        self.path = str(path)
        self.timeout = timeout
        try:
            self.conn = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=NORMAL")
            self.db = sqlite_utils.Database(self.conn)
            prepare(self.db)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open database {self.path}: {self._explain(exc)}") from None

    def _explain(self, error: sqlite3.Error) -> str:
        """SQLite's message, with what to do about the faults an operator can fix."""
        code = getattr(error, "sqlite_errorcode", None)
        if code == sqlite3.SQLITE_FULL:
            return f"{error}: free some space on the disk that holds it, then run again"
        if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
            return (
                f"{error}: another program held it for more than {self.timeout:g} s; "
                "close it (a database browser?) or raise --wait"
            )
        return str(error)

    def _failure(self, error: sqlite3.Error) -> StoreError:
        return StoreError(f"database {self.path}: {self._explain(error)}")

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One atomic unit of work: everything inside is committed together or not at all."""
        self.execute("BEGIN IMMEDIATE")
        try:
            # Foreign keys are checked at the commit: within a transaction, rows may come in
            # any order (an entry's mark before the item it points to is written).
            self.execute("PRAGMA defer_foreign_keys=ON")
            yield
            self.execute("COMMIT")
        except BaseException:
            if self.conn.in_transaction:  # a failed COMMIT (a full disk) may leave it open
                with contextlib.suppress(sqlite3.Error):
                    self.conn.execute("ROLLBACK")
            raise

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """Inside a transaction: what is written inside is undone alone if it raises."""
        self.execute("SAVEPOINT part")
        try:
            yield
        except BaseException:
            # SQLite may have rolled the whole transaction back already (a full disk does):
            # then there is no savepoint left, and the first error is the one to tell.
            if self.conn.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    self.conn.execute("ROLLBACK TO part")
                    self.conn.execute("RELEASE part")
            raise
        self.execute("RELEASE part")

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> sqlite3.Cursor:
        try:
            cursor: sqlite3.Cursor = self.conn.execute(sql, params)
        except sqlite3.Error as exc:
            raise self._failure(exc) from None
        return cursor

    def execute_many(
        self, sql: str, rows: Iterable[Sequence[Any]] | Iterable[Mapping[str, Any]]
    ) -> None:
        """One statement for many rows, in order, inside the caller's transaction."""
        try:
            self.conn.executemany(sql, rows)
        except sqlite3.Error as exc:
            raise self._failure(exc) from None

    def _insert_rows(
        self, table: str, rows: Sequence[dict[str, Any]], ignore: bool = False
    ) -> None:
        """Batch insert inside the caller's transaction (sqlite-utils' insert_all commits)."""
        columns = list(rows[0])
        verb = "INSERT OR IGNORE" if ignore else "INSERT"
        sql = (
            f"{verb} INTO {table} ({', '.join(columns)}) "
            f"VALUES ({', '.join(':' + c for c in columns)})"
        )
        self.execute_many(sql, rows)

    # --- sources and HTTP state ------------------------------------------------------------

    def sync_sources(self, sources: Iterable[Source]) -> None:
        """Keep the sources table in step with the configuration (health is kept)."""
        with self.transaction():
            for s in sources:
                self.execute(
                    "INSERT INTO sources (id, name, type, url, category, enabled) "
                    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET name=excluded.name, "
                    "type=excluded.type, category=excluded.category, enabled=excluded.enabled, "
                    "gone=CASE WHEN url=excluded.url THEN gone ELSE 0 END, url=excluded.url",
                    (s.id, s.name, s.type, s.url, s.category, int(s.enabled)),
                )

    # --- meta: small facts about the database itself -----------------------------------------

    def _get_meta(self, key: str) -> str | None:
        row = self.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def _set_meta(self, key: str, value: str) -> None:
        self.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    def generation(self) -> int:
        """A number that grows each time items or incidents change."""
        return int(self._get_meta("generation") or 0)

    def last_publish(self, output: Path) -> tuple[str | None, list[str]]:
        """What the last publish to ``output`` showed (a digest) and the files it wrote."""
        last = json.loads(self._get_meta(_publish_key(output)) or "{}")
        return last.get("state"), list(last.get("files", []))

    def record_publish(self, output: Path, state: str, files: Sequence[str]) -> None:
        with self.transaction():
            value = json.dumps({"state": state, "files": list(files)})
            self._set_meta(_publish_key(output), value)

    def source_identities(self) -> dict[str, tuple[str, str]]:
        """Each known source's (name, category), by id."""
        rows = self.execute("SELECT id, name, category FROM sources").fetchall()
        return {row[0]: (row[1], row[2]) for row in rows}

    def validators(self, url: str) -> tuple[str | None, str | None]:
        row = self.execute(
            "SELECT etag, last_modified FROM http_state WHERE url = ?", (url,)
        ).fetchone()
        return (row[0], row[1]) if row else (None, None)

    # --- article pages that failed ---------------------------------------------------------

    def _record_article_failure(
        self, source: str, guid: str, url: str, error: str, when: datetime
    ) -> None:
        """Count one more failed fetch of an entry's article page."""
        self.execute(
            "INSERT INTO article_failures (entry_id, source, url, attempts, error, at) "
            "VALUES (?, ?, ?, 1, ?, ?) ON CONFLICT(entry_id) DO UPDATE SET "
            "attempts = attempts + 1, error = excluded.error, at = excluded.at, url = excluded.url",
            (entry_id(source, guid), source, url, error, iso(when)),
        )

    def articles_to_retry(self, source: str) -> list[tuple[str, str]]:
        """(guid, url) of the source's entries whose article page failed, still to retry."""
        rows = self.execute(
            "SELECT e.guid, f.url FROM article_failures f JOIN entries e ON e.id = f.entry_id "
            "WHERE f.source = ? AND f.attempts <= ? ORDER BY f.entry_id",
            (source, ARTICLE_RETRIES),
        )
        return [(guid, url) for guid, url in rows]

    def _save_article_body(
        self, source: str, guid: str, content: str, published: datetime | None
    ) -> None:
        """Give a known entry the body its article page gave at last, to be understood again."""
        eid = entry_id(source, guid)
        self.execute(
            "UPDATE entries SET content = ?, published = COALESCE(published, ?) WHERE id = ?",
            (content, iso(published), eid),
        )
        self.execute("INSERT OR IGNORE INTO pending_entries (entry_id) VALUES (?)", (eid,))
        self.execute("DELETE FROM article_failures WHERE entry_id = ?", (eid,))

    def article_failures(self) -> dict[str, tuple[int, int]]:
        """Per source: (articles waiting for another try, articles given up)."""
        found: dict[str, tuple[int, int]] = {}
        for source, waiting, given_up in self.execute(
            "SELECT source, sum(attempts <= ?), sum(attempts > ?) FROM article_failures "
            "GROUP BY source",
            (ARTICLE_RETRIES, ARTICLE_RETRIES),
        ):
            found[source] = (int(waiting or 0), int(given_up or 0))
        return found

    def record_fetch(
        self, source: str, result: FetchResult, when: datetime, validators: bool = True
    ) -> None:
        """Log one exchange, and (with ``validators``) keep those of a good answer for next
        time."""
        self.execute(
            "INSERT INTO fetch_log (source, url, time, status, bytes, duration, error) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                source,
                result.url,
                iso(when),
                result.status,
                len(result.content),
                round(result.elapsed, 3),
                result.error,
            ),
        )
        if validators and result.ok and not result.not_modified:
            self.execute(
                "INSERT INTO http_state (url, etag, last_modified, status, checked) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT(url) DO UPDATE SET etag=excluded.etag, "
                "last_modified=excluded.last_modified, status=excluded.status, "
                "checked=excluded.checked",
                (result.url, result.etag, result.last_modified, result.status, iso(when)),
            )

    def record_source(
        self,
        source: str,
        when: datetime,
        error: str | None = None,
        gone: bool = False,
        notes: Sequence[str] = (),
    ) -> None:
        """The source's health after a run; ``notes``: the budgets it hit (none: cleared)."""
        note = "; ".join(notes) or None
        if error is None:
            self.execute(
                "UPDATE sources SET last_success=?, consecutive_failures=0, gone=0, notes=? "
                "WHERE id=?",
                (iso(when), note, source),
            )
        else:
            self.execute(
                "UPDATE sources SET last_error=?, last_error_at=?, gone=?, notes=?, "
                "consecutive_failures=consecutive_failures+1 WHERE id=?",
                (error, iso(when), int(gone), note, source),
            )

    def source_statuses(self, ids: Sequence[str] | None = None) -> list[SourceStatus]:
        counts = dict(
            self.execute("SELECT source, count(*) FROM entries GROUP BY source").fetchall()
        )
        articles = self.article_failures()
        statuses = []
        for row in sqlite_utils.db.Table(self.db, "sources").rows_where(order_by="id"):
            if ids is not None and row["id"] not in ids:
                continue
            statuses.append(
                SourceStatus(
                    id=row["id"],
                    name=row["name"],
                    url=row["url"],
                    category=row["category"],
                    enabled=bool(row["enabled"]),
                    last_success=parse_iso(row["last_success"]),
                    last_error=row["last_error"],
                    last_error_at=parse_iso(row["last_error_at"]),
                    consecutive_failures=row["consecutive_failures"],
                    items=counts.get(row["id"], 0),
                    gone=bool(row["gone"]),
                    articles_waiting=articles.get(row["id"], (0, 0))[0],
                    articles_given_up=articles.get(row["id"], (0, 0))[1],
                    notes=row["notes"],
                )
            )
        if ids is not None:
            order = {sid: n for n, sid in enumerate(ids)}
            statuses.sort(key=lambda s: order[s.id])
        return statuses

    # --- entries ---------------------------------------------------------------------------

    def save_collected(self, results: Sequence[Collected], now: datetime) -> Saved:
        """Store what collecting gave, in one transaction: for each source its exchanges
        (and the validators of good answers), its entries (new ones wait to be understood),
        and its health. Each source is stored whole or not at all, as alone: one whose
        entries raise anything but a database error (which is the whole run's) is stored
        as failed, and the others go on."""
        stored: list[Collected] = []
        new = updated = 0
        with self.transaction():
            for result in results:
                try:
                    with self.savepoint():
                        counts = self._save_one(result, now)
                except (StoreError, sqlite3.Error):
                    raise
                except Exception as exc:
                    log.debug("%s: storing failed", result.source.id, exc_info=exc)
                    result = replace(
                        result, items=(), canonical=(),
                        error=failure_reason("storing its entries", exc),
                    )  # fmt: skip
                    counts = self._save_one(result, now)
                stored.append(result)
                new, updated = new + counts[0], updated + counts[1]
        return Saved(tuple(stored), new, updated)

    def _save_one(self, result: Collected, now: datetime) -> tuple[int, int]:
        source = result.source
        for exchange in result.exchanges:
            # A failed source's validators are not kept: the next run reads it whole again.
            self.record_fetch(source.id, exchange, now, validators=result.error is None)
        counts = (0, 0)
        if result.items:
            counts = self.save_entries(
                source.id, result.items, result.canonical, now, source.article is not None
            )
        # After the entries: a failure is counted against an entry that exists.
        for guid, body, published in result.article_bodies:
            self._save_article_body(source.id, guid, body, published)
        for guid, url, error in result.article_failures:
            self._record_article_failure(source.id, guid, url, error, now)
        self.record_source(source.id, now, result.error, result.gone, result.notes)
        return counts

    def known_entry_ids(self, ids: Sequence[str]) -> set[str]:
        found: set[str] = set()
        for chunk in _chunks(list(ids), _IN_CHUNK):
            marks = ",".join("?" * len(chunk))
            rows = self.execute(f"SELECT id FROM entries WHERE id IN ({marks})", chunk)
            found.update(r[0] for r in rows)
        return found

    def save_entries(
        self,
        source: str,
        items: Sequence[RawItem],
        canonical: Sequence[str],
        now: datetime,
        article_bodies: bool = False,
    ) -> tuple[int, int]:
        """Insert new sightings and record edits of known ones. Returns (new, updated).

        Call inside a transaction. An entry whose bytes did not change only gets last_seen.
        With ``article_bodies`` the body came from the item's own page, fetched once when the
        entry was new: a known entry's body is neither compared nor replaced.
        """
        ids = [entry_id(source, item.guid) for item in items]
        hashes = {
            row[0]: row[1]
            for chunk in _chunks(ids, _IN_CHUNK)
            for row in self.execute(
                f"SELECT id, content_hash FROM entries WHERE id IN ({','.join('?' * len(chunk))})",
                chunk,
            )
        }
        new = updated = 0
        rows: list[tuple[Any, ...]] = []  # new entries, in _NEW_COLUMNS' order
        edited: list[str] = []  # ids of known entries whose bytes changed
        seen_now: list[str] = []
        stamp = iso(now)
        for eid, item, url in zip(ids, items, canonical, strict=True):
            digest = _content_hash(item, with_content=not article_bodies)
            if eid in hashes and hashes[eid] == digest:
                seen_now.append(eid)
                continue
            if eid in hashes:
                updated += 1
                self.execute(
                    "UPDATE entries SET url=:url, canonical_url=:canonical_url, title=:title, "
                    "summary=:summary, content=CASE WHEN :keep THEN content ELSE :content END, "
                    "published=COALESCE(published, "
                    ":published), updated=:updated, last_seen=:last_seen, "
                    "content_hash=:content_hash WHERE id=:id",
                    {
                        "id": eid,
                        "url": item.url,
                        "canonical_url": url,
                        "title": item.title,
                        "summary": item.summary,
                        "content": item.content,
                        "published": iso(item.published),
                        "updated": iso(item.updated),
                        "last_seen": stamp,
                        "content_hash": digest,
                        "keep": int(article_bodies),
                    },
                )
                edited.append(eid)
            else:
                new += 1
                hashes[eid] = digest
                rows.append((
                    eid, source, item.guid, item.url, url, item.title, item.summary,
                    item.content, iso(item.published), iso(item.updated), stamp, stamp, digest,
                ))  # fmt: skip
        if rows:
            self.execute_many(_NEW_ENTRY, rows)
        # New entries and edits alike wait to be understood.
        self.execute_many(
            "INSERT OR IGNORE INTO pending_entries (entry_id) VALUES (?)",
            [(row[0],) for row in rows] + [(eid,) for eid in edited],
        )
        for chunk in _chunks(seen_now, _IN_CHUNK):
            self.execute(
                f"UPDATE entries SET last_seen=? WHERE id IN ({','.join('?' * len(chunk))})",
                [stamp, *chunk],
            )
        return new, updated

    def pending_entries(self) -> list[Entry]:
        """Entries not yet understood (new ones and edits), oldest first."""
        rows = self.execute(_PENDING_SELECT).fetchall()
        rows.sort(key=lambda row: (_pending_order(row), row[0]))
        return [_entry(row) for row in rows]

    def understood_by_key(
        self, guids: Iterable[str], urls: Iterable[str]
    ) -> tuple[dict[str, str], dict[str, tuple[str, str, str]]]:
        """The item of an already understood entry (from any source) with each of these
        guids, and with each of these canonical URLs: two mappings, read in a few queries
        (none when no entry has been understood yet, as on a first run). The second is
        keyed by link (see text.urls.link_key: a part of a page is not the page) and gives
        the item with the source and guid of the first entry seen at the link."""
        if self.execute("SELECT 1 FROM entry_marks LIMIT 1").fetchone() is None:
            return {}, {}
        by_guid: dict[str, str] = {}
        by_url: dict[str, tuple[str, str, str]] = {}
        for column, keys in (("guid", guids), ("canonical_url", urls)):
            for chunk in _chunks(sorted({k for k in keys if k}), _IN_CHUNK):
                rows = self.execute(
                    f"SELECT e.{column}, e.url, m.item_id, e.source, e.guid FROM entries e "
                    "JOIN entry_marks m ON m.entry_id = e.id "
                    f"WHERE e.{column} IN ({', '.join('?' * len(chunk))}) ORDER BY e.rowid",
                    chunk,
                ).fetchall()
                for key, url, item_id, source, guid in rows:
                    if column == "guid":
                        by_guid.setdefault(key, item_id)
                    else:
                        by_url.setdefault(link_key(url, key), (item_id, source, guid))
        return by_guid, by_url

    def items_between(self, start: datetime, end: datetime) -> list[tuple[Item, str]]:
        """Items dated within [start, end], each with the guid of the entry that founded it."""
        columns = ", ".join(f"i.{c.strip()}" for c in ITEM_COLUMNS.split(","))
        rows = self.execute(
            f"SELECT {columns}, e.guid FROM items i JOIN entries e ON e.id = i.id "
            "WHERE i.sort_ts BETWEEN ? AND ?",
            (start.timestamp(), end.timestamp()),
        ).fetchall()
        return [(_item(row), row[-1]) for row in rows]

    def mark_entries(self, marks: Sequence[Mark]) -> None:
        """Entries folded into items, each with its item and why (inside a transaction).

        A small row each in entry_marks, and off the pending list: the entries' own rows,
        bodies and all, are not written again.
        """
        self.execute_many(
            "INSERT OR REPLACE INTO entry_marks (entry_id, item_id, merge_rule, merge_score) "
            "VALUES (?, ?, ?, ?)",
            [
                (
                    mark.entry_id,
                    mark.item_id,
                    mark.merge.rule if mark.merge else None,
                    mark.merge.score if mark.merge else None,
                )
                for mark in marks
            ],
        )
        self._done_with([mark.entry_id for mark in marks])

    def _done_with(self, entry_ids: Sequence[str]) -> None:
        self.execute_many(
            "DELETE FROM pending_entries WHERE entry_id = ?", [(eid,) for eid in entry_ids]
        )

    def apply_understood(self, understood: Understood) -> tuple[int, int]:
        """Write what understanding gave in one transaction: items, marks, the entries
        understood off the pending list, the incidents. Returns (new, updated) incidents."""
        with self.transaction():
            self.save_items(understood.items)
            self.mark_entries(understood.marks)
            self._done_with(understood.edits)
            counts = self.replace_incidents(understood.incidents)
            self._set_meta("generation", str(self.generation() + 1))
        return counts

    # --- items -----------------------------------------------------------------------------

    def save_items(self, items: Sequence[Item]) -> None:
        """Insert or replace stories in one statement, in order, keeping each one's first
        date of publication."""
        self.execute_many(_SAVE_ITEM, [_item_row(item) for item in items])

    def get_item(self, item_id: str) -> Item | None:
        row = self.execute(f"SELECT {ITEM_COLUMNS} FROM items WHERE id = ?", (item_id,)).fetchone()
        return _item(row) if row else None

    def all_items(self, advisory_only: bool = False) -> list[Item]:
        """Every item with its incidents and the URLs of its merged duplicates."""
        where = "WHERE advisory = 1" if advisory_only else ""
        rows = self.execute(f"SELECT {ITEM_COLUMNS} FROM items {where}").fetchall()
        urls = {row[0]: row[2] for row in rows}
        also: dict[str, list[str]] = {}
        for item_id, url in self.execute(
            "SELECT m.item_id, e.url FROM entry_marks m JOIN entries e ON e.id = m.entry_id "
            "WHERE m.entry_id != m.item_id ORDER BY e.first_seen, e.id"
        ):
            item_url = urls.get(item_id)
            # Copies are linked as their sources published them, tracking removed.
            url = without_tracking(url) if url else url
            if url is None or item_url is None or url == item_url:
                continue  # an item not listed, or a copy at the item's own address
            if url not in also.setdefault(item_id, []):
                also[item_id].append(url)
        links = self.incident_memberships()
        names = self.source_names()
        return [
            _item(
                row,
                also_at=tuple(also.get(row[0], ())),
                incidents=tuple(links.get(row[0], ())),
                source_name=names.get(row[1], row[1]),
            )
            for row in rows
        ]

    def source_names(self) -> dict[str, str]:
        """Each source's display name, by id."""
        return dict(self.execute("SELECT id, name FROM sources").fetchall())

    def search(self, query: str, limit: int | None = None) -> list[Item]:
        """Items whose title, summary or body hold every word of ``query``, newest first.

        The words are taken as words (FTS5's operators and quotes in them mean nothing), with
        or without their accents: ``securite`` finds ``sécurité``.
        """
        rows = sqlite_utils.db.Table(self.db, "items").search(
            query,
            order_by="sort_ts desc, id",
            columns=[*ITEM_COLUMN_NAMES, "sort_ts"],
            limit=limit,
            quote=True,
        )
        names = self.source_names()
        return [
            _item(
                [row[column] for column in ITEM_COLUMN_NAMES],
                source_name=names.get(row["source"], row["source"]),
            )
            for row in rows
        ]

    # --- incidents -------------------------------------------------------------------------

    def incident_memberships(self) -> dict[str, list[str]]:
        result: dict[str, list[str]] = {}
        for item_id, incident_id in self.execute(
            "SELECT item_id, incident_id FROM item_incidents ORDER BY incident_id"
        ):
            result.setdefault(item_id, []).append(incident_id)
        return result

    def replace_incidents(self, incidents: Sequence[Incident]) -> tuple[int, int]:
        """Store the new set of incidents. Returns (new, updated) counts against the old set."""
        old = {
            row[0]: row[1:]
            for row in self.execute("SELECT id, status, updated, items FROM incidents")
        }
        new = changed = 0
        self.execute("DELETE FROM incidents")
        self.execute("DELETE FROM item_incidents")
        rows: list[dict[str, Any]] = []
        links: list[dict[str, Any]] = []
        for inc in incidents:
            row = {
                "id": inc.id,
                "title": inc.title,
                "payers": _dumps(inc.payers),
                "kinds": _dumps(inc.kinds),
                "organisations": _dumps(inc.organisations),
                "status": inc.status,
                "started": iso(inc.started),
                "updated": iso(inc.updated),
                "resolved": iso(inc.resolved),
                "items": _dumps(inc.items),
                "actions": _dumps(inc.actions),
                "contacts": _dumps(inc.contacts),
            }
            rows.append(row)
            links.extend({"item_id": i, "incident_id": inc.id} for i in inc.items)
            if inc.id not in old:
                new += 1
            elif old[inc.id] != (row["status"], row["updated"], row["items"]):
                changed += 1
        if rows:
            self._insert_rows("incidents", rows)
        if links:
            self._insert_rows("item_incidents", links, ignore=True)
        return new, changed

    def all_incidents(self) -> list[Incident]:
        """Every stored incident; ``stale`` as of now (it moves with time, not with items)."""
        now = utcnow()
        incidents = []
        for row in self.execute(
            "SELECT id, title, payers, kinds, organisations, status, started, updated, resolved, "
            "items, actions, contacts FROM incidents ORDER BY updated DESC, id"
        ):
            started, updated = parse_iso(row[6]), parse_iso(row[7])
            assert started is not None and updated is not None
            incidents.append(
                Incident(
                    id=row[0],
                    title=row[1],
                    payers=_loads(row[2]),
                    kinds=_loads(row[3]),
                    organisations=_loads(row[4]),
                    status=row[5],
                    started=started,
                    updated=updated,
                    resolved=parse_iso(row[8]),
                    items=_loads(row[9]),
                    actions=_loads(row[10]),
                    contacts=_loads(row[11]),
                    stale=is_stale(row[5], updated, now),
                )
            )
        return incidents


ITEM_COLUMN_NAMES = (
    "id", "source", "url", "title", "content_html", "summary", "date_published", "date_modified",
    "first_seen", "payers", "kinds", "organisations", "actions", "contacts", "status",
)  # fmt: skip
ITEM_COLUMNS = ", ".join(ITEM_COLUMN_NAMES)


def _item(row: Sequence[Any], **extra: Any) -> Item:
    """An item from its row (``extra``: fields from other tables)."""
    return Item(
        id=row[0],
        source=row[1],
        url=row[2],
        title=row[3],
        content_html=stored_html(row[4]),
        summary=stored_html(row[5]),
        date_published=parse_iso(row[6]),
        date_modified=parse_iso(row[7]),
        first_seen=parse_iso(row[8]),
        payers=_loads(row[9]),
        kinds=_loads(row[10]),
        organisations=_loads(row[11]),
        actions=_loads(row[12]),
        contacts=_loads(row[13]),
        status=row[14],
        **extra,
    )


# What understanding reads of an entry (see _entry), in that order: its own columns, then
# its mark, if it has one (an edit of an entry already understood).
_PENDING_COLUMNS = (
    "id", "source", "guid", "url", "canonical_url", "title", "summary", "content", "published",
    "updated", "first_seen", "item_id", "merge_rule",
)  # fmt: skip
# A new entry's row: its pending columns but the mark, which it has not yet, then the rest.
_NEW_COLUMNS = (*_PENDING_COLUMNS[:-2], "last_seen", "content_hash")
_NEW_ENTRY = (
    f"INSERT INTO entries ({', '.join(_NEW_COLUMNS)}) VALUES ({', '.join('?' * len(_NEW_COLUMNS))})"
)
_PENDING_SELECT = (
    "SELECT "
    + ", ".join(f"e.{c}" for c in _PENDING_COLUMNS[:-2])
    + ", m.item_id, m.merge_rule FROM pending_entries p "
    "JOIN entries e ON e.id = p.entry_id LEFT JOIN entry_marks m ON m.entry_id = e.id"
)


def _entry(row: Sequence[Any]) -> Entry:
    return Entry(
        id=row[0],
        source=row[1],
        guid=row[2],
        url=row[3],
        canonical_url=row[4],
        title=row[5],
        summary=stored_html(row[6]),
        content=stored_html(row[7]),
        published=parse_iso(row[8]),
        updated=parse_iso(row[9]),
        first_seen=parse_iso(row[10]),
        item_id=row[11],
        merge_rule=row[12],
        changed=row[11] is not None,
    )


def _pending_order(row: Sequence[Any]) -> str:
    """ORDER BY COALESCE(published, first_seen) of a pending row, sorted in Python: SQLite
    would copy every row, bodies and all, through a temporary B-tree. The keys are ASCII
    (ISO dates), which both order alike (ties broken by id); a missing date sorts first,
    as NULL does."""
    return str(row[8] or row[10] or "")


def _chunks(values: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def utcnow() -> datetime:
    return datetime.now(UTC)


_SAVE_ITEM = (
    "INSERT INTO items (id, source, url, title, content_html, summary, date_published, "
    "date_modified, first_seen, sort_ts, payers, kinds, organisations, actions, contacts, "
    "status, advisory) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(id) DO "
    "UPDATE SET source=excluded.source, url=excluded.url, title=excluded.title, "
    "content_html=excluded.content_html, summary=excluded.summary, "
    "date_published=excluded.date_published, sort_ts=excluded.sort_ts, "
    "date_modified=excluded.date_modified, payers=excluded.payers, kinds=excluded.kinds, "
    "organisations=excluded.organisations, actions=excluded.actions, "
    "contacts=excluded.contacts, status=excluded.status, advisory=excluded.advisory"
)


def _item_row(item: Item) -> tuple[object, ...]:
    date = item.date_published or item.first_seen
    return (
        item.id,
        item.source,
        item.url,
        item.title,
        item.content_html,
        item.summary,
        iso(item.date_published),
        iso(item.date_modified),
        iso(item.first_seen),
        date.timestamp() if date else 0.0,
        _dumps(item.payers),
        _dumps(item.kinds),
        _dumps(item.organisations),
        _dumps(item.actions),
        _dumps(item.contacts),
        item.status,
        int(item.advisory),
    )
