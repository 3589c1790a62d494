"""robots.txt kept between runs with its validators (RFC 9309: up to 24 hours), counted in
requests at a real local server."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from aggregator.collect.robots import MAX_BODY, RobotsCache, RobotsFile
from aggregator.config import load_config_text
from aggregator.models import Config
from aggregator.pipeline import RunReport, run
from aggregator.store import Store
from tests.httpfixtures import LocalServer, Reply
from tests.test_schedule import every, feed_reply

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
RULES = b"User-agent: *\nDisallow: /private/\n"
ETAG = '"robots-1"'
MODIFIED = "Sun, 01 Mar 2026 08:00:00 GMT"


def robots_answer(body: bytes = RULES) -> object:
    """robots.txt with validators: 304 to a request that carries the current ETag."""

    def answer(headers: dict[str, str]) -> Reply:
        if headers.get("if-none-match") == ETAG:
            return Reply(304, b"", {"ETag": ETAG})
        return Reply(200, body, {"ETag": ETAG, "Last-Modified": MODIFIED})

    return answer


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with LocalServer() as local:
        local.route("/feed.xml", feed_reply(every(timedelta(hours=2), 3)))
        local.route("/private/feed.xml", feed_reply(every(timedelta(hours=2), 3)))
        yield local


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "a.db") as opened:
        yield opened


def config(server: LocalServer) -> Config:
    return load_config_text(
        "fetch: {per_host_delay: 0, retries: 0, timeout: 5}\nsources:\n"
        f"  - {{id: open, name: Open, type: feed, url: '{server.url('/feed.xml')}'}}\n"
        f"  - {{id: closed, name: Closed, type: feed, url: '{server.url('/private/feed.xml')}'}}\n"
    )


def fetch_all(server: LocalServer, store: Store, at: datetime) -> RunReport:
    """A run that fetches every source (as `run --all`), at a given time."""
    return run(config(server), store, None, now=at)


def robots_hits(server: LocalServer) -> list[dict[str, str]]:
    return [hit.headers for hit in server.hits_of("/robots.txt")]


def test_robots_txt_is_fetched_once_for_two_runs_within_a_day(
    server: LocalServer, store: Store
) -> None:
    server.route("/robots.txt", handler=robots_answer())  # type: ignore[arg-type]
    first = fetch_all(server, store, T0)
    second = fetch_all(server, store, T0 + timedelta(hours=23, minutes=59))
    assert len(robots_hits(server)) == 1
    assert len(server.hits_of("/feed.xml")) == 2
    # The kept rules still apply: the disallowed source is refused without a request.
    for report in (first, second):
        assert report.failures == [("closed", "disallowed by robots.txt")]
    assert not server.hits_of("/private/feed.xml")


def test_after_a_day_robots_txt_is_asked_again_conditionally_and_a_304_keeps_it(
    server: LocalServer, store: Store
) -> None:
    server.route("/robots.txt", handler=robots_answer())  # type: ignore[arg-type]
    fetch_all(server, store, T0)
    later = fetch_all(server, store, T0 + timedelta(hours=24, minutes=1))
    first, second = robots_hits(server)
    assert "if-none-match" not in first
    assert second["if-none-match"] == ETAG and second["if-modified-since"] == MODIFIED
    assert later.failures == [("closed", "disallowed by robots.txt")]  # kept by the 304
    # Renewed by the 304: not asked again for another day.
    fetch_all(server, store, T0 + timedelta(hours=47))
    assert len(robots_hits(server)) == 2
    fetch_all(server, store, T0 + timedelta(hours=48, minutes=2))
    assert len(robots_hits(server)) == 3


def test_a_changed_robots_txt_replaces_the_kept_one(server: LocalServer, store: Store) -> None:
    server.route("/robots.txt", handler=robots_answer())  # type: ignore[arg-type]
    fetch_all(server, store, T0)
    server.route("/robots.txt", Reply(200, b"User-agent: *\nDisallow:\n", {"ETag": '"2"'}))
    report = fetch_all(server, store, T0 + timedelta(days=2))
    assert report.sources_failed == 0 and len(server.hits_of("/private/feed.xml")) == 1
    (origin, etag) = store.execute("SELECT origin, etag FROM robots").fetchone()
    assert origin == server.base and etag == '"2"'


@pytest.mark.parametrize(("status", "kept"), [(404, True), (410, True), (503, False)])
def test_a_missing_robots_txt_is_kept_as_missing_but_a_server_error_is_asked_again(
    server: LocalServer, store: Store, status: int, kept: bool
) -> None:
    server.route("/robots.txt", Reply(status, b"no"))
    for hours in (0, 1):
        report = fetch_all(server, store, T0 + timedelta(hours=hours))
        assert report.sources_failed == 0  # nothing is forbidden either way
    assert len(robots_hits(server)) == (1 if kept else 2)


def test_the_cache_rules(tmp_path: Path) -> None:
    origin = "https://a.example"
    known = RobotsFile(origin, "User-agent: *\nDisallow: /x\n", '"e"', None, T0)
    cache = RobotsCache({origin: known}, now=T0 + timedelta(hours=30))
    assert not cache.fresh(known)
    assert cache.answer(origin, known, 503, {}, b"") == known  # an outage keeps the old file
    assert cache.answer(origin, known, None, {}, b"") == known  # as does no answer at all
    assert cache.answer(origin, None, 500, {}, b"") is None  # none known: nothing forbidden
    renewed = cache.answer(origin, known, 304, {}, b"")
    assert renewed is not None and renewed.body == known.body and cache.fresh(renewed)
    huge = cache.answer(origin, known, 200, {}, b"#" * (MAX_BODY * 2))
    assert huge is not None and len(huge.body) == MAX_BODY
    with Store(tmp_path / "a.db") as store:
        cache.save(store)
        again = RobotsCache.load(store, T0 + timedelta(hours=31))
    assert again.get(origin) == huge
