"""Serve an in-memory corpus on many loopback addresses, like many small sites.

The aggregator's fetcher takes one request at a time per host, so one local server would
serialise every request; Linux routes the whole of 127.0.0.0/8 to the loopback interface, so
``hosts`` addresses (127.0.0.2, 127.0.0.3, ...) on one port look like that many sites. Only
loopback addresses are ever bound.

Each answer waits ``latency`` seconds first (a distant server), carries a strong ETag and a
Last-Modified date, is gzipped when the client accepts it, and becomes a bodiless 304 when
the request's validators match. ``robots.txt`` allows everything. Counters record what was
asked, so a benchmark can check that a warm run was conditional from end to end.

Example:
    >>> with LoopbackFarm({"/a.xml": b"<rss/>"}, hosts=2, latency=0.0) as farm:  # doctest: +SKIP
    ...     farm.url(1, "/a.xml")
    'http://127.0.0.3:PORT/a.xml'
"""

from __future__ import annotations

import gzip
import hashlib
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

ROBOTS = b"User-agent: *\nDisallow:\n"
FIRST_ADDRESS = 2  # 127.0.0.1 is left to everything else on the machine
MAX_HOSTS = 2000
HOSTS_PER_BLOCK = 250  # addresses used in each 127.0.N.0/24 block (.2 to .251)
PORT_ATTEMPTS = 20


@dataclass(frozen=True)
class Resource:
    body: bytes
    gzipped: bytes
    content_type: str
    etag: str
    mtime: int


@dataclass(frozen=True)
class Tally:
    """What the farm answered since the last reset."""

    requests: int
    conditional: int  # carried If-None-Match or If-Modified-Since
    robots: int
    by_status: dict[int, int]
    bytes_sent: int


def _content_type(path: str) -> str:
    if path.endswith(".html"):
        return "text/html; charset=utf-8"
    return "application/xml; charset=utf-8"


def make_resources(files: Mapping[str, bytes], mtime: int) -> dict[str, Resource]:
    """Precompute validators and gzip once: serving should cost the server nothing."""
    return {
        path: Resource(
            body,
            gzip.compress(body, compresslevel=6, mtime=0),
            _content_type(path),
            '"' + hashlib.sha256(body).hexdigest()[:24] + '"',
            mtime,
        )
        for path, body in files.items()
    }


@contextmanager
def serving(*servers: ThreadingHTTPServer, poll_interval: float = 0.1) -> Iterator[None]:
    """The servers answer while the context lasts, each in a daemon thread (and each request in
    one of its own); then they stop, free their ports, and their threads are waited for."""
    threads = []
    for server in servers:
        server.daemon_threads = True
        thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": poll_interval}, daemon=True
        )
        thread.start()
        threads.append(thread)
    try:
        yield
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()
        for thread in threads:
            thread.join(timeout=5)


