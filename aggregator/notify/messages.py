"""What changed in an incident since it was last announced, and the French message saying so."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from aggregator.models import Incident

PARIS = ZoneInfo("Europe/Paris")
NBSP = "\u00a0"
STATUS_LABELS = {"planned": "prévu", "ongoing": "en cours", "resolved": "résolu"}


@dataclass(frozen=True)
class Announced:
    """What the last alert about an incident said: the state alerts compare against."""

    status: str
    actions: frozenset[str]
    contacts: frozenset[str]


@dataclass(frozen=True)
class Change:
    """One incident's news since its last alert: ``opened`` or the differences."""

    incident: Incident
    opened: bool = False
    status_from: str | None = None  # set when the status changed
    new_actions: tuple[str, ...] = ()
    new_contacts: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """Names this change among the incident's changes, for the outbox's unique index."""
        if self.opened:
            return f"opened:{self.incident.status}"
        parts = []
        if self.status_from is not None:
            parts.append(f"status:{self.status_from}>{self.incident.status}")
        parts += [f"action:{a}" for a in self.new_actions]
        parts += [f"contact:{c}" for c in self.new_contacts]
        return "|".join(parts)


def describe_changes(incident: Incident, before: Announced | None) -> Change | None:
    """The change to announce, or None when nothing an alert is about has moved."""
    if before is None:
        return Change(incident, opened=True)
    status_from = before.status if before.status != incident.status else None
    actions = tuple(a for a in incident.actions if a not in before.actions)
    contacts = tuple(c for c in incident.contacts if c not in before.contacts)
    if status_from is None and not actions and not contacts:
        return None
    return Change(incident, status_from=status_from, new_actions=actions, new_contacts=contacts)


def render(change: Change, name: Callable[[str], str], incident_url: str) -> tuple[str, str]:
    """(title, body) of the alert, plain French text fit for a mail, a push or a webhook."""
    incident = change.incident
    status = STATUS_LABELS.get(str(incident.status), str(incident.status))
    who = ", ".join(name(p) for p in incident.payers) or ", ".join(incident.organisations)
    if change.opened:
        headline = "Nouvel incident" if str(incident.status) != "planned" else "Intervention prévue"
    elif change.status_from is not None and incident.status == "resolved":
        headline = "Incident résolu"
    elif change.status_from is not None:
        headline = f"Incident de nouveau {status}"
    else:
        headline = "Incident mis à jour"
    title = f"{headline}{NBSP}: {who + ' – ' if who else ''}{incident.title}"
    lines = [incident.title, ""]
    kinds = ", ".join(name(k) for k in incident.kinds)
    if kinds:
        lines.append(f"Nature{NBSP}: {kinds}")
    lines.append(
        f"Statut{NBSP}: {status} (depuis le {_when(incident.started)}, "
        f"dernière nouvelle le {_when(incident.updated)})"
    )
    lines += _listed("À faire", incident.actions, change.new_actions)
    lines += _listed("Qui appeler", incident.contacts, change.new_contacts)
    lines += ["", f"Tout l'incident{NBSP}: {incident_url}"]
    return title, "\n".join(lines)


def _listed(label: str, values: Sequence[str], new: Sequence[str]) -> list[str]:
    if not values:
        return []
    marked = [f"- {v}{' (nouveau)' if v in new else ''}" for v in values]
    return ["", f"{label}{NBSP}:", *marked]


def _when(moment: datetime) -> str:
    local = moment.astimezone(PARIS)
    return f"{local:%d/%m/%Y} à {local.hour}{NBSP}h{NBSP}{local.minute:02d}"
