"""The measuring code of benchmarks/alert_delay.py (its figures are not tested, only how
they are computed), and one small simulated run end to end."""

from __future__ import annotations

import importlib.util
import random
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("alert_delay", BENCHMARKS / "alert_delay.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["alert_delay"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


bench = _load()


def item(minutes: int, payer: str | None = "Viamedis", alert: str | None = None) -> object:
    return bench.Published(0, "t", "x", T0 + minutes * MINUTE, payer, alert)


def alert(minutes: int, title: str) -> object:
    return bench.Received(T0 + minutes * MINUTE, title)


def test_each_alerting_item_is_answered_by_the_first_matching_alert_after_it() -> None:
    opened = item(0, alert=bench.OPENED)
    ended = item(100, alert=bench.RESOLVED)
    other = item(10, payer="Almerys", alert=bench.OPENED)
    quiet = item(5)  # raises no alert: not measured
    alerts = [
        alert(-30, "Nouvel incident : Viamedis – older"),  # before publication: not its alert
        alert(12, "Incident mis à jour : Viamedis – …"),  # another headline
        alert(15, "Nouvel incident : Viamedis – panne"),
        alert(20, "Nouvel incident : Viamedis – again"),
        alert(110, "Incident résolu : Viamedis – panne"),
    ]
    delays, missed = bench.alert_delays([opened, ended, other, quiet], alerts)
    assert delays == [15 * 60, 10 * 60]
    assert missed == [other]


@pytest.mark.parametrize(
    ("values", "share", "expected"),
    [([5.0], 0.9, 5.0), ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9, 9), ([3, 1, 2], 0.5, 2)],
)
def test_percentile_is_the_nearest_rank(values: list[float], share: float, expected: float) -> None:
    assert bench.percentile(values, share) == expected


def test_the_world_has_an_opening_and_an_end_for_each_incident_and_feeds_show_the_past() -> None:
    world = bench.build_world(random.Random(1), 8, T0, timedelta(hours=48), 3)
    openings = [i for i in world.items if i.alert == bench.OPENED]
    ends = [i for i in world.items if i.alert == bench.RESOLVED]
    assert len(openings) == len(ends) == 3
    for opening, end in zip(openings, ends, strict=True):
        assert opening.source == end.source < world.payer_sources  # the payer's own site
        assert opening.date < end.date <= world.end
    follow_ups = [i for i in world.items if i.payer and i.alert is None]
    assert all(i.source >= world.payer_sources for i in follow_ups)
    feed = world.feed(openings[0].source, openings[0].date).decode()
    assert openings[0].title.split(" :")[0] in feed  # published at that moment: shown
    assert ends[0].title not in feed  # not yet published
    assert feed.count("<item>") <= 30


@pytest.mark.slow
def test_a_small_simulation_measures_every_alerting_item(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AGGREGATOR_WORKERS", "0")  # as the script runs: no fork per run
    sys.path.insert(0, str(BENCHMARKS))
    try:
        args = bench.parse_args(["--sources", "3", "--hours", "10", "--incidents", "1"])
        outcome = bench.simulate(args, tmp_path)
    finally:
        sys.path.remove(str(BENCHMARKS))
    assert len(outcome.delays) == 2 and not outcome.missed
    assert all(0 <= d <= 6 * 3600 for d in outcome.delays)  # within max_interval
    assert outcome.requests < outcome.runs * outcome.sources  # not every source every run
    assert "median" in bench.report(outcome, args)
