"""Is a host on the public internet? Shared by the web service's clone guard and onboarding.

``ipaddress``'s ``is_global`` alone is not the answer: it calls multicast addresses global,
and it judges an IPv6 address that only carries an IPv4 one (NAT64 ``64:ff9b::/96``, 6to4
``2002::/16``, Teredo ``2001::/32``, IPv4-mapped and IPv4-compatible addresses) by its IPv6
prefix, so ``64:ff9b::a9fe:a9fe`` would pass although a NAT64 gateway takes it to
169.254.169.254. Such addresses are judged by every IPv4 address they embed.

Only classification happens here, except in ``connect_public``, which connects to an address
it has just checked, so that no second DNS answer can be swapped in after the check.
"""

from __future__ import annotations

import ipaddress
import socket

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")  # RFC 6052 well-known prefix
_NAT64_LOCAL = ipaddress.IPv6Network("64:ff9b:1::/48")  # RFC 8215, local use only
_COMPATIBLE = ipaddress.IPv6Network("::/96")  # deprecated IPv4-compatible addresses


class UnresolvableHost(Exception):
    """The host name does not resolve."""


class NonPublicAddress(OSError):
    """A host resolves to an address that is not on the public internet."""


def embedded_ipv4(address: ipaddress.IPv6Address) -> tuple[ipaddress.IPv4Address, ...]:
    """The IPv4 addresses an IPv6 address carries (and would be routed to), if any."""
    if address.ipv4_mapped is not None:
        return (address.ipv4_mapped,)
    if address.sixtofour is not None:
        return (address.sixtofour,)
    if address.teredo is not None:
        return address.teredo  # (server, client)
    if address in _NAT64 or (address in _COMPATIBLE and int(address) > 1):
        return (ipaddress.IPv4Address(int(address) & 0xFFFFFFFF),)
    return ()


def _kind(address: IPAddress) -> str:
    """What kind of non-public address this is, for the message."""
    for name in ("loopback", "unspecified", "multicast", "link_local", "private", "reserved"):
        if getattr(address, f"is_{name}"):
            return name.replace("_", "-")
    return "not globally routable"


def non_public_reason(address: IPAddress) -> str | None:
    """Why ``address`` is not a public unicast address, or None when it is one."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.scope_id:
            return "scoped link-local"
        if address in _NAT64_LOCAL:
            return "local-use NAT64 prefix"
        for inner in embedded_ipv4(address):
            if (why := non_public_reason(inner)) is not None:
                return f"embeds {inner}, {why}"
    if address.is_multicast:
        return "multicast"
    if not address.is_global:
        return _kind(address)
    return None


def is_public(address: IPAddress) -> bool:
    """A globally routable unicast address (and whatever IPv4 address it embeds, too)."""
    return non_public_reason(address) is None


def describe(address: IPAddress) -> str:
    """The address, with why it is refused when its text does not make that obvious."""
    why = non_public_reason(address)
    if why is None or not why.startswith(("embeds", "multicast", "local-use", "scoped")):
        return str(address)
    return f"{address} ({why})"


def resolve(host: str, port: int | None = None) -> list[tuple[IPAddress, tuple[object, ...]]]:
    """Every (address, sockaddr) ``host`` resolves to; UnresolvableHost when none."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UnresolvableHost(f"cannot resolve host '{host}': {exc}") from None
    return [(ipaddress.ip_address(info[4][0]), info[4]) for info in infos]


def non_global_address(host: str) -> str | None:
    """The first address ``host`` resolves to that is not public (described), or None.

    Raises UnresolvableHost when the name does not resolve at all.
    """
    for address, _ in resolve(host):
        if not is_public(address):
            return describe(address)
    return None


def connect_public(
    host: str, port: int, timeout: float | None, *, allow_private: bool = False
) -> socket.socket:
    """A TCP connection to ``host``, made only to an address checked just now.

    Every address of the DNS answer must be public (one private answer refuses the host,
    whichever address would have been tried first). NonPublicAddress (an OSError) says which
    address was refused; other OSErrors are the connection's own failures.
    """
    try:
        answers = resolve(host, port)
    except UnresolvableHost as exc:
        raise socket.gaierror(str(exc)) from None
    if not allow_private:
        for address, _ in answers:
            if not is_public(address):
                raise NonPublicAddress(
                    f"{host} resolves to {describe(address)}, a non-public address: refused"
                )
    error: OSError | None = None
    for address, sockaddr in answers:
        family = socket.AF_INET6 if address.version == 6 else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.settimeout(timeout)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.connect(sockaddr)
            return sock
        except OSError as exc:
            sock.close()
            error = exc
    raise error or OSError(f"cannot connect to {host}:{port}")
