"""Canonical URLs, normalised text and near-duplicate matching.

One story often reaches us several times: the same entry in two feeds (same guid), the same
page behind a tracking parameter or another host of the same site (same canonical URL), or
a press release republished nearly verbatim by another site (near-duplicate text). The
:class:`DedupeIndex` finds the item an incoming entry repeats, by those three rules in order.

Near-duplicates are found with word 5-gram shingles. Each indexed text keeps a consistent
sample of its shingles (those whose hash is divisible by ``SAMPLE_MOD``) in an inverted
index, so a lookup only visits the texts that share a sampled shingle with the candidate;
shingles shared by more than ``POSTING_CAP`` texts (site boilerplate, legal footers) are
skipped as they tell nothing apart. Candidates passing the sample estimate are then
verified exactly on their full shingle sets.

Thresholds, and why:

* ``CONTAINMENT`` 0.8: at least 80 % of the shorter text's shingles must appear in the
  longer one. A republished release with a new intro sentence and footer keeps > 90 %;
  two articles about the same incident, written by different people, share well under
  30 % even when they quote the same union statement.
* ``LENGTH_RATIO`` 0.5: the shorter text is at least half the longer. An article that quotes
  a whole release and adds as much commentary is another article, not a copy.
* ``MIN_WORDS`` 40: below that, shingles are too few to be trusted, so short texts merge
  only when both normalised titles and bodies are near-identical (``SHORT_SIMILARITY``).
* Items of one source merge by text only when nearly identical (``SAME_SOURCE_*``): one
  site's articles are often built on one template and share much wording.
* Items with no text merge only by guid or URL: titles such as "Communiqué de presse" are
  shared by unrelated items.
* A guid that is a bare number or short word ("812") names an entry within its own feed
  only; a URL, URN, tag or UUID guid matches across feeds.
* A truncated or re-titled copy (a paywalled mirror, a teaser, a new headline at another
  URL) opens with the same ``OPENING_WORDS`` body words as the full article, and at least
  ``TRUNCATED_CONTAINMENT`` of its body (paywall notice cut off) is in the longer body:
  one item, whatever the length ratio or the title (from one source, all of it must be in
  the longer: a site's posts may open on one template). Two articles by different
  writers never open with the same twenty words. A relay that adds a line of its own
  before the text ("Transféré de l'URPS :", "Relayé à la demande de...") ends with the same
  twenty words instead, and is read the same way from its end.
* A joint communiqué that two unions each publish with their own introduction and
  signature shares a long stretch of text: at least ``JOINT_SHARED`` shingles and
  ``JOINT_CONTAINMENT`` of the shorter text, from two sources, is one item. An article
  that quotes a release and adds as much commentary stays under that share.
"""

from __future__ import annotations

import functools
import re
import unicodedata
import zlib
from array import array
from collections import OrderedDict, deque
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from difflib import SequenceMatcher
from itertools import chain
from typing import Any

from aggregator.models import Entry, Merge
from aggregator.text.urls import canonical_url as canonical_url  # where dedupe reads it
from aggregator.text.urls import published_on as published_on

# --- normalised text ---------------------------------------------------------------------------

_NON_WORD = re.compile(r"[\W_]+")


@functools.cache
def _combining_class() -> re.Pattern[str]:
    """Every combining mark, as one character class (far faster than a per-character test).

    Built on first need (a text beyond the Latin accents): scanning every code point takes
    a few hundred milliseconds that most runs, reading French, never need.
    """
    ranges: list[list[int]] = []
    for code in range(0x110000):
        if unicodedata.combining(chr(code)):
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1][1] = code
            else:
                ranges.append([code, code])
    parts = (f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges)
    return re.compile("[" + "".join(parts) + "]+")


# The accents of Latin scripts: one short range, matched much faster than the full class.
_LATIN_COMBINING = re.compile("[\u0300-\u036f]+")


