"""A wall-clock deadline for one network exchange, which socket timeouts cannot give.

A socket timeout bounds each wait for bytes, not the exchange: a server that sends a byte
every few seconds (headers, then a body that never ends) resets it forever. The watchdog
shuts the exchange's sockets down when its deadline passes, which ends any read or
handshake blocked on them at once; the code that was reading then learns from ``fired``
that the exchange was cut rather than finished.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress


class Watchdog:
    """Shuts down the sockets it guards at ``deadline`` (a ``time.monotonic()`` value)."""

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        self.started = time.monotonic()
        self.fired = False
        self._lock = threading.Lock()
        self._done = False
        self._guarded: list[tuple[threading.Timer, int]] = []

    def remaining(self) -> float:
        return max(0.0, self.deadline - time.monotonic())

    def guard(self, sock: socket.socket) -> None:
        """Shut ``sock`` down at the deadline (at once when it has passed).

        A duplicate of its descriptor is kept, as TLS wraps the socket in a new object: a
        shutdown reaches the connection through any descriptor of it.
        """
        descriptor = os.dup(sock.fileno())
        timer = threading.Timer(self.remaining(), self._fire, (descriptor,))
        timer.daemon = True
        with self._lock:
            if self._done:
                os.close(descriptor)
                return
            self._guarded.append((timer, descriptor))
        timer.start()

    def _fire(self, descriptor: int) -> None:
        with self._lock:
            if self._done:
                return
            self.fired = True
            # an OSError: the owner closed it already, nothing is left to stop
            with socket.socket(fileno=os.dup(descriptor)) as sock, suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        """Stop watching; the exchange is over (finished or cut)."""
        with self._lock:
            self._done = True
            guarded, self._guarded = self._guarded, []
        for timer, descriptor in guarded:
            timer.cancel()
            os.close(descriptor)


_current = threading.local()


@contextmanager
def watching(deadline: float) -> Iterator[Watchdog]:
    """A watchdog for the exchange run inside the block, in this thread (``current()``)."""
    watchdog = Watchdog(deadline)
    previous = getattr(_current, "watchdog", None)
    _current.watchdog = watchdog
    try:
        yield watchdog
    finally:
        _current.watchdog = previous
        watchdog.close()


def current() -> Watchdog | None:
    """The watchdog of the exchange this thread runs, if any."""
    return getattr(_current, "watchdog", None)
