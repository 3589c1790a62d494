"""run = collect (fetch, extract, store) -> understand (dedupe, classify, group) -> publish.

Each stage reads and writes the database, so each can run alone: ``publish`` needs no network,
and a run interrupted anywhere is finished by the next one (entries stay ``pending`` until
they are understood; HTTP validators are stored in the same transaction as the entries they
describe).
"""

from __future__ import annotations

import asyncio
import copy
import gc
import hashlib
import json
import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aggregator.collect.extract.article import parse_article
from aggregator.collect.extract.feed import parse_feed
from aggregator.collect.extract.html import parse_list
from aggregator.collect.fetch import Fetcher
from aggregator.errors import ExtractError
from aggregator.models import (
    Classification,
    Config,
    Entry,
    FetchResult,
    Incident,
    Item,
    Merge,
    ParsedPage,
    RawItem,
    Source,
    SourceStatus,
)
from aggregator.store.database import FreshEntry, Store, utcnow
from aggregator.text.sanitize import html_to_text
from aggregator.understand.classify import Classifier, Taxonomy, load_taxonomy
from aggregator.understand.dedupe import (
    Candidate,
    DedupeIndex,
    Fingerprint,
    canonical_url,
    fingerprint,
    guid_is_global,
)
from aggregator.understand.incidents import IncidentInput, group_incidents
from aggregator.workers import Workers, default_workers, shared

if TYPE_CHECKING:
    from aggregator.notify import NotifyReport
    from aggregator.publish.build import PublishReport, Started

log = logging.getLogger("aggregator")
DEDUPE_WINDOW = timedelta(days=10)
EXACT_RULES = ("guid", "url")
FOLLOW_UP_HTML = 3000  # characters of an item's HTML read to match it with its incident
Progress = Callable[[str], None]


@dataclass
class SourceOutcome:
    """What collecting one source gave, before it is stored."""

    source: Source
    items: list[RawItem] = field(default_factory=list)
    exchanges: list[FetchResult] = field(default_factory=list)
    error: str | None = None
    gone: bool = False
    unchanged: bool = False
    canonical: dict[str, str] = field(default_factory=dict)  # item URL -> canonical URL


@dataclass
class RunReport:
    sources_ok: int = 0
    sources_failed: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)
    new_entries: int = 0
    updated_entries: int = 0
    new_items: int = 0
    new_incidents: int = 0
    updated_incidents: int = 0
    published: PublishReport | None = None
    alerts: NotifyReport | None = None

    def summary(self) -> str:
        parts = [
            f"sources: {self.sources_ok} ok, {self.sources_failed} failed",
            f"{self.new_entries} new entries ({self.new_items} new items, "
            f"{self.updated_entries} updated)",
            f"incidents: {self.new_incidents} new, {self.updated_incidents} updated",
        ]
        if self.published is not None:
            parts.append(
                f"files: {len(self.published.written)} written, "
                f"{len(self.published.removed)} removed"
            )
        if self.alerts is not None:
            parts.append(f"alerts: {self.alerts.sent} sent, {self.alerts.failed} failed")
        return "; ".join(parts)


