"""Grouping advisory items into incidents, and the status of each incident over time.

An incident belongs to one key: a payer, or an organisation when the items name no payer.
Items are walked oldest first. An item with incident kinds (or saying a service is broken)
joins the latest incident of its key whose last item is at most ``WINDOW`` older and whose
kinds belong to the same family, else it starts a new one. An item that only says service
is back joins the latest incident of its key within the window and never starts one. An
item about two payers joins both payers' incidents. An item that names neither payer nor
organisation (a follow-up: "Grève levée : les livraisons reprennent") joins the one incident
in reach of its kind family whose items share enough distinctive words with it, and none
when two could fit.

Kind families: a cyberattack takes a service down, leaks data, invites phishing in its wake
and stops payments, after which unions call to suspend tiers payant; pharmacists live these
as one incident, so those kinds are one family. Wholesaler supply trouble is another story.

Status: "resolved" once an item says so, "ongoing" again only when a later item explicitly
says the service is broken (a recap that merely names the attack does not reopen it).

Ids are stable: a group keeps the id its items carried in the previous run, so neither a
later article nor a backfilled earlier one renames an incident.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from aggregator.models import Incident, Status, StatusSignal
from aggregator.understand.dedupe import normalise_text

WINDOW = timedelta(days=21)
# The fixed vocabulary of DOMAIN.md, in the order kinds are listed and titled.
KIND_ORDER = (
    "cyberattack",
    "data-breach",
    "outage",
    "payment-disruption",
    "tiers-payant-suspension",
    "phishing",
    "supply-disruption",
)
SERVICE_FAMILY = frozenset(KIND_ORDER) - {"supply-disruption"}
FALLBACK_KIND = "incident"  # id part of an incident founded by a failure with no kind
TITLE_KINDS = 2  # kinds named in a title: enough to say what happened, short enough to read
_PARIS = ZoneInfo("Europe/Paris")


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
    text: str = ""  # the start of the body as plain text, to recognise unnamed follow-ups


@dataclass
class _Group:
    """An incident being built: one key, its items oldest first."""

    key: str
    by_payer: bool
    items: list[IncidentInput] = field(default_factory=list)
    families: set[str] = field(default_factory=set)
    _terms: set[str] | None = None

    @property
    def last(self) -> datetime:
        return _aware(self.items[-1].date)

    def add(self, item: IncidentInput) -> None:
        self.items.append(item)
        self.families |= _families(item.kinds)
        if self._terms is not None:
            self._terms |= _terms(item)

    @property
    def terms(self) -> set[str]:
        if self._terms is None:
            self._terms = set().union(*(_terms(i) for i in self.items))
        return self._terms


def group_incidents(
    items: Sequence[IncidentInput],
    previous: Mapping[str, Sequence[str]],
    names: Callable[[str], str],
    labels: Callable[[str], str],
    *,
    window: timedelta = WINDOW,
) -> list[Incident]:
    """Every incident the items form, newest update first.

    ``previous`` maps an item id to the incident ids it had in the last run; ``names`` gives
    the display name of a payer or organisation slug, ``labels`` the French label of a kind.
    """
    groups = _assign(sorted(items, key=lambda i: (_aware(i.date), i.id)), window)
    ids = _stable_ids(groups, previous)
    incidents = [_incident(ids[index], group, names, labels) for index, group in enumerate(groups)]
    incidents.sort(key=lambda i: i.id)
    incidents.sort(key=lambda i: i.updated, reverse=True)
    return incidents


# --- grouping ---------------------------------------------------------------------------------


def _assign(items: Iterable[IncidentInput], window: timedelta) -> list[_Group]:
    """One pass over the items, oldest first; each key keeps its groups still in reach."""
    groups: list[_Group] = []
    live: dict[tuple[bool, str], list[_Group]] = {}
    for item in items:
        by_payer = bool(item.payers)
        date = _aware(item.date)
        if not (item.payers or item.organisations):
            follows = _followed(item, date, live, window)
            if follows is not None:
                follows.add(item)
            continue
        for key in _unique(item.payers or item.organisations):
            # Items come oldest first, so a group out of reach now stays out of reach.
            own = [g for g in live.get((by_payer, key), []) if date - g.last <= window]
            target = _target(own, item)
            if target is None and _founds(item):
                target = _Group(key, by_payer)
                own.append(target)
                groups.append(target)
            if target is not None:
                target.add(item)
            live[(by_payer, key)] = own
    return groups


def _followed(
    item: IncidentInput,
    date: datetime,
    live: Mapping[tuple[bool, str], list[_Group]],
    window: timedelta,
) -> _Group | None:
    """The one incident an item that names nobody continues, if it is beyond doubt.

    A follow-up often drops the name ("Grève levée : les livraisons reprennent" after "Grève
    chez la CERP"). Such an item joins an incident in reach only when its kinds are of the
    same family, it shares enough distinctive words with the incident's items, and no
    other incident fits: with two candidates, or none, it stays out.
    """
    families = _families(item.kinds)
    if not families:
        return None  # "le service est rétabli" alone could be about anyone
    mine = _terms(item)
    if len(mine) < FOLLOW_MIN_SHARED:
        return None
    fitting = [
        g
        for own in live.values()
        for g in own
        if timedelta(0) <= date - g.last <= window
        and families & g.families
        and _close(mine, g.terms)
    ]
    return fitting[0] if len(fitting) == 1 else None


def _close(mine: set[str], theirs: set[str]) -> bool:
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
STEM = 6  # letters kept of each word: "livraisons" and "livraison" are one stem


def _terms(item: IncidentInput) -> set[str]:
    """Distinctive word stems of an item's title and text, accents and case dropped."""
    plain = normalise_text(f"{item.title} {item.text}")
    return {w[:STEM] for w in _WORD.findall(plain) if w not in _COMMON}


def _target(own: list[_Group], item: IncidentInput) -> _Group | None:
    """The group in reach that this item continues: the latest updated one that fits."""
    if not (item.kinds or item.status):
        return None  # a payer merely named: no incident news
    families = _families(item.kinds)
    fitting = [g for g in own if not families or not g.families or families & g.families]
    return max(fitting, key=lambda g: g.last, default=None)


def _founds(item: IncidentInput) -> bool:
    return bool(item.kinds) or item.status == "failure"


def _families(kinds: Iterable[str]) -> set[str]:
    return {"service" if kind in SERVICE_FAMILY else kind for kind in kinds}


# --- stable ids -------------------------------------------------------------------------------


def _stable_ids(groups: Sequence[_Group], previous: Mapping[str, Sequence[str]]) -> list[str]:
    """An id per group: the previous run's id when its items had one of this key, else new.

    When a group splits, several groups claim one old id: the group whose items carried it
    most keeps it (then the oldest group), the others get new ids.
    """
    order = sorted(
        range(len(groups)), key=lambda i: (_aware(groups[i].items[0].date), groups[i].key)
    )
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
    for item in group.items:
        for old in set(previous.get(item.id, ())):
            if _id_key_matches(old, group.key):
                counts[old] += 1
    return list(counts.items())


def _id_key_matches(old: str, key: str) -> bool:
    """Whether an id made by :func:`_new_id` (maybe with a -N suffix) belongs to ``key``."""
    match = re.fullmatch(r"\d{4}-\d{2}-\d{2}-(.+?)-(" + _KIND_ALTERNATIVES + r")(?:-\d+)?", old)
    return match is not None and match.group(1) == _slug(key)


_KIND_ALTERNATIVES = "|".join(re.escape(k) for k in (*KIND_ORDER, FALLBACK_KIND))


def _new_id(group: _Group) -> str:
    first = group.items[0]
    kinds = _ordered(first.kinds)
    # An unknown kind would make an id _id_key_matches cannot read back: use the fallback.
    kind = kinds[0] if kinds and kinds[0] in KIND_ORDER else FALLBACK_KIND
    # The day as French readers count it, whatever zone the date was stored in.
    day = _aware(first.date).astimezone(_PARIS)
    return f"{day:%Y-%m-%d}-{_slug(group.key)}-{kind}"


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
    incident_id: str, group: _Group, names: Callable[[str], str], labels: Callable[[str], str]
) -> Incident:
    items = group.items
    status, resolved = _status(items)
    # An incident is one payer's: a note naming two operators joins both incidents, but the
    # Viamedis incident does not become Almerys' too.
    payers = (group.key,) if group.by_payer else ()
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
    )


def _status(items: Sequence[IncidentInput]) -> tuple[Status, datetime | None]:
    status: Status = "ongoing"
    resolved: datetime | None = None
    for item in items:
        if item.status == "resolved":
            status, resolved = "resolved", item.date
        elif item.status == "failure":
            status, resolved = "ongoing", None
    return status, resolved


def _title(group: _Group, names: Callable[[str], str], labels: Callable[[str], str]) -> str:
    """ "Viamedis : cyberattaque et panne": the key and the kinds most items carry."""
    counts = Counter(k for item in group.items for k in _unique(item.kinds))
    rank = {kind: n for n, kind in enumerate(KIND_ORDER)}
    dominant = sorted(counts, key=lambda k: (-counts[k], rank.get(k, len(rank)), k))
    words = [_lower_first(labels(kind)) for kind in dominant[:TITLE_KINDS]]
    what = " et ".join(w for w in words if w) or "incident"
    return f"{names(group.key) or group.key} : {what}"


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
    rank = {kind: n for n, kind in enumerate(KIND_ORDER)}
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
