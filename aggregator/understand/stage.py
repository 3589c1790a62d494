"""Understand: fold the pending entries into items, classify them, regroup the incidents.

Reads from the store what it needs (the pending entries, the items and keys they may
repeat, the advisory items and incident memberships), computes, and returns the changes as
one :class:`~aggregator.models.Understood`, which ``Store.apply_understood`` writes in one
transaction. Reading each entry's text (classification and dedupe fingerprint) runs ahead
in forked worker processes while entries are folded one by one, in date order, here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import timedelta

from aggregator.models import Classification, Entry, Incident, Item, Mark, Merge, Understood
from aggregator.store.database import Store, utcnow
from aggregator.text.blocks import html_to_blocks
from aggregator.text.sanitize import html_to_text
from aggregator.text.urls import link_key, published_on, without_tracking
from aggregator.understand.classify import Classifier
from aggregator.understand.dedupe import (
    Candidate,
    DedupeIndex,
    Fingerprint,
    fingerprint,
    guid_is_global,
    same_feed_update,
)
from aggregator.understand.incidents import IncidentInput, group_incidents
from aggregator.understand.language import batched
from aggregator.understand.taxonomy import Taxonomy, own_notice_payers
from aggregator.workers import (
    Workers,
    default_workers,
    shared,
    start_fork_server,
    stop_fork_server,
)

log = logging.getLogger("aggregator")
DEDUPE_WINDOW = timedelta(days=10)
EXACT_RULES = ("guid", "url")
FOLLOW_UP_HTML = 3000  # characters of an item's HTML read to match it with its incident
ANALYSIS_BATCH = 250  # entries per batch sent to a worker for analysis


def prepare(new_entries: int) -> None:
    """Called while collecting, with the number of new entries stored so far: once there
    are enough for analysis workers, the language model starts loading for them, in the
    fork server (a process of its own, on the core collecting leaves idle), so that the
    workers start with it instead of loading it each."""
    if new_entries >= ANALYSIS_BATCH and default_workers() > 0:
        start_fork_server(["aggregator.understand.preloaded"])


def understand(store: Store, taxonomy: Taxonomy) -> Understood | None:
    """What the pending entries change, or None when there is nothing to understand."""
    pending = store.pending_entries()
    if not pending:
        return None
    classifier = Classifier(taxonomy)
    folding = _Folding(store, pending, _payer_sources(store, classifier))
    with Workers(from_fork_server=True) as workers:
        analyses = Analyses(classifier, workers, folding.exact.to_read(pending))
        for entry in pending:
            folding.fold(entry, analyses)
    stop_fork_server()  # the model it holds is not needed past this point
    items = tuple(folding.items.values())
    return Understood(
        items=items,
        marks=tuple(folding.marks),
        edits=tuple(folding.edits),
        incidents=tuple(regroup(store, taxonomy, items)),
        new_items=folding.new_items,
    )


# --- reading texts -------------------------------------------------------------------------


@dataclass(frozen=True)
class Analysis:
    """What understanding needs of one entry's text, whichever process computed it."""

    classification: Classification
    fingerprint: Fingerprint


def analyse(classifier: Classifier, title: str, html: str) -> Analysis:
    text = html_to_blocks(html)  # blocks end sentences (a "lire aussi" box has no full stop)
    verdict, words = classifier.classify_and_read(title, text)
    return Analysis(verdict, fingerprint(title, text, words))


def analyse_all(classifier: Classifier, batch: Sequence[tuple[str, str]]) -> list[Analysis]:
    """:func:`analyse` of each (title, html), the sentences they need parsed parsed
    together (see language.batched)."""
    return batched(lambda entry: analyse(classifier, *entry), batch)


def _analyse_batch(batch: list[tuple[str, str]]) -> list[Analysis]:
    classifier: Classifier = shared()  # given by Analyses, inherited by the fork
    return analyse_all(classifier, batch)


