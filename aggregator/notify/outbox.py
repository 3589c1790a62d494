"""The outbox: alerts decided and not yet sent, kept in SQLite beside what they announce."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from aggregator.models import Incident, NotifyTarget
from aggregator.notify.messages import Announced, Change, describe_changes, render
from aggregator.store import Store

# A change to an incident whose latest news is older than this is recorded without an alert:
# a first run over months of history, or a reprocessing, must not send a flood of old news.
FRESH_FOR = timedelta(days=2)
# A row that failed this many times is given up (kept, and shown by `status`).
MAX_ATTEMPTS = 12


@dataclass
class NotifyReport:
    queued: int = 0
    sent: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class OutboxStatus:
    pending: int
    given_up: int
    last_error: str | None
    last_sent: str | None


def target_key(target: NotifyTarget) -> str:
    """The target's identity in the database: a digest, so no password is stored."""
    return hashlib.sha256(target.url.encode()).hexdigest()[:16]


def _announced(store: Store) -> dict[str, Announced]:
    rows = store.conn.execute("SELECT incident_id, status, actions, contacts FROM notify_state")
    return {
        r[0]: Announced(r[1], frozenset(json.loads(r[2])), frozenset(json.loads(r[3])))
        for r in rows
    }


def matches(target: NotifyTarget, incident: Incident) -> bool:
    """A target's filters: any of its payers and any of its kinds (an empty filter is all)."""
    if target.payers and not set(target.payers) & set(incident.payers):
        return False
    return not target.kinds or bool(set(target.kinds) & set(incident.kinds))


def queue_changes(
    store: Store,
    incidents: Sequence[Incident],
    targets: Sequence[NotifyTarget],
    name: Callable[[str], str],
    base_url: str,
    now: datetime,
) -> int:
    """Decide the alerts for what changed and record them, atomically with the new state.
    Returns how many outbox rows were queued."""
    announced = _announced(store)
    queued = 0
    with store.transaction():
        for incident in incidents:
            change = describe_changes(incident, announced.get(incident.id))
            if change is None:
                continue
            _remember(store, incident)
            if now - incident.updated > FRESH_FOR:
                continue
            queued += _queue(store, change, targets, name, base_url, now)
    return queued


def _remember(store: Store, incident: Incident) -> None:
    store.conn.execute(
        "INSERT OR REPLACE INTO notify_state (incident_id, status, actions, contacts, updated) "
        "VALUES (?, ?, ?, ?, ?)",
        (
            incident.id,
            incident.status,
            json.dumps(sorted(incident.actions), ensure_ascii=False),
            json.dumps(sorted(incident.contacts), ensure_ascii=False),
            incident.updated.isoformat(),
        ),
    )


def _queue(
    store: Store,
    change: Change,
    targets: Sequence[NotifyTarget],
    name: Callable[[str], str],
    base_url: str,
    now: datetime,
) -> int:
    url = f"{base_url.rstrip('/')}/incidents/{change.incident.id}.html"
    title, body = render(change, name, url)
    queued = 0
    for target in targets:
        if not matches(target, change.incident):
            continue
        cursor = store.conn.execute(
            "INSERT OR IGNORE INTO outbox (target, incident_id, change, title, body, created) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (target_key(target), change.incident.id, change.key, title, body, now.isoformat()),
        )
        queued += cursor.rowcount
    return queued


def pending(store: Store) -> list[tuple[int, str, str, str]]:
    """(id, target key, title, body) of the rows still to send, oldest first."""
    rows = store.conn.execute(
        "SELECT id, target, title, body FROM outbox WHERE sent IS NULL AND attempts < ? "
        "ORDER BY id",
        (MAX_ATTEMPTS,),
    )
    return [(r[0], r[1], r[2], r[3]) for r in rows]


def mark_sent(store: Store, row_id: int, now: datetime) -> None:
    with store.transaction():
        store.conn.execute(
            "UPDATE outbox SET sent = ?, attempts = attempts + 1, last_error = NULL WHERE id = ?",
            (now.isoformat(), row_id),
        )


def mark_failed(store: Store, row_id: int, error: str) -> None:
    with store.transaction():
        store.conn.execute(
            "UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE id = ?",
            (error, row_id),
        )


def outbox_status(store: Store) -> OutboxStatus:
    conn = store.conn
    (waiting,) = conn.execute(
        "SELECT count(*) FROM outbox WHERE sent IS NULL AND attempts < ?", (MAX_ATTEMPTS,)
    ).fetchone()
    (given_up,) = conn.execute(
        "SELECT count(*) FROM outbox WHERE sent IS NULL AND attempts >= ?", (MAX_ATTEMPTS,)
    ).fetchone()
    error = conn.execute(
        "SELECT last_error FROM outbox WHERE sent IS NULL AND last_error IS NOT NULL "
        "ORDER BY id DESC LIMIT 1"
    ).fetchone()
    sent = conn.execute("SELECT max(sent) FROM outbox").fetchone()
    return OutboxStatus(waiting, given_up, error[0] if error else None, sent[0])
