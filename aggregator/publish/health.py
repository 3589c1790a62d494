"""How much of the watch could be checked: what every page says about its sources.

A page that lists no incident only reassures when the sources were read; when most of them
failed it must say that it cannot be sure. The check time shown is a day, not a minute, so
that a run that finds nothing new (and every source answering again) rewrites no page.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from aggregator.models import SourceStatus
from aggregator.publish.feeds import instant


@dataclass(frozen=True)
class Health:
    """The state of the last checks of the enabled sources."""

    total: int  # enabled sources still configured
    answered: int  # those whose last attempt succeeded
    failed: int  # those whose last attempt failed
    checked: datetime | None  # the last attempt of any of them, success or failure

    @property
    def unchecked(self) -> int:
        """Sources never tried yet."""
        return self.total - self.answered - self.failed

    @property
    def degraded(self) -> bool:
        """Some source failed at its last attempt: a banner says so."""
        return self.failed > 0

    @property
    def blind(self) -> bool:
        """Most sources (or all) could not be read: no page may say "no incident"."""
        return self.total == 0 or self.answered * 2 < self.total


def health_of(sources: Iterable[SourceStatus]) -> Health:
    """The health of the enabled, still configured sources."""
    watched = [s for s in sources if s.enabled and not s.gone]
    failed = [s for s in watched if s.consecutive_failures > 0]
    answered = [s for s in watched if not s.consecutive_failures and s.last_success]
    moments = [d for s in watched for d in (s.last_success, s.last_error_at) if d is not None]
    checked = max(moments, key=instant, default=None)
    return Health(len(watched), len(answered), len(failed), checked)


# --- for monitoring (aggregator status --check) and cron's mail (run -q) ------------------


def watch_problem(
    sources: Iterable[SourceStatus], now: datetime, max_failures: int, max_hours: float
) -> str | None:
    """Why the watch needs a person, in one line, or None when it is fine: a source
    failed ``max_failures`` times in a row, or no source succeeded for ``max_hours``."""
    watched = [s for s in sources if s.enabled and not s.gone]
    if not watched:
        return "no enabled source in the configuration"
    failing = sorted(
        (s for s in watched if s.consecutive_failures >= max_failures),
        key=lambda s: (-s.consecutive_failures, s.id),
    )
    if failing:
        worst = failing[0]
        others = f" (and {len(failing) - 1} more)" if len(failing) > 1 else ""
        return (
            f"{worst.id} failed {worst.consecutive_failures} times in a row: "
            f"{worst.last_error or 'unknown error'}{others}"
        )
    successes = [s.last_success for s in watched if s.last_success is not None]
    if not successes:
        return "no source has ever been fetched successfully; run `aggregator run`"
    last = max(successes, key=instant)
    hours = (instant(now) - instant(last)) / 3600
    if hours >= max_hours:
        return f"no source succeeded for {hours:.1f} hours (last success {last.isoformat()})"
    return None


def worth_reporting(consecutive_failures: int, every: int) -> bool:
    """Whether a quiet run reports a source's failure: the first one, then every
    ``every``-th in a row, so that cron mails about a broken source without flooding."""
    return consecutive_failures == 1 or (every > 0 and consecutive_failures % every == 0)
