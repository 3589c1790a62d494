"""The linguistic layer: what a sentence asserts about one of its words, read from a parse.

The rules of ``taxonomy.yaml`` find candidate words (a kind's trigger, a resolution); this
module says whether the sentence holding one *asserts* it, from a dependency parse by spaCy's
``fr_core_news_sm`` (lemmas, parts of speech, morphology, relations). Word windows cannot
read "aucune d'entre elles n'a été piratée", "certains ont cru à une cyberattaque", "les
identifiants avaient été obtenus par hameçonnage" or "le service sera interrompu samedi";
the parse reads them all the same way whatever the inflection, the word order or the words
in between.

Why spaCy: a maintained French model with a parser and morphology (Tense, Mood, Polarity)
in one small package on PyPI; a lemmatizer alone (simplemma) sees no negation scope or tense.

The model is loaded once per process, and only when a sentence needs reading: sentences are
parsed only where a rule already found a candidate word, so most items cost no parse.

The words that matter (negators, verbs of belief, markers of warnings and means) are data:
the ``assertion`` section of taxonomy.yaml, read into :class:`AssertionWords`.

>>> words = AssertionWords.from_data({"negation": ["aucun"], "belief": ["croire"]})
>>> reading("Certains ont cru à une cyberattaque.", 23, words)
'belief: croire'
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, fields
from functools import cached_property, lru_cache
from typing import Any, TypeVar

from aggregator.text.folding import fold

A = TypeVar("A")
T = TypeVar("T")

MODEL = "fr_core_news_sm"
# Sentences longer than this are not parsed (a table flattened into one "sentence"):
# their words keep the reading of the surface rules.
MAX_SENTENCE = 1200
PARSE_CACHE = 4096  # sentences kept parsed: syndicated copies repeat them word for word
PIPE_BATCH = 64  # sentences per nlp.pipe batch (see batched)
GATHER_ROUNDS = 6  # rounds of batched(); a classification asks for a few sentences in turn


@dataclass(frozen=True)
class AssertionWords:
    """Lemmas that change what a sentence asserts about a word they govern or modify."""

    negation: frozenset[str] = frozenset()  # aucun, jamais, sans...
    negation_near: frozenset[str] = frozenset()  # non: only of the word it modifies
    partial: frozenset[str] = frozenset()  # toujours after pas: "n'aboutissent pas toujours"
    findings: frozenset[str] = frozenset()  # constater, état: "n'a pas fait état d'un vol"
    belief: frozenset[str] = frozenset()  # croire, rumeur, démentir: not a fact
    warning: frozenset[str] = frozenset()  # risque, garde, vigilance: a threat, not an event
    upcoming: frozenset[str] = frozenset()  # prochain: a plan when dated, else a threat
    means: frozenset[str] = frozenset()  # par, moyen: how another event was done
    means_kinds: frozenset[str] = frozenset()  # kinds that are no event when a means
    recall: frozenset[str] = frozenset()  # "à l'époque", "par le passé": heads of dated phrases
    topics: frozenset[str] = frozenset()  # rapport, prévention: "l'observatoire des incidents"
    share_verbs: frozenset[str] = frozenset()  # représenter, figurer: a share measured...
    share_words: frozenset[str] = frozenset()  # part, parmi: ...with a word of proportion
    trends: frozenset[str] = frozenset()  # se multiplier, hausse: a class of events rising
    tallies: frozenset[str] = frozenset()  # recenser, dénombrer: threats counted, not one
    definitions: frozenset[str] = frozenset()  # consister, désigner: "le phishing consiste à"
    definition_objects: frozenset[str] = frozenset()  # forme: "prend plusieurs formes"
    now: frozenset[str] = frozenset()  # depuis, hier, semaine: a trend dated now is an event
    trend_kinds: frozenset[str] = frozenset()  # threats, whose rise is a climate, not an event
    habits: frozenset[str] = frozenset()  # souvent, régulier: a threat as it usually comes
    examples: frozenset[str] = frozenset()  # courant, exemple: "les plus courants : ..."
    instead: frozenset[str] = frozenset()  # plutôt (que), (au) lieu (de): not done
    silence: frozenset[str] = frozenset()  # communiquer: "n'a pas communiqué sur X" has X
    advice: frozenset[str] = frozenset()  # inviter (à désactiver): an act advised, not done
    threats: frozenset[str] = frozenset()  # menacer (de suspendre): an act threatened, any kind
    mistaken: frozenset[str] = frozenset()  # prendre (pour): "je l'ai pris pour une arnaque"
    abilities: frozenset[str] = frozenset()  # pouvoir: "peuvent nourrir des escroqueries"
    evidence: frozenset[str] = frozenset()  # indiquer: "rien n'indique que [...] consultées"
    minor: frozenset[str] = frozenset()  # petit, léger: "quelques petits bugs" is no incident
    used: frozenset[str] = frozenset()  # utiliser: "a utilisé X pour consulter": it was done
    stopping: frozenset[str] = frozenset()  # cesser (de régler): the infinitive no longer done
    bodies: frozenset[str] = frozenset()  # caisse, direction: "la Caisse nationale de l'AM"
    destinations: frozenset[str] = frozenset()  # vers: "les flux vers les caisses"
    premises: frozenset[str] = frozenset()  # pharmacie: "la pharmacie a rouvert" is no service
    reopen: frozenset[str] = frozenset()  # rouvrir: what premises do when they reopen
    resolving: frozenset[str] = frozenset()  # résoudre: "la panne n'est pas résolue" has one
    advice_kinds: frozenset[str] = frozenset()  # kinds an advised act is not
    recall_periods: frozenset[str] = frozenset()  # an, hiver: with a marker below, a past
    recall_adjectives: frozenset[str] = frozenset()  # ancien, précédent: "anciennes campagnes"
    fakes: frozenset[str] = frozenset()  # faux, prétendu: "de faux remboursements en attente"
    fake_kinds: frozenset[str] = frozenset()  # kinds a fake adjective cancels
    recall_markers: frozenset[str] = frozenset()  # dernier, il ("il y a"): "l'an dernier"
    goods: frozenset[str] = frozenset()  # médicament, vaccin: what a shortage is about
    goods_kinds: frozenset[str] = frozenset()  # kinds that are no event when said of goods
    guards: frozenset[str] = frozenset()  # protéger, éviter: their object is a threat
    skills: frozenset[str] = frozenset()  # apprendre (à repérer): a threat learnt about
    spotting: frozenset[str] = frozenset()  # repérer: "au programme : repérer un faux SMS"
    enabling: frozenset[str] = frozenset()  # permettre: "permet de détecter l'hameçonnage"
    hypotheses: frozenset[str] = frozenset()  # cas: "en cas de panne" is no panne
    expectation: frozenset[str] = frozenset()  # prévoir, réclamer: what they govern is to come
    purpose: frozenset[str] = frozenset()  # pour, afin: "pour récupérer des données" is an aim
    news: frozenset[str] = frozenset()  # signer, convention, réseau: a payer's own news
    others_too: frozenset[str] = frozenset()  # phrases ("vous aussi"): a question that tells
    # one's own trouble, asking whether others see it
    condition: frozenset[str] = frozenset()  # défaut, absence, peine, si: the verb above
    # depends on a condition ("à défaut de réponse, nous suspendrons"): a threat, not a fact
    scope_breakers: frozenset[str] = frozenset()  # depuis, après: a phrase the verb's
    # negation does not reach ("n'est pas envisagée avant... fermés depuis l'attaque")
    rate_units: frozenset[str] = frozenset()  # euro, minute: "un euro par facture" (any case)
    interrogatives: frozenset[str] = frozenset()  # comment, quand: a question that asks
    inverted_subjects: frozenset[str] = frozenset()  # il ("seront-ils"): a question that asks

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> AssertionWords:
        """From taxonomy.yaml's ``assertion``: lemmas compared plain (see _plain), kind
        slugs (the ``*_kinds`` lists) as written."""

        def values(key: str) -> frozenset[str]:
            raw = [str(w) for w in data.get(key) or ()]
            if key == "others_too":
                return frozenset(map(_phrase, raw))
            return frozenset(raw if key.endswith("_kinds") else map(_plain, raw))

        return cls(**{f.name: values(f.name) for f in fields(cls)})


@lru_cache(maxsize=65536)
def _plain(word: str) -> str:
    """Lemma as compared: lower case, no accents (the model's lemmas vary on accents)."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=1)
def _nlp() -> Any:
    """The French pipeline, loaded once per process (named entities are not used). What it
    parses is one sentence already (the classifier's): the parser may not split it, so every
    word hangs in one tree and a verb's tense and negation reach all of its clause."""
    import spacy
    from spacy.language import Language

    if not Language.has_factory("one_sentence"):
        Language.component("one_sentence", func=_one_sentence)
    nlp = spacy.load(MODEL, exclude=["ner"])
    nlp.add_pipe("one_sentence", before="parser")
    return nlp


def _one_sentence(doc: Any) -> Any:
    for token in doc[1:]:
        token.is_sent_start = False
    return doc


def available() -> bool:
    """Whether the model can be loaded (installed with the package's dependencies)."""
    try:
        _nlp()
    except (ImportError, OSError):
        return False
    return True


class ParseNeeded(Exception):
    """Raised by :func:`parse` for a sentence not parsed yet while :func:`batched` gathers."""


_parsed: OrderedDict[str, Any] = OrderedDict()  # the last PARSE_CACHE sentences parsed


class _Gathering(threading.local):
    wanted: set[str] | None = None  # sentences asked for while batched() gathers


_gathering = _Gathering()


def parse(sentence: str) -> Any:
    """The spaCy Doc of one sentence."""
    doc = _parsed.get(sentence)
    if doc is not None:
        _parsed.move_to_end(sentence)
        return doc
    if _gathering.wanted is not None:
        _gathering.wanted.add(sentence)
        raise ParseNeeded(sentence)
    doc = _nlp()(for_the_parser(sentence))
    _keep(sentence, doc)
    return doc


def for_the_parser(sentence: str) -> str:
    """The sentence with each run of pictographs read as a comma (offsets kept): "🔧 Votre
    compte sera indisponible" parsed as written makes the emoji the sentence's root, and the
    verb's tense reaches nothing; posts and messages open and close sentences with them."""
    return _PICTOGRAPHS.sub(lambda m: "," * len(m.group()), sentence)


# Arrows, symbols and dingbats, emoji and their joiners and variation selectors.
_PICTOGRAPHS = re.compile("[\u2190-\u21ff\u2300-\u2bff\u200d\ufe00-\ufe0f\U0001f000-\U0001faff]+")


def _keep(sentence: str, doc: Any) -> None:
    # The parse is kept, not the layer's vectors it was computed from (doc.tensor: 384
    # bytes a word, never read here), so the cache's thousands of sentences stay small.
    doc.tensor = doc.tensor[:0].copy()  # a copy: a view would keep the whole array
    _parsed[sentence] = doc
    if len(_parsed) > PARSE_CACHE:
        _parsed.popitem(last=False)


def batched(function: Callable[[A], T], inputs: Sequence[A]) -> list[T]:
    """``[function(x) for x in inputs]``, with the sentences the calls parse parsed together.

    spaCy parses a batch of sentences (``nlp.pipe``) in about half the time it takes one by
    one. Which sentences a classification reads depends on the parses it has read, so they
    cannot be listed ahead: each round calls ``function`` on the inputs not done yet, and a
    call that asks for a sentence not parsed yet stops (ParseNeeded, noted); the sentences
    noted are then parsed in one batch and those calls start again. Calls hold no state
    between rounds (``function`` must be pure but for the caches), and after
    ``GATHER_ROUNDS`` the rest run as usual, parsing one sentence at a time.
    """
    results: dict[int, T] = {}
    todo = list(range(len(inputs)))
    for _ in range(GATHER_ROUNDS):
        wanted: set[str] = set()
        _gathering.wanted, left = wanted, []
        try:
            for i in todo:
                try:
                    results[i] = function(inputs[i])
                except ParseNeeded:
                    left.append(i)
        finally:
            _gathering.wanted = None
        todo = left
        if not todo:
            break
        fresh = sorted(wanted)  # sorted: the same batches whatever the order of the inputs
        texts = [for_the_parser(s) for s in fresh]
        for sentence, doc in zip(fresh, _nlp().pipe(texts, batch_size=PIPE_BATCH), strict=True):
            _keep(sentence, doc)
    for i in todo:
        results[i] = function(inputs[i])
    return [results[i] for i in range(len(inputs))]


@lru_cache(maxsize=PARSE_CACHE)
def has_finite_verb(sentence: str, main: bool = False) -> bool:
    """Whether the sentence conjugates a verb ("les portails sont fermés") rather than only
    naming things ("Feuilles de soins bloquées": a participle is no tense). ``main``: only a
    verb of its own, not one of a clause describing a noun ("un message qui semble venir
    d'un organisme officiel" names a thing)."""
    if len(sentence) > MAX_SENTENCE:
        return True
    return any(_conjugated(t) and not (main and _in_noun_clause(t)) for t in parse(sentence))


def _in_noun_clause(token: Any) -> bool:
    """Is the word in a clause describing a noun (under an ``acl`` relation)?"""
    return any(a.dep_.startswith("acl") for a in (token, *token.ancestors))


def _conjugated(token: Any) -> bool:
    """Is the word a verb in a finite form (a tense, not a participle or an infinitive)?"""
    return token.pos_ in ("VERB", "AUX") and "Fin" in token.morph.get("VerbForm")


def leading_noun(phrase: str, nouns: frozenset[str]) -> str | None:
    """The noun of ``nouns`` (folded) a short phrase without a verb of its own opens with
    ("les bons réflexes à rappeler": réflexe; "le guide pratique", the model reading "guide"
    as a verb), or None when another noun or a verb comes first, or a conjugated verb
    follows ("le bilan s'alourdit" reports), unless it describes the noun ("cinq signes qui
    doivent vous alerter")."""
    if not phrase or len(phrase) > MAX_SENTENCE:
        return None
    tokens = list(parse(phrase))
    for n, token in enumerate(tokens):
        if found := _noun_forms(token) & nouns:
            after = tokens[n + 1 :]
            return None if any(_conjugated(t) and not _describing(t) for t in after) else min(found)
        if token.pos_ in ("NOUN", "PROPN", "VERB", "AUX"):
            return None
    return None


@lru_cache(maxsize=PARSE_CACHE)
def reading(
    sentence: str, offset: int, words: AssertionWords, kind: str = "", length: int = 1
) -> str | None:
    """Why the words at ``offset`` (``length`` characters) of ``sentence`` are not asserted
    as a current fact, or None when they are. The answer names the reason and the word that
    gives it ("negation: aucun", "belief: croire", "warning: risque", "means: par", "recall:
    avoir (pluperfect)", "future: être": a plan, which the caller may take as a fact).
    ``kind``: the kind the words trigger, for kinds that are no event when named as the
    means of another ("obtenus par hameçonnage"). A negation inside the words themselves
    ("ne répond plus") is theirs, not one over them."""
    token = _token_at(sentence, offset)
    if token is None:
        return None
    inside = range(offset, offset + max(length, 1))
    return _why_not(token, words, kind, inside)


def _token_at(sentence: str, offset: int) -> Any:
    """The parsed word at ``offset`` of the sentence; None past its end or for a sentence
    too long to parse (see MAX_SENTENCE)."""
    if len(sentence) > MAX_SENTENCE:
        return None
    return next((t for t in parse(sentence) if t.idx <= offset < t.idx + max(len(t.text), 1)), None)


def _why_not(
    token: Any, words: AssertionWords, kind: str, inside: range | frozenset[int]
) -> str | None:
    predicate = _predicate(token)
    negation = _negation(token, words, inside)
    if negation is not None:
        # not done as a rule, rather than not done now: "l'assurance ne rouvre pas un
        # portail" (see _any_case)
        objects = (c for c in token.children if c.dep_ == "obj")
        rule = next((why for c in objects if (why := _as_a_rule(c))), None)
        return rule or f"negation: {negation.text.lower()}"
    noun = _noun(token)
    # "d'éventuels messages frauduleux"; "quelques petits bugs de temps en temps"
    describing = [_verb_forms(c) for c in noun.children if c.dep_ == "amod"]
    before = token.doc[token.i - 1] if token.i else None
    if before is not None and before.pos_ == "ADJ" and before.head != token:
        # an adjective right before it describes it, whatever the parse made of the two
        # ("pour la prochaine panne", "panne" read as the adjective's modifier)
        describing.append(_verb_forms(before))
    minor = words.minor if "Plur" in noun.morph.get("Number") else frozenset()
    # What something was taken for: "je l'ai pris pour une arnaque" (it was none).
    taken_for = any(c.dep_ == "case" and _plain(c.lemma_) == "pour" for c in noun.children)
    if taken_for and noun.head != noun and (found := _verb_forms(noun.head) & words.mistaken):
        return f"mistaken: {min(found)}"
    for forms in describing:
        if found := forms & words.warning:
            return f"warning: {min(found)}"
        if found := forms & words.upcoming:
            dated = any(_plain(t.lemma_) in words.now or t.pos_ == "NUM" for t in token.doc)
            return f"{'future' if dated else 'warning'}: {min(found)}"
        if found := forms & minor:
            return f"minor: {min(found)}"
    # "toute connexion non autorisée", "toute fuite doit être notifiée": any, not one
    clause = predicate.head if predicate.dep_ == "xcomp" else predicate  # "doit être notifiée"
    subjects = (c for c in (*predicate.children, *clause.children) if c.dep_.startswith("nsubj"))
    for said_of in (noun, *subjects):
        if (generic := _any_case(said_of, words)) is not None:
            return generic
    if kind in words.means_kinds:
        # The word, or the noun it completes ("lors d'une campagne d'hameçonnage").
        for noun in _with_governor(token):
            case = next((c for c in noun.children if c.dep_ == "case"), None)
            if case is not None and _plain(case.lemma_) in words.means:
                return f"means: {case.text.lower()}"
            if noun.head != noun and _plain(noun.head.lemma_) in words.means:
                return f"means: {noun.head.text.lower()}"  # "lors" read as the head
    if kind in words.fake_kinds:  # "de faux remboursements en attente": a lure, not a delay
        noun = _noun(token)
        if noun != token and _plain(noun.lemma_) in words.fakes:
            return f"fake: {noun.text.lower()}"  # the model made the adjective the head
        for child in (*noun.children, token):
            if child.dep_ == "amod" and _plain(child.lemma_) in words.fakes:
                return f"fake: {child.text.lower()}"
    if kind in words.goods_kinds:
        for node in (token, predicate):
            for child in node.children:
                if child.dep_.startswith("nsubj") and _plain(child.lemma_) in words.goods:
                    return f"goods: {child.text.lower()}"  # a shortage, not a service down
    if "Inf" in predicate.morph.get("VerbForm") and not _used_for(predicate, words):
        mark = next((c for c in predicate.children if c.dep_ in ("mark", "case")), None)
        if mark is not None and _plain(mark.lemma_) in words.purpose:
            return f"purpose: {mark.text.lower()}"
    # A threat or a condition governs its own clause, not a clause joined to it ("qui
    # menaçaient de suspendre..., se félicitent de la reprise"): they stop at a conjunct.
    joined = False
    # The trigger is itself an infinitive: an act that a verb of advice above may ask for,
    # or that a threat right before it announces, whatever the parse made of the two
    # ("le message menace de couper l'accès").
    # (a pattern may start at the verb's "ne": "ne plus pratiquer le tiers payant")
    verb = token
    if _plain(token.lemma_) in ("ne", "n"):
        verb = next((t for t in token.doc[token.i : token.i + 4] if t.pos_ == "VERB"), token)
    an_act = "Inf" in verb.morph.get("VerbForm")
    advised = kind in words.advice_kinds and an_act
    mark = next((c for c in token.children if c.dep_ == "mark" and 0 < c.i < token.i), None)
    before = _verb_forms(token.doc[mark.i - 1]) if an_act and mark is not None else frozenset()
    if found := before & words.threats:
        return f"threat: {min(found)}"
    if advised and (found := before & words.advice):
        return f"advice: {min(found)}"
    below = token  # the node just below ``node``: how the path reached it
    for node in _ancestors(token):
        lemmas = _verb_forms(node)
        # Who believes or warns is not what is believed ("l'Assurance maladie redoute...").
        holder = below != node and below.dep_.startswith("nsubj")
        if not holder and (found := lemmas & words.belief):
            return f"belief: {min(found)}"
        if not holder and node != token and (found := lemmas & words.recall):
            return f"recall: {min(found)}"  # "ont encore en mémoire la fermeture des portails"
        if not joined and not holder and node != token and (found := lemmas & words.warning):
            return f"warning: {min(found)}"
        # What the subject is said to be: "la cyberattaque est devenue le premier risque",
        # "le rançongiciel, une menace pour les hôpitaux"
        if holder and (found := _said_to_be(node, words) & words.warning):
            return f"warning: {min(found)}"
        relative = node != token and node.dep_ == "acl:relcl" and not _completive(node)
        if relative and _pluperfect(node):
            return "recall: avoir (pluperfect)"  # "le syndicat, qui avait menacé de cesser..."
        if node.dep_ == "advcl" and _pluperfect(node, copula=True):
            # "l'épisode du printemps, lorsque les virements n'étaient plus parvenus"
            return "recall: pluperfect"
        if advised and node != token and (found := lemmas & words.advice):
            return f"advice: {min(found)}"  # "invitées à [...] désactiver le service"
        if an_act and node != token and (found := lemmas & words.threats):
            return f"threat: {min(found)}"  # "il menace de demander [...] de suspendre"
        if node != token and below.dep_ == "xcomp" and _may(node, words):
            return f"possibility: {_plain(node.lemma_)}"  # "peuvent nourrir des escroqueries"
        if node != token and below.dep_ == "ccomp" and (why := _unproven(node, below, words)):
            return why
        why = None if joined else _conditional(node, words) or _aim_or_question(node, words)
        # In the past conditional, what might have followed is possible, its subject is
        # not: "les accès malveillants auraient pu permettre une extraction".
        possible = why is not None and holder and why.startswith("possibility")
        if possible and any(c.dep_ == "aux:tense" for c in node.children):
            why = None
        if why is not None:
            return why
        # Only clauses are joined: nouns coordinated ("le risque d'erreurs et de rejets")
        # stay under the warning of the first.
        clause = node.pos_ in ("VERB", "AUX") or any(
            c.dep_.startswith("nsubj") for c in node.children
        )
        # Coordinated infinitives share what governs them: "comment continuer à délivrer et
        # à facturer en mode dégradé".
        infinitive = "Inf" in node.morph.get("VerbForm")
        joined = joined or (
            clause and node.dep_.startswith(("conj", "parataxis")) and not infinitive
        )
        below = node
    return (
        _warned_against(token, words)
        or _guarded(token, words)
        or _programme(token, words)
        or _topic(token, words)
        or _measured(token, words, kind in words.trend_kinds)
        or (_climate(token, words) if kind in words.trend_kinds else None)
        or _defined(token, words)
        or _aged(token, words)
        or _tense(predicate, words)
        or _scheduled(token, words)
    )


_BECOMING = frozenset(("devenir", "etre", "rester", "demeurer", "constituer", "representer"))


def _said_to_be(node: Any, words: AssertionWords) -> frozenset[str]:
    """The lemmas of what a subject is said to be: a noun with a copula, or the complement
    of a verb of becoming or remaining ("est devenue le premier risque")."""
    if node.pos_ == "NOUN" and any(c.dep_ == "cop" for c in node.children):
        return _verb_forms(node)
    if _plain(node.lemma_) not in _BECOMING:
        return frozenset()
    said = (c for c in node.children if c.dep_ in ("xcomp", "obj") and c.pos_ == "NOUN")
    return frozenset(f for c in said for f in _verb_forms(c))


def _may(verb: Any, words: AssertionWords) -> bool:
    """A verb of ability in the present, the future or the conditional, not negated: what
    it governs may happen ("les données volées peuvent nourrir des escroqueries"). "Ont pu
    consulter" (it was done) and "ne peuvent plus facturer" (it no longer is) are facts."""
    if not _verb_forms(verb) & words.abilities:
        return False
    tense = verb.morph.get("Tense")
    if "Past" in tense or "Imp" in tense or any(c.dep_ == "aux:tense" for c in verb.children):
        return False
    return not _negated_verb(verb, words)


def _negated_verb(verb: Any, words: AssertionWords) -> bool:
    """Does a negation hang on the verb itself ("ne", "pas", "plus": "rien n'indique",
    "aucun élément ne permet")?"""
    return any(
        c.dep_ == "advmod" and _plain(c.lemma_) in (*words.negation, "ne", "n")
        for c in verb.children
    )


_SUBJUNCTIVE = frozenset(("ait", "aient", "aies", "soit", "soient", "sois"))


def _unproven(verb: Any, clause: Any, words: AssertionWords) -> str | None:
    """A clause in the subjunctive ("que des données aient été consultées"), or one that a
    denied verb of evidence governs ("rien n'indique que", "aucun élément ne permet
    d'affirmer que"): not a fact stated."""
    # (read on the auxiliary, whose forms are the mood's alone: "touche" may be either)
    if any(_plain(a.text.lower()) in _SUBJUNCTIVE for a in _auxiliaries(clause)):
        return "subjunctive"
    for node in (verb, verb.head) if verb.dep_ == "xcomp" else (verb,):
        if _negated_verb(node, words) and (
            found := (_verb_forms(verb) | _verb_forms(node)) & words.evidence
        ):
            return f"unproven: {min(found)}"
    return None


def _completive(verb: Any) -> bool:
    """A clause opened by the conjunction "que" (not the relative pronoun), which the model
    sometimes hangs on a noun as a relative clause ("a indiqué avoir découvert le 21 février
    que des données avaient été exfiltrées"): what is reported, in the sequence of tenses
    a past verb of saying asks for ("a reconnu qu'un pirate avait..."), not a recall."""
    return any(c.dep_ == "mark" and _plain(c.lemma_) == "que" for c in verb.children)


def _pluperfect(verb: Any, copula: bool = False) -> bool:
    """A verb in the pluperfect ("avait menacé"); with ``copula``, also a participle after
    "étaient" ("n'étaient plus parvenus"), which the model reads as a copula."""
    deps = ("aux:tense", "cop") if copula and "Past" in verb.morph.get("Tense") else ("aux:tense",)
    return any(c.dep_ in deps and "Imp" in c.morph.get("Tense") for c in verb.children)


def _used_for(infinitive: Any, words: AssertionWords) -> bool:
    """An aim that a verb of use in a past tense says was reached: "un pirate avait utilisé
    les identifiants pour consulter des données", "des comptes ont été utilisés pour
    extraire des données"."""
    verb = infinitive.head
    if verb == infinitive or not _verb_forms(verb) & words.used:
        return False
    return "Past" in verb.morph.get("Tense") or any(c.dep_ == "aux:tense" for c in verb.children)


def _scheduled(token: Any, words: AssertionWords) -> str | None:
    """A noun a participle of planning describes ("interruption programmée", "coupure
    prévue samedi"): a plan, read as a future."""
    for child in _noun(token).children:
        if any(c.dep_.startswith("nsubj") for c in child.children):
            continue  # a clause with its own subject: "après la panne, la reprise est prévue"
        if child.dep_.startswith(("amod", "acl")) and (
            found := _verb_forms(child) & words.expectation
        ):
            return f"future: {min(found)}"
    return None


def _noun(token: Any) -> Any:
    """The noun a word describes: itself, or the head of an adjective ("faux" of "faux
    messages")."""
    return token.head if token.dep_ == "amod" and token.head != token else token


def _with_governor(noun: Any) -> list[Any]:
    """The noun, and the noun it completes ("campagnes" of "campagnes d'hameçonnage")."""
    return [noun, noun.head] if noun.dep_.startswith("nmod") and noun.head != noun else [noun]


def _aged(token: Any, words: AssertionWords) -> str | None:
    """The word, or the noun it completes, put in the past by an adjective ("d'anciennes
    campagnes d'hameçonnage", "la précédente cyberattaque"): a recall."""
    for noun in _with_governor(_noun(token)):
        for child in noun.children:
            if child.dep_ == "amod" and _plain(child.lemma_) in words.recall_adjectives:
                return f"recall: {child.text.lower()}"
    return None


def _topic(token: Any, words: AssertionWords) -> str | None:
    """A word that completes a noun naming a subject of study, prevention or training ("le
    rapport de l'observatoire des incidents de sécurité", "la prévention des
    cyberattaques", "la lutte contre la fraude"): a topic, not an event."""
    node = _noun(token)
    for _ in range(4):  # "l'observatoire des signalements d'incidents"
        head = node.head
        if node.dep_.startswith("conj") and head != node:
            node = head  # "les réflexes face aux rançongiciels et aux messages piégés"
            continue
        if not node.dep_.startswith("nmod") or head == node:
            return None
        if _plain(head.lemma_) in words.topics:
            return f"topic: {_plain(head.lemma_)}"
        node = head
    return None


def _measured(token: Any, words: AssertionWords, threat: bool = False) -> str | None:
    """A plural noun that a verb of share, a few words above it, measures with a word of
    proportion in its clause ("les rançongiciels figurent parmi les plus fréquents", "les
    pannes représentent une part significative des signalements"): a class of events
    counted, as statistics and annual reports do, not one event. A ``threat`` is a class
    in the singular too, with its article ("l'hameçonnage reste en tête des menaces")."""
    noun = _noun(token)
    # a noun coordinated with a plural one is counted with it: "les attaques par
    # rançongiciel et le piratage de comptes en constituent une part importante"
    listed = noun.dep_ == "conj" and "Plur" in noun.head.morph.get("Number")
    mass = threat and any(
        c.dep_ == "det" and "Def" in c.morph.get("Definite") for c in noun.children
    )
    counted = listed or mass or "Plur" in noun.morph.get("Number")
    if not counted or "Past" in noun.morph.get("Tense"):
        return None
    node = noun
    for _ in range(4):
        below, node = node, node.head
        if node.pos_ in ("VERB", "AUX") and _verb_forms(node) & words.share_verbs:
            if "Fut" in node.morph.get("Tense") or "Imp" in node.morph.get("Tense"):
                return None
            # the proportion is said of the noun, not of another subject ("les premiers
            # courriers sont arrivés chez les assurés dont [...] l'intrusion")
            clause = [c for c in node.children if c == below or not c.dep_.startswith("nsubj")]
            said = [node, *(t for c in clause for t in c.subtree)]
            proportion = {_plain(t.lemma_) for t in said} & words.share_words
            return f"measured: {min(proportion)}" if proportion else None
        if node.pos_ in ("VERB", "AUX") or node.head == node:
            return None  # the clause of another verb
    return None


def _trend(token: Any, words: AssertionWords) -> str | None:
    """A word whose noun a verb or a noun of trend, a few words above it, says is rising
    ("les tentatives d'escroquerie se multiplient", "une recrudescence des tentatives de
    fraude", "les fraudes au faux fournisseur sont en forte hausse"): a class of events
    growing, as warnings and annual reviews say, not one event. Not when the trend is dated
    now ("depuis lundi, de faux SMS se multiplient": a campaign under way)."""
    node = _noun(token)
    # or its own relative clause: "les arnaques qui prospèrent pendant les fêtes"
    for clause in node.children:
        if clause.dep_ == "acl:relcl" and (found := _present_forms(clause) & words.trends):
            dated = any(_plain(t.lemma_) in words.now for t in clause.subtree)
            return None if dated else f"trend: {min(found)}"
    for _ in range(4):
        node = node.head
        forms = _present_forms(node) & words.trends
        if not forms and node.head == node and node.pos_ in ("NOUN", "PROPN", "PRON"):
            # A root noun: the small model took the verb for one of its modifiers ("les
            # tentatives [...] augmentent fortement", "les fraudes [...] en nette hausse").
            trend = next((t for t in node.subtree if _present_forms(t) & words.trends), None)
            if trend is not None:
                node, forms = trend, _present_forms(trend) & words.trends
        if not forms and node.pos_ in ("VERB", "AUX"):
            # the trend as the verb's complement: "les rançongiciels repartent à la hausse",
            # "gagnent du terrain"
            rising = (c for c in node.children if c.dep_.startswith(("obl", "advmod", "obj")))
            forms = frozenset(f for c in rising for f in _present_forms(c) & words.trends)
        if not forms:
            if node.head == node:
                return None
            continue
        if "Past" in node.morph.get("Tense") and node.pos_ != "VERB":
            return None  # "les comptes multipliés": a participle describing, no trend
        # Dated anywhere in the sentence: the small model often leaves "Depuis lundi,"
        # opening it out of the verb's phrase.
        dated = any(_plain(t.lemma_) in words.now for t in node.doc)
        return None if dated else f"trend: {min(forms)}"
    return None


def _climate(token: Any, words: AssertionWords) -> str | None:
    """A threat said of as a class: rising, counted or as it usually comes."""
    return _trend(token, words) or _tallied(token, words) or _habitual(token, words)


def _tallied(token: Any, words: AssertionWords) -> str | None:
    """A plural noun that a verb of tally, a few words above it, counts ("l'agence a traité
    30 incidents de rançongiciel en 2023", "le panorama recense les attaques par
    rançongiciel, les fuites de données et les campagnes d'hameçonnage"): the classes a
    report counts, not one event. Not when dated now ("le CERT a recensé depuis lundi des
    dizaines de faux SMS": a campaign under way), nor one event counted ("a recensé une
    nouvelle campagne")."""
    node = _noun(token)
    plural = False
    for _ in range(4):
        plural = plural or "Plur" in node.morph.get("Number")
        if node.dep_ == "conj" and "Plur" in node.head.morph.get("Number"):
            plural = True  # "les attaques [...], les fuites de données et les campagnes"
        node = node.head
        if node.pos_ in ("VERB", "AUX"):
            found = _verb_forms(node) & words.tallies
            # dated in the tally's own phrases, not in its subject's ("le panorama publié
            # ce jeudi recense...": the day of the report)
            said = (c for c in node.children if not c.dep_.startswith("nsubj"))
            dated = any(_plain(t.lemma_) in words.now for c in said for t in c.subtree)
            return f"tally: {min(found)}" if found and plural and not dated else None
        if node.head == node:
            return None
    return None


def _habitual(token: Any, words: AssertionWords) -> str | None:
    """A word said, by a word of frequency on it or on a word above it, to happen as a
    rule ("on parle d'attaques régulières, le plus souvent opportunistes", "les
    signalements d'officines victimes de rançongiciels sont réguliers"): how a threat
    usually comes, not one event. Not when dated now, not "comme souvent" (a hedge on an
    event), and not a frequency word on another noun ("les sauvegardes régulières ont
    permis de restaurer après l'attaque")."""
    for node in (_noun(token), *_ancestors(token)):
        for child in node.children:
            # every such period: "chaque fin d'année apporte son lot de messages piégés"
            period = next((d for d in child.children if _plain(d.lemma_) == "fin"), child)
            every = any(_plain(d.lemma_) == "chaque" for d in child.children if d.dep_ == "det")
            if every and _plain(period.lemma_) in words.recall_periods | {"fin", "mois"}:
                return f"habit: chaque {child.text.lower()}"
        for word in (node, *node.children):
            if _plain(word.lemma_) not in words.habits and _plain(word.text) not in words.habits:
                continue
            hedge = word.i and _plain(word.doc[word.i - 1].text) == "comme"
            # dated in the clause the frequency word is on ("depuis lundi, les faux SMS
            # arrivent régulièrement"), not in another ("à ce jour" of a clause before)
            dated = any(_plain(t.lemma_) in words.now for t in node.subtree)
            if not hedge and not dated:
                return f"habit: {word.text.lower()}"
    return None


def _defined(token: Any, words: AssertionWords) -> str | None:
    """A word whose noun is what a definition, in the present, is about: the subject of a
    verb of definition ("le phishing consiste à...", "l'hameçonnage désigne...", "prend
    plusieurs formes") or of a copula before a noun, both indefinite ("un rançongiciel est
    un logiciel malveillant"); or a word inside what such a verb says ("désigne une
    technique par laquelle un fraudeur se fait passer pour un tiers"). A guide says what
    the thing is; no event happened."""
    noun = _noun(token)
    if _is_definition(noun):
        return "definition: être"  # the defining noun: "... est un logiciel malveillant"
    # what "on" calls something ("on parle alors de smishing"), and talk of it by nobody in
    # particular or ahead of the facts ("certains parlent déjà de piratage", "un collègue
    # parlait déjà de piratage"): a name or a rumour, no event
    talk = noun.head
    if _plain(talk.lemma_) == "parler" and any(
        (c.dep_.startswith("nsubj") and _plain(c.lemma_) in _ANYONE)
        or (c.dep_ == "advmod" and _plain(c.lemma_) == "deja")
        for c in talk.children
    ):
        return "belief: parler de"
    for node in token.ancestors:
        # inside what a verb of definition says ("désigne une technique par laquelle un
        # fraudeur se fait passer pour un tiers", "désigne la divulgation d'informations")
        present = not node.morph.get("Tense") or "Pres" in node.morph.get("Tense")
        if node.pos_ in ("VERB", "AUX") and present and _verb_forms(node) & words.definitions:
            return f"definition: {min(_verb_forms(node) & words.definitions)}"
    head = noun.head
    if not noun.dep_.startswith("nsubj") or "Past" in head.morph.get("Tense"):
        return None
    if head.pos_ in ("VERB", "AUX") and "Fut" not in head.morph.get("Tense"):
        forms = _verb_forms(head)
        if found := forms & words.definitions:
            return f"definition: {min(found)}"
        objects = [c for c in head.children if c.dep_ == "obj" and "Plur" in c.morph.get("Number")]
        if "prendre" in forms and {_plain(c.lemma_) for c in objects} & words.definition_objects:
            return "definition: prendre"  # "prend plusieurs formes"
        return None
    return "definition: être" if _is_definition(head) else None


def _is_definition(noun: Any) -> bool:
    """Is the noun, indefinite, what a copula in the present says an indefinite subject is
    ("un rançongiciel est un logiciel malveillant")?"""
    if noun.pos_ != "NOUN" or not _indefinite(noun):
        return False
    if not any(c.dep_ == "cop" and "Pres" in c.morph.get("Tense") for c in noun.children):
        return False
    return any(c.dep_.startswith("nsubj") and _indefinite(c) for c in noun.children)


def _indefinite(noun: Any) -> bool:
    """Is the noun introduced by an indefinite article ("un", "une")?"""
    return any(
        c.dep_ == "det" and "Ind" in c.morph.get("Definite") and "Sing" in c.morph.get("Number")
        for c in noun.children
    )


def _present_forms(token: Any) -> frozenset[str]:
    """A word's forms (see _head_lemmas), and for a present plural the model left as
    written, often as a noun or an adjective ("augmentent", "accusent"), the infinitive in
    -er."""
    written = _plain(token.text.lower())
    forms = _head_lemmas(token) | {written}
    if written.endswith("ent") and len(written) > 6 and token.pos_ != "ADV":
        return forms | {written[:-3] + "er"}
    return forms


def _verb_forms(token: Any) -> frozenset[str]:
    """The token's lemma, and for a verb the small model left as written ("redoute",
    "reste": its lemmatizer misses some present tenses; "sensibilisez", "protégez": and
    imperatives), the infinitive in -er."""
    lemma = _plain(token.lemma_)
    if lemma != _plain(token.text.lower()):
        return frozenset((lemma,))
    if token.pos_ == "VERB" and lemma.endswith("e"):
        return frozenset((lemma, lemma + "r"))
    # An imperative opening the sentence, which the model often takes for a name.
    if lemma.endswith("ez") and (token.pos_ == "VERB" or token.i == token.sent.start):
        return frozenset((lemma, lemma[:-1] + "r"))
    return frozenset((lemma,))


def _guarded(token: Any, words: AssertionWords) -> str | None:
    """A word that a verb of protection, avoidance or training has for its object ("se
    protéger contre les rançongiciels", "sensibiliser l'équipe aux messages frauduleux",
    "éviter les rejets de factures", "éviter que les impayés ne s'accumulent"): a threat
    guarded against, not an event. Not a phrase a scope breaker opens: "se protéger après
    la cyberattaque" still reports the attack."""
    if "Part" in token.morph.get("VerbForm") and not any(
        c.dep_.startswith(("aux", "nsubj")) for c in token.children
    ):
        return None  # "sécurisez les comptes piratés": they were ("qu'ils soient piratés": no)
    node = _noun(token)
    for _ in range(4):  # "contre les campagnes d'hameçonnage", "les erreurs et les rejets"
        head = node.head
        if head == node:
            break
        # nmod too: the model often reads an imperative opening a sentence as a noun.
        if node.dep_.startswith(("obj", "obl", "nmod")) and (
            found := _verb_forms(head) & words.guards
        ):
            opened = next((c for c in node.children if c.dep_ == "case"), None)
            if opened is None or _plain(opened.lemma_) not in words.scope_breakers:
                return f"guard: {min(found)}"
        # What the reader is told to watch or check: "surveillez les connexions suspectes",
        # "vérifiez les virements frauduleux" is advice, whatever the verb.
        if node.dep_ in ("obj", "nmod") and _imperative(head):
            return f"advice: {_plain(head.text.lower())}"
        if not node.dep_.startswith(("nmod", "conj")):
            break
        node = head
    predicate = _predicate(token)
    clause = predicate.dep_ in ("ccomp", "xcomp") and predicate.head != predicate
    if clause and (found := _verb_forms(predicate.head) & words.guards):
        return f"guard: {min(found)}"
    # What one learns to spot: "apprend à repérer un courriel d'hameçonnage".
    infinitive = clause and "Inf" in predicate.morph.get("VerbForm")
    if infinitive and (found := _verb_forms(predicate.head) & words.skills):
        return f"skill: {min(found)}"
    # A bare infinitive of spotting in a programme or a list, under no verb or under a verb
    # of use: "Au programme : repérer un message d'hameçonnage", "un filtre qui permet de
    # détecter les courriels piégés" ("l'opérateur a pu repérer une intrusion" did).
    object_ = _noun(token)
    for _ in range(3):  # "un message d'hameçonnage": the object is the noun completed
        if object_.dep_ != "nmod" or object_.head == object_:
            break
        object_ = object_.head
    spotting = object_.head
    if (
        object_.dep_ == "obj"
        and "Inf" in spotting.morph.get("VerbForm")
        and (found := _verb_forms(spotting) & words.spotting)
        and not any(c.dep_.startswith("nsubj") for c in spotting.children)
        and (
            spotting.head == spotting
            or spotting.head.pos_ not in ("VERB", "AUX")
            # what a tool or a rule is for: "le logiciel permet de détecter l'hameçonnage"
            # (not what it did: "le filtre a permis de repérer une vague de courriels")
            or bool(_verb_forms(spotting.head) & words.enabling and not _past(spotting.head))
        )
    ):
        return f"skill: {min(found)}"
    # An imperative of protection opening the sentence, which the model often leaves out
    # of the parse of the rest ("Méfiez-vous des messages frauduleux qui..."), guards
    # what follows up to a scope breaker.
    opener = token.doc[0]
    if opener.i < token.i and opener.text.lower().endswith("ez"):
        between = token.doc[opener.i + 1 : token.i]
        if (found := _verb_forms(opener) & words.guards) and not any(
            _plain(t.lemma_) in words.scope_breakers for t in between
        ):
            return f"guard: {min(found)}"
    return None


def _programme(token: Any, words: AssertionWords) -> str | None:
    """A list of things to learn that opens with a verb of spotting or of skill and
    conjugates none ("Au programme : reconnaître un courriel d'hameçonnage, gérer ses mots
    de passe, réagir à l'appel d'un faux technicien"): every item is a skill, whatever the
    parse made of the list."""
    doc = token.doc
    colons = [t.i for t in doc[: token.i] if t.text == ":"]
    segment = doc[colons[-1] + 1 if colons else 0 :]
    opener = next((t for t in segment if not t.is_punct), None)
    if opener is None or opener.i > token.i:
        return None
    # the infinitive as written (the model often reads a folded one as conjugated)
    infinitive = _plain(opener.text)
    if infinitive not in words.spotting | words.skills:
        return None
    # a verb of its own ("repérer un faux courriel n'est pas simple") says something; a
    # word right after "de" is no conjugated verb, whatever the model read ("mot de passe")
    if any(_conjugated(t) and doc[t.i - 1].lower_ not in ("de", "d") for t in segment):
        return None
    return f"skill: {infinitive}"


def _imperative(verb: Any) -> bool:
    """Is ``verb`` an imperative: so read by the model, or a word in -ez opening the
    sentence, which the model often takes for a name ("Vérifiez les connexions")?"""
    if "Imp" in verb.morph.get("Mood"):
        return True
    opener: bool = verb.i == verb.sent.start
    return opener and verb.text.lower().endswith("ez")


# Prepositions of what one is warned against: "mettre en garde contre", "vigilants face à".
_AGAINST = frozenset(("contre", "face"))
# The attribute of these verbs says what their subject is in general: "l'hameçonnage reste
# la première menace" describes a threat, it reports no campaign.
_STATE_VERBS = frozenset(("rester", "demeurer", "constituer", "representer", "etre", "figurer"))


def _warned_against(token: Any, words: AssertionWords) -> str | None:
    """A word that a warning beside it is about ("met en garde contre les faux messages",
    "restons vigilants face aux tentatives de fraude"), or that a state verb calls a threat
    ("l'hameçonnage reste la première menace"): a risk named, not an event."""
    token = _noun(token)  # "faux" of "faux messages": the noun is what is warned against
    for _ in range(3):  # "contre les appels et messages frauduleux": the first conjunct's
        if token.dep_ != "conj" or token.head == token:
            break
        token = token.head
    head = token.head
    if head == token:
        return None
    if any(c.dep_ in ("case", "fixed") and _plain(c.lemma_) in _AGAINST for c in token.children):
        for sibling in head.children:
            if sibling != token and (found := _verb_forms(sibling) & words.warning):
                return f"warning: {min(found)}"
    if token.dep_.startswith("nsubj") and _verb_forms(head) & _STATE_VERBS:
        for sibling in head.children:
            # "figurent parmi les menaces"
            among = sibling.dep_.startswith("obl") and any(
                _plain(c.lemma_) == "parmi" for c in sibling.children
            )
            attribute = sibling.dep_ in ("obj", "xcomp", "attr") or among
            if attribute and _plain(sibling.lemma_) in words.warning:
                return f"warning: {_plain(sibling.lemma_)}"
    return None


def _as_a_rule(noun: Any) -> str | None:
    """One indefinite object of a negated present: what something does not do as a rule
    ("une police d'assurance ne règle pas un professionnel qui attend son paiement"). Not
    "pas un seul", nor in the past ("n'a pas réglé une facture depuis lundi")."""
    determiners = [c for c in noun.children if c.dep_.startswith("det")]
    head = noun.head
    if (
        noun.dep_ == "obj"
        and len(determiners) == 1
        and _plain(determiners[0].lemma_) == "un"
        and "Sing" in noun.morph.get("Number")
        and "Pres" in head.morph.get("Tense")
        and not any(c.dep_.startswith("aux") for c in head.children)
        and not any(_plain(c.lemma_) == "seul" for c in noun.children)
    ):
        return f"generic: {determiners[0].text.lower()} (a rule)"
    return None


# Modal verbs: in the conditional they say what may happen ("pourraient", "devrait").
_MODALS = frozenset(("pouvoir", "devoir"))
_ANYONE = frozenset(("on", "certain", "certains", "aucun", "quelqu'un", "beaucoup", "plusieurs"))
_CONDITIONAL = ("rait", "raient", "rais", "rions", "riez")  # "pourrait", not "pourra"


def _conditional(node: Any, words: AssertionWords) -> str | None:
    """A verb in the future or the conditional whose sentence states a condition ("à défaut
    d'accord, nous appellerons à suspendre", "en l'absence de réponse, elle inviterait à",
    "si rien ne bouge, ils suspendront"): what it governs is a threat, not an event. The
    small model often misses these moods, so the verb's own ending is read too."""
    if node.pos_ not in ("VERB", "AUX"):
        return None
    # The mood is the verb's or its auxiliary's: "l'accès serait suspendu".
    auxiliaries = _auxiliaries(node)
    if not any(_future_or_conditional(v) for v in (node, *auxiliaries)):
        return None
    conditional = any(
        "Cnd" in v.morph.get("Mood") or v.text.lower().endswith(_CONDITIONAL)
        for v in (node, *auxiliaries)
    )
    if _plain(node.lemma_) in _MODALS and conditional:
        # "des campagnes pourraient chercher à collecter...": a possibility, not an event.
        return f"possibility: {_plain(node.lemma_)}"
    for other in node.doc:
        lemma = _plain(other.lemma_)
        if lemma in words.condition and (other.pos_ == "NOUN" or other.pos_ == "SCONJ"):
            return f"condition: {lemma}"
    return None


def _aim_or_question(node: Any, words: AssertionWords) -> str | None:
    """An infinitive an aim governs ("afin de dérober", "visent à récupérer", "cherchent à
    collecter") is what someone wants, not what happened; a clause opened by "si" as the
    complement of a verb is an indirect question ("demandent si leurs données ont été
    volées")."""
    head = _plain(node.head.lemma_)
    if node.head != node and head in words.purpose and "Inf" in node.morph.get("VerbForm"):
        return f"purpose: {head}"
    for mark in node.children:
        # "plutôt que de demander", "au lieu de suspendre": what is done instead of it
        before = node.doc[max(mark.i - 1, 0)]
        if mark.dep_ in ("mark", "case", "fixed") and _plain(before.lemma_) in words.instead:
            return f"instead: {before.text.lower()}"
    # A clause opened by "si": complement of a verb, an indirect question; adverbial, a
    # condition ("si les tournées n'étaient pas assurées, appelez..."), also when the
    # model hangs the main clause below it ("si le portail ne fonctionne pas, vérifiez").
    # The model also hangs "si" on a noun of the clause ("si le décalage de paiement pèse").
    clause = node.dep_.startswith(("ccomp", "advcl", "nmod")) or (node.head == node and node.i > 0)
    if clause and any(_conditional_si(c) for c in node.children):
        return "question: si" if node.dep_.startswith("ccomp") else "condition: si"
    # How to do something ("explique comment réagir face à un rançongiciel"): a method.
    if "Inf" in node.morph.get("VerbForm") and any(
        c.dep_ == "advmod" and _plain(c.lemma_) == "comment" for c in node.children
    ):
        return "question: comment"
    # A phrase of a case that may arise: "en cas de problème technique, contactez...".
    if _plain(node.lemma_) in words.hypotheses and _opened(node):
        return f"condition: {_plain(node.lemma_)}"
    # A clause under such a phrase, not in the past: "en cas de panne du lecteur, utilisez
    # le mode dégradé" says what to do if it happens.
    if node.pos_ in ("VERB", "AUX") and not _past(node):
        for case in node.children:
            lemma = _plain(case.lemma_)
            if case.dep_.startswith("obl") and lemma in words.hypotheses and _opened(case):
                return f"condition: {lemma}"
    return None


def _opened(noun: Any) -> bool:
    """Is the noun opened by a preposition ("en cas", "dans l'éventualité")?"""
    return any(c.dep_ == "case" for c in noun.children)


def _past(verb: Any) -> bool:
    """Is the verb in a tense of the past (itself, or its auxiliary: "a mis en place")?"""
    if "Past" in verb.morph.get("Tense") and "Part" not in verb.morph.get("VerbForm"):
        return True
    if "Imp" in verb.morph.get("Tense"):
        return True
    return any(a.dep_ == "aux:tense" for a in verb.children)


_FUTURE_ENDINGS = ("aient", "ions", "iez", "ais", "ait", "ons", "ont", "ez", "ai", "as", "a")
_IRREGULAR_STEMS = ("ser", "aur", "pourr", "fer", "devr", "ir", "viendr", "faudr", "voudr")


def _conditional_si(mark: Any) -> bool:
    """A "si" opening a condition or a question; "même si" concedes a fact."""
    if mark.dep_ != "mark" or _plain(mark.lemma_) != "si":
        return False
    return mark.i == 0 or _plain(mark.doc[mark.i - 1].lemma_) != "meme"


def _future_or_conditional(verb: Any) -> bool:
    if "Fut" in verb.morph.get("Tense") or "Cnd" in verb.morph.get("Mood"):
        return True
    text, lemma = _plain(verb.text.lower()), _plain(verb.lemma_.lower())
    for ending in _FUTURE_ENDINGS:
        stem = text[: -len(ending)]
        if text.endswith(ending) and stem.endswith("r"):
            # "inviterait" is "inviter" + ait; "invitait" (imperfect) lacks the r of the
            # infinitive; "suspendra" is "suspendr(e)" + a; "appellerons" doubles its l.
            return stem in _IRREGULAR_STEMS or (
                len(stem) >= len(lemma) - 1 and lemma[:3] == stem[:3]
            )
    return False


def _negation(token: Any, words: AssertionWords, inside: range | frozenset[int]) -> Any:
    """The word that negates ``token`` (see _local for its reach), if any, outside the
    matched words ``inside``."""
    for node in _local(token, words):
        for child in node.children:
            if child.idx not in inside and _negates(child, _plain(child.lemma_), words):
                return child
    infinitive = "Inf" in token.morph.get("VerbForm") and token.head.idx not in inside
    if infinitive and token.head != token and _verb_forms(token.head) & words.stopping:
        return token.head  # "a cessé de régler les factures": no longer pays them
    for child in token.children:  # "non autorisé"
        near = child.dep_ == "advmod" and _plain(child.lemma_) in words.negation_near
        if near and child.idx not in inside:
            return child
    return None


def _unreported(token: Any, words: AssertionWords) -> str | None:
    """A word under a finding or a report denied: "elle n'a pas fait état d'un vol de
    données", "sans avoir constaté de fuite", "aucune indication n'a été donnée sur un vol
    de données". Climbs a few heads, as the parse hangs such complements variously."""
    node = token
    for _ in range(5):
        if _plain(node.lemma_) in words.findings:
            # or on "fait" of "faire état", an auxiliary or a loose dependent to the parse
            helpers = [c for c in node.children if c.dep_.startswith(("aux", "dep", "cop"))]
            if _negated_verb(node, words) or any(_negated_verb(a, words) for a in helpers):
                return f"unreported: {node.text.lower()}"
        for child in node.children:
            if not (child.dep_.startswith("nsubj") and _plain(child.lemma_) in words.findings):
                continue
            if any(c.dep_ == "det" and _plain(c.lemma_) in words.negation for c in child.children):
                return f"unreported: {child.text.lower()}"  # "aucune indication n'a été..."
        if node.head == node:
            break
        node = node.head
    return None


def _partial(negation: Any, words: AssertionWords) -> bool:
    """Whether the negation is only partial: "pas" right before "toujours", "forcément"...
    ("ne ... pas toujours" says sometimes; "toujours pas", before it, is still not)."""
    following = negation.nbor(1) if negation.i + 1 < len(negation.doc) else None
    return following is not None and _plain(following.lemma_) in words.partial


def _restrictive(verb: Any) -> bool:
    """ "ne ... que" a few words on: only, not a negation ("ne peuvent le faire qu'au moyen
    de l'application officielle")."""
    following = verb.doc[verb.i + 1 : verb.i + 7]
    return any(t.lower_ in ("que", "qu'", "qu’") for t in following)


# Verbs that "ne" negates alone, in writing: "les tournées n'ont pu être bouclées".
_NE_ALONE = frozenset(("pouvoir", "savoir", "oser", "cesser"))


def _negates(child: Any, lemma: str, words: AssertionWords) -> bool:
    following = child.doc[child.i + 1] if child.i + 1 < len(child.doc) else None
    if lemma == "sans" and following is not None and _plain(following.lower_) in _SANS_COMPOUNDS:
        return False  # "les lectures sans contact fonctionnent": a kind of reading
    if child.dep_ in ("case", "mark") and lemma in words.negation:
        return True  # "sans"
    if child.dep_.startswith(("advmod", "det", "obl", "nsubj")) and lemma in words.negation:
        return True
    if child.dep_.startswith("advmod") and any(
        g.dep_.startswith("advmod") and _plain(g.lemma_) in words.negation for g in child.children
    ):
        return True  # "pas" read under "encore": "n'a pas encore corrigé"
    if lemma == "ne":
        head = child.head
        alone = _plain(head.lemma_) in _NE_ALONE and not any(
            _plain(c.lemma_) in words.negation for c in head.children
        )
        return alone and child.dep_ == "advmod" and not _restrictive(head)
    return child.dep_ == "advmod" and "Neg" in child.morph.get("Polarity")


# Nouns that make one word with "sans": "sans contact", "sans fil", "sans ordonnance".
_SANS_COMPOUNDS = frozenset(("contact", "fil", "ordonnance"))


def _predicate(token: Any) -> Any:
    """The verb the word belongs to: itself, or the nearest verb above it in its clause."""
    node = token
    for _ in range(6):
        if node.pos_ in ("VERB", "AUX") or node.head == node:
            return node
        if node.dep_.startswith(("acl", "advcl", "ccomp", "xcomp", "conj", "parataxis")):
            return node
        node = node.head
    return node


def _local(token: Any, words: AssertionWords) -> Iterator[Any]:
    """Where a negation scopes over the word: the word and up to five words above it, its
    verb and the verbs that govern that verb's clause ("rien ne permet d'affirmer qu'il
    s'agit d'un piratage", "n'excluent pas qu'il puisse s'agir d'un piratage"). A clause
    joined to another ("pas de panne chez Actil, mais le portail de Viamedis a été piraté")
    and a phrase opened by a scope breaker ("depuis l'attaque") stop it."""
    node = token
    for _ in range(6):
        yield node
        if node.head == node or node.dep_.startswith(("conj", "parataxis")):
            return
        if _across_colon(node, node.head):
            return  # "Démarchages frauduleux : ne cédez pas": two statements
        if _silent_about(node, words):
            return  # "n'a pas communiqué sur le rançongiciel": silent about it, not denying
        if node.dep_.startswith("nsubj") and _verb_forms(node.head) & words.resolving:
            return  # "la panne n'est toujours pas résolue": the panne goes on
        if any(
            c.dep_ == "case" and _plain(c.lemma_) in words.scope_breakers for c in node.children
        ):
            return
        node = node.head


@lru_cache(maxsize=PARSE_CACHE)
def spoken_of(sentence: str, offset: int, words: AssertionWords) -> bool:
    """Whether the word at ``offset`` is what a verb of speaking is about ("n'a pas
    communiqué sur le rançongiciel en cause"): a negation of that verb is silence, not a
    denial of the word."""
    token = _token_at(sentence, offset)
    for node in _ancestors(token) if token is not None else ():
        if _silent_about(node, words):
            return True
        if node.pos_ in ("VERB", "AUX"):
            return False  # the word's own clause ends here
    return False


def _silent_about(node: Any, words: AssertionWords) -> bool:
    """Is the word what a verb of speaking above it is about ("communiqué sur le
    rançongiciel")?"""
    return node.dep_.startswith(("obl", "obj")) and bool(_verb_forms(node.head) & words.silence)


def _across_colon(one: Any, other: Any) -> bool:
    """Whether a colon stands between two words: a headline's topic and what it says of it
    are two statements."""
    low, high = sorted((one.i, other.i))
    return any(t.text == ":" for t in one.doc[low + 1 : high])


def _ancestors(token: Any) -> Iterator[Any]:
    node = token
    for _ in range(12):
        yield node
        if node.head == node:
            return
        node = node.head


def _auxiliaries(verb: Any) -> list[Any]:
    """The auxiliaries of a verb, and the copula of an adjective: "sera interrompu",
    "serait suspendu", "sera indisponible" carry their tense and mood there."""
    return [c for c in verb.children if c.dep_.startswith(("aux", "cop"))]


def _tense(predicate: Any, words: AssertionWords) -> str | None:
    """A pluperfect or a dated recall is the past of another story; a future, a plan."""
    auxiliaries = _auxiliaries(predicate)
    reported = predicate.dep_.startswith("ccomp") or _completive(predicate)
    if "Fut" in predicate.morph.get("Tense") and not auxiliaries:
        return f"future: {_plain(predicate.lemma_)}"  # "rendra le portail indisponible"
    for aux in auxiliaries:
        tense = aux.morph.get("Tense")
        if "Fut" in tense and aux.dep_ != "aux:tense":  # "sera interrompu", not "aura été"
            return f"future: {_plain(aux.lemma_)}"
        if "Imp" in tense and aux.dep_ == "aux:tense" and not reported:
            return f"recall: {_plain(aux.lemma_)} (pluperfect)"
    for child in predicate.children:
        if not child.dep_.startswith(("obl", "advmod")):
            continue
        lemma = _plain(child.lemma_)
        if lemma in words.recall:
            return f"recall: {child.text.lower()}"
        if lemma in words.recall_periods:  # "l'an dernier", "il y a deux ans"
            marker = next(
                (c for c in child.children if _plain(c.lemma_) in words.recall_markers), None
            )
            if marker is not None:
                return f"recall: {child.text.lower()} {marker.text.lower()}"
    return None


SUBJECTS = ("nsubj", "obl:agent")


def news_word(sentence: str, words: AssertionWords) -> str | None:
    """A word of a payer's news in the sentence, read as a verb or noun ("Le réseau
    propose désormais une convention", "les paiements seront effectués la veille"), or None.
    For a brief whose heading names the payer (see Classifier._brief_heading)."""
    if len(sentence) > MAX_SENTENCE:
        return None
    for token in parse(sentence):
        if token.pos_ in ("VERB", "NOUN") and (found := _verb_forms(token) & words.news):
            return min(found)
    return None


@lru_cache(maxsize=PARSE_CACHE)
def is_news_about(sentence: str, offset: int, words: AssertionWords) -> str | None:
    """Whether the name at ``offset`` is what its sentence is about: the subject or agent of
    a verb, or a modifier of a noun, that is a payer's news ("Kalixia ouvre son réseau",
    "la convention signée avec l'Assurance Maladie"). Returns the news word, or None."""
    token = _token_at(sentence, offset)
    if token is None:
        return None
    token = _name_head(token)
    for _ in range(2):  # "proposé par l'Union nationale des caisses d'assurance maladie"
        if token.dep_ == "nmod" and _plain(token.head.lemma_) in words.bodies:
            token = token.head  # "paraphée par la Caisse nationale de l'Assurance Maladie"
    heads = [token.head]
    if token.head == token:
        # A name opening the sentence that the model made its root, the verb hanging below
        # it ("La CPAM revalorise les honoraires", "Viamedis et la FSPF ont signé"): the
        # name is that verb's subject.
        heads = [
            c
            for c in token.children
            if c.pos_ == "VERB" and c.i > token.i and c.dep_.startswith(("acl", "conj"))
        ][:1]
    elif not (token.dep_.startswith(SUBJECTS) or token.dep_ in _ABOUT):
        return None
    elif (
        token.head.pos_ == "NOUN"
        and token.head.dep_ in ("xcomp", "obl:mod")
        and _plain(token.head.lemma_) in _DAYS
    ):
        # A place hung on a date ("signé jeudi au siège de l'Assurance Maladie"): the verb;
        # not a stay ("après dix ans chez Almerys, elle rejoint une start-up").
        heads.append(token.head.head)
    for head in heads:
        # The verb, what it acts on ("signe la convention"), what a passive says it of
        # ("la convention a été paraphée par la Cnam"), and the noun a participle
        # describes ("l'avenant proposé par l'Assurance maladie").
        nodes = [head, *[c for c in head.children if c.dep_.startswith(_ACTED_ON)]]
        if head.dep_.startswith("acl") and head.head != head:
            nodes.append(head.head)
        for node in nodes:
            if _plain(node.lemma_) in words.news:
                return _plain(node.lemma_)
    return None


_ABOUT = ("nmod", "obl:arg", "obl:mod", "obj")
_DAYS = frozenset(
    (
        *("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
        *("jour", "matin", "soir", "apres-midi", "veille", "lendemain", "date"),
    )
)


def _name_head(token: Any) -> Any:
    """The head word of the name a word belongs to ("Assurance" of "Assurance Maladie")."""
    while token.dep_ in ("flat:name", "fixed", "compound", "amod") and token.head != token:
        token = token.head
    return token


@lru_cache(maxsize=PARSE_CACHE)
def reopened_premises(sentence: str, offset: int, words: AssertionWords) -> str | None:
    """Whether the verb at ``offset`` says premises reopened ("la pharmacie du quartier a pu
    rouvrir après les travaux"): a shop's doors, not a service back. Returns the noun."""
    token = _token_at(sentence, offset)
    if token is None or not _head_lemmas(token) & words.reopen:
        return None  # "les officines retrouvent l'accès": users, not doors
    verbs = [token, token.head] if token.dep_ == "xcomp" else [token]  # "a pu rouvrir"
    subjects = [c for verb in verbs for c in verb.children if c.dep_.startswith("nsubj")]
    if token.dep_.startswith("acl"):
        # the verb read as describing a noun: "la pharmacie du centre rouvre" (on "centre")
        described = token.head
        subjects += [described, described.head] if described.dep_ == "nmod" else [described]
    for subject in subjects:
        if found := _noun_forms(subject) & words.premises:
            return min(found)
    return None


@lru_cache(maxsize=PARSE_CACHE)
def is_destination(sentence: str, offset: int, words: AssertionWords) -> str | None:
    """Whether the name at ``offset`` is where something goes, not what is hit: opened by a
    preposition of destination ("la transmission des flux vers les caisses d'assurance
    maladie", "les lots à destination de l'Assurance Maladie"). Returns the preposition."""
    token = _token_at(sentence, offset)
    if token is None:
        return None
    token = _name_head(token)
    for _ in range(3):  # "vers les caisses d'assurance maladie": the body's phrase
        marks = [c for c in token.children if c.dep_ in ("case", "fixed")]
        for mark in marks:
            words_here = {_plain(mark.lemma_), *(_plain(f.lemma_) for f in mark.children)}
            if found := words_here & words.destinations:
                return min(found)
        head = _plain(token.head.lemma_)
        if token.dep_ == "nmod" and head in words.destinations:
            return head  # "à destination de l'Assurance Maladie"
        if token.dep_ != "nmod" or head not in words.bodies:
            return None
        token = token.head
    return None


_ACTED_ON = ("obj", "xcomp", "nsubj:pass")


# --- relations: rules over lemmas and dependencies ------------------------------------------


@dataclass(frozen=True)
class Relation:
    """A kind said by a word and one of its dependents, whatever their inflection, order or
    the words between them: "des données ... auraient ainsi été consultées" is the verb
    *consulter* with *donnée* as its passive subject. Written in taxonomy.yaml::

        - id: data-consulted
          kind: data-breach
          heads: [consulter]          # lemmas of the governing word
          deps: [nsubj:pass]          # relations of the dependent (prefixes)
          dependents: [donnée, fiche] # lemmas of the dependent

    With ``when: negated``, the kind is the fact *not* happening: "les tournées n'ont pas
    été assurées" is a supply disruption, "les tournées ont été assurées" is nothing; with
    ``when: no longer``, only "plus" says it ("ne peuvent plus consulter", not "ne peuvent
    pas facturer cet acte").
    """

    id: str
    kind: str
    heads: frozenset[str]
    deps: tuple[str, ...]
    dependents: frozenset[str]
    negated: bool = False
    reflexive: bool = False  # the head with its "se": "se présenter comme", not "présenter"
    no_longer: bool = False  # negated by "plus" only: "ne peuvent plus", not "ne peuvent pas"
    cause: bool = False  # a fault's generic name: like the kind's `causes` words, the cause
    # of what else the item reports ("en raison d'un problème technique, les paiements...")

    @property
    def keys(self) -> frozenset[str]:
        """Starts of the head lemmas (four letters): a sentence holding none is not parsed.
        A verb whose stem changes lists its changed forms among its heads ("reçu" beside
        *recevoir*, "remis" beside *remettre*), so that its key is there too."""
        return _starts(self.heads)

    @cached_property
    def stems(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The stems (see :func:`stem`) of the heads and of the dependents: a word whose
        four first letters are a key but that starts with no stem ("près" for *présenter*,
        "démarche" for *démarcheur*) is neither."""
        heads, dependents = map(stem, self.heads), map(stem, self._dependent_words)
        return tuple(sorted(heads)), tuple(sorted(dependents))

    @property
    def dependent_keys(self) -> frozenset[str]:
        """Starts of the dependent lemmas (four letters; of the longest word of a fixed
        phrase: "nouv" of "de nouveau"): with :attr:`keys`, a sentence holding no head and
        dependent of this one relation is not parsed for it."""
        return _starts(self._dependent_words)

    @property
    def _dependent_words(self) -> list[str]:
        """The word of each dependent its key and stem are read from: the longest of a fixed
        phrase ("nouveau" of "de nouveau")."""
        return [max(lemma.split(), key=len) for lemma in self.dependents]


# What every inflected form of a lemma starts with, by the lemma's ending: the letters to
# drop (first match wins). Verbs: "compromettre" -> "comprom" (compromis), "atteindre" ->
# "attei" (atteignent), "recevoir" -> "rece", "reprendre" -> "repr" (repris), "résoudre" ->
# "reso" (résolu), "connaître" -> "conn" (connu), "envoyer" -> "envo" (envoie), "rouvrir"
# -> "rouv" (rouvert), "maintenir" -> "maint" (maintient), "acquérir" -> "acqu" (acquis),
# "renvoyer" -> "renv" (renverra), "-er" -> its stem ("bloquer" -> "bloqu"); "-ire" keeps
# the i ("détruire" -> "detrui"). Nouns in "-teur" may end "-trice", in "-eur" "-euse".
# Anything else (nouns, adjectives) may change its last two letters: "journal" ->
# "journaux", "nouveau" -> "nouvelle", "premier" -> "première".
_ENDINGS = (
    ("ettre", 5),
    ("prendre", 5),
    ("soudre", 5),
    ("aitre", 5),
    ("querir", 5),
    ("voyer", 5),
    ("indre", 4),
    ("enir", 4),
    ("oir", 4),
    ("yer", 3),
    ("er", 2),
    ("ir", 3),
    ("ire", 2),
    ("re", 3),
    ("teur", 4),
    ("eur", 1),
)


def stem(lemma: str) -> str:
    """The start every form of a (plain) lemma shares, never shorter than its first four
    letters, which a stem too short to tell words apart falls back to (as irregular forms
    are listed among a relation's words: "reçu" beside *recevoir*). Of a compound, its first
    four letters, as the text's words are split at hyphens ("semi" of "semi-remorque")."""
    if not lemma.isalnum():
        return lemma[:4]
    cut = next((drop for ending, drop in _ENDINGS if lemma.endswith(ending)), 2)
    kept = lemma[:-cut]
    return kept if len(kept) >= 4 else lemma[:4]


def _starts(lemmas: Iterable[str]) -> frozenset[str]:
    """The four first letters of each lemma, and of the plural of one shorter than that
    ("mots" for *mot*, "lots" for *lot*)."""
    return frozenset(
        start for lemma in lemmas for start in (lemma[:4], (lemma + "s")[:4], (lemma + "x")[:4])
    )


def relations_from_data(raw: Any) -> tuple[Relation, ...]:
    return tuple(
        Relation(
            id=str(entry["id"]),
            kind=str(entry.get("kind") or ""),
            heads=frozenset(_plain(str(w)) for w in entry["heads"]),
            deps=tuple(str(d) for d in entry["deps"]),
            dependents=frozenset(_plain(str(w)) for w in entry["dependents"]),
            negated=entry.get("when") in ("negated", "no longer"),
            no_longer=entry.get("when") == "no longer",
            reflexive=bool(entry.get("reflexive")),
            cause=bool(entry.get("cause")),
        )
        for entry in raw or ()
    )


@lru_cache(maxsize=PARSE_CACHE)
def related(
    sentence: str, relations: tuple[Relation, ...], words: AssertionWords, plans: bool = True
) -> tuple[tuple[Relation, str], ...]:
    """The relations the sentence asserts, each with the words that matched ("consultées
    données"). A match the parse does not assert (negated, believed...) is left out,
    unless the negation is one of the matched words ("une semaine sans livraison").
    ``plans``: whether what is announced counts ("le service sera interrompu samedi" is a
    planned outage); a return of service does not count until it happens ("les paiements
    reprendront lundi", "doivent reprendre", "espère rétablir": see _awaited)."""
    question = sentence.rstrip().endswith("?")
    if len(sentence) > MAX_SENTENCE or (question and not others_too(sentence, words)):
        return ()  # a question asserts nothing ("mes paiements seront-ils bloqués ?")
    found: list[tuple[Relation, str]] = []
    for token in parse(sentence):
        lemmas = _head_lemmas(token)
        for relation in relations:
            if lemmas.isdisjoint(relation.heads):
                continue
            if relation.reflexive and not any(_plain(c.lemma_) == "se" for c in token.children):
                continue
            dependent = _dependent(token, relation)
            if dependent is None:
                continue
            inside = frozenset((token.idx, dependent.idx))
            if relation.negated:
                # Said of the fact not happening: a negation must hold it, and what else the
                # sentence says of it (a belief, a condition...) still counts. An infinitive
                # is advice ("de ne régler aucune facture"), unless one of ability governs
                # it ("ne peuvent plus se connecter").
                if _instruction(token) and not _verb_forms(token.head) & words.stopping:
                    continue  # "a cessé de régler": stopped, not advised
                negation = _denied_by(dependent, words) or _negation(token, words, inside)
                if negation is None or (relation.no_longer and _plain(negation.lemma_) != "plus"):
                    continue
                if _partial(negation, words):
                    continue  # "n'aboutissent pas toujours": sometimes, not a failure
                # and its "ne", on the verb of ability when the model hung it there ("ne
                # peut plus préparer les commandes")
                partners = (*token.children, *token.head.children)
                ne = {c.idx for c in partners if _plain(c.lemma_) == "ne"}
                inside = inside | {negation.idx} | ne
                why = (
                    _any_case(dependent, words)
                    or _as_a_rule(dependent)
                    or _why_not(token, words, relation.kind, inside)
                    or _unreported(token, words)
                )
            else:
                why = (
                    _denied(dependent, words)
                    or _why_not(token, words, relation.kind, inside)
                    or _unreported(token, words)
                )
            if plans and why is not None and why.startswith("future"):
                why = None
            if why is None and (plans or not _awaited(token, words)):
                found.append((relation, f"{token.text} {dependent.text}"))
    return tuple(found)


def others_too(question: str, words: AssertionWords) -> bool:
    """Does the question open by asking whether others see the same trouble
    (``AssertionWords.others_too``: "Quelqu'un d'autre n'arrive plus à se connecter ?")?"""
    opening = _phrase(question)
    return any(opening == p or opening.startswith(p + " ") for p in words.others_too)


@lru_cache(maxsize=PARSE_CACHE)
def asks(question: str, following: str, words: AssertionWords) -> bool:
    """Whether a sentence ending in "?" asks rather than tells. It asks when one of its
    phrases opens with an interrogative word ("Comment facturer sans carte ?", "À la
    pharmacie, qui avance les frais ?"), when it puts its subject after its verb ("Les
    paiements seront-ils bloqués ?"), conjugates no verb of its own ("Almerys en panne ?",
    "Encore un opérateur qui s'est fait pirater ?") or only one of what is to come, may,
    must or seems to be ("Le portail va tomber ?", "Il faut refacturer ?"), and when the
    sentence after it says what to do then ("Vous n'avez pas reçu votre virement ?
    Appelez le 3646."). In the order of a statement, in the present or the past, it tells
    what the writer sees and asks whether others see it too, as posts and messages do
    ("Viamedis ne répond plus ?", "Vous avez aussi des rejets Almerys depuis lundi ?")."""
    if len(question) > MAX_SENTENCE or len(following) > MAX_SENTENCE:
        return True
    # the question itself: what follows a colon or a quote ("lâche : « Encore un ... ?")
    question = _QUESTION_OPENS.split(question)[-1].strip()
    phrases = [_phrase(part).split() for part in question.split(",")]
    for phrase in phrases:
        while phrase and phrase[0] in _LINKING:
            del phrase[0]  # "Et si demain tout s'éteignait ?"
    if any(p and p[0] in words.interrogatives for p in phrases) or not phrases[0]:
        return True
    if any("-" in w and w.rsplit("-", 1)[1] in words.inverted_subjects for p in phrases for w in p):
        return True
    verbs = [t for t in parse(question) if _conjugated(t) and not _describing(t)]
    if not verbs or any(
        _future_or_conditional(v) or _plain(v.lemma_) in _ASKING_VERBS for v in verbs
    ):
        return True
    return bool(following) and _says_what_to_do(following)


_QUESTION_OPENS = re.compile(r"[:«“]")
_LINKING = frozenset(("et", "mais", "alors", "donc", "puis", "sinon", "bref"))
# What may be, must be, seems or is about to be: a question with them asks ("Le portail va
# tomber ?", "On peut refacturer ?", "Il faut tout ressaisir ?", "Une facture vous semble
# impayée ?").
_ASKING_VERBS = frozenset(("aller", "pouvoir", "devoir", "falloir", "sembler", "paraitre"))


def _describing(verb: Any) -> bool:
    """Is the verb one of a clause describing a noun ("un opérateur qui s'est fait
    pirater"): under a relative clause, or with a relative pronoun of its own?"""
    if _in_noun_clause(verb):
        return True
    clause = verb.head if verb.dep_.startswith("aux") else verb
    return any(
        c.i > 0 and c.pos_ == "PRON" and c.lower_ in ("qui", "que", "qu'", "dont")
        for c in clause.children
    )


def _says_what_to_do(sentence: str) -> bool:
    """Does the sentence open with an imperative ("Appelez le 3646", "N'hésitez pas") or
    tell the reader what they may do ("Vous pouvez nous écrire")?"""
    tokens = [t for t in parse(sentence) if not t.is_punct]
    opener = next((t for t in tokens if _plain(t.lemma_) not in ("ne", "n")), None)
    if opener is not None and (
        "Imp" in opener.morph.get("Mood")
        # the model often takes a verb in -ez opening a sentence for a name ("Vérifiez")
        or (opener.lower_.endswith("ez") and opener.lower_ not in _NOT_IMPERATIVE)
    ):
        return True
    return any(
        _plain(t.lemma_) in ("pouvoir", "suffire")
        and any(
            c.dep_.startswith("nsubj") and _plain(c.lemma_) in ("vous", "il") for c in t.children
        )
        for t in tokens[:4]
    )


_NOT_IMPERATIVE = frozenset(("chez", "assez", "nez", "rez"))


def _phrase(text: str) -> str:
    """Words of a text folded, one space between ("Est-ce que d'autres" -> "est-ce que d
    autres"): phrases compared whole, whatever the punctuation and spacing."""
    return " ".join(_PHRASE_WORDS.findall(fold(text).lower()))


_PHRASE_WORDS = re.compile(r"\w+(?:-\w+)*")


@lru_cache(maxsize=PARSE_CACHE)
def awaited(sentence: str, offset: int, words: AssertionWords) -> bool:
    """Whether the word at ``offset`` is said as still to come (see _awaited): "la
    réouverture du portail est prévue jeudi", "le service sera rétabli lundi"."""
    token = _token_at(sentence, offset)
    return token is not None and _awaited(token, words)


# Verbs that leave an infinitive below them done: "peuvent de nouveau facturer".
_ABLE = frozenset(("pouvoir", "parvenir", "arriver", "reussir"))


def _instruction(verb: Any) -> bool:
    """An infinitive not governed by a verb of ability: what is asked or advised."""
    if "Inf" not in verb.morph.get("VerbForm"):
        return False
    return verb.head == verb or not (_verb_forms(verb.head) & _ABLE)


def _awaited(token: Any, words: AssertionWords) -> bool:
    """Is the word said as to come rather than done: a future or a conditional ("rouvrira",
    "sera rétabli", "devrait reprendre"), expected ("la reprise est attendue lundi"), or an
    infinitive under another verb ("doivent reprendre", "espère rétablir"), but for one of
    ability in the present or the past ("peuvent de nouveau facturer")? A noun is read
    through its verb."""

    def later(verb: Any) -> bool:
        forms = [verb, *_auxiliaries(verb)]
        late = any("Fut" in f.morph.get("Tense") or "Cnd" in f.morph.get("Mood") for f in forms)
        return late or bool(_verb_forms(verb) & words.expectation)

    verb = _predicate(token)
    if verb.pos_ not in ("VERB", "AUX"):
        # A noun the parse hangs on no verb: awaited if its sentence awaits anything ("la
        # reprise des paiements est attendue lundi"); none: a heading ("Réouverture").
        return any(t.pos_ in ("VERB", "AUX") and later(t) for t in token.sent)
    # An infinitive is an aim ("Rétablir le service au plus vite") or asked for, unless a
    # verb of ability governs it.
    if later(verb) or _instruction(verb):
        return True
    infinitive = "Inf" in verb.morph.get("VerbForm")
    completes = (infinitive or verb.dep_ == "xcomp") and verb.head != verb
    return completes and later(verb.head)


def _denied(dependent: Any, words: AssertionWords) -> str | None:
    """A dependent its own determiner negates ("n'a suspendu aucun service") or makes
    any of its kind ("bloque toute connexion non autorisée")."""
    negation = _denied_by(dependent, words)
    if negation is not None:
        return f"negation: {negation.text.lower()}"
    return _any_case(dependent, words)


def _any_case(noun: Any, words: AssertionWords) -> str | None:
    """A noun whose only determiner is "tout" ("toute fuite doit être notifiée", "tout
    accès non autorisé est bloqué") names any case of its kind, not one that happened;
    "toute la messagerie" (with an article) is one thing whole."""
    determiners = [c for c in noun.children if c.dep_.startswith("det")]
    if len(determiners) == 1 and _plain(determiners[0].lemma_) == "tout":
        return f"generic: {determiners[0].text.lower()}"
    # Right before it, whatever the parse made of it ("signalez-nous toute difficulté", the
    # small model reading "difficulté" as a verb), unless an article follows ("toute la").
    before = noun.doc[noun.i - 1] if noun.i else None
    if before is not None and _plain(before.lemma_) == "tout" and not determiners:
        return f"generic: {before.text.lower()}"
    # A unit counted by "par", with no determiner, after an amount: "un euro par facture
    # rejetée à tort", "deux appels par fausse alerte" (a rate, any case); not "une attaque
    # par déni de service"
    if before is not None and before.lower_ == "par" and not determiners and noun.i > 1:
        amount = noun.doc[noun.i - 2]
        if amount.pos_ == "NUM" or _plain(amount.lemma_) in words.rate_units:
            return "generic: par"
    # One indefinite case said to be able to or to have to be done: a rule for any case
    # ("un SMS suspect peut être signalé au 33700", "une fuite doit être notifiée à la
    # CNIL"). Not in the past: "un pirate a pu se connecter" did.
    # In the plural, only what "can" be: "des fraudeurs peuvent emprunter le nom de la MSA"
    # ("des pharmacies doivent avancer les frais" is a fact).
    head = noun.head
    modals = _MODALS if "Sing" in noun.morph.get("Number") else frozenset(("pouvoir",))
    if (
        noun.dep_.startswith("nsubj")
        and len(determiners) == 1
        and _plain(determiners[0].lemma_) == "un"
        and _plain(head.lemma_) in modals
        and "Pres" in head.morph.get("Tense")
        and any(c.dep_ == "xcomp" for c in head.children)
    ):
        return f"generic: {determiners[0].text.lower()} ({head.text.lower()})"
    # One case in what a text provides, read off the words as the parse often fails them
    # ("prévoit" taken for an adjective): "la convention prévoit qu'un retard de paiement
    # donne lieu à une indemnisation".
    before3 = [_plain(t.text.lower()) for t in noun.doc[max(0, noun.i - 3) : noun.i]]
    one = len(before3) == 3 and before3[1:] in (["qu'", "un"], ["qu'", "une"])
    if one and before3[0].startswith(_STIPULATING):
        return f"generic: {before3[2]} ({before3[0]})"
    return None


# Verbs of what a text provides or a party requires, by their stems.
_STIPULATING = ("prevoi", "stipul", "impose", "garanti", "exige")


def _denied_by(dependent: Any, words: AssertionWords) -> Any:
    for child in dependent.children:
        if child.dep_.startswith("det") and _plain(child.lemma_) in words.negation:
            return child
    return None


def _head_lemmas(token: Any) -> frozenset[str]:
    """The token's lemma, and for a participle the model reads as an adjective or a noun
    ("privées": *privé*), the verb it comes from (*priver*): a past participle in -é, -i or
    -u is the verb in -er, -ir or -re."""
    lemma = _plain(token.lemma_)
    if token.pos_ == "VERB":
        return _verb_forms(token)  # "prive" left as written: *priver*
    if token.pos_ == "PROPN":
        # A common noun the model took for a name keeps its plural in its lemma
        # ("Démarchages frauduleux" opening a title).
        return _noun_forms(token)
    if token.pos_ not in ("ADJ", "NOUN"):
        return frozenset((lemma,))
    # Its written form too: the model's lemma of a word it mistagged may be no word at all
    # ("lettre" read as an adjective: *lettr*).
    forms = _noun_forms(token)
    written = _plain(token.text.lower())
    if any(c.dep_.startswith("nsubj") for c in token.children) and written.endswith("e"):
        # A "noun" with a subject is a verb the model misread ("le répartiteur ne livre
        # plus": *livre*): the present of a verb in -er.
        return forms | {written + "r"}
    stem = written.removesuffix("s").removesuffix("e")
    if stem.endswith(("e", "i")):
        return forms | {stem + "r"}
    if stem.endswith("u"):
        return forms | {stem[:-1] + "re"}
    return forms


# A participle modifying a noun says of that noun what a passive says of its subject:
# "les données dérobées" as "les données ont été dérobées".
_PARTICIPLE_OF = ("acl", "amod")
_PATIENT = ("nsubj:pass", "obj")


def _dependent(token: Any, relation: Relation) -> Any:
    # A present participle says of the noun it describes what a verb says of its subject:
    # "des appels se présentant comme le support" as "des appels se présentent".
    present = "Pres" in token.morph.get("Tense") and "nsubj" in relation.deps
    if (
        token.dep_.startswith(_PARTICIPLE_OF)
        and token.head != token
        and (present or any(dep.startswith(_PATIENT) for dep in relation.deps))
        and "Part" in (token.morph.get("VerbForm") or ["Part"])
    ):
        # The noun it describes; or, when the model hung it on the complement of that noun
        # (the nearer one), the noun completed: "des comptes d'agents usurpés".
        described = token.head
        if _noun_forms(described) & relation.dependents:
            return described
        if described.dep_ == "nmod" and _noun_forms(described.head) & relation.dependents:
            return described.head
        if token.dep_ != "acl:relcl":  # "des logiciels d'officine qui ne sont pas passés"
            for complement in described.children:  # "la prise de commande rétablie"
                if complement.dep_ != "nmod" or _circumstance(complement):
                    continue
                if _noun_forms(complement) & relation.dependents:
                    return complement
    if "amod" in relation.deps:
        # An adjective right beside its noun describes it, whatever the parse made of the
        # two (the small model reads "frauduleux" as part of a name, "prétendue" as a noun
        # with "offre" its verb).
        for side in (token.i - 1, token.i + 1):
            if not 0 <= side < len(token.doc) or token.doc[side].pos_ in _NOT_DESCRIBING:
                continue  # "paiement sans contact": "sans" describes nothing
            if _noun_forms(token.doc[side]) & relation.dependents:
                return token.doc[side]
    if "advmod" in relation.deps and token.i + 1 < len(token.doc):
        # An adverb right after its verb is its own, wherever the model hung the two
        # ("les télétransmissions passent de nouveau", "passent" read as a modifier).
        after = token.doc[token.i + 1]
        if _noun_forms(after) & relation.dependents:
            return after
    if token.pos_ in ("VERB", "ADJ") and any(d.startswith(("obl", "nmod")) for d in relation.deps):
        # A complement right after its verb or adjective is its own, wherever the model
        # hung it: "les opticiens privés de prises en charge" (hung on "opticiens").
        after = token.doc[token.i + 1 : token.i + 4]
        if after and after[0].pos_ == "ADP" and _plain(after[0].text) not in _CIRCUMSTANCE:
            noun = next((t for t in after[1:] if t.pos_ != "DET"), None)
            if noun is not None and _noun_forms(noun) & relation.dependents:
                return noun
    if "nmod" in relation.deps:
        # A complement the model hung on a word describing the token is the token's own:
        # "l'accès non autorisé à des données" is an access to data.
        for described in token.children:
            if described.dep_.startswith(_PARTICIPLE_OF):
                for child in described.children:
                    if child.dep_.startswith(("obl", "nmod")) and (
                        _noun_forms(child) & relation.dependents
                    ):
                        return child
    if token.dep_ in ("appos", "nmod") and "nsubj" in relation.deps and token.head.i < token.i:
        # A support verb the model read as a modifier, its object then hung on the subject:
        # "les paiements [de Viamedis] accusent un retard".
        between = token.doc[token.head.i + 1 : token.i]
        if any(_present_forms(t) & _SUPPORT for t in between) and (
            _noun_forms(token.head) & relation.dependents
        ):
            return token.head
    children = list(token.children)
    if token.dep_ == "conj" and not any(c.dep_.startswith("nsubj") for c in children):
        # Coordinated verbs share their subject: "les règlements [...] n'arrivent plus", the
        # model making "arrivent" a conjunct of the relative clause's verb before it.
        children += [c for c in token.head.children if c.dep_.startswith("nsubj")]
    if token.head != token and (
        token.dep_ == "xcomp"
        or (token.dep_ in ("obj", "obl:arg") and _plain(token.head.lemma_) in _SUPPORT)
    ):
        # The subject of the verb it completes is its own: "les tournées n'ont pu être
        # bouclées" says the rounds were not completed; and the subject of a support verb
        # is its noun's: "les remboursements accusent un retard" is a delay of refunds.
        children += [c for c in token.head.children if c.dep_.startswith("nsubj")]
        if token.dep_ == "xcomp" and _plain(token.head.lemma_) in _PERCEPTION:
            # The object of a verb of perception is its infinitive's subject: "il a vu les
            # remboursements s'interrompre".
            children += [c for c in token.head.children if c.dep_ == "obj"]
    # An infinitive the model read as a noun ("pour extraire des données"): its noun
    # complement is its object.
    infinitive = token.pos_ == "NOUN" and _plain(token.text.lower()).endswith(("er", "ir", "re"))
    for child in children:
        dep = "obj" if infinitive and child.dep_ == "nmod" else child.dep_
        if not dep.startswith(relation.deps) or _circumstance(child):
            continue
        candidates = _listed_with(child)
        # What a quantity counts ("la plupart des lots", "coupé l'ensemble de ses portails")
        # and what a function serves ("la prise de commande", "le système de commandes").
        candidates += [c for c in child.children if c.dep_.startswith("nmod")]
        for candidate in candidates:
            if _noun_forms(candidate) & relation.dependents:
                return candidate
    return None


_PERCEPTION = frozenset(("voir", "regarder", "entendre", "sentir", "constater"))
# Prepositions of time or circumstance: what they open is when or despite what, never the
# thing a verb acts on ("votre espace privé depuis le site de votre caisse").
_CIRCUMSTANCE = frozenset(("depuis", "pendant", "durant", "lors", "apres", "avant", "malgre"))


def _circumstance(complement: Any) -> bool:
    return any(
        c.dep_ == "case" and _plain(c.text.lower()) in _CIRCUMSTANCE for c in complement.children
    )


_NOT_DESCRIBING = frozenset(("ADP", "DET", "PUNCT", "CCONJ", "SCONJ", "PRON", "AUX"))

# Support verbs: their object says what happens to their subject ("accuser un retard").
_SUPPORT = frozenset(("accuser", "prendre", "subir", "connaitre", "enregistrer", "essuyer"))


def _listed_with(token: Any) -> list[Any]:
    """The token and the words listed with it, coordinated or in apposition: "les noms,
    dates de naissance et numéros de sécurité sociale" (a few levels, a few words)."""
    found = [token]
    for node in found:
        if len(found) >= 12:
            break
        found += [c for c in node.children if c.dep_ in ("conj", "appos")]
    return found[:12]


def _noun_forms(token: Any) -> frozenset[str]:
    """A noun's lemma, and its written form without a plural ending: the small model takes
    some plurals for verbs ("tournées": *tourner*); with the words fixed to it, a fixed
    phrase ("de nouveau", "à nouveau")."""
    written = _plain(token.text.lower())
    if written.endswith(("s", "x")) and len(written) > 3:
        written = written[:-1]
    forms = {_plain(token.lemma_), written}
    fixed = [c for c in token.children if c.dep_ == "fixed"]
    if fixed:
        forms.add(" ".join(_plain(t.lemma_) for t in (token, *fixed)))
    return frozenset(forms)


def answered_warning(question: str, answer: str, words: AssertionWords) -> str | None:
    """The reason a sentence right after a question tells no event: the question asks what
    may come of something ("Quels risques ?", "Que risquez-vous ?": a word of warning) and
    the sentence answers it naming things, or what will or would be ("Des tentatives
    d'hameçonnage plus crédibles", "Des arnaques, qui s'appuieront sur des données
    exactes"): what it names are threats. Not an answer that tells what is or was ("Quel
    risque ? Le portail est fermé depuis lundi")."""
    if len(question) > MAX_SENTENCE or len(answer) > MAX_SENTENCE:
        return None
    asked = frozenset().union(*(_verb_forms(t) for t in parse(question))) & words.warning
    if not asked:
        return None
    if any(_conjugated(t) and not _future_or_conditional(t) for t in parse(answer)):
        return None
    return f"warning: {min(asked)} (asked before)"


def topic_nouns(phrase: str) -> frozenset[str]:
    """The lemmas (folded) of a short phrase's nouns: a title's topic before its colon
    ("Livraisons depuis Vierzon": livraison, vierzon). A capitalised word opening a title
    is often read as a name and left in the plural: its written singular is given too (see
    _noun_forms)."""
    if len(phrase) > MAX_SENTENCE:
        return frozenset()
    nouns = (t for t in parse(phrase) if t.pos_ in ("NOUN", "PROPN"))
    return frozenset().union(*map(_noun_forms, nouns))
