"""The fetcher against real servers on 127.0.0.1: one behaviour per test."""

from __future__ import annotations

import asyncio
import gzip
import itertools
import resource
import time
import zlib
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest
from httpfixtures import DripServer, LocalServer, Reply, refusing_port
from hypothesis import given, settings
from hypothesis import strategies as st

from aggregator.collect.fetch import PIECE, Fetcher, _Inflater, _through, retry_after_seconds
from aggregator.models import FetchOptions, FetchResult

UA = "aggregator-test/1 (+https://example.org/veille/)"
# The test servers listen on 127.0.0.1, on ports chosen at random: allowed by name here, as
# an operator would in fetch.allow_hosts (tests/test_guard.py covers the refusals).
FAST = FetchOptions(
    user_agent=UA,
    timeout=2.0,
    per_host_delay=0.0,
    retries=2,
    backoff=0.01,
    max_retry_after=5,
    allow_hosts=("127.0.0.1",),
)
MB = 1024 * 1024


def fetch(
    url: str,
    options: FetchOptions = FAST,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
) -> FetchResult:
    async def once() -> FetchResult:
        async with Fetcher(options) as fetcher:
            return await fetcher.fetch(url, etag=etag, last_modified=last_modified)

    return asyncio.run(once())


def fetch_all(urls: list[str], options: FetchOptions = FAST) -> list[FetchResult]:
    """Fetch concurrently through one Fetcher."""

    async def many() -> list[FetchResult]:
        async with Fetcher(options) as fetcher:
            return list(await asyncio.gather(*(fetcher.fetch(url) for url in urls)))

    return asyncio.run(many())


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with LocalServer() as running:
        yield running


# --- plain and conditional GET -------------------------------------------------------------------


def test_surrounding_whitespace_in_a_url_is_ignored(server: LocalServer) -> None:
    url = server.route("/feed", Reply(200, b"ok"))
    result = fetch(f"  {url}\n")
    assert result.ok and result.final_url == url


def test_ok_response_gives_body_validators_and_lower_case_headers(server: LocalServer) -> None:
    headers = {"ETag": '"v1"', "Last-Modified": "Mon, 29 Jan 2024 08:00:00 GMT",
               "Content-Type": "application/rss+xml; charset=utf-8"}  # fmt: skip
    url = server.route("/feed.xml", Reply(200, b"<rss>flux</rss>", headers))
    result = fetch(url)
    assert result.ok and result.status == 200 and not result.not_modified
    assert result.content == b"<rss>flux</rss>"
    assert result.etag == '"v1"' and result.last_modified == "Mon, 29 Jan 2024 08:00:00 GMT"
    assert result.headers["content-type"] == "application/rss+xml; charset=utf-8"
    assert result.final_url == url == result.url
    assert 0 < result.elapsed < 2


class _ImportWatch:
    """A meta-path finder that only notes which modules were searched for."""

    def __init__(self) -> None:
        self.searched: list[str] = []

    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        self.searched.append(name)


def test_requests_do_not_search_for_modules_again_and_again(server: LocalServer) -> None:
    # httpcore imports sniffio lazily on every lock it sets up; were sniffio missing, each
    # request would search sys.path for it again (a failed import is not remembered).
    import sys

    urls = [server.route(f"/f{n}", Reply(200, b"ok")) for n in range(30)]
    fetch_all(urls[:2])  # whatever the first requests import for good
    watch = _ImportWatch()
    sys.meta_path.insert(0, watch)
    try:
        results = fetch_all(urls)
    finally:
        sys.meta_path.remove(watch)
    assert all(r.ok for r in results)
    assert len(watch.searched) < 5, sorted(set(watch.searched))


def conditional(headers: dict[str, str]) -> Reply:
    """Answers 304 only when the client proves it holds version v1."""
    if headers.get("if-none-match") == '"v1"':
        return Reply(304, headers={"ETag": '"v1"'})
    if headers.get("if-modified-since") == "Mon, 29 Jan 2024 08:00:00 GMT":
        return Reply(304)
    return Reply(200, b"body", {"ETag": '"v1"', "Last-Modified": "Mon, 29 Jan 2024 08:00:00 GMT"})


