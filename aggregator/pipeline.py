"""run = collect -> understand -> publish -> notify.

Each stage reads what it needs from the store, computes, and returns its changes as typed
values; the store applies them, each in a transaction of its own. The stages meet only in
the database, so each can run alone (``publish`` needs no network), and a run interrupted
anywhere is finished by the next one: entries stay pending until they are understood, and
HTTP validators are stored in the same transaction as the entries they describe.

::

    sources --collect--> Collected --store--> entries (pending)
    entries --understand--> Understood --store--> items, marks, incidents
    items, incidents --publish--> output/        incidents --notify--> alerts
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from aggregator.collect import schedule
from aggregator.collect.robots import RobotsCache
from aggregator.collect.stage import Progress, collect, sources_to_fetch
from aggregator.models import Collected, Config
from aggregator.store.database import Store, utcnow
from aggregator.understand.stage import names, prepare, understand
from aggregator.understand.taxonomy import Taxonomy, load_taxonomy

if TYPE_CHECKING:
    from aggregator.notify import NotifyReport
    from aggregator.publish.build import PublishReport

log = logging.getLogger("aggregator")


@dataclass
class RunReport:
    sources_ok: int = 0
    sources_failed: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)
    new_entries: int = 0
    updated_entries: int = 0
    new_items: int = 0
    new_incidents: int = 0
    updated_incidents: int = 0
    published: PublishReport | None = None
    alerts: NotifyReport | None = None
    polled: list[schedule.Polled] = field(default_factory=list)  # sources fetched
    waiting: list[schedule.Plan] = field(default_factory=list)  # sources not due yet
    planned: list[schedule.Plan] = field(default_factory=list)  # next due of those fetched
    waiting_ok: int = 0  # sources not due whose last fetch succeeded

    def every_source_failed(self) -> bool:
        """Whether no source works: every one fetched failed, and none left for later
        succeeded when it was last fetched (a run that fetched only a failing source while
        the others wait their turn is not a run where everything failed)."""
        return bool(self.sources_failed) and not self.sources_ok and not self.waiting_ok

    def next_due(self) -> schedule.Plan | None:
        """The source due soonest, of those fetched and those left for later."""
        return min([*self.waiting, *self.planned], key=lambda p: p.next_due, default=None)

    def summary(self) -> str:
        parts = [
            f"sources: {self.sources_ok} ok, {self.sources_failed} failed",
            f"{self.new_entries} new entries ({self.new_items} new items, "
            f"{self.updated_entries} updated)",
            f"incidents: {self.new_incidents} new, {self.updated_incidents} updated",
        ]
        if self.published is not None:
            parts.append(
                f"files: {len(self.published.written)} written, "
                f"{len(self.published.removed)} removed"
            )
        if self.alerts is not None:
            parts.append(f"alerts: {self.alerts.sent} sent, {self.alerts.failed} failed")
        soonest = self.next_due()
        if soonest is not None:
            parts.append(
                f"{len(self.waiting)} not due; next due {soonest.next_due:%Y-%m-%d %H:%M} UTC "
                f"({soonest.source})"
            )
        return "; ".join(parts)


def run(
    config: Config,
    store: Store,
    output: Path | None,
    only: Sequence[str] | None = None,
    progress: Progress | None = None,
    due_only: bool = False,
    now: datetime | None = None,
) -> RunReport:
    """Collect, understand and (when output is given) publish, then alert. Returns what
    happened. ``due_only``: fetch only the sources due at ``now`` (default: the current
    time)."""
    report = RunReport()
    now = now or utcnow()
    taxonomy = load_taxonomy(config.taxonomy)
    started = time.perf_counter()
    asyncio.run(collect_and_store(config, store, report, only, progress, now, due_only))
    log.info("collect took %.1f s", time.perf_counter() - started)
    started = time.perf_counter()
    understand_and_store(store, taxonomy, report)
    log.info("understand took %.1f s", time.perf_counter() - started)
    if output is not None:
        started = time.perf_counter()
        report.published = publish_output(config, store, output, taxonomy, skip_unchanged=True)
        log.info("publish took %.1f s", time.perf_counter() - started)
    # After understanding: an incident found in this run shortens its sources' intervals.
    report.planned = schedule.plan_next(store, report.polled, config.fetch, now)
    for plan in report.planned:
        log.info("%s: next due %s (%s)", plan.source, f"{plan.next_due:%H:%M}", plan.reason)
    if config.notify:
        report.alerts = send_alerts(config, store, taxonomy, now)
    return report


async def collect_and_store(
    config: Config,
    store: Store,
    report: RunReport,
    only: Sequence[str] | None = None,
    progress: Progress | None = None,
    now: datetime | None = None,
    due_only: bool = False,
) -> None:
    """Fetch every enabled source (or the named ones; with ``due_only``, those due) and
    store what each gave, source by source as they come (several at once when they come
    together)."""
    now = now or utcnow()
    store.sync_sources(config.sources)
    plan = sources_to_fetch(config, store, now, only, due_only)
    report.waiting, report.waiting_ok = plan.waiting, plan.waiting_ok
    report.sources_failed += len(plan.gone)
    report.failures.extend(plan.gone)
    robots = RobotsCache.load(store, now)
    async for batch in collect(config, store, plan.sources, now, progress, robots):
        saved = store.save_collected(batch, now)
        report.new_entries += saved.new
        prepare(report.new_entries)  # the language model starts loading for understanding
        report.updated_entries += saved.updated
        for result in saved.results:
            _log(result)
            first = result.exchanges[0] if result.exchanges else None
            report.polled.append(schedule.Polled.of(result.source, first, not result.error))
            if result.error:
                report.sources_failed += 1
                report.failures.append((result.source.id, result.error))
            else:
                report.sources_ok += 1
    robots.save(store)


def _log(result: Collected) -> None:
    for note in result.notes:
        log.warning("%s: budget: %s", result.source.id, note)
    if result.error:
        log.warning("%s: %s", result.source.id, result.error)
    else:
        suffix = " (not modified)" if result.unchanged else ""
        log.info("%s: ok, %d entries%s", result.source.id, len(result.items), suffix)


def understand_and_store(store: Store, taxonomy: Taxonomy, report: RunReport) -> bool:
    """Fold the pending entries into items, classify, regroup incidents, and store it all.
    True if anything was understood."""
    understood = understand(store, taxonomy)
    if understood is None:
        return False
    new, updated = store.apply_understood(understood)
    report.new_items += understood.new_items
    report.new_incidents += new
    report.updated_incidents += updated
    return True


def publish_output(
    config: Config, store: Store, output: Path, taxonomy: Taxonomy, skip_unchanged: bool = False
) -> PublishReport:
    """Write output/ from the database (see aggregator.publish.stage)."""
    from aggregator.publish.stage import publish_output as publish

    return publish(
        config, store, output, names(taxonomy), taxonomy.kind_label, skip_unchanged,
        taxonomy.payers,
    )  # fmt: skip


def send_alerts(
    config: Config, store: Store, taxonomy: Taxonomy, now: datetime | None = None
) -> NotifyReport:
    """Queue an alert for each incident change since the last alert, then send the queue
    (after publishing, so that the incident page an alert links to is already there)."""
    from aggregator import notify

    payer_or_organisation = names(taxonomy)

    def name(slug: str) -> str:
        if slug in taxonomy.kinds:
            return taxonomy.kind_label(slug)
        return payer_or_organisation(slug)

    now = now or utcnow()
    notify.queue_changes(
        store, store.all_incidents(), config.notify, name, config.site.base_url, now
    )
    return notify.send_pending(store, config.notify, now)
