"""Classification: which payers a story hits, what kind of incident, what to do, whom to call.

The vocabulary lives in ``taxonomy.yaml``, read by :mod:`aggregator.understand.taxonomy`;
this module is the machinery that reads a document with it. Matching
(:mod:`aggregator.understand.matching`) works on *folded* text (:mod:`aggregator.text.folding`:
accents stripped, lower case, apostrophes read as spaces) and on whole words, so "Viamédis",
"VIAMEDIS" and "viamedis.fr" are one payer while "MSA" is not found inside "MSAP". Phone
numbers and e-mail addresses come from :mod:`aggregator.understand.contacts`. A trigger word
counts unless

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

import itertools
import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from aggregator.models import Classification, StatusSignal
from aggregator.text.folding import fold, fold_flagged, folded_length
from aggregator.understand.contacts import contacts
from aggregator.understand.language import (
    MAX_SENTENCE,
    AssertionWords,
    Relation,
    answered_warning,
    asks,
    awaited,
    has_finite_verb,
    is_destination,
    is_news_about,
    leading_noun,
    news_word,
    others_too,
    reading,
    related,
    reopened_premises,
    spoken_of,
    topic_nouns,
)
from aggregator.understand.matching import (
    WORD_GAPS,
    Hit,
    Matcher,
    Mention,
    NameFinder,
    WordKeys,
    compile_words,
    expand,
    whole_words,
)
from aggregator.understand.taxonomy import Kind, Taxonomy, load_taxonomy

MAX_CHARS = 200_000  # longer bodies are cut: no advisory hides its point that deep
MAX_ACTIONS = 6
# How far back a clause is read for a negation or a recap, and how long a list of payers
# before "ne sont pas touchés" may be: bounds the work per trigger on hostile text.
WINDOW = 300
MAX_LISTED = 20
MAX_REASONS = 40  # tags explained per item
HEADING_WORDS = 12  # a longer line without final punctuation is a paragraph cut short
COLON_CLAUSE = 6  # words before a colon where the noun that its list names is looked for
TOPIC_LIST = 3  # items of a list after a colon for a bare word in it to name a topic
LEAD_SENTENCES = 2  # body sentences where a title's unnamed event gets its payer
LISTED = 3  # payers named in one sentence from which they are examples, not the subject


# --- sentences and clauses -------------------------------------------------------------------

# Sentence ends: . ! ? before a space, line breaks, ; and :, and a dash between spaces.
# Written to start with one character class, which the engine scans for quickly.
_HARD = re.compile(r"[.!?\n;:-](?:(?<=[.!?])[.!?]*(?=\s|$)|(?<=[\n;:])|(?<=\s-)(?=\s))")
_SENTENCE_END = re.compile(r"[.!?]+(?=\s|$)|\n")
# A place's name, capitalised, one to four words, then a full stop: a dateline.
_DATELINE = re.compile(
    r"[ \t]*[A-Z][\w'’-]*(?:[ -](?:[A-Z][\w'’-]*|sur|sous|en|les|la|le|de|du|d'))" r"{0,3}\.(?=\s)"
)
# What a past threat is said to have been about: the next few words ("suspendre le tiers payant").
_INTENT_WORDS = re.compile(r"(?:\s*[\w-]+){1,6}")
_PUNCT_SOFT = re.compile(r"[,()\[\]\"]")
_WITHOUT = re.compile(
    r"\b(?:sans|ni|privee?s?\s+d(?:e|u|es)?|faute\s+d(?:e|u|es)?)\s+(?:[\w-]+\s+){0,2}$"
)
# A title's rest that asks what something is or how to act ("de quoi parle-t-on ?", "que
# faire ?", "comment réagir ?"), not who or what was hit ("qui est touché ?").
_WHAT_QUESTION = re.compile(
    r"(?:de\s+quoi|que\s+faire|quoi\s+faire|comment|pourquoi|qu['’]est-ce|quels?|quelles?)\b.*\?\s*$"
    # "comment" and an infinitive, its pronouns before it: a how-to ("comment les repérer",
    # "comment s'en protéger", "comment réagir")
    r"|comment\s+(?:(?:les|la|le|l['’]|s['’]en|s['’]y|en|y|se|s['’]|vous|nous)\s*)*\w+(?:er|ir|re)\s*$"
    # what one must know or do: "ce que les officines doivent savoir", "ce qu'il faut
    # retenir" (not "ce que l'on sait", which reports)
    r"|ce\s+qu(?:e\s+|['’])(?:[\w'’-]+\s+){0,4}?(?:doi\w+|faut|devez|devrez)\s+(?:savoir|retenir|faire)"
)
# A sentence opening on a general condition, which reaches its main clause: "Quand un
# portail tombe, on facture en mode dégradé", "Lorsqu'une caisse paie en retard, ...".
# Its condition in the present, undated (not "Quand une officine a voulu se connecter lundi,
# le portail était en panne": one time).
_WHENEVER = re.compile(
    r"[\W_]*(?:quand|lorsqu|des\s+qu|chaque\s+fois\s+qu|a\s+chaque\s+fois\s+qu|si)\s*"
    r"(?:e\s+)?(?:un|une)\s[^,;:]{0,120}"
)
# Or after it, of an indefinite or possessive subject, in a sentence with no past nor day:
# "les patients avancent la part mutuelle quand leur carte n'est pas à jour" (not "... ont
# avancé ... quand le portail est tombé", nor "au ralenti, quand ils tournent").
_WHENEVER_AFTER = re.compile(
    r"[^.;:!?]{0,40}?(?:,\s*)?\b(?:quand|lorsqu|chaque\s+fois\s+qu|des\s+qu)\s*(?:e\s+)?"
    r"(?:leur|leurs|sa|son|ses|un|une)\s[^.;:!?]{0,100}"
)
# A past auxiliary or a day: one time, not any time.
_ONE_TIME_WORDS = (
    r"ont|avait|avaient|etait|etaient|fut|furent|lundi|mardi|mercredi|jeudi|vendredi|"
    r"samedi|dimanche|hier|matin|soir|nuit|depuis"
)
_ONE_TIME = re.compile(rf"\b(?:a|{_ONE_TIME_WORDS})\b")
# ... after the clause, "a" is the auxiliary only before a participle ("a jour" is "à jour")
_ONE_TIME_AFTER = re.compile(
    rf"\b(?:{_ONE_TIME_WORDS})\b|\ba\s+(?:ete|eu|du|pu|\w+(?:e|i|u|is|it))\b"
)
# A field answered "none" right after the word, as status pages list them: "Maintenance
# planifiée : aucune.", "Incident en cours : néant".
_NONE_AFTER = re.compile(r"(?:\s+[\w-]+){0,2}?\s*:\s*(?:aucune?s?|neant|rien|ras)\b")
_YEARS_AFTER = re.compile(r"\b(?:ans?|annees?)\s+(?:apres|plus\s+tard)\s+(?:[\w-]+\s+){0,3}$")
_TO_THE_READER = re.compile(r"\W*(?:votre|vos|si|s['’]il|s['’]ils|et\s+si|quand|lorsque)\b", re.I)
_HEADING_MARK = re.compile(r"\s*(?:[.:]|-(?<=\s-))(?=\s|$)")  # "MSA." "MSA :" "MSA –"
# A cause verb before the "par" that names it: the negation denies the cause, where "n'a
# pas été touché par la cyberattaque" (no such verb) still speaks of the attack.
_CAUSED = re.compile(r"\b(?:provoque|cause|declenche|engendre|occasionne|origine)\w*\s+$")
# An item of a list that is one word, no article, nothing said of it: "pannes"
_BARE_ITEM = re.compile(
    r"(?!(?:le|la|les|l|un|une|des|du|de|d|sa|son|ses|leur|leurs|notre|nos|votre|vos)\b)[\w-]+"
)
# A quoted span, as titles are written: "un webinaire « Rançongiciel : que faire ? »".
_QUOTED = re.compile(r"«[^«»\n]{1,200}»|“[^“”\n]{1,200}”|\"[^\"\n]{1,200}\"")
QUOTED_TITLE_REACH = 3  # words before a quote where the noun it names may be
TITLE_LIST = 3  # payers a title names that make it a list when little else is said
TITLE_LIST_WORDS = 1  # words of three letters or more besides the names ("chez")
BRIEF_LABEL = 4  # words of a label that may open a digest's brief ("Fin d'année.")
_SINCE = re.compile(r"\bdepuis\s+(?:les|la|le|l|ces|cette|ce)\s+$")
_FRONTED_SINCE = re.compile(r"[\W]*depuis\s+(?:les|la|le|l|ces|cette|ce)\b")
# A payer called back by what it is: "l'opérateur", "la société", "cet organisme".
_CALLED_BACK = re.compile(
    r"\b(?:l|le|la|cet|cette)\s+(?:operateur|societe|prestataire|organisme|gestionnaire|"
    r"plateforme|entreprise)\b(?!\s+(?:de|d|du|des|telecom|telephonique|bancaire)\b)"
)
# A spell without something: "dix jours sans Viamedis", "un week-end sans répartiteur".
_SPELL_WITHOUT = re.compile(
    r"\b(?:jours?|journees?|semaines?|heures?|mois|week-ends?|nuits?|samedis?|dimanches?)"
    r"\s+sans\s+$"
)
_TOMORROW = re.compile(r"\s+(?:des\s+|a\s+partir\s+de\s+)?(?:demain|apres-demain)\b")
# a title looking back a year or more, at what it names: the item is a retrospective
# ("Un an après, les retards persistent" may go on telling the same trouble)
_YEARS_AFTER_TITLE = re.compile(r"\b(?:ans?|annees?)\s+apres\s+(?:l\s+|la\s+|le\s+)?[\w-]+")
_PAST_MARK = re.compile(
    r"\b(?:dernier|derniere|passe|passee)\b|\bans?\s+(?:apres|plus\s+tard)\b|\bil\s+y\s+a\b"
)
_THIS = re.compile(r"\b(?:cette|cet|ce|ces)\s+$")  # "cette attaque": the story's own
_ENUM_JOIN = re.compile(r"\b(?:et|ou|ni|ainsi\s+que)\b|[/&]")
_ENUM_GAP = re.compile(
    r"[\s,/&()]*(?:(?:et|ou|ni|de|du|des|d|chez|l|la|le|les|ainsi\s+que|"
    r"operateurs?|plateformes?|organismes?|complementaires?|reseaux?|autres?|tiers|payant|"
    r"gestionnaires?)[\s,/&()]+)*"
)


# --- the rules of a taxonomy -----------------------------------------------------------------


@dataclass(frozen=True)
class _Rules:
    """Everything a Classifier matches with, compiled once per taxonomy."""

    payers: NameFinder
    organisations: NameFinder
    kinds: Matcher  # tag: index in kind_slugs
    kind_slugs: tuple[str, ...]
    kind_ongoing: tuple[bool, ...]
    kind_masks: tuple[frozenset[int], ...]  # by kind index: the kind indexes it masks
    any_kind: re.Pattern[str]
    contextual: Matcher  # tag: index in kind_slugs
    contexts: tuple[_KindContext | None, ...]  # by kind index
    # by kind index: its words that may only name a cause, and the kinds they are a cause of
    causes: tuple[tuple[re.Pattern[str], frozenset[int]] | None, ...]
    # by kind index: its words with an everyday sense, and the words of that sense
    # (its words, or None for all of the kind's; the words of the other sense; item-wide)
    senses: tuple[tuple[tuple[re.Pattern[str] | None, re.Pattern[str], bool], ...], ...]
    actions: Matcher  # tag: index in action_phrases
    action_phrases: tuple[str, ...]
    negation_words: int
    words: AssertionWords  # the taxonomy's, for what the text reads without a parse
    negators: re.Pattern[str]
    hypothetical_before: re.Pattern[str]
    hypothetical_after: re.Pattern[str]
    scope_breakers: re.Pattern[str]
    clause: Matcher
    subject: Matcher
    not_affected_after: Matcher
    not_affected_before: Matcher
    contrast: re.Pattern[str]  # just before a mention
    contrasts: re.Pattern[str]  # anywhere: the phrase it opens
    generic_before: re.Pattern[str]
    references: Matcher
    payer_references: Matcher
    reference_sentences: Matcher
    scenarios: Matcher
    reference_clauses: Matcher
    reference_intents: Matcher
    resolved: Matcher  # tag: index in resolved_kinds
    resolved_kinds: tuple[int | None, ...]  # index in kind_slugs of the kind a group implies
    failure: Matcher
    pending_before: re.Pattern[str]
    pending_after: re.Pattern[str]
    partial: re.Pattern[str] | None  # "un accès partiel rétabli": not back yet
    recap: re.Pattern[str]
    dated_past: Matcher
    no_event_titles: re.Pattern[str]  # a job offer, a test message: no event, no payer
    calendar_titles: re.Pattern[str]  # "calendrier des paiements": its kinds' words are dates
    calendar_kinds: frozenset[int]  # the kinds (indexes) a calendar's words are not
    status_page_labels: re.Pattern[str]  # "Investigating – ...": an incident's update
    false_alarms: re.Pattern[str]  # "fausse alerte": the trouble told was none
    denial_titles: re.Pattern[str]  # "X dément tout arrêt de ses paiements"
    unconcerned_titles: re.Pattern[str]  # "Kalixia n'est pas concerné": others' trouble
    status_page_kind: int | None  # its kind (index) when its text names none
    # Per relation of the taxonomy, in its order: its kind (index in kind_slugs) and the word
    # starts of its heads and dependents.
    relation_keys: tuple[tuple[int, frozenset[str], frozenset[str]], ...]
    # Negation words as they appear folded in a text ("n" of "n'a"): a sentence holding none
    # is not parsed for a relation said with a negation.
    negation_forms: frozenset[str]
    stopping_keys: frozenset[str]  # starts of verbs of stopping ("cess"), a negation too
    threat_nouns: frozenset[str]  # folded warning, belief and topic words: "menaces : X"
    topic_nouns: frozenset[str]  # folded topic words: "Rançongiciels : le guide"
    # Each relation saying a return of service, with the word starts of its heads and
    # dependents.
    resolution_keys: tuple[tuple[Relation, frozenset[str], frozenset[str]], ...]
    shared: Mapping[str, frozenset[str]] = field(compare=False)  # payer -> its shared names
    # payer -> words saying another body of its name is meant, in the sentence naming it
    homonyms: Mapping[str, re.Pattern[str]] = field(compare=False)
    # The keys of every matcher above, and which of them each word starts with.
    word_keys: WordKeys = field(init=False, compare=False)

    def __post_init__(self) -> None:
        keys: set[str] = set()
        for value in vars(self).values():
            finders: tuple[Matcher, ...] = (value,) if isinstance(value, Matcher) else ()
            if isinstance(value, NameFinder):
                finders = (value.lower, value.cased)
            for matcher in finders:
                keys.update(matcher.keys)
        object.__setattr__(self, "word_keys", WordKeys(keys))


@dataclass(frozen=True)
class _KindContext:
    context: re.Pattern[str]
    kinds: frozenset[int]
    veto: re.Pattern[str] | None
    anywhere: re.Pattern[str] | None  # context words that count anywhere in the item


def _kind_context(kind: Kind, kinds: Sequence[Kind]) -> _KindContext | None:
    spec = kind.contextual
    if spec is None:
        return None
    return _KindContext(
        compile_words(spec.context),
        frozenset(i for i, other in enumerate(kinds) if other.slug in spec.context_kinds),
        compile_words(spec.veto) if spec.veto else None,
        compile_words(spec.context_item) if spec.context_item else None,
    )


def _folded(lemmas: Iterable[str]) -> frozenset[str]:
    """Lemmas as the text reads once folded (see fold_flagged): "réseau" is "reseau"."""
    return frozenset(fold_flagged(w)[0].strip().lower() for w in lemmas)


def _one(alternatives: Iterable[str]) -> Matcher:
    return Matcher((0, alternative) for alternative in alternatives)


def _status_page_labels(labels: Sequence[str]) -> re.Pattern[str]:
    """A status page's label opening a title before a separator ("Investigating – ...",
    only signs before it) or closing it after one ("Rights check — Partial outage")."""
    if not labels:
        return re.compile("(?!)")
    body = "|".join(f"(?:{expand(label)})" for label in labels)
    return re.compile(
        rf"^[\W_]*\b(?:{body})(?=[\s\]]*(?:-|:|\|)\s)|(?:-|:|\|)[\s\[(]*\b(?:{body})[\W_]*$"
    )


@lru_cache(maxsize=8)
def _rules(taxonomy: Taxonomy) -> _Rules:
    lang, status, words = taxonomy.language, taxonomy.status_words, taxonomy.assertion
    kinds = taxonomy.kind_entries
    return _Rules(
        words=words,
        payers=NameFinder(taxonomy.payer_entries),
        organisations=NameFinder(taxonomy.organisation_entries),
        kinds=Matcher((i, p) for i, kind in enumerate(kinds) for p in kind.patterns),
        kind_slugs=tuple(kind.slug for kind in kinds),
        kind_ongoing=tuple(kind.ongoing for kind in kinds),
        kind_masks=tuple(
            frozenset(i for i, other in enumerate(kinds) if other.slug in kind.masks)
            for kind in kinds
        ),
        any_kind=compile_words([*(p for kind in kinds for p in kind.patterns), r"victimes?"]),
        contextual=Matcher(
            (i, p)
            for i, kind in enumerate(kinds)
            if kind.contextual
            for p in kind.contextual.patterns
        ),
        contexts=tuple(_kind_context(kind, kinds) for kind in kinds),
        causes=tuple(
            (
                compile_words(kind.causes),
                frozenset(i for i, other in enumerate(kinds) if other.slug in kind.cause_of),
            )
            if kind.causes
            else None
            for kind in kinds
        ),
        senses=tuple(
            tuple(
                (compile_words(e.words) if e.words else None, compile_words(e.other), e.item)
                for e in kind.senses
            )
            for kind in kinds
        ),
        actions=Matcher(
            (i, p) for i, action in enumerate(taxonomy.actions) for p in action.patterns
        ),
        action_phrases=tuple(action.phrase for action in taxonomy.actions),
        negation_words=lang.negation_words,
        negators=compile_words(lang.negators),
        hypothetical_before=compile_words(lang.hypothetical_before),
        hypothetical_after=re.compile(rf"\s*{whole_words(lang.hypothetical_after)}"),
        scope_breakers=compile_words(lang.scope_breakers),
        clause=_one(lang.clause_boundaries),
        subject=_one(lang.subject_boundaries),
        not_affected_after=_one(lang.not_affected_after),
        not_affected_before=_one(lang.not_affected_before),
        contrast=re.compile(rf"{whole_words(lang.contrast)}\s*$"),
        contrasts=compile_words(lang.contrast),
        generic_before=re.compile(rf"{whole_words(lang.generic_before)}\s*$"),
        references=_one(lang.reference_markers),
        payer_references=_one(lang.reference_before_payer),
        reference_sentences=_one(lang.reference_sentence_markers),
        scenarios=_one(lang.scenario_markers),
        reference_clauses=_one(lang.reference_clause_markers),
        reference_intents=_one(lang.reference_intent_markers),
        dated_past=_one(lang.dated_past),
        no_event_titles=compile_words(lang.no_event_titles or ("(?!)",)),
        calendar_titles=compile_words(lang.calendar_titles or ("(?!)",)),
        calendar_kinds=frozenset(taxonomy.kinds.index(k) for k in lang.calendar_kinds),
        status_page_labels=_status_page_labels(lang.status_page_labels),
        false_alarms=compile_words(lang.false_alarms or ("(?!)",)),
        denial_titles=compile_words(lang.denial_titles or ("(?!)",)),
        unconcerned_titles=compile_words(lang.unconcerned_titles or ("(?!)",)),
        status_page_kind=(
            None if lang.status_page_kind is None else taxonomy.kinds.index(lang.status_page_kind)
        ),
        resolved=Matcher((i, p) for i, group in enumerate(status.resolved) for p in group.patterns),
        resolved_kinds=tuple(
            None if group.kind is None else taxonomy.kinds.index(group.kind)
            for group in status.resolved
        ),
        failure=_one(status.failure),
        pending_before=compile_words(status.pending_before),
        pending_after=re.compile(rf"\s*{whole_words(status.pending_after)}"),
        recap=compile_words(status.recap),
        partial=compile_words(status.partial) if status.partial else None,
        relation_keys=tuple(
            (taxonomy.kinds.index(r.kind), r.keys, r.dependent_keys) for r in taxonomy.relations
        ),
        resolution_keys=tuple((r, r.keys, r.dependent_keys) for r in taxonomy.resolutions),
        shared=dict(taxonomy.shared_of),
        homonyms={slug: compile_words(found) for slug, found in taxonomy.homonyms_of},
        threat_nouns=_folded(
            words.warning | words.belief | words.topics | words.definition_objects | words.examples
        ),
        topic_nouns=_folded(words.topics),
        stopping_keys=frozenset(w[:4] for w in _folded(words.stopping)),
        negation_forms=frozenset(("n", "ne")) | _folded(words.negation | words.negation_near),
    )


# --- one document ----------------------------------------------------------------------------


# A denial of any such thing ("dément tout ..."): it denies what it names next, or nothing.
_ANY = re.compile(r"\b(?:tout|toute|tous|toutes|un|une)$")


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


def _no_event(
    doc: _Doc,
    organisations: tuple[str, ...],
    title: str,
    text: str,
    payers: tuple[str, ...] = (),
) -> Classification:
    """What an item that reports no event is: its names and contacts, and why."""
    return Classification(
        payers=payers,
        organisations=organisations,
        contacts=contacts(f"{title}\n{text}"),
        reasons=tuple(doc.reasons),
    )


# A sentence read for the relations: its span, its words, their starts, whether it denies.
_SentenceWords = tuple[tuple[int, int], list[str], frozenset[str], bool, bool]


class _Doc:
    """Folded title and body as one text, with its sentence and clause boundaries."""

    def __init__(self, rules: _Rules, title: str, text: str) -> None:
        self.rules = rules
        self.original = title + "\n" + text
        (title_cased, title_plain), (text_cased, text_plain) = (
            fold_flagged(title),
            fold_flagged(text),
        )
        self.cased = title_cased + "\n" + text_cased
        self.text = self.cased.lower()
        self.title_end = len(title_cased)
        words = self.text.translate(WORD_GAPS)
        self.title_words = words[: self.title_end].split()
        self.body_words = words[self.title_end + 1 :].split()
        self.plain = title_plain and text_plain  # see fold_flagged
        self.prefixes = rules.word_keys.of(self.title_words + self.body_words)
        self._found: dict[int, list[Hit]] = {}
        self._named: dict[int, list[Mention]] = {}
        self._masked: dict[int, _Runs] | None = None
        self._starts: dict[int, list[int]] = {}
        self.reasons: list[str] = []
        self.listed: dict[int, bool] = {}  # by sentence start: does it list payers?
        self.related: list[int] = []  # where the parse found a kind (see _related)
        self.partial: dict[int, str | None] = {}  # by sentence start: its partial marker

    @cached_property
    def origin(self) -> list[int] | None:
        """Offsets in the original text of each folded character (None: the same offsets;
        an empty list: folding moved characters in a way not traced, as a lone combining
        mark can)."""
        original = self.original
        if len(original) == len(self.text) and all(
            folded_length(c) == 1 for c in set(original) if not c.isascii()
        ):
            return None
        positions = [i for i, c in enumerate(original) for _ in range(folded_length(c))]
        return positions if len(positions) == len(self.text) else []

    def heading_at(self, start: int) -> str | None:
        """The original body line around folded offset ``start`` when it reads as a heading
        or a list entry of structured text: a line without final punctuation, at most
        HEADING_WORDS words, in a body of at least three lines of which one at least is a
        paragraph (ends a sentence). None otherwise (the title, a paragraph, a teaser of
        one or two lines, a status list with no paragraph to head: "Viamedis / En panne")."""
        if self.in_title(start) or not self._paragraphed:
            return None
        breaks = self._line_breaks
        at = bisect_left(breaks, start)
        low = breaks[at - 1] + 1 if at else 0
        high = breaks[at] if at < len(breaks) else len(self.text)
        line = self.text[low:high].rstrip()
        if line.endswith((".", "!", "?", ";", ":")) or len(line.split()) > HEADING_WORDS:
            return None
        if self.origin == []:
            return None
        return self.original[self._in_original(low) : self._in_original(high)].strip()

    def original_between(self, low: int, high: int) -> str | None:
        """The original text between folded offsets ``low`` and ``high`` (None when folding
        moved characters in a way not traced)."""
        if self.origin == []:
            return None
        return self.original[self._in_original(low) : self._in_original(high)]

    def original_at(self, offset: int) -> int:
        """The offset in the original text of folded ``offset`` (-1 when not traced)."""
        return -1 if self.origin == [] else self._in_original(offset)

    @cached_property
    def quoted_titles(self) -> list[tuple[int, int]]:
        """Spans of the original text quoted after a topic noun (a training, a guide, a
        report), at most QUOTED_TITLE_REACH words before ("la formation intitulée « ... »",
        "l'atelier régional « ... »"), as titles are."""
        nouns = self.rules.topic_nouns
        spans = []
        for found in _QUOTED.finditer(self.original):
            before = self.original[max(0, found.start() - 60) : found.start()]
            named = fold(before).lower().translate(WORD_GAPS).split()[-QUOTED_TITLE_REACH:]
            if any({w, w.removesuffix("s")} & nouns for w in named):
                spans.append(found.span())
        return spans

    def _in_original(self, offset: int) -> int:
        """The offset in the original text of folded ``offset`` (the end stays the end);
        :attr:`origin` must not be ``[]``."""
        origin = self.origin
        if origin is None:
            return offset
        return origin[offset] if offset < len(origin) else len(self.original)

    @cached_property
    def _line_breaks(self) -> list[int]:
        return [m.start() for m in re.finditer("\n", self.text)]

    @cached_property
    def _paragraphed(self) -> bool:
        lines = self.text[self.title_end + 1 :].split("\n")
        return len(lines) >= 3 and any(line.rstrip().endswith((".", "!", "?")) for line in lines)

    def sentence_at(self, start: int, end: int) -> tuple[str, int] | None:
        """The original sentence around folded offsets ``start``..``end``, and the offset
        of ``start`` in it (None when the offsets cannot be traced back)."""
        low, high = self.hard.before(start), self.hard.after(end)
        if self.origin == [] or high - low > MAX_SENTENCE:
            return None  # not traced back, or too long to parse (see language.MAX_SENTENCE)
        low, start, high = (self._in_original(x) for x in (low, start, high))
        sentence = self.original[low:high]
        lead = len(sentence) - len(sentence.lstrip())
        return sentence.strip(), start - low - lead

    def explain(self, tag: str, hit: Hit | Mention, rule: str = "") -> None:
        """Keep why a tag was given: the words that fired and their sentence (bounded work
        and count on hostile text)."""
        if len(self.reasons) >= MAX_REASONS:
            return
        low = max(self.hard.before(hit.start), hit.start - WINDOW)
        high = min(self.hard.after(hit.end), hit.end + WINDOW)
        words = self.text[hit.start : hit.end]
        sentence = " ".join(self.text[low:high].split())[:160]
        self.reasons.append(f"{tag} {rule or repr(words)} «{sentence}»")

    def find(self, matcher: Matcher) -> list[Hit]:
        """The matcher's hits in this text, found once."""
        key = id(matcher)
        if key not in self._found:
            text = self.cased if matcher.cased else self.text
            self._found[key] = matcher.find(text, self.prefixes)
        return self._found[key]

    def named(self, finder: NameFinder) -> list[Mention]:
        """The finder's names in this text, found once."""
        key = id(finder)
        if key not in self._named:
            self._named[key] = finder.find(self)
        return self._named[key]

    def _spans(self, pattern: re.Pattern[str]) -> list[tuple[int, int]]:
        return [m.span() for m in pattern.finditer(self.text)]

    def _hits(self, matcher: Matcher) -> list[tuple[int, int]]:
        return [(hit.start, hit.end) for hit in self.find(matcher)]

    @cached_property
    def _hard_spans(self) -> list[tuple[int, int]]:
        spans = self._spans(_HARD)
        # A dateline opening the body ("Villeurbanne. Une semaine que ça dure...", "Le
        # Mans. Il suffit...") is no sentence of its own: the lead starts with it.
        body = self.title_end + 1
        dateline = _DATELINE.match(self.cased, body)
        if dateline is not None:
            spans = [span for span in spans if span[0] != dateline.end() - 1]
        return spans

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

    @cached_property
    def sentence_words(self) -> list[_SentenceWords]:
        """Each sentence: its span, its words, their starts (four letters), whether it
        holds a negation (see _denied) or a verb of stopping, and whether it is a question
        that may ask rather than tell (see language.asks: "mes paiements seront-ils bloqués
        ?" asserts nothing); read once per item, for every relation looked for."""
        found: list[_SentenceWords] = []
        start = 0
        for low, high in [*self._hard_spans, (len(self.text), len(self.text))]:
            span, start = (start, low), high
            question = self.text.startswith("?", low) and not others_too(
                self.text[slice(*span)], self.rules.words
            )
            words = self.text[slice(*span)].translate(WORD_GAPS).split()
            starts = frozenset(w[:4] for w in words)
            denied = _denied(words, self.rules.negation_forms) or not starts.isdisjoint(
                self.rules.stopping_keys  # "a cessé de régler"
            )
            found.append((span, words, starts, denied, question))
        return found

    def asks(self, start: int, end: int) -> bool:
        """Whether the question around ``start``..``end`` asks rather than tells (see
        language.asks), read with the sentence after it: "Vous n'avez pas reçu votre
        virement ? Appelez le 3646." is a condition."""
        question = self.sentence_at(start, end)
        if question is None:
            return True
        mark = self.hard.after(end)
        following = self.sentence_at(mark + 1, self.hard.after(mark + 1))
        return asks(question[0], following[0] if following else "", self.rules.words)

    def answers_a_warning(self, start: int, end: int) -> str | None:
        """Why the sentence around ``start``..``end`` tells no event when it answers a
        question of warning right before it ("Quels risques ? Des tentatives
        d'hameçonnage..."; see language.answered_warning), or None."""
        low = self.hard.before(start)
        before = self.text[:low].rstrip()
        while before.endswith(":"):  # the answer goes on after a colon: "faux SMS, ..."
            low = self.hard.before(len(before) - 1)
            before = self.text[:low].rstrip()
        if not before.endswith("?"):
            return None
        answer = self.sentence_at(low, low)
        question = self.sentence_at(len(before) - 1, len(before) - 1)
        if answer is None or question is None:
            return None
        return answered_warning(question[0], answer[0], self.rules.words)

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
        breaker = self.rules.scope_breakers.search(window, last.end())
        if breaker is not None and _CAUSED.search(window, last.end(), breaker.start()):
            return True  # "n'a pas été provoquée par un acte malveillant": a cause denied
        return breaker is None

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

    def starts(self, matcher: Matcher) -> list[int]:
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

    @cached_property
    def _scenario_runs(self) -> _Runs:
        """Sentences a scenario opens ("Imaginons : un lundi matin, le portail ne répond
        plus."), from its marker to the end of the sentence."""
        spans = []
        for hit in self.find(self.rules.scenarios):
            if self.text[self.hard.before(hit.start) : hit.start].strip():
                continue  # only a sentence's first word opens a scenario
            end = _SENTENCE_END.search(self.text, hit.end)
            spans.append((hit.start, end.start() if end else len(self.text)))
        return _Runs(spans)

    def in_scenario(self, start: int) -> bool:
        return start in self._scenario_runs

    def hypothetical(self, start: int, end: int) -> bool:
        """A risk or a question rather than an event: "en cas de panne", "qui pourraient"."""
        rules = self.rules
        if self.text.startswith("?", self.hard.after(end)):
            # a question: "mes paiements seront-ils retardés ?"; not one asking whether
            # others see the same trouble, which tells one's own ("Quelqu'un d'autre
            # n'arrive plus à se connecter ?", "Vous aussi, le portail est en panne ?")
            if others_too(self.text[self.hard.before(start) : start], self.rules.words):
                return False
            # one in the order of a statement tells ("Viamedis ne répond plus ?"), as
            # much as a statement would
            if self.asks(start, end):
                return True
        if self.in_scenario(start):
            return True  # "Imaginons : le portail ne répond plus."
        if (found := _WHENEVER.match(self.text, self.hard.before(start))) and not (
            _ONE_TIME.search(found.group())
        ):
            return True  # "Quand un portail tombe, on facture en mode dégradé": any time
        after = _WHENEVER_AFTER.match(self.text, end)
        if after is not None and not _ONE_TIME_AFTER.search(
            self.text, self.hard.before(start), after.end()
        ):
            return True  # "... avancent la part mutuelle quand leur carte n'est pas à jour"
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
        named = {mention.slug for mention in doc.named(self.rules.organisations)}
        organisations = tuple(s for s in self.taxonomy.organisations if s in named)
        if found := self.rules.no_event_titles.search(doc.text, 0, doc.title_end):
            # A job offer, a test message, a fact-check: its words of trouble report nothing.
            doc.explain("not:event", Hit(0, found.start(), found.end()), "title of no event")
            return _no_event(doc, organisations, title, text)
        present, current = self._kinds(doc)
        if present and (alarm := self._false_alarm(doc)) is not None:
            # "Almerys ne répond plus ? [...] fausse alerte, c'était notre box": the trouble
            # told was none; the item reports no incident and is about no payer
            doc.explain("not:event", alarm, "a false alarm")
            return _no_event(doc, organisations, title, text)
        if present and (unconcerned := self._unconcerned(doc)) is not None:
            # "Cyberattaques chez deux opérateurs : Kalixia n'est pas concerné": the item
            # tells that its one subject is spared; the trouble it names is others'
            doc.explain("not:event", unconcerned, "its subject not concerned")
            return _no_event(doc, organisations, title, text, self._payers(doc, False))
        if (denial := self._denied(doc, present)) is not None:
            # "Itelis dément tout arrêt de ses paiements": the trouble the title denies is
            # none; what else the item reports stands
            hit, denied = denial
            doc.explain("not:event", hit, "denied in the title")
            if denied >= present:
                # a denied rumour about a payer is a negation: no payer, no incident
                return _no_event(doc, organisations, title, text)
            present -= denied
        status, implied = self._status(doc, current, bool(present))
        kinds = tuple(self.rules.kind_slugs[i] for i in sorted(present | implied))
        actions = self._actions(doc)
        payers = self._payers(doc, bool(kinds or status))
        return Classification(
            payers=payers,
            kinds=kinds,
            organisations=organisations,
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
        named = {mention.slug for mention in doc.named(self.rules.payers)}
        return tuple(slug for slug in self.taxonomy.payers if slug in named)

    # -- kinds and status

    def _kinds(self, doc: _Doc) -> tuple[set[int], StatusSignal | None]:
        """Kinds present, and what an ongoing-failure word (outage...) says of now: a
        current failure, a planned one ("le portail sera indisponible samedi"), or none."""
        rules = self.rules
        present: set[int] = set()
        recalled: list[Hit] = []  # hits of a kind recalled, dated back (see _dated_back)
        ongoing = planned = False
        headline = False  # the failure was read in the title alone (see _announced)
        causes: dict[int, bool] = {}  # by kind: whether each of its words seen is a cause word
        refused: list[Hit] = []  # words of a kind read as no event
        for hit in doc.find(rules.kinds):
            is_ongoing = rules.kind_ongoing[hit.tag]
            cause = rules.causes[hit.tag]
            seen = hit.tag in present
            if seen and (ongoing or not is_ongoing) and not (cause and causes.get(hit.tag)):
                continue
            if any(r.tag == hit.tag and r.start <= hit.start < r.end for r in refused):
                continue  # "rançongiciel" inside "les attaques par rançongiciel", read already
            if not self._event(doc, hit):
                refused.append(hit)
                continue
            if cause is not None:
                said = cause[0].match(doc.text, hit.start)  # its look-ahead sees the rest
                is_cause = said is not None and said.end() == hit.end
                causes[hit.tag] = causes.get(hit.tag, True) and is_cause
            if seen:
                continue
            if self._dated_back(doc, hit.start):
                recalled.append(hit)  # its kind may still be said of now further on
                continue
            present.add(hit.tag)
            doc.explain(f"kind:{rules.kind_slugs[hit.tag]}", hit)
            recap = doc.prefix_has(rules.recap, hit.start)
            if is_ongoing:
                # An interruption announced ("le portail sera indisponible samedi") is a
                # planned one: the kind, but no failure yet; a reminder of it too ("Petit
                # rappel : le réseau sera en maintenance demain"), which recaps nothing.
                if self._planned(doc, hit):
                    planned = True
                elif not recap:
                    headline = not ongoing and doc.in_title(hit.start)
                    ongoing = True
        # Kinds said only by words that may name a cause: their relations are looked for
        # still ("a bloqué le système de préparation des commandes": a system down).
        tentative = {index for index, only in causes.items() if only}
        related, by_causes = self._related(doc, present - tentative)
        for index, start in related.items():
            if self._dated_back(doc, start):
                recalled.append(Hit(index, start, start + 1))
                continue
            present.add(index)
            if rules.kind_ongoing[index] and self._planned(doc, Hit(index, start, start + 1)):
                planned = True  # "vous ne pourrez pas consulter vos remboursements samedi"
                continue
            headline = headline and not rules.kind_ongoing[index]
            ongoing = ongoing or rules.kind_ongoing[index]
        # a kind the parse found only as a fault's generic name is a cause too
        tentative |= by_causes
        for index in tentative - (related.keys() - by_causes):
            effects = rules.causes[index]
            if effects is not None and present & effects[1]:
                # "un incident technique : ses ordres de paiement ne parviennent plus à sa
                # banque": the cause of the payments stopped, no service of its own down
                present.discard(index)
                doc.explain(f"not:{rules.kind_slugs[index]}", Hit(index, 0, 1), "a cause only")
        # by kind: one look at the whole item (veto, context anywhere), not one per hit
        item_wide: dict[int, tuple[bool, bool]] = {}
        for hit in doc.find(rules.contextual):
            if hit.tag in present or not self._in_context(doc, hit, present, item_wide):
                continue
            if self._event(doc, hit) and not self._dated_back(doc, hit.start):
                present.add(hit.tag)
                doc.explain(f"kind:{rules.kind_slugs[hit.tag]}", hit, "in context")
                ongoing = ongoing or (
                    rules.kind_ongoing[hit.tag] and not doc.prefix_has(rules.recap, hit.start)
                )
        for hit in recalled:
            if hit.tag not in present:
                doc.explain(f"not:{rules.kind_slugs[hit.tag]}", hit, "recalled in passing, dated")
        if not present and rules.status_page_kind is not None:
            # "Identified – Envoi des lots SESAM-Vitale": a status page posts an update only
            # of an incident, and says what broke in words of its own ("une passerelle")
            label = rules.status_page_labels.search(doc.text, 0, doc.title_end)
            if label is not None:
                present.add(rules.status_page_kind)
                hit = Hit(rules.status_page_kind, label.start(), label.end())
                doc.explain(f"kind:{rules.kind_slugs[hit.tag]}", hit, "a status page's update")
        if headline and self._announced(doc):
            ongoing, planned = False, True
        current: StatusSignal | None = "failure" if ongoing else "planned" if planned else None
        return present, current

    def _unconcerned(self, doc: _Doc) -> Hit | None:
        """Where the title says its subject is not concerned by trouble (taxonomy.yaml
        ``unconcerned_titles``), when it names one payer at most: a payer's or a press
        title naming another as hit ("Cyberattaque chez Viamedis : Kalixia n'est pas
        concerné") still reports the other's incident."""
        found = self.rules.unconcerned_titles.search(doc.text, 0, doc.title_end)
        if found is None:
            return None
        named = {m.slug for m in doc.named(self.rules.payers) if doc.in_title(m.start)}
        return Hit(0, found.start(), found.end()) if len(named) <= 1 else None

    def _denied(self, doc: _Doc, present: set[int]) -> tuple[Hit, set[int]] | None:
        """Where the title denies trouble (taxonomy.yaml ``denial_titles``), and the kinds
        (indexes) it denies: those its words name after the denial, or all when it names
        none ("Almerys dément les rumeurs")."""
        found = self.rules.denial_titles.search(doc.text, 0, doc.title_end)
        if found is None:
            return None
        hits = doc.find(self.rules.kinds)
        named = {h.tag for h in hits if found.end() <= h.start < doc.title_end}
        trouble = self.taxonomy.openings.pattern("event")  # see incidents' openings
        said = named or trouble.search(doc.text, found.end(), doc.title_end)
        if not said and _ANY.search(found.group()):
            return None  # "dément tout lien avec la réforme": no trouble denied
        return Hit(0, found.start(), found.end()), (named or set(present))

    def _false_alarm(self, doc: _Doc) -> Hit | None:
        """Where the item says the trouble it told was a false alarm (taxonomy.yaml
        ``false_alarms``), unless denied ("ce n'était pas une fausse alerte")."""
        for found in self.rules.false_alarms.finditer(doc.text):
            if not doc.negated(found.start()):
                return Hit(0, found.start(), found.end())
        return None

    def _announced(self, doc: _Doc) -> bool:
        """A headline with no verb that names a cut ("Maintenance : services en ligne
        indisponibles dans la nuit du 15 au 16 décembre") over a body that announces it
        ("seront indisponibles"): a planned interruption, not one under way."""
        body = [h for h in doc.find(self.rules.kinds) if not doc.in_title(h.start)]
        announced = any(
            self.rules.kind_ongoing[h.tag] and self._planned(doc, h) and self._event(doc, h)
            for h in body
        )
        if not announced:
            return False
        title = doc.original_between(0, doc.title_end)
        return title is not None and not has_finite_verb(title)

    def _dated_back(self, doc: _Doc, start: int) -> bool:
        """Is ``start`` in a body sentence past the lead that holds a period some time back
        (language.dated_past)? Such a word of a kind recalls an incident in passing ("les
        retards consécutifs à l'attaque subie par Viamedis en début d'année", "les
        rançongiciels de l'hiver"), as year reviews, guides and portraits do; a report says
        its event in its title or lead, or again further on without such a date."""
        if doc.in_title(start):
            # a title looking back years: "Excellus paiera 5,1 millions de dollars, cinq ans
            # après le piratage", "Un an après la grande panne, l'entraide reste à tester"
            return _YEARS_AFTER.search(doc.text, max(0, start - 40), start) is not None
        if _YEARS_AFTER_TITLE.search(doc.text, 0, doc.title_end):
            return True  # "Un an après Viamedis, le tiers payant a-t-il tiré les leçons ?"
        dates = doc.starts(self.rules.dated_past)
        if not dates or _THIS.search(doc.text, max(0, start - 8), start):
            return False  # "les informations emportées lors de cette attaque, survenue cet été"
        # In the lead too when the event is only when something began ("Depuis les
        # intrusions chez Viamedis et Almerys au début de 2024, et la série de rançongiciels
        # qui a visé des hôpitaux, les primes grimpent").
        opening = doc.hard.before(start)
        since = (
            _SINCE.search(doc.text, max(0, start - 16), start) is not None
            or _FRONTED_SINCE.match(doc.text, opening, start) is not None
        )
        low = bisect_left(dates, opening)
        if low == len(dates) or dates[low] >= doc.hard.after(start + 1):
            return False
        if self._in_lead(doc, start) and not since:
            # In the lead, only a date said to be past, just before the word ("l'hiver
            # dernier, quand des pirates s'en sont pris à Viamedis"): "cet hiver" may be
            # now, and "en retard, comme lors de l'attaque de l'an passé" dates the attack.
            date = doc.find(self.rules.dated_past)[low]
            # or opening the sentence, it dates all of it ("Question matériel : l'an
            # dernier, pendant la tempête, on a perdu le serveur [...] de la coupure")
            fronted = doc.text[opening : date.start].strip(" :,") == ""
            close = date.end <= start and (fronted or start < date.end + 60)
            return close and _PAST_MARK.search(doc.text, date.start, date.end + 12) is not None
        return True

    def _related(self, doc: _Doc, present: set[int]) -> tuple[dict[int, int], set[int]]:
        """Kinds (indexes) not yet ``present`` that the parse finds said by a word and its
        dependent (taxonomy.yaml ``relations``), with where; and those of them found only by
        relations that name a fault generically (``cause: true``), which may be the cause of
        another kind rather than an event of their own."""
        words = self.taxonomy.assertion
        if not words.negation:
            return {}, set()
        pairs = zip(self.taxonomy.relations, self.rules.relation_keys, strict=True)
        wanted = [(r, heads, deps) for r, (index, heads, deps) in pairs if index not in present]
        found: dict[int, int] = {}
        not_causes: set[int] = set()
        for relation, hit, matched in self._relations_in(doc, wanted, _of_role, headings=False):
            index = self.rules.kind_slugs.index(relation.kind)
            said = Hit(index, hit.start, hit.end)
            if self._listed_threat(doc, said) or self._title_topic(doc, said):
                continue  # "plusieurs formes : un message qui vous renvoie vers un faux site"
            if self._calendar(doc, said):
                continue  # "Lundi de Pâques : calendrier des paiements"
            if doc.in_scenario(hit.start):
                continue  # "Imaginons : le portail ne répond plus"
            if doc.in_reference(hit.start):
                continue  # "À lire aussi : le CHU victime d'une cyberattaque, des données..."
            if (why := doc.answers_a_warning(hit.start, hit.end)) is not None:
                doc.explain(f"not:{relation.kind}", said, why)
                continue  # "Quels risques ? Surtout de faux conseillers"
            if self._sentence_sense(doc, said, matched):
                continue  # "jour férié, et les virements sont simplement décalés"
            found.setdefault(index, hit.start)
            doc.related.append(hit.start)
            if not relation.cause:
                not_causes.add(index)
            doc.explain(f"kind:{relation.kind}", Hit(index, hit.start, hit.end), matched)
        return found, found.keys() - not_causes

    def _relations_in(
        self,
        doc: _Doc,
        wanted: Sequence[tuple[Relation, frozenset[str], frozenset[str]]],
        group: Callable[[Relation], object],
        plans: bool = True,
        headings: bool = True,
    ) -> Iterator[tuple[Relation, Hit, str]]:
        """The relations of ``wanted`` (each with the word starts of its heads and of its
        dependents) that the parse finds asserted, each with its sentence and what matched;
        once one of a ``group`` is found, the others of that group are looked for no more.
        A sentence is parsed only for the relations still looked for of which it holds both
        a head and a dependent word: the parse is the costly step, and most sentences hold
        neither pair. ``headings``: whether a heading line counts (see _heading)."""
        words = self.taxonomy.assertion
        done: set[object] = set()
        groups = len({group(r) for r, _, _ in wanted})
        any_head = frozenset().union(*(heads for _, heads, _ in wanted))
        for sentence, words_here, starts, denied, question in doc.sentence_words:
            if len(done) == groups:
                return
            if starts.isdisjoint(any_head):
                continue  # most sentences: no head of any relation looked for
            relations = tuple(
                r
                for r, heads, deps in wanted
                if starts & heads
                and starts & deps
                and (denied or not r.negated)  # said of a fact not happening: needs a "ne"
                and group(r) not in done
                and _two_words(words_here, r, heads, deps)
            )
            if not relations:
                continue
            if not headings and (line := doc.heading_at(sentence[0])) and not has_finite_verb(line):
                continue  # a heading names a topic: its paragraphs say whether it happened
            if question and doc.asks(*sentence):
                continue
            traced = doc.sentence_at(*sentence)
            for relation, matched in related(traced[0], relations, words, plans) if traced else ():
                if group(relation) not in done:
                    done.add(group(relation))
                    yield relation, Hit(0, *sentence), f"relation {relation.id} ({matched})"

    def _in_context(
        self, doc: _Doc, hit: Hit, present: set[int], item_wide: dict[int, tuple[bool, bool]]
    ) -> bool:
        """Is a contextual word ("l'attaque") its kind here: no veto word in the item,
        and a context word in its sentence, a context kind or an item-wide context word
        (a ransom) in the item?"""
        context = self.rules.contexts[hit.tag]
        if context is None:
            return False
        if hit.tag not in item_wide:
            veto = context.veto is not None and bool(context.veto.search(doc.text))
            # "trois jours après l'attaque. [...] la rançon demandée"
            anywhere = context.anywhere is not None and bool(context.anywhere.search(doc.text))
            item_wide[hit.tag] = (veto, anywhere)
        veto, anywhere = item_wide[hit.tag]
        if veto:
            return False
        if anywhere or context.kinds & present:
            return True
        # The sentence, but no further than WINDOW either side: bounded work per hit.
        return self._sentence_holds(doc, hit.start, hit.end, context.context)

    def _event(self, doc: _Doc, hit: Hit) -> bool:
        """Does this kind word report an event of this item?"""
        masked = doc.masked(self.rules)
        if hit.tag in masked and hit.start in masked[hit.tag]:
            return False  # "interruption" inside "interruption des paiements"
        return (
            not doc.in_reference(hit.start)
            and not self._other_sense(doc, hit)
            and (not doc.negated(hit.start) or self._negation_cleared(doc, hit))
            and not _NONE_AFTER.match(doc.text, hit.end)
            and not doc.hypothetical(hit.start, hit.end)
            and not self._heading(doc, hit)
            and not self._title_topic(doc, hit)
            and not self._listed_threat(doc, hit)
            and not self._topic_word(doc, hit)
            and not self._quoted_topic(doc, hit)
            and not self._calendar(doc, hit)
            and self._asserted(doc, hit, self.rules.kind_slugs[hit.tag])
        )

    def _other_sense(self, doc: _Doc, hit: Hit) -> bool:
        """A trigger word in its everyday sense: a word of that sense in its sentence ("sa
        voiture s'est immobilisée, moteur en panne"); in the title, when the body uses the
        word only in that sense ("Ma semaine : un piratage" over "un site de piratage de
        séries")."""
        for words, other, whole_item in self.rules.senses[hit.tag]:
            if words is not None and not words.search(doc.text, hit.start, hit.end):
                continue
            if whole_item and other.search(doc.text, 0, self._lead_end(doc)):
                doc.explain(f"not:{self.rules.kind_slugs[hit.tag]}", hit, "another sense")
                return True  # "Festival Carte Blanche : un hôpital pris en otage sur scène"
            if self._sentence_holds(doc, hit.start, hit.end, other):
                doc.explain(f"not:{self.rules.kind_slugs[hit.tag]}", hit, "another sense")
                return True
            if words is None:
                continue  # every word of the kind: its sentence or the item, not the title's
            if doc.in_title(hit.start) and self._title_sense(doc, words, other):
                doc.explain(f"not:{self.rules.kind_slugs[hit.tag]}", hit, "another sense")
                return True
        return False

    def _sentence_sense(self, doc: _Doc, said: Hit, matched: str) -> bool:
        """A relation's sentence that holds one of its kind's words with an everyday sense,
        among the words the relation matched (``matched``), and a word of that sense: the
        parse read the sentence, not one word of it."""
        pair = fold(matched.rpartition("(")[2].rstrip(")")).split()
        for words, other, whole_item in self.rules.senses[said.tag]:
            if words is not None and not any(
                any(word in found.group() for word in pair)
                for found in words.finditer(doc.text, said.start, said.end)
            ):
                continue
            sentence = other.search(doc.text, said.start, said.end)
            # or the item's, when its title or lead says it ("un exercice pour s'y préparer")
            if sentence or (whole_item and other.search(doc.text, 0, self._lead_end(doc))):
                doc.explain(f"not:{self.rules.kind_slugs[said.tag]}", said, "another sense")
                return True
        return False

    def _title_sense(self, doc: _Doc, words: re.Pattern[str], other: re.Pattern[str]) -> bool:
        """Does the item give a title's word its everyday sense: a word of that sense
        anywhere in the title, or a body that uses the word only in that sense, or that
        does not use it and opens in that sense ("Intrusion nocturne dans une pharmacie"
        over "Les cambrioleurs ont forcé la porte")?"""
        if other.search(doc.text, 0, doc.title_end):
            return True
        body = list(words.finditer(doc.text, doc.title_end + 1))
        if body:
            return all(self._sentence_holds(doc, m.start(), m.end(), other) for m in body)
        return other.search(doc.text, doc.title_end + 1, self._lead_end(doc)) is not None

    def _lead_end(self, doc: _Doc) -> int:
        """Where the body's first LEAD_SENTENCES sentences end."""
        lead = doc.title_end
        for _ in range(LEAD_SENTENCES):
            lead = doc.hard.after(lead + 1)
        return lead

    def _sentence_holds(self, doc: _Doc, start: int, end: int, words: re.Pattern[str]) -> bool:
        """Do ``words`` stand in the sentence around ``start``..``end`` (at most WINDOW
        either side)?"""
        low = max(doc.hard.before(start), start - WINDOW)
        high = min(doc.hard.after(end), end + WINDOW)
        return words.search(doc.text, low, high) is not None

    def _title_topic(self, doc: _Doc, hit: Hit) -> bool:
        """A kind word labelling a title whose rest is advice or a topic ("Messages
        frauduleux : les bons réflexes à rappeler", "Rançongiciels : le guide de l'ANSSI"):
        the label names what the advice is about, no event. Not "Cyberattaque : les
        pharmaciens privés de tiers payant", whose rest reports."""
        colon = doc.text.find(":", 0, doc.title_end)
        if colon < 0 or hit.end > colon or not self.taxonomy.assertion.negation:
            return False
        label, rest = doc.original_between(0, colon), doc.original_between(colon + 1, doc.title_end)
        if label is None or rest is None:
            return False
        named = (doc.named(self.rules.payers), doc.named(self.rules.organisations))
        if any(m.start < colon for mentions in named for m in mentions):
            return False  # "Intrusion chez Almerys : nos recommandations": its event
        if has_finite_verb(label):
            # unless the label puts a case to the reader: "Votre répartiteur ne répond
            # plus : que faire ?", "Si le portail tombe : que faire ?"
            if not (_TO_THE_READER.match(label) and _WHAT_QUESTION.match(rest.strip().lower())):
                return False
            doc.explain(f"not:{self.rules.kind_slugs[hit.tag]}", hit, "a case put to the reader")
            return True
        topic = leading_noun(rest.strip(), self.rules.topic_nouns)
        if topic is None and _WHAT_QUESTION.match(rest.strip().lower()):
            topic = "a question on what or how"  # "Hameçonnage : de quoi parle-t-on ?"
        if topic is None:
            return False  # "Phishing ameli : le faux ultimatum", "X : le bilan s'alourdit"
        doc.explain(f"not:{self.rules.kind_slugs[hit.tag]}", hit, f"a title's topic: {topic}")
        return True

    def _calendar(self, doc: _Doc, hit: Hit) -> bool:
        """A payment word of an item whose title is a payment calendar ("Lundi de Pâques :
        calendrier des paiements"): a date moved for a holiday, no event."""
        rules = self.rules
        if hit.tag not in rules.calendar_kinds:
            return False
        if rules.calendar_titles.search(doc.text, 0, doc.title_end) is None:
            return False
        doc.explain(f"not:{rules.kind_slugs[hit.tag]}", hit, "a payment calendar")
        return True

    def _quoted_topic(self, doc: _Doc, hit: Hit) -> bool:
        """A word inside the quoted title of a training, a guide, a report or a programme
        ("un webinaire « Rançongiciel : que faire dans les premières heures ? »"): the
        topic it names, no event."""
        at = doc.original_at(hit.start)
        for low, high in doc.quoted_titles:
            if low <= at < high:
                doc.explain(f"not:{self.rules.kind_slugs[hit.tag]}", hit, "a quoted title")
                return True
        return False

    def _listed_threat(self, doc: _Doc, hit: Hit) -> bool:
        """A word in a list that a colon opens after a noun of threat or of topic ("les
        principales menaces : hameçonnage, rançongiciels et fuites de données"), or after a
        clause dated some time back: the list names what the noun is, or what is recalled,
        no event."""
        low = doc.hard.before(hit.start)
        if not doc.text.startswith(":", low - 1) and not doc.text.startswith(":", low):
            return False
        opening = max(doc.hard.before(max(0, low - 2)), low - WINDOW)  # of the clause
        before = doc.text[opening:low].rstrip(" :").translate(WORD_GAPS).split()
        # The noun closes the clause before the colon, or in the body is its subject a few
        # words back ("deux pistes circulent :", "les risques du quotidien sont plus
        # prosaïques :"); a title's label is one phrase ("Formation continue : ...").
        reach = 1 if doc.in_title(hit.start) else COLON_CLAUSE
        noun = next(
            (
                w
                for w in reversed(before[-reach:])
                # plural and feminine too: "les arnaques les plus fréquentes :"
                if {w, w.removesuffix("s"), w.removesuffix("s").removesuffix("e")}
                & self.rules.threat_nouns
            ),
            None,
        )
        if noun is None:
            # a list of what a clause dated back recalls ("le formateur a rappelé les
            # épisodes de l'an dernier : la cyberattaque contre Viamedis, ...")
            dates = doc.starts(self.rules.dated_past)
            first = bisect_left(dates, opening)
            if first == len(dates) or dates[first] >= low:
                return False
            noun = "a clause dated back"
        listed = doc.sentence_at(hit.start, hit.end)  # the original words, for the parse
        if listed is None or has_finite_verb(listed[0], main=True):
            return False  # "Prudence : les données volées circulent déjà" reports
        doc.explain(f"not:{self.rules.kind_slugs[hit.tag]}", hit, f"listed under {noun}")
        return True

    def _topic_word(self, doc: _Doc, hit: Hit) -> bool:
        """A word of a kind standing alone as an item of a list that a colon opens, most of
        whose items are bare words ("Sept heures en ligne : hameçonnage, pannes, sauvegardes,
        continuité du tiers payant"): with no article, no subject and nothing said of it,
        it names a topic; a digest's "panne d'ameli pro, retards de paiement à la MSA" or a
        headline's "portails fermés" says more."""
        low, high = doc.hard.before(hit.start), doc.hard.after(hit.end)
        if not doc.text[max(0, low - 2) : low + 1].strip().endswith(":"):
            return False
        items = [i.strip(" .;") for i in doc.text[low:high].split(",")]
        bare = [i for i in items if _BARE_ITEM.fullmatch(i)]
        if len(items) < TOPIC_LIST or 2 * len(bare) <= len(items):
            return False
        # the word opens its own item ("pannes", "fuites de données")
        start = max(doc.text.rfind(",", low, hit.start), low - 1) + 1
        if doc.text[start : hit.start].strip():
            return False
        doc.explain(f"not:{self.rules.kind_slugs[hit.tag]}", hit, "a topic in a list")
        return True

    def _negation_cleared(self, doc: _Doc, hit: Hit) -> bool:
        """A negation the word window saw that the parse puts elsewhere: on a verb of
        speaking ("n'a pas communiqué sur le rançongiciel en cause"). Only for sentences the
        parse reads (see language.spoken_of); elsewhere the window's verdict stands."""
        words = self.taxonomy.assertion
        found = doc.sentence_at(hit.start, hit.end) if words.silence else None
        if found is None or not spoken_of(*found, words):
            return False
        why = self._reading(doc, hit, self.rules.kind_slugs[hit.tag])
        return why is None or not why.startswith("negation")

    def _heading(self, doc: _Doc, hit: Hit) -> bool:
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

    def _asserted(self, doc: _Doc, hit: Hit, kind: str = "") -> bool:
        """Does the parse of the hit's sentence assert it (see language.reading)?"""
        why = self._reading(doc, hit, kind)
        if why is None or why.startswith("future"):
            return True  # a planned interruption is still one
        if why.startswith("trend") and self._names_near(doc, hit):
            return True  # "les SMS frauduleux au nom de l'Assurance Maladie se multiplient"
        doc.explain(f"not:{kind}", hit, why)
        return False

    def _names_near(self, doc: _Doc, hit: Hit) -> bool:
        """Does the hit's sentence name a payer or an organisation? A trend of events said of
        a named one (frauds in its name, attacks on it) is its incident, not a general one."""
        low, high = doc.hard.before(hit.start), doc.hard.after(hit.end)
        return any(
            low <= mention.start < high
            for finder in (self.rules.payers, self.rules.organisations)
            for mention in doc.named(finder)
        )

    def _unasserted(self, doc: _Doc, hit: Hit) -> bool:
        """Does the parse say the words are no current fact ("signalez-nous toute difficulté
        persistante": any one), a plan aside?"""
        why = self._reading(doc, hit)
        if why is None or why.startswith("future"):
            return False
        doc.explain("not:failure", hit, why)
        return True

    def _planned(self, doc: _Doc, hit: Hit) -> bool:
        """Is the kind word said in the future (see language.reading), or dated the next
        day right after it, as headlines and SMS alerts do ("droits et paiements coupés
        demain de 6 h à 9 h")?"""
        if _TOMORROW.match(doc.text, hit.end):
            return True
        why = self._reading(doc, hit, self.rules.kind_slugs[hit.tag])
        return why is not None and why.startswith("future")

    def _reading(self, doc: _Doc, hit: Hit, kind: str = "") -> str | None:
        words = self.taxonomy.assertion
        if not words.negation:
            return None  # a taxonomy without assertion words: the surface rules alone
        found = doc.sentence_at(hit.start, hit.end)
        if found is None:
            return None
        return reading(found[0], found[1], words, kind, hit.end - hit.start) or (
            doc.answers_a_warning(hit.start, hit.end)
        )

    def _reports_event(self, doc: _Doc, start: int, end: int) -> bool:
        """Does the sentence around ``start``..``end`` report an incident or its end? Not
        one that recalls it, dated back ("Depuis les intrusions chez Viamedis et Almerys au
        début de 2024, les primes grimpent")."""
        low, high = doc.hard.before(start), doc.hard.after(end)
        rules = self.rules
        for matcher in (rules.kinds, rules.failure, rules.resolved):
            hits = doc.find(matcher)
            for index in range(bisect_left(doc.starts(matcher), low), len(hits)):
                hit = hits[index]
                if hit.start >= high:
                    break
                if self._event_or_status(doc, matcher, hit) and not (
                    matcher is rules.kinds and self._dated_back(doc, hit.start)
                ):
                    return True
        # or a kind the parse found there ("les règlements [...] n'arrivent plus")
        return any(
            low <= start < high and not self._dated_back(doc, start) for start in doc.related
        )

    def _status(
        self, doc: _Doc, current: StatusSignal | None, reports: bool = False
    ) -> tuple[StatusSignal | None, set[int]]:
        """The status signal, and the kinds that resolution wording names as broken: broken
        until now when it is resolved ("les portails sont de nouveau accessibles"), broken
        still when the resolution is denied ("les portails ne rouvriront pas avant lundi").

        failure (explicitly new or persisting) > resolved > failure (plain, current).
        """
        rules = self.rules
        new_failure = any(
            doc.counts(hit.start) and not self._unasserted(doc, hit)
            for hit in doc.find(rules.failure)
        )
        # kinds the status wording names as broken, each with the words that name it
        implied: dict[int | None, Hit] = {}  # until a return
        still_broken: dict[int | None, Hit] = {}  # still, as a return is denied
        pending: dict[int | None, Hit] = {}  # until a return still to come
        resolved = False
        not_back = False
        for hit in doc.find(rules.resolved):
            if doc.in_reference(hit.start) or doc.prefix_has(rules.recap, hit.start):
                continue
            kind = rules.resolved_kinds[hit.tag]
            if kind is not None and self._calendar(doc, Hit(kind, hit.start, hit.end)):
                continue  # "les règlements reprennent leur rythme habituel le 3 janvier"
            if doc.negated(hit.start):
                not_back = True  # "n'est toujours pas rétabli"
                still_broken.setdefault(kind, hit)
                continue
            if doc.prefix_has(rules.pending_before, hit.start) or rules.pending_after.match(
                doc.text, hit.end
            ):
                pending.setdefault(kind, hit)  # "devrait être rétabli", "rétabli d'ici lundi"
                continue
            if self._partial(doc, hit):
                not_back = True  # "l'accès n'est que partiellement rétabli"
                still_broken.setdefault(kind, hit)
                continue
            why = self._reading(doc, hit)
            if why is not None:
                doc.explain("not:resolved", hit, why)
                if why.startswith("negation"):
                    not_back = True
                    still_broken.setdefault(kind, hit)
                continue
            if self._awaited(doc, hit):
                pending.setdefault(kind, hit)
                continue
            if self._premises(doc, hit):
                continue
            resolved = True
            doc.explain("status:resolved", hit)
            implied.setdefault(kind, hit)
        named: set[int] = set()
        if resolved and None in implied and not (new_failure or not_back):
            # A return the patterns found without saying what was broken ("la prise de
            # commande rétablie"): what returned, read from the parse, says it.
            named = self._returning(doc, plans=False)
            if not (named or reports):
                # nor did the item name a kind: its title's topic may ("Livraisons : ...")
                named = self._topic_returning(doc, implied[None])
        if not (new_failure or not_back or resolved) and self._may_resolve(doc, reports):
            # Said in other words than the patterns: read from the parse.
            wanted = rules.resolution_keys
            for relation, hit, matched in self._relations_in(doc, wanted, _one_group, False):
                if doc.in_reference(hit.start) or doc.prefix_has(rules.recap, hit.start):
                    continue
                index = rules.kind_slugs.index(relation.kind) if relation.kind else None
                if index is not None and self._calendar(doc, Hit(index, hit.start, hit.end)):
                    continue
                resolved = True
                doc.explain("status:resolved", hit, matched)
                if relation.kind:
                    implied.setdefault(rules.kind_slugs.index(relation.kind), hit)
        if new_failure or not_back:
            return "failure", self._named_broken(doc, still_broken, "its return denied")
        if resolved:
            return "resolved", self._named_broken(doc, implied, "broken until its return") | named
        if pending and reports and current != "planned":
            # A return still to come in an item reporting an incident ("le retour à la
            # normale est attendu vendredi") says the service is broken until then, and
            # what returns says which.
            broken = self._named_broken(doc, pending, "broken until its return to come")
            return "failure", broken | (
                self._returning(doc, plans=True) if None in pending else set()
            )
        return current, set()

    def _named_broken(self, doc: _Doc, kinds: dict[int | None, Hit], why: str) -> set[int]:
        """The kinds status wording names, each explained by the words that name it."""
        for kind, hit in kinds.items():
            if kind is not None:
                doc.explain(f"kind:{self.rules.kind_slugs[kind]}", hit, why)
        return {kind for kind in kinds if kind is not None}

    def _returning(self, doc: _Doc, plans: bool) -> set[int]:
        """Kinds (indexes) that what returns in the item names as broken until then, read
        from the parse (the resolution relations that have a kind); ``plans``: whether a
        return to come counts."""
        rules, found = self.rules, set()
        named = [(r, heads, deps) for r, heads, deps in rules.resolution_keys if r.kind]
        for relation, hit, matched in self._relations_in(doc, named, _of_kind, plans):
            found.add(index := rules.kind_slugs.index(relation.kind))
            doc.explain(f"kind:{relation.kind}", Hit(index, hit.start, hit.end), matched)
        return found

    def _topic_returning(self, doc: _Doc, hit: Hit) -> set[int]:
        """Kinds (indexes) a title's topic names as broken until the return said after it
        ("Livraisons depuis Vierzon : retour à la normale", "Télétransmission : c'est
        reparti"): its nouns among what the resolution relations say returns."""
        colon = doc.text.rfind(":", 0, hit.start)
        if not doc.in_title(hit.start) or colon < 1:
            return set()
        topic = doc.sentence_at(colon - 1, colon - 1)
        if topic is None:
            return set()
        nouns = topic_nouns(topic[0])
        found: set[int] = set()
        for relation, _, _ in self.rules.resolution_keys:
            if relation.kind and nouns & relation.dependents:
                found.add(index := self.rules.kind_slugs.index(relation.kind))
                doc.explain(f"kind:{relation.kind}", Hit(index, hit.start, hit.end), "its topic")
        return found

    def _may_resolve(self, doc: _Doc, reports: bool) -> bool:
        """Whether to look for a return of service in the parse: only in items that report
        an incident or name a payer or an organisation (an end of trouble nobody is named
        in joins no incident), as the parse is the costly step."""
        if not self.taxonomy.assertion.negation or not self.rules.resolution_keys:
            return False
        rules = self.rules
        return reports or bool(doc.named(rules.payers) or doc.named(rules.organisations))

    def _awaited(self, doc: _Doc, hit: Hit) -> bool:
        """Is the return said as still to come ("la réouverture est prévue jeudi")?"""
        found = doc.sentence_at(hit.start, hit.end)
        if found is None or not self.taxonomy.assertion.negation:
            return False
        if not awaited(*found, self.taxonomy.assertion):
            return False
        doc.explain("not:resolved", hit, "awaited")
        return True

    def _premises(self, doc: _Doc, hit: Hit) -> bool:
        """Is the return a shop's reopening (see language.reopened_premises)?"""
        found = doc.sentence_at(hit.start, hit.end) if self.taxonomy.assertion.premises else None
        why = reopened_premises(*found, self.taxonomy.assertion) if found else None
        if why is not None:
            doc.explain("not:resolved", hit, f"premises: {why}")
        return why is not None

    def _partial(self, doc: _Doc, hit: Hit) -> bool:
        """Is the resolution said to be partial in its sentence ("un accès partiel rétabli",
        "retrouvé l'accès aux dossiers, mais pas à toutes les fonctions")?"""
        partial = self.rules.partial
        if partial is None:
            return False
        low = doc.hard.before(hit.start)
        if low not in doc.partial:  # once per sentence: bounded work on repetitive text
            found = partial.search(doc.text, low, doc.hard.after(hit.end))
            doc.partial[low] = None if found is None else found.group(0)
        if doc.partial[low] is not None:
            doc.explain("not:resolved", hit, f"partial ({doc.partial[low]})")
        return doc.partial[low] is not None

    # -- payers

    def _payers(self, doc: _Doc, incident: bool) -> tuple[str, ...]:
        """Payers the item is about: named in its title, or in a body sentence that reports
        an incident or the payer's own news; never in a list, a generic phrase, a recall or
        a negation. ``incident``: whether the item reports one."""
        named = doc.named(self.rules.payers)
        elsewhere_meant = self._homonyms_in_lead(doc, {m.slug for m in named})
        mentions = [
            m
            for m in named
            if not self._generic(doc, m) and not self._homonym(doc, m, elsewhere_meant)
        ]
        if not mentions:
            return ()
        unaffected = self._unaffected(doc, mentions)
        earlier = self._earlier_story(doc, mentions)
        # "Une semaine après Viamedis, c'est au tour d'Almerys": the title tells someone
        # else's story. "Après Viamedis et Almerys, l'authentification forte s'impose": it
        # tells what followed theirs, and the body decides as for any name.
        elsewhere = any(
            doc.in_title(m.start) and i not in earlier for i, m in enumerate(mentions)
        ) or self._reports_event(doc, 0, doc.title_end)
        # The title or the body's first sentence reports the incident without naming its
        # payer: the lead names it ("Retards de paiement et rejets en cascade : [...] la
        # relation avec la caisse primaire s'est tendue").
        opening = doc.hard.after(doc.title_end + 1)
        opening_event = (
            incident
            and not any(doc.in_title(m.start) for m in mentions)
            and (
                self._reports_event(doc, 0, doc.title_end)
                or self._reports_event(doc, doc.title_end + 1, opening)
            )
        )
        tags = self._title_list(doc, mentions)
        hit_title: set[str] = set()
        hit_body: set[str] = set()
        dropped: set[str] = set()
        plain: set[str] = set()  # named plainly, in no sentence that reports or lists
        for index, mention in enumerate(mentions):
            in_title = doc.in_title(mention.start)
            if index in unaffected:
                dropped.add(mention.slug)
            elif doc.in_scenario(mention.start):
                continue  # "Imaginons : le portail de Viamedis ne répond plus"
            elif index in earlier or doc.in_reference(mention.start):
                if in_title and (elsewhere or index not in earlier):
                    dropped.add(mention.slug)  # the title says the story is someone else's
            elif in_title and self._doubted(doc, mention):
                continue  # "Rumeur de piratage d'ameli"
            elif in_title and self._shared_beside_subject(doc, mention):
                continue  # "Panne Orange : une officine sans télécollecte ni cartes Vitale"
            elif in_title and tags:
                continue  # "#Almerys #Viamedis #iSanté #SPSanté #Actil": tags, no subject
            elif in_title:
                hit_title.add(mention.slug)
                doc.explain(f"payer:{mention.slug}", mention, "named in the title")
            elif self._listed(doc, mentions, index):
                continue  # "Viamedis, Almerys, iSanté ou Actil": examples, not the subject
            elif (
                incident
                and (
                    (opening_event and self._in_lead(doc, mention.start))
                    or self._names_alone(doc, mention)
                    or self._reports_event(doc, mention.start, mention.end)
                )
                and not self._destination(doc, mention)  # "les flux vers les caisses"
                and self._shared_in_trouble(doc, mention)
            ):
                # An opening reporting an incident without naming its payer leaves the lead
                # to name it; otherwise the payer's own sentence must report the incident.
                hit_body.add(mention.slug)
                doc.explain(f"payer:{mention.slug}", mention, "in an item reporting it")
            elif (news := self._news(doc, mention)) is not None:
                hit_body.add(mention.slug)
                doc.explain(f"payer:{mention.slug}", mention, f"its news ({news})")
            elif (news := self._brief_heading(doc, mention)) is not None:
                hit_body.add(mention.slug)
                doc.explain(f"payer:{mention.slug}", mention, f"heads a brief ({news})")
            elif not self._destination(doc, mention):
                plain.add(mention.slug)
        if incident and not (hit_title | hit_body | dropped) and len(plain) == 1:
            # Named once, then called "l'opérateur" in the sentence that reports the event
            # ("[...] toutes les complémentaires qui passent par Viamedis. [...] Depuis
            # l'attaque qui a frappé l'opérateur, le service reste fermé").
            found = self._called_back(doc)
            if found is not None:
                hit_body |= plain
                doc.explain(f"payer:{min(plain)}", found, "the one named, called back")
        hits = self._with_networks(doc, mentions, hit_title | (hit_body - dropped))
        if not incident:  # news: a service is a payer's only when nobody else's is named
            hits -= self._by_shared_names(doc, mentions, hits)
        return tuple(slug for slug in self.taxonomy.payers if slug in hits)

    def _called_back(self, doc: _Doc) -> Hit | None:
        """A sentence that reports the event of "l'opérateur", "la société", "le
        prestataire": a payer named elsewhere, called back."""
        for found in _CALLED_BACK.finditer(doc.text, doc.title_end):
            if self._reports_event(doc, found.start(), found.end()):
                return Hit(0, found.start(), found.end())
        return None

    def _title_list(self, doc: _Doc, mentions: Sequence[Mention]) -> bool:
        """A title made of three payers' names or more and little else (a post's hashtags,
        a list of partners): it names no subject."""
        named = [m for m in mentions if doc.in_title(m.start)]
        if len({m.slug for m in named}) < TITLE_LIST:
            return False
        rest = doc.text[: doc.title_end]
        for m in sorted(named, key=lambda m: m.start, reverse=True):
            rest = rest[: m.start] + " " + rest[m.end :]
        return len(re.findall(r"[^\W\d_]{3,}", rest)) <= TITLE_LIST_WORDS

    def _homonyms_in_lead(self, doc: _Doc, slugs: set[str]) -> set[str]:
        """The payers whose title or lead says another body of that name is meant
        (taxonomy.yaml ``homonyms``: "Tunisie : ..."): the scene of every sentence."""
        lead = doc.hard.after(doc.title_end + 1)
        return {
            slug
            for slug in slugs
            if (pattern := self.rules.homonyms.get(slug)) is not None
            and pattern.search(doc.text, 0, lead) is not None
        }

    def _homonym(self, doc: _Doc, mention: Mention, elsewhere_meant: set[str]) -> bool:
        """Does the sentence naming the payer, or the item's title and lead
        (``elsewhere_meant``), say another body of that name is meant ("la Bourse et Cetip
        fusionnent", "l'ACTIL, association des commerçants")?"""
        pattern = self.rules.homonyms.get(mention.slug)
        if pattern is None:
            return False
        start, end = doc.hard.before(mention.start), doc.hard.after(mention.end)
        if mention.slug not in elsewhere_meant and pattern.search(doc.text, start, end) is None:
            return False
        doc.explain(f"not:payer:{mention.slug}", mention, "another of the same name")
        return True

    def _shared_in_trouble(self, doc: _Doc, mention: Mention) -> bool:
        """A payer named by a service others share (the Vitale card, Mon espace santé)
        counts in an item reporting an incident only when the trouble follows that name
        ("l'application carte Vitale ne fonctionne plus"); "les clients dont la carte
        Vitale ne pouvait pas être mise à jour" during a network cut is collateral. Any
        other name counts as before."""
        if not self._named_by_shared_service(doc, mention):
            return True
        high = min(doc.hard.after(mention.end), mention.end + 60)
        for matcher in (self.rules.kinds, self.rules.failure):
            hits = doc.find(matcher)
            starts = doc.starts(matcher)
            index = bisect_left(starts, mention.end)
            if (
                index < len(hits)
                and hits[index].start < high
                and self._event_or_status(doc, matcher, hits[index])
            ):
                return True
        return False

    def _event_or_status(self, doc: _Doc, matcher: Matcher, hit: Hit) -> bool:
        """A kind's word that reports an event, or a status word that counts."""
        return self._event(doc, hit) if matcher is self.rules.kinds else doc.counts(hit.start)

    def _named_by_shared_service(self, doc: _Doc, mention: Mention) -> bool:
        """Is the mention one of its payer's names for a service others share ("carte
        Vitale", "Mon espace santé"; taxonomy.yaml ``shared``)?"""
        shared = self.rules.shared.get(mention.slug, frozenset())
        return " ".join(doc.text[mention.start : mention.end].split()) in shared

    def _shared_beside_subject(self, doc: _Doc, mention: Mention) -> bool:
        """A service other schemes share, named as what someone goes without ("Panne
        Orange : une officine sans télécollecte ni cartes Vitale"): the card is what the
        story touches, not its payer."""
        if not self._named_by_shared_service(doc, mention):
            return False
        return _WITHOUT.search(doc.text, max(0, mention.start - 48), mention.start) is not None

    def _by_shared_names(self, doc: _Doc, mentions: Sequence[Mention], hits: set[str]) -> set[str]:
        """Payers named only by a service other payers' members use too ("votre carte
        Vitale" in "Adhérents MSA : votre carte Vitale sur smartphone"), in news about
        another payer: not theirs."""
        found = set()
        for slug, _ in self.taxonomy.shared_of:
            if slug not in hits or not hits - {slug}:
                continue
            own = [m for m in mentions if m.slug == slug]
            if all(self._named_by_shared_service(doc, m) for m in own):
                found.add(slug)
                doc.explain(f"not:payer:{slug}", own[0], "named by a shared service only")
        return found

    def _in_lead(self, doc: _Doc, start: int) -> bool:
        """Is ``start`` in the body's first LEAD_SENTENCES sentences, where a story names
        whom its title's event hit ("Cyberattaque : les opticiens privés de prise en charge"
        then "Viamedis a confirmé...")? Further down, a payer helps, comments or is
        compared ("les équipes de la Cnam sont mobilisées")."""
        low = doc.title_end
        for _ in range(LEAD_SENTENCES):
            low = doc.hard.after(low + 1)
        return start < low

    def _doubted(self, doc: _Doc, mention: Mention) -> bool:
        """A name the parse puts under a belief or a negation ("Rumeur de piratage d'ameli")."""
        found = doc.sentence_at(mention.start, mention.end)
        if found is None or not self.taxonomy.assertion.negation:
            return False
        why = reading(found[0], found[1], self.taxonomy.assertion)
        if why is None or not why.startswith(("belief", "negation")):
            return False
        if why == "negation: sans" and _SPELL_WITHOUT.search(
            doc.text, max(0, mention.start - 40), mention.start
        ):
            return False  # "Dix jours sans Viamedis": the payer is what went missing
        if why.startswith("negation") and self._negation_is_trouble(doc, mention):
            return False  # "Viamedis ne répond plus": the negation is the failure
        doc.explain(f"not:payer:{mention.slug}", mention, why)
        return True

    def _negation_is_trouble(self, doc: _Doc, mention: Mention) -> bool:
        """Does a word of a kind that holds its own negation ("ne répond plus", "n'arrive
        plus à se connecter") follow the name in its clause: the payer is what fails?"""
        high = doc.clause.after(mention.end)
        hits = doc.find(self.rules.kinds)
        index = bisect_left(doc.starts(self.rules.kinds), mention.end)
        for hit in hits[index:]:
            if hit.start >= high:
                return False
            if self.rules.negators.search(doc.text, hit.start, hit.end):
                return True
        return False

    def _destination(self, doc: _Doc, mention: Mention) -> bool:
        """A name where something goes (see language.is_destination)."""
        words = self.taxonomy.assertion
        found = doc.sentence_at(mention.start, mention.end) if words.destinations else None
        why = is_destination(found[0], found[1], words) if found else None
        if why is not None:
            doc.explain(f"not:payer:{mention.slug}", mention, f"destination: {why}")
        return why is not None

    def _generic(self, doc: _Doc, mention: Mention) -> bool:
        """A name inside a generic phrase: "organismes complémentaires d'assurance maladie"."""
        low = max(doc.hard.before(mention.start), mention.start - WINDOW)
        return bool(self.rules.generic_before.search(doc.text, low, mention.start))

    def _names_alone(self, doc: _Doc, mention: Mention) -> bool:
        """Is the mention a block of its own (a list item, a heading: "<li>Viamedis</li>"),
        which in an item reporting an incident names who is hit?"""
        low, high = doc.hard.before(mention.start), doc.hard.after(mention.end)
        before, after = doc.text[low : mention.start], doc.text[mention.end : high]
        return not before.strip() and not after.strip()

    def _listed(self, doc: _Doc, mentions: Sequence[Mention], index: int) -> bool:
        """Is the mention one of LISTED or more payers named in a row in its sentence? An
        operator and the networks it runs count as one ("le Cetip, via ses réseaux iSanté
        et SP Santé" names one payer's business)."""
        low = doc.hard.before(mentions[index].start)
        if low not in doc.listed:  # one count per sentence: bounded work on long lists
            high = doc.hard.after(mentions[index].end)
            first = bisect_left([m.start for m in mentions], low) if len(mentions) > 1 else 0
            operator_of = self._operator_of
            near: set[str] = set()
            for mention in mentions[first:]:
                if mention.start >= high or len(near) >= LISTED:
                    break
                near.add(operator_of.get(mention.slug, mention.slug))
            doc.listed[low] = len(near) >= LISTED
        return doc.listed[low]

    def _news(self, doc: _Doc, mention: Mention) -> str | None:
        words = self.taxonomy.assertion
        if not self._in_lead(doc, mention.start) or self._quoted(doc, mention.start):
            # A payer's news is what the item opens with, in its own words; further down,
            # a payer named as the subject of something is background ("la rémunération
            # versée par la Sécurité sociale" in a story about a strike, "le portail
            # Almerys, en 2023"), and in a quote it is someone's experience ("« je
            # travaille avec les réseaux Santéclair et Kalixia »").
            return None
        found = doc.sentence_at(mention.start, mention.end) if words.news else None
        return is_news_about(found[0], found[1], words) if found else None

    def _brief_heading(self, doc: _Doc, mention: Mention) -> str | None:
        """A payer's name heading a brief of a digest, alone before a full stop, a colon or
        a dash at a paragraph's start ("MSA. Le 1er novembre étant férié, les paiements
        seront effectués la veille.", "Viamedis – Fin d'année. Les paiements prévus le 25
        décembre..."): the brief is its news when its first sentence, or the next after a
        short label, says some."""
        if doc.in_title(mention.start) or not self.taxonomy.assertion.news:
            return None
        start = doc.hard.before(mention.start)
        if doc.text[start : mention.start].strip():
            return None  # not the first word of its sentence
        opening = doc.original_between(max(doc.title_end, start - 3), start)
        if opening is None or "\n" not in opening:
            return None  # not a paragraph's first words
        if not _HEADING_MARK.match(doc.text, mention.end):
            return None
        brief = doc.hard.after(mention.end)  # the heading's own end
        for _ in range(2):
            found = doc.sentence_at(brief + 2, brief + 3)
            said = news_word(found[0], self.taxonomy.assertion) if found else None
            if said is not None or found is None or len(found[0].split()) > BRIEF_LABEL:
                return said
            brief = doc.hard.after(brief + 2)  # "Fin d'année." labels the brief: read on
        return None

    def _quoted(self, doc: _Doc, start: int) -> bool:
        """Is folded offset ``start`` inside a quotation opened by « in its paragraph?"""
        before = doc.original_between(doc.hard.before(start), start)
        if before is None:
            return False
        paragraph = before.rsplit("\n", 1)[-1]
        return paragraph.count("«") > paragraph.count("»")

    @cached_property
    def _operator_of(self) -> dict[str, str]:
        """Each network's operator (taxonomy.yaml ``networks``), computed once."""
        return self.taxonomy.operator_of

    def _with_networks(self, doc: _Doc, mentions: Sequence[Mention], hits: set[str]) -> set[str]:
        """An operator's item is also about the networks it runs that the item names, and a
        network's item about the operator it names (Cetip runs iSanté and SP Santé)."""
        named = {m.slug for m in mentions}
        for operator, networks in self.taxonomy.networks.items():
            if operator in hits:
                hits |= networks & named
            elif hits & networks and operator in named:
                hits.add(operator)
        return hits

    def _unaffected(self, doc: _Doc, mentions: list[Mention]) -> set[int]:
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

    def _earlier_story(self, doc: _Doc, mentions: list[Mention]) -> set[int]:
        """Indexes of mentions named as an earlier story ("une semaine après Viamedis") or
        as a contrast ("contrairement à Viamedis")."""
        found: set[int] = set()
        starts = [mention.start for mention in mentions]
        ends = {mention.end for mention in mentions}
        for marker in doc.find(self.rules.payer_references):
            if doc.text[marker.start : marker.end] == "comme" and marker.start - 1 in ends:
                continue  # "chez Viamedis comme chez Almerys": both, not a comparison
            found.update(_enumeration(doc.text, marker.end, mentions, starts))
        # A contrast names what the item is not about, to the end of its phrase:
        # "Contrairement à l'attaque contre Viamedis en 2024, aucune donnée n'a été volée",
        # "Contrairement à Almerys, Viamedis ne répond plus"; unless what follows says
        # someone was spared: "Contrairement à Viamedis, Almerys n'a pas été touché".
        spared = [hit.start for hit in doc.find(self.rules.not_affected_after)]
        for contrast in self.rules.contrasts.finditer(doc.text):
            end = doc.punct.after(contrast.end())
            after = bisect_left(spared, end)
            if after < len(spared) and spared[after] < doc.hard.after(end):
                continue
            found.update(range(bisect_left(starts, contrast.end()), bisect_left(starts, end)))
        return found

    # -- actions

    def _actions(self, doc: _Doc) -> tuple[str, ...]:
        chosen: list[int] = []
        for hit in doc.find(self.rules.actions):
            if hit.tag not in chosen and doc.counts(hit.start):
                chosen.append(hit.tag)
        return tuple(self.rules.action_phrases[i] for i in chosen[:MAX_ACTIONS])


def _denied(words: Sequence[str], negation: frozenset[str]) -> bool:
    """Whether a sentence's words hold a negation: "plus" only with a "ne" ("ne règle
    plus") or before "de" ("plus de livraisons"), not as a comparative ("des règles plus
    simples"), which most sentences holding it are."""
    found = negation.intersection(words)  # holds "ne" and "n" beside "plus" when both stand
    if found != {"plus"}:
        return bool(found)
    return any(w == "plus" and nxt in ("de", "d") for w, nxt in itertools.pairwise(words))


def _two_words(
    words: Sequence[str], relation: Relation, heads: frozenset[str], deps: frozenset[str]
) -> bool:
    """Whether a word that may be a form of a head and one that may be a form of a
    dependent (the start of one, see language.stem) are two different words: one word
    starting both ("compte" for *compromettre* and *compte*, "règlement" for *régler* and
    *règlement*) is no pair, and most sentences holding it are not parsed."""
    head_stems, dependent_stems = relation.stems
    head_words = {i for i, w in enumerate(words) if w[:4] in heads and w.startswith(head_stems)}
    if not head_words:
        return False
    dep_words = {i for i, w in enumerate(words) if w[:4] in deps and w.startswith(dependent_stems)}
    return bool(dep_words) and len(head_words | dep_words) > 1


def _of_kind(relation: Relation) -> object:
    return relation.kind


def _of_role(relation: Relation) -> object:
    """A kind's relations, those naming a fault generically apart: one of each is looked for."""
    return relation.kind, relation.cause


def _one_group(relation: Relation) -> object:
    """Relations of which one found is enough: any return of service says it is back."""
    return None


def _masked(hits: Sequence[Hit], masks: Sequence[frozenset[int]]) -> dict[int, _Runs]:
    """By kind index: where its hits are covered by the match of a kind that masks it."""
    spans: dict[int, list[tuple[int, int]]] = {}
    for hit in hits:
        for masked in masks[hit.tag]:
            spans.setdefault(masked, []).append((hit.start, hit.end))
    return {kind: _Runs(found) for kind, found in spans.items()}


def _enumeration(
    text: str, pos: int, mentions: Sequence[Mention], starts: Sequence[int]
) -> Iterator[int]:
    """Indexes of the mentions listed one after another from ``pos`` ("hors X, Y et Z").

    ``starts`` are the mentions' start offsets; a list stops after ``MAX_LISTED`` names.
    Names after a comma belong to the list only when a conjunction closes it: in "après
    Kalixia, Santéclair renforce ses contrôles" the list is Kalixia alone.
    """
    listed: list[int] = []
    closed = 1  # how many of the listed names a conjunction or the first place holds
    first = bisect_left(starts, pos)
    for index in range(first, min(len(mentions), first + MAX_LISTED)):
        mention = mentions[index]
        if mention.start < pos:
            continue  # another alias of the same name, overlapping
        gap = _ENUM_GAP.fullmatch(text, pos, mention.start)
        if not gap:
            break
        listed.append(index)
        if _ENUM_JOIN.search(gap.group()):
            closed = len(listed)
        pos = mention.end
    yield from listed[:closed]
