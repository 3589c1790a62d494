"""Classification: which payers a story hits, what kind of incident, what to do, whom to call.

The vocabulary lives in ``taxonomy.yaml`` beside this module; this module is the machinery.
Matching works on *folded* text (accents stripped, lower case, apostrophes read as spaces)
and on whole words, so "Viamédis", "VIAMEDIS" and "viamedis.fr" are one payer while "MSA"
is not found inside "MSAP". A trigger word counts unless

* a negation precedes it in the same clause ("aucune fuite de données", "n'a pas été
  piraté"), with no scope breaker in between ("n'a pas été touché *par* la cyberattaque"
  still speaks of a cyberattack);
* it sits in a back-reference to another story ("comme lors de la cyberattaque de X");
* it is a risk or a question, not an event ("en cas de panne", "seront-ils retardés ?");
* it names what a past threat was about ("les syndicats, qui menaçaient de suspendre le
  tiers payant, ..."): only the few words after the threat verb, so the rest of the clause
  is still read.

Some words are a kind only in context: a bare "l'attaque" is a cyberattack beside a cyber
word in its sentence ("données", "serveurs") or in an item reporting a data breach, and never
in an item about a robbery or violence ("couteau", "braquage").

Status: "failure" when the item says a service is broken again or still, or reports a
current outage, payment, supply or tiers-payant trouble; "resolved" when it says service is
back (not merely expected back: "devrait être rétabli"), which wins over its recap of the
failure. Resolution wording that names what was broken ("reprise des paiements") adds that
kind, so the good news joins its incident.

A payer counts when a mention is neither a back-reference nor said to be unaffected
("SP Santé et Actil ne sont pas touchés", "hors Kalixia"); a payer said to be unaffected
anywhere is dropped unless the title names it as hit. Payers are kept only on items that
carry some incident signal (a kind, a status or an action): a price rule that names the
Assurance Maladie is not news about the Assurance Maladie. :meth:`Classifier.payers_named`
is the plain lookup, for short texts such as a source's name.

>>> Classifier().classify("Viamédis piraté", "Le portail est indisponible.").kinds
('cyberattack', 'outage')
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from importlib import resources
from typing import Any

import yaml

from aggregator.models import Classification, StatusSignal
from aggregator.understand.language import (
    MAX_SENTENCE,
    AssertionWords,
    Relation,
    has_finite_verb,
    is_news_about,
    reading,
    related,
    relations_from_data,
)

MAX_CHARS = 200_000  # longer bodies are cut: no advisory hides its point that deep
MAX_ACTIONS = 6
# How far back a clause is read for a negation or a recap, and how long a list of payers
# before "ne sont pas touchés" may be: bounds the work per trigger on hostile text.
WINDOW = 300
MAX_LISTED = 20
MAX_REASONS = 40  # tags explained per item
HEADING_WORDS = 12  # a longer line without final punctuation is a paragraph cut short
LISTED = 3  # payers named in one sentence from which they are examples, not the subject
SLUG = re.compile(r"[a-z0-9-]+")
_OVERRIDE_KEYS = ("payers", "organisations")
_ENTRY_KEYS = ("slug", "name", "aliases", "match_case")


# --- folding ---------------------------------------------------------------------------------

_REPLACE = {
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
# A substitution only where needed: str.translate walks every character in Python-level
# dict lookups, several times slower on French text that has few such characters.
_PUNCT = re.compile("|".join(map(re.escape, _REPLACE)))
_MARKS = re.compile("[\u0300-\u036f]+")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_MARKS_ASIDE = re.compile("[^\x00-\x7f\u0300-\u036f]")  # other than ASCII and marks
# Characters outside the Latin blocks and general punctuation, where this folding and
# dedupe's normalise_text may part ways (the modifier apostrophe is a letter to one,
# "𝓐" and the Greek ypogegrammeni case-fold differently): such a text is not "plain".
# tests/test_properties.py checks every character inside against normalise_text.
_FOLDS_APART = re.compile("[^\x00-\u024f\u2000-\u206f]")


def _replacement(match: re.Match[str]) -> str:
    return _REPLACE[match.group()]


def fold_case_kept(text: str) -> str:
    """Accents stripped, apostrophes read as spaces, other non-ASCII as spaces; same case.

    >>> fold_case_kept("L'Assurance Maladie – Sévéane")
    'L Assurance Maladie - Seveane'
    """
    return _fold(text)[0]


def _fold(text: str) -> tuple[str, bool]:
    """:func:`fold_case_kept`, and whether the text is plain: made of the characters where
    this folding and :func:`~aggregator.understand.dedupe.normalise_text` agree
    (``_FOLDS_APART``), and folded to ASCII with nothing blanked. The words of a plain
    text, lower-cased, are the words normalise_text finds."""
    # The apostrophes, most of the replacements in French text, by str.replace (in C)
    # rather than a call of _replacement each.
    text_apart = text.replace("'", " ").replace("\u2019", " ")
    if not text_apart.isascii() or "`" in text_apart:
        text_apart = _PUNCT.sub(_replacement, text_apart)
    decomposed = unicodedata.normalize("NFKD", text_apart)
    if _MARKS_ASIDE.search(decomposed) is None:
        # ASCII and combining marks only (most French text): dropping every non-ASCII
        # character drops the marks, in C, faster than a substitution.
        stripped = decomposed.encode("ascii", "ignore").decode("ascii")
        return stripped, not _FOLDS_APART.search(text)
    # Something else than ASCII and marks is left once the marks go: blanked, not plain.
    return _NON_ASCII.sub(" ", _MARKS.sub("", decomposed)), False


@lru_cache(maxsize=4096)
def _folded_length(character: str) -> int:
    """How many characters one character folds to (ASCII: one; a ligature: two...)."""
    return 1 if character.isascii() else len(_fold(character)[0])


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
class Context:
    """Words that are a kind only in context ("l'attaque" beside "données", not "couteau")."""

    patterns: tuple[str, ...]
    context: tuple[str, ...]  # one of these in the same sentence is enough...
    context_kinds: tuple[str, ...]  # ...or one of these kinds in the item
    veto: tuple[str, ...]  # one of these anywhere in the item rules the words out


@dataclass(frozen=True)
class Kind:
    slug: str
    label: str  # French, for titles and pages
    patterns: tuple[str, ...]
    ongoing: bool  # does naming it say the service is broken now (outage) or not (attack)?
    masks: tuple[str, ...] = ()  # kinds whose words inside this kind's match do not count
    contextual: Context | None = None
    family: str = ""  # kinds of one family are one incident when they strike one key


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
    networks_of: tuple[tuple[str, tuple[str, ...]], ...] = ()  # operator -> networks it runs
    relations: tuple[Relation, ...] = ()  # kinds said by a word and its dependent
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

    def family(self, kind: str) -> str:
        """The family of a kind ("service" for an attack and the outage it causes)."""
        return next((k.family for k in self.kind_entries if k.slug == kind), kind)

    @property
    def networks(self) -> dict[str, frozenset[str]]:
        """Operator slug -> the payer slugs of the networks it runs."""
        return {operator: frozenset(runs) for operator, runs in self.networks_of}


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
            )
            for k in data["kinds"]
        ),
        actions=tuple(Action(a["phrase"], tuple(a["patterns"])) for a in data["actions"]),
        language=Language(
            negation_words=int(lang["negation_words"]),
            **{key: tuple(lang[key]) for key in _LANGUAGE_LISTS},
        ),
        status_words=StatusWords(
            resolved=tuple(
                Resolution(group.get("kind"), tuple(group["patterns"]))
                for group in status["resolved"]
            ),
            **{key: tuple(status[key]) for key in _STATUS_LISTS},
        ),
        assertion=AssertionWords.from_data(data.get("assertion") or {}),
        relations=relations_from_data(data.get("relations")),
        networks_of=tuple(
            (str(p["slug"]), tuple(str(n) for n in p["networks"]))
            for p in data["payers"]
            if p.get("networks")
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


# --- compiled patterns -----------------------------------------------------------------------

_GAP = r"(?:(?!(?:ne|n|pas|aucune?s?|jamais|sans|ni)\b)[\w-]+\s+){0,6}?"
_SEP = re.compile(r"[\s-]+")
_EDGES = re.compile(r"^[^A-Za-z0-9]+|[^A-Za-z0-9]+$")
# Sentence ends: . ! ? before a space, line breaks, ; and :, and a dash between spaces.
# Written to start with one character class, which the engine scans for quickly.
_HARD = re.compile(r"[.!?\n;:-](?:(?<=[.!?])[.!?]*(?=\s|$)|(?<=[\n;:])|(?<=\s-)(?=\s))")
_SENTENCE_END = re.compile(r"[.!?]+(?=\s|$)|\n")
# What a past threat is said to have been about: the next few words ("suspendre le tiers payant").
_INTENT_WORDS = re.compile(r"(?:\s*[\w-]+){1,6}")
_PUNCT_SOFT = re.compile(r"[,()\[\]\"]")
_ENUM_GAP = re.compile(
    r"[\s,/&()]*(?:(?:et|ou|ni|de|du|des|d|chez|l|la|le|les|ainsi\s+que|"
    r"operateurs?|plateformes?|organismes?|complementaires?|reseaux?|autres?)[\s,/&()]+)*"
)
_EMAIL = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@[A-Za-z0-9-]{1,63}"
    r"(?:\.[A-Za-z0-9-]{1,63})*\.[A-Za-z]{2,24}(?![\w-])"
)
# Starts with a character class so the engine scans for "+" and "0" quickly; the lookbehind
# right after keeps numbers out of longer digit runs and words.
_INTL = r"\s?33[\s.\-]?(?:\(0\)[\s.\-]?)?"
_PHONE = re.compile(
    rf"[+0](?<![\w+][+0])(?:(?<=\+){_INTL}|(?<=0)0{_INTL}|(?<=0)[\s.\-]?(?=[1-9]))"
    r"([1-9](?:[\s.\-]?\d){8})(?![\s.\-]?\d)(?!\w)"
)


def _expand(alternative: str) -> str:
    return alternative.replace("{gap}", _GAP)


def _words(alternatives: Sequence[str]) -> str:
    """One alternation, each alternative a whole word (or words) of folded text."""
    body = "|".join(f"(?:{_expand(alt)})" for alt in alternatives)
    return rf"\b(?:{body})(?![\w])"


def _compile(alternatives: Sequence[str]) -> re.Pattern[str]:
    return re.compile(_words(alternatives))


# Python's regex engine tries every alternative of a large alternation at every word start,
# which makes one pass over 2 KB cost ~100 us. Most alternatives start with a literal word
# ("panne", "retabli"), so the text's word prefixes tell which can match at all: each
# alternative is compiled alone and run only when every literal word it needs (see
# _required) starts some word of the text.
_WORD = re.compile(r"[a-z0-9]+")
# Folded, lower-cased text is ASCII: with every character but a-z and 0-9 made a space,
# str.split finds the words _WORD finds, about twice as fast.
_WORD_GAPS = str.maketrans({chr(c): " " for c in range(128) if not _WORD.fullmatch(chr(c))})
_HEAD = re.compile(r"[a-z0-9]*")
_KEY = 5  # letters of a head looked up among the words' prefixes


def _prefixes(all_words: Iterable[str]) -> frozenset[str]:
    """Every word's first 3, 4 and 5 letters, so that a head of 3 letters or more is found
    by its first five (or all of its letters when shorter)."""
    words = set(all_words)
    return frozenset([w[:3] for w in words] + [w[:4] for w in words] + [w[:_KEY] for w in words])


class _WordKeys(dict[str, tuple[str, ...]]):
    """The matchers' keys each word starts with (for most words, none), worked out once per
    word: the words of a language repeat from text to text, so a text's keys are a few
    lookups rather than three new prefixes of each of its words."""

    LIMIT = 200_000  # words remembered; past it, new words are worked out each time

    def __init__(self, keys: Iterable[str]) -> None:
        super().__init__()
        self.known = frozenset(keys)

    def __missing__(self, word: str) -> tuple[str, ...]:
        found = tuple(self.known.intersection(_prefixes((word,))))
        if len(self) < self.LIMIT:
            self[word] = found
        return found

    def of(self, words: Iterable[str]) -> frozenset[str]:
        """The known keys the words start with: what :func:`_prefixes` of them has of them."""
        # Most words start no key: their empty tuples are left out of the union.
        return frozenset().union(*filter(None, map(self.__getitem__, set(words))))


def _distribute(alternative: str, depth: int = 0) -> list[str]:
    """A leading group spread out: ``(?:a|b)c`` gives ``ac`` and ``bc``, each with a literal
    start the regex engine can search for quickly."""
    if not alternative.startswith("(?:") or depth >= 3:
        return [alternative]
    end = _closing(alternative)
    if end < 0 or alternative[end + 1 : end + 2] in ("?", "*", "{", "+"):
        return [alternative]
    rest = alternative[end + 1 :]
    options = _split_top(alternative[3:end])
    return [spread for option in options for spread in _distribute(option + rest, depth + 1)]


def _head(alternative: str) -> str:
    """The literal letters an alternative must start with ("" if none)."""
    match = _HEAD.match(alternative)
    text = match.group() if match else ""
    if text and alternative[len(text) : len(text) + 1] in ("?", "*", "{"):
        text = text[:-1]  # the last letter is optional
    return text


# What may follow an element of a regex to repeat it (greedy, lazy or possessive).
_QUANTIFIER = re.compile(r"(?:[?*+]|\{\d*(?:,\d*)?\})[?+]?")
_LOOKAROUND = ("(?=", "(?!", "(?<=", "(?<!")
_LETTERS = re.compile(r"[A-Za-z0-9]*")


def _required(alternative: str) -> list[str]:
    """The heads (three letters or more) of the literal words that start a word in every
    match of an alternative: its first word, and each later one that a run of spaces
    (``\\s+``, possibly then a gap) or ``\\b`` opens. "comptes?\\s+{gap}compromis"
    gives "compte" and "compromis"; a word inside a group, or after an optional element
    with no space before it, is not known to be there and is left out (so the list may be
    short, never wrong). Letters are read in lower case, as the keys of a text are."""
    heads: list[str] = []
    opened, index = True, 0  # a match starts a word (see _Matcher.find)
    while index < len(alternative):
        rest = alternative[index:]
        if rest.startswith(_GAP):
            index += len(_GAP)  # empty, or ends with spaces: a word still starts next
            continue
        if rest.startswith((r"\s+", r"\b")):
            opened, index = True, index + (3 if rest[1] == "s" else 2)
            if rest[1] == "s" and alternative[index : index + 1] in ("?", "+"):
                index += 1  # lazy or possessive: still one space or more
            continue
        letters = _LETTERS.match(rest).group()  # type: ignore[union-attr]
        if letters:
            index += len(letters)
            quantifier = _QUANTIFIER.match(alternative, index)
            if quantifier:
                index = quantifier.end()
                if not quantifier.group().startswith("+"):
                    letters = letters[:-1]  # the last letter may be missing (or repeated)
            if opened and len(letters) >= 3:
                heads.append(letters.lower())
            opened = False
            continue
        if rest.startswith("("):
            end = _closing(rest)
            if end < 0:
                break
            index += end + 1
            if rest.startswith(_LOOKAROUND):
                continue  # zero-width: what comes next starts where this looked
        elif rest.startswith("\\"):
            index += 2
        elif rest.startswith("["):
            end = rest.find("]", 2 if rest.startswith("[^") or rest.startswith("[]") else 1)
            while end > 0 and rest[end - 1] == "\\" and rest[end - 2] != "\\":
                end = rest.find("]", end + 1)
            if end < 0:
                break
            index += end + 1
        elif rest[0] in "^$|)":
            break  # not expected in an alternative: stop with what is known
        else:
            index += 1  # one literal character that is not a letter
        quantifier = _QUANTIFIER.match(alternative, index)
        if quantifier:
            index = quantifier.end()
        opened = False
    return heads


def _closing(pattern: str) -> int:
    """Index of the parenthesis closing the one at index 0, or -1."""
    depth, index = 0, 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            index += 2
            continue
        depth += char == "("
        depth -= char == ")"
        if depth == 0:
            return index
        index += 1
    return -1


def _split_top(pattern: str) -> list[str]:
    """The alternatives of a pattern, split on its top-level bars."""
    parts, depth, start, index = [], 0, 0, 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            index += 2
            continue
        depth += char == "("
        depth -= char == ")"
        if char == "|" and depth == 0:
            parts.append(pattern[start:index])
            start = index + 1
        index += 1
    parts.append(pattern[start:])
    return parts


# A matcher's alternative: its regex, its tag, and the keys of the words it needs beside
# the one it is filed under.
_Part = tuple[re.Pattern[str], int, frozenset[str] | None]


@dataclass(frozen=True)
class _Hit:
    tag: int  # which entry, kind, action... the alternative belongs to
    start: int
    end: int


class _Matcher:
    """Whole-word matches of tagged alternatives, each run only if the text can hold it."""

    def __init__(self, tagged: Iterable[tuple[int, str]], cased: bool = False) -> None:
        self.cased = cased
        # Each part: its regex, its tag, and the keys of the words it needs beside the one
        # it is filed under (None when there are none).
        self.always: list[_Part] = []  # "ne", "a": in every text
        self.keyed: dict[str, list[_Part]] = {}
        seen: set[tuple[int, str]] = set()
        needed: set[str] = set()
        for tag, alternative in tagged:
            spread = (r for option in _split_top(_expand(alternative)) for r in _distribute(option))
            for regex in spread:
                if (tag, regex) in seen:
                    continue
                seen.add((tag, regex))
                plain = regex.lower() if cased else regex
                lead = "" if _head(plain) else r"\b"
                pattern = re.compile(rf"{lead}(?:{regex})(?![\w])")
                # The first required word files the part; the others are checked as well,
                # so that "comptes? ... compromis" runs on a text with "compte" only when
                # a word also starts with "compr".
                keys = list(dict.fromkeys(head[:_KEY] for head in _required(regex)))
                needed.update(keys)
                if not keys:
                    self.always.append((pattern, tag, None))
                    continue
                others = frozenset(keys[1:]) or None
                self.keyed.setdefault(keys[0], []).append((pattern, tag, others))
        self.filed = frozenset(self.keyed)
        self.keys = frozenset(needed)  # every key a text is looked up for

    def find(self, text: str, prefixes: frozenset[str]) -> list[_Hit]:
        parts = list(self.always)
        for key in self.filed.intersection(prefixes):
            parts += self.keyed[key]
        hits: list[_Hit] = []
        for pattern, tag, others in parts:
            if others is not None and not others <= prefixes:
                continue  # a word the alternative needs is missing from the text
            position = 0
            while match := pattern.search(text, position):
                start = match.start()
                if start and (text[start - 1].isalnum() or text[start - 1] == "_"):
                    position = start + 1  # inside a word: "msa" in "emsa"
                    continue
                hits.append(_Hit(tag, start, match.end()))
                position = max(match.end(), start + 1)
        hits.sort(key=lambda hit: (hit.start, hit.tag))
        return hits


def _alias_regex(alias: str, keep_case: bool) -> str:
    """A name as a regex: spaces and hyphens inside may be either or nothing; punctuation
    around it ("(Harmonie)") is not part of the name."""
    folded = _EDGES.sub("", fold_case_kept(alias) if keep_case else fold(alias))
    parts = [re.escape(part) for part in _SEP.split(folded) if part]
    return r"[\s-]*".join(parts)


@dataclass(frozen=True)
class _Mention:
    slug: str
    start: int
    end: int


class _NameFinder:
    """Whole-word mentions of payers or organisations in folded text."""

    def __init__(self, entries: Sequence[Named]) -> None:
        self.slugs = tuple(entry.slug for entry in entries)
        self.lower = _Matcher(self._tagged(entries, keep_case=False))
        self.cased = _Matcher(self._tagged(entries, keep_case=True), cased=True)

    @staticmethod
    def _tagged(entries: Sequence[Named], keep_case: bool) -> Iterator[tuple[int, str]]:
        for index, entry in enumerate(entries):
            names = entry.match_case if keep_case else entry.aliases
            regexes = {_alias_regex(name, keep_case) for name in names} - {""}
            for regex in sorted(regexes, key=len, reverse=True):
                yield index, regex

    def find(self, doc: _Doc) -> list[_Mention]:
        hits = self.lower.find(doc.text, doc.prefixes)
        hits += self.cased.find(doc.cased, doc.prefixes)
        mentions = {(h.start, self.slugs[h.tag]): h.end for h in hits}
        found = [_Mention(slug, start, end) for (start, slug), end in mentions.items()]
        found.sort(key=lambda m: m.start)
        return found


@dataclass(frozen=True)
class _Rules:
    """Everything a Classifier matches with, compiled once per taxonomy."""

    payers: _NameFinder
    organisations: _NameFinder
    kinds: _Matcher  # tag: index in kind_slugs
    kind_slugs: tuple[str, ...]
    kind_ongoing: tuple[bool, ...]
    kind_masks: tuple[frozenset[int], ...]  # by kind index: the kind indexes it masks
    any_kind: re.Pattern[str]
    contextual: _Matcher  # tag: index in kind_slugs
    contexts: tuple[_KindContext | None, ...]  # by kind index
    actions: _Matcher  # tag: index in action_phrases
    action_phrases: tuple[str, ...]
    negation_words: int
    negators: re.Pattern[str]
    hypothetical_before: re.Pattern[str]
    hypothetical_after: re.Pattern[str]
    scope_breakers: re.Pattern[str]
    clause: _Matcher
    subject: _Matcher
    not_affected_after: _Matcher
    not_affected_before: _Matcher
    contrast: re.Pattern[str]
    generic_before: re.Pattern[str]
    references: _Matcher
    payer_references: _Matcher
    reference_sentences: _Matcher
    reference_clauses: _Matcher
    reference_intents: _Matcher
    resolved: _Matcher  # tag: index in resolved_kinds
    resolved_kinds: tuple[int | None, ...]  # index in kind_slugs of the kind a group implies
    failure: _Matcher
    pending_before: re.Pattern[str]
    pending_after: re.Pattern[str]
    recap: re.Pattern[str]
    # Per relation of the taxonomy, in its order: the word starts of its heads and dependents.
    relation_keys: tuple[tuple[frozenset[str], frozenset[str]], ...]
    # The keys of every matcher above, and which of them each word starts with.
    word_keys: _WordKeys = field(init=False, compare=False)

    def __post_init__(self) -> None:
        keys: set[str] = set()
        for value in vars(self).values():
            finders: tuple[_Matcher, ...] = (value,) if isinstance(value, _Matcher) else ()
            if isinstance(value, _NameFinder):
                finders = (value.lower, value.cased)
            for matcher in finders:
                keys.update(matcher.keys)
        object.__setattr__(self, "word_keys", _WordKeys(keys))


@dataclass(frozen=True)
class _KindContext:
    context: re.Pattern[str]
    kinds: frozenset[int]
    veto: re.Pattern[str] | None


def _kind_context(kind: Kind, kinds: Sequence[Kind]) -> _KindContext | None:
    spec = kind.contextual
    if spec is None:
        return None
    return _KindContext(
        _compile(spec.context),
        frozenset(i for i, other in enumerate(kinds) if other.slug in spec.context_kinds),
        _compile(spec.veto) if spec.veto else None,
    )


def _one(alternatives: Iterable[str]) -> _Matcher:
    return _Matcher((0, alternative) for alternative in alternatives)


@lru_cache(maxsize=8)
def _rules(taxonomy: Taxonomy) -> _Rules:
    lang, status = taxonomy.language, taxonomy.status_words
    kinds = taxonomy.kind_entries
    return _Rules(
        payers=_NameFinder(taxonomy.payer_entries),
        organisations=_NameFinder(taxonomy.organisation_entries),
        kinds=_Matcher((i, p) for i, kind in enumerate(kinds) for p in kind.patterns),
        kind_slugs=tuple(kind.slug for kind in kinds),
        kind_ongoing=tuple(kind.ongoing for kind in kinds),
        kind_masks=tuple(
            frozenset(i for i, other in enumerate(kinds) if other.slug in kind.masks)
            for kind in kinds
        ),
        any_kind=_compile([*(p for kind in kinds for p in kind.patterns), r"victimes?"]),
        contextual=_Matcher(
            (i, p)
            for i, kind in enumerate(kinds)
            if kind.contextual
            for p in kind.contextual.patterns
        ),
        contexts=tuple(_kind_context(kind, kinds) for kind in kinds),
        actions=_Matcher(
            (i, p) for i, action in enumerate(taxonomy.actions) for p in action.patterns
        ),
        action_phrases=tuple(action.phrase for action in taxonomy.actions),
        negation_words=lang.negation_words,
        negators=_compile(lang.negators),
        hypothetical_before=_compile(lang.hypothetical_before),
        hypothetical_after=re.compile(rf"\s*{_words(lang.hypothetical_after)}"),
        scope_breakers=_compile(lang.scope_breakers),
        clause=_one(lang.clause_boundaries),
        subject=_one(lang.subject_boundaries),
        not_affected_after=_one(lang.not_affected_after),
        not_affected_before=_one(lang.not_affected_before),
        contrast=re.compile(rf"{_words(lang.contrast)}\s*$"),
        generic_before=re.compile(rf"{_words(lang.generic_before)}\s*$"),
        references=_one(lang.reference_markers),
        payer_references=_one(lang.reference_before_payer),
        reference_sentences=_one(lang.reference_sentence_markers),
        reference_clauses=_one(lang.reference_clause_markers),
        reference_intents=_one(lang.reference_intent_markers),
        resolved=_Matcher(
            (i, p) for i, group in enumerate(status.resolved) for p in group.patterns
        ),
        resolved_kinds=tuple(
            None if group.kind is None else [k.slug for k in kinds].index(group.kind)
            for group in status.resolved
        ),
        failure=_one(status.failure),
        pending_before=_compile(status.pending_before),
        pending_after=re.compile(rf"\s*{_words(status.pending_after)}"),
        recap=_compile(status.recap),
        relation_keys=tuple((r.keys, r.dependent_keys) for r in taxonomy.relations),
    )


# --- one document ----------------------------------------------------------------------------


class _Boundaries:
    """Sorted boundary spans, to find where the clause around a position starts and ends."""

    def __init__(self, spans: Iterable[tuple[int, int]], length: int) -> None:
        ordered = sorted(spans)
        self.starts = [start for start, _ in ordered]
        self.ends = sorted(end for _, end in ordered)
        self.length = length

    def before(self, pos: int) -> int:
        """End of the last boundary ending at or before ``pos`` (0 if none)."""
        index = bisect_right(self.ends, pos)
        return self.ends[index - 1] if index else 0

    def after(self, pos: int) -> int:
        """Start of the first boundary starting at or after ``pos`` (the end if none)."""
        index = bisect_right(self.starts, pos - 1)
        return self.starts[index] if index < len(self.starts) else self.length


class _Runs:
    """Spans merged into disjoint runs, to ask whether a position falls inside any of them."""

    def __init__(self, spans: Iterable[tuple[int, int]]) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []
        for start, end in sorted(spans):
            if self.ends and start <= self.ends[-1]:
                self.ends[-1] = max(self.ends[-1], end)
            else:
                self.starts.append(start)
                self.ends.append(end)

    def __contains__(self, position: int) -> bool:
        index = bisect_right(self.starts, position) - 1
        return index >= 0 and position < self.ends[index]


class _Doc:
    """Folded title and body as one text, with its sentence and clause boundaries."""

    def __init__(self, rules: _Rules, title: str, text: str) -> None:
        self.rules = rules
        self.original = title + "\n" + text
        (title_cased, title_plain), (text_cased, text_plain) = _fold(title), _fold(text)
        self.cased = title_cased + "\n" + text_cased
        self.text = self.cased.lower()
        self.title_end = len(title_cased)
        words = self.text.translate(_WORD_GAPS)
        self.title_words = words[: self.title_end].split()
        self.body_words = words[self.title_end + 1 :].split()
        self.plain = title_plain and text_plain  # see _fold
        self.prefixes = rules.word_keys.of(self.title_words + self.body_words)
        self._found: dict[int, list[_Hit]] = {}
        self._masked: dict[int, _Runs] | None = None
        self._starts: dict[int, list[int]] = {}
        self.reasons: list[str] = []
        self.listed: dict[int, bool] = {}  # by sentence start: does it list payers?

    @cached_property
    def origin(self) -> list[int] | None:
        """Offsets in the original text of each folded character (None: the same offsets;
        an empty list: folding moved characters in a way not traced, as a lone combining
        mark can)."""
        original = self.original
        if len(original) == len(self.text) and all(
            _folded_length(c) == 1 for c in set(original) if not c.isascii()
        ):
            return None
        positions = [i for i, c in enumerate(original) for _ in range(_folded_length(c))]
        return positions if len(positions) == len(self.text) else []

    def heading_at(self, start: int) -> str | None:
        """The original body line around folded offset ``start`` when it reads as a heading
        or a list entry of structured text: a line without final punctuation, at most
        HEADING_WORDS words, in a body of at least three lines. None otherwise (the title,
        a paragraph, a body of one or two lines: a teaser says its news in one line)."""
        if self.in_title(start) or self.text.count("\n", self.title_end + 1) < 2:
            return None
        low = self.text.rfind("\n", 0, start) + 1
        high = self.text.find("\n", start)
        high = len(self.text) if high < 0 else high
        line = self.text[low:high].rstrip()
        if line.endswith((".", "!", "?", ";", ":")) or len(line.split()) > HEADING_WORDS:
            return None
        origin = self.origin
        if origin == []:
            return None
        if origin is not None:
            low = origin[low]
            high = origin[high] if high < len(origin) else len(self.original)
        return self.original[low:high].strip()

    def sentence_at(self, start: int, end: int) -> tuple[str, int] | None:
        """The original sentence around folded offsets ``start``..``end``, and the offset
        of ``start`` in it (None when the offsets cannot be traced back)."""
        low, high = self.hard.before(start), self.hard.after(end)
        origin = self.origin
        if origin == [] or high - low > MAX_SENTENCE:
            return None  # not traced back, or too long to parse (see language.MAX_SENTENCE)
        if origin is not None:
            low, start = origin[low] if low < len(origin) else len(self.original), origin[start]
            high = origin[high] if high < len(origin) else len(self.original)
        sentence = self.original[low:high]
        lead = len(sentence) - len(sentence.lstrip())
        return sentence.strip(), start - low - lead

    def explain(self, tag: str, hit: _Hit | _Mention, rule: str = "") -> None:
        """Keep why a tag was given: the words that fired and their sentence (bounded work
        and count on hostile text)."""
        if len(self.reasons) >= MAX_REASONS:
            return
        low = max(self.hard.before(hit.start), hit.start - WINDOW)
        high = min(self.hard.after(hit.end), hit.end + WINDOW)
        words = self.text[hit.start : hit.end]
        sentence = " ".join(self.text[low:high].split())[:160]
        self.reasons.append(f"{tag} {rule or repr(words)} «{sentence}»")

    def find(self, matcher: _Matcher) -> list[_Hit]:
        """The matcher's hits in this text, found once."""
        key = id(matcher)
        if key not in self._found:
            text = self.cased if matcher.cased else self.text
            self._found[key] = matcher.find(text, self.prefixes)
        return self._found[key]

    def _spans(self, pattern: re.Pattern[str]) -> list[tuple[int, int]]:
        return [m.span() for m in pattern.finditer(self.text)]

    def _hits(self, matcher: _Matcher) -> list[tuple[int, int]]:
        return [(hit.start, hit.end) for hit in self.find(matcher)]

    @cached_property
    def _hard_spans(self) -> list[tuple[int, int]]:
        return self._spans(_HARD)

    @cached_property
    def _punct_spans(self) -> list[tuple[int, int]]:
        return self._hard_spans + self._spans(_PUNCT_SOFT)

    @cached_property
    def hard(self) -> _Boundaries:
        return _Boundaries(self._hard_spans, len(self.text))

    @cached_property
    def punct(self) -> _Boundaries:
        return _Boundaries(self._punct_spans, len(self.text))

    @cached_property
    def clause(self) -> _Boundaries:
        spans = self._punct_spans + self._hits(self.rules.clause)
        return _Boundaries(spans, len(self.text))

    @cached_property
    def subject(self) -> _Boundaries:
        spans = self._hard_spans + self._hits(self.rules.subject)
        return _Boundaries(spans, len(self.text))

    def in_title(self, pos: int) -> bool:
        return pos < self.title_end

    # -- context tests

    def negated(self, start: int) -> bool:
        """A negation governs the word at ``start`` (same clause, a few words before)."""
        window = self.text[max(self.clause.before(start), start - WINDOW) : start]
        count = self.rules.negation_words
        window = " ".join(window.rsplit(None, count)[-count:])
        last = None
        for last in self.rules.negators.finditer(window):  # noqa: B007 - the last one counts
            pass
        if last is None:
            return False
        return self.rules.scope_breakers.search(window, last.end()) is None

    def prefix_has(self, pattern: re.Pattern[str], start: int) -> bool:
        """Does ``pattern`` occur between the start of the clause and ``start``?"""
        begin = max(self.clause.before(start), start - WINDOW)
        return pattern.search(self.text, begin, start) is not None

    @cached_property
    def references(self) -> list[tuple[int, int]]:
        """Spans that refer back to an earlier story or point to other articles."""
        rules, spans = self.rules, []
        for hit in self.find(rules.references):
            spans.append((hit.start, self.punct.after(hit.end)))
        for hit in self.find(rules.reference_clauses):
            spans.append((self.punct.before(hit.start), self.punct.after(hit.end)))
        for hit in self.find(rules.reference_intents):
            # Only the threatened act: the clause may go on with this item's news
            # ("qui menaçaient de suspendre le tiers payant saluent la reprise").
            words = _INTENT_WORDS.match(self.text, hit.end)
            act_end = words.end() if words else hit.end
            spans.append((hit.start, min(act_end, self.clause.after(hit.end))))
        for hit in self.find(rules.reference_sentences):
            if self.text[self.hard.before(hit.start) : hit.start].strip():
                continue  # "le dossier Viamedis" mid-sentence points nowhere else
            end = _SENTENCE_END.search(self.text, hit.end)
            spans.append((hit.start, end.start() if end else len(self.text)))
        return spans

    def starts(self, matcher: _Matcher) -> list[int]:
        """Start offsets of the matcher's hits, in order (for bisection)."""
        key = id(matcher)
        if key not in self._starts:
            self._starts[key] = [hit.start for hit in self.find(matcher)]
        return self._starts[key]

    def masked(self, rules: _Rules) -> dict[int, _Runs]:
        """By kind index: spans where a more specific kind's match masks it."""
        if self._masked is None:
            self._masked = _masked(self.find(rules.kinds), rules.kind_masks)
        return self._masked

    @cached_property
    def _reference_runs(self) -> _Runs:
        return _Runs(self.references)

    def in_reference(self, start: int) -> bool:
        return start in self._reference_runs

    def hypothetical(self, start: int, end: int) -> bool:
        """A risk or a question rather than an event: "en cas de panne", "qui pourraient"."""
        rules = self.rules
        if self.text.startswith("?", self.hard.after(end)):
            return True  # a question: "mes paiements seront-ils retardés ?"
        return self.prefix_has(rules.hypothetical_before, start) or bool(
            rules.hypothetical_after.match(self.text, end)
        )

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
        return self.classify_and_read(title, text)[0]

    def classify_and_read(
        self, title: str, text: str
    ) -> tuple[Classification, tuple[list[str], list[str]] | None]:
        """:meth:`classify`, and the words of the title and of the body as
        :func:`aggregator.understand.dedupe.normalise_text` reads them, so that dedupe need not fold
        the text again (None when they may differ: other scripts, a body cut short)."""
        whole = len(title or "") <= MAX_CHARS and len(text or "") <= MAX_CHARS
        title = (title or "")[:MAX_CHARS].replace("\n", " ")
        text = (text or "")[:MAX_CHARS]
        doc = _Doc(self.rules, title, text)
        words = (doc.title_words, doc.body_words) if whole and doc.plain else None
        return self._classify(doc, title, text), words

    def _classify(self, doc: _Doc, title: str, text: str) -> Classification:
        present, ongoing = self._kinds(doc)
        status, implied = self._status(doc, ongoing)
        kinds = tuple(self.rules.kind_slugs[i] for i in sorted(present | implied))
        actions = self._actions(doc)
        payers = self._payers(doc, bool(kinds or status))
        named = {mention.slug for mention in self.rules.organisations.find(doc)}
        return Classification(
            payers=payers,
            kinds=kinds,
            organisations=(
                tuple(s for s in self.taxonomy.organisations if s in named) if named else ()
            ),
            actions=actions,
            contacts=contacts(f"{title}\n{text}"),
            status=status,
            reasons=tuple(doc.reasons),
        )

    def payers_named(self, text: str) -> tuple[str, ...]:
        """Payers whose names appear in a short text, such as a source's name, in taxonomy
        order: plain whole-word matches, with no incident required.

        >>> Classifier().payers_named("Viamedis – actualités")
        ('viamedis',)
        """
        if not text:
            return ()
        doc = _Doc(self.rules, "", text[:MAX_CHARS])
        named = {mention.slug for mention in self.rules.payers.find(doc)}
        return tuple(slug for slug in self.taxonomy.payers if slug in named)

    # -- kinds and status

    def _kinds(self, doc: _Doc) -> tuple[set[int], bool]:
        """Kinds present, and whether an ongoing-failure word (outage...) is current news."""
        rules = self.rules
        present: set[int] = set()
        ongoing = False
        for hit in doc.find(rules.kinds):
            is_ongoing = rules.kind_ongoing[hit.tag]
            if hit.tag in present and (ongoing or not is_ongoing):
                continue
            if not self._event(doc, hit):
                continue
            present.add(hit.tag)
            doc.explain(f"kind:{rules.kind_slugs[hit.tag]}", hit)
            if is_ongoing and not doc.prefix_has(rules.recap, hit.start):
                ongoing = True
        for index in self._related(doc, present):
            present.add(index)
            ongoing = ongoing or rules.kind_ongoing[index]
        vetoed: dict[int, bool] = {}  # by kind: one look at the whole item, not one per hit
        for hit in doc.find(rules.contextual):
            if hit.tag in present or not self._in_context(doc, hit, present, vetoed):
                continue
            if self._event(doc, hit):
                present.add(hit.tag)
                doc.explain(f"kind:{rules.kind_slugs[hit.tag]}", hit, "in context")
                ongoing = ongoing or (
                    rules.kind_ongoing[hit.tag] and not doc.prefix_has(rules.recap, hit.start)
                )
        return present, ongoing

    def _related(self, doc: _Doc, present: set[int]) -> set[int]:
        """Kinds (indexes) not yet ``present`` that the parse finds said by a word and its
        dependent (taxonomy.yaml ``relations``). A sentence is parsed only for the relations
        whose kind is still missing and of which it holds both a head and a dependent word:
        the parse is the costly step, and most sentences hold neither pair."""
        words, kind_slugs = self.taxonomy.assertion, self.rules.kind_slugs
        if not words.negation:
            return set()
        pairs = zip(self.taxonomy.relations, self.rules.relation_keys, strict=True)
        wanted = [(r, keys) for r, keys in pairs if kind_slugs.index(r.kind) not in present]
        if not wanted:
            return set()
        found: set[int] = set()
        start = 0
        for low, high in [*doc._hard_spans, (len(doc.text), len(doc.text))]:
            sentence, start = (start, low), high
            if doc.text.startswith("?", low):
                continue  # a question asserts nothing ("mes paiements seront-ils bloqués ?")
            words_here = doc.text[slice(*sentence)].translate(_WORD_GAPS).split()
            starts = {w[:4] for w in words_here} | {w[:3] for w in words_here}
            relations = tuple(
                r
                for r, (heads, deps) in wanted
                if starts & heads and starts & deps and kind_slugs.index(r.kind) not in found
            )
            if not relations:
                continue
            traced = doc.sentence_at(*sentence)
            for relation, matched in related(traced[0], relations, words) if traced else ():
                index = kind_slugs.index(relation.kind)
                found.add(index)
                hit = _Hit(index, sentence[0], sentence[1])
                doc.explain(f"kind:{relation.kind}", hit, f"relation {relation.id} ({matched})")
        return found

    def _in_context(self, doc: _Doc, hit: _Hit, present: set[int], vetoed: dict[int, bool]) -> bool:
        """Is a contextual word ("l'attaque") its kind here: no veto word in the item,
        and a context word in its sentence or a context kind in the item?"""
        context = self.rules.contexts[hit.tag]
        if context is None:
            return False
        if hit.tag not in vetoed:
            vetoed[hit.tag] = context.veto is not None and bool(context.veto.search(doc.text))
        if vetoed[hit.tag]:
            return False
        if context.kinds & present:
            return True
        # The sentence, but no further than WINDOW either side: bounded work per hit.
        low = max(doc.hard.before(hit.start), hit.start - WINDOW)
        high = min(doc.hard.after(hit.end), hit.end + WINDOW)
        return context.context.search(doc.text, low, high) is not None

    def _event(self, doc: _Doc, hit: _Hit) -> bool:
        """Does this kind word report an event of this item?"""
        masked = doc.masked(self.rules)
        if hit.tag in masked and hit.start in masked[hit.tag]:
            return False  # "interruption" inside "interruption des paiements"
        return (
            doc.counts(hit.start)
            and not doc.hypothetical(hit.start, hit.end)
            and not self._heading(doc, hit)
            and self._asserted(doc, hit, self.rules.kind_slugs[hit.tag])
        )

    def _heading(self, doc: _Doc, hit: _Hit) -> bool:
        """A body line with no verb conjugated and no final punctuation ("Rançongiciels",
        "Fuite de données de santé", "Feuilles de soins bloquées") is a heading or a list
        entry: it names a topic, as a guide's headings do; it reports no event by itself
        (the paragraphs of a report say it again with a verb)."""
        if not self.taxonomy.assertion.negation:
            return False  # a taxonomy without assertion words: the surface rules alone
        line = doc.heading_at(hit.start)
        if line is None or has_finite_verb(line):
            return False
        doc.explain(f"not:{self.rules.kind_slugs[hit.tag]}", hit, "a heading, no verb")
        return True

    def _asserted(self, doc: _Doc, hit: _Hit, kind: str = "") -> bool:
        """Does the parse of the hit's sentence assert it (see language.reading)?"""
        why = self._reading(doc, hit, kind)
        if why is None or why.startswith("future"):
            return True  # a planned interruption is still one
        doc.explain(f"not:{kind}", hit, why)
        return False

    def _reading(self, doc: _Doc, hit: _Hit, kind: str = "") -> str | None:
        words = self.taxonomy.assertion
        if not words.negation:
            return None  # a taxonomy without assertion words: the surface rules alone
        found = doc.sentence_at(hit.start, hit.end)
        if found is None:
            return None
        return reading(found[0], found[1], words, kind, hit.end - hit.start)

    def _reports_event(self, doc: _Doc, start: int, end: int) -> bool:
        """Does the sentence around ``start``..``end`` report an incident or its end?"""
        low, high = doc.hard.before(start), doc.hard.after(end)
        rules = self.rules
        for matcher in (rules.kinds, rules.failure, rules.resolved):
            hits = doc.find(matcher)
            for index in range(bisect_left(doc.starts(matcher), low), len(hits)):
                hit = hits[index]
                if hit.start >= high:
                    break
                if matcher is rules.kinds and self._event(doc, hit):
                    return True
                if matcher is not rules.kinds and doc.counts(hit.start):
                    return True
        return False

    def _status(self, doc: _Doc, ongoing: bool) -> tuple[StatusSignal | None, set[int]]:
        """The status signal, and the kinds that resolution wording names as having been broken.

        failure (explicitly new or persisting) > resolved > failure (plain, current).
        """
        rules = self.rules
        new_failure = any(doc.counts(hit.start) for hit in doc.find(rules.failure))
        resolved, not_back, implied = False, False, set()
        for hit in doc.find(rules.resolved):
            if doc.in_reference(hit.start) or doc.prefix_has(rules.recap, hit.start):
                continue
            if doc.negated(hit.start):
                not_back = True  # "n'est toujours pas rétabli"
                continue
            if doc.prefix_has(rules.pending_before, hit.start):
                continue
            if rules.pending_after.match(doc.text, hit.end):
                continue
            why = self._reading(doc, hit)
            if why is not None:
                doc.explain("not:resolved", hit, why)
                not_back = not_back or why.startswith("negation")
                continue
            resolved = True
            doc.explain("status:resolved", hit)
            kind = rules.resolved_kinds[hit.tag]
            if kind is not None:
                implied.add(kind)
        if new_failure or not_back:
            return "failure", set()
        if resolved:
            return "resolved", implied
        return ("failure" if ongoing else None), set()

    # -- payers

    def _payers(self, doc: _Doc, incident: bool) -> tuple[str, ...]:
        """Payers the item is about: named in its title, or in a body sentence that reports
        an incident or the payer's own news; never in a list, a generic phrase, a recall or
        a negation. ``incident``: whether the item reports one."""
        mentions = [m for m in self.rules.payers.find(doc) if not self._generic(doc, m)]
        if not mentions:
            return ()
        unaffected = self._unaffected(doc, mentions)
        earlier = self._earlier_story(doc, mentions)
        title_event = (
            incident
            and not any(doc.in_title(m.start) for m in mentions)
            and self._reports_event(doc, 0, doc.title_end)
        )
        hit_title: set[str] = set()
        hit_body: set[str] = set()
        dropped: set[str] = set()
        for index, mention in enumerate(mentions):
            in_title = doc.in_title(mention.start)
            if index in unaffected:
                dropped.add(mention.slug)
            elif index in earlier or doc.in_reference(mention.start):
                if in_title:  # the title says the story is about someone else
                    dropped.add(mention.slug)
            elif in_title and self._doubted(doc, mention):
                continue  # "Rumeur de piratage d'ameli"
            elif in_title:
                hit_title.add(mention.slug)
                doc.explain(f"payer:{mention.slug}", mention, "named in the title")
            elif self._listed(doc, mentions, index):
                continue  # "Viamedis, Almerys, iSanté ou Actil": examples, not the subject
            elif incident and (
                title_event
                or self._names_alone(doc, mention)
                or self._reports_event(doc, mention.start, mention.end)
            ):
                # A title reporting an incident without naming its payer leaves the body to
                # name it; otherwise the payer's own sentence must report the incident.
                hit_body.add(mention.slug)
                doc.explain(f"payer:{mention.slug}", mention, "in an item reporting it")
            elif (news := self._news(doc, mention)) is not None:
                hit_body.add(mention.slug)
                doc.explain(f"payer:{mention.slug}", mention, f"its news ({news})")
        hits = self._with_networks(doc, mentions, hit_title | (hit_body - dropped))
        return tuple(slug for slug in self.taxonomy.payers if slug in hits)

    def _doubted(self, doc: _Doc, mention: _Mention) -> bool:
        """A name the parse puts under a belief or a negation ("Rumeur de piratage d'ameli")."""
        found = doc.sentence_at(mention.start, mention.end)
        if found is None or not self.taxonomy.assertion.negation:
            return False
        why = reading(found[0], found[1], self.taxonomy.assertion)
        if why is None or not why.startswith(("belief", "negation")):
            return False
        doc.explain(f"not:payer:{mention.slug}", mention, why)
        return True

    def _generic(self, doc: _Doc, mention: _Mention) -> bool:
        """A name inside a generic phrase: "organismes complémentaires d'assurance maladie"."""
        low = max(doc.hard.before(mention.start), mention.start - WINDOW)
        return bool(self.rules.generic_before.search(doc.text, low, mention.start))

    def _names_alone(self, doc: _Doc, mention: _Mention) -> bool:
        """Is the mention a block of its own (a list item, a heading: "<li>Viamedis</li>"),
        which in an item reporting an incident names who is hit?"""
        low, high = doc.hard.before(mention.start), doc.hard.after(mention.end)
        before, after = doc.text[low : mention.start], doc.text[mention.end : high]
        return not before.strip() and not after.strip()

    def _listed(self, doc: _Doc, mentions: Sequence[_Mention], index: int) -> bool:
        """Is the mention one of LISTED or more payers named in a row in its sentence?"""
        low = doc.hard.before(mentions[index].start)
        if low not in doc.listed:  # one count per sentence: bounded work on long lists
            high = doc.hard.after(mentions[index].end)
            first = bisect_left([m.start for m in mentions], low) if len(mentions) > 1 else 0
            near: set[str] = set()
            for mention in mentions[first:]:
                if mention.start >= high or len(near) >= LISTED:
                    break
                near.add(mention.slug)
            doc.listed[low] = len(near) >= LISTED
        return doc.listed[low]

    def _news(self, doc: _Doc, mention: _Mention) -> str | None:
        words = self.taxonomy.assertion
        found = doc.sentence_at(mention.start, mention.end) if words.news else None
        return is_news_about(found[0], found[1], words) if found else None

    def _with_networks(self, doc: _Doc, mentions: Sequence[_Mention], hits: set[str]) -> set[str]:
        """An operator's item is also about the networks it runs that the item names, and a
        network's item about the operator it names (Cetip runs iSanté and SP Santé)."""
        named = {m.slug for m in mentions}
        for operator, networks in self.taxonomy.networks.items():
            if operator in hits:
                hits |= networks & named
            elif hits & networks and operator in named:
                hits.add(operator)
        return hits

    def _unaffected(self, doc: _Doc, mentions: list[_Mention]) -> set[int]:
        """Indexes of mentions said to be unaffected."""
        rules = self.rules
        found: set[int] = set()
        starts = [mention.start for mention in mentions]
        for predicate in doc.find(rules.not_affected_after):
            begin = max(doc.subject.before(predicate.start), predicate.start - WINDOW)
            for index in range(bisect_left(starts, begin), bisect_left(starts, predicate.start)):
                mention = mentions[index]
                if mention.end > predicate.start:
                    continue
                if rules.any_kind.search(doc.text, mention.end, predicate.start):
                    continue  # "Viamedis est en panne, Actil n'est pas touché"
                if rules.contrast.search(doc.text, begin, mention.start):
                    continue  # "contrairement à Viamedis, Actil n'est pas touché"
                found.add(index)
        for marker in doc.find(rules.not_affected_before):
            found.update(_enumeration(doc.text, marker.end, mentions, starts))
        return found

    def _earlier_story(self, doc: _Doc, mentions: list[_Mention]) -> set[int]:
        """Indexes of mentions named as an earlier story ("une semaine après Viamedis")."""
        found: set[int] = set()
        starts = [mention.start for mention in mentions]
        for marker in doc.find(self.rules.payer_references):
            found.update(_enumeration(doc.text, marker.end, mentions, starts))
        return found

    # -- actions

    def _actions(self, doc: _Doc) -> tuple[str, ...]:
        chosen: list[int] = []
        for hit in doc.find(self.rules.actions):
            if hit.tag not in chosen and doc.counts(hit.start):
                chosen.append(hit.tag)
        return tuple(self.rules.action_phrases[i] for i in chosen[:MAX_ACTIONS])


