"""How each container step of a sandboxed run is started: mounts, network, limits.

Only ``fetch`` has the network, and it sees neither the repository nor /work: just the
driver and /wheels. The steps that run repository code (``offline``) see the read-only
repository, /work and, read-only, /wheels; the test step also /out. ``collect`` runs no
repository code and is the only step that writes to the host (the results folder), through
the driver's capped, link-refusing copy.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from sqaaas.platform.containers import (
    CONTAINER_CA,
    Engine,
    Limits,
    Mount,
    RunResult,
    host_ca_bundle,
    proxy_vars,
)
from sqaaas.sandbox.scratch import Scratch, parse_size, with_areas

DRIVER = Path(__file__).resolve().with_name("driver.py")
_DRIVER_IN_CONTAINER = "/opt/sqaaas/driver.py"
INPUTS = "/inputs"  # the driver defines the same
_PYTHON = "/opt/sqaaas-venv/bin/python"
#: Where the wheel cache's folders appear in the restore and fetch steps (as in the driver).
WHEEL_CACHE, WHEEL_SAVE = "/wheel-cache", "/wheel-save"
#: Lines the driver writes (sqaaas.sandbox.driver defines the same; it imports nothing).
META_MARKER = "sqaaas-metadata: "
FULL_MARKER = "sqaaas: no space left in "
# HOME is each container's private tmpfs /tmp, not the host's
OFFLINE_ENV = {
    "HOME": "/tmp",  # nosec B108
    "PIP_NO_CACHE_DIR": "1",
    "PYTHONDONTWRITEBYTECODE": "1",
}
_COLLECT = Limits(cpus=1, memory="256m", pids=16, wall_time=60)
_TAIL_LINES = 15


def tail(text: str, lines: int = _TAIL_LINES) -> str:
    kept = [line.rstrip() for line in text.strip().splitlines() if line.strip()]
    return "\n".join(kept[-lines:])[-2000:]


def log_section(title: str, result: RunResult) -> str:
    """One step's part of a log file: how it ended, the command, then its output."""
    state = f"timed out after {result.duration:.0f} s" if result.timed_out else f"rc {result.rc}"
    return (
        f"# {title}: {state}, {result.duration:.1f} s\n# {' '.join(result.command)}\n\n"
        f"{result.output}\n"
    )


def _argv(step: str, payload: object) -> list[str]:
    return [_PYTHON, _DRIVER_IN_CONTAINER, step, json.dumps(payload)]


@dataclass(frozen=True)
class Steps:
    """Starts the driver's steps for one repository tree in one run's scratch areas."""

    engine: Engine
    image: str
    root: Path
    scratch: Scratch
    image_id: str = ""  # what the run's cache keys name (another image may be another Python)

    @property
    def _driver(self) -> Mount:
        return Mount(DRIVER, _DRIVER_IN_CONTAINER)

    def fetch(
        self, payload: object, limits: Limits, step: str = "fetch", inputs: Path | None = None,
        save: Path | None = None,
    ) -> RunResult:
        """Download dependencies (wheels, or npm packages with ``node_fetch``), network on:
        no repository file is mounted (``inputs``: a host folder of files read from it as
        data, such as package.json and a lock file, read-only at /inputs), nothing but the
        download folder (and ``save``, a fresh wheel-cache folder) is writable."""
        mounts, env = [self._driver], dict(OFFLINE_ENV)
        if inputs is not None:
            mounts.append(Mount(inputs, INPUTS))
        if save is not None:
            mounts.append(Mount(save, WHEEL_SAVE, read_only=False))
            payload = {**payload, "save": True} if isinstance(payload, dict) else payload
        if bundle := host_ca_bundle():  # TLS may go through an intercepting proxy
            mounts.append(Mount(Path(bundle), CONTAINER_CA))
            env |= {"PIP_CERT": CONTAINER_CA, "SSL_CERT_FILE": CONTAINER_CA,
                    "NODE_EXTRA_CA_CERTS": CONTAINER_CA}
        return self.engine.run(
            self.image,
            _argv(step, payload),
            mounts=mounts,
            volumes={self.scratch.wheels: "/wheels"},
            network=True,
            limits=with_areas(limits, self.scratch.sizes.wheels),
            env=env,
            inherit_env=proxy_vars(),
            workdir="/tmp",  # nosec B108 - the container's own tmpfs
        )

    def offline(
        self,
        step: str,
        payload: object,
        limits: Limits,
        *,
        env: Mapping[str, str] = OFFLINE_ENV,
        out: bool = False,
    ) -> RunResult:
        """A step that runs repository code: no network, the wheels read-only."""
        volumes = {self.scratch.work: "/work"}
        areas = [self.scratch.sizes.work]
        if out:
            volumes[self.scratch.out] = "/out"
            areas.append(self.scratch.sizes.out)
        return self.engine.run(
            self.image,
            _argv(step, payload),
            mounts=[Mount(self.root, "/src"), self._driver],
            volumes=volumes,
            ro_volumes={self.scratch.wheels: "/wheels"},
            network=False,
            limits=with_areas(limits, *areas),
            env=env,
            workdir="/work",
        )

    def restore(self, cached: Path, limits: Limits) -> RunResult:
        """Copy the wheels of an identical earlier download into /wheels: no network, no
        repository file."""
        return self.engine.run(
            self.image,
            _argv("restore", {}),
            mounts=[self._driver, Mount(cached, WHEEL_CACHE)],
            volumes={self.scratch.wheels: "/wheels"},
            network=False,
            limits=with_areas(limits, self.scratch.sizes.wheels),
            env=OFFLINE_ENV,
            workdir="/tmp",  # nosec B108 - the container's own tmpfs
        )

    def collect(self, results: Path) -> RunResult:
        """Copy the regular files of /out into ``results`` (at most /out's size)."""
        return self.engine.run(
            self.image,
            _argv("collect", {"limit": parse_size(self.scratch.sizes.out)}),
            mounts=[self._driver, Mount(results, "/results", read_only=False)],
            ro_volumes={self.scratch.out: "/out"},
            network=False,
            limits=_COLLECT,
            env=OFFLINE_ENV,
            workdir="/tmp",  # nosec B108 - the container's own tmpfs
        )
