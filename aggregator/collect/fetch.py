"""Polite, incremental HTTP: one client, one request at a time per host, bounded everything.

``Fetcher.fetch(url)`` returns a ``FetchResult`` and never raises for network or HTTP
trouble; the reason goes in ``error``. One call goes through these layers:

    robots.txt check (per origin, from a RobotsCache kept up to 24 h; its Crawl-delay slows
    that host down)
    -> redirects, followed by hand: http/https only, no loops, at most ``max_redirects``
       -> retries: backoff on timeouts, connection errors, 5xx and 429; Retry-After honoured
          -> one attempt: the host's turn, a global slot, a total deadline, a size cap
             -> the connection: only to public addresses, or to hosts sources.yaml names
                (see guard.py); so item links, pagination and redirects cannot reach inside

Example::

    async with Fetcher(FetchOptions()) as fetcher:
        result = await fetcher.fetch("https://example.org/feed/", etag='"abc"')
        if result.not_modified: ...
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import math
import socket
import ssl
import time
import zlib
from collections import Counter, OrderedDict
from collections.abc import (
    AsyncGenerator,
    AsyncIterator,
    Awaitable,
    Callable,
    Iterable,
    Iterator,
    Sequence,
)
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType
from urllib.parse import urldefrag, urljoin
from urllib.request import getproxies

import httpcore
import httpx
from protego import Protego

from aggregator.collect.guard import AddressRefused, Allowance, GuardedBackend, check_name
from aggregator.collect.robots import RobotsCache, RobotsFile
from aggregator.models import Config, FetchOptions, FetchResult

__all__ = ["Fetcher", "retry_after_seconds", "source_urls"]

log = logging.getLogger("aggregator")

REDIRECTS = frozenset({301, 302, 303, 307, 308})
SCHEMES = frozenset({"http", "https"})
# Only encodings whose decoder can be told to stop early: zlib takes an output limit,
# the brotli and zstd bindings do not reliably, and a bomb must never be inflated whole.
# A coding not asked for fails the fetch; so do more than MAX_CODINGS stacked ones (one
# is usual, two happen, a thousand is an attack on the decoder chain).
ACCEPT_ENCODING = "gzip, deflate"
INFLATE_ENCODINGS = frozenset({"gzip", "x-gzip", "deflate"})
MAX_CODINGS = 2
PIECE = 64 * 1024  # largest piece of decompressed output held at once
# Statuses whose name tells the reader what to do next; the others are just their number.
NAMED_STATUSES = {401: "Unauthorized", 403: "Forbidden", 410: "Gone", 429: "Too Many Requests",
                  451: "Unavailable For Legal Reasons", 503: "Service Unavailable"}  # fmt: skip


# --- outcomes of one attempt -------------------------------------------------------------------


@dataclass(frozen=True)
class _Reply:
    """A response that arrived whole (its body read only for 2xx)."""

    status: int
    headers: dict[str, str]
    content: bytes = b""


@dataclass(frozen=True)
class _Failure:
    """An exchange that ended without a usable response."""

    reason: str
    transient: bool = False  # worth another attempt
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)  # of the answer, if one came


_Outcome = _Reply | _Failure


class _Refused(Exception):
    """A redirect refused while httpx still holds the response (see ``_refuse_bad_redirect``)."""

    def __init__(self, failure: _Failure) -> None:
        super().__init__(failure.reason)
        self.failure = failure


@dataclass
class _Host:
    """Politeness state of one host: whose turn it is and when the next may start."""

    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    next_start: float = 0.0  # time.monotonic()
    crawl_delay: float = 0.0  # what its robots.txt asks for, if more than per_host_delay
    asked_delay: float = 0.0  # the same before the cap (fetch.max_crawl_delay)


# --- pure helpers ------------------------------------------------------------------------------


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds a ``Retry-After`` header asks for (delta or HTTP-date); None if unreadable.

    >>> retry_after_seconds("120")
    120.0
    """
    if value is None:
        return None
    text = value.strip()
    count = _digits(text)
    if count is not None:
        return float(count)
    if len(text) > MAX_HEADER_DATE:  # no date is that long; parsing it is wasted work
        return None
    try:
        when = parsedate_to_datetime(text)
        if when.tzinfo is None:  # an HTTP-date is always GMT
            when = when.replace(tzinfo=UTC)
        return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
    except (TypeError, ValueError, IndexError, OverflowError, ArithmeticError):
        return None


