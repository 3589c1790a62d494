"""When each source is polled next: soon enough for alerts, never sooner than its server asks.

A run fetches only the sources that are due (``aggregator run --all`` fetches every one); a
source never fetched, or whose URL changed, is due. After the run, each source fetched gets
its next due time from the run's start:

    a quarter of the usual gap between its items (the median of its recent gaps)
    -> ``min_interval`` while a payer or organisation it wrote about has an ongoing incident
    -> ``min_interval`` x 2^failures instead after failures in a row
    -> at most FIRST_HAND_INTERVAL for a payer's or an authority's own site
    -> at least what its server asked (Retry-After, Cache-Control max-age, Expires)
    -> within [``min_interval``, ``max_interval``] (``fetch:`` in sources.yaml)

Example::

    due, waiting = due_sources(store, config.sources, now)
    ... fetch ``due``, keeping a Polled for each ...
    for plan in plan_next(store, polled, config.fetch, now): print(plan.next_due)
"""

from __future__ import annotations

import itertools
import json
import re
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

from aggregator.collect.fetch import retry_after_seconds
from aggregator.models import FetchOptions, FetchResult, Source
from aggregator.store import Store
from aggregator.store.database import iso, parse_iso

# A source is polled about four times per usual gap between its items, so that a new item
# waits about an eighth of that gap on average before it is seen.
POLLS_PER_GAP = 4
# The newest publication dates that make a source's rhythm: enough for a median that one
# burst or one silence does not move, few enough to follow a source that changes pace.
RECENT_DATES = 20
# cron starts runs on the minute and a run takes a moment to reach this point: a source due
# a few seconds after a run starts is polled by that run rather than one period later.
EARLY = timedelta(seconds=30)
# An incident still open but without news for this long no longer keeps its sources polled
# at the shortest interval: it has most likely ended without anyone saying so.
QUIET_INCIDENT = timedelta(days=7)
# A payer's or an authority's own site is where an outage and its end are first said, and
# it publishes rarely, so its own pace would leave it unpolled for hours: it is asked at
# least every half hour (one conditional request, a 304 most of the time).
FIRST_HAND = ("payer", "authority")
FIRST_HAND_INTERVAL = 1800.0
_MAX_AGE = re.compile(r"(?:^|,)\s*max-age\s*=\s*\"?(\d+)\"?", re.IGNORECASE | re.ASCII)


@dataclass(frozen=True)
class Polled:
    """What the schedule needs to know of one source's fetch in a run."""

    source: str
    url: str
    ok: bool
    headers: Mapping[str, str]  # of the answer for the source's own URL (lower-case names)
    first_hand: bool = False  # a payer's or an authority's own site (see FIRST_HAND)

    @classmethod
    def of(cls, source: Source, first: FetchResult | None, ok: bool) -> Polled:
        headers = first.headers if first else {}
        return cls(source.id, source.url, ok, headers, source.category in FIRST_HAND)


@dataclass(frozen=True)
class Plan:
    """When a source is due next, and why at that interval."""

    source: str
    next_due: datetime
    interval: float  # seconds
    reason: str


# --- pure rules ----------------------------------------------------------------------------


def server_wait(headers: Mapping[str, str], now: datetime) -> float | None:
    """Seconds the server asked us to wait before asking again, if it said so.

    Retry-After first; then Cache-Control max-age (less the Age already spent in caches),
    which wins over Expires (RFC 9111 section 5.3); ``no-cache``/``no-store`` ask nothing.

    >>> server_wait({"cache-control": "public, max-age=600"}, datetime.now(UTC))
    600.0
    """
    retry = retry_after_seconds(headers.get("retry-after"), now)
    if retry is not None:
        return retry
    control = headers.get("cache-control", "")
    if re.search(r"no-cache|no-store", control, re.IGNORECASE):
        return None
    found = _MAX_AGE.search(control)
    if found:
        age = headers.get("age", "").strip()
        spent = float(age) if age.isascii() and age.isdigit() else 0.0
        return max(0.0, float(found.group(1)) - spent)
    return _expires_in(headers, now)


def _expires_in(headers: Mapping[str, str], now: datetime) -> float | None:
    """Expires as seconds from the server's own Date (its clock may differ from ours)."""
    expires = _http_date(headers.get("expires"))
    if expires is None:
        return None  # absent, or invalid such as "0", which means already expired
    served = _http_date(headers.get("date")) or now
    return max(0.0, (expires - served).total_seconds())


def _http_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def usual_gap(dates: Iterable[datetime], now: datetime) -> float | None:
    """The median gap in seconds between a source's newest publication dates, the silence
    since the newest counting as one gap; None when it has published nothing."""
    newest = sorted({min(d, now) for d in dates}, reverse=True)[:RECENT_DATES]
    if not newest:
        return None
    points = [now, *newest]
    return statistics.median((a - b).total_seconds() for a, b in itertools.pairwise(points))


