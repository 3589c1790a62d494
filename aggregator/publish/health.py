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
