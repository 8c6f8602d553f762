"""Runs the web service under uvicorn: ``sqaaas serve``.

The listening socket is bound here, before uvicorn starts, so a port already in use is one
clear error instead of a log line from deep inside uvicorn. uvicorn turns SIGTERM and SIGINT
into a graceful shutdown: the app's lifespan then stops the worker pool, which puts running
jobs back in the queue for the next start. A stop asked for is a success: exit status 0.
Should the server be killed instead, a reaper process removes its jobs' containers and
volumes (``sqaaas.platform.reaper``), and the next start removes what dead processes left.
"""

from __future__ import annotations

import contextlib
import copy
import socket
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqaaas.errors import SqaaasError
from sqaaas.platform.reaper import guard
from sqaaas.web.settings import WebSettings

if TYPE_CHECKING:
    import uvicorn

GRACEFUL_SHUTDOWN_S = 10  # open connections get this long before a stop closes them
_LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


class BindError(SqaaasError):
    """The address to listen on cannot be used (in use, not local, no permission)."""


def settings_for(data_dir: Path | None, **options: Any) -> WebSettings:
    """WebSettings from command-line options; the data dir defaults as WebSettings says."""
    if data_dir is not None:
        options["data_dir"] = data_dir
    public_url = options.get("public_url")
    if public_url:
        options["public_url"] = valid_public_url(public_url)
    settings = WebSettings(**options)
    if public_url:
        return settings
    if settings.host not in _LOCAL_HOSTS:
        raise SqaaasError(
            f"listening on {settings.host}: give --public-url, the https URL users reach the "
            "service at (badges name their issuer by it)"
        )
    if ":" in settings.host:  # an IPv6 address needs brackets in a URL
        return replace(settings, public_url=f"http://[{settings.host}]:{settings.port}")
    return settings


def check_scale_out(broker_url: str | None, database_url: str | None) -> None:
    """A scaled-out node needs both the broker and the database; neither is the embedded
    service. SqaaasError for one without the other."""
    if bool(broker_url) != bool(database_url):
        raise SqaaasError(
            "scaling out needs both --broker URL and --database URL (or neither: the "
            "embedded service)"
        )


def valid_public_url(url: str) -> str:
    """The base URL without a trailing slash: https, or http on localhost (as issuers must be)."""
    # imported here for start-up speed: the issuer brings cryptography and PyJWT (~140 modules,
    # ~50 ms), which the token commands, importing this module for settings_for, never use
    from sqaaas.badges.issuer import Issuer

    url = url.strip().rstrip("/")
    try:
        Issuer.from_url(url + "/issuer")
    except SqaaasError as exc:
        raise SqaaasError(f"--public-url: {exc}") from None
    return url


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port`` (IPv4 or IPv6), or BindError saying why."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError) as exc:
        raise BindError(f"cannot listen on {host}:{port}: {exc}") from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        reason = exc.strerror or str(exc)
        raise BindError(f"cannot listen on {host}:{port}: {reason}") from None
    sock.set_inheritable(True)
    return sock


def log_config(quiet: bool) -> dict[str, Any]:
    """uvicorn's logging, with the service's own loggers (jobs, badges) on the same output."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"]["sqaaas"] = {
        "handlers": ["default"],
        "level": "WARNING" if quiet else "INFO",
        "propagate": False,
    }
    return config


def _run(config: uvicorn.Config, sock: socket.socket) -> bool:
    """Serve on ``sock`` until SIGINT/SIGTERM; False when the server could not start.

    After its graceful shutdown uvicorn raises the signal again, so that the process dies of
    it (exit 130 through the CLI's Ctrl-C handling, or -15): here a stop asked for is a
    normal return, hence exit 0.
    """
    import uvicorn  # here, not at the top: only serving needs it at run time

    class Server(uvicorn.Server):
        stopped_by_signal = False

        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:
            with super().capture_signals():
                try:
                    yield
                finally:
                    captured: list[int] = getattr(self, "_captured_signals", [])
                    self.stopped_by_signal = bool(captured)
                    captured.clear()  # the graceful shutdown was the answer to them

    server = Server(config)
    server.run(sockets=[sock])
    return server.started or server.stopped_by_signal


def serve(settings: WebSettings, *, quiet: bool = False) -> None:
    """Listen on ``settings.host:settings.port`` until SIGTERM/SIGINT; BindError if it cannot."""
    import logging.config

    # imported here for start-up speed: uvicorn and the app (FastAPI and the stacks of every
    # route, ~800 modules in all) serve only `sqaaas serve`; token commands use settings_for
    import uvicorn

    from sqaaas.web.app import create_app

    # Logging first: the start-up itself may have news for the operator (a new badge issuer).
    logging.config.dictConfig(log_config(quiet))
    guard()  # before any job starts: the jobs inherit the identity their containers carry
    app = create_app(settings)  # first: no connection waits on key generation at first start
    sock = bind(settings.host, settings.port)
    try:
        config = uvicorn.Config(
            app,
            log_level="warning" if quiet else "info",
            log_config=log_config(quiet),
            access_log=not quiet,
            lifespan="on",
            timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
            server_header=False,
        )
        if not quiet:
            print(
                f"sqaaas: serving {settings.base_url} (listening on {settings.host}:"
                f"{sock.getsockname()[1]}, data in {settings.data_dir})",
                flush=True,
            )
        started = _run(config, sock)
    finally:
        sock.close()
    if not started:
        raise SqaaasError("the service did not start (see the log above)")