def interval_for(
    gap: float | None,
    incident: bool,
    failures: int,
    asked: float | None,
    options: FetchOptions,
    first_hand: bool = False,
) -> tuple[float, str]:
    """Seconds until the next poll, and the reason in a few words (see the module's rules)."""
    low, high = options.min_interval, options.max_interval
    if failures:
        # A failing source is tried again soon, then less and less often, whatever its pace.
        interval, reason = low * 2.0 ** min(failures, 30), f"{failures} failure(s) in a row"
    elif incident:
        interval, reason = low, "incident ongoing"
    elif gap is None:
        interval, reason = high, "nothing published yet"
    else:
        interval, reason = gap / POLLS_PER_GAP, f"publishes about every {_duration(gap)}"
    if first_hand and not failures and interval > FIRST_HAND_INTERVAL:
        interval, reason = FIRST_HAND_INTERVAL, "a payer's or an authority's own site"
    if asked is not None and asked > interval:
        interval, reason = asked, f"server asked to wait {_duration(asked)}"
    return max(low, min(high, interval)), reason


def _duration(seconds: float) -> str:
    if seconds >= 86400:
        return f"{seconds / 86400:.3g} d"
    if seconds >= 3600:
        return f"{seconds / 3600:.3g} h"
    return f"{max(1, round(seconds / 60))} min"


# --- the database --------------------------------------------------------------------------


def planned(store: Store) -> dict[str, Plan]:
    """Every source's next due time as stored, by source id."""
    return {source: plan for source, (_, plan) in _stored(store).items()}


def due_sources(
    store: Store, sources: Sequence[Source], now: datetime
) -> tuple[list[Source], list[Plan]]:
    """The sources to fetch now, and the plans of those left for a later run."""
    stored = _stored(store)
    due, waiting = [], []
    for source in sources:
        url, plan = stored.get(source.id, (None, None))
        if plan is None or url != source.url or plan.next_due - EARLY <= now:
            due.append(source)
        else:
            waiting.append(plan)
    return due, waiting


def _stored(store: Store) -> dict[str, tuple[str, Plan]]:
    """Each source's stored plan, with the URL it was made for."""
    rows = store.execute("SELECT source, url, next_due, interval, reason FROM poll_schedule")
    stored = {}
    for source, url, due, interval, reason in rows.fetchall():
        when = _aware(parse_iso(due))
        if when is not None:
            stored[source] = (url, Plan(source, when, float(interval or 0), reason or ""))
    return stored


def plan_next(
    store: Store, polled: Sequence[Polled], options: FetchOptions, now: datetime
) -> list[Plan]:
    """Decide and store when each source polled in this run is due next."""
    if not polled:
        return []
    concerned = _sources_in_ongoing_incidents(store, now - QUIET_INCIDENT)
    failures = dict(store.execute("SELECT id, consecutive_failures FROM sources").fetchall())
    plans = []
    for poll in polled:
        interval, reason = interval_for(
            usual_gap(_publication_dates(store, poll.source), now),
            poll.source in concerned,
            int(failures.get(poll.source) or 0) if not poll.ok else 0,
            server_wait(poll.headers, now),
            options,
            poll.first_hand,
        )
        plans.append(Plan(poll.source, now + timedelta(seconds=interval), interval, reason))
    urls = {poll.source: poll.url for poll in polled}
    with store.transaction():
        store.execute_many(
            "INSERT INTO poll_schedule (source, url, next_due, interval, reason) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT(source) DO UPDATE SET url=excluded.url, "
            "next_due=excluded.next_due, interval=excluded.interval, reason=excluded.reason",
            [(p.source, urls[p.source], iso(p.next_due), p.interval, p.reason) for p in plans],
        )
    return plans


def _publication_dates(store: Store, source: str) -> list[datetime]:
    """The source's newest entries' dates: published if given, else when first seen."""
    rows = store.execute(
        "SELECT published, first_seen FROM entries WHERE source = ? "
        "ORDER BY first_seen DESC LIMIT ?",
        (source, RECENT_DATES * 5),
    ).fetchall()
    dates = (_aware(parse_iso(published or seen)) for published, seen in rows)
    return [d for d in dates if d is not None]


def _aware(value: datetime | None) -> datetime | None:
    """A stored date with no time zone is UTC, as the store writes them."""
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def _sources_in_ongoing_incidents(store: Store, since: datetime) -> set[str]:
    """Sources that wrote about a payer or organisation that has an ongoing incident with
    news since ``since``."""
    subjects: set[str] = set()
    for payers, organisations, updated in store.execute(
        "SELECT payers, organisations, updated FROM incidents WHERE status = 'ongoing'"
    ).fetchall():
        latest = _aware(parse_iso(updated))
        if latest is not None and latest >= since:
            subjects.update(_names(payers), _names(organisations))
    if not subjects:
        return set()
    rows = store.execute(
        "SELECT DISTINCT e.source, i.payers, i.organisations FROM entries e "
        "JOIN entry_marks m ON m.entry_id = e.id JOIN items i ON i.id = m.item_id "
        "WHERE i.advisory = 1"
    ).fetchall()
    return {source for source, p, o in rows if subjects & {*_names(p), *_names(o)}}


def _names(value: str | None) -> list[str]:
    return list(json.loads(value)) if value else []
