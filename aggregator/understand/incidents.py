"""Grouping advisory items into incidents, and the status of each incident over time.

An incident is one real-world event (DOMAIN.md, "What an incident is"): one disruption episode
of one operator with the networks it runs, of one organisation, or of a group named without a
proper name ("les grossistes-répartiteurs de La Réunion"), from its first report to its end.

Grouping reads every item at once and never depends on the order items arrived in:

1. Each item is read (:func:`read`): its keys (payers, a network folded into the operator
   that runs it, else the organisation it is about), whether it *reports* the event (it has
   a kind or says a service is broken, its key is the subject of the title or of the
   opening, and it is not a hypothesis, a denial, advice or a look back), whether it
   announces a planned interruption, and whether it says the service is back for real.
2. Reporting items of one key found incidents: sorted by date, a report more than
   ``WINDOW`` after the last one of its key and family starts a new incident.
3. Every other item that names a key joins that key's incident whose span (from
   ``EARLY`` before its first report to ``WINDOW`` after its last item) holds its date:
   a regulator's notice on two operators joins both, an early item is not lost.
4. An item that names no key joins the one incident in reach whose items share enough
   distinctive words with it (none when two could fit); reporting items left over group
   by the proper names of their titles ("Weda", "CHU de Rouen"), which become the key; such
   a group joins the one keyed incident in reach whose reports open by naming it (a service
   that fell with the one it depends on).

Kind families: a cyberattack takes a service down, leaks data, invites phishing in its wake
and stops payments, after which unions call to suspend tiers payant; pharmacists live these
as one incident, so those kinds are one family (`family:` in taxonomy.yaml, the one place
that says it). Wholesaler supply trouble is another story. A fraud campaign alone
(`campaign:`) is an event of its own: an attack reported after it is another incident.

Status (DOMAIN.md, "Status"): ``planned`` while only announcements of a future interruption
are known, ``ongoing`` once a failure is reported, ``resolved`` when a later item says the
service is back (a hoped, expected or negated return is not one), ``ongoing`` again if an
item then says the service is broken again or still (not the aftermath naming the trouble).
``stale``: ongoing with no news for ``STALE_AFTER``.

Ids are stable: a group keeps the id its items carried in the previous run; a new group's
id is made of its first report's day, its key and its first kind, never of arrival order.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from aggregator.models import Incident, Status, StatusSignal, is_stale
from aggregator.text.folding import fold_case_kept
from aggregator.understand.dedupe import normalise_text
from aggregator.understand.matching import Matcher, prefixes

if TYPE_CHECKING:
    from aggregator.understand.taxonomy import Taxonomy

WINDOW = timedelta(days=21)  # silence after which a new report is a new episode
EARLY = timedelta(days=3)  # an unnamed or passing item this much before the first report
FALLBACK_KIND = "incident"  # id part of an incident founded by a failure with no kind
TITLE_KINDS = 2  # kinds named in a title: enough to say what happened, short enough to read
LEAD_CHARS = 400  # the opening of a body, where a story names what it is about:
LEAD_SENTENCES = 2  # its first sentences, at most that many characters
_PARIS = ZoneInfo("Europe/Paris")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class IncidentInput:
    """What grouping needs of one advisory item."""

    id: str
    date: datetime
    title: str
    payers: tuple[str, ...]
    kinds: tuple[str, ...]
    organisations: tuple[str, ...]
    status: StatusSignal | None
    actions: tuple[str, ...]
    contacts: tuple[str, ...]
    text: str = ""  # the start of the body as plain text, to read what the item asserts
    # What the classifier says, when it knows: whether the item reports an event. None:
    # read here from the title and the opening.
    reports_event: bool | None = None


# --- reading one item ---------------------------------------------------------------------------

# What an item asserts about its event is read on folded text (no case, no accents), in the
# wording of taxonomy.yaml's ``openings`` (see _wording).
_MONTHS = (
    *("janvier", "fevrier", "mars", "avril", "mai", "juin", "juillet", "aout"),
    *("septembre", "octobre", "novembre", "decembre"),
)
_DATED = re.compile(rf"\bdu (\d{{1,2}}|1er) ({'|'.join(_MONTHS)})\b")


@dataclass(frozen=True)
class Reading:
    """What grouping reads of one item."""

    item: IncidentInput
    keys: tuple[str, ...]  # payers (networks folded into their operator), else organisations
    by_payer: bool
    reports: bool  # it reports the event: it may found an incident
    planned: bool  # it announces a future interruption
    looks_back: bool  # it tells a past episode again (a review, "la panne du 17 janvier")
    resolution: bool  # it says service is back, for real
    failure: bool  # it says service is broken
    networks: tuple[str, ...]  # the networks of its operator it names
    names: tuple[str, ...]  # proper names of its title, for items with no known key
    title_keys: tuple[str, ...] = ()  # the keys its title names
    again: bool = False  # its opening says broken again or still ("nouvelle panne")
    aside: bool = False  # a title of advice in general naming no key: no incident's news
    date: datetime = _EPOCH  # the item's date, aware
    order: tuple[datetime, str] = (_EPOCH, "")  # date, then id: one order for any arrival


@functools.lru_cache(maxsize=4096)  # a pure reading; the same items are regrouped often
def read(item: IncidentInput, aliases: Callable[[str], Sequence[str]] | None = None) -> Reading:
    """What an item says about its event (see the module docstring). ``aliases``: the
    spellings of a slug (the built-in taxonomy's when not given)."""
    aliases = aliases or builtin_aliases
    operator_of = _operator_of()
    payers = _unique(operator_of.get(p, p) for p in item.payers)
    networks = tuple(p for p in item.payers if p in operator_of)
    title = normalise_text(item.title)
    sentences = [normalise_text(s) for s in _opening_sentences(item.text)]
    # One line each: the taxonomy's wording may look for where a title or a sentence ends
    # ("MSA : c'est rentré", "Envoi des lots — Resolved"), which folding drops.
    lead = "\n".join(sentences)
    # Regulators, agencies, unions (taxonomy.yaml commentator) key an incident only when the
    # title makes them its subject.
    commentators = _builtin_taxonomy().commentators
    orgs = [o for o in item.organisations if o not in commentators or _named(o, title, aliases)]
    keys = tuple(payers or orgs[:2])  # like two payers, two organisations hit at once
    opening = f"{title}\n{lead}"
    stance = bool(
        _wording("hypothesis").search(opening)
        or _wording("anticipation").search(opening)
        or (_wording("general").search(title) and not _wording("current").search(lead))
    )
    # An opening that announces a closing plans an interruption only when the classifier
    # read a kind in the item: "l'ancien extranet sera fermé", replaced by a new one, is none.
    planned = item.status == "planned" or (
        bool(_wording("planned").search(opening)) and item.status != "resolved" and bool(item.kinds)
    )
    failure = item.status == "failure"
    if item.reports_event is not None:
        reports = item.reports_event
    else:
        # Named in the title, or in an opening sentence that does not recall a past event.
        told = [t for t in (title, *sentences) if not _recalls(t, item.date)]
        if sentences and _recalls(sentences[0], item.date):
            # A body that opens looking back ("L'hiver 2024 a servi de leçon. Quand
            # Viamedis puis Almerys ont été visés...") tells its past in the lead.
            told = told[:1] if told and told[0] == title else []
        # A payer the item never names is its source's: its own notice, in the first
        # person ("nos téléservices seront indisponibles"), which is about it.
        unnamed = [title, normalise_text(item.text)]
        own = bool(payers) and not any(
            _named(k, text, aliases) for k in (*keys, *networks) for text in unnamed
        )
        salient = (
            # with no key, unless the title and the opening all look back ("Cinq ans après
            # WannaCry" over "Le 12 mai 2017, un rançongiciel...")
            (not keys and bool(told))
            or own
            or any(_named(k, text, aliases) for k in (*keys, *networks) for text in told)
        )
        news = bool(item.kinds or failure or planned) and _tells_event(opening)
        reports = news and salient and not stance
    date = _aware(item.date)
    resolution = (
        item.status == "resolved"
        and not _wording("not_yet").search(title)
        and _tells_return(opening)
    )
    return Reading(
        date=date,
        order=(date, item.id),
        item=item,
        keys=keys,
        by_payer=bool(payers),
        reports=reports,
        planned=planned and not failure,
        resolution=resolution,
        looks_back=_looks_back(title, date),
        failure=failure or (bool(item.kinds) and reports and not planned),
        again=failure and _tells_again(opening),
        aside=bool(_wording("general").search(title) and not _wording("current").search(lead))
        and not any(_named(k, title, aliases) for k in (*keys, *networks)),
        networks=networks,
        # Only read when needed: proper names for reports with no key, title keys for two.
        names=_unnamed_names(item, keys, reports, resolution),
        title_keys=tuple(
            k
            for k in (keys if len(keys) > 1 else ())
            if any(_named(n, title, aliases) for n in (k, *networks))
        ),
    )


def _tells_event(opening: str) -> bool:
    """Does a folded opening say trouble or its end: in taxonomy.yaml's openings, or in the
    taxonomy's own wording of kinds, failures and returns ("hors service", "tombé en rade",
    "de nouveau opérationnel"), so that what the classifier reads as an event the opening
    is found to tell?"""
    return bool(_wording("event").search(opening)) or _holds(_taxonomy_events(), opening)


def _tells_again(opening: str) -> bool:
    """Does a folded opening say the service is broken again or still ("nouvelle coupure",
    "de nouveau inaccessible", "reste fermé", "pas de retour avant mercredi"): taxonomy.yaml
    status.failure, or a return not yet come?"""
    return bool(_wording("not_yet").search(opening)) or _holds(_taxonomy_failures(), opening)


@functools.cache
def _taxonomy_failures() -> Matcher:
    return Matcher((0, p) for p in _builtin_taxonomy().status_words.failure)


def _tells_return(opening: str) -> bool:
    """Does a folded opening say the service is back: in taxonomy.yaml's openings, or in the
    taxonomy's wording of returns?"""
    return bool(_wording("back").search(opening)) or _holds(_taxonomy_returns(), opening)


def _holds(matcher: Matcher, text: str) -> bool:
    """Does folded ``text`` hold one of the matcher's patterns?"""
    return bool(matcher.find(text, prefixes(text.split())))


@functools.cache
def _taxonomy_returns() -> Matcher:
    resolved = _builtin_taxonomy().status_words.resolved
    return Matcher((0, p) for group in resolved for p in group.patterns)


@functools.cache
def _taxonomy_events() -> Matcher:
    taxonomy = _builtin_taxonomy()
    status = taxonomy.status_words
    patterns = [
        *(p for kind in taxonomy.kind_entries for p in kind.patterns),
        *(p for group in status.resolved for p in group.patterns),
        *status.failure,
    ]
    return Matcher((0, p) for p in patterns)


_YEAR = re.compile(r"\b(20\d\d)\b")


def _recalls(text: str, date: datetime) -> bool:
    """Does the folded ``text`` recall a past episode: a period some time back, or a year
    before the item's own ("Fuite de 2021 : la CNIL inflige une amende", in 2022)?"""
    if _wording("recall").search(text):
        return True
    return any(int(year) < date.year for year in _YEAR.findall(text))


def _looks_back(title: str, date: datetime) -> bool:
    """A review of an episode, or a title naming the day of an episode now past."""
    if _wording("look_back").search(title):
        return True
    found = _DATED.search(title)
    if found is None:
        return False
    day = 1 if found.group(1) == "1er" else int(found.group(1))
    month = _MONTHS.index(found.group(2)) + 1
    local = date.astimezone(_PARIS)
    try:
        named = datetime(local.year, month, day, tzinfo=_PARIS)
    except ValueError:
        return False
    if named > local + timedelta(days=1):
        named = named.replace(year=local.year - 1)  # "du 28 décembre" read in January
    return local - named >= timedelta(days=1)


_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[«\"(]?[A-ZÀ-Ý0-9])|\n\s*\n")


def _opening_sentences(text: str) -> list[str]:
    """The first sentences of a body (LEAD_CHARS at most): where a report says whose event
    it is."""
    sentences = _SENTENCE_END.split(text[: LEAD_CHARS * 2].strip(), maxsplit=LEAD_SENTENCES)
    kept: list[str] = []
    room = LEAD_CHARS
    for sentence in sentences[:LEAD_SENTENCES]:
        kept.append(sentence[:room])
        room -= len(kept[-1])
        if room <= 0:
            break
    return kept


@functools.cache
def _wording(name: str) -> re.Pattern[str]:
    """taxonomy.yaml's ``openings`` list ``name`` ("event", "back", "recall"...) as one
    pattern."""
    return _builtin_taxonomy().openings.pattern(name)


@functools.cache
def _builtin_taxonomy() -> Taxonomy:
    from aggregator.understand.taxonomy import load_taxonomy  # here: read once, when needed

    return load_taxonomy()


@functools.cache
def kind_order() -> tuple[str, ...]:
    """The fixed kinds of taxonomy.yaml, in the order they are listed and titled."""
    return tuple(k.slug for k in _builtin_taxonomy().kind_entries)


@functools.cache
def _builtin_spellings() -> dict[str, tuple[str, ...]]:
    taxonomy = _builtin_taxonomy()
    entries = (*taxonomy.payer_entries, *taxonomy.organisation_entries)
    return {e.slug: (e.name, *e.aliases, *e.match_case) for e in entries}


def builtin_aliases(key: str) -> tuple[str, ...]:
    """The spellings of a payer or organisation slug in the built-in taxonomy."""
    return _builtin_spellings().get(key, ())


def _named(key: str, text: str, aliases: Callable[[str], Sequence[str]]) -> bool:
    """Whether folded ``text`` names ``key`` (its slug or one of its aliases)."""
    return bool(_spelling(key, aliases).search(text))


@functools.lru_cache(maxsize=4096)
def _spelling(key: str, aliases: Callable[[str], Sequence[str]]) -> re.Pattern[str]:
    """One pattern for every folded spelling of a key, built once per key."""
    spellings = {normalise_text(key), *map(normalise_text, aliases(key))} - {""}
    alternatives = "|".join(re.escape(s) for s in sorted(spellings, key=len, reverse=True))
    return re.compile(rf"\b(?:{alternatives})\b")


@functools.cache
def _not_names() -> frozenset[str]:
    """Capitalised words that name no organisation (taxonomy.yaml ``names.not_names``)."""
    return frozenset(map(normalise_text, _builtin_taxonomy().names.not_names))


@functools.cache
def _name_common_words() -> frozenset[str]:
    """Words many names share (taxonomy.yaml ``names.common``), folded."""
    return frozenset(map(normalise_text, _builtin_taxonomy().names.common))


# A word, or a mark that starts a new sentence inside a title ("Cannes. Cyberattaque ...").
# A site's address: "laposte.net", "doctolib.fr".
_DOMAIN = re.compile(r"\b([^\W_][\w-]{2,})\.(?:fr|net|com|org|eu|info|io)\b")
_TITLE_TOKEN = re.compile(r"[^\W\d_][\w'’-]*|[.:!?;«»–—]")


def _unnamed_names(
    item: IncidentInput, keys: Sequence[str], reports: bool, resolution: bool
) -> tuple[str, ...]:
    """Proper names of an item with no known key that reports an event (off its title, or
    else off its body: see _body_names) or tells it is over (off its title only, to find
    the incident it closes). Only read when needed."""
    if keys or not (reports or resolution):
        return ()
    if resolution:
        return _title_names(item.title, item.text)
    return _title_names(item.title, item.text) or _body_names(item.text)


def _title_names(title: str, text: str = "") -> tuple[str, ...]:
    """Runs of capitalised words of a title that are not there for starting a sentence:
    "Weda", "CHU", "Pierre Fabre", "Rouen". A sentence's first word counts when it is in
    capitals, when the next word is capitalised too, or when the body ``text`` writes it
    with its capital inside a sentence ("Luxottica : la production a repris" over "...,
    Luxottica indique que son activité est revenue à la normale")."""
    tokens = [t.split("'")[-1].split("’")[-1] for t in _TITLE_TOKEN.findall(title)]
    names: list[str] = []
    run: list[str] = []
    start = True
    for n, word in enumerate(tokens):
        if not word[:1].isalpha():
            start, run = True, _flush(run, names)
            continue
        folded = normalise_text(word)
        following = tokens[n + 1] if n + 1 < len(tokens) else ""
        capital = word[:1].isupper() and folded not in _not_names() and len(folded) > 1
        if start and capital and _wording("event").search(folded):
            capital = False  # "Panne CrowdStrike" names CrowdStrike, not "panne crowdstrike"
        elif start and capital and not (word.isupper() or following[:1].isupper()):
            capital = _inside_a_sentence(word, text)
        start = False
        if capital:
            run.append(folded)
        else:
            run = _flush(run, names)
    _flush(run, names)
    # A site's address names its service as well as a capital does: "laposte.net coupe
    # IMAP", "panne de doctolib.fr".
    names += (normalise_text(m.group(1)) for m in _DOMAIN.finditer(title.lower()))
    return tuple(dict.fromkeys(names))


@functools.cache
def _introduced() -> re.Pattern[str]:
    """A proper name that a noun of organisation introduces (taxonomy.yaml
    ``names.introducers``): "l'éditeur Dedalus", "le groupe Pierre Fabre", "la plateforme
    Doctolib". The nouns as written or without accents, singular or plural."""
    nouns = {f(n) for n in _builtin_taxonomy().names.introducers for f in (str, fold_case_kept)}
    alternatives = "|".join(sorted(map(re.escape, nouns), key=len, reverse=True))
    return re.compile(rf"\b(?:{alternatives})s?\s+((?:[A-Z][\w-]+)(?:\s+[A-Z][\w-]+)?)")


def _body_names(text: str) -> tuple[str, ...]:
    """Names a body gives organisations by their kind (see _introduced), for a report
    whose title names nobody: "un logiciel de l'éditeur Dedalus"."""
    names = (normalise_text(m.group(1)) for m in _introduced().finditer(text))
    return tuple(dict.fromkeys(n for n in names if n not in _not_names()))


def _inside_a_sentence(word: str, text: str) -> bool:
    """Does ``text`` write ``word``, capitalised, after another word of its sentence?"""
    return re.search(rf"[\w,;)»’'-]\s+{re.escape(word)}\b", text) is not None


def _flush(run: list[str], names: list[str]) -> list[str]:
    if run:
        names.append(" ".join(run))
    return []


# --- grouping ---------------------------------------------------------------------------------


@dataclass
class _Group:
    """An incident being built: one key, its items."""

    key: str
    by_payer: bool
    families: set[str]
    kinds: set[str] = field(default_factory=set)  # of its reports
    reports: list[Reading] = field(default_factory=list)
    members: dict[str, Reading] = field(default_factory=dict)
    last: datetime = _EPOCH  # the newest member's date
    _terms: set[str] | None = None

    @property
    def start(self) -> datetime:
        return self.reports[0].date

    def add(self, reading: Reading) -> None:
        self.members[reading.item.id] = reading
        self.last = max(self.last, reading.date)
        self._terms = None

    def report(self, reading: Reading) -> None:
        self.reports.append(reading)
        self.families |= _families(reading.item.kinds)
        self.kinds.update(reading.item.kinds)
        self.add(reading)

    def keep_earlier_name(self, name: str, date: datetime) -> None:
        """Take the name of an item older than the first report, which the reports name too
        ("L'hôpital de Cannes paralysé", then "Cannes : l'ARS mobilisée" keyed the
        incident): it was called by it before the later report came, and its id must not
        change. An incident keyed on a payer keeps its payer."""
        if not self.by_payer and date < self.start:
            self.key = name

    def absorb(self, other: _Group) -> None:
        """Take another group's items: a report bridged the two (an attack that stopped
        deliveries links the attack's reports and the delivery reports)."""
        self.reports = sorted(self.reports + other.reports, key=lambda r: r.order)
        self.families |= other.families
        self.kinds |= other.kinds
        self.members.update(other.members)
        self.last = max(self.last, other.last)
        self._terms = None

    def shares_family(self, families: set[str]) -> bool:
        return not families or not self.families or bool(families & self.families)

    @property
    def campaign(self) -> bool:
        """Whether it is a campaign alone (a phishing wave: see taxonomy.yaml campaign)."""
        return bool(self.kinds) and self.kinds <= _campaign_kinds()

    def joined_by(self, kinds: Iterable[str]) -> bool:
        """Whether a report of these kinds may continue it: of its family, and for a
        campaign alone, one that tells of the campaign (an attack or a leak alone is
        another event); a campaign alone continues an incident of another kind only as its
        wake (taxonomy.yaml wake_of: fake mails after a leak, not after payments late)."""
        kinds = set(kinds)
        if not self.shares_family(_families(kinds)):
            return False
        if self.campaign:
            return not (kinds and not kinds & _campaign_kinds())
        if kinds and kinds <= _campaign_kinds() and self.kinds:
            taxonomy = _builtin_taxonomy()
            return any(self.kinds & taxonomy.wake_of(kind) for kind in kinds)
        return True

    def followed_by(self, kinds: set[str]) -> bool:
        """Whether an unnamed report of these kinds may follow it: as :meth:`joined_by`,
        not with a kind that follows only its own (an attack) the incident lacks, and a
        campaign alone only a campaign or an incident of whose kinds it may be the wake ("de
        faux SMS profitent de l'attaque"), not an outage under way elsewhere."""
        # an attack with no name is no sequel of payments late elsewhere
        return self.joined_by(kinds) and not kinds & _builtin_taxonomy().follows_own() - self.kinds

    def reach(self, date: datetime, window: timedelta) -> bool:
        return self.start - EARLY <= date <= self.last + window

    @property
    def terms(self) -> set[str]:
        if self._terms is None:
            self._terms = set().union(*(_terms(r.item) for r in self.members.values()))
        return self._terms

    @property
    def payers(self) -> tuple[str, ...]:
        """The operator (when an item names it) and the networks of it the items name."""
        if not self.by_payer:
            return ()
        named = {p for r in self.members.values() for p in r.item.payers}
        networks = sorted(named & _builtin_taxonomy().networks.get(self.key, frozenset()))
        return tuple(p for p in (self.key, *networks) if p in named) or (self.key,)

    @property
    def shown(self) -> str:
        """What the incident is called by (its id, its title): the key, or for an operator
        never named, the network its items name."""
        return self.payers[0] if self.by_payer else self.key

    def ordered(self) -> list[IncidentInput]:
        return [r.item for r in sorted(self.members.values(), key=lambda r: r.order)]


def group_incidents(
    items: Sequence[IncidentInput],
    previous: Mapping[str, Sequence[str]],
    names: Callable[[str], str],
    labels: Callable[[str], str],
    *,
    window: timedelta = WINDOW,
    aliases: Callable[[str], Sequence[str]] | None = None,
    now: datetime | None = None,
) -> list[Incident]:
    """Every incident the items form, newest update first.

    ``previous`` maps an item id to the incident ids it had in the last run; ``names`` gives
    the display name of a payer or organisation slug, ``labels`` the French label of a kind,
    ``aliases`` the other spellings of a slug; ``now`` (the run's time) says what is stale.
    """
    readings = sorted((read(i, aliases) for i in _unique_items(items)), key=lambda r: r.order)
    groups = _assign(readings, window)
    ids = _stable_ids(groups, previous)
    moment = now or datetime.now(UTC)
    incidents = [
        _incident(ids[index], group, names, labels, moment) for index, group in enumerate(groups)
    ]
    incidents.sort(key=lambda i: i.id)
    incidents.sort(key=lambda i: i.updated, reverse=True)
    return incidents


def _unique_items(items: Iterable[IncidentInput]) -> list[IncidentInput]:
    """One input per id (the last given), so a repeated input changes nothing."""
    return list({i.id: i for i in items}.values())


def _assign(readings: Sequence[Reading], window: timedelta) -> list[_Group]:
    groups = _found(readings, window)
    by_key: dict[str, list[_Group]] = {}
    for g in groups:
        by_key.setdefault(g.key, []).append(g)
    placed: set[str] = set()
    for reading in readings:
        for key in reading.keys:
            own = by_key.get(key, ())
            if any(reading.item.id in g.members for g in own):
                continue  # a report already in its key's incident: in no other of that key
            fitting = [g for g in own if _fits(g, reading)]
            target = _nearest(fitting, reading, window)
            if target is not None:
                target.add(reading)
                placed.add(reading.item.id)
    leftover = [r for r in readings if r.item.id not in placed and not r.keys]
    followed = _follow(leftover, groups, window)
    rest = [r for r in leftover if r.item.id not in followed]
    named = _found_unnamed(rest, window)
    _follow([r for r in rest if not any(r.item.id in g.members for g in named)], named, window)
    named = [g for g in named if not _bridged(g, groups, window)]
    return sorted(groups + named, key=lambda g: (g.start, g.key, sorted(g.families)))


def _bridged(group: _Group, keyed: Sequence[_Group], window: timedelta) -> bool:
    """Join a group named off titles ("SI-DEP") to the one keyed incident in reach, of its
    family, whose reports open by naming it: a service that falls with the one it depends
    on ("Pro Santé Connect : [...] un bandeau affiché sur le portail SI-DEP") is one event.
    Returns whether it joined."""
    spelling = re.compile(rf"\b{re.escape(group.key)}\b")
    fitting = [
        other
        for other in keyed
        if other.shares_family(group.families)
        and (other.reach(group.start, window) or group.reach(other.start, window))
        and any(spelling.search(_opening(r.item)) for r in other.reports)
    ]
    if len(fitting) != 1:
        return False  # none, or two it could belong to: it stays its own
    host = fitting[0]
    host.keep_earlier_name(group.key, group.start)
    host.absorb(group)
    return True


def _opening(item: IncidentInput) -> str:
    """The folded title and opening sentences of an item."""
    return normalise_text(" ".join((item.title, *_opening_sentences(item.text))))


def _found(readings: Sequence[Reading], window: timedelta) -> list[_Group]:
    """Incidents of every key, from its reports alone: oldest first, a report joins the
    key's incident of the same kind family whose last report is within ``window``."""
    groups: list[_Group] = []
    by_key: dict[str, list[_Group]] = {}
    for reading in readings:
        if not reading.reports:
            continue
        for key in reading.keys:
            own = by_key.setdefault(key, [])
            _place(reading, key, reading.by_payer, own, groups, window)
    return groups


def _place(
    reading: Reading,
    key: str,
    by_payer: bool,
    own: list[_Group],
    groups: list[_Group],
    window: timedelta,
) -> None:
    """Add a report to the one group of ``own`` (its key's) it continues, merging the
    groups it bridges, or found a new one (added to ``own`` and ``groups``)."""
    kinds = reading.item.kinds
    open_ = [g for g in own if reading.date - g.reports[-1].date <= window and g.joined_by(kinds)]
    if reading.planned and not reading.failure:
        # An interruption announced ahead ("maintenance dans la nuit du 15 au 16") is an
        # event of its own: it goes on with an announcement of it, not with an incident
        # under way (payments late at one of the payer's funds).
        open_ = [g for g in open_ if all(r.planned for r in g.reports)]
    if len({g.campaign for g in open_}) > 1:
        # A campaign and an attack both open: a report of the campaign's kind alone goes on
        # with the campaign; none bridges the two.
        alone = bool(kinds) and set(kinds) <= _campaign_kinds()
        open_ = [g for g in open_ if g.campaign == alone]
    if not open_:
        group = _Group(key, by_payer, set())
        groups.append(group)
        own.append(group)
    else:
        group = open_[0]
        for other in open_[1:]:
            group.absorb(other)
            groups.remove(other)
            own.remove(other)
    group.report(reading)


def _found_unnamed(readings: Sequence[Reading], window: timedelta) -> list[_Group]:
    """Reports that name no known key, grouped by a proper name their titles share; then
    reports whose title names nobody, by the names their bodies give organisations, unless
    they follow a group already named ("l'éditeur Softway Medical" after "Fuite Mediboard")."""
    groups: list[_Group] = []
    # a name read off a title is too weak to found on "it is over"; with no name at all,
    # an anonymous alarm founds nothing
    founding = [r for r in readings if r.reports and not r.resolution and _words(r.names)]
    # A title that names someone by its capitals alone founds first; the rest, named by the
    # body (its organisations, or a label word the body writes with its capital), after.
    from_title = {r.item.id for r in founding if _title_names(r.item.title)}
    titled = [r for r in founding if r.item.id in from_title]
    bodied = [r for r in founding if r.item.id not in from_title]
    followed = set()
    for batch in (titled, bodied):
        if batch is bodied:
            followed = _follow(bodied, groups, window)
        for reading in batch:
            if reading.item.id in followed:
                continue
            words = _words(reading.names)
            own = [g for g in groups if words & _words(_group_names(g))]
            _place(reading, reading.names[0], False, own, groups, window)
    # "Panne CrowdStrike : retour à la normale": an end closes the one group in reach that
    # its title names, of the family it ends.
    for reading in readings:
        if not reading.resolution or not _words(reading.names):
            continue
        words = _words(reading.names)
        named = [
            g
            for g in groups
            if words & _words(_group_names(g))
            and g.reach(reading.date, window)
            and _fits(g, reading)
        ]
        if len(named) == 1:
            named[0].add(reading)
    for group in groups:
        shared = Counter(n for r in group.reports for n in r.names)
        group.key = max(shared, key=lambda n: (shared[n], -len(n), n))
    return groups


def _words(names: Iterable[str]) -> set[str]:
    """The words of the names, and each name of several words written as one ("la poste"
    is also "laposte", as in laposte.net)."""
    words: set[str] = set()
    for name in names:
        own = {w for w in name.split() if len(w) > 2 and w not in _name_common_words()}
        if own and " " in name:
            own.add("".join(name.split()))
        words |= own  # "la santé" alone names nobody
    return words


def _group_names(group: _Group) -> set[str]:
    return {n for r in group.reports for n in r.names}


def _fits(group: _Group, reading: Reading) -> bool:
    if reading.item.id in group.members:
        return False
    if not (reading.item.kinds or reading.item.status or reading.planned):
        return False  # a payer merely named: no incident news
    if reading.aside:
        # "Webinaire : après une cyberattaque, comment redémarrer ?" recalling the attacks
        # of the year in its body (not "Fuite chez Viamedis : les bons réflexes")
        return False
    return group.joined_by(reading.item.kinds)


def _nearest(groups: Sequence[_Group], reading: Reading, window: timedelta) -> _Group | None:
    """The group whose span holds the item's date, the closest in time when several do."""
    inside = [g for g in groups if g.reach(reading.date, window)]
    return min(
        inside,
        key=lambda g: (_distance(g, reading.date), g.start, sorted(g.families)),
        default=None,
    )


def _distance(group: _Group, date: datetime) -> timedelta:
    if date < group.start:
        return group.start - date
    return max(timedelta(0), date - group.last)


def _follow(readings: Sequence[Reading], groups: Sequence[_Group], window: timedelta) -> set[str]:
    """Items that name nobody, joined to the one incident they follow beyond doubt.

    A follow-up often drops the name ("Grève levée : les livraisons reprennent" after "Grève
    chez la CERP"). Such an item joins an incident in reach only when its kinds are of the
    same family and it shares enough distinctive words with the incident's reports, clearly
    more (``FOLLOW_MARGIN`` times) than with any other incident in reach: with two close
    candidates, or none, it stays out. Reports are compared, not every member, so which
    items joined first does not matter.
    """
    joined: set[str] = set()
    matches: list[tuple[Reading, _Group]] = []
    for reading in readings:
        kinds = set(reading.item.kinds)
        families = _families(kinds)
        if not families:
            continue  # "le service est rétabli" alone could be about anyone
        mine = _terms(reading.item)
        if len(mine) < FOLLOW_MIN_SHARED:
            continue
        scored = sorted(
            (
                (_best_report(mine, g), n)
                for n, g in enumerate(groups)
                if g.reach(reading.date, window) and g.families & families and g.followed_by(kinds)
            ),
            reverse=True,
        )
        if not scored or not _close(mine, _report_terms(groups[scored[0][1]])):
            continue
        if len(scored) > 1 and scored[0][0] < FOLLOW_MARGIN * scored[1][0]:
            continue
        best = groups[scored[0][1]]
        if _labelled_apart(reading.item, best):
            continue
        matches.append((reading, best))
    for reading, group in matches:
        group.add(reading)
        joined.add(reading.item.id)
        if reading.names and _words(reading.names[:1]) <= _said(group):
            group.keep_earlier_name(reading.names[0], reading.date)
    return joined


def _said(group: _Group) -> set[str]:
    """The words of the group's reports, titles and texts, as names are compared."""
    return set(
        normalise_text(" ".join(f"{r.item.title} {r.item.text}" for r in group.reports)).split()
    )


def _labelled_apart(item: IncidentInput, group: _Group) -> bool:
    """Does the item's title open with a label naming someone the incident's reports never
    name? It is about someone else: "Change Healthcare : UnitedHealth avance des fonds"
    is no follow-up of the Viamedis outage, whatever words they share. (A name elsewhere in
    a title is often a place or a speaker: "À Montauban, une journée de système D".)"""
    label, colon, _ = item.title.partition(":")
    if not colon:
        return False
    named = _words(_title_names(label, item.text)) or _words(_label_name(label))
    if not named:
        return False
    return named.isdisjoint(_said(group))


def _label_name(label: str) -> tuple[str, ...]:
    """A short label of capitalised words before a title's colon, as a name ("États-Unis
    : les pharmacies retrouvent la facturation"): not a word of trouble or of the trade's
    common labels ("Panne :", "Rappel :")."""
    words = label.split()
    if not 0 < len(words) <= 3 or not all(w[:1].isupper() for w in words):
        return ()
    folded = normalise_text(label)
    if set(folded.split()) & _not_names() or _wording("event").search(folded):
        return ()
    return (folded,)


def _best_report(mine: AbstractSet[str], group: _Group) -> int:
    """The distinctive stems an item shares with the one report of the group it shares
    most with: a long incident's many reports, taken together, share words with anything
    ("ordonnance", "opérateur", "perturbation"); one report told of the same event shares
    its names and details."""
    return max(len(mine & _terms(r.item)) for r in group.reports)


def _report_terms(group: _Group) -> set[str]:
    return set().union(*(_terms(r.item) for r in group.reports))


def _close(mine: AbstractSet[str], theirs: AbstractSet[str]) -> bool:
    shared = len(mine & theirs)
    return shared >= FOLLOW_MIN_SHARED and shared >= FOLLOW_SHARE * len(mine)


_WORD = re.compile(r"[^\W\d_]{5,}")
# Long words any pharmacy story may use: they say nothing about which story it is.
_COMMON_WORDS = """
    pharmacie pharmacies pharmacien pharmaciens officine officines patient patients
    depuis apres avant pendant encore toujours plusieurs certains certaines leurs notre
    votre elles cette celle entre aupres selon service services semaine semaines matin
    journee mardi mercredi jeudi vendredi samedi dimanche lundi janvier fevrier avril
    juillet septembre octobre novembre decembre normale normalement habituel habituelle
    rythme reprise reprennent reprend retour annonce annoncent indique indiquent precise
    informe information informations
"""
_COMMON = frozenset(_COMMON_WORDS.split())
FOLLOW_MIN_SHARED = 4  # distinctive word stems an unnamed follow-up shares with its incident
FOLLOW_SHARE = 0.2  # and the share of its own distinctive stems they make up
FOLLOW_MARGIN = 1.5  # times the words it shares with the next best incident in reach
STEM = 6  # letters kept of each word: "livraisons" and "livraison" are one stem


def _terms(item: IncidentInput) -> frozenset[str]:
    """Distinctive word stems of an item's title and text, accents and case dropped."""
    return _stems(f"{item.title} {item.text}")


@functools.lru_cache(maxsize=8192)
def _stems(text: str) -> frozenset[str]:
    # Read once per item, not once per incident it is weighed against.
    return frozenset(w[:STEM] for w in _WORD.findall(normalise_text(text)) if w not in _COMMON)


@functools.cache
def _operator_of() -> dict[str, str]:
    """Network slug -> the operator that runs it (taxonomy.yaml payers' networks): one
    incident for the operator and its networks."""
    return _builtin_taxonomy().operator_of


@functools.cache
def _campaign_kinds() -> frozenset[str]:
    return _builtin_taxonomy().campaigns()


def _families(kinds: Iterable[str]) -> set[str]:
    taxonomy = _builtin_taxonomy()
    return {taxonomy.family(kind) for kind in kinds}


# --- stable ids -------------------------------------------------------------------------------


def _stable_ids(groups: Sequence[_Group], previous: Mapping[str, Sequence[str]]) -> list[str]:
    """An id per group: the previous run's id when its items had one of this key, else new.

    When a group splits, several groups claim one old id: the group whose items carried it
    most keeps it (then the oldest group), the others get new ids.
    """
    order = sorted(range(len(groups)), key=lambda i: (groups[i].start, groups[i].key))
    claims = [
        (-votes, position, old, index)
        for position, index in enumerate(order)
        for old, votes in _previous_ids(groups[index], previous)
    ]
    ids: dict[int, str] = {}
    taken: set[str] = set()
    for _, _, old, index in sorted(claims):
        if index not in ids and old not in taken:
            ids[index] = old
            taken.add(old)
    for index in order:
        if index not in ids:
            ids[index] = _unique_id(_new_id(groups[index]), taken)
            taken.add(ids[index])
    return [ids[i] for i in range(len(groups))]


def _previous_ids(group: _Group, previous: Mapping[str, Sequence[str]]) -> list[tuple[str, int]]:
    """Ids of this key that this group's items had before, with how many items had each."""
    counts: Counter[str] = Counter()
    for item in group.ordered():
        for old in set(previous.get(item.id, ())):
            if _id_key_matches(old, group.shown):
                counts[old] += 1
    return list(counts.items())


def _id_key_matches(old: str, key: str) -> bool:
    """Whether an id made by :func:`_new_id` (maybe with a -N suffix) belongs to ``key``."""
    kinds = "|".join(re.escape(k) for k in (*kind_order(), FALLBACK_KIND))
    match = re.fullmatch(r"\d{4}-\d{2}-\d{2}-(.+?)-(" + kinds + r")(?:-\d+)?", old)
    return match is not None and match.group(1) == _slug(key)


def _new_id(group: _Group) -> str:
    """The first report's day, the key and the first report's first kind."""
    first = group.reports[0].item
    kinds = _ordered(first.kinds)
    # An unknown kind would make an id _id_key_matches cannot read back: use the fallback.
    kind = kinds[0] if kinds and kinds[0] in kind_order() else FALLBACK_KIND
    # The day as French readers count it, whatever zone the date was stored in.
    day = _aware(first.date).astimezone(_PARIS)
    return f"{day:%Y-%m-%d}-{_slug(group.shown)}-{kind}"


def _unique_id(wanted: str, taken: set[str]) -> str:
    if wanted not in taken:
        return wanted
    n = 2
    while f"{wanted}-{n}" in taken:
        n += 1
    return f"{wanted}-{n}"


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "x"


# --- the incident ---------------------------------------------------------------------------


def _incident(
    incident_id: str,
    group: _Group,
    names: Callable[[str], str],
    labels: Callable[[str], str],
    now: datetime,
) -> Incident:
    items = group.ordered()
    status, resolved = _status(list(group.members.values()), group.key)
    # An incident is one payer's (with the networks it runs): a note naming two operators
    # joins both incidents, but the Viamedis incident does not become Almerys' too.
    payers = group.payers
    organisations = _key_first(
        None if group.by_payer else group.key, (o for i in items for o in i.organisations)
    )
    return Incident(
        id=incident_id,
        title=_title(group, names, labels),
        payers=payers,
        kinds=_ordered({k for i in items for k in i.kinds}),
        status=status,
        started=items[0].date,
        updated=items[-1].date,
        resolved=resolved,
        items=tuple(i.id for i in items),
        actions=_merged(a for i in items for a in i.actions),
        contacts=_merged(c for i in items for c in i.contacts),
        organisations=organisations,
        stale=is_stale(status, _aware(items[-1].date), _aware(now)),
    )


def _speaks_for(reading: Reading, key: str) -> bool:
    """Whether an item's word on the service is about this key: an item about one key, or
    one whose title names it (a note on two operators saying "service is back" does not
    say which)."""
    return len(reading.keys) <= 1 or key in reading.title_keys


def _reopens(reading: Reading, key: str) -> bool:
    """An item that reports, for this key, that the service is broken again or still. A
    plain mention of the trouble after the return ("après la panne, les syndicats
    réclament un plan de secours") is the aftermath, not a relapse."""
    return (
        reading.again and reading.reports and not reading.looks_back and _speaks_for(reading, key)
    )


def _status(readings: Sequence[Reading], key: str) -> tuple[Status, datetime | None]:
    """Planned, ongoing or resolved, from the items oldest first (DOMAIN.md, "Status").

    Items of one day may come in any order: a resolution and a failure dated alike are
    read failure first, so the same items always give the same status.
    """
    status: Status | None = None
    resolved: datetime | None = None
    for reading in sorted(readings, key=lambda r: (r.date, r.resolution, r.item.id)):
        if reading.resolution and _speaks_for(reading, key):
            status, resolved = "resolved", reading.item.date
        elif _reopens(reading, key) or (reading.failure and status in (None, "planned")):
            # A recap that names the attack after the return does not reopen it: only an
            # item saying the service is broken again does.
            status, resolved = "ongoing", None
        elif reading.planned and status is None:
            status = "planned"
    return status or "ongoing", resolved


def _title(group: _Group, names: Callable[[str], str], labels: Callable[[str], str]) -> str:
    """ "Viamedis : cyberattaque et panne": the key and the kinds most items carry."""
    counts = Counter(k for item in group.ordered() for k in _unique(item.kinds))
    rank = {kind: n for n, kind in enumerate(kind_order())}
    dominant = sorted(counts, key=lambda k: (-counts[k], rank.get(k, len(rank)), k))
    words = [_lower_first(labels(kind)) for kind in dominant[:TITLE_KINDS]]
    what = " et ".join(w for w in words if w) or "incident"
    return f"{names(group.shown) or group.shown} : {what}"


def _lower_first(label: str) -> str:
    """ "Cyberattaque" reads "cyberattaque" after a colon; "CNIL" stays as it is."""
    label = label.strip()
    if len(label) > 1 and label[0].isupper() and label[1].islower():
        return label[0].lower() + label[1:]
    return label


# --- small helpers ----------------------------------------------------------------------------


def _aware(date: datetime) -> datetime:
    """Dates are meant to be aware; a naive one is read as Paris time (see CONTRACT.md)."""
    return date if date.tzinfo is not None else date.replace(tzinfo=_PARIS)


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


def _ordered(kinds: Iterable[str]) -> tuple[str, ...]:
    """Kinds in the vocabulary's order; unknown kinds after, alphabetically."""
    rank = {kind: n for n, kind in enumerate(kind_order())}
    return tuple(sorted(set(kinds), key=lambda k: (rank.get(k, len(rank)), k)))


def _key_first(key: str | None, values: Iterable[str]) -> tuple[str, ...]:
    others = sorted(set(values) - {key})
    return ((key,) if key else ()) + tuple(others)


def _merged(values: Iterable[str]) -> tuple[str, ...]:
    """Deduplicated in order of appearance; case and spacing do not make a new entry."""
    seen: set[str] = set()
    result = []
    for value in values:
        text = " ".join(value.split())
        marker = text.casefold()
        if text and marker not in seen:
            seen.add(marker)
            result.append(text)
    return tuple(result)
