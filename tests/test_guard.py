"""The address guard: no fetch reaches an internal address that sources.yaml does not name.

Every connection the fetcher makes is recorded below (``connects``) and any connection to a
non-loopback address is stopped there, so these tests never send a packet to a private or
link-local network even if the guard failed: they would fail instead. The servers listen on
127.0.0.1; a refusal must come before any connection, and say why in one line.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import socket
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpcore
import pytest
import yaml
from click.testing import CliRunner
from httpfixtures import LocalServer, Reply
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from aggregator.cli import cli
from aggregator.collect.fetch import Fetcher
from aggregator.collect.guard import Allowance, forbidden_kind, parse_host_entry
from aggregator.config import load_config_text
from aggregator.errors import ConfigError
from aggregator.models import FetchOptions, FetchResult

OPTIONS = FetchOptions(timeout=3.0, per_host_delay=0.0, retries=0, respect_robots=False)


@pytest.fixture
def connects(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Addresses the fetcher connected (or tried to connect) to, in order; only loopback
    ones are let through to the real network."""
    seen: list[str] = []
    real = httpcore.AnyIOBackend.connect_tcp

    async def recorded(
        self: httpcore.AnyIOBackend, host: str, port: int, *args: Any, **kwargs: Any
    ) -> httpcore.AsyncNetworkStream:
        seen.append(f"{host}:{port}")
        try:
            loopback = ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = host == "localhost"  # an allowed name, connected to by name
        if not loopback:
            raise httpcore.ConnectError(f"test safety net: no connection to {host}")
        return await real(self, host, port, *args, **kwargs)

    monkeypatch.setattr(httpcore.AnyIOBackend, "connect_tcp", recorded)
    return seen


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with LocalServer() as running:
        yield running


@pytest.fixture
def other() -> Iterator[LocalServer]:
    """A second service on loopback that nobody configured: what an attacker aims at."""
    with LocalServer() as running:
        running.route("/secret", Reply(200, b"SECRET-INTERNAL"))
        yield running


def fetch(url: str, allow: list[str], options: FetchOptions = OPTIONS) -> FetchResult:
    async def once() -> FetchResult:
        async with Fetcher(options, allow=allow) as fetcher:
            return await fetcher.fetch(url)

    return asyncio.run(once())


def port_of(server: LocalServer) -> int:
    return int(server.base.rsplit(":", 1)[1])


# --- which addresses are internal --------------------------------------------------------------

INTERNAL_V4 = {
    "loopback": "127.0.0.0/8",
    "private": "10.0.0.0/8",
    "link-local": "169.254.0.0/16",
    "multicast": "224.0.0.0/4",
    "unspecified": "0.0.0.0/8",
    "shared (carrier-grade NAT)": "100.64.0.0/10",
}
INTERNAL_V6 = {
    "loopback": "::1/128",
    "link-local": "fe80::/10",
    "private": "fc00::/7",
    "multicast": "ff00::/8",
    "unspecified": "::/128",
}


