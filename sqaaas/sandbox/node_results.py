"""What a JavaScript/TypeScript test script reported, read from its output and from the
coverage reports its tools wrote (untrusted: bounded reads, never a traceback).

Counts come from the summary lines of the common runners (Jest, Vitest, Mocha, Node's test
runner and TAP, Jasmine/Karma); the verdict itself is the script's exit code. Coverage
comes from the tool's own report: Istanbul's json-summary (Jest, Vitest, c8, nyc), an lcov
file, or the table Node's test runner prints with --experimental-test-coverage.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqaaas.safeparse import Limits, ParseError, load_json
from sqaaas.sandbox.results import FileCoverage

_REPORT_LIMITS = Limits(max_bytes=50_000_000, max_nodes=20_000_000)
_WORST_FILES = 5
_MAX_OUTPUT = 20_000_000
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


@dataclass(frozen=True)
class Counts:
    runner: str
    passed: int = 0
    failed: int = 0
    skipped: int = 0


def _ints(pattern: str, text: str) -> list[dict[str, int]]:
    return [{k: int(v) for k, v in m.groupdict().items() if v}
            for m in re.finditer(pattern, text, re.MULTILINE)]


def _jest(text: str) -> Counts | None:
    rows = _ints(r"^Tests:\s+(?:(?P<failed>\d+) failed, )?(?:(?P<skipped>\d+) skipped, )?"
                 r"(?:\d+ todo, )?(?:(?P<passed>\d+) passed, )?\d+ total", text)
    return _sum("Jest", rows)


def _vitest(text: str) -> Counts | None:
    rows = []
    for m in re.finditer(r"^\s*Tests\s+(.*)\(\d+\)\s*$", text, re.MULTILINE):
        row = {k: int(n) for n, k in re.findall(r"(\d+) (passed|failed|skipped)", m[1])}
        if row:
            rows.append(row)
    return _sum("Vitest", rows)


def _tap(text: str) -> Counts | None:
    """Node's test runner and TAP producers: ``# pass N`` / ``# fail N`` / ``# skipped N``."""
    passed = _ints(r"^# pass (?P<passed>\d+)\s*$", text)
    if not passed:
        return None
    failed = _ints(r"^# fail (?P<failed>\d+)\s*$", text)
    skipped = _ints(r"^# (?:skip|skipped|todo) (?P<skipped>\d+)\s*$", text)
    return _sum("node --test (TAP)", passed + failed + skipped)


def _mocha(text: str) -> Counts | None:
    rows = _ints(r"^\s+(?P<passed>\d+) passing \(", text)
    if not rows:
        return None
    rows += _ints(r"^\s+(?P<failed>\d+) failing\s*$", text)
    rows += _ints(r"^\s+(?P<skipped>\d+) pending\s*$", text)
    return _sum("Mocha", rows)


def _jasmine(text: str) -> Counts | None:
    rows = [{"passed": int(n) - int(f), "failed": int(f)}
            for n, f in re.findall(r"^(\d+) specs?, (\d+) failures?", text, re.MULTILINE)]
    return _sum("Jasmine", rows)


def _sum(runner: str, rows: list[dict[str, int]]) -> Counts | None:
    if not rows:
        return None
    total = {k: sum(r.get(k, 0) for r in rows) for k in ("passed", "failed", "skipped")}
    return Counts(runner, **total)


def parse_counts(output: str) -> Counts | None:
    """The test counts the runner printed (summed over several runs, e.g. workspaces), or
    None when no known summary line is there."""
    text = _ANSI.sub("", output[-_MAX_OUTPUT:])
    for reader in (_jest, _vitest, _mocha, _tap, _jasmine):
        if found := reader(text):
            return found
    return None


@dataclass(frozen=True)
class Coverage:
    percent: float
    statements: int  # lines: 0 when the report gives only a percentage
    covered: int
    worst: list[FileCoverage]
    source: str  # which report it came from


def _worst(files: list[FileCoverage]) -> list[FileCoverage]:
    files.sort(key=lambda f: (f.percent, -f.missing))
    return files[:_WORST_FILES]


def _relative(path: str, tree: str) -> str:
    return path.removeprefix(tree.rstrip("/") + "/")


def parse_json_summary(data: bytes, tree: str) -> Coverage | None:
    """Istanbul's coverage-summary.json: ``total.lines`` and one entry per file."""
    try:
        report = load_json(data, source="coverage-summary.json", limits=_REPORT_LIMITS)
        lines = report["total"]["lines"]
        total, covered = int(lines["total"]), int(lines["covered"])
    except (ParseError, ValueError, KeyError, TypeError):
        return None
    files = []
    for name, entry in report.items():
        try:
            n, hit = int(entry["lines"]["total"]), int(entry["lines"]["covered"])
        except (KeyError, TypeError, ValueError):
            continue
        if name != "total" and n:
            files.append(FileCoverage(path=_relative(str(name), tree),
                                      percent=round(100 * hit / n, 1), statements=n,
                                      missing=n - hit))
    percent = 100.0 if total == 0 else 100.0 * covered / total
    return Coverage(round(percent, 1), total, covered, _worst(files),
                    "coverage/coverage-summary.json")


def parse_lcov(data: bytes, tree: str) -> Coverage | None:
    """An lcov file: ``SF:`` opens a file, ``LF:``/``LH:`` its lines found and hit."""
    files, path, found, hit = [], "", 0, 0
    seen = False
    for raw in data.decode("utf-8", "replace").splitlines():
        key, _, value = raw.strip().partition(":")
        if key == "SF":
            path, found, hit = value, 0, 0
        elif key in ("LF", "LH") and value.isdigit():
            found, hit = (int(value), hit) if key == "LF" else (found, int(value))
        elif key == "end_of_record":
            seen = True
            if found:
                files.append(FileCoverage(path=_relative(path, tree),
                                          percent=round(100 * hit / found, 1),
                                          statements=found, missing=found - hit))
    if not seen:
        return None
    total, covered = sum(f.statements for f in files), sum(f.statements - f.missing for f in files)
    percent = 100.0 if total == 0 else 100.0 * covered / total
    return Coverage(round(percent, 1), total, covered, _worst(files), "coverage/lcov.info")


_NODE_TABLE = re.compile(r"^# all files\s*\|\s*(?P<line>\d+(?:\.\d+)?)\s*\|", re.MULTILINE)


def parse_node_table(output: str) -> Coverage | None:
    """The table Node's test runner prints with --experimental-test-coverage: its line
    percentage over all the files the tests loaded (the tests included)."""
    rows = _NODE_TABLE.findall(_ANSI.sub("", output[-_MAX_OUTPUT:]))
    if not rows:
        return None
    return Coverage(float(rows[-1]), 0, 0, [], "Node's test runner coverage table")
