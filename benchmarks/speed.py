"""Benchmark: the speed targets of `sqaaas assess` and of this project's own test suite.

Every figure is measured side by side in this one run, on this repository and on a generated
Python project of about 50,000 lines, and printed with its target and PASS/FAIL:

1. an unchanged commit re-assessed (everything cached): <= 0.5 s wall;
2. cold static criteria (QC.Sty + QC.Sec, empty cache) against pylint, bandit and radon
   run by hand one after the other on the same files: <= 0.5 x their wall time and
   <= 1.0 x their CPU time;
3. the tests with coverage (QC.Uni, empty cache) against the same test command run by hand
   in the same image: <= 15 s more;
4. start-up: `sqaaas --version` and `sqaaas criteria` <= 0.3 s wall;
5. the project's own test suite (`python -m pytest`) <= 6 min wall.

CPU time is the whole machine's busy time while a command ran (/proc/stat), because the
tools of `sqaaas assess` run in containers, outside this process tree: run it on an
otherwise quiet machine. A benchmark reports; its exit status is 0 whatever the figures.

    python benchmarks/speed.py [--quick] [--lines 50000]

--quick leaves out what takes minutes: the full first assessment of this repository (which
runs its whole test suite in the sandbox) and the project's own test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks.synthetic import python_project  # noqa: E402
from sqaaas.platform.containers import engine_for  # noqa: E402
from sqaaas.platform.images import python_image  # noqa: E402

UNCHANGED_S = 0.5
STATIC_WALL_RATIO = 0.5
STATIC_CPU_RATIO = 1.0
COVERAGE_OVERHEAD_S = 15.0
STARTUP_S = 0.3
SUITE_S = 360.0
STATIC = ["--criteria", "QC.Sty", "--criteria", "QC.Sec"]


@dataclass(frozen=True)
class Timing:
    wall: float
    cpu: float


def _busy_seconds() -> float:
    """The machine's busy CPU time so far (all cores, every process), in seconds."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(v) for v in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def timed(argv: Sequence[str], cwd: Path, env: dict[str, str] | None = None) -> Timing:
    busy, started = _busy_seconds(), time.perf_counter()
    proc = subprocess.run(argv, cwd=cwd, env=env, capture_output=True,
                          text=True, check=False)
    timing = Timing(time.perf_counter() - started, _busy_seconds() - busy)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(argv[:4])}... failed ({proc.returncode}): "
                         f"{proc.stderr[-500:]}")
    if "--format" in argv and "json" in argv:
        _no_errors(proc.stdout, argv)
    return timing


def _no_errors(report_json: str, argv: Sequence[str]) -> None:
    """A fast assessment that failed to run its tools measures nothing: stop and say so."""
    report = json.loads(report_json)
    broken = [sid for c in report["criteria"].values() for sid, sub in c["subcriteria"].items()
              if sub["outcome"] == "error"]
    if broken:
        raise SystemExit(f"{' '.join(argv[1:3])}: {', '.join(broken)} ended in error (run "
                         "'sqaaas setup' first; do not edit sqaaas while it runs)")


def best(argv: Sequence[str], cwd: Path, env: dict[str, str] | None = None, runs: int = 5
         ) -> float:
    return min(timed(argv, cwd, env).wall for _ in range(runs))


class Table:
    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str, bool]] = []

    def add(self, what: str, figure: str, target: str, ok: bool) -> None:
        self.rows.append((what, figure, target, ok))
        print(f"  {what:58} {figure:>16} {target:>10}  {'PASS' if ok else 'FAIL'}", flush=True)


def sqaaas_cmd() -> list[str]:
    """The console script beside this Python (what a user types), else ``python -m``."""
    beside = Path(sys.executable).with_name("sqaaas")
    return [str(beside)] if beside.is_file() else [sys.executable, "-m", "sqaaas"]


def python_files(repo: Path) -> list[str]:
    listed = subprocess.run(["git", "ls-files", "*.py"], cwd=repo, capture_output=True,
                            text=True, check=True).stdout.split()
    return sorted(listed)


def by_hand_static(repo: Path) -> Timing:
    """pylint, bandit and radon with their defaults, one after the other, as a user would."""
    files = python_files(repo)
    parts = [
        timed([sys.executable, "-m", "pylint", "--exit-zero", *files], repo),
        timed([sys.executable, "-m", "bandit", "-q", "-r", "."], repo),
        timed([sys.executable, "-m", "radon", "cc", "."], repo),
    ]
    return Timing(sum(p.wall for p in parts), sum(p.cpu for p in parts))