# Longest plain count read from a header (a Retry-After of 10^18 seconds is already absurd,
# and int() refuses numbers of thousands of digits); longer ones are unreadable.
MAX_DIGITS = 18
MAX_HEADER_DATE = 100  # characters


def _digits(text: str) -> int | None:
    """A plain decimal count ("120"), else None; "²", "-5" and 5,000 nines are not counts."""
    text = text.strip()
    if not (text.isascii() and text.isdigit()) or len(text.lstrip("0")) > MAX_DIGITS:
        return None
    return int(text)


def _seconds(value: float) -> str:
    return f"{value:g}"


def _size(count: int) -> str:
    """A byte count as people say it: 10 MB, 512 KB, 300 bytes."""
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if count >= scale:
            return f"{count / scale:.4g} {unit}"
    return f"{count} bytes"


def _status_reason(status: int) -> str:
    name = NAMED_STATUSES.get(status)
    return f"HTTP {status} {name}" if name else f"HTTP {status}"


def _host_key(url: httpx.URL) -> str:
    """Politeness key: host and explicit port (http and https on default ports are one host)."""
    return f"{url.host}:{url.port}" if url.port else url.host


def _origin(url: httpx.URL) -> str:
    return f"{url.scheme}://{url.netloc.decode('ascii')}"


def _parse_url(url: str) -> httpx.URL | str:
    """The URL, or the reason it cannot be fetched."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError, TypeError):
        return "invalid URL"
    if not parsed.scheme:
        return "invalid URL (not absolute)"
    if parsed.scheme not in SCHEMES:
        return f"unsupported scheme {parsed.scheme or '(none)'}:"
    if not parsed.host:
        return "invalid URL (no host)"
    return parsed


def _redirect_target(current: str, reply: _Reply) -> str | _Failure:
    """Where a redirect points, resolved and checked, or why it cannot be followed."""
    location = reply.headers.get("location", "").strip()
    if not location:
        return _Failure(f"{_status_reason(reply.status)} redirect without a Location")
    target = urldefrag(urljoin(current, location)).url
    parsed = _parse_url(target)
    if isinstance(parsed, str):
        return _Failure(f"redirect to {parsed}", status=reply.status)
    return target


async def _refuse_bad_redirect(response: httpx.Response) -> None:
    """Response hook: refuse a redirect to a non-web scheme before httpx builds its request.

    httpx prepares the next request even when it does not follow redirects, and a Location
    such as ``javascript:alert(1)`` makes it raise InvalidURL with a message nobody can act on.
    """
    if response.status_code not in REDIRECTS:
        return
    head = {name.lower(): value for name, value in response.headers.items()}
    target = _redirect_target(str(response.request.url), _Reply(response.status_code, head))
    if isinstance(target, _Failure):
        raise _Refused(target)


def _encodings(header: str) -> list[str]:
    """Content codings in the order they were applied, ``identity`` dropped."""
    names = (part.strip().lower() for part in header.split(","))
    return [name for name in names if name and name != "identity"]


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """The exception and everything it was raised from (httpx wraps the socket error)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _connect_reason(exc: Exception) -> str:
    for cause in _causes(exc):
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused"
        if isinstance(cause, socket.gaierror):
            return "host not found"
        if isinstance(cause, ssl.SSLError | ssl.CertificateError):
            return f"TLS error: {cause}"
        if isinstance(cause, OSError) and cause.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH):
            return "host unreachable"
    return f"connection failed: {exc}" if str(exc) else "connection failed"


def _transport_reason(exc: httpx.HTTPError) -> str:
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"server broke the HTTP protocol: {exc}" if str(exc) else "server closed early"
    if isinstance(exc, httpx.ReadError | httpx.WriteError):
        return "connection lost"
    return f"transport error: {exc}" if str(exc) else f"transport error: {type(exc).__name__}"


# --- bounded decompression ---------------------------------------------------------------------


