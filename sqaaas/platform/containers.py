"""The container engine (podman, or docker where that is what the machine has), via its CLI.

Everything sqaaas runs from an assessed repository runs through ``Engine.run``: no network
unless asked, resource limits, a read-only root, an unprivileged user, and a wall-time limit
enforced from Python (the container is killed, not merely abandoned). Containers and volumes
carry the label ``sqaaas.pid=<pid>`` of the process that made them: when that process is
interrupted (``sqaaas.interrupt.stop_all``) it removes them by that label. They also carry
``sqaaas.owner`` (``sqaaas.platform.owners``): what a killed ``sqaaas serve`` leaves is found by it.
Scratch volumes can be size-limited tmpfs (``create_volume(size=...)``), kept mounted between
the containers of one run by a holder container (``hold``); container output is never
logged to the host's disk by the engine (``--log-driver=none``): only the capped capture here.

Some machines need per-call settings for podman to start a container at all (a hard
``nofile`` limit below podman's default ulimits; crun refusing a hybrid cgroup setup). They
are detected once by trying, remembered in ``engine.json`` in the sqaaas config dir, and
passed on each call: the user's ``containers.conf`` is never written.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
import resource
import shutil
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit

from sqaaas import interrupt
from sqaaas.errors import SqaaasError
from sqaaas.fileio import write_atomic
from sqaaas.paths import default_config_dir
from sqaaas.platform.owners import OWNER_LABEL, current_owner

_STATE_FILE = "engine.json"
_NPROC_CAP = 32768  # podman refuses nproc ulimits above this
_OUTPUT_HEAD = 64_000
_OUTPUT_TAIL = 256_000
#: Host CA bundles, mounted into steps that download (TLS may go through an intercepting proxy).
CA_BUNDLES = (
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/cert.pem",
)
CONTAINER_CA = "/etc/ssl/certs/ca-certificates.crt"
_PROXY_URL_VARS = ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY")
_PROXY_VARS = (*_PROXY_URL_VARS, "no_proxy", "NO_PROXY")
PID_LABEL = "sqaaas.pid"  # value: the pid of the sqaaas process owning the container/volume
_NOBODY = 65534  # the unprivileged user assessed code runs as
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


class EngineError(SqaaasError):
    """No usable container engine, or the engine failed outside of the contained program."""


@dataclass(frozen=True)
class Mount:
    """A host path bound into the container (read-only unless said otherwise)."""

    source: Path
    target: str
    read_only: bool = True


@dataclass(frozen=True)
class Limits:
    """Resources one container may use; ``wall_time`` in seconds is enforced from Python."""

    cpus: float = 1.0
    memory: str = "1g"
    pids: int = 256
    wall_time: float = 300.0
    tmp_size: str = "512m"


@dataclass(frozen=True)
class RunResult:
    rc: int
    stdout: str
    stderr: str
    timed_out: bool
    duration: float
    command: tuple[str, ...] = field(default=(), repr=False)

    @property
    def killed(self) -> bool:
        """SIGKILLed before the wall-time limit: the kernel's answer to exceeding the memory
        limit (podman cannot always tell OOM kills apart on cgroup v1)."""
        return self.rc == 137 and not self.timed_out

    @property
    def output(self) -> str:
        """stdout then stderr, for logs."""
        return self.stdout + ("\n" if self.stdout and self.stderr else "") + self.stderr


@dataclass(frozen=True)
class Fixes:
    """Per-call settings this machine needs (all off where the defaults work), and the
    network that steps allowed to download use: slirp4netns (outbound only, the host's own
    services unreachable) where podman has it, else the host's network."""

    ulimits: bool = False
    runc: bool = False
    download_network: str = "host"

    def run_settings(self) -> str:
        parts = []
        if self.ulimits:
            parts.append("--ulimit nofile/nproc at the hard limits this user may set")
        if self.runc:
            parts.append("--runtime runc --cgroup-manager cgroupfs --events-backend file")
        return "; ".join(parts) or "engine defaults"

    def describe(self) -> str:
        return f"{self.run_settings()}; downloads through --network={self.download_network}"


def _hard_limit(kind: int, cap: int | None = None) -> int:
    hard = resource.getrlimit(kind)[1]
    if hard == resource.RLIM_INFINITY:
        hard = cap if cap is not None else 1_048_576
    return min(hard, cap) if cap is not None else hard