def static_figures(table: Table, name: str, repo: Path, cache: Path) -> None:
    env = {**os.environ, "SQAAAS_CACHE_DIR": str(cache)}
    hand = by_hand_static(repo)
    ours = timed([*sqaaas_cmd(), "assess", str(repo), *STATIC, "--quiet", "--format", "json"],
                 repo, env)
    table.add(f"{name}: cold QC.Sty+QC.Sec / pylint+bandit+radon, wall",
              f"{ours.wall:.1f}/{hand.wall:.1f} s = {ours.wall / hand.wall:.2f}",
              f"<= {STATIC_WALL_RATIO}", ours.wall / hand.wall <= STATIC_WALL_RATIO)
    table.add(f"{name}: cold QC.Sty+QC.Sec / pylint+bandit+radon, CPU",
              f"{ours.cpu:.1f}/{hand.cpu:.1f} s = {ours.cpu / hand.cpu:.2f}",
              f"<= {STATIC_CPU_RATIO}", ours.cpu / hand.cpu <= STATIC_CPU_RATIO)


def unchanged_figure(table: Table, name: str, repo: Path, cache: Path) -> None:
    env = {**os.environ, "SQAAAS_CACHE_DIR": str(cache)}
    cmd = [*sqaaas_cmd(), "assess", str(repo), "--quiet", "--format", "json"]
    first = timed(cmd, repo, env)
    warm = best(cmd, repo, env)
    print(f"  ({name}: first whole assessment {first.wall:.1f} s)")
    table.add(f"{name}: unchanged commit re-assessed, wall", f"{warm:.2f} s",
              f"<= {UNCHANGED_S}", warm <= UNCHANGED_S)


def coverage_figure(table: Table, name: str, repo: Path, cache: Path) -> None:
    """sqaaas' sandboxed test run against the same command by hand in the same image."""
    env = {**os.environ, "SQAAAS_CACHE_DIR": str(cache)}
    ours = timed([*sqaaas_cmd(), "assess", str(repo), "--criteria", "QC.Uni", "--quiet",
                  "--format", "json"], repo, env)
    engine = engine_for(python_image())
    script = "cp -a /src /tmp/w && cd /tmp/w && python -m pytest -q -p no:cacheprovider " \
             "--cov=. --cov-report=xml:/tmp/cov.xml --junitxml=/tmp/junit.xml"
    # engine.command: podman with this machine's settings (as a configured podman would run)
    hand = timed(engine.run_command("--rm", "--network=none", "--user", "65534:65534",
                                "--tmpfs", "/tmp:exec", "-e", "HOME=/tmp", "-v",
                                f"{repo}:/src:ro", python_image(), "sh", "-c", script), repo)
    overhead = ours.wall - hand.wall
    table.add(f"{name}: tests with coverage, sqaaas - by hand (same image)",
              f"{ours.wall:.1f}-{hand.wall:.1f} = {overhead:.1f} s",
              f"<= {COVERAGE_OVERHEAD_S:.0f} s", overhead <= COVERAGE_OVERHEAD_S)


def startup_figures(table: Table) -> None:
    for args in (["--version"], ["criteria"]):
        seconds = best([*sqaaas_cmd(), *args], ROOT, runs=7)
        table.add(f"start-up: sqaaas {' '.join(args)}", f"{seconds:.3f} s", f"<= {STARTUP_S}",
                  seconds <= STARTUP_S)


def suite_figure(table: Table) -> None:
    with tempfile.TemporaryDirectory(prefix="sqaaas-suite-") as tmp:
        env = {**os.environ, "SQAAAS_CACHE_DIR": tmp}
        seconds = timed([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], ROOT,
                        env).wall
    table.add("this project's test suite (python -m pytest), wall", f"{seconds / 60:.1f} min",
              f"<= {SUITE_S / 60:.0f} min", seconds <= SUITE_S)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="leave out this repository's full assessment and the test suite")
    parser.add_argument("--lines", type=int, default=50_000,
                        help="size of the generated Python project")
    args = parser.parse_args()
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)  # as on a user's machine: .pyc are kept
    table = Table()
    print(f"sqaaas speed benchmark on {os.cpu_count()} cores, {time.strftime('%Y-%m-%d')}")
    print(f"  {'measure':58} {'figure':>16} {'target':>10}")
    startup_figures(table)
    with tempfile.TemporaryDirectory(prefix="sqaaas-bench-") as tmp:
        work = Path(tmp)
        project = python_project(work / "generated", args.lines)
        name = f"generated {args.lines // 1000}k lines"
        static_figures(table, name, project, work / "cache-static")
        static_figures(table, "this repository", ROOT, work / "cache-static-root")
        coverage_figure(table, name, project, work / "cache-coverage")
        unchanged_figure(table, name, project, work / "cache-whole")
        if not args.quick:
            unchanged_figure(table, "this repository", ROOT, work / "cache-whole-root")
        shutil.rmtree(work, ignore_errors=True)
    if not args.quick:
        suite_figure(table)
    failed = [row[0] for row in table.rows if not row[3]]
    print(f"{len(table.rows) - len(failed)}/{len(table.rows)} targets met"
          + (f"; missed: {'; '.join(failed)}" if failed else ""))


if __name__ == "__main__":
    main()
