"""How the bounded client's requests reach the network: checked addresses, a hard deadline.

requests resolves a host name itself when it connects, so a host checked beforehand could
answer DNS differently a moment later (DNS rebinding). Here every connection is made by
``connect_public``: the addresses are checked in the very answer the connection uses, and
one that is not public refuses the connection (unless private addresses are allowed for the
exchange). Each new socket is also handed to the exchange's watchdog, so that headers or a
body that never end are cut at the exchange's deadline.

The policy travels with the thread running the exchange (``exchange``); a connection made
outside one is held to the strict rule: public addresses only, no deadline but timeouts.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError

from sqaaas.net.addresses import NonPublicAddress, connect_public
from sqaaas.net.watchdog import Watchdog, current, watching

_policy = threading.local()


@contextmanager
def exchange(deadline: float, *, allow_private: bool) -> Iterator[Watchdog]:
    """Run one request (redirects are separate exchanges) under these rules in this thread."""
    previous = getattr(_policy, "allow_private", False)
    _policy.allow_private = allow_private
    try:
        with watching(deadline) as watchdog:
            yield watchdog
    finally:
        _policy.allow_private = previous


def open_socket(host: str, port: int, timeout: float | None) -> socket.socket:
    """A TCP connection under the current exchange's rules (for TLS probes' handshakes)."""
    sock = connect_public(
        host, port, timeout, allow_private=getattr(_policy, "allow_private", False)
    )
    watchdog = current()
    if watchdog is not None:
        watchdog.guard(sock)
    return sock


class _CheckedConnection(HTTPConnection):
    """urllib3's connection, connecting through ``open_socket``."""

    def _new_conn(self) -> socket.socket:
        timeout = self.timeout if isinstance(self.timeout, int | float) else None
        try:
            return open_socket(self._dns_host, self.port or 80, timeout)
        except NonPublicAddress as exc:
            raise NewConnectionError(self, str(exc)) from exc
        except socket.gaierror as exc:
            raise NameResolutionError(self.host, self, exc) from exc
        except TimeoutError as exc:
            raise ConnectTimeoutError(self, f"connection to {self.host} timed out") from exc
        except OSError as exc:
            raise NewConnectionError(self, f"cannot connect: {exc}") from exc


class _CheckedTLSConnection(_CheckedConnection, HTTPSConnection):
    """The same for https (TLS is set up by HTTPSConnection on the socket made above)."""


class _Pool(HTTPConnectionPool):
    ConnectionCls = _CheckedConnection


class _TLSPool(HTTPSConnectionPool):
    ConnectionCls = _CheckedTLSConnection


class CheckedAdapter(HTTPAdapter):
    """A requests adapter whose pools connect only through ``open_socket``."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _Pool, "https": _TLSPool}


def checked_session() -> requests.Session:
    """A session that ignores ~/.netrc and proxy variables (no credentials the user did not
    give, no detour through a proxy) and connects only through ``open_socket``."""
    session = requests.Session()
    session.trust_env = False
    adapter = CheckedAdapter(max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session
