"""Which addresses the fetcher may connect to: the public internet, and the internal hosts
that ``sources.yaml`` names.

A feed chooses its item links, and a server chooses its redirects, so without a guard any
source could make the run fetch ``http://169.254.169.254/`` (a cloud's metadata service),
``http://127.0.0.1:6379/`` or an intranet page, and republish what came back. The check is
made on the address actually connected to, after name resolution, so a public-looking name
that resolves to 127.0.0.1 is refused as surely as the literal, and an answer that changes
between two lookups (DNS rebinding) changes nothing: the address checked is the one used.

Internal addresses are refused unless the host is allowed by name: the host and port of
each configured source URL, and each ``fetch.allow_hosts`` entry (``host`` for every port,
``host:port`` for one).

Example::

    >>> forbidden_kind(ipaddress.ip_address("::ffff:169.254.169.254"))
    'link-local'
    >>> Allowance.of(["http://127.0.0.1:8000/feed"]).allows("127.0.0.1", 8000)
    True
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpcore
import httpx

__all__ = [
    "AddressRefused",
    "Allowance",
    "GuardedBackend",
    "check_name",
    "forbidden_kind",
    "parse_host_entry",
]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
DEFAULT_PORTS = {"http": 80, "https": 443}

# Special-purpose ranges (IANA registries) and what a reason calls them. Public is
# everything else. An IPv6 address that carries an IPv4 one is judged by the IPv4 one too.
_V4 = [
    ("0.0.0.0/8", "unspecified"),
    ("10.0.0.0/8", "private"),
    ("100.64.0.0/10", "shared (carrier-grade NAT)"),
    ("127.0.0.0/8", "loopback"),
    ("169.254.0.0/16", "link-local"),
    ("172.16.0.0/12", "private"),
    ("192.0.0.0/24", "reserved"),
    ("192.0.2.0/24", "reserved"),
    ("192.88.99.0/24", "reserved"),
    ("192.168.0.0/16", "private"),
    ("198.18.0.0/15", "reserved"),
    ("198.51.100.0/24", "reserved"),
    ("203.0.113.0/24", "reserved"),
    ("224.0.0.0/4", "multicast"),
    ("240.0.0.0/4", "reserved"),  # and the broadcast address
]
_V6 = [
    ("::/128", "unspecified"),
    ("::1/128", "loopback"),
    ("64:ff9b:1::/48", "private"),  # local-use NAT64
    ("100::/64", "reserved"),  # discard-only
    ("2001::/23", "reserved"),  # protocol assignments, Teredo included
    ("2001:db8::/32", "reserved"),
    ("3fff::/20", "reserved"),
    ("fc00::/7", "private"),
    ("fe80::/10", "link-local"),
    ("fec0::/10", "private"),  # site-local, deprecated
    ("ff00::/8", "multicast"),
]
_RANGES = [(ipaddress.ip_network(net), kind) for net, kind in _V4 + _V6]
_COMPATIBLE = ipaddress.IPv6Network("::/96")  # deprecated IPv4-compatible ::a.b.c.d
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def forbidden_kind(address: IPAddress) -> str | None:
    """What kind of internal address this is ("loopback", "private", ...), None if public."""
    for network, kind in _RANGES:
        if address.version == network.version and address in network:
            return kind
    embedded = _embedded_ipv4(address)
    carried = forbidden_kind(embedded) if embedded is not None else None
    if carried is not None:
        return carried
    if address.version == 6 and address in _COMPATIBLE:
        return "reserved"
    return None


def _embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries: mapped, compatible, NAT64 or 6to4."""
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _COMPATIBLE or address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


class AddressRefused(Exception):
    """A connection the guard will not make; the message is the one-line reason."""


def _normal_host(host: str) -> str:
    """One spelling per host: lower case, no brackets, an IP literal in its canonical form,
    an international name as httpx sends it (``xn--``), which is what the guard is shown."""
    host = host.strip().lower().removeprefix("[").removesuffix("]")
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        pass
    if host.isascii():
        return host
    try:
        return httpx.URL(f"http://{host}/").raw_host.decode("ascii")
    except (httpx.InvalidURL, UnicodeError, ValueError):
        return host