def normalise_text(text: str) -> str:
    """Text reduced to what survives retyping: case, accents and punctuation dropped.

    >>> normalise_text("  L'Assurance Maladie : œuvre rétablie !")
    'l assurance maladie oeuvre retablie'
    """
    if not text:
        return ""
    # NFKD splits "é" into "e" and a combining accent; œ and æ are letters of their own.
    folded = str(text).casefold().replace("œ", "oe").replace("æ", "ae")
    stripped = _LATIN_COMBINING.sub("", unicodedata.normalize("NFKD", folded))
    if stripped and not stripped.isascii() and max(stripped) > "\u036f":
        stripped = _combining_class().sub("", stripped)
    return _NON_WORD.sub(" ", stripped).strip()


# --- near-duplicate index ---------------------------------------------------------------------

SHINGLE = 5  # words per shingle: long enough that common phrasing rarely repeats by chance
MIN_WORDS = 40  # body words below which a text is "short" (see module docstring)
CONTAINMENT = 0.8
LENGTH_RATIO = 0.5
SAME_SOURCE_CONTAINMENT = 0.95
SAME_SOURCE_RATIO = 0.9
SHORT_SIMILARITY = 0.9
SAMPLE_MOD = 4  # about a quarter of the shingles go into the inverted index
POSTING_CAP = 256  # a sampled shingle shared by more texts is boilerplate: not looked up
PREFILTER = 0.5  # sampled containment below this is not verified (true threshold is 0.8)
SAMPLE_SLACK = 0.5  # a sample may hold this share of its expected size, at worst
SHORT_BUCKET_SCAN = 64  # most recent short texts compared per title or body bucket
TALLY_SPAN = 16  # a lookup tallies every indexed text while they are under 16x its postings
OPENING_WORDS = 20  # body words a truncated or re-titled copy opens with, as the original
CLOSING_CAP = 16  # texts ending alike beyond which the ending is a site's footer: not read
TRUNCATED_CONTAINMENT = 0.8  # of the shorter body (paywall notice cut) in the longer one
JOINT_SHARED = 60  # shingles two sources' texts share for a joint communiqué
JOINT_CONTAINMENT = 0.6  # and the share of the shorter text they make up
# What a paywall or a teaser puts where the text stops: the copy ends there.
PAYWALL_MARKS = (
    "article reserve aux abonnes",
    "reserve aux abonnes",
    "la suite est reservee aux abonnes",
    "lire la suite",
    "pour lire la suite",
    "abonnez vous",
    "la suite de cet article",
)
SHINGLE_CACHE = 256  # shingle sets of recently verified texts kept (a few texts, often
# a syndicated story or a template-heavy one, are verified against again and again)


@dataclass(frozen=True)
class Candidate:
    """An entry as dedupe sees it. ``url`` is already canonical; ``text`` excludes the title."""

    id: str
    source: str
    guid: str
    url: str
    title: str
    text: str
    published: datetime | None


@dataclass
class _Doc:
    """What the index keeps of one candidate."""

    candidate: Candidate
    title: str  # normalised
    body: str  # normalised, for short texts only
    tokens: array[int]  # hashed words of title + text, for long texts only
    sample: array[int]  # the sampled shingles, each once
    shingles: int  # number of distinct shingles
    short: bool
    opening: int = 0  # hash of the first OPENING_WORDS body words; 0 for a shorter body
    closing: int = 0  # hash of the last OPENING_WORDS body words; 0 for a shorter body
    signatories: Signatories | None = None  # see _signatories: for joint statements

    def body_hashes(self) -> list[int]:
        """The body's word hashes, title left out, up to any paywall notice."""
        if self.short:
            words: list[int] = list(_word_hashes(w.encode() for w in self.body.split()))
        else:
            words = list(self.tokens[len(self.title.split()) :])
        return _cut_at_paywall(words)


COSIGNED_WINDOW = timedelta(hours=36)  # a joint statement goes up on each site within it
COSIGNED_SIMILARITY = 0.35  # Jaccard of the texts' word stems (rewritten: 0.41-0.65 seen)
_ACRONYM = re.compile(r"\b[A-Z]{3,6}\b")
_COSIGNED = re.compile(
    r"communiqu\w*\s+(?:commun|conjoint|intersyndical)|intersyndica|conjointement|"
    r"message\s+commun|(?:deux|trois|quatre)\s+(?:syndicats|organisations)|co-?sign",
    re.IGNORECASE,
)


