"""Sending through Apprise: one URL per target, e-mail, ntfy, Matrix, webhooks..."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import apprise

from aggregator.models import NotifyTarget
from aggregator.notify.outbox import NotifyReport, mark_failed, mark_sent, pending, target_key
from aggregator.store import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TargetResult:
    target: str  # the URL with its secrets hidden
    ok: bool
    error: str | None = None


def shown(target: NotifyTarget) -> str:
    """The target's URL as it may be printed: Apprise hides passwords and tokens."""
    plugin: Any = apprise.Apprise.instantiate(target.url)
    return str(plugin.url(privacy=True)) if plugin else "(URL Apprise invalide)"


def _send(target: NotifyTarget, title: str, body: str) -> str | None:
    """Send one message; None when the target accepted it, else the reason in one line."""
    sender = apprise.Apprise()
    if not sender.add(target.url):
        return "URL Apprise non reconnue"
    capture: Any = apprise.LogCapture
    with capture(level=logging.WARNING) as logs:
        ok = sender.notify(title=title, body=body, body_format=apprise.NotifyFormat.TEXT)
    if ok:
        return None
    lines = [line for line in logs.getvalue().splitlines() if line.strip()]
    reason = lines[-1].split(" - ", 2)[-1] if lines else "échec de l'envoi"
    return reason[:300]


def send_pending(
    store: Store, targets: Sequence[NotifyTarget], now: datetime | None = None
) -> NotifyReport:
    """Send every queued alert whose target is still configured."""
    report = NotifyReport()
    by_key = {target_key(t): t for t in targets}
    for row_id, key, title, body in pending(store):
        target = by_key.get(key)
        if target is None:
            continue  # the target left sources.yaml: its alerts wait in case it comes back
        error = _send(target, title, body)
        if error is None:
            mark_sent(store, row_id, now or datetime.now(UTC))
            report.sent += 1
        else:
            mark_failed(store, row_id, error)
            report.failed += 1
            report.errors.append(f"{shown(target)}: {error}")
            log.warning("alert not sent to %s: %s", shown(target), error)
    return report


def send_test(targets: Sequence[NotifyTarget]) -> list[TargetResult]:
    """A test message to every target, for `aggregator notify --test`."""
    title = "Veille tiers payant : message de test"
    body = (
        "Ceci est un message de test de la veille tiers payant.\n"
        "Les alertes arriveront ainsi quand un incident s'ouvre ou change "
        "(statut, consignes, numéro à appeler)."
    )
    results = []
    for target in targets:
        error = _send(target, title, body)
        results.append(TargetResult(shown(target), error is None, error))
    return results
