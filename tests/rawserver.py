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

from httpfixtures import SocketServer

NOT_FOUND = b"HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\nConnection: close\r\n\r\nnot found"
HEAD_LIMIT = 64 * 1024


class RawServer(SocketServer):
    """Answers each path with fixed bytes; counts the requests per path."""

    backlog = 64

    def __init__(self) -> None:
        super().__init__()
        self.answers: dict[str, bytes] = {}
        self.requests: list[str] = []
        self._lock = threading.Lock()

    def answer_for(self, path: str) -> bytes:
        if path in self.answers:
            return self.answers[path]
        prefixes = [p for p in self.answers if p.endswith("/") and path.startswith(p)]
        return self.answers[max(prefixes, key=len)] if prefixes else NOT_FOUND

    def _handle(self, conn: socket.socket) -> None:
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