def in_network(network: str) -> st.SearchStrategy[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    net = ipaddress.ip_network(network)
    return st.integers(0, net.num_addresses - 1).map(lambda n: net[n])


internal_v4 = st.one_of(
    *(in_network(net) for net in INTERNAL_V4.values()),
    in_network("172.16.0.0/12"),
    in_network("192.168.0.0/16"),
    in_network("240.0.0.0/4"),
)


def embeddings(v4: ipaddress.IPv4Address) -> list[ipaddress.IPv6Address]:
    """The IPv6 forms that carry an IPv4 address: mapped, compatible, NAT64, 6to4."""
    n = int(v4)
    return [
        ipaddress.IPv6Address((0xFFFF << 32) | n),
        ipaddress.IPv6Address(n),
        ipaddress.IPv6Address((0x64FF9B << 96) | n),
        ipaddress.IPv6Address((0x2002 << 112) | (n << 80) | 1),
    ]


@given(st.sampled_from(sorted(INTERNAL_V4.items() | INTERNAL_V6.items())), st.data())
def test_every_address_of_an_internal_range_is_internal_and_named(
    kind_and_net: tuple[str, str], data: st.DataObject
) -> None:
    kind, network = kind_and_net
    address = data.draw(in_network(network))
    assert forbidden_kind(address) == kind


@given(internal_v4)
@example(ipaddress.IPv4Address("169.254.169.254"))
@example(ipaddress.IPv4Address("127.0.0.1"))
def test_ipv6_forms_that_carry_an_internal_ipv4_address_are_internal(
    v4: ipaddress.IPv4Address,
) -> None:
    kind = forbidden_kind(v4)
    assert kind is not None
    for v6 in embeddings(v4):
        assert forbidden_kind(v6) == kind, v6


@pytest.mark.parametrize("public", ["8.8.8.8", "91.198.174.192", "2a00:1450:4007:80e::200e"])
def test_public_addresses_and_their_nat64_and_6to4_forms_are_public(public: str) -> None:
    address = ipaddress.ip_address(public)
    assert forbidden_kind(address) is None
    if isinstance(address, ipaddress.IPv4Address):
        nat64, sixtofour = embeddings(address)[2:]
        assert forbidden_kind(nat64) is None and forbidden_kind(sixtofour) is None


@pytest.mark.parametrize(
    ("entry", "host", "port"),
    [
        ("intranet.example", "intranet.example", None),
        ("Intranet.Example:8080", "intranet.example", 8080),
        ("[::1]:8000", "::1", 8000),
        ("::1", "::1", None),
        ("https://docs.example/feed", "docs.example", 443),
        ("http://127.0.0.1:8000/x", "127.0.0.1", 8000),
        ("pharmacie-évreux.example", "xn--pharmacie-vreux-knb.example", None),
    ],
)
def test_allowed_host_entries(entry: str, host: str, port: int | None) -> None:
    assert parse_host_entry(entry) == (host, port)


def test_an_allowance_for_one_port_is_for_that_port_alone() -> None:
    allowance = Allowance.of(["http://127.0.0.1:8000/feed", "intranet.example"])
    assert allowance.allows("127.0.0.1", 8000)
    assert not allowance.allows("127.0.0.1", 8001)
    assert allowance.allows("INTRANET.example", 1234)
    assert not allowance.allows("localhost", 8000)


# --- the fetcher, at connection time ---------------------------------------------------------


def test_a_configured_loopback_host_is_fetched(server: LocalServer, connects: list[str]) -> None:
    url = server.route("/feed", Reply(200, b"ok"))
    result = fetch(url, allow=[url])
    assert result.ok and result.content == b"ok"
    assert connects == [f"127.0.0.1:{port_of(server)}"]


def test_loopback_not_configured_is_refused_before_connecting(
    server: LocalServer, connects: list[str]
) -> None:
    url = server.route("/feed", Reply(200, b"ok"))
    result = fetch(url, allow=[])
    assert result.error and result.error.startswith("refused:"), result.error
    assert "loopback" in result.error and "\n" not in result.error
    assert connects == [] and server.hits == []


def test_another_port_of_a_configured_host_is_refused(
    server: LocalServer, other: LocalServer, connects: list[str]
) -> None:
    result = fetch(other.url("/secret"), allow=[server.url("/feed")])
    assert result.error and result.error.startswith("refused:")
    assert other.hits == [] and connects == []


@pytest.mark.parametrize(
    "spelling",
    [
        "localhost",  # a name that resolves to loopback
        "localhost.",
        "127.0.0.2",
        "2130706433",  # 127.0.0.1 as one decimal number
        "0x7f.1",  # hexadecimal, short form
        "127.1",  # short form
        "[::ffff:7f00:1]",  # IPv4-mapped IPv6
        "[::ffff:127.0.0.1]",
        "[::1]",
    ],
)
def test_other_spellings_of_loopback_are_refused(
    spelling: str, server: LocalServer, connects: list[str]
) -> None:
    """Only the configured spelling (127.0.0.1:PORT) is allowed; another name or literal
    reaching the same machine is a different, unconfigured host."""
    url = server.route("/feed", Reply(200, b"ok"))
    result = fetch(f"http://{spelling}:{port_of(server)}/feed", allow=[url])
    if resolves(spelling):
        assert result.error and result.error.startswith("refused:"), result.error
        assert "loopback" in result.error
    else:  # "localhost." is unknown to some resolvers: then there is nothing to refuse
        assert result.error == "host not found"
    assert connects == [] and server.hits == []


def resolves(host: str) -> bool:
    try:
        socket.getaddrinfo(host.strip("[]"), 80)
    except OSError:
        return False
    return True


@pytest.mark.parametrize(
    "target",
    [
        "http://169.254.169.254/latest/meta-data/",  # the cloud metadata service
        "http://[fd00:ec2::254]/latest/meta-data/",  # its IPv6 address
        "http://10.0.0.1/",
        "http://172.16.5.4:8080/",
        "http://192.168.1.1/admin",
        "http://100.64.0.1/",
        "http://[fe80::1]/",
        "http://[fc00::1]/",
        "http://224.0.0.1/",
        "http://0.0.0.0/",
        "http://[::]/",
        "http://[64:ff9b::a9fe:a9fe]/",  # NAT64 form of 169.254.169.254
        "http://[2002:a00:1::1]/",  # 6to4 form of 10.0.0.1
        "http://[::a00:1]/",  # IPv4-compatible form of 10.0.0.1
        "http://[::ffff:a9fe:a9fe]/",  # IPv4-mapped form of 169.254.169.254
    ],
)
def test_internal_addresses_are_refused_without_a_connection(
    target: str, connects: list[str]
) -> None:
    result = fetch(target, allow=["http://127.0.0.1:9/feed"])
    assert result.error and result.error.startswith("refused:"), result.error
    assert "\n" not in result.error
    assert connects == []


def spellings(v4: ipaddress.IPv4Address) -> list[str]:
    """Ways a URL can name one IPv4 address: dotted, one number, hexadecimal, and IPv6."""
    n = int(v4)
    return [
        str(v4),
        str(n),
        f"0x{n:08x}",
        f"[::ffff:{v4}]",
        *(f"[{v6}]" for v6 in embeddings(v4)),
    ]


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=30)
@given(v4=internal_v4, data=st.data())
@example(v4=ipaddress.IPv4Address("169.254.169.254"), data=None)
def test_every_spelling_of_an_internal_address_is_refused_without_a_connection(
    v4: ipaddress.IPv4Address, data: st.DataObject | None, connects: list[str]
) -> None:
    forms = spellings(v4)
    chosen = forms if data is None else [data.draw(st.sampled_from(forms))]
    for host in chosen:
        result = fetch(f"http://{host}:8080/x", allow=["http://127.0.0.1:9/"])
        assert result.error is not None
        assert result.error.startswith(("refused:", "invalid URL")), (host, result.error)
    assert connects == []


