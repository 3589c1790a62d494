"""Notify: tell people when an incident opens or changes, by e-mail, push or webhook.

The decision and the sending are two steps that meet in the database, so that a crash or a
kill between them never loses an alert and a successful send is never repeated:

- :func:`queue_changes` compares each incident with what was last announced of it and, in
  one transaction, records the new state and one outbox row per matching target;
- :func:`send_pending` sends the outbox rows not yet sent (Apprise), marking each as sent
  in its own transaction right after its target accepted it; a failed send stays queued
  and is tried again at the next run, a bounded number of times.
"""

from aggregator.notify.messages import Change, describe_changes, render
from aggregator.notify.outbox import NotifyReport, OutboxStatus, outbox_status, queue_changes
from aggregator.notify.send import TargetResult, send_pending, send_test

__all__ = [
    "Change",
    "NotifyReport",
    "OutboxStatus",
    "TargetResult",
    "describe_changes",
    "outbox_status",
    "queue_changes",
    "render",
    "send_pending",
    "send_test",
]
