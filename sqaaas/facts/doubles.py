"""Test doubles (mocks, fakes, stubs) in the test code, and mocking libraries in the main code.

Test doubles are found by reading test files for the mocking libraries and idioms of the
common languages. Reading is bounded (a number of files, each capped) so that a huge
repository cannot stall the assessment; the scan says when the bound was reached. The
QC.Har probes share one scan per assessment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqaaas.context import RepoContext
from sqaaas.core.outcomes import Evidence
from sqaaas.facts.ci import match_lines
from sqaaas.facts.testsuites import CODE_SUFFIXES, is_test_path
from sqaaas.repofs import FileEntry

_MAX_TEST_FILES = 400
_MAX_MAIN_FILES = 1500
_MAX_FILE_BYTES = 200_000
MAX_HITS = 10  # files with a double listed at most; QC.Har01 then says "10+"

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
        if len(hits) >= MAX_HITS:
            break
    return hits


def doubles_scan(ctx: RepoContext) -> DoublesScan:
    """Test doubles in test code and mocking libraries in main code (bounded reads)."""
    code = [f for f in ctx.fs.files if f.suffix in CODE_SUFFIXES]
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