class Analyses:
    """The classification and dedupe fingerprint of every pending entry, computed ahead
    on the other cores.

    Dedupe must see entries one by one in date order; reading their texts need not. While
    the main process folds, workers analyse the entries given (those whose text will be
    read: see ExactKeys.to_read) in batches, at most ``LOOKAHEAD`` batches ahead of the
    one asked for, so memory stays bounded however many entries a first run brings.
    Entries must be asked for in the order given (each once); one asked out of order, not
    planned, or whose worker failed, is analysed when it is asked for. With no workers
    (one core, or a run too small to share out), each batch is analysed in this process
    when its first entry is asked for.
    """

    LOOKAHEAD = 6  # batches in flight or waiting to be read

    def __init__(self, classifier: Classifier, workers: Workers, pending: Sequence[Entry]):
        self.classifier = classifier
        self._workers = workers
        self._chunks: list[Sequence[Entry]] = []
        self._places: dict[str, tuple[int, int]] = {}  # entry id -> (batch, offset)
        self._futures: dict[int, Future[list[Analysis]] | None] = {}
        self._released = 0  # batches before this one have been read and let go
        self._inline: dict[int, list[Analysis]] = {}  # without workers: the batch being read
        self._ahead = workers.size > 0 and len(pending) >= ANALYSIS_BATCH
        if self._ahead:
            workers.share(classifier)
        # Each worker's first batch is a fifth of the others: folding, which waits for
        # the first, starts sooner.
        first = max(1, ANALYSIS_BATCH // 5) if self._ahead else ANALYSIS_BATCH
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
        if not self._ahead:
            return
        for number in range(len(self._futures), min(end, len(self._chunks))):
            batch = [(e.title, e.content or e.summary) for e in self._chunks[number]]
            self._futures[number] = self._workers.submit(_analyse_batch, batch)

    def of(self, entry: Entry) -> Analysis:
        place = self._places.pop(entry.id, None)
        if place is not None:
            number, offset = place
            for old in range(self._released, number):  # earlier batches are done with
                self._futures[old] = None
            self._released = max(self._released, number)
            self._submit_until(number + self.LOOKAHEAD)
            if not self._ahead:
                if number not in self._inline:
                    batch = [(e.title, e.content or e.summary) for e in self._chunks[number]]
                    self._inline = {number: analyse_all(self.classifier, batch)}
                return self._inline[number][offset]
            future = self._futures.get(number)
            if future is not None:
                try:
                    return future.result()[offset]
                except Exception as exc:  # a dead worker costs time, never a verdict
                    log.debug("analysis worker failed (%r); analysing inline", exc)
        return analyse(self.classifier, entry.title, entry.content or entry.summary)


# --- folding entries into items ------------------------------------------------------------


class ExactKeys:
    """The item each guid and canonical URL already belongs to: read from the store for
    the pending entries, then kept up to date as entries are folded. A URL keeps the
    source and guid of the first entry seen at it (see dedupe.same_feed_update)."""

    def __init__(self, guids: dict[str, str], urls: dict[str, tuple[str, str, str]]) -> None:
        self._guids, self._urls = guids, urls

    @classmethod
    def read(cls, store: Store, pending: Sequence[Entry]) -> ExactKeys:
        guids, urls = store.understood_by_key(
            (e.guid for e in pending if guid_is_global(e.guid)),
            (e.canonical_url for e in pending),
        )
        return cls(guids, urls)

    def match(self, entry: Entry) -> Merge | None:
        # A guid like "812" is unique in its own feed only; (source, guid) is the entry id.
        target = self._guids.get(entry.guid) if guid_is_global(entry.guid) else None
        if target is not None:
            return Merge(target, "guid", 1.0)
        key = link_key(entry.url, entry.canonical_url)  # "" with no canonical URL
        found = self._urls.get(key) if key else None
        if found is not None and not same_feed_update(found[1], found[2], entry):
            return Merge(found[0], "url", 1.0)
        return None

    def note(self, entry: Entry, item_id: str) -> None:
        self._guids.setdefault(entry.guid, item_id)
        if key := link_key(entry.url, entry.canonical_url):
            self._urls.setdefault(key, (item_id, entry.source, entry.guid))

    def to_read(self, pending: Sequence[Entry]) -> list[Entry]:
        """The pending entries whose text folding will read, in order: all but the new
        ones that :meth:`match` will fold by guid or URL (into a stored item, or one an
        earlier pending entry founds or joins), as nothing of their text is needed."""
        rehearsal = ExactKeys(dict(self._guids), dict(self._urls))
        wanted = []
        for entry in pending:
            if entry.item_id is not None or rehearsal.match(entry) is None:
                wanted.append(entry)  # an edit, or a text to read
            rehearsal.note(entry, "")  # which item does not matter here, only that one is
        return wanted


class _Folding:
    """The items and marks the pending entries make, entry by entry in date order."""

    def __init__(
        self, store: Store, pending: Sequence[Entry], speakers: Mapping[str, tuple[str, ...]]
    ) -> None:
        self._store = store
        self._speakers = speakers
        self._names = store.source_names()
        self._sites = {status.id: status.url for status in store.source_statuses()}
        self.exact = ExactKeys.read(store, pending)
        self.index = _dedupe_index(store, pending)
        self.items: dict[str, Item] = {}  # founded or changed, by id
        self.marks: list[Mark] = []
        self.edits: list[str] = []
        self.new_items = 0

    def fold(self, entry: Entry, analyses: Analyses) -> None:
        if entry.item_id is not None:
            self._edit(entry, entry.item_id, analyses)
            return
        merge = self.exact.match(entry)
        analysis = None
        if merge is None:
            analysis = analyses.of(entry)
            merge = self.index.match_or_add(_candidate(entry), analysis.fingerprint)
        if merge is not None:
            self.marks.append(Mark(entry.id, merge.target, merge))
            self.exact.note(entry, merge.target)
            if merge.rule in EXACT_RULES and self._is_original(entry, merge.target):
                # The page's own site, republished by another first: its entry gives the
                # item's content from now on.
                verdict = analyses.of(entry).classification
                self._save(verdict, entry, merge.target, original=True)
            log.debug("%s: %s merged into %s (%s %.2f)", entry.source, entry.url,
                      merge.target, merge.rule, merge.score)  # fmt: skip
            return
        assert analysis is not None
        self._save(analysis.classification, entry)
        self.marks.append(Mark(entry.id, entry.id))
        self.exact.note(entry, entry.id)
        self.new_items += 1

    def _edit(self, entry: Entry, item_id: str, analyses: Analyses) -> None:
        # An edit of the entry the item's content comes from is an edit of the item; any
        # other entry's edits (a copy elsewhere, a near-duplicate) stay its own.
        if self._gives_content(entry, item_id):
            self._save(analyses.of(entry).classification, entry, item_id)
        self.edits.append(entry.id)

    def _item(self, item_id: str) -> Item | None:
        """The item as this run left it so far, else as stored."""
        return self.items.get(item_id) or self._store.get_item(item_id)

    def _on_own_site(self, source: str, url: str) -> bool:
        """Whether ``url`` lives on the site of ``source``, then its original publisher."""
        site = self._sites.get(source)
        return site is not None and published_on(url, site)

    def _is_original(self, entry: Entry, item_id: str) -> bool:
        """Whether an entry folded into an item by guid or URL comes from the page's own
        site while the item's content came from another source (a relay seen first)."""
        if not self._on_own_site(entry.source, entry.url):
            return False
        item = self._item(item_id)
        return item is not None and not self._on_own_site(item.source, item.url)

    def _gives_content(self, entry: Entry, item_id: str) -> bool:
        """Whether an item's content comes from ``entry``: an entry from the site the page
        lives on (its original publisher, in any of its feeds), else the entry that founded
        the item, unless an original publisher's copy took it over since."""
        if entry.id != item_id and entry.merge_rule not in EXACT_RULES:
            return False  # a near-duplicate elsewhere is another text
        if self._on_own_site(entry.source, entry.url):
            return True
        item = self._item(item_id)
        return entry.id == item_id and item is not None and item.source == entry.source

    def _save(
        self,
        verdict: Classification,
        entry: Entry,
        item_id: str | None = None,
        original: bool = False,
    ) -> None:
        """The item an entry founds, or (with ``item_id``) the item an edited entry changes,
        or (with ``original`` too) the item an original publisher's entry takes over: the
        item keeps its id and first sighting, and takes all of its content from ``entry``."""
        previous = self._item(item_id) if item_id else None
        modified = (entry.updated or utcnow()) if item_id else entry.updated
        source = entry.source if original or previous is None else previous.source
        # A payer's own notice is about that payer (DOMAIN.md: its own news, or its incident
        # told in the first person, "nos portails"), whether or not it repeats its name.
        payers = own_notice_payers(verdict.payers, self._speakers.get(source, ()))
        keep_date = previous is not None and not (original and entry.published)
        item = Item(
            id=item_id or entry.id,
            source=source,
            # The link as the source published it (tracking removed); the canonical form
            # only finds repeats.
            url=(
                previous.url
                if previous and not original
                else without_tracking(entry.url) or entry.canonical_url
            ),
            title=entry.title,
            content_html=entry.content,
            summary=entry.summary,
            date_published=previous.date_published if keep_date and previous else entry.published,
            date_modified=modified,
            first_seen=previous.first_seen if previous else entry.first_seen,
            payers=payers,
            kinds=verdict.kinds,
            organisations=verdict.organisations,
            actions=verdict.actions,
            contacts=verdict.contacts,
            status=verdict.status,
            source_name=self._names.get(source, source),
        )
        self.items[item.id] = item


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


def _candidate(entry: Entry) -> Candidate:
    # The text is left out: the fingerprint given with it is what dedupe reads of it.
    return Candidate(
        id=entry.id, source=entry.source, guid=entry.guid,
        url=link_key(entry.url, entry.canonical_url),
        title=entry.title, text="", published=entry.published or entry.first_seen,
    )  # fmt: skip


def _dedupe_index(store: Store, pending: Sequence[Entry]) -> DedupeIndex:
    """The stored items the pending entries may repeat: those dated near them."""
    index = DedupeIndex(window=DEDUPE_WINDOW)
    dates = [d for d in (e.published or e.first_seen for e in pending) if d is not None]
    if not dates:
        return index
    start, end = min(dates) - DEDUPE_WINDOW, max(dates) + DEDUPE_WINDOW
    for item, guid in store.items_between(start, end):
        text = html_to_text(item.content_html or item.summary)
        index.add(
            Candidate(
                id=item.id, source=item.source, guid=guid, url=item.url, title=item.title,
                text=text, published=item.date,
            )
        )  # fmt: skip
    return index


# --- incidents -----------------------------------------------------------------------------


def regroup(store: Store, taxonomy: Taxonomy, changed: Sequence[Item] = ()) -> list[Incident]:
    """The incidents of every advisory item: those stored, as ``changed`` changes them."""
    advisory = {item.id: item for item in store.all_items(advisory_only=True)}
    for item in changed:
        if item.advisory:
            advisory[item.id] = item
        else:  # an edit that took its last tag away
            advisory.pop(item.id, None)
    inputs = [_incident_input(item) for item in advisory.values()]
    return group_incidents(
        inputs, store.incident_memberships(), names(taxonomy), taxonomy.kind_label
    )


def _incident_input(item: Item) -> IncidentInput:
    return IncidentInput(
        id=item.id,
        date=item.date or utcnow(),
        title=item.title,
        payers=item.payers,
        kinds=item.kinds,
        # Without a payer, the incident belongs to the organisations the item is about (two
        # at most: the floods that hit two wholesalers); the classifier lists subjects
        # (wholesalers, concentrators) before reporters (CNIL, ANSSI), so a regulator's
        # note does not found an incident of its own.
        organisations=item.organisations[:2],
        status=item.status,
        actions=item.actions,
        contacts=item.contacts,
        # The opening of the body is enough to recognise a follow-up that names nobody.
        text=html_to_text((item.content_html or item.summary)[:FOLLOW_UP_HTML]),
    )


def names(taxonomy: Taxonomy) -> Callable[[str], str]:
    """The display name of a payer or organisation slug."""

    def name(slug: str) -> str:
        if slug in taxonomy.payers:
            return taxonomy.payer_name(slug)
        return taxonomy.organisation_name(slug)

    return name
