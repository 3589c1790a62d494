"""What an incident's page and feeds say beyond its stored fields, read from its items.

Pure functions of the incident and its items (cleaned, oldest first): when it last changed
for a reader (status, actions, contacts), which action came from whom and when, and whose
phone line a contact is. Nothing reads the clock: the same input
gives the same page bytes.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from aggregator.models import Incident, Item
from aggregator.publish.feeds import instant, plain

# An ongoing incident with no news for this long is stale (understanding sets the flag;
# the pages say how long).
STALE_AFTER = timedelta(days=14)
# How far before a contact its owner's name may stand ("Viamedis met en place le 0805...").
_OWNER_WINDOW = 160


@dataclass(frozen=True)
class Action:
    """One thing to do, with where and when it was first said."""

    text: str
    date: datetime | None
    source: str  # display name of the source that first said it ("" when unknown)
    superseded: bool = False  # a later action on the same thing says otherwise


@dataclass(frozen=True)
class Contact:
    """A phone number or address, with whose line it is."""

    text: str
    owner: str  # "Viamedis", or "cité par Le Moniteur" when no owner is named near it


def status_of(incident: Incident) -> str:
    """The incident's status as a plain string (planned, ongoing, resolved, or new ones)."""
    return str(incident.status)


def _first_said(values: Iterable[str], timeline: Sequence[Item], field: str) -> dict[str, Item]:
    """For each value, the oldest item of the timeline (oldest first) that carries it."""
    wanted = set(values)
    found: dict[str, Item] = {}
    for item in timeline:
        for value in getattr(item, field):
            if value in wanted and value not in found:
                found[value] = item
    return found


def _last_said(values: Iterable[str], timeline: Sequence[Item], field: str) -> dict[str, Item]:
    """For each value, the newest item of the timeline that carries it."""
    return _first_said(values, list(reversed(timeline)), field)


def changed_at(incident: Incident, timeline: Sequence[Item]) -> datetime:
    """When the incident last changed for a reader: it opened, its status changed, or an
    action or a contact was first said. News that says nothing new does not move it."""
    moments = [incident.started]
    if incident.resolved is not None:
        moments.append(incident.resolved)
    for field, values in (("actions", incident.actions), ("contacts", incident.contacts)):
        for item in _first_said(values, timeline, field).values():
            if item.date is not None:
                moments.append(item.date)
    return max(moments, key=instant)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _object_of(action: str) -> tuple[str, str]:
    """(verb, what it is about): "Suspendre le tiers payant" -> ("suspendre", "le tiers
    payant"); "Ne pas répondre ..." keeps its negation in the verb."""
    words = _fold(action).split()
    verb_words = 3 if words[:2] == ["ne", "pas"] else 1
    return " ".join(words[:verb_words]), " ".join(words[verb_words:])


def actions_of(incident: Incident, timeline: Sequence[Item]) -> list[Action]:
    """The incident's actions, the most recently said first, each dated and attributed to
    the newest item that says it; an action about the same thing with another verb said
    since ("suspendre le tiers payant" after "maintenir le tiers payant") supersedes it."""
    first = _last_said(incident.actions, timeline, "actions")
    found = [
        Action(text, first[text].date, first[text].source_name) if text in first else
        Action(text, None, "")
        for text in incident.actions
    ]  # fmt: skip
    found.sort(key=lambda a: (a.date is None, -instant(a.date) if a.date else 0.0))
    seen: dict[str, str] = {}  # what an action is about -> the verb of the newest one
    marked = []
    for action in found:
        verb, about = _object_of(action.text)
        newer = seen.setdefault(about, verb) if about else verb
        marked.append(Action(action.text, action.date, action.source, superseded=newer != verb))
    return marked


def contacts_of(
    incident: Incident, timeline: Sequence[Item], names: Callable[[str], str]
) -> list[Contact]:
    """The incident's contacts, each labelled with whose line it is: the organisation named
    just before it in the first item that gives it, else the payer whose own site printed
    it, else "cité par" the source that printed it."""
    first = _first_said(incident.contacts, timeline, "contacts")
    contacts = []
    for text in incident.contacts:
        item = first.get(text)
        owner = ""
        if item is not None:
            owner = _owner(text, item, names) or _publisher(item, incident, names)
            if not owner and item.source_name:
                owner = f"cité par {item.source_name}"
        contacts.append(Contact(text, owner))
    return contacts


def _publisher(item: Item, incident: Incident, names: Callable[[str], str]) -> str:
    """The payer whose own source published the item ("Viamedis – actualités"), or ""."""
    source = _fold(item.source_name)
    for slug in (*incident.payers, *item.payers):
        name = names(slug)
        if name and source.startswith(_fold(name)):
            return name
    return ""


def _owner(contact: str, item: Item, names: Callable[[str], str]) -> str:
    body = plain(item.content_html) or plain(item.summary)
    digits = re.sub(r"\D", "", contact)
    position = body.find(contact)
    if position < 0 and len(digits) >= 4:
        # The page may space the number otherwise: find its digits, whatever separates them.
        pattern = r"[\s.\u00a0-]?".join(map(re.escape, digits))
        match = re.search(pattern, body)
        position = match.start() if match else -1
    if position < 0:
        return ""
    before = _fold(body[max(0, position - _OWNER_WINDOW) : position])
    best, where = "", -1
    for slug in (*item.payers, *item.organisations):
        name = names(slug)
        at = before.rfind(_fold(name))
        if at > where:
            best, where = name, at
    return best


def latest(timeline: Sequence[Item]) -> Item | None:
    """The newest dated item of a timeline (oldest first; the later one on a tie), else
    its last item."""
    dated = [(instant(item.date), n) for n, item in enumerate(timeline) if item.date]
    if dated:
        return timeline[max(dated)[1]]
    return timeline[-1] if timeline else None


def items_of(incident: Incident, by_id: Mapping[str, Item]) -> list[Item]:
    return [by_id[i] for i in incident.items if i in by_id]
