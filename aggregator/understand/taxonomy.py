"""The taxonomy: payers, organisations, incident kinds, actions and the wording of status.

The vocabulary lives in ``taxonomy.yaml`` beside this module; this module reads it into
frozen values and merges the ``taxonomy:`` overrides of sources.yaml. It is apart from the
classifier because configuration, the pipeline and incident grouping need the taxonomy (its
slugs, names and labels) without the compiled patterns.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from aggregator.text.folding import fold
from aggregator.understand.language import AssertionWords, Relation, relations_from_data

SLUG = re.compile(r"[a-z0-9-]+")
_OVERRIDE_KEYS = ("payers", "organisations")
_ENTRY_KEYS = ("slug", "name", "aliases", "match_case")


@dataclass(frozen=True)
class Named:
    """A payer or an organisation: its slug, display name and the names the press uses."""

    slug: str
    name: str
    aliases: tuple[str, ...] = ()
    match_case: tuple[str, ...] = ()  # aliases that are everyday words in lower case


@dataclass(frozen=True)
class Context:
    """Words that are a kind only in context ("l'attaque" beside "données", not "couteau")."""

    patterns: tuple[str, ...]
    context: tuple[str, ...]  # one of these in the same sentence is enough...
    context_kinds: tuple[str, ...]  # ...or one of these kinds in the item...
    veto: tuple[str, ...]  # one of these anywhere in the item rules the words out
    context_item: tuple[str, ...] = ()  # ...or one of these anywhere in the item


@dataclass(frozen=True)
class Sense:
    """Trigger words with an everyday sense: not the kind in a sentence that speaks of that
    sense ("la voiture est tombée en panne", "un hameçon planté dans le pouce")."""

    words: tuple[str, ...]  # none: every word of the kind (an item sense: a drill)
    other: tuple[str, ...]  # words of the everyday sense
    item: bool = False  # the other sense holds for the whole item when its opening has it


@dataclass(frozen=True)
class Kind:
    slug: str
    label: str  # French, for titles and pages
    patterns: tuple[str, ...]
    ongoing: bool  # does naming it say the service is broken now (outage) or not (attack)?
    masks: tuple[str, ...] = ()  # kinds whose words inside this kind's match do not count
    contextual: Context | None = None
    family: str = ""  # kinds of one family are one incident when they strike one key
    # a campaign of its own (phishing): an incident of this kind alone is not joined by a
    # later report of the other kinds of its family, which is another event
    campaign: bool = False
    senses: tuple[Sense, ...] = ()
    # Words that may only name the cause of another kind: with one of ``cause_of`` in the
    # item, they are no event of this kind ("un incident technique" behind stopped payments).
    causes: tuple[str, ...] = ()
    cause_of: tuple[str, ...] = ()
    # For a campaign: the kinds of an incident whose wake it may be, reported without a name
    # (phishing after an attack on a payer); other incidents it never follows.
    wake_of: tuple[str, ...] = ()
    # Reported without a name, it follows only an incident that already has it: an attack
    # is the start of a story, not the sequel of payments late elsewhere.
    follows_own: bool = False


@dataclass(frozen=True)
class Action:
    phrase: str
    patterns: tuple[str, ...]


@dataclass(frozen=True)
class Language:
    """Regex alternatives (folded text) for negation, clauses, unaffected payers, references."""

    negation_words: int
    negators: tuple[str, ...]
    hypothetical_before: tuple[str, ...]
    hypothetical_after: tuple[str, ...]
    scope_breakers: tuple[str, ...]
    clause_boundaries: tuple[str, ...]
    subject_boundaries: tuple[str, ...]
    not_affected_after: tuple[str, ...]
    not_affected_before: tuple[str, ...]
    contrast: tuple[str, ...]
    generic_before: tuple[str, ...]
    reference_markers: tuple[str, ...]
    reference_before_payer: tuple[str, ...]
    reference_sentence_markers: tuple[str, ...]
    reference_clause_markers: tuple[str, ...]
    reference_intent_markers: tuple[str, ...]
    dated_past: tuple[str, ...] = ()
    scenario_markers: tuple[str, ...] = ()
    no_event_titles: tuple[str, ...] = ()
    # Titles of a payment calendar: the payment words of the item are its dates, no event.
    calendar_titles: tuple[str, ...] = ()
    calendar_kinds: tuple[str, ...] = ()
    # Labels a status page opens its updates' titles with: the item is an update of an
    # incident on a service, of ``status_page_kind`` when its text names no kind.
    status_page_labels: tuple[str, ...] = ()
    # The item says the trouble it told was none: it reports no incident.
    false_alarms: tuple[str, ...] = ()
    # The title says its one subject is not concerned: the trouble it names is others'.
    unconcerned_titles: tuple[str, ...] = ()
    # The title denies the trouble it names: those kinds are no event.
    denial_titles: tuple[str, ...] = ()
    status_page_kind: str | None = None


@dataclass(frozen=True)
class Resolution:
    """Wording that says service is back; ``kind`` names what had been broken, if it does."""

    kind: str | None
    patterns: tuple[str, ...]


@dataclass(frozen=True)
class StatusWords:
    resolved: tuple[Resolution, ...]
    failure: tuple[str, ...]
    pending_before: tuple[str, ...]
    pending_after: tuple[str, ...]
    recap: tuple[str, ...]
    partial: tuple[str, ...] = ()


@dataclass(frozen=True)
class OpeningWords:
    """What grouping reads in a title and an opening (taxonomy.yaml ``openings``): lists of
    regular expressions searched in folded text as written."""

    event: tuple[str, ...] = ()  # trouble or its end told at all
    back: tuple[str, ...] = ()  # a return of service
    not_yet: tuple[str, ...] = ()  # a return hoped, expected later or denied
    planned: tuple[str, ...] = ()  # an interruption announced ahead
    recall: tuple[str, ...] = ()  # a past episode recalled
    look_back: tuple[str, ...] = ()  # a title telling an episode again
    hypothesis: tuple[str, ...] = ()  # a belief, a rumour, a denial
    anticipation: tuple[str, ...] = ()  # what might happen
    general: tuple[str, ...] = ()  # a title of advice or prevention in general
    current: tuple[str, ...] = ()  # something happening now

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> OpeningWords:
        return cls(**_string_lists(cls, data, "openings"))

    def pattern(self, name: str) -> re.Pattern[str]:
        """One list as one pattern (an empty list matches nothing)."""
        words: tuple[str, ...] = getattr(self, name)
        return re.compile("|".join(words) if words else r"(?!)")


@dataclass(frozen=True)
class NameWords:
    """What grouping reads of organisations' proper names (taxonomy.yaml ``names``): words
    as written, folded by the reader as it folds names."""

    not_names: tuple[str, ...] = ()  # capitalised words that name no organisation
    common: tuple[str, ...] = ()  # words many names share: one in common tells nothing
    introducers: tuple[str, ...] = ()  # nouns introducing a name: "l'éditeur Dedalus"

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> NameWords:
        return cls(**_string_lists(cls, data, "names"))


def _string_lists(
    cls: type[OpeningWords | NameWords], data: Mapping[str, Any], section: str
) -> dict[str, tuple[str, ...]]:
    """A taxonomy section of named lists of strings, each a field of ``cls``; an unknown
    list is an error (a misspelt name would otherwise be ignored)."""
    unknown = sorted(set(data) - {f.name for f in fields(cls)})
    if unknown:
        raise ValueError(f"taxonomy {section}: unknown list {', '.join(unknown)}")
    return {name: tuple(str(w) for w in data[name] or ()) for name in data}


@dataclass(frozen=True)
class Taxonomy:
    """Payers, organisations, incident kinds and the wording the classifier relies on."""

    payer_entries: tuple[Named, ...]
    organisation_entries: tuple[Named, ...]
    kind_entries: tuple[Kind, ...]
    actions: tuple[Action, ...]
    language: Language
    status_words: StatusWords
    assertion: AssertionWords = field(default_factory=AssertionWords)
    openings: OpeningWords = field(default_factory=OpeningWords)
    names: NameWords = field(default_factory=NameWords)
    networks_of: tuple[tuple[str, tuple[str, ...]], ...] = ()  # operator -> networks it runs
    commentators: frozenset[str] = frozenset()  # organisations speaking of others' events
    # payer -> its aliases that name a service other payers' members use too (the Vitale
    # card, Mon espace santé), folded: such a name alone does not tag the payer when the
    # item is about another one ("Adhérents MSA : votre carte Vitale sur smartphone")
    shared_of: tuple[tuple[str, frozenset[str]], ...] = ()
    # payer -> patterns (folded text) that, in the sentence naming it, say another body of
    # the same name is meant ("la Bourse et Cetip fusionnent pour donner naissance à B3")
    homonyms_of: tuple[tuple[str, tuple[str, ...]], ...] = ()
    relations: tuple[Relation, ...] = ()  # kinds said by a word and its dependent
    resolutions: tuple[Relation, ...] = ()  # a return of service said by a word and its dependent
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

    def campaigns(self) -> frozenset[str]:
        """The kinds that are campaigns of their own (see Kind.campaign)."""
        return frozenset(k.slug for k in self.kind_entries if k.campaign)

    def follows_own(self) -> frozenset[str]:
        """The kinds whose unnamed reports follow only an incident that has them."""
        return frozenset(k.slug for k in self.kind_entries if k.follows_own)

    def wake_of(self, kind: str) -> frozenset[str]:
        """The kinds of the incidents a campaign of ``kind`` may follow (see Kind.wake_of)."""
        return next(
            (frozenset(k.wake_of) for k in self.kind_entries if k.slug == kind), frozenset()
        )

    def family(self, kind: str) -> str:
        """The family of a kind ("service" for an attack and the outage it causes)."""
        return next((k.family for k in self.kind_entries if k.slug == kind), kind)

    @property
    def networks(self) -> dict[str, frozenset[str]]:
        """Operator slug -> the payer slugs of the networks it runs."""
        return {operator: frozenset(runs) for operator, runs in self.networks_of}

    @property
    def operator_of(self) -> dict[str, str]:
        """Network slug -> the operator that runs it (an operator and its networks are one
        payer's business)."""
        return {network: operator for operator, runs in self.networks_of for network in runs}


def own_notice_payers(found: Sequence[str], speaker: Sequence[str]) -> tuple[str, ...]:
    """The payers of an item a payer published itself: the speaker first, then any other
    the text is about."""
    return tuple(dict.fromkeys((*speaker, *found)))


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
        base.payer_entries, overrides.get("payers"), "taxonomy.payers", org_slugs, "an organisation"
    )
    payer_slugs = {p.slug for p in payers}
    organisations = _merge(
        base.organisation_entries,
        overrides.get("organisations"),
        "taxonomy.organisations",
        payer_slugs,
        "a payer",
    )
    return replace(base, payer_entries=payers, organisation_entries=organisations)


