"""Stop everything this process started when the user interrupts it (Ctrl-C).

A SIGINT reaches only the main thread, while the work runs in worker threads: host tools and
container engine clients run in sessions of their own (so a timeout can kill a whole process
group), hence the terminal's Ctrl-C does not reach them, and a container outlives the client
that started it. ``stop_all`` therefore kills the tracked process groups itself and runs the
cleanups modules registered (containers and their volumes); from then on, starting new work
raises ``Interrupted``, so worker threads end at once instead of finishing (or caching) it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import Protocol


class Interrupted(KeyboardInterrupt):
    """Raised in a thread whose work ``stop_all`` stopped (a KeyboardInterrupt: never a result)."""


class _Process(Protocol):
    pid: int


_stopping = threading.Event()
_killed = threading.Event()
_lock = threading.Lock()
_groups: set[int] = set()
_cleanups: list[Callable[[], None]] = []


def stopping() -> bool:
    """Whether ``stop_all`` ran: work finishing now was cut short, not done."""
    return _stopping.is_set()


def killed() -> bool:
    """Whether ``stop_all`` has killed the tracked process groups: from then on no engine
    client of this process can still be starting a container (cleanups that would fight
    with one, e.g. removing the volumes it mounts, wait for this)."""
    return _killed.is_set()


def check() -> None:
    """Raise ``Interrupted`` instead of starting work after ``stop_all``."""
    if _stopping.is_set():
        raise Interrupted("interrupted")


def on_stop(cleanup: Callable[[], None]) -> Callable[[], None]:
    """Register a cleanup for ``stop_all`` (it must be quick, idempotent and thread-safe)."""
    with _lock:
        _cleanups.append(cleanup)
    return cleanup


@contextlib.contextmanager
def tracked(process: _Process) -> Iterator[None]:
    """While the block runs, ``stop_all`` kills the process group led by ``process``
    (a child started with ``start_new_session=True``)."""
    with _lock:
        _groups.add(process.pid)
    try:
        if _stopping.is_set():  # stop_all ran between check() and the start of the child
            _kill_group(process.pid)
        yield
    finally:
        with _lock:
            _groups.discard(process.pid)


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def _run_cleanups() -> None:
    with _lock:
        cleanups = list(_cleanups)
    for cleanup in cleanups:
        with contextlib.suppress(Exception):  # one failing cleanup must not skip the others
            cleanup()


def stop_all() -> None:
    """Stop the work of every thread: kill the tracked process groups, run the cleanups.

    The cleanups run before and after the kill: a container whose engine client was killed
    while it was creating the container is only visible (and removable) afterwards.
    """
    _stopping.set()
    _run_cleanups()
    with _lock:
        groups = list(_groups)
    for pgid in groups:
        _kill_group(pgid)
    _killed.set()
    _run_cleanups()


def exit_soon(code: int, grace: float = 0.5) -> None:
    """Make sure the process ends with ``code`` within ``grace`` seconds from now.

    At exit Python joins the worker threads of thread pools; a worker busy in plain Python
    (or stuck on the network) must not delay an interrupted command's exit for long.
    """

    def watchdog() -> None:
        time.sleep(grace)
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        os._exit(code)

    threading.Thread(target=watchdog, name="sqaaas-exit-watchdog", daemon=True).start()