class LoopbackFarm:
    """One ThreadingHTTPServer per loopback address, all on one port, in daemon threads."""

    def __init__(
        self, files: Mapping[str, bytes], hosts: int, latency: float, mtime: int = 1_790_000_000
    ) -> None:
        if not 1 <= hosts <= MAX_HOSTS:
            raise ValueError(f"hosts must be between 1 and {MAX_HOSTS}, not {hosts}")
        self.resources = make_resources(files, mtime)
        self.hosts = hosts
        self.latency = max(0.0, latency)
        self.port = 0
        self._servers: list[ThreadingHTTPServer] = []
        self._running = ExitStack()
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()
        self._statuses: Counter[int] = Counter()

    def address(self, host: int) -> str:
        return loopback_address(host % self.hosts)

    def url(self, host: int, path: str) -> str:
        return f"http://{self.address(host)}:{self.port}{path}"

    def __enter__(self) -> LoopbackFarm:
        handler = type("_FarmHandler", (_Handler,), {"farm": self})
        for _ in range(PORT_ATTEMPTS):
            if self._bind_all(handler):
                break
        else:
            raise OSError("could not find one free port on every loopback address")
        self._running.enter_context(serving(*self._servers))
        return self

    def _bind_all(self, handler: type[_Handler]) -> bool:
        """Bind the first address on a free port, then the others on the same one."""
        servers: list[ThreadingHTTPServer] = []
        try:
            first = ThreadingHTTPServer((self.address(0), 0), handler)
            servers.append(first)
            port = first.server_address[1]
            for host in range(1, self.hosts):
                servers.append(ThreadingHTTPServer((self.address(host), port), handler))
        except OSError:
            for server in servers:
                server.server_close()
            return False
        self._servers, self.port = servers, port
        return True

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._running.close()
        self._servers = []

    def count(self, status: int, conditional: bool, robots: bool, sent: int) -> None:
        with self._lock:
            self._counts["requests"] += 1
            self._counts["conditional"] += conditional
            self._counts["robots"] += robots
            self._counts["bytes"] += sent
            self._statuses[status] += 1

    def take_tally(self) -> Tally:
        """The counts since the last call, and start counting afresh."""
        with self._lock:
            tally = Tally(
                self._counts["requests"],
                self._counts["conditional"],
                self._counts["robots"],
                dict(sorted(self._statuses.items())),
                self._counts["bytes"],
            )
            self._counts.clear()
            self._statuses.clear()
        return tally


class _Handler(BaseHTTPRequestHandler):
    farm: LoopbackFarm
    protocol_version = "HTTP/1.1"  # keep-alive, as real servers do
    disable_nagle_algorithm = True
    server_version = "bench-farm/1"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: the benchmark prints its own report."""

    def do_GET(self) -> None:
        farm = self.farm
        if farm.latency:
            time.sleep(farm.latency)
        path = self.path.split("?", 1)[0]
        conditional = "If-None-Match" in self.headers or "If-Modified-Since" in self.headers
        if path == "/robots.txt":
            self._send(200, {"Content-Type": "text/plain"}, ROBOTS)
            farm.count(200, conditional, True, len(ROBOTS))
            return
        resource = farm.resources.get(path)
        if resource is None:
            self._send(404, {"Content-Type": "text/plain"}, b"not found\n")
            farm.count(404, conditional, False, 0)
            return
        headers = {
            "ETag": resource.etag,
            "Last-Modified": formatdate(resource.mtime, usegmt=True),
        }
        if _not_modified(self.headers, resource):
            self._send(304, headers, b"")
            farm.count(304, conditional, False, 0)
            return
        body = resource.body
        if "gzip" in self.headers.get("Accept-Encoding", ""):
            body = resource.gzipped
            headers["Content-Encoding"] = "gzip"
        headers["Content-Type"] = resource.content_type
        self._send(200, headers, body)
        farm.count(200, conditional, False, len(body))

    def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with suppress(OSError):  # a client that hung up is not the benchmark's problem
            self.wfile.write(body)


def _not_modified(headers: Any, resource: Resource) -> bool:
    """If-None-Match decides when present (RFC 9110 13.2.2), else If-Modified-Since."""
    tags = headers.get("If-None-Match")
    if tags is not None:
        return resource.etag in [t.strip().removeprefix("W/") for t in tags.split(",")]
    since = headers.get("If-Modified-Since")
    if since is None:
        return False
    try:
        return resource.mtime <= int(parsedate_to_datetime(since).timestamp())
    except (TypeError, ValueError, IndexError):
        return False


def loopback_address(host: int) -> str:
    """The host-th farm address: 127.0.0.2 and up, then 127.0.1.2 and up, and so on (real
    deployments have one host per source, so the farm can serve that many)."""
    block, index = divmod(host, HOSTS_PER_BLOCK)
    return f"127.0.{block}.{FIRST_ADDRESS + index}"


def loopback_ok(hosts: int) -> bool:
    """Whether this machine lets us bind the addresses the farm needs."""
    for host in {0, 1, hosts - 1}:
        with socket.socket() as probe:
            try:
                probe.bind((loopback_address(host), 0))
            except OSError:
                return False
    return True
