"""What a sandboxed test run produced, read back safely from the output folder.

The output folder was written from what the assessed code left in its /out: a file there
may be a symlink to a host file, a FIFO, or huge (the copy refuses links and is capped,
and this reader does not trust it either). Files are opened without following symlinks,
must be regular files, and are read up to a cap.
"""

from __future__ import annotations

import os
import stat
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, Field

from sqaaas.safeparse import Limits, ParseError, load_json, load_xml

_MAX_REPORT_BYTES = 50_000_000
#: A large suite's reports are big but shallow: sizes and counts up to the read cap.
_REPORT_LIMITS = Limits(max_bytes=_MAX_REPORT_BYTES, max_nodes=20_000_000)
_MAX_FAILURES = 10
_WORST_FILES = 5


class RunStatus(StrEnum):
    COMPLETED = "completed"  # pytest ran to its end (tests may have failed)
    TIMED_OUT = "timed_out"  # the wall-time limit of the test step was reached
    KILLED = "killed"  # SIGKILLed before the limit: the memory limit, most often
    NO_RESULTS = "no_results"  # pytest ended without a junit report (usage or internal error)
    SCRATCH_FULL = "scratch_full"  # ... and a size-limited scratch area was left full
    INSTALL_FAILED = "install_failed"
    INSTALL_TIMED_OUT = "install_timed_out"


class TestFailure(BaseModel):
    __test__ = False  # not a pytest test class

    name: str
    kind: str  # failed | error
    message: str


class FileCoverage(BaseModel):
    path: str
    percent: float
    statements: int
    missing: int


class StepLog(BaseModel):
    """One container step: how it ended and where its full log is kept."""

    rc: int
    seconds: float
    log: str
    tail: str


class TestRun(BaseModel):
    """The outcome of running one repository's test suite in the sandbox."""

    __test__ = False  # not a pytest test class

    status: RunStatus
    runner: str = "pytest"  # what ran the tests, named in the evidence
    #: the test command's exit code where it decides (a package's test script); pytest's
    #: junit report decides for Python
    exit_code: int | None = None
    counted: bool = True  # False: the runner printed no summary sqaaas reads
    #: pytest always measures coverage (missing: an error); a test script may not (missing:
    #: not automated)
    coverage_expected: bool = True
    coverage_tool: str = "coverage.py"
    coverage_from: str | None = None  # the report the coverage was read from
    passed: int = 0
    failed: int = 0
    errors: int = 0
    skipped: int = 0
    failures: list[TestFailure] = Field(default_factory=list)
    coverage: float | None = None  # line coverage, percent
    statements: int = 0
    covered: int = 0
    coverage_config: str | None = None  # the repository's, or None for sqaaas' default
    worst_files: list[FileCoverage] = Field(default_factory=list)
    install: StepLog | None = None
    tests: StepLog | None = None
    wall_time: float = 0.0
    memory: str = ""
    log_dir: str = ""
    full: list[str] = Field(default_factory=list)  # scratch areas left full, with their sizes
    cached: bool = False

    @property
    def total(self) -> int:
        return self.passed + self.failed + self.errors + self.skipped


def read_output_file(path: Path, limit: int = _MAX_REPORT_BYTES) -> bytes | None:
    """Bytes of a regular file written by the contained code; None if missing or unsafe."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        with os.fdopen(fd, "rb", closefd=False) as handle:
            return handle.read(limit)
    finally:
        os.close(fd)


def parse_junit(data: bytes) -> tuple[dict[str, int], list[TestFailure]] | None:
    """Counts (passed, failed, errors, skipped) and the first failures of a junit XML."""
    try:
        # The report comes from the sandboxed suite: untrusted, so no entities, and bounded.
        root = load_xml(data, source="junit.xml", limits=_REPORT_LIMITS)
    except ParseError:
        return None
    counts = {"passed": 0, "failed": 0, "errors": 0, "skipped": 0}
    failures: list[TestFailure] = []
    for case in root.iter("testcase"):
        name = "::".join(p for p in (case.get("classname"), case.get("name")) if p)
        outcome = "passed"
        for child in case:
            if child.tag in ("failure", "error", "skipped"):
                outcome = {"failure": "failed", "error": "errors"}.get(child.tag, "skipped")
                if child.tag != "skipped" and len(failures) < _MAX_FAILURES:
                    message = (child.get("message") or child.text or "").strip()
                    failures.append(
                        TestFailure(
                            name=name,
                            kind="failed" if child.tag == "failure" else "error",
                            message=message.splitlines()[0][:300] if message else "",
                        )
                    )
                break
        counts[outcome] += 1
    return counts, failures


def parse_coverage(data: bytes, tree: str) -> tuple[float, int, int, list[FileCoverage]] | None:
    """(line coverage %, statements, covered, worst-covered files) from coverage JSON."""
    try:
        report = load_json(data, source="coverage.json", limits=_REPORT_LIMITS)
        totals = report["totals"]
        statements, covered = int(totals["num_statements"]), int(totals["covered_lines"])
        files = report.get("files", {})
    except (ParseError, ValueError, KeyError, TypeError):
        return None
    percent = 100.0 if statements == 0 else 100.0 * covered / statements
    per_file: list[FileCoverage] = []
    for name, entry in files.items() if isinstance(files, dict) else ():
        try:
            summary = entry["summary"]
            n, hit = int(summary["num_statements"]), int(summary["covered_lines"])
        except (KeyError, TypeError, ValueError):
            continue
        if n:
            path = str(name).removeprefix(tree.rstrip("/") + "/")
            per_file.append(FileCoverage(path=path, percent=round(100 * hit / n, 1),
                                         statements=n, missing=n - hit))
    per_file.sort(key=lambda f: (f.percent, -f.missing))
    return round(percent, 1), statements, covered, per_file[:_WORST_FILES]