@pytest.mark.parametrize(
    "validator",
    [{"etag": '"v1"'}, {"last_modified": "Mon, 29 Jan 2024 08:00:00 GMT"}],
    ids=["etag", "last-modified"],
)
def test_second_fetch_with_a_validator_is_not_modified(
    server: LocalServer, validator: dict[str, str]
) -> None:
    url = server.route("/feed", handler=conditional)
    first = fetch(url)
    assert first.content == b"body" and not first.not_modified
    second = fetch(url, etag=validator.get("etag"), last_modified=validator.get("last_modified"))
    assert second.ok and second.not_modified and second.status == 304
    assert second.content == b""
    assert second.etag == '"v1"' or second.last_modified == "Mon, 29 Jan 2024 08:00:00 GMT"


def test_user_agent_and_accept_encoding_are_sent(server: LocalServer) -> None:
    url = server.route("/page", Reply(200, b"ok"))
    fetch(url)
    (hit,) = server.hits_of("/page")
    assert hit.headers["user-agent"] == UA
    assert set(hit.headers["accept-encoding"].replace(" ", "").split(",")) == {"gzip", "deflate"}
    assert "if-none-match" not in hit.headers and "if-modified-since" not in hit.headers


# --- HTTP errors and retries ---------------------------------------------------------------------


@pytest.mark.parametrize(("status", "reason"), [(404, "HTTP 404"), (410, "HTTP 410 Gone")])
def test_client_errors_are_reported_and_not_retried(
    server: LocalServer, status: int, reason: str
) -> None:
    url = server.route("/gone", Reply(status, b"nope"))
    result = fetch(url)
    assert result.error == reason and result.status == status and not result.ok
    assert len(server.hits_of("/gone")) == 1


def test_server_errors_are_retried_until_success(server: LocalServer) -> None:
    url = server.route("/flaky", Reply(500), Reply(502), Reply(200, b"enfin"))
    result = fetch(url)
    assert result.ok and result.content == b"enfin"
    assert len(server.hits_of("/flaky")) == 3


def test_server_errors_give_up_after_the_last_retry(server: LocalServer) -> None:
    url = server.route("/down", Reply(500))
    result = fetch(url, replace(FAST, retries=1))
    assert result.error == "HTTP 500 after 2 attempts" and result.status == 500
    assert len(server.hits_of("/down")) == 2


def test_backoff_doubles_between_attempts(server: LocalServer) -> None:
    url = server.route("/down", Reply(503))
    fetch(url, replace(FAST, retries=2, backoff=0.2))
    hits = server.hits_of("/down")
    gaps = [later.start - earlier.end for earlier, later in itertools.pairwise(hits)]
    assert len(gaps) == 2 and gaps[0] >= 0.19 and gaps[1] >= 0.39


def test_retry_after_in_seconds_is_waited_for(server: LocalServer) -> None:
    url = server.route("/busy", Reply(429, headers={"Retry-After": "1"}), Reply(200, b"ok"))
    result = fetch(url)
    assert result.ok and result.content == b"ok"
    first, second = server.hits_of("/busy")
    assert second.start - first.end >= 0.95
    assert result.elapsed >= 0.95


def test_retry_after_beyond_the_limit_gives_up_at_once(server: LocalServer) -> None:
    url = server.route("/busy", Reply(429, headers={"Retry-After": "120"}))
    result = fetch(url, replace(FAST, max_retry_after=60))
    assert result.error == ("HTTP 429 Too Many Requests (Retry-After 120 s exceeds the 60 s limit)")
    assert result.status == 429
    assert result.elapsed < 0.5
    assert len(server.hits_of("/busy")) == 1


def test_retry_after_date_on_503_is_waited_for(server: LocalServer) -> None:
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=2), usegmt=True)
    url = server.route("/busy", Reply(503, headers={"Retry-After": when}), Reply(200, b"ok"))
    result = fetch(url)
    assert result.ok
    first, second = server.hits_of("/busy")
    assert second.start - first.end >= 0.9  # a whole-second date, so between 1 and 2 s


