"""Benchmark: wall time and peak memory of `sqaaas assess`, repository-level criteria.

Issue targets: <= 2 s and <= 150 MB.

Builds a synthetic 5,000-file git repository, then runs the installed `sqaaas assess`
on it and on this repository, each several times, measuring every run's wall time and
peak RSS (from wait4's rusage of that child alone). Prints the figures and their ratio to
the targets side by side. Exit status 0 always: a benchmark reports, it does not gate.

    python benchmarks/assess_speed.py [--runs 5] [--files 5000]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_SECONDS = 2.0
TARGET_MB = 150.0
# The repository-level criteria (issue 2's probes). The code tools of QC.Sty/QC.Sec/QC.Uni
# have their own benchmark (static_tools.py) against the tools run by hand.
REPO_LEVEL = [
    arg
    for cid in (
        "QC.Acc",
        "QC.Lic",
        "QC.Met",
        "QC.Doc",
        "QC.Ver",
        "QC.Har",
        "QC.Tdd",
        "QC.Wor",
        "QC.Man",
        "QC.Rev",
        "QC.Del",
        "QC.Dep",
    )
    for arg in ("--criteria", cid)
]

sys.path.insert(0, str(ROOT))
from tests.repos import git, good_repo_files, write_files  # noqa: E402


def build_synthetic_repo(path: Path, n_files: int) -> Path:
    """A repository shaped like a real project: packages, tests, docs, data, vendored deps."""
    files: dict[str, str] = dict(good_repo_files())
    kinds = [
        ("src/pkg{d}/module{i}.py", "def f{i}(x):\n    return x + {i}\n"),
        ("tests/pkg{d}/test_module{i}.py", "def test_{i}():\n    assert {i} == {i}\n"),
        ("docs/section{d}/page{i}.md", "# Page {i}\n\nSome text about part {i}.\n"),
        ("web/js{d}/widget{i}.js", "export const w{i} = () => {i};\n"),
        ("config/env{d}/settings{i}.yaml", "key{i}: value{i}\n"),
        ("node_modules/dep{d}/index{i}.js", "module.exports = {i};\n"),
    ]
    for i in range(n_files - len(files)):
        template, body = kinds[i % len(kinds)]
        files[template.format(d=i % 50, i=i)] = body.format(i=i)
    path.mkdir(parents=True)
    git(path, "init", "-q")
    write_files(path, files)
    git(path, "remote", "add", "origin", "https://github.com/example-org/synthetic.git")
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", "synthetic project")
    git(path, "tag", "v1.0.0")
    return path


def measure(exe: list[str], target: Path, runs: int) -> tuple[list[float], list[float]]:
    """Wall seconds and peak RSS (MB) of each run of `sqaaas assess target`."""
    walls: list[float] = []
    rss: list[float] = []
    for _ in range(runs):
        started = time.perf_counter()
        proc = subprocess.Popen(
            [*exe, "assess", str(target), "--format", "json", "--quiet", *REPO_LEVEL],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        _, status, usage = os.wait4(proc.pid, 0)
        walls.append(time.perf_counter() - started)
        rss.append(usage.ru_maxrss / 1024)  # Linux reports KiB
        if os.waitstatus_to_exitcode(status) != 0:
            err = proc.stderr.read().decode() if proc.stderr else ""
            raise SystemExit(f"sqaaas assess {target} failed: {err.strip()}")
        if proc.stderr:
            proc.stderr.close()
    return walls, rss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--files", type=int, default=5000)
    args = parser.parse_args()
    if importlib.util.find_spec("sqaaas") is None:
        raise SystemExit("install sqaaas first: pip install -e .")
    # The interpreter directly: a version manager's shim in front of the console script
    # would add its own start-up time to every measurement.
    exe = [sys.executable, "-m", "sqaaas"]
    with tempfile.TemporaryDirectory(prefix="sqaaas-bench-") as tmp:
        synthetic = build_synthetic_repo(Path(tmp) / "synthetic", args.files)
        rows = [
            (f"synthetic repo ({args.files} files)", synthetic),
            ("this repository", ROOT),
        ]
        print(
            f"sqaaas assess, {args.runs} runs each; targets {TARGET_SECONDS} s and {TARGET_MB} MB"
        )
        header = (
            f"{'target':34} {'median s':>9} {'min s':>7} {'s/target':>9} "
            f"{'peak MB':>8} {'MB/target':>10}"
        )
        print(header)
        print("-" * len(header))
        for label, path in rows:
            walls, rss = measure(exe, path, args.runs)
            median, peak = statistics.median(walls), max(rss)
            print(
                f"{label:34} {median:9.3f} {min(walls):7.3f} {median / TARGET_SECONDS:9.2f} "
                f"{peak:8.1f} {peak / TARGET_MB:10.2f}"
            )
        print("ratios <= 1.00 meet the targets")


if __name__ == "__main__":
    main()