# --- collect -------------------------------------------------------------------------------


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

    async def get(self, outcome: SourceOutcome, url: str, conditional: bool) -> FetchResult:
        etag, modified = self.store.validators(url) if conditional else (None, None)
        result = await self.fetcher.fetch(url, etag=etag, last_modified=modified)
        outcome.exchanges.append(result)
        return result

    async def collect(self, source: Source) -> SourceOutcome:
        outcome = SourceOutcome(source)
        try:
            if source.type == "feed":
                await self.collect_feed(outcome)
            else:
                await self.collect_list(outcome)
            if source.article and outcome.items:
                await self.collect_articles(outcome)
        except ExtractError as exc:
            outcome.error = str(exc)
        outcome.items = [clamp_dates(item, self.now) for item in outcome.items]
        return outcome

    async def collect_feed(self, outcome: SourceOutcome) -> None:
        result = await self.get(outcome, outcome.source.url, conditional=True)
        if self.failed(outcome, result):
            return
        if result.not_modified:
            outcome.unchanged = True
            return
        page, canonical = await self.workers.call(
            _extracted, parse_feed, result.content, result.final_url, result.headers
        )
        outcome.items.extend(page.items)
        outcome.canonical.update(canonical)

    async def collect_list(self, outcome: SourceOutcome) -> None:
        source = outcome.source
        assert source.list is not None
        url: str | None = source.url
        visited: set[str] = set()
        for number in range(source.pages):
            if url is None or url in visited:
                break
            visited.add(url)
            result = await self.get(outcome, url, conditional=True)
            if self.failed(outcome, result, first=number == 0):
                return
            if result.not_modified:
                # An unchanged first page means nothing new was published.
                outcome.unchanged = number == 0
                return
            page, canonical = await self.workers.call(
                _extracted,
                parse_list,
                result.content,
                result.final_url,
                source.list,
                result.headers,
            )
            outcome.items.extend(page.items)
            outcome.canonical.update(canonical)
            url = page.next_url

    async def collect_articles(self, outcome: SourceOutcome) -> None:
        """Fetch the page of each NEW item once, for its body."""
        source = outcome.source
        assert source.article is not None
        from aggregator.store.database import entry_id

        known = self.store.known_entry_ids([entry_id(source.id, i.guid) for i in outcome.items])
        selectors = source.article

        async def one(item: RawItem) -> RawItem:
            if entry_id(source.id, item.guid) in known:
                return item
            result = await self.get(outcome, item.url, conditional=False)
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

        outcome.items = list(await asyncio.gather(*(one(item) for item in outcome.items)))

    @staticmethod
    def failed(outcome: SourceOutcome, result: FetchResult, first: bool = True) -> bool:
        if result.ok:
            return False
        if first:
            outcome.error = result.error
            outcome.gone = result.status == 410
        return True


def clamp_dates(item: RawItem, now: datetime) -> RawItem:
    """A date in the future is the fetch time: nobody publishes tomorrow's news today."""
    published = min(item.published, now) if item.published else None
    updated = min(item.updated, now) if item.updated else None
    if published == item.published and updated == item.updated:
        return item
    return replace(item, published=published, updated=updated)


def store_outcomes(
    store: Store,
    outcomes: Sequence[SourceOutcome],
    now: datetime,
    report: RunReport,
    fresh: list[FreshEntry] | None = None,
) -> None:
    """Write one or several sources' results in one transaction: each source is stored
    whole or not at all, as alone, and the pages every commit writes (index pages above
    all, which every source's entries touch all over) are written once for the lot
    (``fresh``: see Store.save_entries)."""
    with store.transaction():
        for outcome in outcomes:
            _write_outcome(store, outcome, now, report, fresh)
    for outcome in outcomes:
        source = outcome.source
        if outcome.error:
            report.sources_failed += 1
            report.failures.append((source.id, outcome.error))
            log.warning("%s: %s", source.id, outcome.error)
        else:
            report.sources_ok += 1
            log.info(
                "%s: ok, %d entries%s",
                source.id,
                len(outcome.items),
                " (not modified)" if outcome.unchanged else "",
            )


def _write_outcome(
    store: Store,
    outcome: SourceOutcome,
    now: datetime,
    report: RunReport,
    fresh: list[FreshEntry] | None,
) -> None:
    source = outcome.source
    for exchange in outcome.exchanges:
        store.record_fetch(source.id, exchange, now)
    if outcome.items:
        known = outcome.canonical
        canonical = [known.get(item.url) or canonical_url(item.url) for item in outcome.items]
        new, updated = store.save_entries(
            source.id,
            _unique(outcome.items),
            canonical,
            now,
            source.article is not None,
            fresh,
        )
        report.new_entries += new
        report.updated_entries += updated
    store.record_source(source.id, now, outcome.error, outcome.gone)


def _unique(items: Sequence[RawItem]) -> list[RawItem]:
    """One item per guid: a feed that repeats an entry keeps its first copy."""
    seen: set[str] = set()
    result = []
    for item in items:
        if item.guid not in seen:
            seen.add(item.guid)
            result.append(item)
    return result