def engine_workdir() -> Path:
    """The working directory engine commands start in: conmon (Debian 12's) drops an empty
    file named ``oom`` into its working directory when a container is killed for memory,
    which must land neither in the user's folder nor in an assessed repository."""
    path = Path(tempfile.gettempdir()) / f"sqaaas-engine-{os.getuid()}"
    path.mkdir(mode=0o700, exist_ok=True)
    info = path.lstat()
    if info.st_uid != os.getuid() or not path.is_dir() or path.is_symlink():
        return Path(tempfile.mkdtemp(prefix="sqaaas-engine-"))  # someone else's: not ours
    return path


def find_engine() -> tuple[str, str] | None:
    """(name, executable) of the engine to use: podman, else a docker whose daemon answers."""
    if exe := shutil.which("podman"):
        return "podman", exe
    if exe := shutil.which("docker"):
        try:
            probe = subprocess.run(
                [exe, "info", "--format", "{{.ServerVersion}}"],
                capture_output=True,
                text=True,
                timeout=20,
                stdin=subprocess.DEVNULL,
            )
        except (OSError, subprocess.TimeoutExpired):
            return None
        if probe.returncode == 0:
            return "docker", exe
    return None


class _Capture:
    """Reads a pipe on a thread, keeping the head and the tail (hostile output is unbounded)."""

    def __init__(self, stream: object, head: int = _OUTPUT_HEAD) -> None:
        self.head_limit = head
        self.head = bytearray()
        self.tail = bytearray()
        self.dropped = 0
        self._thread = threading.Thread(target=self._pump, args=(stream,), daemon=True)
        self._thread.start()

    def _pump(self, stream: object) -> None:
        while chunk := stream.read1(65536):  # type: ignore[attr-defined]
            room = self.head_limit - len(self.head)
            if room > 0:
                self.head += chunk[:room]
                chunk = chunk[room:]
            self.tail += chunk
            if len(self.tail) > _OUTPUT_TAIL:
                cut = len(self.tail) - _OUTPUT_TAIL
                self.dropped += cut
                del self.tail[:cut]

    def text(self, join_timeout: float = 5.0) -> str:
        self._thread.join(timeout=join_timeout)
        middle = f"\n[... {self.dropped} bytes of output left out ...]\n" if self.dropped else ""
        return self.head.decode("utf-8", "replace") + middle + self.tail.decode("utf-8", "replace")


