"""Collect: fetch every source politely, extract its items, and hand back what each gave.

Reads from the store only what a fetch needs (HTTP validators, which entries are already
known); returns one :class:`~aggregator.models.Collected` per source, in batches as sources
finish, for the store to apply (see ``Store.save_collected``). Parsing runs in forked
worker processes, so one large feed does not stall the downloads in flight.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from aggregator.collect import schedule
from aggregator.collect.extract.article import parse_article
from aggregator.collect.extract.feed import parse_feed
from aggregator.collect.extract.html import parse_list, unique_items
from aggregator.collect.fetch import Fetcher
from aggregator.collect.robots import RobotsCache
from aggregator.errors import ExtractError
from aggregator.models import Collected, Config, FetchResult, ParsedPage, RawItem, Source
from aggregator.store.database import Store, entry_id
from aggregator.text.urls import canonical_url
from aggregator.workers import Workers

log = logging.getLogger("aggregator")
Progress = Callable[[str], None]
GONE = "gone (HTTP 410): not fetched again; change its url or remove it from the config"


@dataclass
class _Gathering:
    """One source's results while it is being collected."""

    source: Source
    items: list[RawItem] = field(default_factory=list)
    exchanges: list[FetchResult] = field(default_factory=list)
    canonical: dict[str, str] = field(default_factory=dict)  # item URL -> canonical URL
    error: str | None = None
    gone: bool = False
    unchanged: bool = False

    def result(self) -> Collected:
        items = unique_items(self.items)
        return Collected(
            source=self.source,
            items=tuple(items),
            canonical=tuple(self.canonical.get(i.url) or canonical_url(i.url) for i in items),
            exchanges=tuple(self.exchanges),
            error=self.error,
            gone=self.gone,
            unchanged=self.unchanged,
        )


def _extracted(parse: Callable[..., ParsedPage], *args: Any) -> tuple[ParsedPage, dict[str, str]]:
    """A page's items and their canonical URLs, both computed where the parsing runs."""
    page = parse(*args)
    return page, {item.url: canonical_url(item.url) for item in page.items}


class Collector:
    """Fetches and extracts sources concurrently; the Fetcher keeps it polite."""

    def __init__(
        self, fetcher: Fetcher, store: Store, now: datetime, workers: Workers | None = None
    ) -> None:
        self.fetcher, self.store, self.now = fetcher, store, now
        self.workers = workers or Workers(0)

    async def collect(self, source: Source) -> Collected:
        gathering = _Gathering(source)
        try:
            if source.type == "feed":
                await self._feed(gathering)
            else:
                await self._list(gathering)
            if source.article and gathering.items:
                await self._articles(gathering)
        except ExtractError as exc:
            gathering.error = str(exc)
        gathering.items = [clamp_dates(item, self.now) for item in gathering.items]
        return gathering.result()

    async def _get(self, gathering: _Gathering, url: str, conditional: bool) -> FetchResult:
        etag, modified = self.store.validators(url) if conditional else (None, None)
        result = await self.fetcher.fetch(url, etag=etag, last_modified=modified)
        gathering.exchanges.append(result)
        return result

    async def _feed(self, gathering: _Gathering) -> None:
        result = await self._get(gathering, gathering.source.url, conditional=True)
        if _failed(gathering, result):
            return
        if result.not_modified:
            gathering.unchanged = True
            return
        page, canonical = await self.workers.call(
            _extracted, parse_feed, result.content, result.final_url, result.headers
        )
        gathering.items.extend(page.items)
        gathering.canonical.update(canonical)

    async def _list(self, gathering: _Gathering) -> None:
        source = gathering.source
        assert source.list is not None
        url: str | None = source.url
        visited: set[str] = set()
        for number in range(source.pages):
            if url is None or url in visited:
                break
            visited.add(url)
            result = await self._get(gathering, url, conditional=True)
            if _failed(gathering, result, first=number == 0):
                return
            if result.not_modified:
                # An unchanged first page means nothing new was published.
                gathering.unchanged = number == 0
                return
            page, canonical = await self.workers.call(
                _extracted, parse_list, result.content, result.final_url, source.list,
                result.headers,
            )  # fmt: skip
            gathering.items.extend(page.items)
            gathering.canonical.update(canonical)
            url = page.next_url

    async def _articles(self, gathering: _Gathering) -> None:
        """Fetch the page of each NEW item once, for its body."""
        source = gathering.source
        assert source.article is not None
        ids = [entry_id(source.id, item.guid) for item in gathering.items]
        known = self.store.known_entry_ids(ids)
        selectors = source.article

        async def one(item: RawItem) -> RawItem:
            if entry_id(source.id, item.guid) in known:
                return item
            result = await self._get(gathering, item.url, conditional=False)
            if not result.ok or result.not_modified:
                log.info("%s: article %s: %s", source.id, item.url, result.error)
                return item
            try:
                body = await self.workers.call(
                    parse_article, result.content, result.final_url, selectors, result.headers
                )
            except ExtractError as exc:
                log.info("%s: article %s: %s", source.id, item.url, exc)
                return item
            return replace(item, content=body.content, published=item.published or body.published)

        gathering.items = list(await asyncio.gather(*(one(item) for item in gathering.items)))