NOW = datetime(2024, 1, 29, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("120", 120.0),
        (" 0 ", 0.0),
        ("Mon, 29 Jan 2024 08:01:30 GMT", 90.0),
        ("Mon, 29 Jan 2024 07:00:00 GMT", 0.0),  # already past
        ("demain", None),
        ("-5", None),
        ("²", None),
        ("Mon, 29 Jan 99999 08:00:00 GMT", None),
        ("", None),
        (None, None),
    ],
)
def test_retry_after_values(value: str | None, seconds: float | None) -> None:
    assert retry_after_seconds(value, NOW) == seconds


# --- deadlines and size caps ---------------------------------------------------------------------

SLOW_BODY = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 1000000\r\n\r\n"
SLOW_HEAD = b"HTTP/1.1 200 OK\r\nX-Lent: "


@pytest.mark.parametrize("head", [SLOW_BODY, SLOW_HEAD], ids=["body", "headers"])
def test_a_dripping_server_is_cut_at_the_total_deadline(head: bytes) -> None:
    with DripServer(head, interval=0.2) as drip:
        result = fetch(drip.url, replace(FAST, timeout=1.0, retries=0, respect_robots=False))
    assert result.error == "timed out after 1 s"
    assert result.content == b""
    assert 0.9 <= result.elapsed < 1.6


def test_timeouts_are_retried(server: LocalServer) -> None:
    url = server.route("/slow", Reply(200, b"late", delay=0.6), Reply(200, b"fast"))
    result = fetch(url, replace(FAST, timeout=0.3))
    assert result.ok and result.content == b"fast"


@pytest.mark.parametrize("length", [True, False], ids=["content-length", "until-close"])
def test_a_body_over_the_cap_is_refused(server: LocalServer, length: bool) -> None:
    url = server.route("/big", Reply(200, [b"a" * 65536] * 32, length=length))
    result = fetch(url, replace(FAST, max_bytes=1 * MB))
    assert result.error == "response larger than 1 MB"
    assert result.content == b"" and result.status == 200


def test_a_body_at_the_cap_is_accepted(server: LocalServer) -> None:
    url = server.route("/exact", Reply(200, b"b" * 1000))
    result = fetch(url, replace(FAST, max_bytes=1000))
    assert result.ok and len(result.content) == 1000


def test_a_declared_length_over_the_cap_is_refused_before_reading(server: LocalServer) -> None:
    url = server.route(
        "/huge", Reply(200, b"c" * 5000, {"Content-Length": "99999999"}, length=False)
    )
    result = fetch(url, replace(FAST, max_bytes=10 * MB))
    assert result.error == "response larger than 10 MB"