class _Inflater:
    """Decompresses gzip or deflate in pieces of at most ``PIECE`` bytes.

    zlib's ``max_length`` keeps the not-yet-inflated input aside, so a 50 KB bomb that would
    expand to 50 MB yields 64 KB at a time and the caller can stop after its cap.
    """

    def __init__(self, encoding: str) -> None:
        self.gzip = encoding != "deflate"
        # "deflate" should be zlib-wrapped, but some servers send a raw stream: try both.
        self.wbits = zlib.MAX_WBITS | 16 if self.gzip else zlib.MAX_WBITS
        self.obj = zlib.decompressobj(self.wbits)
        self.produced = False  # some output already came out
        self.whole_member = False  # a complete gzip member already came out
        self.done = False

    def feed(self, data: bytes) -> Iterator[bytes]:
        while data and not self.done:
            if self.obj.eof:
                self._next_member()
                if self.done:
                    return
            piece = self._decompress(data)
            if piece:
                yield piece
            data = self.obj.unused_data if self.obj.eof else self.obj.unconsumed_tail
            # Input all taken but output buffer full: zlib may still hold output.
            while not data and not self.obj.eof and len(piece) == PIECE:
                piece = self.obj.decompress(b"", PIECE)
                if piece:
                    yield piece
                data = self.obj.unconsumed_tail

    def _next_member(self) -> None:
        """A gzip file may hold several members; a deflate stream ends at its end."""
        self.whole_member = True
        if self.gzip:
            self.obj = zlib.decompressobj(self.wbits)
        else:
            self.done = True

    def _decompress(self, data: bytes) -> bytes:
        try:
            piece = self.obj.decompress(data, PIECE)
        except zlib.error:
            if self.whole_member:
                self.done = True  # padding after a good body, as browsers tolerate
                return b""
            if self.gzip or self.produced or self.wbits < 0:
                raise
            self.wbits = -zlib.MAX_WBITS
            self.obj = zlib.decompressobj(self.wbits)
            piece = self.obj.decompress(data, PIECE)
        self.produced = self.produced or bool(piece)
        return piece

    def finish(self) -> bytes:
        return b"" if self.done or self.obj.eof else self.obj.flush()


def _through(stages: Sequence[_Inflater], data: bytes) -> Iterator[bytes]:
    """Pass bytes through a chain of inflaters, piece by piece."""
    if not stages:
        if data:
            yield data
        return
    for piece in stages[0].feed(data):
        yield from _through(stages[1:], piece)


def _coding_problem(encodings: Sequence[str]) -> str | None:
    """Why a body in these content codings is not read, or None when it can be."""
    refused = [name for name in encodings if name not in INFLATE_ENCODINGS]
    if refused:
        name = refused[0][:40]
        return f"content coding {name!r} was not asked for (Accept-Encoding: {ACCEPT_ENCODING})"
    if len(encodings) > MAX_CODINGS:
        return f"{len(encodings)} stacked content codings (at most {MAX_CODINGS} are read)"
    return None


async def _decoded(
    response: httpx.Response, encodings: Sequence[str]
) -> AsyncGenerator[bytes, None]:
    """The body decoded in bounded pieces (``encodings``: checked by _coding_problem)."""
    stages = [_Inflater(name) for name in reversed(encodings)]  # undo the last coding first
    async for chunk in response.aiter_raw():
        for piece in _through(stages, chunk):
            yield piece
    for index, stage in enumerate(stages):
        for piece in _through(stages[index + 1 :], stage.finish()):
            yield piece


# --- the fetcher -------------------------------------------------------------------------------


# Origins that keep their idle connection open for later requests (the least recently
# used close first beyond this): enough for a run over many sites, few enough descriptors.
IDLE_ORIGINS = 64


class _Released(httpx.AsyncByteStream):
    """A response body that tells its pool's owner when it is closed."""

    def __init__(self, stream: httpx.AsyncByteStream, done: Callable[[], Awaitable[None]]):
        self._stream, self._done = stream, done
        self._released = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._stream:
            yield chunk

    async def aclose(self) -> None:
        try:
            await self._stream.aclose()
        finally:
            if not self._released:  # told once, however often it is closed
                self._released = True
                await self._done()


