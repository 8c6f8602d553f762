"""When ``sqaaas serve`` dies, even by SIGKILL, its jobs' containers and volumes die with it.

Containers run under the engine's monitor (conmon), outside the server's process tree: the
jobs of a killed server die with it (PR_SET_PDEATHSIG), but their containers would run on
until their own time limit and their scratch volumes would stay. ``guard`` gives the server
an identity its jobs inherit (``sqaaas.platform.owners``: every container and volume they make is
labelled with it) and starts a reaper: a small process holding the read end of a pipe whose
write end only the server has. The kernel closes that end when the server ends, however it
ends; the reaper then removes everything labelled with the server's identity, again until
nothing new shows up (an engine client the dead job had started may still be creating a
container, and removing the volumes it mounts meanwhile would stall the engine). At start
the server also removes what dead owners left (a reaper killed with its server, a power
cut), judged by pid and start time, so that a reused pid owns nothing.

Run as ``python -m sqaaas.platform.reaper <owner>`` by ``watch``, not by hand.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from sqaaas.platform.containers import Engine, EngineError, find_engine, remembered_engine
from sqaaas.platform.owners import OWNER_ENV, OWNER_LABEL, own_identity, owner_alive

log = logging.getLogger("sqaaas.platform.reaper")

_SETTLE_S = 1.0  # between sweeps: time for an engine client in flight to create its container
_QUIET_SWEEPS = 2  # sweeps in a row that found nothing: done
_MAX_SWEEPS = 15
_watchers: dict[str, tuple[int, subprocess.Popen[bytes]]] = {}


def watch(owner: str) -> None:
    """Start the reaper of ``owner`` (once): it cleans up when this process has ended."""
    if owner in _watchers:
        return
    read_end, write_end = os.pipe()  # both close-on-exec: no other child holds them open
    package_root = str(Path(__file__).resolve().parents[2])  # importable from any cwd
    path = os.pathsep.join(p for p in (package_root, os.environ.get("PYTHONPATH")) if p)
    try:
        reaper = subprocess.Popen(
            [sys.executable, "-P", "-m", "sqaaas.platform.reaper", owner],  # -P: not from the cwd
            stdin=read_end,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd="/",  # keeps no folder of the server's busy
            env={**os.environ, "PYTHONPATH": path},
            start_new_session=True,  # a Ctrl-C for the server's process group spares it
        )
    except OSError:
        os.close(write_end)
        raise
    finally:
        os.close(read_end)
    _watchers[owner] = (write_end, reaper)  # the write end stays open as long as we live


def guard() -> None:
    """For ``sqaaas serve``: label its jobs' containers with its identity, remove them when
    it dies, and remove now what dead owners left behind (in the background)."""
    owner = own_identity()
    os.environ[OWNER_ENV] = owner  # inherited by every job process
    watch(owner)
    threading.Thread(target=_remove_orphans_logged, name="sqaaas-orphans", daemon=True).start()


def _engine() -> Engine | None:
    if (engine := remembered_engine()) is not None:
        return engine
    found = find_engine()
    return Engine(*found) if found else None  # listing and removing need no per-call fixes


def remove_owned(owner: str, engine: Engine | None = None) -> int:
    """Remove the containers and volumes of ``owner`` until a few sweeps find none; the
    number of things removed."""
    engine = engine or _engine()
    if engine is None:
        return 0
    removed = quiet = 0
    for _ in range(_MAX_SWEEPS):
        try:  # volumes only after a sweep found no container: none is being started then
            found = engine.remove_labelled(OWNER_LABEL, owner, volumes=quiet > 0)
        except EngineError:
            found = 0
        removed += found
        quiet = 0 if found else quiet + 1
        if quiet >= _QUIET_SWEEPS:
            break
        time.sleep(_SETTLE_S)
    return removed


def _labels(path: str) -> str:
    """An inspect template printing the owner and pid labels found at ``path``."""
    return f'{{{{index {path} "{OWNER_LABEL}"}}}}\t{{{{index {path} "sqaaas.pid"}}}}'


def _labelled(engine: Engine) -> set[tuple[str, str]]:
    """(owner, pid) label values of every sqaaas container and volume."""
    every = "label=sqaaas=1"
    containers = engine.call("ps", "-aq", "--filter", every, timeout=30, check=False)
    volumes = engine.call("volume", "ls", "-q", "--filter", every, timeout=30, check=False)
    found: set[tuple[str, str]] = set()
    for kind, listing, path in (
        ("container", containers, ".Config.Labels"),
        ("volume", volumes, ".Labels"),
    ):
        if names := listing.stdout.split():
            shown = engine.call(kind, "inspect", "--format", _labels(path), *names,
                                timeout=30, check=False)
            for line in shown.stdout.splitlines():
                owner, _, pid = line.partition("\t")
                found.add((owner.strip(), pid.strip()))
    return found


def remove_orphans(engine: Engine | None = None) -> int:
    """Remove the containers and volumes whose owner process is gone; how many owners."""
    engine = engine or _engine()
    if engine is None:
        return 0
    dead = 0
    for owner, pid in _labelled(engine):
        if owner_alive(owner) is False:
            engine.remove_labelled(OWNER_LABEL, owner)
        elif owner_alive(owner) is None and pid.isdigit() and not os.path.exists(f"/proc/{pid}"):
            engine.remove_labelled("sqaaas.pid", pid)  # made before owners were labelled
        else:
            continue
        dead += 1
    return dead


def _remove_orphans_logged() -> None:
    try:
        if count := remove_orphans():
            log.info("removed the containers and volumes of %d finished sqaaas process(es)", count)
    except EngineError as exc:
        log.warning("could not remove containers left by finished sqaaas processes: %s", exc)


def main(argv: list[str]) -> int:
    owner = argv[1]
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the terminal's Ctrl-C is the server's
    with contextlib.suppress(OSError):
        while os.read(0, 4096):  # nobody writes: this returns b"" when the owner has ended
            pass
    remove_owned(owner)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
