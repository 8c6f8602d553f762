"""Output without a terminal (CI logs, pipes): plain progress lines and heartbeats on stderr,
and text reports whose evidence paths and line numbers are never cut."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from rich.console import Console
from rich.table import Table

from sqaaas import console as console_module
from sqaaas.acquire import acquire
from sqaaas.console import FittingConsole, stdout_console
from sqaaas.progress import DEFAULT_INTERVAL, Progress, heartbeat_interval
from sqaaas.subjects.repository import assess
from tests.containers_support import in_containers
from tests.repos import make_repo

#: a folder path of 150 characters: longer than any terminal default, cut at 80 or 120
DEEP = "pkg/" + "/".join(f"a_rather_long_folder_name_{i}" for i in range(5))
UNSAFE = '"""CLI."""\n\nvalue = eval(input())\n'  # Bandit B307 on line 3 (QC.Sec02 fails)


@pytest.fixture
def unsafe_repo(tmp_path: Path) -> Path:
    assert len(DEEP) > 100
    return make_repo(tmp_path / "unsafe", {f"{DEEP}/cli.py": UNSAFE})


def _run(tmp_path: Path, *args: str, **env: str | None) -> subprocess.CompletedProcess[str]:
    """``python -m sqaaas`` with stdout and stderr piped, as in a CI job; ``env`` values of
    None remove a variable (no COLUMNS, no FORCE_COLOR unless a test asks)."""
    full = {**os.environ, "SQAAAS_CACHE_DIR": str(tmp_path / "cache")}
    for name in ("COLUMNS", "FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE"):
        full.pop(name, None)
    for name, value in env.items():
        if value is None:
            full.pop(name, None)
        else:
            full[name] = value
    return subprocess.run(
        [sys.executable, "-m", "sqaaas", *args],
        env=full,
        capture_output=True,
        text=True,
        timeout=180,
        stdin=subprocess.DEVNULL,
    )


@in_containers(timeout=300)  # Bandit runs in the tools container
def test_piped_stderr_gets_plain_progress_lines(tmp_path: Path, unsafe_repo: Path) -> None:
    proc = _run(tmp_path, "assess", f"file://{unsafe_repo}", "--criteria", "QC.Sec")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stderr.splitlines()
    assert "\x1b" not in proc.stderr and "\r" not in proc.stderr  # no colours, no bar redraws
    assert lines and all(line.startswith("sqaaas: ") for line in lines), lines
    assert any(line.startswith("sqaaas: cloning: ") for line in lines), lines
    started = [line for line in lines if line.startswith("sqaaas: probes started (")]
    assert len(started) == 1, lines
    # the note of the tools' batch starting
    running = [line for line in lines if line.startswith("sqaaas: running Bandit")]
    assert running, lines
    assert lines.index(started[0]) < lines.index(running[0])
    assert any(line.startswith("sqaaas: probes done (") for line in lines), lines
    assert len(lines) < 30, lines  # one line per phase, not one per git percent


def test_probes_announce_their_start_before_any_finishes(unsafe_repo: Path) -> None:
    """The "probes started" line must not wait for the first probe (it may run tests)."""
    calls: list[tuple[str, int, int]] = []
    assess(acquire(str(unsafe_repo)), criteria=["QC.Sec"], progress=lambda *c: calls.append(c))
    total = calls[-1][2]
    assert calls[0] == ("starting", 0, total) and calls[-1][1] == total > 0


def test_quiet_says_nothing_on_stderr(tmp_path: Path, unsafe_repo: Path) -> None:
    proc = _run(tmp_path, "assess", f"file://{unsafe_repo}", "--criteria", "QC.Sec", "-q")
    assert proc.returncode == 0
    assert proc.stderr == ""
    assert "QC.Sec02" in proc.stdout


@in_containers(timeout=300)  # the static tools run in the tools container
@pytest.mark.parametrize("columns", [None, "80"])
def test_piped_report_keeps_a_long_evidence_path_and_line_whole(
    tmp_path: Path, unsafe_repo: Path, columns: str | None
) -> None:
    proc = _run(tmp_path, "assess", str(unsafe_repo), "--criteria", "QC.Sec", COLUMNS=columns)
    assert proc.returncode == 0, proc.stderr
    where = f"{DEEP}/cli.py:3: B307"
    assert [line for line in proc.stdout.splitlines() if where in line], proc.stdout
    assert "…" not in proc.stdout


@in_containers(timeout=300)  # the static tools run in the tools container
def test_text_report_file_keeps_a_long_evidence_path_whole(
    tmp_path: Path, unsafe_repo: Path
) -> None:
    out = tmp_path / "report.txt"
    proc = _run(tmp_path, "assess", str(unsafe_repo), "--criteria", "QC.Sec", "-q", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert f"{DEEP}/cli.py:3: B307" in out.read_text(encoding="utf-8")


def test_piped_criteria_listing_is_not_cut(tmp_path: Path) -> None:
    proc = _run(tmp_path, "criteria", COLUMNS="80")
    assert proc.returncode == 0, proc.stderr
    assert "…" not in proc.stdout
    assert max(len(line) for line in proc.stdout.splitlines()) > 80


def test_piped_report_lines_carry_no_trailing_blanks(tmp_path: Path) -> None:
    """Rows are padded to the widest row by Rich: stripped, or a CI log fills with blanks."""
    proc = _run(tmp_path, "criteria", COLUMNS="80")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) > 50
    assert [line for line in lines if line != line.rstrip()] == []


def test_a_reader_that_leaves_early_ends_sqaaas_quietly(tmp_path: Path) -> None:
    """``sqaaas criteria | head -1``: no 'internal error' for the closed pipe."""
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    proc = subprocess.run(
        f"'{sys.executable}' -m sqaaas criteria | head -1; echo \"rc=${{PIPESTATUS[0]}}\"",
        shell=True, executable="/bin/bash", capture_output=True, text=True, timeout=60, env=env,
    )
    assert proc.stderr == ""
    assert proc.stdout.splitlines()[-1] == "rc=141"


def test_fitting_console_widens_for_a_long_cell_and_only_for_that_print() -> None:
    buffer = io.StringIO()
    console = FittingConsole(file=buffer, width=40, no_color=True)
    table = Table("id", "details", expand=True)
    long_cell = f"{DEEP}/cli.py:3: B307 blacklist: use of eval"
    table.add_row("QC.Sec02", long_cell)
    console.print(table)
    console.rule("next")
    assert any(long_cell in line for line in buffer.getvalue().splitlines())
    assert console.width == 40
    assert len(buffer.getvalue().splitlines()[-1]) == 40  # the rule: back to the base width


def test_stdout_console_is_rich_default_on_a_terminal_and_fitting_elsewhere(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stdout", Tty())
    assert type(stdout_console()) is Console
    monkeypatch.setattr(sys, "stdout", io.StringIO())
    monkeypatch.setenv("COLUMNS", "150")
    piped = stdout_console()
    assert isinstance(piped, FittingConsole) and piped.width == 150
    monkeypatch.delenv("COLUMNS")
    assert stdout_console().width == console_module.DEFAULT_WIDTH


def _progress_lines(stream: io.StringIO) -> list[str]:
    return stream.getvalue().splitlines()


def test_heartbeat_while_a_long_step_runs() -> None:
    stream = io.StringIO()
    with Progress(stream=stream, interactive=False, interval=0.05) as progress:
        progress.probe_step("starting", 0, 3)
        progress.note("QC.Uni01: running tests")
        time.sleep(0.4)
        progress.probe_step("unittests", 1, 3)
    lines = _progress_lines(stream)
    assert lines[:2] == ["sqaaas: probes started (3)", "sqaaas: QC.Uni01: running tests"]
    beats = [line for line in lines if line.startswith("sqaaas: still running: ")]
    assert len(beats) >= 3, lines
    assert all("QC.Uni01: running tests (" in beat for beat in beats), beats
    assert all(beat.endswith("probes 0/3 done") for beat in beats), beats
    after = len(_progress_lines(stream))
    time.sleep(0.2)
    assert len(_progress_lines(stream)) == after  # stopped with the context
    assert not [t for t in threading.enumerate() if t.name == "sqaaas-progress"]


def test_no_heartbeat_while_lines_keep_coming() -> None:
    stream = io.StringIO()
    with Progress(stream=stream, interactive=False, interval=0.3) as progress:
        for step in range(6):
            progress.note(f"step {step}")
            time.sleep(0.1)
    assert not [line for line in _progress_lines(stream) if "still running" in line]


def test_exit_and_interrupt_do_not_wait_for_the_heartbeat() -> None:
    stream = io.StringIO()
    start = time.monotonic()
    with (
        pytest.raises(KeyboardInterrupt),
        Progress(stream=stream, interactive=False, interval=60) as progress,
    ):
        progress.note("tests in the sandbox")
        raise KeyboardInterrupt
    assert time.monotonic() - start < 2
    assert not [t for t in threading.enumerate() if t.name == "sqaaas-progress"]


def test_clone_stages_give_one_line_each_and_disabled_gives_none() -> None:
    stream = io.StringIO()
    with Progress(stream=stream, interactive=False, interval=60) as progress:
        for percent in range(0, 101, 10):
            progress.clone_step("Receiving objects", percent)
        progress.clone_step("Resolving deltas", 50)
    assert _progress_lines(stream) == [
        "sqaaas: cloning: receiving objects",
        "sqaaas: cloning: resolving deltas",
    ]
    quiet = io.StringIO()
    with Progress(enabled=False, stream=quiet, interactive=False, interval=0.01) as progress:
        progress.note("running Ruff")
        time.sleep(0.05)
    assert quiet.getvalue() == ""


def test_heartbeat_interval_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SQAAAS_PROGRESS_INTERVAL", "2.5")
    assert heartbeat_interval() == 2.5
    assert Progress(interactive=False).interval == 2.5
    for bad in ("soon", "0", "-3"):
        monkeypatch.setenv("SQAAAS_PROGRESS_INTERVAL", bad)
        assert heartbeat_interval() == DEFAULT_INTERVAL