async def collect(
    config: Config,
    store: Store,
    report: RunReport,
    only: Sequence[str] | None = None,
    progress: Progress | None = None,
    meanwhile: Callable[[], object] | None = None,
    fresh: list[FreshEntry] | None = None,
) -> None:
    """Fetch every enabled source (or the named ones) and store what they hold.

    ``meanwhile`` is called once, MEANWHILE_AFTER seconds after the first requests are
    made, while they wait on the network (or when collecting ends, if sooner): the time to
    start work of one's own, on a thread (the workers are forked by then, so it is not
    copied into them).
    ``fresh`` gets the entries inserted, for understanding to take rather than read back
    (see Store.save_entries)."""
    now = utcnow()
    store.sync_sources(config.sources)
    statuses = {s.id: s for s in store.source_statuses()}
    sources = [s for s in config.sources if s.enabled and (only is None or s.id in only)]
    wanted = []
    for source in sources:
        if not statuses[source.id].gone:
            wanted.append(source)
            continue
        report.sources_failed += 1
        report.failures.append(
            (
                source.id,
                "gone (HTTP 410): not fetched again; change its url or remove it from the config",
            )
        )
    called: list[bool] = []

    def call_meanwhile() -> None:
        if meanwhile is not None and not called:
            called.append(True)
            meanwhile()

    with Workers() as workers:
        if wanted:
            workers.start()  # before the storing thread and any socket: see Workers.start
        # Without workers (AGGREGATOR_WORKERS=0: a profiler's view) storing stays inline too.
        storer = Storer(store, now, report, inline=workers.size == 0, fresh=fresh)
        try:
            async with Fetcher(config.fetch) as fetcher:
                collector = Collector(fetcher, store, now, workers)
                tasks = [asyncio.ensure_future(collector.collect(source)) for source in wanted]
                later = asyncio.get_running_loop().call_later(MEANWHILE_AFTER, call_meanwhile)
                for finished in asyncio.as_completed(tasks):
                    outcome = await finished
                    storer.put(outcome)
                    if progress:
                        progress(outcome.source.id)
                later.cancel()
        finally:
            storer.close()
    call_meanwhile()  # when collecting took less than MEANWHILE_AFTER


# collect's ``meanwhile`` starts this long after the first requests: by then they are out
# and waiting on the network. Called before them, it held the interpreter while they were
# being made (the classifier compiling, for 0.3 s) and they went out 0.1 s later.
MEANWHILE_AFTER = 0.05


class Storer:
    """Stores collected sources in the order they come, from a thread with a connection of
    its own, so that the event loop goes on fetching while SQLite writes (it lets other
    threads run while it works). The sources that come within WINDOW seconds of one
    another share a transaction (see store_outcomes): a commit per source wrote the same
    index pages to the write-ahead log again and again (on the benchmark's cold run, for a
    26 MB database, the collecting process wrote 225 MB; batched, 96 MB, pipes to the
    workers included). Reads made meanwhile on the caller's connection (validators, known
    entries) see what was committed.

    With ``inline``, or for a store that is not a file (":memory:", which a second
    connection would not see), each source is stored by :meth:`put` itself. An error while
    storing is raised by the next :meth:`put`, else by :meth:`close`, which waits until
    everything put is stored.
    """

    BATCH = 64  # sources at most per transaction
    WINDOW = 0.1  # seconds a transaction waits for more sources after its first

    def __init__(
        self,
        store: Store,
        now: datetime,
        report: RunReport,
        inline: bool = False,
        fresh: list[FreshEntry] | None = None,
    ) -> None:
        self._store, self._now, self._report, self._fresh = store, now, report, fresh
        self._queue: queue.SimpleQueue[SourceOutcome | None] = queue.SimpleQueue()
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        if not inline and store.on_disk:
            self._thread = threading.Thread(target=self._run, name="store", daemon=True)
            self._thread.start()

    def put(self, outcome: SourceOutcome) -> None:
        if self._thread is None:
            store_outcomes(self._store, [outcome], self._now, self._report, self._fresh)
            return
        if self._error is not None:
            raise self._error
        self._queue.put(outcome)

    def close(self) -> None:
        if self._thread is None:
            return
        self._queue.put(None)
        self._thread.join()
        self._thread = None
        if self._error is not None:
            raise self._error

    def _run(self) -> None:
        try:
            with Store(self._store.path) as store:
                closing = False
                while not closing:
                    # What comes within WINDOW seconds of the first goes in one transaction.
                    batch = [self._queue.get()]
                    until = time.monotonic() + self.WINDOW
                    while len(batch) < self.BATCH and batch[-1] is not None:
                        try:
                            batch.append(self._queue.get(timeout=max(0, until - time.monotonic())))
                        except queue.Empty:
                            break
                    closing = batch[-1] is None
                    outcomes = [outcome for outcome in batch if outcome is not None]
                    if outcomes:
                        store_outcomes(store, outcomes, self._now, self._report, self._fresh)
        except BaseException as error:  # handed to the event loop's thread
            self._error = error


# --- understand ----------------------------------------------------------------------------