Signatories = tuple[frozenset[str], bool, frozenset[str]]


def _signatories(c: Candidate) -> Signatories | None:
    """The acronyms a text names, whether it says it is joint, and its word stems (six
    letters of each word of five or more); None for a text naming fewer than two."""
    text = f"{c.title}\n{c.text}"
    acronyms = frozenset(_ACRONYM.findall(text))
    if len(acronyms) < 2:
        return None
    words = frozenset(w[:6] for w in normalise_text(text).split() if len(w) >= 5)
    return acronyms, _COSIGNED.search(text) is not None, words


def same_feed_update(source: str, guid: str, entry: Candidate | Entry) -> bool:
    """Is ``entry`` another entry of the feed ``source`` than the one with ``guid``, both
    guids known? Two entries of one feed at one link are then two updates of a page (a
    status page's "incident en cours" and "résolu"), not one item seen twice: they are
    compared by their text, as entries of different links are; entries of other feeds at
    that link are copies of it."""
    return entry.source == source and bool(guid) and bool(entry.guid) and entry.guid != guid


class DedupeIndex:
    """Candidates already seen, searchable by guid, canonical URL and near-duplicate text.

    ``comparisons`` counts candidate texts visited by :meth:`match` (postings read and
    exact checks), so tests can prove a lookup does not scan the whole index.
    """

    def __init__(
        self, window: timedelta = timedelta(days=10), threshold: float = CONTAINMENT
    ) -> None:
        self.window = window
        self.threshold = threshold
        self.comparisons = 0
        self._docs: dict[str, _Doc] = {}
        self._by_guid: dict[str, str] = {}
        self._by_source_guid: dict[tuple[str, str], str] = {}
        self._by_url: dict[str, str] = {}
        # Sampled shingle -> the indexed long texts holding it, by their number in _order.
        self._postings: dict[int, array[int]] = {}
        self._order: list[_Doc] = []
        self._sample_sizes = array("i")  # len(sample) of each text in _order
        self._short: dict[str, deque[str]] = {}
        self._by_opening: dict[int, list[str]] = {}
        self._by_closing: dict[int, list[str]] = {}
        self._shingle_sets: OrderedDict[str, set[int]] = OrderedDict()
        self._by_acronym: dict[str, list[str]] = {}  # texts naming two acronyms or more

    def __len__(self) -> int:
        return len(self._docs)

    def add(self, c: Candidate, prepared: Fingerprint | None = None) -> None:
        """Index a candidate (``prepared``: its fingerprint, if already computed). Adding an
        id twice keeps the first copy."""
        if c.id not in self._docs:
            self._index(_make_doc(c, prepared))

    def match(self, c: Candidate, prepared: Fingerprint | None = None) -> Merge | None:
        """The indexed candidate ``c`` repeats, and why; None when it is new."""
        return self._match(c, prepared)[0]

    def match_or_add(self, c: Candidate, prepared: Fingerprint | None = None) -> Merge | None:
        """:meth:`match`, and when ``c`` is new, :meth:`add` it: its text is read once for
        both (and the postings looked up for the match serve to index it)."""
        merge, doc, postings = self._match(c, prepared)
        if merge is None and c.id not in self._docs:
            self._index(doc or _make_doc(c, prepared), postings)
        return merge

    def _match(
        self, c: Candidate, prepared: Fingerprint | None
    ) -> tuple[Merge | None, _Doc | None, list[array[int] | None] | None]:
        """The match, with the document read and the postings of its sample looked up
        (None when the match needed neither)."""
        if c.guid:
            target = self._by_source_guid.get((c.source, c.guid))
            if target is None and guid_is_global(c.guid):
                target = self._by_guid.get(c.guid)
            if target is not None and target != c.id:
                return Merge(target, "guid", 1.0), None, None
        target = self._by_url.get(c.url) if c.url else None
        if target is not None and target != c.id and not self._another_update(target, c):
            return Merge(target, "url", 1.0), None, None
        doc = _make_doc(c, prepared)
        postings = list(map(self._postings.get, doc.sample)) if doc.sample else None
        if doc.short:
            found = self._match_short(doc)
        elif postings is not None:
            found = self._match_long(doc, postings)
        else:
            found = None
        found = found or self._match_opening(doc) or self._match_closing(doc)
        return found or self._match_cosigned(doc), doc, postings

    def _match_cosigned(self, doc: _Doc) -> Merge | None:
        """One joint statement as each signatory publishes it, in its own words: another
        source, within COSIGNED_WINDOW, two signatories' acronyms or more named in both texts
        (FSPF, USPO, UNPF), one of them saying the text is joint ("communiqué commun",
        "intersyndical", "les trois syndicats"), and most of their words shared. Copies are
        found by their shingles; these are rewritten too much for that."""
        c = doc.candidate
        if doc.signatories is None:
            return None
        acronyms, marked, words = doc.signatories
        seen: dict[str, int] = {}
        for acronym in acronyms:
            for other_id in self._by_acronym.get(acronym, ()):
                seen[other_id] = seen.get(other_id, 0) + 1
        best: tuple[float, str] | None = None
        for other_id, shared in seen.items():
            other_doc = self._docs[other_id]
            other, theirs = other_doc.candidate, other_doc.signatories
            if shared < 2 or theirs is None or other.source == c.source:
                continue
            if not (marked or theirs[1]):
                continue
            if not _within(c.published, other.published, COSIGNED_WINDOW):
                continue
            self.comparisons += 1
            score = len(words & theirs[2]) / len(words | theirs[2])
            if score >= COSIGNED_SIMILARITY and (best is None or _better(score, other_id, best)):
                best = (score, other_id)
        return Merge(best[1], "joint statement", round(best[0], 4)) if best else None

    def _another_update(self, target: str, c: Candidate) -> bool:
        """Is ``c`` another entry of the same feed, under another guid, at the link of
        ``target``? A status page or a live page publishes each update so; its text says
        whether it repeats (see :func:`same_feed_update`)."""
        doc = self._docs.get(target)
        return doc is not None and same_feed_update(doc.candidate.source, doc.candidate.guid, c)

    def _index(self, doc: _Doc, postings: list[array[int] | None] | None = None) -> None:
        """Index a document; ``postings``: those of its sample, if just looked up (nothing
        was added since)."""
        c = doc.candidate
        self._docs[c.id] = doc
        if c.guid:
            self._by_source_guid.setdefault((c.source, c.guid), c.id)
            if guid_is_global(c.guid):
                self._by_guid.setdefault(c.guid, c.id)
        if c.url:
            self._by_url.setdefault(c.url, c.id)
        if doc.opening:
            self._by_opening.setdefault(doc.opening, []).append(c.id)
        if doc.closing:
            ending = self._by_closing.setdefault(doc.closing, [])
            if len(ending) <= CLOSING_CAP:
                ending.append(c.id)
        if doc.signatories is not None:
            for acronym in doc.signatories[0]:
                self._by_acronym.setdefault(acronym, []).append(c.id)
        if doc.sample:
            number = len(self._order)
            self._order.append(doc)
            self._sample_sizes.append(len(doc.sample))
            if postings is None:
                postings = list(map(self._postings.get, doc.sample))
            for fingerprint, posting in zip(doc.sample, postings, strict=True):
                if posting is None:
                    self._postings[fingerprint] = array("i", (number,))
                else:
                    posting.append(number)
        if doc.short:
            for key in _short_keys(doc):
                self._short.setdefault(key, deque(maxlen=SHORT_BUCKET_SCAN)).append(c.id)

    # --- truncated and re-titled copies: the same opening -------------------------------------

    def _match_opening(self, doc: _Doc) -> Merge | None:
        return self._match_edge(doc, doc.opening, self._by_opening, from_end=False)

    def _match_closing(self, doc: _Doc) -> Merge | None:
        """A relay with a line of its own before the text: the same end."""
        if len(self._by_closing.get(doc.closing, ())) > CLOSING_CAP:
            return None  # "Abonnez-vous à notre lettre...": a footer many texts end with
        return self._match_edge(doc, doc.closing, self._by_closing, from_end=True)

    def _match_edge(
        self, doc: _Doc, edge: int, index: dict[int, list[str]], from_end: bool
    ) -> Merge | None:
        if not edge:
            return None
        best: tuple[float, str] | None = None
        mine: list[int] | None = None
        for other_id in index.get(edge, ()):
            other = self._docs[other_id]
            if other_id == doc.candidate.id or not _within(
                doc.candidate.published, other.candidate.published, self.window
            ):
                continue
            self.comparisons += 1
            mine = mine if mine is not None else doc.body_hashes()
            # One site's posts often open on one template: from one source, the copy must
            # be all in the original.
            same = other.candidate.source == doc.candidate.source
            needed = SAME_SOURCE_CONTAINMENT if same else TRUNCATED_CONTAINMENT
            score = _truncation_score(mine, other.body_hashes(), needed, from_end)
            if score is not None and (best is None or _better(score, other_id, best)):
                best = (score, other_id)
        return Merge(best[1], "near-duplicate", round(best[0], 4)) if best else None

    # --- long texts: shingles ------------------------------------------------------------------

    def _match_long(self, doc: _Doc, found: list[array[int] | None]) -> Merge | None:
        postings = [p for p in found if p and len(p) <= POSTING_CAP]
        if not postings:
            return None
        self.comparisons += sum(map(len, postings))
        best: tuple[float, str] | None = None
        mine: set[int] | None = None
        # Most texts share a fingerprint or two by chance. A plausible copy is at least
        # LENGTH_RATIO as long, so it has (give or take sampling) at least half as many
        # sampled shingles, and PREFILTER of the smaller sample must be shared: a floor
        # that drops the chance hits, then that share text by text, before any set work.
        floor = PREFILTER * LENGTH_RATIO * SAMPLE_SLACK * len(doc.sample)
        for number in _shared_enough(postings, floor, len(doc.sample), self._sample_sizes):
            other = self._order[number]
            other_id = other.candidate.id
            if other_id == doc.candidate.id or other.short or not self._plausible(doc, other):
                continue
            self.comparisons += 1
            mine = mine if mine is not None else _shingles(doc.tokens)
            score = self._verify(doc, mine, other)
            if score is not None and (best is None or _better(score, other_id, best)):
                best = (score, other_id)
        return Merge(best[1], "near-duplicate", round(best[0], 4)) if best else None

    def _plausible(self, doc: _Doc, other: _Doc) -> bool:
        """Cheap checks before any set arithmetic: dates and lengths."""
        if not _within(doc.candidate.published, other.candidate.published, self.window):
            return False
        small, large = sorted((doc.shingles, other.shingles))
        return large > 0 and small / large >= LENGTH_RATIO

    def _verify(self, doc: _Doc, mine: set[int], other: _Doc) -> float | None:
        theirs = self._shingles_of(other)
        small, large = sorted((len(mine), len(theirs)))
        if not small:
            return None
        containment = len(mine & theirs) / small
        ratio = small / large
        if doc.candidate.source == other.candidate.source:
            if containment < SAME_SOURCE_CONTAINMENT or ratio < SAME_SOURCE_RATIO:
                return None
            if _similarity(doc.title, other.title) < SHORT_SIMILARITY:
                return None
        elif ratio < LENGTH_RATIO or (
            containment < self.threshold and not _joint(len(mine & theirs), containment)
        ):
            return None
        return containment

    def _shingles_of(self, doc: _Doc) -> set[int]:
        """An indexed text's shingle set, from a small cache of the recently verified."""
        key = doc.candidate.id
        cache = self._shingle_sets
        found = cache.get(key)
        if found is not None:
            cache.move_to_end(key)
            return found
        found = cache[key] = _shingles(doc.tokens)
        if len(cache) > SHINGLE_CACHE:
            cache.popitem(last=False)
        return found

    # --- short texts: near-identical title and body ----------------------------------------------

    def _match_short(self, doc: _Doc) -> Merge | None:
        seen: set[str] = set()
        best: tuple[float, str] | None = None
        for key in _short_keys(doc):
            for other_id in self._short.get(key, ()):
                if other_id in seen or other_id == doc.candidate.id:
                    continue
                seen.add(other_id)
                self.comparisons += 1
                other = self._docs[other_id]
                if not _within(doc.candidate.published, other.candidate.published, self.window):
                    continue
                score = _short_score(doc, other)
                if score is not None and (best is None or _better(score, other_id, best)):
                    best = (score, other_id)
        return Merge(best[1], "near-duplicate", round(best[0], 4)) if best else None