def gzip_of_zeros(megabytes: int) -> bytes:
    """A gzip bomb built a megabyte at a time, so the test itself never holds it inflated."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = bytes(MB)
    parts = [packer.compress(zeros) for _ in range(megabytes)]
    return b"".join([*parts, packer.flush()])


def test_a_gzip_bomb_is_stopped_at_the_cap_without_inflating_it(server: LocalServer) -> None:
    bomb = gzip_of_zeros(200)
    assert len(bomb) < 300_000  # 200 MB of zeros
    url = server.route("/bomb", Reply(200, bomb, {"Content-Encoding": "gzip"}))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    result = fetch(url, replace(FAST, max_bytes=1 * MB))
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert result.error == "response larger than 1 MB" and result.content == b""
    assert grown_mb < 50


TEXT = "Viamédis : reprise du service de tiers payant ce matin. ".encode() * 200


def raw_deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    return packer.compress(data) + packer.flush()


@pytest.mark.parametrize(
    ("encoding", "body"),
    [
        ("gzip", gzip.compress(TEXT)),
        ("gzip", gzip.compress(TEXT[:5000]) + gzip.compress(TEXT[5000:])),  # two members
        ("deflate", zlib.compress(TEXT)),
        ("deflate", raw_deflate(TEXT)),  # what some servers call deflate
        ("gzip, deflate", zlib.compress(gzip.compress(TEXT))),
        ("gzip", gzip.compress(TEXT) + bytes(30)),  # zero padding after the member
        ("identity", TEXT),
    ],
    ids=[
        "gzip",
        "gzip-members",
        "deflate",
        "raw-deflate",
        "gzip-then-deflate",
        "padded",
        "identity",
    ],
)
def test_compressed_bodies_are_decoded(server: LocalServer, encoding: str, body: bytes) -> None:
    url = server.route("/packed", Reply(200, body, {"Content-Encoding": encoding}))
    result = fetch(url)
    assert result.ok and result.content == TEXT


@settings(max_examples=60, deadline=None)
@given(
    unit=st.binary(max_size=3000),
    repeat=st.integers(min_value=1, max_value=300),  # repetitive data inflates past PIECE
    cuts=st.lists(st.integers(min_value=0, max_value=300_000), max_size=12),
    encoding=st.sampled_from(["gzip", "deflate"]),
)
def test_inflating_in_any_chunks_gives_the_original_in_bounded_pieces(
    unit: bytes, repeat: int, cuts: list[int], encoding: str
) -> None:
    data = unit * repeat
    packed = gzip.compress(data) if encoding == "gzip" else zlib.compress(data)
    bounds = sorted({0, len(packed), *(cut % (len(packed) + 1) for cut in cuts)})
    stage = _Inflater(encoding)
    pieces = [
        piece
        for start, end in itertools.pairwise(bounds)
        for piece in _through([stage], packed[start:end])
    ]
    pieces.append(stage.finish())
    assert b"".join(pieces) == data
    assert max(map(len, pieces)) <= PIECE


GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03"
INVALID_BLOCK = b"\x07 garbage"  # deflate block type 3 does not exist


@pytest.mark.parametrize(
    "body",
    [GZIP_HEADER + INVALID_BLOCK, gzip.compress(TEXT)[:-8] + b"\xde\xad\xbe\xef" * 2],
    ids=["invalid-block", "bad-checksum"],
)
def test_a_corrupt_gzip_body_is_an_error(server: LocalServer, body: bytes) -> None:
    url = server.route("/broken", Reply(200, body, {"Content-Encoding": "gzip"}))
    result = fetch(url)
    assert result.error == "the compressed body is corrupt"


# --- redirects -----------------------------------------------------------------------------------


def chain(server: LocalServer, hops: int) -> str:
    """/r0 -> /r1 -> ... -> /r{hops} which answers 200."""
    for index in range(hops):
        server.route(f"/r{index}", Reply(301 + index % 2, headers={"Location": f"/r{index + 1}"}))
    server.route(f"/r{hops}", Reply(200, b"arrive"))
    return server.url("/r0")


def test_five_redirects_are_followed(server: LocalServer) -> None:
    result = fetch(chain(server, 5))
    assert result.ok and result.content == b"arrive"
    assert result.final_url == server.url("/r5") and result.url == server.url("/r0")


def test_six_redirects_are_too_many(server: LocalServer) -> None:
    result = fetch(chain(server, 6))
    assert result.error == "too many redirects (more than 5)"
    assert server.hits_of("/r6") == []


def test_a_redirect_loop_is_detected(server: LocalServer) -> None:
    server.route("/a", Reply(302, headers={"Location": "/b"}))
    server.route("/b", Reply(302, headers={"Location": server.url("/a")}))
    result = fetch(server.url("/a"), replace(FAST, max_redirects=20))
    assert result.error is not None and result.error.startswith("redirect loop")
    assert len(server.hits_of("/a")) == 1


def cookie_wall(headers: dict[str, str]) -> Reply:
    """Sends a first visit back to the same page with a cookie, as consent walls do."""
    if "vu=1" in headers.get("cookie", ""):
        return Reply(200, b"contenu")
    return Reply(302, headers={"Location": "/wall", "Set-Cookie": "vu=1; Path=/"})


def test_a_redirect_back_with_a_new_cookie_is_not_a_loop(server: LocalServer) -> None:
    url = server.route("/wall", handler=cookie_wall)
    result = fetch(url)
    assert result.ok and result.content == b"contenu"
    assert len(server.hits_of("/wall")) == 2


@pytest.mark.parametrize("target", ["ftp://example.org/x", "file:///etc/passwd"])
def test_a_redirect_to_another_scheme_is_refused(server: LocalServer, target: str) -> None:
    url = server.route("/away", Reply(302, headers={"Location": target}))
    result = fetch(url)
    scheme = target.split(":")[0]
    assert result.error == f"redirect to unsupported scheme {scheme}:"


def test_a_redirect_without_location_is_an_error(server: LocalServer) -> None:
    url = server.route("/nowhere", Reply(302))
    assert fetch(url).error == "HTTP 302 redirect without a Location"


# --- robots.txt ----------------------------------------------------------------------------------

ROBOTS = b"User-agent: *\nDisallow: /private/\n\nUser-agent: aggregator-test\nDisallow: /nous/\n"


def test_robots_txt_is_fetched_once_and_obeyed(server: LocalServer) -> None:
    server.route("/robots.txt", Reply(200, ROBOTS, {"Content-Type": "text/plain"}))
    server.route("/public", Reply(200, b"ok"))
    server.route("/nous/page", Reply(200, b"secret"))
    public, private = fetch_all([server.url("/public"), server.url("/nous/page")])
    assert public.ok
    assert private.error == "disallowed by robots.txt" and private.status is None
    assert server.hits_of("/nous/page") == []
    assert len(server.hits_of("/robots.txt")) == 1


def test_robots_txt_can_be_ignored(server: LocalServer) -> None:
    server.route("/robots.txt", Reply(200, b"User-agent: *\nDisallow: /\n"))
    url = server.route("/page", Reply(200, b"ok"))

    async def once() -> FetchResult:
        async with Fetcher(FAST, robots=False) as fetcher:
            return await fetcher.fetch(url)

    assert asyncio.run(once()).ok
    assert server.hits_of("/robots.txt") == []


@pytest.mark.parametrize("status", [404, 500, 403])
def test_an_unavailable_robots_txt_allows_everything(server: LocalServer, status: int) -> None:
    server.route("/robots.txt", Reply(status, b"User-agent: *\nDisallow: /\n"))
    url = server.route("/page", Reply(200, b"ok"))
    assert fetch(url).ok
    assert len(server.hits_of("/robots.txt")) == 1  # not retried


def test_robots_txt_of_a_redirect_target_is_checked(server: LocalServer) -> None:
    with LocalServer() as other:
        other.route("/robots.txt", Reply(200, b"User-agent: *\nDisallow: /\n"))
        other.route("/page", Reply(200, b"no"))
        url = server.route("/go", Reply(302, headers={"Location": other.url("/page")}))
        result = fetch(url)
        assert result.error == "disallowed by robots.txt"
        assert other.hits_of("/page") == []


def test_crawl_delay_of_robots_txt_spaces_requests(server: LocalServer) -> None:
    server.route("/robots.txt", Reply(200, b"User-agent: *\nCrawl-delay: 0.4\n"))
    server.route("/a", Reply(200, b"a"))
    server.route("/b", Reply(200, b"b"))
    results = fetch_all([server.url("/a"), server.url("/b")])
    assert all(result.ok for result in results)
    first, second = sorted(server.hits_of("/a") + server.hits_of("/b"), key=lambda h: h.start)
    assert second.start - first.end >= 0.38


def test_a_huge_crawl_delay_is_capped(server: LocalServer) -> None:
    server.route("/robots.txt", Reply(200, b"User-agent: *\nCrawl-delay: 86400\n"))
    server.route("/a", Reply(200, b"a"))
    started = time.monotonic()
    result = fetch(server.url("/a"), replace(FAST, max_crawl_delay=0.3))
    assert result.ok and time.monotonic() - started < 1.5
    (robots,), (page,) = server.hits_of("/robots.txt"), server.hits_of("/a")
    assert page.start - robots.end >= 0.28  # delayed, but by the cap


# --- politeness ----------------------------------------------------------------------------------


def overlap(first: tuple[float, float], second: tuple[float, float]) -> bool:
    return first[0] < second[1] and second[0] < first[1]


def test_one_host_gets_one_request_at_a_time_with_a_delay(server: LocalServer) -> None:
    server.route("/a", Reply(200, b"a", delay=0.3))
    server.route("/b", Reply(200, b"b", delay=0.3))
    options = replace(FAST, per_host_delay=0.25, respect_robots=False)
    results = fetch_all([server.url("/a"), server.url("/b")], options)
    assert all(result.ok for result in results)
    first, second = sorted(server.hits, key=lambda hit: hit.start)
    assert second.start - first.end >= 0.24


def test_two_hosts_are_fetched_at_the_same_time(server: LocalServer) -> None:
    with LocalServer() as other:
        server.route("/a", Reply(200, b"a", delay=0.4))
        other.route("/b", Reply(200, b"b", delay=0.4))
        options = replace(FAST, per_host_delay=1.0, respect_robots=False)
        results = fetch_all([server.url("/a"), other.url("/b")], options)
        assert all(result.ok for result in results)
        (a,), (b,) = server.hits, other.hits
        assert overlap((a.start, a.end), (b.start, b.end))


def test_concurrency_limit_holds_across_hosts(server: LocalServer) -> None:
    with LocalServer() as other:
        server.route("/a", Reply(200, b"a", delay=0.3))
        other.route("/b", Reply(200, b"b", delay=0.3))
        options = replace(FAST, concurrency=1, respect_robots=False)
        fetch_all([server.url("/a"), other.url("/b")], options)
        (a,), (b,) = server.hits, other.hits
        assert not overlap((a.start, a.end), (b.start, b.end))


# --- failures that are not HTTP ------------------------------------------------------------------


def test_connection_refused_is_a_reason_not_an_exception() -> None:
    with refusing_port() as sock:
        url = f"http://127.0.0.1:{sock.getsockname()[1]}/feed"
        result = fetch(url, replace(FAST, retries=1))
    assert result.error == "connection refused (2 attempts)"
    assert result.status is None and result.final_url == url


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://example.org/feed", "unsupported scheme ftp:"),
        ("javascript:alert(1)", "unsupported scheme javascript:"),
        ("not a url", "invalid URL (not absolute)"),
        ("http:///nohost", "invalid URL (no host)"),
        ("http://[::1/", "invalid URL"),
    ],
)
def test_unfetchable_urls_give_a_reason(url: str, reason: str) -> None:
    assert fetch(url).error == reason


def test_using_the_fetcher_outside_its_context_is_a_programming_error() -> None:
    async def outside() -> FetchResult:
        return await Fetcher(FAST, robots=False).fetch("http://127.0.0.1:9/")

    with pytest.raises(RuntimeError, match="async with"):
        asyncio.run(outside())


class _KeepAliveCounter:
    """HTTP/1.1 servers on several loopback addresses that keep connections open, and
    count the connections they are opened."""

    def __init__(self, hosts: int) -> None:
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.connections = 0
        lock = threading.Lock()
        counter = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:  # once per connection, however many requests
                super().setup()
                with lock:
                    counter.connections += 1

            def do_GET(self) -> None:
                body = b"<rss version='2.0'><channel><title>t</title></channel></rss>"
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True

        self.servers = [Server((f"127.0.0.{2 + n}", 0), Handler) for n in range(hosts)]
        self.threads = [
            threading.Thread(target=s.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
            for s in self.servers
        ]

    def __enter__(self) -> _KeepAliveCounter:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        for server in self.servers:
            server.shutdown()
            server.server_close()

    def urls(self, path: str) -> list[str]:
        return [f"http://{s.server_address[0]}:{s.server_address[1]}{path}" for s in self.servers]


def _without_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for name in list(os.environ):
        if name.lower().endswith("_proxy"):
            monkeypatch.delenv(name)


async def _rounds(urls: list[str], times: int, concurrency: int = 4) -> list[FetchResult]:
    options = replace(FAST, concurrency=concurrency)
    async with Fetcher(options, robots=False, allow=urls) as fetcher:  # 127.0.0.2 and up
        results = []
        for _ in range(times):
            results += await asyncio.gather(*(fetcher.fetch(u) for u in urls))
        return results


@pytest.mark.parametrize(
    "environment",
    [
        {},
        {"NO_PROXY": "*"},
        {"no_proxy": "localhost,127.0.0.1"},
        {"HTTP_PROXY": "http://127.0.0.1:9", "NO_PROXY": "*"},
    ],
)
def test_a_run_over_many_hosts_keeps_one_connection_to_each_open(
    monkeypatch: pytest.MonkeyPatch, environment: dict[str, str]
) -> None:
    """30 hosts asked in turn, three times each: with httpx's single pool and its default
    of 20 idle connections, every request would close the oldest and the next to its
    host reconnect. NO_PROXY names no proxy: alone, or ``*`` beside one, the pools stay."""
    _without_proxies(monkeypatch)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    with _KeepAliveCounter(30) as farm:
        results = asyncio.run(_rounds(farm.urls("/feed.xml"), 3))
        assert [r.status for r in results] == [200] * 90
        assert all(b"<rss" in r.content for r in results)
        assert farm.connections == 30


def test_beyond_the_idle_origins_kept_the_least_recently_used_connections_close(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import aggregator.collect.fetch as fetch_module

    _without_proxies(monkeypatch)
    monkeypatch.setattr(fetch_module, "IDLE_ORIGINS", 4)
    seen: list[int] = []
    original = fetch_module._OriginPools._trim

    async def trim(self: fetch_module._OriginPools) -> None:
        await original(self)
        seen.append(len(self._pools))

    monkeypatch.setattr(fetch_module._OriginPools, "_trim", trim)
    with _KeepAliveCounter(10) as farm:
        # Ten hosts in turn with four kept: the second round reconnects to those closed,
        # and no response in flight loses its connection to the trimming (bodies whole).
        results = asyncio.run(_rounds(farm.urls("/feed.xml"), 2, concurrency=8))
        assert [r.status for r in results] == [200] * 20
        assert all(r.content.endswith(b"</rss>") for r in results)
        assert 10 + 10 - 4 <= farm.connections <= 20
    assert seen and max(seen) <= 4 + 8  # kept ones, plus those busy when trimmed
    assert seen[-1] == 4


def test_a_proxy_set_in_the_environment_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    asked: list[str] = []

    class Proxy(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.append(self.path)  # a proxy is asked for the absolute URL
            body = b"via the proxy"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        _without_proxies(monkeypatch)
        monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{server.server_address[1]}")

        async def one() -> FetchResult:
            async with Fetcher(FAST, robots=False) as fetcher:
                return await fetcher.fetch("http://feeds.example.invalid/news.xml")

        result = asyncio.run(one())
    finally:
        server.shutdown()
        server.server_close()
    assert result.status == 200 and result.content == b"via the proxy"
    assert asked == ["http://feeds.example.invalid/news.xml"]


def test_a_connection_that_fails_to_close_costs_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    import aggregator.collect.fetch as fetch_module

    _without_proxies(monkeypatch)
    monkeypatch.setattr(fetch_module, "IDLE_ORIGINS", 1)
    closed: list[int] = []

    async def broken_close(self: httpx.AsyncHTTPTransport) -> None:
        closed.append(1)
        raise OSError("the socket went away first")

    monkeypatch.setattr(httpx.AsyncHTTPTransport, "aclose", broken_close)
    with _KeepAliveCounter(4) as farm:
        # Idle pools closed beyond the one kept, then every pool at the end: all fail.
        results = asyncio.run(_rounds(farm.urls("/feed.xml"), 2, concurrency=1))
    assert [r.status for r in results] == [200] * 8
    assert len(closed) >= 8


def test_a_body_closed_twice_releases_its_connection_once() -> None:
    from aggregator.collect.fetch import _Released

    released: list[int] = []

    async def done() -> None:
        released.append(1)

    async def twice() -> None:
        body = _Released(httpx.ByteStream(b"x"), done)
        await body.aclose()
        await body.aclose()

    asyncio.run(twice())
    assert released == [1]
