"""A small static web server for the bundled sample sites, and the sources.yaml that reads them.

``aggregator demo`` serves ``demo_data/sites`` on 127.0.0.1 and runs the pipeline on it, so the
whole program can be tried, and tested end to end, without the internet. The server is generic:
point it at any directory (tests and benchmarks do) and it behaves like a polite static host:
strong ETags, Last-Modified, 304 answers, a permissive robots.txt, no directory listings and
nothing outside its root.

Example:
    >>> with DemoServer() as server:  # doctest: +SKIP
    ...     text = demo_config_text(server.base_url)
"""

from __future__ import annotations

import hashlib
import html
import json
import mimetypes
import re
import socket
import sys
import threading
import time
from contextlib import ExitStack, suppress
from dataclasses import dataclass
from email.utils import formatdate, parsedate_to_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import unquote, urlsplit

import jinja2

#: Where ``aggregator demo`` publishes by default tells users to serve ``output/`` from here;
#: the demo feeds' self links point at it.
DEMO_SITE_URL = "http://localhost:8000/"

ROBOTS_ALLOW_ALL = b"User-agent: *\nDisallow:\n"
_SNIFF_BYTES = 2048
_XML_ROOT = re.compile(rb"<([A-Za-z_][\w.:-]*)")
_XML_TYPES = {
    b"rss": "application/rss+xml",
    b"feed": "application/atom+xml",
    b"rdf:RDF": "application/rdf+xml",
    b"opml": "text/x-opml",
}
_FIXED_TYPES = {
    ".html": "text/html",
    ".htm": "text/html",
    ".rss": "application/rss+xml",
    ".atom": "application/atom+xml",
    ".rdf": "application/rdf+xml",
    ".opml": "text/x-opml",
    ".json": "application/json",
    ".txt": "text/plain",
    ".css": "text/css",
    ".js": "text/javascript",
    ".svg": "image/svg+xml",
}
_TEXT_TYPES = {"text/html", "text/plain", "text/css", "text/javascript", "application/json"}
_INDEX_NAMES = ("index.html", "index.xml")


@dataclass(frozen=True)
class ServedRequest:
    """One request the server answered, for tests that check what a client asked for."""

    method: str
    path: str  # as requested, with its query string
    status: int
    user_agent: str | None = None


@dataclass(frozen=True)
class _Resource:
    body: bytes
    content_type: str
    etag: str
    mtime: int  # whole seconds, as Last-Modified carries them


class DemoServer:
    """Serve a directory of static files on 127.0.0.1 at a free port, in a daemon thread.

    ``root`` defaults to the packaged sample sites. ``latency`` delays every answer by that
    many seconds (to test timeouts, locks and concurrency). Use as a context manager;
    ``base_url`` ("http://127.0.0.1:PORT/") is valid inside the ``with`` block, and
    ``requests`` lists what was answered.
    """

    def __init__(self, root: Path | str | None = None, latency: float = 0.0) -> None:
        self._stack = ExitStack()
        self._root_arg = Path(root) if root is not None else None
        self.latency = max(0.0, latency)
        self.requests: list[ServedRequest] = []
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._connections: set[socket.socket] = set()
        self._lock = threading.Lock()
        self.root: Path | None = None
        self.base_url = ""

    def __enter__(self) -> DemoServer:
        root = self._root_arg or self._packaged_root()
        self.root = Path(root).resolve()
        if not self.root.is_dir():
            self._stack.close()
            raise FileNotFoundError(f"demo server root is not a directory: {self.root}")
        handler = type("_BoundHandler", (_Handler,), {"server_state": self})
        self._httpd = _Server(("127.0.0.1", 0), handler)
        port = self._httpd.server_address[1]
        self.base_url = f"http://127.0.0.1:{port}/"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},  # a quick stop, tests start many servers
            name=f"demo-server-{port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # Idempotent: a test may stop the server early, then the fixture stops it again.
        httpd, self._httpd = self._httpd, None
        if httpd is not None:
            httpd.shutdown()
            httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        # A keep-alive connection would otherwise go on being served after the stop.
        with self._lock:
            open_connections, self._connections = list(self._connections), set()
        for conn in open_connections:
            with suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        self._stack.close()

    def _packaged_root(self) -> Path:
        sites = _packaged_sites()
        if isinstance(sites, Path):  # an ordinary install: the files are already on disk
            return sites
        return self._stack.enter_context(resources.as_file(sites))

    def _lookup(self, url_path: str) -> _Resource | str | None:
        """What a path names: a file, a redirect target (str) for a bare directory, or None."""
        assert self.root is not None
        target = _safe_path(self.root, url_path)
        if target is None:
            return None
        if target.is_dir():
            if not url_path.endswith("/"):
                # One leading slash: "//host/dir" must not become a protocol-relative Location.
                return "/" + url_path.lstrip("/") + "/"
            target = next((target / n for n in _INDEX_NAMES if (target / n).is_file()), target)
        if not target.is_file():
            return None
        return _load(target)


def _packaged_sites() -> Any:
    """The sample sites inside the installed package (a Traversable)."""
    return resources.files("aggregator").joinpath("demo_data", "sites")


def _safe_path(root: Path, url_path: str) -> Path | None:
    """The file a URL path names under root, or None when it would leave root or is hidden."""
    decoded = unquote(url_path)
    if "\x00" in decoded or "\\" in decoded:
        return None
    parts = [p for p in decoded.split("/") if p]
    # Hidden names (.git, .env) and parent steps are never served, whatever the encoding.
    if any(p.startswith(".") for p in parts):
        return None
    candidate = root.joinpath(*parts)
    try:
        resolved = candidate.resolve()
    except (OSError, RuntimeError):
        return None
    return resolved if resolved.is_relative_to(root) else None