def _shared_enough(
    postings: list[array[int]], floor: float, size: int, sizes: array[int]
) -> list[int]:
    """The texts (numbers in the postings) that share at least ``floor`` of the sampled
    shingles, and PREFILTER of the smaller of the two samples (``size``: the one looked up;
    ``sizes``: every indexed text's).

    Counted by numpy, several times faster than a Counter over postings that hold hundreds
    of texts each, as sentence templates make them; the answer's order does not matter.
    """
    import numpy as np  # here: most commands never match texts

    # One buffer of every posting (bytes.join copies their memory), read by numpy once.
    read = np.frombuffer(b"".join(postings), dtype=np.intc)
    least = max(floor, 1)
    numbers: Any  # integer arrays, of numpy types that differ by branch
    shared: Any
    if len(read) * TALLY_SPAN < len(sizes):
        # Few postings read in a large index: sort them rather than tally every text.
        numbers, shared = np.unique(read, return_counts=True)
        enough = shared >= least
        numbers, shared = numbers[enough], shared[enough]
    else:
        counts = np.bincount(read)
        numbers = np.flatnonzero(counts >= least)
        shared = counts[numbers]
    theirs = np.frombuffer(sizes, dtype=np.intc)[numbers]
    kept: list[int] = numbers[shared >= PREFILTER * np.minimum(theirs, size)].tolist()
    return kept


