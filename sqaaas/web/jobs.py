"""The bounded worker pool that drains the persistent job queue inside the server process.

Each job runs in a child process (sqaaas.web.runjob) with a timeout. The children die with
the server (PR_SET_PDEATHSIG), their containers too (sqaaas.platform.reaper), and a job left running
by a killed server is re-queued at the next start (Store.recover), so no request is lost. A
child that ends badly (killed, crashed) leaves no container or volume either.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import logging
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from sqaaas.platform.containers import EngineError, remembered_engine
from sqaaas.web.settings import WebSettings
from sqaaas.web.store import BadgeRecord, Job, Store, StoreError, StoreUnavailable

log = logging.getLogger("sqaaas.web.jobs")

POLL_S = 1.0
_PR_SET_PDEATHSIG = 1

JobDone = Callable[[Job, str], None]  # (job, report JSON): e.g. issue the badge
MakeBadge = Callable[[Job, str], BadgeRecord | None]  # (job, report JSON): the signed badge
RESULT_RETRY_S = 2.0  # how often a result waits for a database that does not answer


def _die_with_parent() -> None:
    """In the child before exec: get SIGKILL when the server process goes away."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass
    os.setsid()


class JobRunner:
    """Runs one claimed job to its end in a child process: the same for the embedded pool
    and for ``sqaaas worker`` (Celery), so a job runs the same wherever it runs.

    The attempt that claimed the job owns it: progress, heartbeats, the report and the badge
    are recorded only while it still does (Store fences them by attempt number), and a child
    whose job was taken from it (its worker presumed dead) is killed. A database that stops
    answering meanwhile loses progress lines only: the result is written once it is back.
    """

    def __init__(
        self,
        store: Store,
        settings: WebSettings,
        on_done: JobDone | None = None,
        make_badge: MakeBadge | None = None,
    ) -> None:
        self.store = store
        self.settings = settings
        self.on_done = on_done
        self.make_badge = make_badge
        self.stopping = threading.Event()
        self._children: dict[str, subprocess.Popen[str]] = {}
        self._lock = threading.Lock()

    def running(self) -> dict[str, subprocess.Popen[str]]:
        with self._lock:
            return dict(self._children)

    def stop_all(self, reason: str) -> None:
        """Stop every running job and put it back in the queue (its worker is going away)."""
        self.stopping.set()
        for job_id, child in self.running().items():
            with contextlib.suppress(StoreError):
                self.store.requeue(job_id, reason)
            _kill(child)

    def run(self, job: Job) -> None:
        """Run ``job`` (claimed: state running, this attempt); a bug fails it, never the caller."""
        try:
            self._run(job)
        except Exception as exc:
            log.exception("job %s crashed", job.id)
            with contextlib.suppress(StoreError):
                self.store.fail(job.id, f"internal error: {type(exc).__name__}: {exc}",
                                attempt=job.attempts)  # fmt: skip

    def _run(self, job: Job) -> None:
        with tempfile.TemporaryDirectory(prefix="sqaaas-job-") as tmp:
            output = Path(tmp) / "report.json"
            request = {
                "kind": job.kind,
                "url": job.repo_url,
                "params": job.params or {},
                "branch": job.branch,
                "subfolder": job.subfolder,
                "cache_dir": str(self.settings.cache_dir),
                "clone_timeout": self.settings.clone_timeout_s,
                "output": str(output),
                "allow_private": self.settings.allow_private,
            }
            child = subprocess.Popen(
                [sys.executable, "-m", "sqaaas.web.runjob"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
                preexec_fn=_die_with_parent,
                env={**os.environ, "SQAAAS_CACHE_DIR": str(self.settings.cache_dir)},
            )
            with self._lock:
                self._children[job.id] = child
            beat = _Heartbeat(self.store, job, child, self.settings.heartbeat_s)
            try:
                outcome = self._supervise(job, child, json.dumps(request))
            finally:
                beat.stop()
                with self._lock:
                    self._children.pop(job.id, None)
                if child.poll() not in (0, None):  # its own cleanup may not have run
                    _remove_containers(child.pid)
            if self.stopping.is_set() or beat.lost:
                return  # stop_all() re-queued it, or another worker has it now
            if outcome is not None:
                self._record(lambda: self.store.fail(job.id, outcome, attempt=job.attempts))
                return
            report_json = output.read_text(encoding="utf-8")
        self._complete(job, report_json)

    def _complete(self, job: Job, report_json: str) -> None:
        report = json.loads(report_json)
        level, commit = report["badge"]["level"], report["repository"]["commit"]
        if self.make_badge is not None:  # signed here, stored with the result in one go
            badge = self.make_badge(job, report_json)
            self._record(lambda: self.store.finish(job.id, report_json, commit, level,
                                                   attempt=job.attempts, badge=badge))  # fmt: skip
            return
        if self.on_done is not None:  # first: a client that sees 'done' finds the badge too
            self.on_done(job, report_json)
        self.store.finish(job.id, report_json, commit, level)

    def _record(self, write: Callable[[], object]) -> None:
        """Write a job's result, waiting out a database that does not answer (a restart)."""
        deadline = time.monotonic() + self.settings.job_timeout_s
        while True:
            try:
                write()
                return
            except StoreUnavailable:
                if time.monotonic() > deadline or self.stopping.is_set():
                    raise
                time.sleep(RESULT_RETRY_S)

    def _supervise(self, job: Job, child: subprocess.Popen[str], request: str) -> str | None:
        """Feed the request, relay progress, enforce the timeout; the error or None."""
        assert child.stdin is not None and child.stdout is not None
        child.stdin.write(request)
        child.stdin.close()
        deadline = time.monotonic() + self.settings.job_timeout_s
        timer = threading.Timer(self.settings.job_timeout_s, _kill, args=(child,))
        timer.daemon = True
        timer.start()
        error: str | None = None
        try:
            for line in child.stdout:
                try:
                    message = json.loads(line)
                except ValueError:
                    continue
                if not isinstance(message, dict):
                    continue
                if "progress" in message:
                    with contextlib.suppress(StoreUnavailable):  # progress can be lost
                        self.store.set_progress(job.id, str(message["progress"]), job.attempts)
                if "error" in message:
                    error = str(message["error"])
            child.wait()
        finally:
            timer.cancel()
        if time.monotonic() >= deadline and child.returncode != 0:
            return f"timed out after {self.settings.job_timeout_s:.0f} s"
        if child.returncode != 0:
            return error or f"the {job.kind} stopped unexpectedly (exit status {child.returncode})"
        return None


class _Heartbeat:
    """Tells the database every few seconds that the job's attempt is alive; when the
    database says the attempt lost the job, kills the child (another worker runs it now)."""

    def __init__(
        self, store: Store, job: Job, child: subprocess.Popen[str], interval_s: float
    ) -> None:
        self.lost = False
        self._store, self._job, self._child = store, job, child
        self._done = threading.Event()
        self._thread = threading.Thread(
            target=self._loop, args=(interval_s,), name=f"heartbeat-{job.id[:8]}", daemon=True
        )
        self._thread.start()

    def _loop(self, interval_s: float) -> None:
        while not self._done.wait(interval_s):
            try:
                alive = self._store.heartbeat(self._job.id, self._job.attempts)
            except StoreUnavailable:
                continue  # the database is away: the job goes on, the result waits for it
            if not alive:
                log.warning("job %s was given to another worker: stopping this attempt",
                            self._job.id)  # fmt: skip
                self.lost = True
                _kill(self._child)
                return

    def stop(self) -> None:
        self._done.set()
        self._thread.join(5)


class WorkerPool:
    """``settings.workers`` threads inside the server, each running one job at a time
    (the embedded service; ``sqaaas worker`` replaces it when scaled out)."""

    def __init__(self, store: Store, settings: WebSettings, on_done: JobDone | None = None):
        self.store = store
        self.settings = settings
        self.runner = JobRunner(store, settings, on_done=on_done)
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        recovered = self.store.recover(self.settings.max_attempts)
        if recovered:
            log.info("re-queued %d job(s) interrupted by the last shutdown", len(recovered))
        for n in range(max(1, self.settings.workers)):
            thread = threading.Thread(target=self._loop, name=f"sqaaas-worker-{n}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def wake(self) -> None:
        """A job was queued: let an idle worker take it now rather than at the next poll."""
        self._wake.set()

    def queued(self, job: Job) -> None:
        """Operations' dispatch hook: a new job waits in the database, the pool takes it."""
        self.wake()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop taking jobs; jobs still running go back to the queue for the next start."""
        self._stop.set()
        self._wake.set()
        self.runner.stop_all("re-queued: the server was stopped")
        for thread in self._threads:
            thread.join(timeout)

    def _loop(self) -> None:
        while not self._stop.is_set():
            job = self.store.claim()
            if job is None:
                self._wake.wait(POLL_S)
                self._wake.clear()
                continue
            self.runner.run(job)


def _descendants(pid: int) -> list[int]:
    """Every process below ``pid``, read from /proc (empty where there is none)."""
    children: dict[int, list[int]] = {}
    with contextlib.suppress(OSError):
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                with open(f"/proc/{entry.name}/stat", encoding="utf-8") as stat:
                    ppid = int(stat.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue  # exited meanwhile
            children.setdefault(ppid, []).append(int(entry.name))
    found: list[int] = []
    todo = [pid]
    while todo:
        below = children.get(todo.pop(), [])
        found.extend(below)
        todo.extend(below)
    return found


def _kill(child: subprocess.Popen[str]) -> None:
    """End a job's child and everything it started.

    Killing the child's process group is not enough: git runs in a session of its own (so
    that acquire can time it out), and an orphaned clone would go on writing into the cache.
    The tree is frozen first, so nothing forks while it is being collected.
    """
    groups = {child.pid}
    for _ in range(2):  # stop what is there, then collect again: nothing can fork meanwhile
        for pid in _descendants(child.pid):
            with contextlib.suppress(OSError):
                groups.add(os.getpgid(pid))
        groups -= {0, 1, os.getpgrp()}  # never the server's own group (a reused pid)
        for group in groups:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(group, signal.SIGSTOP)
    for group in groups:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(group, signal.SIGKILL)
    _remove_containers(child.pid)


def _remove_containers(pid: int) -> None:
    """The containers and volumes of a killed job: they run under the engine's monitor
    (conmon), outside the job's process tree, and would otherwise go on until their own
    wall-time limit. They carry the job process' pid as a label (sqaaas.platform.containers)."""
    engine = remembered_engine()  # None: no container ever ran with this configuration
    if engine is not None:
        with contextlib.suppress(EngineError):
            engine.remove_owned_by(pid)
