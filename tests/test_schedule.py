"""Polling by due time: a run fetches only the sources that are due, each at its own pace,
counted in requests at a real local server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from aggregator.cli import cli
from aggregator.collect import schedule
from aggregator.collect.schedule import interval_for, planned, server_wait, usual_gap
from aggregator.config import load_config_text
from aggregator.models import Config, FetchOptions, Source
from aggregator.pipeline import RunReport, run
from aggregator.store import Store
from tests.httpfixtures import LocalServer, Reply

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
QUIET = ("Nouvelle convention signée", "Les syndicats ont signé un avenant sur les honoraires.")


def rss(items: list[tuple[str, str, datetime]], base: str = "https://site.example/") -> bytes:
    """An RSS feed of (title, text, date) items, newest first."""
    entries = "".join(
        f"<item><title>{escape(title)}</title><link>{base}{n}</link><guid>{base}{n}</guid>"
        f"<description>{escape(text)}</description>"
        f"<pubDate>{format_datetime(date)}</pubDate></item>"
        for n, (title, text, date) in enumerate(items)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>'
        f"<link>{base}</link><description>d</description>{entries}</channel></rss>"
    ).encode()


def every(step: timedelta, count: int, base: str = "https://site.example/") -> bytes:
    """A feed with ``count`` items, one every ``step`` until T0."""
    return rss([(f"{QUIET[0]} {n}", QUIET[1], T0 - step * n) for n in range(count)], base)


def feed_reply(body: bytes, **headers: str) -> Reply:
    return Reply(200, body, {"Content-Type": "application/rss+xml", **headers})


def config(server: LocalServer, paths: list[str], fetch: str = "") -> Config:
    sources = "".join(
        f"\n  - {{id: s{n}, name: S{n}, type: feed, url: '{server.url(path)}'}}"
        for n, path in enumerate(paths)
    )
    return load_config_text(
        "fetch: {per_host_delay: 0, retries: 0, timeout: 5" + fetch + "}\nsources:" + sources
    )


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with LocalServer() as local:
        local.route("/robots.txt", Reply(200, b"User-agent: *\nDisallow:\n"))
        yield local


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "a.db") as opened:
        yield opened


def poll(cfg: Config, store: Store, at: datetime) -> RunReport:
    return run(cfg, store, None, due_only=True, now=at)


def feed_hits(server: LocalServer) -> list[str]:
    return [hit.path for hit in server.hits if hit.path != "/robots.txt"]


# --- due sources at a real server ------------------------------------------------------------


def test_a_run_fetches_only_due_sources_and_a_later_one_fetches_them_again(
    server: LocalServer, store: Store
) -> None:
    server.route("/a.xml", feed_reply(every(timedelta(days=1), 5)))
    server.route("/b.xml", feed_reply(every(2 * HOUR, 5)))
    cfg = config(server, ["/a.xml", "/b.xml"])
    first = poll(cfg, store, T0)
    assert sorted(feed_hits(server)) == ["/a.xml", "/b.xml"]  # never fetched: due
    assert first.sources_ok == 2 and not first.waiting

    second = poll(cfg, store, T0 + timedelta(minutes=5))
    assert len(feed_hits(server)) == 2  # nothing due five minutes later
    assert second.sources_ok == 0 and len(second.waiting) == 2
    assert not second.every_source_failed()
    assert "2 not due; next due 2026-03-02 09:30 UTC (s1)" in second.summary()

    # b publishes every 2 h (polled every 30 min), a once a day (capped at 6 h).
    poll(cfg, store, T0 + timedelta(minutes=31))
    assert feed_hits(server)[2:] == ["/b.xml"]
    poll(cfg, store, T0 + timedelta(hours=6, minutes=1))
    assert sorted(feed_hits(server)[3:]) == ["/a.xml", "/b.xml"]


def test_a_new_source_and_a_source_whose_url_changed_are_due_at_once(
    server: LocalServer, store: Store
) -> None:
    for path in ("/a.xml", "/b.xml", "/c.xml"):
        server.route(path, feed_reply(every(timedelta(days=1), 5)))
    poll(config(server, ["/a.xml"]), store, T0)
    later = T0 + timedelta(minutes=10)
    poll(config(server, ["/a.xml", "/b.xml"]), store, later)
    assert feed_hits(server) == ["/a.xml", "/b.xml"]
    poll(config(server, ["/c.xml", "/b.xml"]), store, later)  # s0 now reads c.xml
    assert feed_hits(server) == ["/a.xml", "/b.xml", "/c.xml"]


def test_the_server_is_never_asked_sooner_than_its_cache_control_or_expires_say(
    server: LocalServer, store: Store
) -> None:
    hourly = every(HOUR, 10)  # alone: polled every 15 min
    server.route("/age.xml", feed_reply(hourly, **{"Cache-Control": "public, max-age=7200"}))
    # Expires counts from the server's own Date (the real time here, not the run's).
    expires = format_datetime(datetime.now(UTC) + 3 * HOUR + timedelta(seconds=5), usegmt=True)
    server.route("/exp.xml", feed_reply(hourly, Expires=expires))
    server.route("/none.xml", feed_reply(hourly))
    cfg = config(server, ["/age.xml", "/exp.xml", "/none.xml"])
    poll(cfg, store, T0)
    counts = []
    for minutes in range(5, 4 * 60, 5):  # a cron line every 5 minutes for 4 hours
        poll(cfg, store, T0 + timedelta(minutes=minutes))
        counts.append({path: feed_hits(server).count(path) for path in ("/age.xml", "/exp.xml")})
    hits = feed_hits(server)
    assert hits.count("/age.xml") == 2  # T0 and T0 + 2 h
    assert hits.count("/exp.xml") == 2  # T0 and T0 + 3 h
    assert hits.count("/none.xml") == 16  # every 15 min
    assert counts[(120 // 5) - 2]["/age.xml"] == 1 and counts[(120 // 5) - 1]["/age.xml"] == 2


def test_retry_after_is_honoured_and_failures_back_off(server: LocalServer, store: Store) -> None:
    server.route("/busy.xml", Reply(503, b"", {"Retry-After": "5400"}))
    server.route("/gone.xml", Reply(404, b"no"))
    cfg = config(server, ["/busy.xml", "/gone.xml"])
    report = poll(cfg, store, T0)
    assert report.every_source_failed()
    plans = planned(store)
    assert plans["s0"].interval == 5400 and "server asked" in plans["s0"].reason
    intervals = [plans["s1"].interval]
    now = T0
    for _ in range(4):
        now = plans["s1"].next_due
        poll(cfg, store, now)
        plans = planned(store)
        intervals.append(plans["s1"].interval)
    assert intervals == [600, 1200, 2400, 4800, 9600]  # doubled after each failure
    assert feed_hits(server).count("/busy.xml") == 2  # T0, then again after 1.5 h only


def test_an_ongoing_incident_shortens_the_interval_of_the_sources_that_wrote_about_its_payer(
    server: LocalServer, store: Store
) -> None:
    alert = (
        "Viamedis victime d'une cyberattaque : le tiers payant est suspendu",
        "Le portail de Viamedis est indisponible. Suspendre le tiers payant complémentaire.",
    )
    day = timedelta(days=1)
    older = [(f"{QUIET[0]} {n}", QUIET[1], T0 - day * n) for n in range(1, 6)]
    payer = rss([(*alert, T0 - HOUR), *older], "https://payer.example/")
    server.route("/payer.xml", feed_reply(payer))
    server.route("/quiet.xml", feed_reply(every(day, 6, "https://quiet.example/")))
    cfg = config(server, ["/payer.xml", "/quiet.xml"])
    report = poll(cfg, store, T0)
    assert report.new_incidents == 1
    plans = planned(store)
    assert plans["s0"].interval == 300 and plans["s0"].reason == "incident ongoing"
    assert plans["s1"].interval == 6 * 3600  # a daily source, capped at max_interval
    for minutes in range(5, 65, 5):
        poll(cfg, store, T0 + timedelta(minutes=minutes))
    hits = feed_hits(server)
    assert hits.count("/payer.xml") == 13 and hits.count("/quiet.xml") == 1


def test_bounds_come_from_the_fetch_section(server: LocalServer, store: Store) -> None:
    server.route("/a.xml", feed_reply(every(timedelta(days=3), 5)))
    server.route("/b.xml", feed_reply(every(timedelta(minutes=1), 5)))
    cfg = config(server, ["/a.xml", "/b.xml"], ", min_interval: 900, max_interval: 3600")
    poll(cfg, store, T0)
    plans = planned(store)
    assert (plans["s0"].interval, plans["s1"].interval) == (3600, 900)


# --- the command line ------------------------------------------------------------------------


def test_run_fetches_due_sources_run_all_fetches_all_and_status_shows_next_due(
    server: LocalServer, tmp_path: Path
) -> None:
    server.route("/a.xml", feed_reply(every(timedelta(days=1), 5)))
    (tmp_path / "sources.yaml").write_text(
        "fetch: {per_host_delay: 0, retries: 0}\n"
        f"sources:\n  - {{id: a, name: A, type: feed, url: '{server.url('/a.xml')}'}}\n"
    )
    common = ["--config", str(tmp_path / "sources.yaml"), "--db", str(tmp_path / "a.db")]

    def invoke(*args: str) -> str:
        result = CliRunner().invoke(cli, [*args, *common], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.output

    out = ["--output", str(tmp_path / "out")]
    first = invoke("run", "--due", "-v", *out)
    assert "INFO a: next due " in first and "(publishes about every 1 d)" in first
    second = invoke("run", "--due", "-v", *out)
    assert len(feed_hits(server)) == 1
    assert "sources: 0 ok, 0 failed" in second and "1 not due; next due " in second
    assert "INFO a: not due until " in second
    invoke("fetch", "--all")
    invoke("run", "--all", *out)
    assert len(feed_hits(server)) == 3
    invoke("run", *out)  # without --due, as the contract says: every enabled source
    assert len(feed_hits(server)) == 4
    table = invoke("status")
    assert "next due" in table.splitlines()[0]
    [row] = json.loads(invoke("status", "--json"))["sources"]
    due = datetime.fromisoformat(row["next_due"])
    assert timedelta(hours=5) < due - datetime.now(UTC) <= timedelta(hours=6)
    assert row["poll_interval"] == 21600 and row["poll_reason"].startswith("publishes about")
    assert due.strftime("%Y-%m-%d %H:%M") in table


@pytest.mark.parametrize(
    ("yaml", "message"),
    [
        ("{min_interval: 0}", "fetch.min_interval"),
        ("{min_interval: 600, max_interval: 300}", "fetch.max_interval"),
        ("{max_interval: soon}", "fetch.max_interval"),
    ],
)
def test_bad_bounds_are_configuration_errors(yaml: str, message: str) -> None:
    from aggregator.errors import ConfigError

    with pytest.raises(ConfigError, match=message.replace(".", r"\.")):
        load_config_text(
            f"fetch: {yaml}\nsources:\n  - {{id: a, name: A, type: feed, url: 'https://a.fr/'}}"
        )


# --- the rules -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"cache-control": "max-age=600"}, 600.0),
        ({"cache-control": "public, max-age=600", "age": "100"}, 500.0),
        ({"cache-control": "no-cache, max-age=600"}, None),
        ({"cache-control": "max-age=60", "expires": "Mon, 02 Mar 2026 12:00:00 GMT"}, 60.0),
        ({"expires": "Mon, 02 Mar 2026 10:00:00 GMT"}, 3600.0),
        ({"expires": "Mon, 02 Mar 2026 10:00:00 GMT", "date": "Mon, 02 Mar 2026 09:30:00"}, 1800.0),
        ({"expires": "0"}, None),
        ({"retry-after": "120", "cache-control": "max-age=600"}, 120.0),
        ({"retry-after": "Mon, 02 Mar 2026 09:10:00 GMT"}, 600.0),
        ({}, None),
    ],
)
def test_server_wait(headers: dict[str, str], expected: float | None) -> None:
    assert server_wait(headers, T0) == expected


HEADER_TEXT = st.text(max_size=40) | st.sampled_from(["max-age=²", "max-age=٣", "-5", "0"])


@given(
    st.dictionaries(
        st.sampled_from(["cache-control", "expires", "retry-after", "age", "date"]), HEADER_TEXT
    )
)
def test_server_wait_never_fails_nor_goes_negative_whatever_the_headers(
    headers: dict[str, str],
) -> None:
    wait = server_wait(headers, T0)
    assert wait is None or wait >= 0


def test_usual_gap_is_the_median_gap_counting_the_silence_since_the_newest_item() -> None:
    dates = [T0 - timedelta(hours=h) for h in (1, 3, 5, 7, 50)]
    assert usual_gap(dates, T0) == 2 * 3600
    assert usual_gap([], T0) is None
    assert usual_gap([T0 - HOUR] * 3, T0) == 3600  # repeated dates count once


SECONDS = st.floats(min_value=0, max_value=1e7, allow_nan=False)


@given(
    gap=st.none() | SECONDS,
    incident=st.booleans(),
    failures=st.integers(min_value=0, max_value=200),
    asked=st.none() | SECONDS,
    low=st.floats(min_value=1, max_value=3600),
    spread=st.floats(min_value=1, max_value=100),
)
def test_the_interval_stays_in_bounds_and_never_undercuts_the_server(
    gap: float | None,
    incident: bool,
    failures: int,
    asked: float | None,
    low: float,
    spread: float,
) -> None:
    options = FetchOptions(min_interval=low, max_interval=low * spread)
    interval, reason = interval_for(gap, incident, failures, asked, options)
    assert low <= interval <= low * spread
    if asked is not None:
        assert interval >= min(asked, low * spread)
    if incident and not failures and (asked or 0) <= low:
        assert interval == low
    assert reason


@pytest.mark.parametrize("category", ["payer", "authority"])
def test_a_payer_or_an_authority_s_own_site_is_asked_at_least_every_half_hour(
    category: str,
) -> None:
    """They publish rarely, and first: their own pace would leave an outage unseen for hours."""
    options = FetchOptions()
    day = 86400.0
    slow, reason = interval_for(day, False, 0, None, options, first_hand=True)
    assert slow == schedule.FIRST_HAND_INTERVAL and "own site" in reason
    assert interval_for(day, False, 0, None, options)[0] == day / schedule.POLLS_PER_GAP
    # Never sooner than its server asks, nor than failures allow, nor than an incident needs.
    assert interval_for(day, False, 0, 7200.0, options, first_hand=True)[0] == 7200.0
    assert interval_for(day, False, 4, None, options, first_hand=True)[0] == 300.0 * 16
    assert interval_for(day, True, 0, None, options, first_hand=True)[0] == 300.0
    source = Source(id="s", name="S", type="feed", url="http://127.0.0.1/f", category=category)
    assert schedule.Polled.of(source, None, True).first_hand
    press = Source(id="p", name="P", type="feed", url="http://127.0.0.1/f", category="press")
    assert not schedule.Polled.of(press, None, True).first_hand
