"""Benchmark: `sqaaas assess` static criteria against running pylint + bandit + radon by hand.

Issue targets: ratio (sqaaas cold / tools by hand) <= 0.8 and warm-cache time <= 0.5 s.
By default the project measured is this repository; `--files N` generates a synthetic
Python project instead. Both sides run in the same invocation, one after the other:

  1. by hand: `pylint <files>`, then `bandit -r <dir>`, then `radon cc <dir>` (defaults);
  2. `sqaaas assess <dir> --criteria QC.Sty --criteria QC.Sec` with an empty cache (cold);
  3. the same again with the cache filled (warm).

    python benchmarks/static_tools.py [--repo PATH | --files 300]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_RATIO = 0.8
TARGET_WARM = 0.5

sys.path.insert(0, str(ROOT))
from tests.repos import git, good_repo_files, write_files  # noqa: E402

MODULE = '''"""Module {i}: a small, realistic piece of a data pipeline."""

import json
import subprocess


def load_{i}(path):
    """Read records from a JSON file."""
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def summarise_{i}(records, key="value"):
    """Totals per category, skipping malformed rows."""
    totals = {{}}
    for record in records:
        if not isinstance(record, dict) or key not in record:
            continue
        category = record.get("category", "other")
        totals[category] = totals.get(category, 0) + record[key]
    return totals


def run_{i}(command):
    """Run an external command (deliberately flagged by bandit)."""
    return subprocess.call(command, shell=True)
'''


def synthetic_project(path: Path, n_files: int) -> Path:
    files: dict[str, str] = dict(good_repo_files())
    for i in range(n_files):
        files[f"pipeline/part{i % 10}/module{i}.py"] = MODULE.format(i=i)
        files[f"pipeline/part{i % 10}/__init__.py"] = ""
    path.mkdir(parents=True)
    git(path, "init", "-q")
    write_files(path, files)
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", "synthetic")
    return path


def timed(argv: list[str], cwd: Path, env: dict[str, str] | None = None) -> float:
    started = time.perf_counter()
    subprocess.run(
        argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False
    )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", type=Path, default=None)
    parser.add_argument("--files", type=int, default=0, help="generate a project with N modules")
    args = parser.parse_args()
    if importlib.util.find_spec("sqaaas") is None:
        raise SystemExit("install sqaaas first: pip install -e .")
    # The interpreter directly: a version manager's shim in front of the console script
    # would add its own start-up time to every measurement.
    exe = [sys.executable, "-m", "sqaaas"]
    with tempfile.TemporaryDirectory(prefix="sqaaas-bench-") as tmp:
        repo = args.repo or (
            synthetic_project(Path(tmp) / "proj", args.files) if args.files else ROOT
        )
        py_files = sorted(
            str(p.relative_to(repo))
            for p in repo.rglob("*.py")
            if not any(part.startswith(".") for part in p.relative_to(repo).parts)
        )
        by_hand = {
            "pylint": timed([sys.executable, "-m", "pylint", "--exit-zero", *py_files], repo),
            "bandit": timed([sys.executable, "-m", "bandit", "-q", "-r", "."], repo),
            "radon": timed([sys.executable, "-m", "radon", "cc", "."], repo),
        }
        hand_total = sum(by_hand.values())
        env = {**os.environ, "SQAAAS_CACHE_DIR": str(Path(tmp) / "cache")}
        cmd = [
            *exe,
            "assess",
            str(repo),
            "--criteria",
            "QC.Sty",
            "--criteria",
            "QC.Sec",
            "--format",
            "json",
            "--quiet",
        ]
        cold = timed(cmd, repo, env)
        warm = min(timed(cmd, repo, env) for _ in range(3))
    print(f"project: {repo} ({len(py_files)} Python files)")
    print(f"{'measure':42} {'seconds':>8} {'ratio':>7} {'target':>7}")
    for tool, seconds in by_hand.items():
        print(f"{'  by hand: ' + tool:42} {seconds:8.2f}")
    print(f"{'tools by hand, one after the other':42} {hand_total:8.2f}")
    print(
        f"{'sqaaas assess QC.Sty+QC.Sec, cold cache':42} {cold:8.2f} {cold / hand_total:7.2f} "
        f"{TARGET_RATIO:7.2f}"
    )
    print(
        f"{'sqaaas assess QC.Sty+QC.Sec, warm cache':42} {warm:8.2f} {warm / TARGET_WARM:7.2f} "
        f"{'1.00':>7}   (warm / {TARGET_WARM} s)"
    )
    print("ratios <= target meet the issue's targets")


if __name__ == "__main__":
    main()