def test_a_redirect_to_an_internal_address_is_refused(
    server: LocalServer, other: LocalServer, connects: list[str]
) -> None:
    server.route("/go", Reply(302, headers={"Location": other.url("/secret")}))
    server.route("/meta", Reply(301, headers={"Location": "http://169.254.169.254/latest/"}))
    for path in ("/go", "/meta"):
        result = fetch(server.url(path), allow=[server.url("/feed")])
        assert result.error and result.error.startswith("refused:"), result.error
        assert b"SECRET" not in result.content
    assert other.hits == []
    assert set(connects) == {f"127.0.0.1:{port_of(server)}"}


def test_allow_hosts_lets_an_operator_name_an_internal_host(
    server: LocalServer, connects: list[str]
) -> None:
    server.route("/feed", Reply(200, b"ok"))
    port = port_of(server)
    for entry in ("localhost", f"localhost:{port}"):
        options = FetchOptions(timeout=3.0, per_host_delay=0.0, retries=0, allow_hosts=(entry,))
        result = fetch(f"http://localhost:{port}/feed", [], options)
        assert result.ok and result.content == b"ok", result.error
    wrong_port = FetchOptions(allow_hosts=(f"localhost:{port + 1}",), retries=0)
    assert (fetch(f"http://localhost:{port}/feed", [], wrong_port).error or "").startswith(
        "refused:"
    )


def test_behind_a_proxy_internal_names_are_refused_before_asking_it(
    monkeypatch: pytest.MonkeyPatch, server: LocalServer, other: LocalServer
) -> None:
    """A proxy resolves names itself: the guard looks each one up first."""
    server.route("/feed", Reply(200, b"via proxy"))
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    monkeypatch.setenv("HTTP_PROXY", server.base)  # answers whatever it is asked
    result = fetch(f"http://localhost:{port_of(other)}/secret", allow=[])
    assert result.error and result.error.startswith("refused:"), result.error
    assert server.hits == [] and other.hits == []


# --- configuration -----------------------------------------------------------------------------

SOURCES = "sources:\n  - {id: a, name: A, type: feed, url: 'https://a.example/feed'}\n"