class Engine:
    """One container engine CLI plus the per-call settings this machine needs."""

    def __init__(self, name: str, exe: str, fixes: Fixes | None = None) -> None:
        self.name = name
        self.exe = exe
        self.fixes = fixes or Fixes()

    def __repr__(self) -> str:
        return f"Engine({self.name}, {self.exe}, {self.fixes})"

    # -- command assembly ------------------------------------------------------------------
    def _global_args(self) -> list[str]:
        if self.name == "podman" and self.fixes.runc:
            return ["--runtime", "runc", "--cgroup-manager", "cgroupfs", "--events-backend", "file"]
        return []

    def _ulimit_args(self) -> list[str]:
        if not self.fixes.ulimits:
            return []
        nofile = _hard_limit(resource.RLIMIT_NOFILE)
        nproc = _hard_limit(resource.RLIMIT_NPROC, _NPROC_CAP)
        return ["--ulimit", f"nofile={nofile}:{nofile}", "--ulimit", f"nproc={nproc}:{nproc}"]

    def command(self, *args: str) -> list[str]:
        return [self.exe, *self._global_args(), *args]

    def run_command(self, *args: str) -> list[str]:
        """``<engine> run args`` with this machine's fixes (runtime, ulimits): a plain run, as
        a user's configured engine would do it (benchmarks compare against it)."""
        return self.command("run", *self._ulimit_args(), *args)

    def call(
        self, *args: str, timeout: float = 120.0, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        """Run an engine command that does not run repository code (inspect, rm, volume...)."""
        try:
            proc = subprocess.run(
                self.command(*args),
                capture_output=True,
                text=True,
                timeout=timeout,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # a second Ctrl-C must not cut a cleanup short
                cwd=engine_workdir(),
            )
        except subprocess.TimeoutExpired:
            raise EngineError(
                f"{self.name} {args[0]} did not answer within {timeout:.0f} s"
            ) from None
        except OSError as exc:
            raise EngineError(f"cannot run {self.exe}: {exc.strerror or exc}") from None
        if check and proc.returncode != 0:
            raise EngineError(f"{self.name} {' '.join(args[:2])} failed: {_last_line(proc.stderr)}")
        return proc

    # -- images ------------------------------------------------------------------------------
    def image_id(self, image: str) -> str | None:
        proc = self.call("image", "inspect", "--format", "{{.Id}}", image, check=False)
        if proc.returncode != 0:
            return None
        return proc.stdout.strip() or None

    def image_exists(self, image: str) -> bool:
        return self.image_id(image) is not None

    def build(
        self,
        tag: str,
        containerfile: Path,
        context: Path,
        *,
        build_args: Mapping[str, str] | None = None,
        labels: Mapping[str, str] | None = None,
        network: bool = True,
        timeout: float = 1800.0,
    ) -> RunResult:
        """Build ``tag``; with the network on, the host CA bundle is mounted for downloads."""
        args = ["build", "-t", tag, "-f", str(containerfile)]
        args += [f"--network={'host' if network else 'none'}"]
        for key, value in (labels or {}).items():
            args += ["--label", f"{key}={value}"]
        for key, value in (build_args or {}).items():
            args += ["--build-arg", f"{key}={value}"]
        if self.name == "podman":
            args += self._ulimit_args()
            if self.fixes.runc:
                args += ["--runtime", "runc"]
            if network and (bundle := host_ca_bundle()):
                args += ["-v", f"{bundle}:{CONTAINER_CA}:ro"]
        args.append(str(context))
        return self._supervise(self.command(*args), timeout, name=None)

    def import_rootfs(
        self,
        source: Sequence[str],
        tag: str,
        *,
        changes: Iterable[str] = (),
        timeout: float = 900.0,
    ) -> RunResult:
        """Pipe the tar that ``source`` writes on stdout into ``<engine> import - tag``."""
        args = ["import"]
        for change in changes:
            args += ["--change", change]
        started = time.monotonic()
        try:
            producer = subprocess.Popen(
                list(source),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        except OSError as exc:
            raise EngineError(f"cannot run {source[0]}: {exc.strerror or exc}") from None
        assert producer.stdout is not None and producer.stderr is not None
        producer_err = _Capture(producer.stderr)
        consumer = subprocess.Popen(
            self.command(*args, "-", tag),
            stdin=producer.stdout,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=engine_workdir(),
        )
        producer.stdout.close()
        assert consumer.stdout is not None and consumer.stderr is not None
        out, err = _Capture(consumer.stdout), _Capture(consumer.stderr)
        timed_out = False
        try:
            consumer.wait(timeout=timeout)
            producer.wait(timeout=max(1.0, timeout - (time.monotonic() - started)))
        except subprocess.TimeoutExpired:
            timed_out = True
            for proc in (producer, consumer):
                proc.kill()
                proc.wait()
        rc = producer.returncode or consumer.returncode
        return RunResult(
            rc=rc if rc is not None else -1,
            stdout=out.text(),
            stderr=producer_err.text() + err.text(),
            timed_out=timed_out,
            duration=time.monotonic() - started,
        )

    # -- volumes -----------------------------------------------------------------------------
    def create_volume(self, prefix: str = "sqaaas-work", *, size: int | None = None) -> str:
        """A new named volume; with ``size`` (bytes) a tmpfs of that size (and a
        proportionate number of inodes), owned by the contained user: it holds what
        assessed code writes, which must never fill the host's disk. A tmpfs volume is
        empty again each time it is mounted afresh: ``hold`` keeps it mounted."""
        interrupt.check()
        _track_engine(self)
        name = f"{prefix}-{uuid.uuid4().hex[:12]}"
        args = ["volume", "create", "--label", "sqaaas=1", "--label", _own_label()]
        args += ["--label", _owner_label()]
        if size is not None:
            # nr_blocks, not size=: podman 4 takes size= for a disk quota it cannot set on ext4
            pages, inodes = -(-size // _PAGE), max(1024, size // 8192)
            options = f"nr_blocks={pages},nr_inodes={inodes},uid={_NOBODY},gid={_NOBODY},mode=0700"
            args += ["--opt", "type=tmpfs", "--opt", "device=tmpfs", "--opt", f"o={options}"]
        self.call(*args, name)
        return name

    def remove_volume(self, *names: str) -> None:
        self.call(*self._force_volume_rm(), *names, check=False)

    def _force_volume_rm(self) -> list[str]:
        """``volume rm -f``, killing at once a container that still uses the volume (one
        whose creation was under way when the containers were removed): podman would wait
        10 s for each to stop."""
        return ["volume", "rm", "-f", *(["-t", "0"] if self.name == "podman" else [])]

    def _force_rm(self) -> list[str]:
        """``rm -f`` killing at once: podman's would first wait 10 s for a stop signal that
        the container's PID 1 may ignore."""
        return ["rm", "-f", "-t", "0"] if self.name == "podman" else ["rm", "-f"]

    def remove_owned_by(self, pid: int, *, volumes: bool = True) -> None:
        """Remove the containers, then the volumes, labelled with the sqaaas process ``pid``."""
        self.remove_labelled(PID_LABEL, str(pid), volumes=volumes)

    def remove_labelled(self, key: str, value: str, *, volumes: bool = True) -> int:
        """Remove the containers, then (unless told not to) the volumes, carrying the label
        ``key=value``; how many were found. Removing a volume while an engine client is
        starting a container that mounts it can block podman for 30 s (a lock-order wait):
        callers that cannot rule that out remove the containers first, volumes later."""
        label = f"label={key}={value}"
        found = self.call("ps", "-aq", "--filter", label, timeout=30, check=False)
        if ids := found.stdout.split():
            self.call(*self._force_rm(), *ids, timeout=30, check=False)
        if not volumes:
            return len(ids)
        found = self.call("volume", "ls", "-q", "--filter", label, timeout=30, check=False)
        if names := found.stdout.split():
            self.call(*self._force_volume_rm(), *names, timeout=30, check=False)
        return len(ids) + len(names)

    # -- running -----------------------------------------------------------------------------
    def run(
        self,
        image: str,
        argv: Sequence[str],
        *,
        mounts: Iterable[Mount] = (),
        volumes: Mapping[str, str] | None = None,
        network: bool = False,
        limits: Limits | None = None,
        read_only: bool = True,
        user: str | None = "65534:65534",
        env: Mapping[str, str] | None = None,
        inherit_env: Sequence[str] = (),
        workdir: str | None = None,
        ro_volumes: Mapping[str, str] | None = None,
        stdout_limit: int | None = None,
    ) -> RunResult:
        """Run ``argv`` in a fresh container of ``image`` and remove it afterwards.

        ``network`` False means no network at all (not even the host's loopback), True the
        download network of ``Fixes``;
        ``volumes`` maps named volumes to mount points (read-write), ``ro_volumes`` read-only;
        ``stdout_limit``: bytes of stdout kept whole, for programs answering in JSON there
        (past it, only the tail is kept, as for logs).
        """
        limits = limits or Limits()
        name = f"sqaaas-{uuid.uuid4().hex[:12]}"
        args = [
            "run",
            "--rm",
            "--pull=never",
            "--name",
            name,
            "--label",
            "sqaaas=1",
            "--label",
            _own_label(),
            "--label",
            _owner_label(),
            "--log-driver=none",  # attached output only: conmon's log file would be unbounded
            f"--network={self._network(network)}",
            "--cap-drop=all",
            "--security-opt=no-new-privileges",
            f"--cpus={limits.cpus:g}",
            f"--memory={limits.memory}",
            f"--memory-swap={limits.memory}",
            f"--pids-limit={limits.pids}",
            # the container's own /tmp (a private tmpfs), not the host's
            "--tmpfs",
            f"/tmp:rw,nosuid,nodev,size={limits.tmp_size},mode=1777",  # nosec B108
        ]
        if self.name == "podman":
            # conmon's own kill, in case this process dies before it can kill the container
            args += [f"--timeout={int(limits.wall_time) + 30}"]
        args += self._ulimit_args()
        if read_only:
            args.append("--read-only")
            if self.name == "podman":  # no /var/tmp of unlimited size: /tmp, sized, is the place
                args.append("--read-only-tmpfs=false")
        if user:
            args += ["--user", user]
        if workdir:
            args += ["--workdir", workdir]
        for key, value in (env or {}).items():
            args += ["--env", f"{key}={value}"]
        for key in inherit_env:
            args += ["--env", key]  # the value comes from this process' environment
        for mount in mounts:
            mode = "ro" if mount.read_only else "rw"
            args += [
                "--mount",
                _mount_arg("type=bind", f"src={mount.source}", f"dst={mount.target}", mode),
            ]
        for volume, target in (volumes or {}).items():
            args += ["--mount", _mount_arg("type=volume", f"src={volume}", f"dst={target}")]
        for volume, target in (ro_volumes or {}).items():
            args += ["--mount", _mount_arg("type=volume", f"src={volume}", f"dst={target}", "ro")]
        args += ["--", image, *argv]
        _track_engine(self)
        return self._supervise(
            self.command(*args), limits.wall_time, name=name, stdout_limit=stdout_limit
        )

    def hold(self, image: str, volumes: Sequence[str], seconds: float) -> str:
        """Start a detached container that keeps ``volumes`` mounted (read-only, under
        /hold) for at most ``seconds``: a tmpfs volume keeps its files between the
        containers of one run only while something has it mounted. Its name is returned;
        remove it with ``remove_container``. It runs nothing but ``sleep``."""
        interrupt.check()
        _track_engine(self)
        name = f"sqaaas-hold-{uuid.uuid4().hex[:12]}"
        args = ["run", "-d", "--rm", "--pull=never", "--name", name, "--label", "sqaaas=1"]
        args += ["--label", _own_label(), "--label", _owner_label(), "--log-driver=none"]
        args += ["--network=none", "--cap-drop=all", "--security-opt=no-new-privileges"]
        args += ["--read-only", "--user", "65534:65534", "--memory=64m", "--pids-limit=8"]
        if self.name == "podman":
            args += [f"--timeout={int(seconds) + 30}"]
        args += self._ulimit_args()
        for n, volume in enumerate(volumes):
            dst = f"/hold/{n}"
            args += ["--mount", _mount_arg("type=volume", f"src={volume}", f"dst={dst}", "ro")]
        self.call(*args, "--", image, "sleep", str(int(seconds) + 1), timeout=60)
        return name

    def remove_container(self, name: str) -> None:
        self.call(*self._force_rm(), name, timeout=60, check=False)

    def _network(self, network: bool) -> str:
        if not network:
            return "none"
        if self.fixes.download_network == "slirp4netns" and _proxy_on_loopback():
            return "host"
        return self.fixes.download_network

    def _supervise(
        self, cmd: list[str], wall_time: float, name: str | None, stdout_limit: int | None = None
    ) -> RunResult:
        """Run an engine client command; past ``wall_time``, kill the container and the client.

        Raises ``Interrupted`` when ``interrupt.stop_all`` stopped it: its end is no result.
        """
        interrupt.check()
        started = time.monotonic()
        try:
            proc = subprocess.Popen(
                cmd,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                cwd=engine_workdir(),
            )
        except OSError as exc:
            raise EngineError(f"cannot run {self.exe}: {exc.strerror or exc}") from None
        assert proc.stdout is not None and proc.stderr is not None
        out, err = _Capture(proc.stdout, stdout_limit or _OUTPUT_HEAD), _Capture(proc.stderr)
        timed_out = False
        try:
            with interrupt.tracked(proc):
                proc.wait(timeout=wall_time)
        except subprocess.TimeoutExpired:
            timed_out = True
            if name:
                self.call("kill", name, timeout=30, check=False)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, 9)
                proc.wait()
        finally:
            interrupted = proc.poll() is None
            if name and (timed_out or interrupted):  # never leave the container behind
                self.call(*self._force_rm(), name, timeout=60, check=False)
            if interrupted:
                proc.kill()
        interrupt.check()  # stopped from another thread: a killed run, not a verdict to cache
        return RunResult(
            rc=proc.returncode if proc.returncode is not None else -1,
            stdout=out.text(),
            stderr=err.text(),
            timed_out=timed_out,
            duration=time.monotonic() - started,
            command=tuple(cmd),
        )

    # -- per-machine settings ----------------------------------------------------------------
    def try_run(self, image: str, errors: list[str], network: bool = False) -> bool:
        """Whether ``true`` runs in ``image`` with these settings (else the error is noted)."""
        result = self.run(image, ["true"], limits=Limits(wall_time=60), user=None, network=network)
        if result.rc != 0:
            net = f" and --network={self.fixes.download_network}" if network else ""
            errors.append(f"with {self.fixes.run_settings()}{net}: {_last_line(result.stderr)}")
        return result.rc == 0

    def detect_fixes(self, image: str) -> tuple[Fixes, list[str]]:
        """The first set of per-call settings with which ``image`` runs ``true``.

        Returns the settings and the errors of the attempts that failed (for the user).
        """
        candidates = [Fixes(), Fixes(ulimits=True)]
        if self.name == "podman" and shutil.which("runc"):
            candidates.append(Fixes(ulimits=True, runc=True))
        errors: list[str] = []
        for fixes in candidates:
            if Engine(self.name, self.exe, fixes).try_run(image, errors):
                if self.name == "podman" and shutil.which("slirp4netns"):
                    isolated = replace(fixes, download_network="slirp4netns")
                    trial = Engine(self.name, self.exe, isolated)
                    if trial.try_run(image, errors, network=True):
                        return isolated, errors
                return fixes, errors
        raise EngineError(
            f"{self.name} cannot start a container from {image}: " + " | ".join(errors)
        )


_engines: dict[tuple[str, ...], Engine] = {}
_engines_lock = threading.Lock()


def _own_label() -> str:
    return f"{PID_LABEL}={os.getpid()}"


def _owner_label() -> str:
    return f"{OWNER_LABEL}={current_owner()}"


def _track_engine(engine: Engine) -> None:
    """Remember an engine that made containers or volumes, for ``_remove_own``."""
    with _engines_lock:
        _engines.setdefault(tuple(engine.command()), engine)


@interrupt.on_stop
def _remove_own() -> None:
    """On interrupt: no container or volume of this process is left behind."""
    with _engines_lock:
        engines = list(_engines.values())
    for engine in engines:  # volumes once no client of ours can be starting a container
        engine.remove_owned_by(os.getpid(), volumes=interrupt.killed())


def host_ca_bundle() -> str | None:
    return next((p for p in CA_BUNDLES if os.path.isfile(p)), None)


def proxy_vars() -> list[str]:
    """Names of the host's proxy variables: passed by name to steps that download, so that
    credentials in them never appear on a command line or in a log."""
    return [name for name in _PROXY_VARS if os.environ.get(name)]


def _proxy_on_loopback() -> bool:
    """A proxy on the host's loopback (e.g. a local cntlm) is out of slirp4netns' reach."""
    for name in _PROXY_URL_VARS:
        try:
            host = urlsplit(os.environ.get(name, "")).hostname
        except ValueError:
            continue
        if host in ("localhost", "127.0.0.1", "::1"):
            return True
    return False


def _mount_arg(*fields: str) -> str:
    """One --mount value; fields holding commas or quotes are CSV-quoted (as podman reads it)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow(fields)
    return buffer.getvalue()


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return re.sub(r"\s+", " ", lines[-1])[:300] if lines else ""


def _version(exe: str) -> str:
    try:
        out = subprocess.run(
            [exe, "--version"],
            capture_output=True,
            text=True,
            timeout=20,
            stdin=subprocess.DEVNULL,
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return out.strip()


def state_path(config_dir: Path | None = None) -> Path:
    return Path(config_dir or default_config_dir()) / _STATE_FILE


def load_state(config_dir: Path | None = None) -> dict[str, object] | None:
    try:
        data = json.loads(state_path(config_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def save_state(engine: Engine, config_dir: Path | None = None) -> Path:
    path = state_path(config_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {
        "engine": engine.name,
        "exe": engine.exe,
        "version": _version(engine.exe),
        "slirp4netns": shutil.which("slirp4netns"),
        "fixes": asdict(engine.fixes),
    }
    write_atomic(path, (json.dumps(data, indent=2) + "\n").encode("utf-8"))
    return path


def remembered_engine(config_dir: Path | None = None) -> Engine | None:
    """The engine with the settings detected earlier, if the engine is still the same one."""
    found = find_engine()
    state = load_state(config_dir)
    if found is None or state is None:
        return None
    name, exe = found
    if state.get("exe") != exe or state.get("version") != _version(exe):
        return None
    if state.get("slirp4netns") != shutil.which("slirp4netns"):
        return None  # installed or removed since: the download network may change
    fixes = state.get("fixes")
    if not isinstance(fixes, dict):
        return None
    network = fixes.get("download_network")
    return Engine(
        name,
        exe,
        Fixes(
            ulimits=bool(fixes.get("ulimits")),
            runc=bool(fixes.get("runc")),
            download_network=network if network in ("host", "slirp4netns") else "host",
        ),
    )


def engine_for(image: str, config_dir: Path | None = None) -> Engine:
    """The engine, configured for this machine, ready to run ``image``.

    Uses the remembered settings; without them (first use, other cache dir), detects them
    with ``image`` and remembers them. Raises EngineError with the fixing command.
    """
    if (engine := remembered_engine(config_dir)) is not None:
        return engine
    found = find_engine()
    if found is None:
        raise EngineError(
            "no container engine found (podman, or docker with a running daemon): "
            "run 'sqaaas setup'"
        )
    engine = Engine(*found)
    if not engine.image_exists(image):
        raise EngineError(f"container image {image} is missing: run 'sqaaas setup'")
    engine.fixes, _ = engine.detect_fixes(image)
    save_state(engine, config_dir)
    return engine
