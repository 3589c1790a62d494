"""Alerts: decided once per incident change, queued in SQLite, sent through Apprise to a real
local SMTP server (aiosmtpd) and a real local webhook; none lost by a kill, none doubled."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Awaitable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from click.testing import CliRunner
from httpfixtures import LocalServer, Reply, refusing_port

from aggregator import notify
from aggregator.cli import cli
from aggregator.config import load_config_text
from aggregator.errors import ConfigError
from aggregator.models import Incident, NotifyTarget
from aggregator.store import Store

NOW = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)


class _Controller(Controller):
    """aiosmtpd's threaded server, on a socket bound beforehand (port 0: the system's
    choice, held from then on). Given a port number instead, found free and released,
    it could find the port taken by another process, such as a test running in parallel."""

    def __init__(self, handler: object, sock: socket.socket) -> None:
        super().__init__(handler, hostname="127.0.0.1", port=sock.getsockname()[1])
        self.sock = sock

    def _create_server(self) -> Awaitable[asyncio.AbstractServer]:
        return self.loop.create_server(self._factory_invoker, sock=self.sock)


class Mailbox:
    """A real SMTP server on 127.0.0.1 keeping every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        sock = socket.create_server(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        self._controller = _Controller(self, sock)

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))  # type: ignore[attr-defined]
        return "250 OK"

    def url(self) -> str:
        return f"mailto://127.0.0.1:{self.port}?from=veille@example.org&to=officine@example.org&secure=no"

    def texts(self) -> list[str]:
        out = []
        for message in self.messages:
            for part in message.walk():
                if part.get_content_type() == "text/plain":
                    out.append(part.get_content())  # type: ignore[attr-defined]
        return out


