"""Where the server may connect: one policy for digest webhooks and repository URLs.

A host is resolved once; every address it resolves to must be a public one, unless the
operator allows the host by name or its address by network in
``REVIEWDECK_ALLOWED_PRIVATE_HOSTS`` (e.g. a self-hosted GitLab on ``10.0.0.0/8``).
Refused: loopback, link-local (cloud metadata), unspecified, multicast, private and
unique-local, and every other address that is not globally routable. The connection is
made to the address that was checked, and the peer address is checked again once
connected, so a name that resolves differently a second time (DNS rebinding) gains
nothing. Django-free apart from reading the allow-list from settings when none is given.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# What the pages say about any refused or unreachable address: no detail an attacker could
# use to map the internal network (open, closed, not TLS ...).
UNREACHABLE = "could not reach the host"


class OutboundRefusedError(Exception):
    """The host is not one the server may connect to. ``reason`` is for logs only."""

    def __init__(self, host: str, reason: str) -> None:
        super().__init__(f"{host}: {reason}")
        self.host = host
        self.reason = reason


@dataclass(frozen=True)
class Policy:
    """The operator's exceptions: host names (``.example.com`` also matches its
    subdomains) and networks whose addresses may be private."""

    names: frozenset[str] = frozenset()
    networks: tuple[IPNetwork, ...] = ()

    @classmethod
    def parse(cls, items: Iterable[str]) -> Policy:
        names: set[str] = set()
        networks: list[IPNetwork] = []
        for raw in items:
            item = raw.strip()
            if not item:
                continue
            try:
                networks.append(ipaddress.ip_network(item.strip("[]"), strict=False))
            except ValueError:
                name = normalize_host(item)
                if not name or "/" in name or ":" in name:
                    problem = f"{raw!r} is neither a host name nor an address/CIDR"
                    raise ValueError(problem) from None
                names.add(name)
        return cls(frozenset(names), tuple(networks))

    @classmethod
    def from_settings(cls) -> Policy:
        from django.conf import settings

        return cls.parse(getattr(settings, "REVIEWDECK_ALLOWED_PRIVATE_HOSTS", []))

    def allows_name(self, host: str) -> bool:
        host = normalize_host(host)
        return any(
            host == name or (name.startswith(".") and host.endswith(name)) for name in self.names
        )

    def allows_address(self, address: IPAddress) -> bool:
        return any(address in network for network in self.networks)


def normalize_host(host: str) -> str:
    return host.strip().strip("[]").rstrip(".").lower()


def refused_kind(address: IPAddress) -> str | None:
    """Why an address is not public ("loopback", "private", ...), or None if it is."""
    if isinstance(address, ipaddress.IPv6Address):
        mapped = address.ipv4_mapped or address.sixtofour
        if mapped is not None:
            return refused_kind(mapped)
    checks = (
        ("unspecified", address.is_unspecified),
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("private", address.is_private),
        ("not globally routable", not address.is_global),
    )
    for kind, hit in checks:
        if hit:
            return kind
    return None


def check_address(host: str, address: IPAddress, policy: Policy) -> None:
    """Raise :class:`OutboundRefusedError` unless ``address`` (of ``host``) may be contacted."""
    kind = refused_kind(address)
    if kind is None or policy.allows_name(host) or policy.allows_address(address):
        return
    raise OutboundRefusedError(host, f"{address} is a {kind} address")


def literal_address(host: str) -> IPAddress | None:
    """The address a host written as a number stands for, in every spelling the C
    resolver accepts (``127.1``, ``0x7f000001``, ``2130706433``, ``[::1]``), else None."""
    host = normalize_host(host)
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        return None


def check_host_literal(host: str, policy: Policy | None = None) -> None:
    """The check a form can make without touching the network: a host written as an
    address, or ``localhost``, must be allowed. Names are resolved when used."""
    policy = policy or Policy.from_settings()
    name = normalize_host(host)
    if not name:
        raise OutboundRefusedError(host, "no host")
    address = literal_address(name)
    if address is not None:
        check_address(name, address, policy)
    elif (name == "localhost" or name.endswith(".localhost")) and not policy.allows_name(name):
        raise OutboundRefusedError(name, "localhost")


def resolve(host: str, port: int, policy: Policy | None = None) -> list[IPAddress]:
    """Every address of ``host``; refused if any of them may not be contacted (a name
    that mixes public and internal addresses is not trusted)."""
    policy = policy or Policy.from_settings()
    name = normalize_host(host)
    if not name:
        raise OutboundRefusedError(host, "no host")
    try:
        infos = socket.getaddrinfo(name, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise OutboundRefusedError(name, f"does not resolve ({type(exc).__name__})") from None
    addresses: list[IPAddress] = []
    for _family, _type, _proto, _canon, sockaddr in infos:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        check_address(name, address, policy)
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise OutboundRefusedError(name, "does not resolve")
    return addresses


def connect(
    host: str, port: int, timeout: float | None, policy: Policy | None = None
) -> socket.socket:
    """A TCP connection to ``host`` on an address the policy allows, checked again once
    connected. Raises :class:`OutboundRefusedError` or ``OSError``."""
    policy = policy or Policy.from_settings()
    last_error: OSError | None = None
    for address in resolve(host, port, policy):
        family = socket.AF_INET6 if address.version == 6 else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.settimeout(timeout)
            sock.connect((str(address), port))
            peer = ipaddress.ip_address(str(sock.getpeername()[0]).split("%", 1)[0])
            check_address(host, peer, policy)
        except OutboundRefusedError:
            sock.close()
            raise
        except OSError as exc:
            sock.close()
            last_error = exc
            continue
        return sock
    assert last_error is not None
    raise last_error