def guid_is_global(guid: str) -> bool:
    """Whether a guid can name an item across feeds: a URL, a URN, a tag, a UUID or hash.

    Some feeds number their entries "1", "2"...; such a guid is unique in its feed only,
    and two feeds' entry 812 are two items.
    """
    return len(guid) >= 16 or any(mark in guid for mark in ":/@")


@dataclass(frozen=True)
class Fingerprint:
    """What dedupe reads of a title and a text, computed once (and anywhere: in a worker
    process, ahead of the match). Same fields as the index's documents, bar the candidate."""

    title: str
    body: str
    tokens: array[int]
    sample: array[int]  # the sampled shingles, each once
    shingles: int
    short: bool


def fingerprint(
    title: str, text: str, words: tuple[list[str], list[str]] | None = None
) -> Fingerprint:
    """The fingerprint of a candidate's title and plain text. ``words``: the words of
    :func:`normalise_text` of each, when already at hand (the classifier folds the same
    text); they are used as given."""
    if words is None:
        title, body = normalise_text(title), normalise_text(text)
        body_words = body.split()
    else:
        title, body_words = " ".join(words[0]), words[1]
    short = 0 < len(body_words) < MIN_WORDS
    if short or not body_words:
        body = body if words is None else " ".join(body_words)
        return Fingerprint(title, body, array("I"), array("q"), 0, short)
    if words is None:
        tokens = _word_hashes(f"{title} {body}".encode().split())
    else:  # the words themselves, rather than their text joined and split again
        tokens = _word_hashes(map(str.encode, chain(words[0], body_words)))
    shingles = _shingles(tokens)
    # An array rather than a set: it is only counted and walked, and a worker process hands
    # it over (pickled) many times faster.
    sample = array("q", [h for h in shingles if h % SAMPLE_MOD == 0])
    return Fingerprint(title, "", tokens, sample, len(shingles), False)


