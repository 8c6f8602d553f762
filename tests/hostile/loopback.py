"""One loopback TCP server for the hostile suite: it counts who connects (a guard that works
lets nobody through) and hands each connection to a handler in a thread of its own."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable

Handler = Callable[[socket.socket], None]


class LoopbackServer:
    """Listens on 127.0.0.1 until ``close()``; ``handle(conn)`` answers each connection (none:
    it is closed at once). ``stop`` is set on close, for handlers that wait or drip."""

    def __init__(self, handle: Handler | None = None) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.1)
        self.stop = threading.Event()
        self.connections = 0
        self._handle = handle
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    @property
    def port(self) -> int:
        return int(self.sock.getsockname()[1])

    def url(self, path: str = "") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with conn, contextlib.suppress(OSError):
            if self._handle is not None:
                self._handle(conn)

    def close(self) -> None:
        self.stop.set()
        self._thread.join(timeout=5)
        self.sock.close()