@lru_cache(maxsize=1)
def _builtin() -> Taxonomy:
    text = resources.files("aggregator.understand").joinpath("taxonomy.yaml").read_text("utf-8")
    # Our own file, read once per process: the plain safe loader is enough, and config
    # (which imports this module to check taxonomy overrides) is not needed here.
    return _parse(yaml.safe_load(text))


def _parse(data: Any) -> Taxonomy:
    """The packaged taxonomy.yaml as a Taxonomy (its shape is ours, so checks are light)."""
    lang, status = data["language"], data["status"]
    return Taxonomy(
        payer_entries=_merge((), _names_only(data["payers"]), "taxonomy.yaml payers", set(), ""),
        organisation_entries=_merge(
            (), _names_only(data["organisations"]), "taxonomy.yaml organisations", set(), ""
        ),
        kind_entries=tuple(
            Kind(
                k["slug"],
                k["label"],
                tuple(k["patterns"]),
                bool(k["ongoing"]),
                tuple(k.get("masks", ())),
                _context(k.get("contextual")),
                str(k.get("family") or k["slug"]),
                bool(k.get("campaign", False)),
                tuple(
                    Sense(tuple(e.get("words") or ()), tuple(e["other"]), bool(e.get("item")))
                    for e in k.get("senses", ())
                ),
                tuple(k.get("causes", ())),
                tuple(k.get("cause_of", ())),
                tuple(k.get("wake_of", ())),
                bool(k.get("follows_own", False)),
            )
            for k in data["kinds"]
        ),
        actions=tuple(Action(a["phrase"], tuple(a["patterns"])) for a in data["actions"]),
        language=Language(
            negation_words=int(lang["negation_words"]),
            **{key: tuple(lang[key]) for key in _LANGUAGE_LISTS},
            dated_past=tuple(lang.get("dated_past", ())),
            scenario_markers=tuple(lang.get("scenario_markers", ())),
            no_event_titles=tuple(lang.get("no_event_titles", ())),
            calendar_titles=tuple(lang.get("calendar_titles", ())),
            calendar_kinds=tuple(lang.get("calendar_kinds", ())),
            status_page_labels=tuple(lang.get("status_page_labels", ())),
            false_alarms=tuple(lang.get("false_alarms", ())),
            unconcerned_titles=tuple(lang.get("unconcerned_titles", ())),
            denial_titles=tuple(lang.get("denial_titles", ())),
            status_page_kind=lang.get("status_page_kind"),
        ),
        status_words=StatusWords(
            resolved=tuple(
                Resolution(group.get("kind"), tuple(group["patterns"]))
                for group in status["resolved"]
            ),
            **{key: tuple(status[key]) for key in _STATUS_LISTS},
            **{key: tuple(status.get(key) or ()) for key in _OPTIONAL_STATUS_LISTS},
        ),
        assertion=AssertionWords.from_data(data.get("assertion") or {}),
        openings=OpeningWords.from_data(data.get("openings") or {}),
        names=NameWords.from_data(data.get("names") or {}),
        relations=relations_from_data(data.get("relations")),
        resolutions=relations_from_data(status.get("resolved_relations")),
        networks_of=tuple(
            (str(p["slug"]), tuple(str(n) for n in p["networks"]))
            for p in data["payers"]
            if p.get("networks")
        ),
        commentators=frozenset(
            str(o["slug"]) for o in data["organisations"] if o.get("commentator")
        ),
        shared_of=tuple(
            (str(p["slug"]), frozenset(" ".join(fold(str(a)).split()) for a in p["shared"]))
            for p in data["payers"]
            if p.get("shared")
        ),
        homonyms_of=tuple(
            (str(p["slug"]), tuple(str(h) for h in p["homonyms"]))
            for p in data["payers"]
            if p.get("homonyms")
        ),
    )


def _names_only(entries: Any) -> list[dict[str, Any]]:
    """Entries with the keys a sources.yaml override may also give (networks and roles are
    the built-in taxonomy's own, read apart)."""
    return [{k: v for k, v in entry.items() if k in _ENTRY_KEYS} for entry in entries]


def _context(raw: Any) -> Context | None:
    if raw is None:
        return None
    return Context(
        tuple(raw["patterns"]),
        tuple(raw["context"]),
        tuple(raw.get("context_kinds", ())),
        tuple(raw.get("veto", ())),
        tuple(raw.get("context_item", ())),
    )


_LANGUAGE_LISTS = (
    "negators",
    "hypothetical_before",
    "hypothetical_after",
    "scope_breakers",
    "clause_boundaries",
    "subject_boundaries",
    "not_affected_after",
    "not_affected_before",
    "contrast",
    "generic_before",
    "reference_markers",
    "reference_before_payer",
    "reference_sentence_markers",
    "reference_clause_markers",
    "reference_intent_markers",
)
_STATUS_LISTS = ("failure", "pending_before", "pending_after", "recap")
_OPTIONAL_STATUS_LISTS = ("partial",)


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
        raise ValueError(f"{here}: slug '{slug}' is already {other}; choose another slug")
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
