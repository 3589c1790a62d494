"""Small real HTTP servers on 127.0.0.1 for tests: scripted replies, and a byte-dripping one.

``LocalServer`` answers each path from a script and records every hit with its timing, so a
test can count retries, read the headers a client sent, or check that two requests overlap.
``DripServer`` is a raw socket that sends a fixed head and then one byte at a time, forever;
``SocketServer`` is its lifecycle, which rawserver.py's ``RawServer`` shares.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Self


@dataclass(frozen=True)
class Reply:
    """One scripted answer."""

    status: int = 200
    body: bytes | Iterable[bytes] = b""  # an iterable is sent chunk by chunk
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering
    length: bool = True  # send Content-Length (else the body ends when the connection closes)


@dataclass(frozen=True)
class Hit:
    """One request the server saw, with server-side monotonic times."""

    path: str
    headers: dict[str, str]  # lower-case names
    start: float
    end: float


Handler = Callable[[dict[str, str]], Reply]


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # clients hanging up early is what these tests provoke


class LocalServer:
    """A threaded HTTP server; each path plays its replies in order, the last one repeating."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self._hits: list[Hit] = []
        self._in_flight = 0
        self._routes: dict[str, list[Reply] | Handler] = {}
        self._lock = threading.Lock()
        self._server = _QuietServer((host, 0), self._handler_class())
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def __enter__(self) -> LocalServer:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self._server.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def route(self, path: str, *replies: Reply, handler: Handler | None = None) -> str:
        """Script a path; returns its URL."""
        self._routes[path] = handler if handler is not None else list(replies)
        return self.url(path)

    @property
    def hits(self) -> list[Hit]:
        """Every request so far, once those being answered are done (up to 5 s)."""
        deadline = time.monotonic() + 5
        while self._in_flight and time.monotonic() < deadline:
            time.sleep(0.01)  # a client may finish reading before the handler returns
        with self._lock:
            return list(self._hits)

    def hits_of(self, path: str) -> list[Hit]:
        return [hit for hit in self.hits if hit.path == path]

    def _next_reply(self, path: str, headers: dict[str, str]) -> Reply:
        with self._lock:
            self._in_flight += 1
            script = self._routes.get(path)
            if script is None:
                return Reply(404, b"not here")
            if callable(script):
                return script(headers)
            return script.pop(0) if len(script) > 1 else script[0]

    def _record(self, hit: Hit) -> None:
        with self._lock:
            self._hits.append(hit)
            self._in_flight -= 1

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def do_GET(self) -> None:
                start = time.monotonic()
                headers = {name.lower(): value for name, value in self.headers.items()}
                reply = server._next_reply(self.path, headers)
                try:
                    self._answer(reply)
                finally:
                    server._record(Hit(self.path, headers, start, time.monotonic()))

            def _answer(self, reply: Reply) -> None:
                time.sleep(reply.delay)
                chunks = [reply.body] if isinstance(reply.body, bytes) else reply.body
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                if reply.length and isinstance(reply.body, bytes):
                    self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                for chunk in chunks:
                    self.wfile.write(chunk)

            def log_message(self, format: str, *args: object) -> None:
                pass

        return _Handler


class SocketServer:
    """A bare listening socket on 127.0.0.1, whose every connection is handed to ``_handle``
    in a thread of its own while the context lasts: the lifecycle of the servers that write
    their answers themselves, byte by byte (``DripServer`` here, ``RawServer`` in
    rawserver.py), where ``http.server`` would fix the answer's form for them."""

    backlog: int | None = None  # of listen(); None: Python's default

    def __init__(self) -> None:
        self.connections = 0  # accepted so far
        self._stop = threading.Event()
        self._socket = socket.create_server(("127.0.0.1", 0), backlog=self.backlog)
        self._socket.settimeout(0.1)
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self._socket.getsockname()[1]}"

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._socket.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._socket.accept()
            except OSError:  # the 0.1 s timeout (TimeoutError is an OSError): look at _stop
                continue
            self.connections += 1
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        raise NotImplementedError


class DripServer(SocketServer):
    """Sends ``head`` at once, then ``drip`` one byte every ``interval`` seconds until closed."""

    def __init__(self, head: bytes, drip: bytes = b"x", interval: float = 0.5) -> None:
        super().__init__()
        self.head, self.drip, self.interval = head, drip, interval

    @property
    def url(self) -> str:
        return self.base + "/slow"

    def _handle(self, conn: socket.socket) -> None:
        with conn:
            try:
                conn.recv(65536)
                conn.sendall(self.head)
                while not self._stop.wait(self.interval):
                    conn.sendall(self.drip)
            except OSError:
                return  # the client gave up: that is the point


@contextmanager
def refusing_port() -> Iterator[socket.socket]:
    """A port of 127.0.0.1 that refuses every connection while the context lasts: a socket
    bound to it that does not listen (``listen()`` on it makes a server of it, on the same
    port). The port stays held: one bound and released at once could be taken by another
    process before the test is done with it, such as a test running in parallel (xdist)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock


def one_feed_config(url: str, category: str = "press") -> dict[str, object]:
    """A sources.yaml (as data) with one feed source at ``url``, fetched without delay, retry
    or robots.txt: the setting of tests about one run's faults and outputs."""
    return {
        "site": {"title": "T", "base_url": "https://example.org/veille/"},
        "fetch": {
            "timeout": 5,
            "retries": 0,
            "per_host_delay": 0,
            "respect_robots": False,
            "user_agent": "aggregator-test/1 (+https://example.org/)",
        },
        "sources": [
            {"id": "src", "name": "Source", "type": "feed", "category": category, "url": url}
        ],
    }