def parse_host_entry(entry: str) -> tuple[str, int | None]:
    """``host``, ``host:port``, ``[v6]:port`` or a URL -> (host, port or None for any port).

    Raises ValueError with a reason when the entry names no host or a bad port.
    """
    text = entry.strip()
    is_url = "://" in text
    try:
        if not is_url and text.count(":") > 1 and not text.startswith("["):
            ipaddress.IPv6Address(text)  # a bare IPv6 literal: every port
            return _normal_host(text), None
        parts = urlsplit(text if is_url else f"//{text}")
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"not a host or host:port: {exc}") from None
    if not parts.hostname:
        raise ValueError("names no host")
    if not is_url and (parts.path or parts.query or parts.fragment or parts.username):
        raise ValueError("is more than a host and port")
    if is_url and port is None:
        port = DEFAULT_PORTS.get(parts.scheme.lower())
    return _normal_host(parts.hostname), port


@dataclass(frozen=True)
class Allowance:
    """The hosts (some on one port only) that may be fetched whatever their address."""

    entries: frozenset[tuple[str, int | None]] = frozenset()

    @classmethod
    def of(cls, entries: Iterable[str]) -> Allowance:
        """From ``fetch.allow_hosts`` entries and source URLs; unreadable ones allow nothing."""
        parsed = set()
        for entry in entries:
            try:
                parsed.add(parse_host_entry(entry))
            except ValueError:
                continue  # config validation reports these; here they simply allow nothing
        return cls(frozenset(parsed))

    def allows(self, host: str, port: int) -> bool:
        host = _normal_host(host)
        return (host, port) in self.entries or (host, None) in self.entries


async def _resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to, in the resolver's order."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    found: list[str] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        if sockaddr[0] not in found:
            found.append(str(sockaddr[0]))
    return found


def _refusal(host: str, port: int, address: str) -> str | None:
    """The one-line reason to refuse connecting to ``address`` for ``host``, or None."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return f"refused: {host} resolves to {address!r}, which is not an IP address"
    kind = forbidden_kind(ip)
    if kind is None:
        return None
    where = f"{host}:{port}" if _normal_host(host) == str(ip) else f"{host}:{port} ({ip})"
    return (
        f"refused: {where} is a {kind} address; internal hosts are fetched only when "
        "sources.yaml names them (a source URL or fetch.allow_hosts)"
    )


async def checked_addresses(host: str, port: int, allowance: Allowance) -> list[str] | None:
    """The addresses to connect to for ``host``, all checked; None when allowed by name.

    Raises AddressRefused when any address is internal: a name that mixes public and
    internal answers is refused rather than half trusted.
    """
    if allowance.allows(host, port):
        return None
    addresses = await _resolve(host, port)
    for address in addresses:
        reason = _refusal(host, port, address)
        if reason is not None:
            raise AddressRefused(reason)
    return addresses


async def check_name(host: str, port: int, allowance: Allowance) -> None:
    """Refuse a host by what its name resolves to now, for requests the guard cannot see
    connect (those sent through a proxy, which resolves the name itself)."""
    try:
        await checked_addresses(host, port, allowance)
    except (OSError, UnicodeError):
        return  # unresolvable here: the proxy answers for it, as without a guard


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend, connecting only to checked addresses.

    The name is resolved here, each address checked, and the connection made to the
    address itself; httpcore still sends the name as the Host header and as the TLS server
    name, so certificates are verified against the name.
    """

    def __init__(self, allowance: Allowance) -> None:
        self.allowance = allowance
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            async with asyncio.timeout(timeout):
                addresses = await checked_addresses(host, port, self.allowance)
        except TimeoutError as exc:
            raise httpcore.ConnectTimeout(str(exc)) from exc
        except (OSError, UnicodeError) as exc:  # unknown name: as the default backend says it
            raise httpcore.ConnectError(str(exc)) from exc
        if addresses == []:
            raise httpcore.ConnectError(f"{host} resolves to no address")
        targets = [host] if addresses is None else addresses
        # The addresses share the connect timeout, so that one that never answers (an IPv6
        # route that drops packets) leaves time to try the next.
        each = None if timeout is None else timeout / len(targets)
        last: Exception | None = None
        for address in targets:
            try:
                return await self._inner.connect_tcp(
                    address, port, each, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc  # the next address may answer
        assert last is not None
        raise last

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise AddressRefused(f"refused: unix socket {path}")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)
