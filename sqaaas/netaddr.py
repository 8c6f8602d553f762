"""Is a host on the public internet? Shared by the web service's clone guard and onboarding."""

from __future__ import annotations

import ipaddress
import socket


class UnresolvableHost(Exception):
    """The host name does not resolve."""


def non_global_address(host: str) -> str | None:
    """The first loopback/private/link-local/reserved address ``host`` resolves to, or None.

    Raises UnresolvableHost when the name does not resolve at all.
    """
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UnresolvableHost(f"cannot resolve host '{host}': {exc}") from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            return str(address)
    return None