def understand(
    store: Store,
    taxonomy: Taxonomy,
    report: RunReport,
    classifier: Classifier | None = None,
    fresh: Sequence[FreshEntry] = (),
    before_items: Callable[[Mapping[str, Item]], object] | None = None,
) -> bool:
    """Fold pending entries into items, classify, regroup incidents. True if anything changed.
    ``classifier``: one already compiled for ``taxonomy``; ``fresh``: the entries collect
    just inserted (see Store.pending_entries). ``before_items`` is called, when there were
    entries to understand, with the items saved (by id) once everything else is written
    but before the items are, in the same transaction, so that publishing can start on
    them while they are written (reading with ``Store.all_items(overlay=...)``); whatever
    it raises is the caller's to keep for after the commit."""
    pending = store.pending_entries(fresh)
    if not pending:
        return False
    classifier = classifier or Classifier(taxonomy)
    speakers = _payer_sources(store, classifier)
    with store.transaction():
        writes = Writes(store)
        with Workers() as workers:
            exact = ExactKeys(store, pending)
            analyses = Analyses(classifier, workers, exact.to_read(pending))
            index = _dedupe_index(store, pending)
            for entry in pending:
                _understand_entry(writes, analyses, speakers, index, exact, entry, report)
        writes.flush_marks()
        new, updated = store.replace_incidents(_regroup(store, taxonomy, writes.saved))
        store.bump_generation()
        if before_items is not None:
            before_items(writes.saved)
        writes.flush()
    report.new_incidents += new
    report.updated_incidents += updated
    return True


# Entries per batch sent to a worker for analysis.
ANALYSIS_BATCH = 250


@dataclass(frozen=True)
class Analysis:
    """What understanding needs of one entry's text, whichever process computed it."""

    classification: Classification
    fingerprint: Fingerprint


def analyse(classifier: Classifier, title: str, html: str) -> Analysis:
    text = html_to_text(html)
    verdict, words = classifier.classify_and_read(title, text)
    return Analysis(verdict, fingerprint(title, text, words))


def _analyse_batch(batch: list[tuple[str, str]]) -> list[Analysis]:
    classifier: Classifier = shared()  # given by Analyses, inherited by the fork
    return [analyse(classifier, title, html) for title, html in batch]


