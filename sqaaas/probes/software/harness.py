"""QC.Har: test doubles (mocks, fakes, stubs) in the test code, kept apart, checked per change.

Test doubles are found by reading test files for the mocking libraries and idioms of the
common languages. Reading is bounded (a number of files, each capped) so that a huge
repository cannot stall the assessment; evidence says when the bound was reached.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from sqaaas.context import RepoContext
from sqaaas.core.outcomes import Evidence, Finding, Outcome
from sqaaas.core.registry import probe
from sqaaas.facts.ci import match_lines
from sqaaas.probes.software.workflow import ci_test_finding
from sqaaas.repofs import FileEntry

_MAX_TEST_FILES = 400
_MAX_MAIN_FILES = 1500
_MAX_FILE_BYTES = 200_000
_MAX_HITS = 10

_CODE_SUFFIXES = frozenset(
    {
        ".py", ".js", ".jsx", ".mjs", ".cjs", ".ts", ".tsx", ".go", ".java", ".kt", ".scala",
        ".groovy", ".rb", ".rs", ".cs", ".php", ".c", ".cc", ".cpp", ".cxx", ".h", ".hpp",
        ".swift", ".r", ".jl", ".ex", ".exs",
    }
)
#: Directories holding tests or test support code (doubles there are apart from main code).
_TEST_DIRS = frozenset(
    {
        "test", "tests", "testing", "spec", "specs", "__tests__", "__mocks__", "mocks", "mock",
        "fakes", "stubs", "testdata", "test_data", "fixtures", "testutil", "testutils",
        "test_utils", "test_helpers", "testhelpers", "e2e", "unit_tests", "integration_tests",
    }
)
_TEST_FILE = re.compile(
    r"^(?:test_.+\.py|.+_test\.py|conftest\.py|testing\.py|.+_test\.go|.+\.(?:test|spec)\.[cm]?[jt]sx?"
    r"|.+Tests?\.(?:java|kt|scala|cs|php|swift)|.+_(?:spec|test)\.rb|test_.+\.rb"
    r"|.+_test\.(?:c|cc|cpp|rs|exs)|test[-_].+\.r)$",
    re.IGNORECASE,
)

#: label -> regex of a test double (library or hand-written) in test code
_DOUBLES: dict[str, str] = {
    "unittest.mock": (
        r"\bunittest\.mock\b|\bfrom\s+unittest\s+import\s+mock\b|^\s*(?:import|from)\s+mock\b"
        r"|\b(?:Magic|Async|NonCallable)?Mock\(|\bmock\.patch\b|@patch\b|\bpatch\.object\("
    ),
    "pytest-mock": r"\bmocker\b",
    "pytest monkeypatch": r"\bmonkeypatch\b",
    "HTTP double": (
        r"^\s*import\s+(?:responses|requests_mock|respx|httpretty|aioresponses)\b"
        r"|@responses\.activate|\b(?:requests_mock|httpx_mock)\b|\bnock\("
        r"|[\"'](?:nock|msw)[\"']|\bWireMock\w*|\bMockWebServer\b"
        r"|\bhttptest\.New(?:Server|Recorder|TLSServer)\b"
    ),
    "Jest/Vitest mock": r"\b(?:jest|vi)\.(?:mock|fn|spyOn|stubGlobal)\b",
    "Sinon": r"\bsinon\b",
    "Mockito/MockK/EasyMock": r"\bMockito\b|@Mock(?:Bean|K)?\b|\bmockk\b|\bEasyMock\b",
    "Go mock": r"\bgomock\b|testify/mock\b|\bmock\.Mock\b",
    "Rust mock": r"\bmockall\b|\bautomock\b",
    "GoogleMock": r"\bMOCK_METHOD\d*\b|\bEXPECT_CALL\b",
    ".NET mock": r"\bnew\s+Mock<|\bMoq\b|\bNSubstitute\b|\bFakeItEasy\b|\bSubstitute\.For<",
    "RSpec double": r"\b(?:instance|class|object)_double\(|\bdouble\(\s*[\"':]|\.to\s+receive\(",
    "PHP mock": r"->createMock\(|\bMockery\b|->prophesize\(",
    "hand-written double": (
        r"\bclass\s+\w*?(?:Fake|Stub|Mock|Dummy|Spy)(?:[A-Z]\w*)?(?=[\s(:{<]|$)"
        r"|\b(?:Fake|Stub|Dummy)[A-Z]\w*\("
    ),
}
#: label -> regex of a mocking library brought into code (used on non-test files).
#: Rust is left out: its unit tests live inline in the main files by convention.
_DOUBLES_IMPORTED: dict[str, str] = {
    "Python mocking library imported": (
        r"^\s*(?:from\s+unittest\.mock\s+import|from\s+unittest\s+import\s+mock\b"
        r"|import\s+unittest\.mock\b|import\s+mock\b|from\s+mock\s+import\b"
        r"|import\s+(?:responses|requests_mock|respx|httpretty|pytest_mock)\b)"
    ),
    "JavaScript mocking library used": (
        r"\b(?:jest|vi)\.mock\(|(?:require\(|from\s+)[\"'](?:sinon|nock|jest-mock)[\"']"
    ),
    "Mockito imported": r"^\s*import\s+(?:static\s+)?org\.mockito\.",
    "Go mocking library imported": (
        r"\"(?:github\.com/golang/mock/gomock|go\.uber\.org/mock/gomock"
        r"|github\.com/stretchr/testify/mock)\""
    ),
    ".NET mocking library imported": r"^\s*using\s+(?:Moq|NSubstitute|FakeItEasy)\b",
    "GoogleMock mock defined": r"\bMOCK_METHOD\d*\(",
}


def is_test_path(path: str) -> bool:
    """Test code or test support code, by directory or by the file naming of its language."""
    pure = PurePosixPath(path)
    return bool(_TEST_DIRS & {p.lower() for p in pure.parts[:-1]}) or bool(
        _TEST_FILE.match(pure.name)
    )


@dataclass(frozen=True)
class DoublesScan:
    test_files: int  # test code files in the tree
    tests_read: int
    in_tests: tuple[Evidence, ...]  # first double of each test file that has one (bounded)
    main_read: int
    main_skipped: int  # main code files left unread by the bound
    in_main: tuple[Evidence, ...]


def _scan(
    ctx: RepoContext, files: list[FileEntry], patterns: dict[str, re.Pattern[str]]
) -> list[Evidence]:
    hits: list[Evidence] = []
    for entry in files:
        if (file := ctx.fs.try_read_text(entry.path, limit=_MAX_FILE_BYTES)) is None:
            continue
        text = file.text
        hits.extend(match_lines(entry.path, text.splitlines(), patterns, limit=1))
        if len(hits) >= _MAX_HITS:
            break
    return hits


def doubles_scan(ctx: RepoContext) -> DoublesScan:
    """Test doubles in test code and mocking libraries in main code (bounded reads)."""
    code = [f for f in ctx.fs.files if f.suffix in _CODE_SUFFIXES]
    tests = [f for f in code if is_test_path(f.path)]
    main = [f for f in code if not is_test_path(f.path)]
    in_tests = _scan(ctx, tests[:_MAX_TEST_FILES], {k: re.compile(v) for k, v in _DOUBLES.items()})
    imported = {k: re.compile(v) for k, v in _DOUBLES_IMPORTED.items()}
    in_main = _scan(ctx, main[:_MAX_MAIN_FILES], imported)
    return DoublesScan(
        test_files=len(tests),
        tests_read=min(len(tests), _MAX_TEST_FILES),
        in_tests=tuple(in_tests),
        main_read=min(len(main), _MAX_MAIN_FILES),
        main_skipped=max(0, len(main) - _MAX_MAIN_FILES),
        in_main=tuple(in_main),
    )


def _bound_note(scan: DoublesScan) -> str:
    return (
        f" (read the first {scan.tests_read} of {scan.test_files} test files)"
        if scan.tests_read < scan.test_files
        else ""
    )


@probe("har.test_doubles")
def test_doubles(ctx: RepoContext) -> Finding:
    """QC.Har01: the tests use doubles (mocks, fakes, stubs, monkeypatching)."""
    scan = ctx.fact(doubles_scan)
    if not scan.test_files:
        return Finding.failed(
            "no test code found (tests/, test/, spec/, test_*.py, *_test.go, *.test.ts, "
            "*Test.java, ...)",
        )  # no hint of its own: QC.Har01's hint for the repository's language names the library
    if scan.in_tests:
        count = f"{len(scan.in_tests)}{'+' if len(scan.in_tests) >= _MAX_HITS else ''}"
        summary = Evidence(
            message=f"test doubles found in {count} test file(s){_bound_note(scan)}",
            value=len(scan.in_tests),
        )
        return Finding(outcome=Outcome.PASS, evidence=[summary, *scan.in_tests])
    return Finding.failed(
        f"no mock, fake, stub or monkeypatch found in {scan.tests_read} test file(s)"
        f"{_bound_note(scan)}",
        value=scan.tests_read,
    )  # no hint of its own: QC.Har01's hint for the repository's language names the library


@probe("har.doubles_apart")
def doubles_apart(ctx: RepoContext) -> Finding:
    """QC.Har02: mocking code stays in test code, out of the shipped main code."""
    scan = ctx.fact(doubles_scan)
    if scan.in_main:
        return Finding(
            outcome=Outcome.FAIL,
            evidence=list(scan.in_main),
            hint="Move the doubles into the test tree (tests/, a mocks/ or testing/ package, "
            "or *_test files) so that the shipped code does not depend on mocking libraries: "
            + ", ".join(sorted({e.path or "" for e in scan.in_main})),
        )
    skipped = f"; {scan.main_skipped} main code files were not read" if scan.main_skipped else ""
    if scan.in_tests:
        return Finding(
            outcome=Outcome.PASS,
            evidence=[
                Evidence(
                    message=f"doubles found only in test code; no mocking library in "
                    f"{scan.main_read} main code file(s){skipped}",
                    value=sorted({e.path or "" for e in scan.in_tests}),
                )
            ],
        )
    return Finding.not_applicable(
        f"no test doubles found{_bound_note(scan)}: nothing to keep apart from the main code"
    )


@probe("har.checked_per_change")
def checked_per_change(ctx: RepoContext) -> Finding:
    """QC.Har04: the tests, with their doubles and regression tests, run in CI on changes."""
    finding = ci_test_finding(ctx, "doubles and regression tests are exercised on each change")
    scan = ctx.fact(doubles_scan)
    if finding.outcome is Outcome.PASS and scan.in_tests:
        note = Evidence(
            message="the tests run there hold test doubles",
            value=sorted({e.path or "" for e in scan.in_tests}),
        )
        return finding.model_copy(update={"evidence": [*finding.evidence, note]})
    return finding