def _make_doc(c: Candidate, prepared: Fingerprint | None = None) -> _Doc:
    f = prepared or fingerprint(c.title, c.text)
    doc = _Doc(c, f.title, f.body, f.tokens, f.sample, f.shingles, f.short)
    doc.signatories = _signatories(c)
    # Only the first and the last words are read here: every entry of a run passes this way.
    if f.short:
        words = f.body.split()
        opening = tuple(_word_hashes(w.encode() for w in words[:OPENING_WORDS]))
        closing = tuple(_word_hashes(w.encode() for w in words[-OPENING_WORDS:]))
    else:
        skip = f.title.count(" ") + 1 if f.title else 0
        opening = tuple(f.tokens[skip : skip + OPENING_WORDS])
        closing = tuple(f.tokens[max(skip, len(f.tokens) - OPENING_WORDS) :])
    if len(opening) == OPENING_WORDS:
        doc.opening = hash(opening) or 1  # a tuple of ints hashes alike in every process
    if len(closing) == OPENING_WORDS:
        doc.closing = hash(closing) or 1
    return doc


def _joint(shared: int, containment: float) -> bool:
    """A long stretch of one text in another: a communiqué each source wrapped its own way."""
    return shared >= JOINT_SHARED and containment >= JOINT_CONTAINMENT