def _load(path: Path) -> _Resource | None:
    try:
        body = path.read_bytes()
        mtime = int(path.stat().st_mtime)
    except OSError:
        return None
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    return _Resource(body, content_type(path.name, body), etag, mtime)


def content_type(name: str, body: bytes) -> str:
    """The Content-Type for a file: by extension, by sniffing the root of .xml and .json files.

    >>> content_type("feed.xml", b'<?xml version="1.0"?><rss version="2.0"></rss>')
    'application/rss+xml'
    """
    suffix = Path(name).suffix.lower()
    if suffix == ".xml":
        return _sniff_xml(body)
    kind = _FIXED_TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"
    if kind == "application/json" and b"jsonfeed.org/version" in body[:_SNIFF_BYTES]:
        kind = "application/feed+json"
    if kind in _TEXT_TYPES or kind == "application/feed+json":
        # Only claim UTF-8 when it is true: a test page in Latin-1 must keep its own charset.
        try:
            body.decode("utf-8")
        except UnicodeDecodeError:
            return kind
        return kind + "; charset=utf-8"
    return kind


def _sniff_xml(body: bytes) -> str:
    head = body[:_SNIFF_BYTES]
    # Skip the declaration, comments and doctype: the first real element names the format.
    head = re.sub(rb"<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>", b"", head, flags=re.S)
    match = _XML_ROOT.search(head)
    root = match.group(1) if match else b""
    return _XML_TYPES.get(root, "application/xml")


def _not_modified(headers: Any, resource: _Resource) -> bool:
    """RFC 9110 section 13.2.2: If-None-Match wins over If-Modified-Since when both are sent."""
    if_none_match = headers.get("If-None-Match")
    if if_none_match is not None:
        tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
        return "*" in tags or resource.etag in tags
    since = headers.get("If-Modified-Since")
    if since is None:
        return False
    try:
        when = parsedate_to_datetime(since)
    except (TypeError, ValueError, IndexError):
        return False
    if when.tzinfo is None:
        return False
    return resource.mtime <= int(when.timestamp())


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Quiet when the client hung up (a reset or a broken pipe: a keep-alive connection
        cut by the stop, a run killed while fetching), as ``log_message`` is quiet: a server
        thread would print the traceback at any moment, into whatever the process is
        writing then. Any other error is still printed."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    server_state: DemoServer
    protocol_version = "HTTP/1.1"
    server_version = "aggregator-demo/0.1"
    sys_version = ""
    # Headers and body leave in one write and without Nagle: otherwise keep-alive clients
    # wait out a delayed ACK (about 40 ms) on every request.
    disable_nagle_algorithm = True
    wbufsize = 64 * 1024

    def setup(self) -> None:
        super().setup()
        with self.server_state._lock:
            self.server_state._connections.add(self.connection)

    def finish(self) -> None:
        with self.server_state._lock:
            self.server_state._connections.discard(self.connection)
        with suppress(OSError):  # the client may be gone already
            super().finish()

    def do_GET(self) -> None:
        self._answer(with_body=True)

    def do_HEAD(self) -> None:
        self._answer(with_body=False)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: a demo run's stderr belongs to the aggregator."""

    def _answer(self, with_body: bool) -> None:
        state = self.server_state
        if state.latency:
            time.sleep(state.latency)
        path = urlsplit(self.path).path or "/"
        found = state._lookup(path)
        if found is None and path == "/robots.txt":
            found = _Resource(ROBOTS_ALLOW_ALL, "text/plain; charset=utf-8", '"robots"', 0)
        if isinstance(found, str):
            status = self._redirect(found, with_body)
        elif found is None:
            status = self._error(HTTPStatus.NOT_FOUND, with_body)
        else:
            status = self._file(found, with_body)
        agent = self.headers.get("User-Agent")
        state.requests.append(ServedRequest(self.command, self.path, status, agent))

    def _file(self, resource: _Resource, with_body: bool) -> int:
        not_modified = _not_modified(self.headers, resource)
        status = HTTPStatus.NOT_MODIFIED if not_modified else HTTPStatus.OK
        self.send_response(status)
        self.send_header("ETag", resource.etag)
        self.send_header("Last-Modified", formatdate(resource.mtime, usegmt=True))
        if not not_modified:
            self.send_header("Content-Type", resource.content_type)
            self.send_header("Content-Length", str(len(resource.body)))
        self.end_headers()
        if with_body and not not_modified:
            self.wfile.write(resource.body)
        return int(status)

    def _redirect(self, location: str, with_body: bool) -> int:
        query = urlsplit(self.path).query
        return self._error(
            HTTPStatus.MOVED_PERMANENTLY, with_body, location + ("?" + query if query else "")
        )

    def _error(self, status: HTTPStatus, with_body: bool, location: str | None = None) -> int:
        message = f"{int(status)} {status.phrase}"
        body = f"<!doctype html><title>{html.escape(message)}</title><h1>{message}</h1>\n"
        data = body.encode("utf-8")
        self.send_response(status)
        if location:
            self.send_header("Location", location)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if with_body:
            self.wfile.write(data)
        return int(status)


def demo_config_text(base_url: str, site_url: str = DEMO_SITE_URL) -> str:
    """The sources.yaml text that reads the sample sites served at ``base_url``.

    ``site_url`` becomes ``site.base_url``, where the output is meant to be served; the
    default matches ``python -m http.server -d output 8000``.
    """
    if not base_url.endswith("/"):
        base_url += "/"
    template = _packaged_sites().parent.joinpath("sources.yaml.j2").read_text(encoding="utf-8")
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    # YAML double-quoted scalars accept JSON strings, so json.dumps quotes URLs safely.
    return env.from_string(template).render(
        base=json.dumps(base_url)[1:-1], site_url=json.dumps(site_url)
    )