def _failed(gathering: _Gathering, result: FetchResult, first: bool = True) -> bool:
    if result.ok:
        return False
    if first:
        gathering.error = result.error
        gathering.gone = result.status == 410
    return True


def clamp_dates(item: RawItem, now: datetime) -> RawItem:
    """A date in the future is the fetch time: nobody publishes tomorrow's news today."""
    published = min(item.published, now) if item.published else None
    updated = min(item.updated, now) if item.updated else None
    if published == item.published and updated == item.updated:
        return item
    return replace(item, published=published, updated=updated)


@dataclass(frozen=True)
class FetchPlan:
    """Which sources a run fetches, and which it leaves out and why."""

    sources: list[Source]  # to fetch now
    gone: list[tuple[str, str]]  # (source id, failure) of those that said they are gone
    waiting: list[schedule.Plan]  # with ``due_only``: those not due yet
    waiting_ok: int  # of those waiting, how many succeeded when last fetched


def sources_to_fetch(
    config: Config,
    store: Store,
    now: datetime,
    only: Sequence[str] | None = None,
    due_only: bool = False,
) -> FetchPlan:
    """The enabled sources (or the named ones) to fetch; with ``due_only``, only those due
    at ``now`` (see schedule.py). A source that said it is gone (HTTP 410) is not fetched
    again: it is a failure until its URL changes."""
    statuses = {s.id: s for s in store.source_statuses()}
    wanted = [s for s in config.sources if s.enabled and (only is None or s.id in only)]
    waiting: list[schedule.Plan] = []
    if due_only:
        wanted, waiting = schedule.due_sources(store, wanted, now)
        for plan in waiting:
            log.info("%s: not due until %s (%s)", plan.source, f"{plan.next_due:%H:%M}",
                     plan.reason)  # fmt: skip
    failing = {sid for sid, s in statuses.items() if s.consecutive_failures or s.gone}
    return FetchPlan(
        sources=[s for s in wanted if not statuses[s.id].gone],
        gone=[(s.id, GONE) for s in wanted if statuses[s.id].gone],
        waiting=waiting,
        waiting_ok=sum(plan.source not in failing for plan in waiting),
    )


async def collect(
    config: Config,
    store: Store,
    sources: Sequence[Source],
    now: datetime,
    progress: Progress | None = None,
    robots: RobotsCache | None = None,
) -> AsyncIterator[list[Collected]]:
    """Fetch and extract ``sources`` concurrently; yield what they gave in batches: every
    source that finished while the previous batch was being stored comes in the next one,
    so the store writes many sources per transaction when they come fast. ``robots``:
    the robots.txt files kept from earlier runs (the caller saves them afterwards)."""
    with Workers() as workers:
        if sources:
            workers.start()  # before any socket is open: see Workers.start
        async with Fetcher(config.fetch, robots_cache=robots) as fetcher:
            collector = Collector(fetcher, store, now, workers)
            waiting = {asyncio.ensure_future(collector.collect(s)) for s in sources}
            while waiting:
                done, waiting = await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
                batch = [task.result() for task in done]
                for result in batch:
                    _log(result)
                    if progress:
                        progress(result.source.id)
                yield batch


def _log(result: Collected) -> None:
    if result.error:
        log.warning("%s: %s", result.source.id, result.error)
    else:
        suffix = " (not modified)" if result.unchanged else ""
        log.info("%s: ok, %d entries%s", result.source.id, len(result.items), suffix)