class Analyses:
    """The classification and dedupe fingerprint of every pending entry, computed ahead
    on the other cores.

    Dedupe must see entries one by one in date order; reading their texts need not. While
    the main process deduplicates, workers analyse the entries given (those whose text will
    be read: see ExactKeys.to_read; near-duplicates too, as which ones are is known only
    when matching) in batches, at most ``LOOKAHEAD`` batches ahead of the one asked
    for, so memory stays bounded however many entries a first run brings. Entries must be
    asked for in the order given (each once); one asked out of order, not planned, or
    whose worker failed, is analysed when it is asked for.
    """

    LOOKAHEAD = 6  # batches in flight or waiting to be read

    def __init__(self, classifier: Classifier, workers: Workers, pending: Sequence[Entry]):
        self.classifier = classifier
        self._workers = workers
        self._chunks: list[Sequence[Entry]] = []
        self._places: dict[str, tuple[int, int]] = {}  # entry id -> (batch, offset)
        self._futures: dict[int, Future[list[Analysis]] | None] = {}
        self._released = 0  # batches before this one have been read and let go
        if workers.size == 0 or len(pending) < ANALYSIS_BATCH:
            return
        workers.share(classifier)
        # Each worker's first batch is a fifth of the others: the matching, which waits
        # for the first, starts after 10 ms of analysis rather than 40.
        first = max(1, ANALYSIS_BATCH // 5)
        start = 0
        while start < len(pending):
            size = first if len(self._chunks) < workers.size else ANALYSIS_BATCH
            chunk = pending[start : start + size]
            for offset, entry in enumerate(chunk):
                self._places[entry.id] = (len(self._chunks), offset)
            self._chunks.append(chunk)
            start += size
        self._submit_until(self.LOOKAHEAD)

    def _submit_until(self, end: int) -> None:
        for number in range(len(self._futures), min(end, len(self._chunks))):
            batch = [(e.title, e.content or e.summary) for e in self._chunks[number]]
            self._futures[number] = self._workers.submit(_analyse_batch, batch)

    def of(self, entry: Entry) -> Analysis:
        place = self._places.pop(entry.id, None)
        if place is not None:
            number, offset = place
            # Earlier batches are done with: their results can go.
            for old in range(self._released, number):
                self._futures[old] = None
            self._released = max(self._released, number)
            self._submit_until(number + self.LOOKAHEAD)
            future = self._futures.get(number)
            if future is not None:
                try:
                    return future.result()[offset]
                except Exception as exc:  # a dead worker costs time, never a verdict
                    log.debug("analysis worker failed (%r); analysing inline", exc)
        return analyse(self.classifier, entry.title, entry.content or entry.summary)


def _payer_sources(store: Store, classifier: Classifier) -> dict[str, tuple[str, ...]]:
    """The payers a payer's own news source speaks for, read from the source's name.

    A payer writes "our portals are back" without naming itself; its own feed tells
    who "we" are.
    """
    return {
        source: payers
        for source, (name, category) in store.source_identities().items()
        if category == "payer" and (payers := classifier.payers_named(name))
    }


def _candidate(
    item_id: str, source: str, guid: str, url: str, title: str, text: str, date: datetime | None
) -> Candidate:
    return Candidate(
        id=item_id, source=source, guid=guid, url=url, title=title, text=text, published=date
    )


def _dedupe_index(store: Store, pending: Sequence[Entry]) -> DedupeIndex:
    index = DedupeIndex(window=DEDUPE_WINDOW)
    dates = [d for d in (e.published or e.first_seen for e in pending) if d is not None]
    if dates:
        for item, guid in store.items_between(
            min(dates) - DEDUPE_WINDOW, max(dates) + DEDUPE_WINDOW
        ):
            index.add(
                _candidate(
                    item.id,
                    item.source,
                    guid,
                    item.url,
                    item.title,
                    html_to_text(item.content_html or item.summary),
                    item.date,
                )
            )
    return index


class Writes:
    """Items and entry marks of the understanding loop, written in large batches (same
    transaction) rather than one statement each. SQLite does the same writes in about half
    the time when they come together after the matching rather than in small batches
    between its steps. What waits is small beside the pending entries, which are in memory
    anyway. ``saved`` keeps every item saved, written or not, by id (the last version of
    each)."""

    BATCH = 20_000  # items or marks

    def __init__(self, store: Store) -> None:
        self.store = store
        self.names = store.source_names()  # the items' source_name, as the store gives it
        self.saved: dict[str, Item] = {}
        self._items: list[Item] = []
        self._marks: list[tuple[Entry, str, Merge | None]] = []

    def item(self, item: Item) -> None:
        self.saved[item.id] = item
        self._items.append(item)
        if len(self._items) >= self.BATCH:
            self.flush()

    def mark(self, entry: Entry, item_id: str, merge: Merge | None) -> None:
        self._marks.append((entry, item_id, merge))
        if len(self._marks) >= self.BATCH:
            self.flush()

    def flush_marks(self) -> None:
        if self._marks:
            self.store.mark_entries(self._marks)
            self._marks = []

    def flush(self) -> None:
        if self._items:
            self.store.save_items(self._items)
            self._items = []
        self.flush_marks()


def _understand_entry(
    writes: Writes,
    analyses: Analyses,
    speakers: Mapping[str, tuple[str, ...]],
    index: DedupeIndex,
    exact: ExactKeys,
    entry: Entry,
    report: RunReport,
) -> None:
    if entry.item_id is not None:
        # An edit of the entry that founded its item, or of an exact copy of it (the same
        # guid or URL elsewhere), is an edit of the item. A near-duplicate on another site
        # is another text: its edits stay its own.
        if entry.item_id == entry.id or entry.merge_rule in EXACT_RULES:
            verdict = analyses.of(entry).classification
            _save_item(writes, verdict, speakers, entry, item_id=entry.item_id)
        writes.store.mark_processed(entry)
        return
    merge = exact.match(entry)
    if merge is None:
        analysis = analyses.of(entry)
        candidate = _candidate(
            entry.id,
            entry.source,
            entry.guid,
            entry.canonical_url,
            entry.title,
            "",  # the fingerprint below is what dedupe reads of the text
            entry.published or entry.first_seen,
        )
        merge = index.match(candidate, analysis.fingerprint)
    if merge is not None:
        writes.mark(entry, merge.target, merge)
        exact.note(entry, merge.target)
        log.debug(
            "%s: %s merged into %s (%s %.2f)",
            entry.source,
            entry.url,
            merge.target,
            merge.rule,
            merge.score,
        )
        return
    _save_item(writes, analysis.classification, speakers, entry)
    index.add(candidate, analysis.fingerprint)
    writes.mark(entry, entry.id, None)
    exact.note(entry, entry.id)
    report.new_items += 1


class ExactKeys:
    """The item each guid and canonical URL already belongs to, for the pending entries:
    read from the store in a few queries, then kept up to date as entries are folded."""

    def __init__(self, store: Store, pending: Sequence[Entry]) -> None:
        self._guids, self._urls = store.understood_by_key(
            (e.guid for e in pending if guid_is_global(e.guid)),
            (e.canonical_url for e in pending),
        )

    def match(self, entry: Entry) -> Merge | None:
        # A guid like "812" is unique in its own feed only; (source, guid) is the entry id.
        target = self._guids.get(entry.guid) if guid_is_global(entry.guid) else None
        if target is not None:
            return Merge(target, "guid", 1.0)
        target = self._urls.get(entry.canonical_url) if entry.canonical_url else None
        if target is not None:
            return Merge(target, "url", 1.0)
        return None

    def note(self, entry: Entry, item_id: str) -> None:
        self._guids.setdefault(entry.guid, item_id)
        if entry.canonical_url:
            self._urls.setdefault(entry.canonical_url, item_id)

    def to_read(self, pending: Sequence[Entry]) -> list[Entry]:
        """The pending entries whose text understanding will read, in order: all but the
        new ones that :meth:`match` will fold into an item by guid or URL (a stored one,
        or one an earlier pending entry founds or joins), as nothing of their text is
        needed. Call before folding any entry."""
        # A rehearsal of the loop on copies: every new entry's keys are noted, matched or not.
        ahead = copy.copy(self)
        ahead._guids, ahead._urls = dict(self._guids), dict(self._urls)
        wanted = []
        for entry in pending:
            if entry.item_id is not None:  # an edit: see _understand_entry
                wanted.append(entry)
                continue
            if ahead.match(entry) is None:
                wanted.append(entry)
            ahead.note(entry, "")  # which item does not matter here, only that there is one
        return wanted


def _save_item(
    writes: Writes,
    verdict: Classification,
    speakers: Mapping[str, tuple[str, ...]],
    entry: Entry,
    item_id: str | None = None,
) -> None:
    """Save the item an entry founds, or (with ``item_id``) the item an edited entry changes."""
    if item_id:
        writes.flush()  # an edit reads the item as stored
    previous = writes.store.get_item(item_id) if item_id else None
    modified = (entry.updated or utcnow()) if item_id else entry.updated
    source = previous.source if previous else entry.source
    payers = verdict.payers
    if not payers and (verdict.kinds or verdict.status):
        # An incident told by the payer itself, in the first person.
        payers = tuple(speakers.get(source, ()))
    item = Item(
        id=item_id or entry.id,
        source=source,
        url=previous.url if previous else entry.canonical_url,
        title=entry.title,
        content_html=entry.content,
        summary=entry.summary,
        date_published=previous.date_published if previous else entry.published,
        date_modified=modified,
        first_seen=previous.first_seen if previous else entry.first_seen,
        payers=payers,
        kinds=verdict.kinds,
        organisations=verdict.organisations,
        actions=verdict.actions,
        contacts=verdict.contacts,
        status=verdict.status,
        source_name=writes.names.get(source, source),
    )
    writes.item(item)


def _regroup(
    store: Store, taxonomy: Taxonomy, overlay: Mapping[str, Item] | None = None
) -> list[Incident]:
    """The incidents of every advisory item (``overlay``: see Store.all_items)."""
    inputs = [
        IncidentInput(
            id=item.id,
            date=item.date or utcnow(),
            title=item.title,
            payers=item.payers,
            kinds=item.kinds,
            # Without a payer, the incident belongs to the organisation the item is about;
            # the classifier lists subjects (wholesalers, concentrators) before reporters
            # (CNIL, ANSSI), so a regulator's note does not found an incident of its own.
            organisations=item.organisations[:1],
            status=item.status,
            actions=item.actions,
            contacts=item.contacts,
            # The opening of the body is enough to recognise a follow-up that names nobody.
            text=html_to_text((item.content_html or item.summary)[:FOLLOW_UP_HTML]),
        )
        for item in store.all_items(advisory_only=True, overlay=overlay)
    ]
    return group_incidents(
        inputs, store.incident_memberships(), _namer(taxonomy), taxonomy.kind_label
    )


def _namer(taxonomy: Taxonomy) -> Callable[[str], str]:
    def name(slug: str) -> str:
        if slug in taxonomy.payers:
            return taxonomy.payer_name(slug)
        return taxonomy.organisation_name(slug)

    return name


# --- publish -------------------------------------------------------------------------------


def publish_output(
    config: Config,
    store: Store,
    output: Path,
    taxonomy: Taxonomy,
    skip_unchanged: bool = False,
) -> PublishReport:
    """Write output/ from the database. With ``skip_unchanged`` (as ``run`` does), render
    nothing when nothing the pages show changed since the last publish to that folder."""
    return start_publish(config, store, output, taxonomy, skip_unchanged).finish()


class Publishing:
    """A publish under way (see start_publish): pages may be rendering in the workers;
    :meth:`finish` writes every file and records what was published."""

    def __init__(
        self,
        store: Store,
        state: tuple[str, str],  # the meta key of the output folder, and what it shows
        started: Started | None = None,
        skipped: PublishReport | None = None,
    ) -> None:
        self._store, self._state = store, state
        self._started, self._skipped = started, skipped

    def finish(self) -> PublishReport:
        if self._started is None:
            assert self._skipped is not None
            return self._skipped
        report = self._started.finish()
        key, state = self._state
        with self._store.transaction():
            self._store.set_meta(key, json.dumps({"state": state, "files": list(report.files)}))
        return report

    def cancel(self) -> None:
        """Stop the workers of a publish that will not be finished."""
        if self._started is not None:
            self._started.cancel()


def start_publish(
    config: Config,
    store: Store,
    output: Path,
    taxonomy: Taxonomy,
    skip_unchanged: bool = False,
    overlay: Mapping[str, Item] | None = None,
) -> Publishing:
    """Read what output/ is made of and start rendering it (see publish_output);
    ``overlay``: items saved but not written yet (see Store.all_items). Nothing is
    written before :meth:`Publishing.finish`."""
    from aggregator.publish.build import PublishInput, PublishReport, start

    sources = store.source_statuses([s.id for s in config.sources])
    state_key = f"published:{output.resolve()}"
    state = _publish_state(config, store, sources)
    if skip_unchanged:
        last = json.loads(store.get_meta(state_key) or "{}")
        files = last.get("files", [])
        if last.get("state") == state and files and all((output / f).is_file() for f in files):
            log.info("publish: nothing changed since the last publish to %s", output)
            skipped = PublishReport((), len(files), (), tuple(files))
            return Publishing(store, (state_key, state), skipped=skipped)
    data = PublishInput(
        site=config.site,
        items=store.all_items(overlay=overlay),
        incidents=store.all_incidents(),
        sources=sources,
        payer_name=_namer(taxonomy),
        kind_label=taxonomy.kind_label,
    )
    return Publishing(store, (state_key, state), started=start(output, data))


def _publish_state(config: Config, store: Store, sources: Sequence[SourceStatus]) -> str:
    """A digest of everything the outputs are made of, short of reading every item: the
    generation of items and incidents, the site options and taxonomy override, source
    health as sources.html shows it, and the templates, styles and taxonomy shipped."""
    from aggregator.publish.site import local_day

    def success(s: SourceStatus) -> str | None:
        if s.last_success is None:
            return None
        # sources.html shows a healthy source's day and a failing source's minute.
        return str(local_day(s.last_success) if not s.consecutive_failures else s.last_success)

    health = [
        [s.id, s.name, s.url, s.category, s.enabled, s.gone, s.items, s.consecutive_failures,
         s.last_error, str(s.last_error_at), success(s)]
        for s in sources
    ]  # fmt: skip
    facts = {
        "generation": store.get_meta("generation"),
        "site": repr(config.site),
        "taxonomy": repr(config.taxonomy),
        "health": health,
        "code": _shipped_digest(),
    }
    return hashlib.sha256(json.dumps(facts, sort_keys=True).encode()).hexdigest()


def _shipped_digest() -> str:
    """The version and the shipped files that shape the outputs (templates, style, taxonomy)."""
    import aggregator

    root = Path(aggregator.__file__).parent
    digest = hashlib.sha256(aggregator.__version__.encode())
    for folder in ("publish/templates", "publish/static"):
        for path in sorted((root / folder).rglob("*")):
            if path.is_file():
                digest.update(path.name.encode() + path.read_bytes())
    digest.update((root / "understand" / "taxonomy.yaml").read_bytes())
    return digest.hexdigest()


# --- the whole run -------------------------------------------------------------------------


def run(
    config: Config,
    store: Store,
    output: Path | None,
    only: Sequence[str] | None = None,
    progress: Progress | None = None,
) -> RunReport:
    """Collect, understand and (when output is given) publish. Returns what happened."""
    report = RunReport()
    taxonomy = load_taxonomy(config.taxonomy)
    ahead = _Ahead(taxonomy, publishing=output is not None)
    # Understanding writes every new item in one transaction: the log it leaves is copied
    # into the database while publish reads, rather than by the thread that committed it.
    with _batch_collections(), store.deferred_checkpoints():
        started = time.perf_counter()
        fresh: list[FreshEntry] = []  # what collect inserts, for understand to take
        asyncio.run(
            collect(config, store, report, only, progress, meanwhile=ahead.start, fresh=fresh)
        )
        collected = time.perf_counter()
        log.info("collect took %.1f s", collected - started)
        # Publishing starts while understanding writes its items (see understand): its
        # pages render in the workers meanwhile. Its files are written after the commit.
        early: list[Publishing | BaseException] = []

        def start(overlay: Mapping[str, Item]) -> None:
            assert output is not None
            try:
                early.append(start_publish(config, store, output, taxonomy, True, overlay))
            except Exception as error:  # raised once the understanding is committed
                early.append(error)

        try:
            hook = start if output is not None else None
            understand(store, taxonomy, report, ahead.classifier(), fresh, hook)
        except BaseException:
            for begun in early:
                if isinstance(begun, Publishing):
                    begun.cancel()
            raise
        del fresh
        if default_workers():  # else one thread only: SQLite checkpoints when it closes
            store.checkpoint_behind()
        understood = time.perf_counter()
        log.info("understand took %.1f s", understood - collected)
        if output is not None:
            publishing = early[0] if early else None
            if isinstance(publishing, BaseException):
                raise publishing
            if publishing is None:  # nothing understood: published only if anything changed
                publishing = start_publish(config, store, output, taxonomy, skip_unchanged=True)
            report.published = publishing.finish()
            log.info("publish took %.1f s", time.perf_counter() - understood)
    if config.notify:
        report.alerts = send_alerts(config, store, taxonomy)
    return report


def send_alerts(config: Config, store: Store, taxonomy: Taxonomy) -> NotifyReport:
    """Queue an alert for each incident change since the last alert, then send the queue
    (after publishing, so that the incident page an alert links to is already there)."""
    from aggregator import notify

    def name(slug: str) -> str:
        if slug in taxonomy.kinds:
            return taxonomy.kind_label(slug)
        return _namer(taxonomy)(slug)

    notify.queue_changes(
        store, store.all_incidents(), config.notify, name, config.site.base_url, utcnow()
    )
    return notify.send_pending(store, config.notify)


class _Ahead:
    """What understanding and publishing will need, made ready on a thread while
    collecting waits on the network (at its start above all, when every request is in
    flight and nothing has come back to parse): the classifier, compiled from the
    taxonomy, and the modules of dedupe's counting (numpy) and, when the run publishes, of
    publishing (templates, feed writer), imported, and the page templates compiled."""

    def __init__(self, taxonomy: Taxonomy, publishing: bool = True) -> None:
        self._taxonomy = taxonomy
        self._publishing = publishing
        self._classifier: Classifier | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if not default_workers():
            return  # one thread only (a profiler's view): all is done where it is needed
        self._thread = threading.Thread(target=self._prepare, name="prepare", daemon=True)
        self._thread.start()

    def _prepare(self) -> None:
        try:
            self._classifier = Classifier(self._taxonomy)
            import numpy  # noqa: F401

            if self._publishing:
                import aggregator.publish.build  # noqa: F401
                from aggregator.publish.site import compile_templates

                compile_templates()
        except Exception as error:  # done again where it is needed, and reported there
            log.debug("preparing ahead failed: %r", error)

    def classifier(self) -> Classifier:
        if self._thread is not None:
            self._thread.join()
        return self._classifier or Classifier(self._taxonomy)


# Garbage collection during a run: a young generation of 10,000 new objects rather than
# Python's 700, so that every generation is collected about 14 times less often.
RUN_GC_THRESHOLDS = (10_000, 10, 10)


@contextmanager
def _batch_collections() -> Iterator[None]:
    """Fewer, cheaper cycle collections while a run piles up entries, texts and items,
    which hold no reference cycles and go by reference counting: what exists when the
    run starts (modules, compiled rules, settings) is left out of collections, and
    collections come less often. Both restored afterwards. On the benchmark's cold run
    this took the collector's time in the main process from about 0.6 s to 0.2 s."""
    thresholds, frozen = gc.get_threshold(), gc.get_freeze_count()
    gc.freeze()
    gc.set_threshold(*RUN_GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        if not frozen:  # a caller's own freeze stays as it was
            gc.unfreeze()