class _OriginPools(httpx.AsyncBaseTransport):
    """A small connection pool per origin (one idle connection each), behind one client.

    httpx's single pool re-examines every connection it holds whenever a request starts or
    ends (checking each idle socket with a system call, and counting idle connections once
    per connection): over a run's dozens of sites that costs more CPU than the requests
    themselves. The Fetcher asks one host one thing at a time, so an origin's pool holds
    one connection and each request looks at that one alone. At most ``idle_origins``
    pools are kept; beyond that the least recently used idle ones are closed.
    """

    def __init__(self, idle_origins: int, backend: GuardedBackend) -> None:
        self._idle_origins = idle_origins
        self._backend = backend
        self._ssl = httpx.create_ssl_context()  # loaded once, shared by every pool
        self._pools: OrderedDict[str, httpx.AsyncHTTPTransport] = OrderedDict()  # by origin
        self._busy: Counter[str] = Counter()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        key = _origin(request.url)
        pool = self._pools.get(key)
        if pool is None:
            pool = self._pools[key] = _guarded_transport(self._ssl, self._backend)
        self._pools.move_to_end(key)
        self._busy[key] += 1

        async def done() -> None:
            self._busy[key] -= 1
            await self._trim()

        try:
            response = await pool.handle_async_request(request)
        except BaseException:
            await done()
            raise
        assert isinstance(response.stream, httpx.AsyncByteStream)
        response.stream = _Released(response.stream, done)
        return response

    async def _trim(self) -> None:
        closing = []
        for key in list(self._pools):  # least recently used first
            if len(self._pools) <= self._idle_origins:
                break
            if self._busy[key] <= 0:
                del self._busy[key]
                closing.append(self._pools.pop(key))  # before any await: trims overlap
        await _close(closing)

    async def aclose(self) -> None:
        pools, self._pools = list(self._pools.values()), OrderedDict()
        await _close(pools)


def _guarded_transport(
    ssl_context: ssl.SSLContext, backend: GuardedBackend
) -> httpx.AsyncHTTPTransport:
    """httpx's transport for one origin (one idle connection), connecting through the guard.

    httpx builds its httpcore pool itself and lets no network backend be passed in, so the
    pool is replaced by the same one with the guarded backend: every connection, whatever
    the URL that asked for it, goes through ``GuardedBackend.connect_tcp``.
    """
    limits = httpx.Limits(max_keepalive_connections=1)
    transport = httpx.AsyncHTTPTransport(verify=ssl_context, limits=limits)
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=ssl_context,
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry,
        network_backend=backend,
    )
    return transport


def _proxied() -> bool:
    """Whether the environment sends requests through a proxy, as httpx reads it: an
    http, https or all proxy set, and NO_PROXY not ``*``. NO_PROXY alone (often set to
    ``*`` or to local names) names no proxy."""
    found = getproxies()
    if "*" in (host.strip() for host in found.get("no", "").split(",")):
        return False
    return any(found.get(scheme) for scheme in ("http", "https", "all"))


async def _close(pools: Iterable[httpx.AsyncHTTPTransport]) -> None:
    """Close each pool; one whose connection fails to close costs nothing, and stops no other."""
    for pool in pools:
        try:
            await pool.aclose()
        except Exception as exc:
            log.debug("closing a connection failed: %r", exc)


def source_urls(config: Config) -> tuple[str, ...]:
    """The configured sources' URLs, for ``Fetcher(allow=...)``: only ``sources.yaml``
    decides which internal hosts a run may fetch."""
    return tuple(source.url for source in config.sources)