class Webhook:
    """A real HTTP endpoint on 127.0.0.1 keeping the JSON bodies posted to it. While
    ``hang`` is set it reads the request and never answers (a stuck endpoint)."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, object]] = []
        self.hang = threading.Event()
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length) or b"{}")
                if hook.hang.is_set():
                    time.sleep(30)
                    return
                hook.bodies.append(body)
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def url(self) -> str:
        return f"json://127.0.0.1:{self._server.server_address[1]}/hook"

    def __enter__(self) -> Webhook:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox()
    box._controller.start()
    try:
        yield box
    finally:
        box._controller.stop()


@pytest.fixture
def webhook() -> Iterator[Webhook]:
    with Webhook() as hook:
        yield hook


@pytest.fixture
def dead_port() -> Iterator[int]:
    """A port of 127.0.0.1 that refuses connections, held for the whole test."""
    with refusing_port() as sock:
        yield sock.getsockname()[1]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "a.db") as s:
        yield s


def incident(**changes: object) -> Incident:
    base = Incident(
        id="viamedis-2026-12-06",
        title="Cyberattaque chez Viamedis",
        payers=("viamedis",),
        kinds=("cyberattack", "outage"),
        status="ongoing",
        started=NOW - timedelta(hours=3),
        updated=NOW - timedelta(hours=1),
        resolved=None,
        items=("a",),
        actions=("changer le mot de passe de la messagerie",),
        contacts=("0805 62 00 10",),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


NAMES = {
    "viamedis": "Viamedis",
    "almerys": "Almerys",
    "cyberattack": "cyberattaque",
    "outage": "panne",
}


def deliver(store: Store, incidents: list[Incident], targets: list[NotifyTarget]) -> int:
    queued = notify.queue_changes(
        store, incidents, targets, lambda s: NAMES.get(s, s), "https://veille.example/", NOW
    )
    notify.send_pending(store, targets, NOW)
    return queued


def test_one_alert_per_change_by_mail_and_webhook(
    store: Store, mailbox: Mailbox, webhook: Webhook
) -> None:
    targets = [NotifyTarget(mailbox.url()), NotifyTarget(webhook.url())]
    deliver(store, [incident()], targets)
    assert len(mailbox.messages) == 1 and len(webhook.bodies) == 1
    subject = str(mailbox.messages[0]["Subject"])
    text = mailbox.texts()[0]
    assert "Nouvel incident" in subject and "Viamedis" in subject
    assert "en cours" in text and "cyberattaque" in text
    assert "changer le mot de passe" in text and "0805 62 00 10" in text
    assert "https://veille.example/incidents/viamedis-2026-12-06.html" in text
    # a mail header may keep or fold the no-break space: compare the words
    assert str(webhook.bodies[0]["title"]).split() == subject.split()
    assert "0805 62 00 10" in str(webhook.bodies[0]["message"])

    deliver(store, [incident()], targets)  # nothing changed: nothing sent
    assert len(mailbox.messages) == 1 and len(webhook.bodies) == 1

    added = incident(actions=(*incident().actions, "prévenir sa banque"))
    deliver(store, [added], targets)  # a new action: one alert each
    assert len(mailbox.messages) == 2 and len(webhook.bodies) == 2
    assert "prévenir sa banque (nouveau)" in mailbox.texts()[1]

    done = replace(added, status="resolved", resolved=NOW)
    deliver(store, [done], targets)
    assert len(mailbox.messages) == 3
    assert "Incident résolu" in str(mailbox.messages[2]["Subject"])
    deliver(store, [done], targets)
    assert len(mailbox.messages) == 3 and len(webhook.bodies) == 3


def test_filters_by_payer_and_kind(store: Store, webhook: Webhook, mailbox: Mailbox) -> None:
    targets = [
        NotifyTarget(webhook.url(), payers=("almerys",)),
        NotifyTarget(mailbox.url(), kinds=("outage",)),
    ]
    deliver(
        store,
        [
            incident(),
            incident(
                id="almerys-x", title="Faux courriels", payers=("almerys",), kinds=("phishing",)
            ),
        ],
        targets,
    )
    assert len(webhook.bodies) == 1 and "Almerys" in str(webhook.bodies[0]["title"])
    assert len(mailbox.messages) == 1 and "Viamedis" in str(mailbox.messages[0]["Subject"])


def test_old_news_is_recorded_without_an_alert(store: Store, webhook: Webhook) -> None:
    old = incident(updated=NOW - timedelta(days=30), started=NOW - timedelta(days=31))
    assert deliver(store, [old], [NotifyTarget(webhook.url())]) == 0
    assert webhook.bodies == []
    fresh = incident(status="resolved", resolved=NOW, updated=NOW)
    deliver(store, [fresh], [NotifyTarget(webhook.url())])
    assert len(webhook.bodies) == 1 and "résolu" in str(webhook.bodies[0]["title"])


def test_a_failed_send_is_retried_then_never_doubled(store: Store, tmp_path: Path) -> None:
    bodies: list[bytes] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            bodies.append(self.rfile.read(int(self.headers["Content-Length"])))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    with refusing_port() as held:  # nothing listens here yet
        target = NotifyTarget(f"json://127.0.0.1:{held.getsockname()[1]}/hook")
        notify.queue_changes(store, [incident()], [target], str, "https://v.example/", NOW)
        report = notify.send_pending(store, [target], NOW)
        assert report.failed == 1 and report.sent == 0 and report.errors
        status = notify.outbox_status(store)
        assert status.pending == 1 and status.last_error
        # the endpoint comes up on that port (held since): the queued alert goes, once
        server = ThreadingHTTPServer(held.getsockname(), Handler, bind_and_activate=False)
        server.socket.close()
        server.socket = held
        server.server_activate()  # listen()
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            assert notify.send_pending(store, [target], NOW).sent == 1
            assert notify.send_pending(store, [target], NOW).sent == 0
            notify.queue_changes(store, [incident()], [target], str, "https://v.example/", NOW)
            assert notify.send_pending(store, [target], NOW).sent == 0
        finally:
            server.shutdown()
            server.server_close()
    assert len(bodies) == 1
    assert notify.outbox_status(store).pending == 0


def test_notify_config_is_validated() -> None:
    base = "sources:\n  - {id: a, name: A, type: feed, url: https://a.fr/feed}\n"
    config = load_config_text(
        base + "notify:\n  - url: ntfy://ntfy.sh/veille\n    payers: [viamedis]\n"
    )
    assert config.notify == (NotifyTarget("ntfy://ntfy.sh/veille", ("viamedis",), ()),)
    for bad, key in [
        ("notify:\n  - url: nowhere\n", "notify[0].url"),
        ("notify:\n  - url: json://h/x\n    payer: [viamedis]\n", "notify[0].payer"),
        ("notify:\n  - url: json://h/x\n    kinds: viamedis\n", "notify[0].kinds"),
        ("notify: {url: json://h}\n", "notify"),
    ]:
        with pytest.raises(ConfigError) as error:
            load_config_text(base + bad)
        assert key in str(error.value)


def test_notify_test_command_reaches_every_target(
    tmp_path: Path, mailbox: Mailbox, webhook: Webhook, dead_port: int
) -> None:
    dead = f"json://127.0.0.1:{dead_port}/hook"
    config = tmp_path / "sources.yaml"
    config.write_text(
        "sources:\n  - {id: a, name: A, type: feed, url: https://a.example/feed}\n"
        f"notify:\n  - url: '{mailbox.url()}'\n  - url: '{webhook.url()}'\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["notify", "--test", "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert len(mailbox.messages) == 1 and len(webhook.bodies) == 1
    assert "test" in str(mailbox.messages[0]["Subject"])
    config.write_text(config.read_text() + f"  - url: '{dead}'\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["notify", "--test", "--config", str(config)])
    assert result.exit_code == 1
    assert "ÉCHEC" in result.output and len(webhook.bodies) == 2


def _feed(now: datetime) -> bytes:
    date = now.strftime("%a, %d %b %Y %H:%M:%S +0000")
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Officine</title><link>http://example.org/</link>
<description>d</description>
<item><title>Viamedis victime d'une cyberattaque, le portail hors service</title>
<link>http://example.org/viamedis-cyberattaque</link><guid>viamedis-1</guid>
<pubDate>{date}</pubDate>
<description>L'opérateur de tiers payant Viamedis a été victime d'une cyberattaque ce matin ;
son portail de vérification des droits est hors service. Les syndicats conseillent de changer
le mot de passe de la messagerie liée au compte Viamedis. Numéro vert : 0805 62 00 10.</description>
</item></channel></rss>""".encode()