def test_allow_hosts_is_read_from_sources_yaml() -> None:
    text = f"fetch:\n  allow_hosts: [intranet.example, '10.1.2.3:8080']\n{SOURCES}"
    config = load_config_text(text)
    assert config.fetch.allow_hosts == ("intranet.example", "10.1.2.3:8080")


@pytest.mark.parametrize(
    "value", ["intranet.example", "[1, 2]", "['host:99999']", "['host/path']", "['']"]
)
def test_a_bad_allow_hosts_names_the_key(value: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load_config_text(f"fetch:\n  allow_hosts: {value}\n{SOURCES}")
    assert "fetch.allow_hosts" in str(raised.value)


# --- a whole run -------------------------------------------------------------------------------


def rss(items: list[tuple[str, str]]) -> bytes:
    now = datetime.now(UTC)
    body = "".join(
        f"<item><title>{title}</title><link>{link}</link><guid>{link}</guid>"
        f"<pubDate>{(now - timedelta(hours=n + 1)).strftime('%a, %d %b %Y %H:%M:%S +0000')}"
        f"</pubDate><description>Texte du flux {n}.</description></item>"
        for n, (title, link) in enumerate(items)
    )
    return f'<rss version="2.0"><channel><title>t</title>{body}</channel></rss>'.encode()


@pytest.mark.slow
def test_a_run_fetches_only_its_own_article_pages_and_keeps_the_feed_text(
    tmp_path: Path, server: LocalServer, other: LocalServer, connects: list[str]
) -> None:
    """Item links and pagination to other internal addresses, direct or through a redirect,
    are not fetched; the items keep their feed text and the reason is logged per URL."""
    article = b"<html><body><div class='c'>Corps de l'article interne autorise.</div></body></html>"
    server.route("/a/1", Reply(200, article, {"Content-Type": "text/html"}))
    server.route("/jump", Reply(302, headers={"Location": other.url("/secret")}))
    internal = [
        other.url("/secret"),
        server.url("/jump"),
        "http://169.254.169.254/latest/meta-data/",
        f"http://[::1]:{port_of(other)}/secret",
    ]
    links = [server.url("/a/1"), *internal]
    feed = server.route(
        "/feed", Reply(200, rss([(f"Article {n}", u) for n, u in enumerate(links)]))
    )
    page = b"<ul><li><a href='/x'>Entree</a></li></ul><a class='next' href='%s'>suite</a>"
    listing = server.route(
        "/list", Reply(200, page % other.url("/secret").encode(), {"Content-Type": "text/html"})
    )
    config = {
        "site": {"title": "T", "base_url": "https://example.org/veille/"},
        "fetch": {"timeout": 3, "retries": 0, "per_host_delay": 0, "respect_robots": False},
        "sources": [
            {
                "id": "flux",
                "name": "Flux",
                "type": "feed",
                "url": feed,
                "article": {"content": "div.c"},
            },
            {
                "id": "liste",
                "name": "Liste",
                "type": "html",
                "url": listing,
                "pages": 2,
                "list": {"item": "li", "title": "a", "link": "a", "next": "a.next"},
            },
        ],
    }
    (tmp_path / "sources.yaml").write_text(yaml.safe_dump(config), "utf-8")
    paths = ["--config", str(tmp_path / "sources.yaml"), "--db", str(tmp_path / "a.db")]
    result = CliRunner().invoke(cli, ["run", *paths, "--output", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output

    assert other.hits == [], "an unconfigured internal service was asked"
    assert {c.rsplit(":", 1)[0] for c in connects} == {"127.0.0.1"}
    assert all(c.endswith(f":{port_of(server)}") for c in connects)
    published = json.loads((tmp_path / "out" / "feed.json").read_text("utf-8"))["items"]
    by_title = {item["title"]: json.dumps(item, ensure_ascii=False) for item in published}
    assert "Corps de l'article interne autorise" in by_title["Article 0"]
    for n, url in enumerate(internal, start=1):
        assert f"Texte du flux {n}" in by_title[f"Article {n}"], url
    assert "SECRET-INTERNAL" not in (tmp_path / "out" / "feed.json").read_text("utf-8")
    with sqlite3.connect(tmp_path / "a.db") as db:
        errors = dict(db.execute("SELECT url, error FROM fetch_log WHERE error IS NOT NULL"))
    for url in [*internal, other.url("/secret")]:
        assert url in errors and errors[url].startswith("refused:"), (url, errors)
