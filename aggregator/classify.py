"""Classification: which payers a story hits, what kind of incident, what to do, whom to call.

The vocabulary lives in ``taxonomy.yaml`` beside this module; this module is the machinery.
Matching works on *folded* text (accents stripped, lower case, apostrophes read as spaces)
and on whole words, so "Viamédis", "VIAMEDIS" and "viamedis.fr" are one payer while "MSA"
is not found inside "MSAP". A trigger word counts unless

* a negation precedes it in the same clause ("aucune fuite de données", "n'a pas été
  piraté"), with no scope breaker in between ("n'a pas été touché *par* la cyberattaque"
  still speaks of a cyberattack);
* it sits in a back-reference to another story ("comme lors de la cyberattaque de X").

A payer counts when a mention is neither a back-reference nor said to be unaffected
("SP Santé et Actil ne sont pas touchés", "hors Kalixia"); a payer said to be unaffected
anywhere is dropped unless the title names it as hit. Payers are kept only on items that
carry some incident signal (a kind, a status or an action): a price rule that names the
Assurance Maladie is not news about the Assurance Maladie.

>>> Classifier().classify("Viamédis piraté", "Le portail est indisponible.").kinds
('cyberattack', 'outage')
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from importlib import resources
from typing import Any

import yaml

from aggregator.models import Classification, StatusSignal

MAX_CHARS = 200_000  # longer bodies are cut: no advisory hides its point that deep
MAX_ACTIONS = 6
SLUG = re.compile(r"[a-z0-9-]+")
_OVERRIDE_KEYS = ("payers", "organisations")
_ENTRY_KEYS = ("slug", "name", "aliases", "match_case")


# --- folding ---------------------------------------------------------------------------------

_PUNCT = str.maketrans(
    {
        "'": " ",
        "\u2019": " ",
        "\u2018": " ",
        "\u02bc": " ",
        "`": " ",
        "\u00b4": " ",
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u0153": "oe",
        "\u0152": "OE",
        "\u00e6": "ae",
        "\u00c6": "AE",
        "\u00df": "ss",
    }
)
_MARKS = re.compile("[\u0300-\u036f]+")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def fold_case_kept(text: str) -> str:
    """Accents stripped, apostrophes read as spaces, other non-ASCII as spaces; same case.

    >>> fold_case_kept("L'Assurance Maladie – Sévéane")
    'L Assurance Maladie - Seveane'
    """
    decomposed = unicodedata.normalize("NFKD", text.translate(_PUNCT))
    return _NON_ASCII.sub(" ", _MARKS.sub("", decomposed))


def fold(text: str) -> str:
    """What matching reads: :func:`fold_case_kept`, lower case (ASCII, so same length)."""
    return fold_case_kept(text).lower()


# --- the taxonomy ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Named:
    """A payer or an organisation: its slug, display name and the names the press uses."""

    slug: str
    name: str
    aliases: tuple[str, ...] = ()
    match_case: tuple[str, ...] = ()  # aliases that are everyday words in lower case


@dataclass(frozen=True)
class Kind:
    slug: str
    label: str  # French, for titles and pages
    patterns: tuple[str, ...]
    ongoing: bool  # does naming it say the service is broken now (outage) or not (attack)?


@dataclass(frozen=True)
class Action:
    phrase: str
    patterns: tuple[str, ...]


@dataclass(frozen=True)
class Language:
    """Regex alternatives (folded text) for negation, clauses, unaffected payers, references."""

    negation_words: int
    negators: tuple[str, ...]
    scope_breakers: tuple[str, ...]
    clause_boundaries: tuple[str, ...]
    subject_boundaries: tuple[str, ...]
    not_affected_after: tuple[str, ...]
    not_affected_before: tuple[str, ...]
    contrast: tuple[str, ...]
    reference_markers: tuple[str, ...]
    reference_clause_markers: tuple[str, ...]


@dataclass(frozen=True)
class StatusWords:
    resolved: tuple[str, ...]
    failure: tuple[str, ...]
    pending_before: tuple[str, ...]
    pending_after: tuple[str, ...]
    recap: tuple[str, ...]


@dataclass(frozen=True)
class Taxonomy:
    """Payers, organisations, incident kinds and the wording the classifier relies on."""

    payer_entries: tuple[Named, ...]
    organisation_entries: tuple[Named, ...]
    kind_entries: tuple[Kind, ...]
    actions: tuple[Action, ...]
    language: Language
    status_words: StatusWords
    payers: tuple[str, ...] = field(init=False)
    kinds: tuple[str, ...] = field(init=False)
    _names: dict[str, str] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        # Frozen, so the derived fields are set the way dataclasses itself would.
        object.__setattr__(self, "payers", tuple(p.slug for p in self.payer_entries))
        object.__setattr__(self, "kinds", tuple(k.slug for k in self.kind_entries))
        names = {f"o:{o.slug}": o.name for o in self.organisation_entries}
        names |= {f"p:{p.slug}": p.name for p in self.payer_entries}
        names |= {f"k:{k.slug}": k.label for k in self.kind_entries}
        object.__setattr__(self, "_names", names)

    def payer_name(self, slug: str) -> str:
        """Display name of a payer ("Viamedis"); an unknown slug is returned as is."""
        return self._names.get(f"p:{slug}", slug)

    def kind_label(self, kind: str) -> str:
        """French label of an incident kind ("cyberattaque"); unknown kinds as is."""
        return self._names.get(f"k:{kind}", kind)

    def organisation_name(self, slug: str) -> str:
        """Display name of an organisation ("CNIL"); an unknown slug is returned as is."""
        return self._names.get(f"o:{slug}", slug)

    @property
    def organisations(self) -> tuple[str, ...]:
        return tuple(o.slug for o in self.organisation_entries)


def load_taxonomy(overrides: Mapping[str, object] | None = None) -> Taxonomy:
    """The built-in taxonomy merged with the ``taxonomy:`` key of sources.yaml.

    Overrides may add payers and organisations, or aliases to existing ones::

        payers:
          - {slug: harmonie, name: Harmonie Mutuelle, aliases: [Harmonie]}
          - {slug: viamedis, aliases: [VIAMEDIS SA]}   # an existing slug: aliases added
        organisations:
          - {slug: giphar, name: Giphar}

    Keys of an entry: ``slug`` ([a-z0-9-]+, required), ``name`` (required for a new slug,
    renames an existing one), ``aliases`` and ``match_case`` (lists of names; the latter
    matched with their capitals). A new entry's name is one of its aliases.
    Raises ValueError naming the bad key ("taxonomy.payers[2]: 'slug' must match
    [a-z0-9-]+"); the configuration loader turns it into a ConfigError.
    """
    base = _builtin()
    if not overrides:
        return base
    if not isinstance(overrides, Mapping):
        raise ValueError("taxonomy: must be a mapping with 'payers' and/or 'organisations'")
    unknown = sorted(str(key) for key in overrides if key not in _OVERRIDE_KEYS)
    if unknown:
        raise ValueError(
            f"taxonomy: unknown key '{unknown[0]}' (expected: {', '.join(_OVERRIDE_KEYS)})"
        )
    org_slugs = {o.slug for o in base.organisation_entries}
    payers = _merge(
        base.payer_entries, overrides.get("payers"), "taxonomy.payers", org_slugs, "organisation"
    )
    payer_slugs = {p.slug for p in payers}
    organisations = _merge(
        base.organisation_entries,
        overrides.get("organisations"),
        "taxonomy.organisations",
        payer_slugs,
        "payer",
    )
    return replace(base, payer_entries=payers, organisation_entries=organisations)


@lru_cache(maxsize=1)
def _builtin() -> Taxonomy:
    text = resources.files("aggregator").joinpath("taxonomy.yaml").read_text("utf-8")
    return _parse(yaml.safe_load(text))


def _parse(data: Any) -> Taxonomy:
    """The packaged taxonomy.yaml as a Taxonomy (its shape is ours, so checks are light)."""
    lang, status = data["language"], data["status"]
    return Taxonomy(
        payer_entries=_merge((), data["payers"], "taxonomy.yaml payers", set(), ""),
        organisation_entries=_merge(
            (), data["organisations"], "taxonomy.yaml organisations", set(), ""
        ),
        kind_entries=tuple(
            Kind(k["slug"], k["label"], tuple(k["patterns"]), bool(k["ongoing"]))
            for k in data["kinds"]
        ),
        actions=tuple(Action(a["phrase"], tuple(a["patterns"])) for a in data["actions"]),
        language=Language(
            negation_words=int(lang["negation_words"]),
            **{key: tuple(lang[key]) for key in _LANGUAGE_LISTS},
        ),
        status_words=StatusWords(**{key: tuple(status[key]) for key in _STATUS_LISTS}),
    )


_LANGUAGE_LISTS = (
    "negators",
    "scope_breakers",
    "clause_boundaries",
    "subject_boundaries",
    "not_affected_after",
    "not_affected_before",
    "contrast",
    "reference_markers",
    "reference_clause_markers",
)
_STATUS_LISTS = ("resolved", "failure", "pending_before", "pending_after", "recap")


def _merge(
    entries: tuple[Named, ...], raw: object, where: str, reserved: set[str], other: str
) -> tuple[Named, ...]:
    """Entries with the overrides ``raw`` applied, in order, new slugs last."""
    if raw is None:
        return entries
    if not isinstance(raw, list):
        raise ValueError(f"{where}: must be a list of entries with 'slug', 'name', 'aliases'")
    merged = {entry.slug: entry for entry in entries}
    for index, spec in enumerate(raw):
        entry = _entry(spec, f"{where}[{index}]", merged, reserved, other)
        merged[entry.slug] = entry
    return tuple(merged.values())


def _entry(
    spec: object, here: str, known: Mapping[str, Named], reserved: set[str], other: str
) -> Named:
    if not isinstance(spec, Mapping):
        raise ValueError(f"{here}: must be a mapping with 'slug', 'name' and 'aliases'")
    for key in spec:
        if key not in _ENTRY_KEYS:
            raise ValueError(f"{here}: unknown key '{key}' (expected: {', '.join(_ENTRY_KEYS)})")
    slug = spec.get("slug")
    if not isinstance(slug, str) or not SLUG.fullmatch(slug):
        raise ValueError(f"{here}: 'slug' must match [a-z0-9-]+")
    if slug in reserved:
        raise ValueError(f"{here}: slug '{slug}' is already an {other}; choose another slug")
    name = spec.get("name")
    if name is not None and (not isinstance(name, str) or not _has_word(name)):
        raise ValueError(f"{here}: 'name' must be a non-empty string")
    aliases = _names(spec.get("aliases"), f"{here}: 'aliases'")
    match_case = _names(spec.get("match_case"), f"{here}: 'match_case'")
    old = known.get(slug)
    if old is None:
        if name is None:
            raise ValueError(f"{here}: 'name' is required for the new slug '{slug}'")
        return Named(slug, name, _unique((name, *aliases)), match_case)
    extra = (name,) if name else ()
    return Named(
        slug,
        name or old.name,
        _unique((*old.aliases, *extra, *aliases)),
        _unique((*old.match_case, *match_case)),
    )


def _names(raw: object, here: str) -> tuple[str, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
        raise ValueError(f"{here} must be a list of names")
    for item in raw:
        if not _has_word(item):
            raise ValueError(f"{here}: {item!r} has no letter or digit")
    return tuple(raw)


def _has_word(text: str) -> bool:
    return any(ch.isalnum() for ch in fold(text))


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


# --- compiled patterns -----------------------------------------------------------------------

_GAP = r"(?:(?!(?:ne|n|pas|aucune?s?|jamais|sans|ni)\b)[\w-]+\s+){0,4}?"
_SEP = re.compile(r"[\s-]+")
_HARD = re.compile(r"[.!?]+(?=\s|$)|[\n;:]|\s-\s")
_PUNCT_SOFT = re.compile(r"[,()\[\]\"]")
_ENUM_GAP = re.compile(
    r"[\s,/&()]*(?:(?:et|ou|ni|de|du|des|d|chez|l|la|le|les|ainsi\s+que|"
    r"operateurs?|plateformes?|organismes?|complementaires?|reseaux?|autres?)[\s,/&()]+)*"
)
_EMAIL = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@[A-Za-z0-9-]{1,63}"
    r"(?:\.[A-Za-z0-9-]{1,63})*\.[A-Za-z]{2,24}(?![\w-])"
)
_PHONE = re.compile(
    r"(?<![\w+])(?:(?:\+|00)\s?33[\s.\-]?(?:\(0\)[\s.\-]?)?|0)"
    r"([1-9](?:[\s.\-]?\d){8})(?![\s.\-]?\d)(?!\w)"
)


def _words(alternatives: Sequence[str]) -> str:
    """One alternation, each alternative a whole word (or words) of folded text."""
    body = "|".join(f"(?:{alt.replace('{gap}', _GAP)})" for alt in alternatives)
    return rf"(?<![\w])(?:{body})(?![\w])"


def _compile(alternatives: Sequence[str]) -> re.Pattern[str]:
    return re.compile(_words(alternatives))


def _alias_regex(alias: str, keep_case: bool) -> str:
    folded = fold_case_kept(alias) if keep_case else fold(alias)
    parts = [re.escape(part) for part in _SEP.split(folded.strip()) if part]
    return r"[\s-]*".join(parts)


def _name_pattern(entries: Sequence[Named], keep_case: bool) -> re.Pattern[str] | None:
    """One pattern for every entry, group ``g<i>`` naming entry i; None if nothing to find."""
    groups = []
    for index, entry in enumerate(entries):
        names = entry.match_case if keep_case else entry.aliases
        regexes = sorted({_alias_regex(n, keep_case) for n in names} - {""}, key=len, reverse=True)
        if regexes:
            groups.append(f"(?P<g{index}>{'|'.join(regexes)})")
    if not groups:
        return None
    return re.compile(rf"(?<![\w])(?:{'|'.join(groups)})(?![\w])")


@dataclass(frozen=True)
class _Mention:
    slug: str
    start: int
    end: int


class _NameFinder:
    """Whole-word mentions of payers or organisations in folded text."""

    def __init__(self, entries: Sequence[Named]) -> None:
        self.slugs = tuple(entry.slug for entry in entries)
        self.lower = _name_pattern(entries, keep_case=False)
        self.cased = _name_pattern(entries, keep_case=True)

    def find(self, lower: str, cased: str) -> list[_Mention]:
        found: list[_Mention] = []
        for pattern, text in ((self.lower, lower), (self.cased, cased)):
            if pattern is None:
                continue
            for match in pattern.finditer(text):
                index = int((match.lastgroup or "g0")[1:])
                found.append(_Mention(self.slugs[index], match.start(), match.end()))
        found.sort(key=lambda m: m.start)
        return found


@dataclass(frozen=True)
class _Rules:
    """Everything a Classifier matches with, compiled once per taxonomy."""

    payers: _NameFinder
    organisations: _NameFinder
    kinds: tuple[tuple[str, re.Pattern[str], bool], ...]
    any_kind: re.Pattern[str]
    actions: re.Pattern[str]
    action_phrases: tuple[str, ...]
    negation_words: int
    negators: re.Pattern[str]
    scope_breakers: re.Pattern[str]
    clause: re.Pattern[str]
    subject: re.Pattern[str]
    not_affected_after: re.Pattern[str]
    not_affected_before: re.Pattern[str]
    contrast: re.Pattern[str]
    references: re.Pattern[str]
    reference_clauses: re.Pattern[str]
    resolved: re.Pattern[str]
    failure: re.Pattern[str]
    pending_before: re.Pattern[str]
    pending_after: re.Pattern[str]
    recap: re.Pattern[str]


@lru_cache(maxsize=8)
def _rules(taxonomy: Taxonomy) -> _Rules:
    lang, status = taxonomy.language, taxonomy.status_words
    every_kind = [p for kind in taxonomy.kind_entries for p in kind.patterns]
    action_groups = "|".join(
        f"(?P<a{i}>{_words(action.patterns)})" for i, action in enumerate(taxonomy.actions)
    )
    return _Rules(
        payers=_NameFinder(taxonomy.payer_entries),
        organisations=_NameFinder(taxonomy.organisation_entries),
        kinds=tuple(
            (kind.slug, _compile(kind.patterns), kind.ongoing) for kind in taxonomy.kind_entries
        ),
        any_kind=_compile([*every_kind, r"victimes?"]),
        actions=re.compile(action_groups or r"(?!)"),
        action_phrases=tuple(action.phrase for action in taxonomy.actions),
        negation_words=lang.negation_words,
        negators=_compile(lang.negators),
        scope_breakers=_compile(lang.scope_breakers),
        clause=re.compile(rf"{_PUNCT_SOFT.pattern}|{_words(lang.clause_boundaries)}"),
        subject=_compile(lang.subject_boundaries),
        not_affected_after=_compile(lang.not_affected_after),
        not_affected_before=_compile(lang.not_affected_before),
        contrast=re.compile(rf"{_words(lang.contrast)}\s*$"),
        references=_compile(lang.reference_markers),
        reference_clauses=_compile(lang.reference_clause_markers),
        resolved=_compile(status.resolved),
        failure=_compile(status.failure),
        pending_before=_compile(status.pending_before),
        pending_after=re.compile(rf"\s*{_words(status.pending_after)}"),
        recap=_compile(status.recap),
    )


# --- one document ----------------------------------------------------------------------------


class _Doc:
    """Folded title and body as one text, with its sentence and clause boundaries."""

    def __init__(self, rules: _Rules, title: str, text: str) -> None:
        self.rules = rules
        cased = fold_case_kept(title) + "\n" + fold_case_kept(text)
        self.cased = cased
        self.text = cased.lower()
        self.title_end = cased.index("\n")

    @cached_property
    def _hard(self) -> list[tuple[int, int]]:
        return [m.span() for m in _HARD.finditer(self.text)]

    @cached_property
    def _punct(self) -> list[tuple[int, int]]:
        soft = [m.span() for m in _PUNCT_SOFT.finditer(self.text)]
        return sorted(self._hard + soft)

    @cached_property
    def _clause(self) -> list[tuple[int, int]]:
        soft = [m.span() for m in self.rules.clause.finditer(self.text)]
        return sorted(self._hard + soft)

    @cached_property
    def _subject(self) -> list[tuple[int, int]]:
        soft = [m.span() for m in self.rules.subject.finditer(self.text)]
        return sorted(self._hard + soft)

    @staticmethod
    def _start(spans: list[tuple[int, int]], pos: int) -> int:
        """End of the last boundary that ends at or before ``pos``."""
        ends = [end for _, end in spans]
        index = bisect_right(ends, pos)
        return ends[index - 1] if index else 0

    def clause_start(self, pos: int) -> int:
        return self._start(self._clause, pos)

    def subject_start(self, pos: int) -> int:
        return self._start(self._subject, pos)

    def in_title(self, pos: int) -> bool:
        return pos < self.title_end

    # -- context tests

    def negated(self, start: int) -> bool:
        """A negation governs the word at ``start`` (same clause, a few words before)."""
        window = self.text[self.clause_start(start) : start]
        words = window.rsplit(None, self.rules.negation_words)
        window = " ".join(words[-self.rules.negation_words :])
        last = None
        for last in self.rules.negators.finditer(window):  # noqa: B007 - the last one counts
            pass
        if last is None:
            return False
        return self.rules.scope_breakers.search(window, last.end()) is None

    def prefix_has(self, pattern: re.Pattern[str], start: int) -> bool:
        return pattern.search(self.text, self.clause_start(start), start) is not None

    @cached_property
    def references(self) -> list[tuple[int, int]]:
        """Spans that refer back to an earlier story."""
        spans = []
        for marker in self.rules.references.finditer(self.text):
            spans.append((marker.start(), self._punct_end(marker.end())))
        for marker in self.rules.reference_clauses.finditer(self.text):
            start = self._start(self._punct, marker.start())
            spans.append((start, self._punct_end(marker.end())))
        return spans

    def _punct_end(self, pos: int) -> int:
        starts = [start for start, _ in self._punct]
        index = bisect_right(starts, pos - 1)
        return starts[index] if index < len(starts) else len(self.text)

    def in_reference(self, start: int) -> bool:
        return any(a <= start < b for a, b in self.references)

    def counts(self, start: int) -> bool:
        """A trigger at ``start`` is this item's news: not negated, not a back-reference."""
        return not self.negated(start) and not self.in_reference(start)



# --- the classifier --------------------------------------------------------------------------


class Classifier:
    """Tags items with payers, incident kinds, organisations, actions, contacts and status.

    Patterns are compiled once per taxonomy and shared by every Classifier built on it.
    """

    def __init__(self, taxonomy: Taxonomy | None = None) -> None:
        self.taxonomy = taxonomy or load_taxonomy()
        self.rules = _rules(self.taxonomy)

    def classify(self, title: str, text: str) -> Classification:
        """Classify one item from its title and its plain-text body."""
        title = (title or "")[:MAX_CHARS].replace("\n", " ")
        text = (text or "")[:MAX_CHARS]
        doc = _Doc(self.rules, title, text)
        kinds, ongoing = self._kinds(doc)
        actions = self._actions(doc)
        status = self._status(doc, ongoing)
        payers: tuple[str, ...] = ()
        if kinds or status or actions:
            payers = self._payers(doc)
        organisations = _unique(
            m.slug for m in self.rules.organisations.find(doc.text, doc.cased)
        )
        return Classification(
            payers=payers,
            kinds=kinds,
            organisations=tuple(s for s in self.taxonomy.organisations if s in organisations),
            actions=actions,
            contacts=contacts(f"{title}\n{text}"),
            status=status,
        )

    # -- kinds and status

    def _kinds(self, doc: _Doc) -> tuple[tuple[str, ...], list[int]]:
        """Kinds present, and where an ongoing-failure word (outage...) is current news."""
        kinds: list[str] = []
        ongoing: list[int] = []
        for slug, pattern, is_ongoing in self.rules.kinds:
            for match in pattern.finditer(doc.text):
                if not doc.counts(match.start()):
                    continue
                if slug not in kinds:
                    kinds.append(slug)
                if not is_ongoing:
                    break
                if not doc.prefix_has(self.rules.recap, match.start()):
                    ongoing.append(match.start())
                    break
        return tuple(kinds), ongoing

    def _status(self, doc: _Doc, ongoing: list[int]) -> StatusSignal | None:
        """failure (explicitly new or persisting) > resolved > failure (plain, current)."""
        rules = self.rules
        resolved = False
        for match in rules.failure.finditer(doc.text):
            if doc.counts(match.start()):
                return "failure"
        for match in rules.resolved.finditer(doc.text):
            start = match.start()
            if doc.in_reference(start) or doc.prefix_has(rules.recap, start):
                continue
            if doc.negated(start):
                return "failure"  # "n'est toujours pas rétabli"
            if doc.prefix_has(rules.pending_before, start):
                continue
            if rules.pending_after.match(doc.text, match.end()):
                continue
            resolved = True
        if resolved:
            return "resolved"
        return "failure" if ongoing else None

    # -- payers

    def _payers(self, doc: _Doc) -> tuple[str, ...]:
        mentions = self.rules.payers.find(doc.text, doc.cased)
        if not mentions:
            return ()
        unaffected = self._unaffected(doc, mentions)
        hit_title: set[str] = set()
        hit_body: set[str] = set()
        dropped: set[str] = set()
        for index, mention in enumerate(mentions):
            if index in unaffected:
                dropped.add(mention.slug)
            elif not doc.in_reference(mention.start):
                (hit_title if doc.in_title(mention.start) else hit_body).add(mention.slug)
        hits = hit_title | (hit_body - dropped)
        return tuple(slug for slug in self.taxonomy.payers if slug in hits)

    def _unaffected(self, doc: _Doc, mentions: list[_Mention]) -> set[int]:
        """Indexes of mentions said to be unaffected."""
        rules = self.rules
        found: set[int] = set()
        for predicate in rules.not_affected_after.finditer(doc.text):
            begin = doc.subject_start(predicate.start())
            for index, mention in enumerate(mentions):
                if mention.start < begin or mention.end > predicate.start():
                    continue
                between = doc.text[mention.end : predicate.start()]
                if rules.any_kind.search(between):
                    continue  # "Viamedis est en panne, Actil n'est pas touché"
                if rules.contrast.search(doc.text, begin, mention.start):
                    continue  # "contrairement à Viamedis, Actil n'est pas touché"
                found.add(index)
        for marker in rules.not_affected_before.finditer(doc.text):
            found.update(_enumeration(doc.text, marker.end(), mentions))
        return found

    # -- actions

    def _actions(self, doc: _Doc) -> tuple[str, ...]:
        seen: dict[str, int] = {}
        for match in self.rules.actions.finditer(doc.text):
            phrase = self.rules.action_phrases[int((match.lastgroup or "a0")[1:])]
            if phrase not in seen and doc.counts(match.start()):
                seen[phrase] = match.start()
        ordered = sorted(seen, key=seen.__getitem__)
        return tuple(ordered[:MAX_ACTIONS])


def _enumeration(text: str, pos: int, mentions: Sequence[_Mention]) -> Iterator[int]:
    """Indexes of the mentions listed one after another from ``pos`` ("hors X, Y et Z")."""
    for index, mention in enumerate(mentions):
        if mention.start < pos:
            continue
        if not _ENUM_GAP.fullmatch(text, pos, mention.start):
            return
        yield index
        pos = mention.end


# --- contacts --------------------------------------------------------------------------------


def normalise_phone(digits: str) -> str:
    """A French number in the usual grouping: "0805 62 00 10", "01 23 45 67 89".

    >>> normalise_phone("+33 (0)8 05 62 00 10")
    '0805 62 00 10'
    """
    only = re.sub(r"\D", "", digits)
    if only.startswith("0033"):
        only = only[2:]
    if only.startswith("33"):
        only = "0" + only[2:].removeprefix("0")
    if only.startswith("08"):
        return f"{only[:4]} {only[4:6]} {only[6:8]} {only[8:10]}"
    return " ".join(only[i : i + 2] for i in range(0, 10, 2))


def contacts(text: str) -> tuple[str, ...]:
    """French phone numbers (normalised) and e-mail addresses (lower case), in order."""
    found: list[tuple[int, str]] = []
    for match in _PHONE.finditer(text):
        found.append((match.start(), normalise_phone("0" + match.group(1))))
    for match in _EMAIL.finditer(text):
        found.append((match.start(), match.group(0).lower()))
    found.sort()
    return _unique(value for _, value in found)