class Fetcher:
    """One HTTP client for a whole run, polite to every host. Use as ``async with``."""

    def __init__(
        self,
        options: FetchOptions,
        *,
        robots: bool | None = None,
        robots_cache: RobotsCache | None = None,
        allow: Iterable[str] = (),
    ) -> None:
        """``allow``: more hosts that may be internal, as URLs or ``host[:port]`` (the run
        passes its sources' URLs); ``options.allow_hosts`` are allowed too."""
        self.options = options
        self.robots = options.respect_robots if robots is None else robots
        self.robots_cache = robots_cache if robots_cache is not None else RobotsCache()
        self.allowance = Allowance.of((*options.allow_hosts, *allow))
        self._client: httpx.AsyncClient | None = None
        self._slots = asyncio.Semaphore(max(1, options.concurrency))
        self._hosts: dict[str, _Host] = {}
        self._rules: dict[str, Protego | None] = {}
        self._rules_locks: dict[str, asyncio.Lock] = {}

    async def __aenter__(self) -> Fetcher:
        # Behind a proxy configured in the environment every request goes to the proxy,
        # through httpx's own pool; otherwise, a pool per origin. The proxy resolves names
        # and connects itself, so there the guard can only look each name up before the
        # request leaves; without one it checks every connection as it is made.
        transport: _OriginPools | None = None
        on_request: list[Callable[[httpx.Request], Awaitable[None]]] = [self._check_name]
        if not _proxied():
            transport = _OriginPools(IDLE_ORIGINS, GuardedBackend(self.allowance))
            on_request = []
        self._client = httpx.AsyncClient(
            headers={"User-Agent": self.options.user_agent, "Accept-Encoding": ACCEPT_ENCODING},
            follow_redirects=False,
            timeout=httpx.Timeout(self.options.timeout),
            transport=transport,
            event_hooks={
                "request": on_request,
                "response": [_refuse_bad_redirect, self._drop_unsendable_cookies],
            },
        )
        return self

    async def _drop_unsendable_cookies(self, response: httpx.Response) -> None:
        """Forget cookies this answer set that could never be sent back (a name or value
        outside printable ASCII): kept in the jar, they would make every later request to
        that host fail, for every source on it."""
        self._drop_unsendable_cookies_now()

    def _drop_unsendable_cookies_now(self) -> None:
        assert self._client is not None  # only while the client is open
        jar = self._client.cookies.jar
        for cookie in list(jar):
            text = f"{cookie.name}={cookie.value or ''}"
            if not (text.isascii() and text.isprintable()):
                jar.clear(cookie.domain, cookie.path, cookie.name)

    async def _check_name(self, request: httpx.Request) -> None:
        port = request.url.port or (443 if request.url.scheme == "https" else 80)
        await check_name(request.url.raw_host.decode("ascii"), port, self.allowance)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def fetch(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult:
        """GET ``url`` (conditionally when validators are given); never raises for HTTP trouble."""
        started = time.monotonic()
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        outcome, final_url = await self._follow(url.strip(), headers, check_robots=self.robots)
        elapsed = time.monotonic() - started
        return _result(url, final_url, outcome, elapsed, etag, last_modified)

    # --- redirects and robots.txt --------------------------------------------------------------

    async def _follow(
        self, url: str, headers: dict[str, str], *, check_robots: bool, retries: int | None = None
    ) -> tuple[_Outcome, str]:
        """Follow redirects by hand; the last outcome and the URL that gave it."""
        current, seen = url, {(urldefrag(url).url, self._cookie_state())}
        limit = max(0, self.options.max_redirects)
        for hop in range(limit + 1):
            parsed = _parse_url(current)
            if isinstance(parsed, str):
                return _Failure(parsed), current
            if check_robots and not await self._allowed(parsed, current):
                return _Failure("disallowed by robots.txt"), current
            outcome = await self._with_retries(parsed, headers, retries)
            if isinstance(outcome, _Failure) or outcome.status not in REDIRECTS:
                return outcome, current
            target = _redirect_target(current, outcome)
            if isinstance(target, _Failure):
                return target, current
            # Coming back with a cookie the last answer set (a consent or session wall)
            # is progress, not a loop.
            state = (target, self._cookie_state())
            if state in seen:
                return _Failure(f"redirect loop back to {target}", status=outcome.status), current
            if hop == limit:
                reason = f"too many redirects (more than {limit})"
                return _Failure(reason, status=outcome.status), current
            seen.add(state)
            current = target
        raise AssertionError("unreachable")  # pragma: no cover

    def _cookie_state(self) -> frozenset[tuple[str, str, str]]:
        if self._client is None:
            return frozenset()
        return frozenset((c.domain, c.name, c.value or "") for c in self._client.cookies.jar)

    async def _allowed(self, parsed: httpx.URL, url: str) -> bool:
        origin = _origin(parsed)
        lock = self._rules_locks.setdefault(origin, asyncio.Lock())
        async with lock:  # concurrent fetches to one origin wait for one robots.txt
            if origin not in self._rules:
                self._rules[origin] = await self._load_rules(origin)
                host = self._host(parsed)
                host.asked_delay = self._asked_delay(self._rules[origin])
                host.crawl_delay = min(host.asked_delay, self.options.max_crawl_delay)
                host.next_start = max(host.next_start, time.monotonic() + host.crawl_delay)
        rules = self._rules[origin]
        return rules is None or rules.can_fetch(url, self.options.user_agent)

    def _asked_delay(self, rules: Protego | None) -> float:
        """The robots.txt Crawl-delay, 0 when none can be read (capped by the caller)."""
        try:
            asked = rules.crawl_delay(self.options.user_agent) if rules else None
            asked = None if asked is None else float(asked)
        except (TypeError, ValueError, OverflowError):
            return 0.0
        if asked is None or math.isnan(asked):
            return 0.0
        return max(0.0, asked)

    def capped_crawl_delay(self, url: str) -> float | None:
        """The Crawl-delay a host's robots.txt asked for, when it was cut to
        ``max_crawl_delay`` so that one site cannot stall a run; else None."""
        parsed = _parse_url(url)
        if isinstance(parsed, str):
            return None
        host = self._hosts.get(_host_key(parsed))
        if host is None or host.asked_delay <= self.options.max_crawl_delay:
            return None
        return host.asked_delay

    async def _load_rules(self, origin: str) -> Protego | None:
        """The origin's robots.txt rules; None (everything allowed) when it has none to give."""
        known = self.robots_cache.get(origin)
        if known is None or not self.robots_cache.fresh(known):
            known = await self._ask_robots(origin, known)
        if known is None or not known.body:
            return None  # missing, broken or unreachable robots.txt: nothing is forbidden
        try:
            return Protego.parse(known.body)
        except Exception:  # a robots.txt nobody can read must not stop the run
            return None

    async def _ask_robots(self, origin: str, known: RobotsFile | None) -> RobotsFile | None:
        """Fetch robots.txt, conditionally when a copy is known; the cache decides what holds."""
        headers = known.validators() if known else {}
        url = f"{origin}/robots.txt"
        outcome, _ = await self._follow(url, headers, check_robots=False, retries=0)
        if isinstance(outcome, _Failure):  # no usable answer (even a too-large one)
            return self.robots_cache.answer(origin, known, None, {}, b"")
        return self.robots_cache.answer(
            origin, known, outcome.status, outcome.headers, outcome.content
        )

    # --- retries -------------------------------------------------------------------------------

    async def _with_retries(
        self, url: httpx.URL, headers: dict[str, str], retries: int | None
    ) -> _Outcome:
        attempts = 1 + max(0, self.options.retries if retries is None else retries)
        for attempt in range(attempts):
            outcome = await self._attempt(url, headers)
            delay = self._retry_delay(url, outcome, attempt)
            if isinstance(delay, _Failure):
                return delay
            if delay is None or attempt == attempts - 1:
                return _counted(outcome, attempt + 1)
            await asyncio.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    def _retry_delay(
        self, url: httpx.URL, outcome: _Outcome, attempt: int
    ) -> float | _Failure | None:
        """Seconds to wait before trying again, None to stop, or a failure that ends it all."""
        backoff = self.options.backoff * 2.0**attempt
        if isinstance(outcome, _Failure):
            return backoff if outcome.transient else None
        if outcome.status in (429, 503):
            wait = retry_after_seconds(outcome.headers.get("retry-after"))
            if wait is not None:
                if wait > self.options.max_retry_after:
                    limit = _seconds(self.options.max_retry_after)
                    reason = f"(Retry-After {_seconds(wait)} s exceeds the {limit} s limit)"
                    return _Failure(
                        f"{_status_reason(outcome.status)} {reason}",
                        status=outcome.status,
                        headers=outcome.headers,  # its Retry-After is kept for scheduling
                    )
                self._host(url).next_start = max(
                    self._host(url).next_start, time.monotonic() + wait
                )  # every request to this host honours it, not just this one
                return max(wait, backoff)  # "Retry-After: 0" is no reason to hammer
        if outcome.status == 429 or outcome.status >= 500:
            return backoff
        return None

    def _host(self, url: httpx.URL) -> _Host:
        return self._hosts.setdefault(_host_key(url), _Host())

    # --- one attempt ---------------------------------------------------------------------------

    async def _attempt(self, url: httpx.URL, headers: dict[str, str]) -> _Outcome:
        """Wait for the host's turn and a global slot, then exchange once."""
        host = self._host(url)
        async with host.lock:
            wait = host.next_start - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            try:
                async with self._slots:
                    return await self._exchange(url, headers)
            finally:
                delay = max(self.options.per_host_delay, host.crawl_delay)
                host.next_start = max(host.next_start, time.monotonic() + delay)

    async def _exchange(self, url: httpx.URL, headers: dict[str, str]) -> _Outcome:
        """One request under a total deadline: connection to last byte."""
        timeout = self.options.timeout
        try:
            async with asyncio.timeout(timeout):
                return await self._send(url, headers)
        except _Refused as exc:
            return exc.failure
        except AddressRefused as exc:
            return _Failure(str(exc))
        except (TimeoutError, httpx.TimeoutException):
            return _Failure(f"timed out after {_seconds(timeout)} s", transient=True)
        except httpx.ConnectError as exc:
            return _Failure(_connect_reason(exc), transient=True)
        except (httpx.DecodingError, zlib.error):
            return _Failure("the compressed body is corrupt")
        except httpx.UnsupportedProtocol:
            return _Failure("unsupported scheme")
        except httpx.HTTPError as exc:
            return _Failure(_transport_reason(exc), transient=True)
        except (httpx.InvalidURL, UnicodeError, ValueError) as exc:
            return _Failure(f"invalid request: {exc}")
        except OSError as exc:
            return _Failure(f"network error: {exc.strerror or exc}", transient=True)

    async def _send(self, url: httpx.URL, headers: dict[str, str]) -> _Outcome:
        if self._client is None:
            raise RuntimeError("use the Fetcher inside 'async with Fetcher(options)'")
        self._drop_unsendable_cookies_now()  # an answer that raised skipped the hook
        request = self._client.build_request("GET", url, headers=headers)
        response = await self._client.send(request, stream=True)
        try:
            head = {name.lower(): value for name, value in response.headers.items()}
            if not 200 <= response.status_code < 300:
                return _Reply(response.status_code, head)  # error pages and redirects: no body
            body = await self._read_body(response)
            if isinstance(body, _Failure):
                return body
            return _Reply(response.status_code, head, body)
        finally:
            await response.aclose()

    async def _read_body(self, response: httpx.Response) -> bytes | _Failure:
        """The decoded body, or a failure as soon as it grows past ``max_bytes``."""
        cap = self.options.max_bytes
        too_large = _Failure(f"response larger than {_size(cap)}", status=response.status_code)
        declared = _digits(response.headers.get("content-length", ""))
        if declared is not None and declared > cap:
            return too_large  # refused before a byte of the body is read
        encodings = _encodings(response.headers.get("content-encoding", ""))
        problem = _coding_problem(encodings)
        if problem:
            return _Failure(problem, status=response.status_code)
        stream = _decoded(response, encodings)
        parts: list[bytes] = []
        total = 0
        async with contextlib.aclosing(stream):
            async for piece in stream:
                total += len(piece)
                if total > cap:
                    return too_large
                parts.append(piece)
        return b"".join(parts)


def _counted(outcome: _Outcome, attempts: int) -> _Outcome:
    """Say how many attempts a failure took, when it took more than one."""
    if attempts == 1 or (isinstance(outcome, _Reply) and outcome.status < 400):
        return outcome
    if isinstance(outcome, _Reply):
        return _Failure(f"{_status_reason(outcome.status)} after {attempts} attempts",
                        status=outcome.status, headers=outcome.headers)  # fmt: skip
    return _Failure(f"{outcome.reason} ({attempts} attempts)", outcome.transient, outcome.status,
                    outcome.headers)  # fmt: skip


def _result(
    url: str,
    final_url: str,
    outcome: _Outcome,
    elapsed: float,
    etag: str | None,
    last_modified: str | None,
) -> FetchResult:
    """Turn the last outcome into the public value type."""
    if isinstance(outcome, _Failure):
        return FetchResult(url, final_url, outcome.status, outcome.headers, error=outcome.reason,
                           elapsed=elapsed)  # fmt: skip
    status, headers = outcome.status, outcome.headers
    if status == 304:  # a 304 may omit the validators: the ones sent are still good
        etag = headers.get("etag") or etag
        last_modified = headers.get("last-modified") or last_modified
        return FetchResult(url, final_url, status, headers, not_modified=True, elapsed=elapsed,
                           etag=etag, last_modified=last_modified)  # fmt: skip
    if not 200 <= status < 300:
        return FetchResult(url, final_url, status, headers, error=_status_reason(status),
                           elapsed=elapsed)  # fmt: skip
    etag, last_modified = headers.get("etag"), headers.get("last-modified")
    return FetchResult(url, final_url, status, headers, outcome.content, elapsed=elapsed,
                       etag=etag, last_modified=last_modified)  # fmt: skip