def _masked(hits: Sequence[_Hit], masks: Sequence[frozenset[int]]) -> dict[int, _Runs]:
    """By kind index: where its hits are covered by the match of a kind that masks it."""
    spans: dict[int, list[tuple[int, int]]] = {}
    for hit in hits:
        for masked in masks[hit.tag]:
            spans.setdefault(masked, []).append((hit.start, hit.end))
    return {kind: _Runs(found) for kind, found in spans.items()}


def _enumeration(
    text: str, pos: int, mentions: Sequence[_Mention], starts: Sequence[int]
) -> Iterator[int]:
    """Indexes of the mentions listed one after another from ``pos`` ("hors X, Y et Z").

    ``starts`` are the mentions' start offsets; a list stops after ``MAX_LISTED`` names.
    """
    first = bisect_left(starts, pos)
    for index in range(first, min(len(mentions), first + MAX_LISTED)):
        mention = mentions[index]
        if mention.start < pos:
            continue  # another alias of the same name, overlapping
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
    found = [(m.start(), normalise_phone("0" + m.group(1))) for m in _PHONE.finditer(text)]
    if "@" in text:
        found += [(m.start(), m.group(0).lower()) for m in _EMAIL.finditer(text)]
    found.sort()
    return _unique(value for _, value in found)