def _truncation_score(
    mine: list[int], theirs: list[int], needed: float, from_end: bool = False
) -> float | None:
    """How much of the shorter body the longer holds, when both open alike (or, with
    ``from_end``, end alike); else None."""
    if len(mine) < OPENING_WORDS or len(theirs) < OPENING_WORDS:
        return None
    edge = slice(-OPENING_WORDS, None) if from_end else slice(OPENING_WORDS)
    if mine[edge] != theirs[edge]:
        return None
    short, long_ = sorted((_shingles(mine), _shingles(theirs)), key=len)
    containment = len(short & long_) / len(short) if short else 0.0
    return containment if containment >= needed else None


@functools.cache
def _paywall_hashes() -> tuple[tuple[int, ...], ...]:
    return tuple(tuple(_word_hashes(m.encode().split())) for m in PAYWALL_MARKS)


def _cut_at_paywall(words: list[int]) -> list[int]:
    """The words before the first paywall notice in the second half, if any."""
    marks = _paywall_hashes()
    firsts = {m[0] for m in marks}
    for n in range(len(words) // 2, len(words)):
        if words[n] in firsts and any(tuple(words[n : n + len(m)]) == m for m in marks):
            return words[:n]
    return words


def _word_hashes(words: Iterable[bytes]) -> array[int]:
    """Each word's hash, of its UTF-8 bytes."""
    # crc32 rather than hash(): the same word must hash alike in every process, so that
    # which shingles are sampled (and so what matches) does not depend on PYTHONHASHSEED.
    return array("I", map(zlib.crc32, words))


def _shingles(tokens: Iterable[int]) -> set[int]:
    words = list(tokens)
    if len(words) < SHINGLE:
        return {hash(tuple(words))} if words else set()
    # A tuple of ints hashes the same in every process (int hashing is not randomised).
    # zip builds the tuples of SHINGLE consecutive words in C, far faster than slicing.
    return set(map(hash, zip(*(words[i:] for i in range(SHINGLE)), strict=False)))


def _short_keys(doc: _Doc) -> list[str]:
    keys = []
    if doc.title:
        keys.append("t:" + doc.title)
    if doc.body:
        keys.append("b:" + doc.body)
    return keys


def _short_score(doc: _Doc, other: _Doc) -> float | None:
    """Near-identical titles and bodies, or None."""
    if not (doc.title and other.title and doc.body and other.body):
        return None
    same_source = doc.candidate.source == other.candidate.source
    needed = 1.0 if same_source else SHORT_SIMILARITY
    title = _similarity(doc.title, other.title)
    body = _similarity(doc.body, other.body)
    if title < needed or body < needed:
        return None
    return min(title, body)


def _similarity(a: str, b: str) -> float:
    if a == b:
        return 1.0
    if not a or not b:
        return 0.0
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def _within(a: datetime | None, b: datetime | None, window: timedelta) -> bool:
    """Dates close enough; an unknown date does not rule a match out."""
    if a is None or b is None:
        return True
    try:
        return abs(a - b) <= window
    except TypeError:  # one naive, one aware: compare as if both were UTC
        return abs(a.replace(tzinfo=None) - b.replace(tzinfo=None)) <= window


def _better(score: float, other_id: str, best: tuple[float, str]) -> bool:
    """Highest score wins; ties go to the smaller id, so results never depend on order."""
    if score != best[0]:
        return score > best[0]
    return other_id < best[1]
