"""Collect: fetch every source politely, extract its items, and hand back what each gave.

Reads from the store only what a fetch needs (HTTP validators, which entries are already
known); returns one :class:`~aggregator.models.Collected` per source, in batches as sources
finish, for the store to apply (see ``Store.save_collected``). Parsing runs in forked
worker processes, so one large feed does not stall the downloads in flight.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from markupsafe import Markup

from aggregator.collect import schedule
from aggregator.collect.budgets import cut_html, newest_first, within_budget
from aggregator.collect.extract.article import extractor_notes, parse_article
from aggregator.collect.extract.feed import parse_feed
from aggregator.collect.extract.html import parse_list, unique_items
from aggregator.collect.fetch import Fetcher, source_urls
from aggregator.collect.robots import RobotsCache
from aggregator.errors import ExtractError, StoreError, failure_reason
from aggregator.models import (
    ArticleBody,
    ArticleSelectors,
    Collected,
    Config,
    FetchResult,
    ParsedPage,
    RawItem,
    Source,
)
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
    notes: list[str] = field(default_factory=list)  # budgets hit, for status
    # Article pages: (guid, url, error) of those that failed, (guid, body, date) of known
    # entries whose page, failed before, answered this time.
    article_failures: list[tuple[str, str, str]] = field(default_factory=list)
    article_bodies: list[tuple[str, Markup, datetime | None]] = field(default_factory=list)
    stage: str = "fetching"  # what was being done, to name it when something breaks
    bodies_via: list[str] = field(default_factory=list)  # ArticleBody.via of each page read

    def fail(self, stage: str, error: BaseException) -> None:
        """The source fails alone, with a one-line reason; nothing it gave is stored."""
        self.error = failure_reason(stage, error)
        self.items, self.canonical = [], {}
        log.debug("%s: %s", self.source.id, self.error, exc_info=error)

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
            notes=tuple(self.notes),
            article_failures=tuple(self.article_failures),
            article_bodies=tuple(self.article_bodies),
        )


def _extracted(
    budget: tuple[int, int], parse: Callable[..., ParsedPage], *args: Any
) -> tuple[ParsedPage, dict[str, str], list[str]]:
    """A page's items within ``budget`` (items per document, characters per body), their
    canonical URLs and the budgets hit, all computed where the parsing runs."""
    page, notes = within_budget(parse(*args), *budget)
    return page, {item.url: canonical_url(item.url) for item in page.items}, notes


def _article(
    max_html: int, content: bytes, url: str, selectors: ArticleSelectors, headers: Any
) -> ArticleBody:
    body = parse_article(content, url, selectors, headers)
    return replace(body, content=cut_html(body.content, max_html))


class Collector:
    """Fetches and extracts sources concurrently; the Fetcher keeps it polite.

    Whatever goes wrong with one source (an exception from any stage, the run's deadline)
    fails that source alone; whatever goes wrong with one article page fails that page
    alone (its item keeps the feed's summary). ``deadline``: the event loop's time at
    which collecting stops (``fetch.run_seconds`` after it started).
    """

    def __init__(
        self,
        fetcher: Fetcher,
        store: Store,
        now: datetime,
        workers: Workers | None = None,
        deadline: float | None = None,
    ) -> None:
        self.fetcher, self.store, self.now = fetcher, store, now
        self.workers = workers or Workers(0)
        self.options = fetcher.options
        self.deadline = deadline

    async def collect(self, source: Source) -> Collected:
        gathering = _Gathering(source)
        started = asyncio.get_running_loop().time()
        try:
            async with asyncio.timeout_at(self.deadline):
                if source.type == "feed":
                    await self._feed(gathering)
                else:
                    await self._list(gathering)
            if source.article and gathering.items:
                gathering.stage = "fetching article pages"
                await self._articles(gathering, self._article_deadline(started))
                self._note_crawl_delay(gathering)
            if source.article and not gathering.error:
                gathering.stage = "fetching article pages again"
                await self._retry_articles(gathering)
            gathering.notes.extend(extractor_notes(gathering.bodies_via))
            gathering.stage = "checking dates"
            gathering.items = [clamp_dates(item, self.now) for item in gathering.items]
            gathering.stage = "reading its links"
            return gathering.result()
        except ExtractError as exc:
            gathering.error = str(exc)
        except TimeoutError:  # the run's deadline: the fetcher's own end in a FetchResult
            gathering.error = (
                f"not finished when the run's time ran out (fetch.run_seconds = "
                f"{self.options.run_seconds:g}); tried again when next due"
            )
            gathering.items, gathering.canonical = [], {}
        except (StoreError, sqlite3.Error):
            raise  # the database's fault is the whole run's, not this source's
        except Exception as exc:  # a bug or a hostile document's surprise: this source only
            gathering.fail(gathering.stage, exc)
        gathering.items = [clamp_dates(item, self.now) for item in gathering.items]
        return gathering.result()

    def _note_crawl_delay(self, gathering: _Gathering) -> None:
        # Article pages live on the host of the items' links.
        items = gathering.items
        asked = self.fetcher.capped_crawl_delay(items[0].url) if items else None
        if asked:
            gathering.notes.append(
                f"robots.txt asks a Crawl-delay of {asked:g} s; "
                f"{self.options.max_crawl_delay:g} s used (fetch.max_crawl_delay)"
            )

    def _article_deadline(self, started: float) -> float:
        own = started + self.options.source_seconds
        return own if self.deadline is None else min(own, self.deadline)

    async def _get(self, gathering: _Gathering, url: str, conditional: bool) -> FetchResult:
        etag, modified = self.store.validators(url) if conditional else (None, None)
        result = await self.fetcher.fetch(url, etag=etag, last_modified=modified)
        gathering.exchanges.append(result)
        return result

    async def _parse(self, gathering: _Gathering, parse: Callable[..., ParsedPage],
                     *args: Any) -> ParsedPage:  # fmt: skip
        budget = (self.options.max_items_per_document, self.options.max_item_html)
        page, canonical, notes = await self.workers.call(_extracted, budget, parse, *args)
        gathering.items.extend(page.items)
        gathering.canonical.update(canonical)
        gathering.notes.extend(notes)
        return page

    async def _feed(self, gathering: _Gathering) -> None:
        result = await self._get(gathering, gathering.source.url, conditional=True)
        if _failed(gathering, result):
            return
        if result.not_modified:
            gathering.unchanged = True
            return
        gathering.stage = "reading the feed"
        await self._parse(gathering, parse_feed, result.content, result.final_url, result.headers)

    async def _list(self, gathering: _Gathering) -> None:
        source = gathering.source
        assert source.list is not None
        url: str | None = source.url
        visited: set[str] = set()
        for number in range(source.pages):
            if url is None or url in visited:
                break
            visited.add(url)
            gathering.stage = f"fetching list page {number + 1}"
            result = await self._get(gathering, url, conditional=True)
            if _failed(gathering, result, first=number == 0):
                return
            if result.not_modified:
                # An unchanged first page means nothing new was published.
                gathering.unchanged = number == 0
                return
            gathering.stage = f"reading list page {number + 1}"
            page = await self._parse(
                gathering, parse_list, result.content, result.final_url, source.list,
                result.headers,
            )  # fmt: skip
            url = page.next_url

    async def _articles(self, gathering: _Gathering, deadline: float) -> None:
        """Fetch the page of each NEW item once, for its body: the newest first, at most
        ``max_articles_per_source`` of them, and none after ``deadline``."""
        source = gathering.source
        known = self.store.known_entry_ids([entry_id(source.id, i.guid) for i in gathering.items])
        new = [item for item in newest_first(gathering.items)
               if entry_id(source.id, item.guid) not in known]  # fmt: skip
        limit = self.options.max_articles_per_source
        if len(new) > limit:
            gathering.notes.append(
                f"article pages: {limit} of {len(new)} new items fetched, the newest "
                f"(fetch.max_articles_per_source = {limit})"
            )
        tasks = {item.guid: asyncio.ensure_future(self._article_of(gathering, item))
                 for item in new[:limit]}  # fmt: skip
        if not tasks:
            return
        loop = asyncio.get_running_loop()
        _, late = await asyncio.wait(tasks.values(), timeout=max(0, deadline - loop.time()))
        for task in late:
            task.cancel()
        await asyncio.gather(*late, return_exceptions=True)
        if late:
            gathering.notes.append(
                f"article pages: {len(late)} not fetched in time, kept with their summary "
                f"(fetch.source_seconds = {self.options.source_seconds:g})"
            )
        bodies = {guid: task.result() for guid, task in tasks.items() if task not in late}
        gathering.items = [bodies.get(item.guid, item) for item in gathering.items]

    async def _article_of(self, gathering: _Gathering, item: RawItem) -> RawItem:
        """The item with its page's body, or as it was when the page fails in any way."""
        source = gathering.source
        assert source.article is not None
        try:
            result = await self._get(gathering, item.url, conditional=False)
            if not result.ok or result.not_modified:
                log.info("%s: article %s: %s", source.id, item.url, result.error)
                gathering.article_failures.append((item.guid, item.url, result.error or "no body"))
                return item
            body = await self.workers.call(
                _article, self.options.max_item_html, result.content, result.final_url,
                source.article, result.headers,
            )  # fmt: skip
        except Exception as exc:  # one page's trouble, ExtractError or not: that page only
            why = exc if isinstance(exc, ExtractError) else failure_reason("reading it", exc)
            log.info("%s: article %s: %s", source.id, item.url, why)
            gathering.article_failures.append((item.guid, item.url, str(why)))
            return item
        gathering.bodies_via.append(body.via)
        return replace(item, content=body.content, published=item.published or body.published)

    async def _retry_articles(self, gathering: _Gathering) -> None:
        """Fetch again the article pages of known entries that failed on earlier runs."""
        # Only entries stored on earlier runs are listed: none of this run's new items.
        retries = self.store.articles_to_retry(gathering.source.id)

        async def one(guid: str, url: str) -> None:
            found = await self._article_of(gathering, RawItem(guid=guid, url=url, title=""))
            if found.content:
                gathering.article_bodies.append((guid, found.content, found.published))

        await asyncio.gather(*(one(guid, url) for guid, url in retries))


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
        async with Fetcher(config.fetch, robots_cache=robots, allow=source_urls(config)) as fetcher:
            deadline = asyncio.get_running_loop().time() + config.fetch.run_seconds
            collector = Collector(fetcher, store, now, workers, deadline)
            waiting = {asyncio.ensure_future(collector.collect(s)) for s in sources}
            while waiting:
                done, waiting = await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
                batch = [task.result() for task in done]
                if progress:
                    for result in batch:
                        progress(result.source.id)
                yield batch
