"""A raw-socket HTTP server on 127.0.0.1 that sends exactly the bytes it is given.

``http.server`` fixes the status line, adds headers and refuses odd status codes; a fuzzer
needs to send a 1xx before the answer, a status of 099 or 999, a header value in Latin-1
bytes, two Content-Length headers or one that lies. ``RawServer`` reads a request head,
looks its path up in a table of byte strings (an unknown path gets a plain 404) and writes
that answer, then closes the connection. A path without an answer of its own takes the
answer of its longest registered prefix ending in ``/`` (``/art/`` answers ``/art/7``).
"""

from __future__ import annotations

import socket
import threading
from types import TracebackType

NOT_FOUND = b"HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\nConnection: close\r\n\r\nnot found"
HEAD_LIMIT = 64 * 1024


class RawServer:
    """Answers each path with fixed bytes; counts the requests per path."""

    def __init__(self) -> None:
        self.answers: dict[str, bytes] = {}
        self.requests: list[str] = []
        self._lock = threading.Lock()
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(64)
        self._sock.settimeout(0.1)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self._sock.getsockname()[1]}"

    def __enter__(self) -> RawServer:
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
        self._sock.close()

    def answer_for(self, path: str) -> bytes:
        if path in self.answers:
            return self.answers[path]
        prefixes = [p for p in self.answers if p.endswith("/") and path.startswith(p)]
        return self.answers[max(prefixes, key=len)] if prefixes else NOT_FOUND

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except (TimeoutError, OSError):
                continue
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(5)
            try:
                head = b""
                while b"\r\n\r\n" not in head and len(head) < HEAD_LIMIT:
                    chunk = conn.recv(4096)
                    if not chunk:
                        return
                    head += chunk
                parts = head.split(b"\r\n", 1)[0].split(b" ")
                path = parts[1].decode("latin-1") if len(parts) > 1 else "/"
                with self._lock:
                    self.requests.append(path)
                conn.sendall(self.answer_for(path.split("?", 1)[0]))
                conn.shutdown(socket.SHUT_WR)
            except OSError:
                pass  # the client hung up first: what a hostile answer may well cause