@pytest.mark.slow
def test_a_killed_run_loses_no_alert_and_sends_none_twice(tmp_path: Path) -> None:
    """The run decides (queues) the alert, then is killed -9 while the endpoint hangs on the
    send: the next run sends it, the one after sends nothing more."""
    with LocalServer() as site, Webhook() as hook:
        site.route(
            "/feed.xml",
            Reply(body=_feed(datetime.now(UTC)), headers={"Content-Type": "application/rss+xml"}),
        )
        config = tmp_path / "sources.yaml"
        config.write_text(
            "fetch: {respect_robots: false, retries: 0}\n"
            f"sources:\n  - {{id: officine, name: Officine, type: feed, url: '{site.url('/feed.xml')}'}}\n"
            f"notify:\n  - url: '{hook.url()}'\n",
            encoding="utf-8",
        )
        args = [
            sys.executable,
            "-m",
            "aggregator",
            "run",
            "--config",
            str(config),
            "--db",
            str(tmp_path / "a.db"),
            "--output",
            str(tmp_path / "out"),
        ]
        env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])}
        hook.hang.set()
        process = subprocess.Popen(args, env=env, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None:
            with Store(tmp_path / "a.db") as peek:
                try:
                    if notify.outbox_status(peek).pending:
                        break
                except Exception:
                    pass
            time.sleep(0.05)
        time.sleep(0.5)  # the send is under way, stuck on the endpoint
        assert process.poll() is None, process.stderr.read() if process.stderr else ""
        process.send_signal(signal.SIGKILL)
        process.wait()
        assert hook.bodies == []
        hook.hang.clear()
        for _ in range(2):
            done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=120)
            assert done.returncode == 0, done.stderr
        assert len(hook.bodies) == 1
        assert "Viamedis" in str(hook.bodies[0]["title"])
        assert "0805 62 00 10" in str(hook.bodies[0]["message"])


def test_status_reports_alerts_that_could_not_be_sent(tmp_path: Path, dead_port: int) -> None:
    dead = f"json://127.0.0.1:{dead_port}/hook"
    config = tmp_path / "sources.yaml"
    config.write_text(
        "sources:\n  - {id: a, name: A, type: feed, url: https://a.example/feed}\n"
        f"notify:\n  - url: '{dead}'\n",
        encoding="utf-8",
    )
    with Store(tmp_path / "a.db") as store:
        target = NotifyTarget(dead)
        notify.queue_changes(store, [incident()], [target], str, "https://v.example/", NOW)
        notify.send_pending(store, [target], NOW)
    args = ["status", "--config", str(config), "--db", str(tmp_path / "a.db")]
    result = CliRunner().invoke(cli, [*args, "--json"])
    assert result.exit_code == 0, result.output
    alerts = json.loads(result.output)["alerts"]
    assert alerts["pending"] == 1 and alerts["last_error"]
    assert "alerts: 1 waiting" in CliRunner().invoke(cli, args).output
