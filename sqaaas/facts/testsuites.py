"""Which unit-test suites a repository has, per language, and with which framework (offline).

Test files are recognised by the naming and layout conventions of each language; the
framework by imports in the test files and by the build/test configuration. Reads are
bounded so that a huge repository cannot stall the assessment. Shared by QC.Uni01 (which
suite to run), QC.Uni02 (are there tests, kept apart from the main code), QC.Har (which
files are test code), QC.Wor01 (the hint names the test framework) and QC.FAIR.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath

from sqaaas.context import RepoContext
from sqaaas.core.outcomes import Evidence
from sqaaas.facts.ci import match_lines

#: Source code file suffixes (main code and test code alike).
CODE_SUFFIXES = frozenset(
    {
        ".py", ".js", ".jsx", ".mjs", ".cjs", ".ts", ".tsx", ".go", ".java", ".kt", ".scala",
        ".groovy", ".rb", ".rs", ".cs", ".php", ".c", ".cc", ".cpp", ".cxx", ".h", ".hpp",
        ".swift", ".r", ".jl", ".ex", ".exs",
    }
)
#: Directories holding tests or test support code (doubles there are apart from main code).
TEST_SUPPORT_DIRS = frozenset(
    {
        "test", "tests", "testing", "spec", "specs", "__tests__", "__mocks__", "mocks", "mock",
        "fakes", "stubs", "testdata", "test_data", "fixtures", "testutil", "testutils",
        "test_utils", "test_helpers", "testhelpers", "e2e", "unit_tests", "integration_tests",
    }
)
TEST_FILE = re.compile(
    r"^(?:test_.+\.py|.+_test\.py|conftest\.py|testing\.py|.+_test\.go"
    r"|.+\.(?:test|spec)\.[cm]?[jt]sx?"
    r"|.+Tests?\.(?:java|kt|scala|cs|php|swift)|.+_(?:spec|test)\.rb|test_.+\.rb"
    r"|.+_test\.(?:c|cc|cpp|rs|exs)|test[-_].+\.r)$",
    re.IGNORECASE,
)


def test_path_marker(path: str) -> str | None:
    """What makes ``path`` test code: its test folder (``tests/``, ``fixtures/``...) or
    ``test file name``; None for other code (the security scope names it as evidence)."""
    pure = PurePosixPath(path)
    for part in pure.parts[:-1]:
        if part.lower() in TEST_SUPPORT_DIRS:
            return f"{part}/"
    return "test file name" if TEST_FILE.match(pure.name) else None


def is_test_path(path: str) -> bool:
    """Test code or test support code, by directory or by the file naming of its language."""
    return test_path_marker(path) is not None


_MAX_READ = 100  # test files read per language for framework markers
_MAX_BYTES = 200_000
_MAX_MARKERS = 6

#: language -> regex on the repository-relative path of a test file
TEST_FILES: dict[str, str] = {
    "Python": r"(?:^|/)(?:test[^/]*|[^/]+_test)\.py$",
    "JavaScript/TypeScript": (
        r"\.(?:test|spec)\.[cm]?[jt]sx?$"
        r"|(?:^|/)(?:__tests__|tests?)/(?:[^/]+/)*[^/]+\.[cm]?[jt]sx?$"
    ),
    "Go": r"_test\.go$",
    "Java/Kotlin/Scala": r"(?:^|/)src/test/(?:[^/]+/)*[^/]+\.(?:java|kt|scala|groovy)$",
    "Rust": r"(?:^|/)tests/(?:[^/]+/)*[^/]+\.rs$",
    "R": r"(?:^|/)tests/(?:testthat/)?[^/]+\.[rR]$",
    "Julia": r"(?:^|/)test/runtests\.jl$",
    "C/C++": (
        r"(?:^|/)(?:tests?|unittests?)/(?:[^/]+/)*[^/]+\.(?:c|cc|cpp|cxx)$|_test\.(?:c|cc|cpp)$"
    ),
    "Ruby": r"(?:^|/)spec/(?:[^/]+/)*[^/]+_spec\.rb$|(?:^|/)test/(?:[^/]+/)*[^/]*test[^/]*\.rb$",
    "PHP": r"(?:^|/)tests?/(?:[^/]+/)*[^/]+Test\.php$",
    ".NET": r"(?:^|/)[^/]*Tests?/(?:[^/]+/)*[^/]+\.cs$|Tests?\.cs$",
}
#: language -> (files to read, {framework: regex}); test files themselves are "<tests>".
FRAMEWORKS: dict[str, tuple[tuple[str, ...], dict[str, str]]] = {
    "Python": (
        ("<tests>", "pyproject.toml", "pytest.ini", "setup.cfg", "tox.ini", "conftest.py"),
        {
            "pytest": (
                r"^\s*(?:import\s+pytest|from\s+pytest\b)|@pytest\.|^\[tool\.pytest\.ini_options\]"
                r"|^\[tool:pytest\]|^\[pytest\]|^\s*def\s+pytest_\w+\("
            ),
            "unittest": (
                r"\bunittest\.TestCase\b|^\s*from\s+unittest\s+import\s+(?:.*\b)?TestCase\b"
                r"|^\s*class\s+\w+\((?:unittest\.)?TestCase\)"
            ),
            "nose": r"^\s*(?:import|from)\s+nose2?\b",
            "tox": r"^\[tox\]|^\[testenv",
        },
    ),
    "JavaScript/TypeScript": (
        ("package.json",),
        {
            name: rf'"{re.escape(name)}"\s*:'
            for name in ("jest", "vitest", "mocha", "jasmine", "ava", "tap", "karma",
                         "@playwright/test", "cypress")
        }
        | {"npm test script": r'"test"\s*:\s*"(?!echo)'},
    ),
    "Go": (("go.mod",), {"testify": r"github\.com/stretchr/testify"}),
    "Java/Kotlin/Scala": (
        ("pom.xml", "build.gradle", "build.gradle.kts", "build.sbt"),
        {"JUnit": r"junit", "TestNG": r"testng", "Spock": r"spock", "Kotest": r"kotest",
         "ScalaTest": r"scalatest"},
    ),
    "R": (("DESCRIPTION", "tests/testthat.R"), {"testthat": r"testthat"}),
    "Julia": (("test/runtests.jl", "Project.toml"), {"Julia Test": r"\bTest\b"}),
    "C/C++": (
        ("CMakeLists.txt", "test/CMakeLists.txt", "tests/CMakeLists.txt", "meson.build"),
        {
            "CTest": r"^\s*(?:enable_testing|add_test|include\s*\(\s*CTest)\b",
            "GoogleTest": r"\bgtest|GTest\b",
            "Catch2": r"\bCatch2?\b",
            "meson test": r"^\s*test\s*\(",
        },
    ),
    "Ruby": (("Gemfile", "<tests>"), {"RSpec": r"rspec", "Minitest": r"minitest"}),
    "PHP": (("phpunit.xml", "phpunit.xml.dist", "composer.json"), {"PHPUnit": r"phpunit"}),
    ".NET": (("<tests>",), {"xUnit": r"\bXunit\b", "NUnit": r"\bNUnit\b", "MSTest": r"MSTest"}),
}
#: Frameworks a language's tests are run with when no marker names one.
DEFAULT_FRAMEWORK = {
    "Python": "pytest", "JavaScript/TypeScript": "npm test", "Go": "go test",
    "Java/Kotlin/Scala": "JUnit", "Rust": "cargo test", "R": "R CMD check",
    "Julia": "Julia Test", "C/C++": "CTest", "Ruby": "rake test", "PHP": "PHPUnit",
    ".NET": "dotnet test",
}
#: Directory names that hold tests (the path up to one of them is the suite's folder).
TEST_DIRS = frozenset({"tests", "test", "testing", "spec", "specs", "__tests__", "unittests",
                       "unit_tests", "testthat"})
_RUST_INLINE = re.compile(r"^\s*#\[(?:cfg\(test\)|test)\]")
_NOT_CODE = re.compile(r"(?:^|/)(?:setup|conftest|noxfile|conf)\.py$|(?:^|/)docs?/")


@dataclass(frozen=True)
class TestSuite:
    """The tests of one language: their files, the folders holding them, their framework."""

    __test__ = False  # not a pytest test class

    language: str
    files: tuple[str, ...]
    folders: tuple[str, ...]  # dedicated test folders; empty when tests sit next to the code
    frameworks: tuple[str, ...]
    markers: tuple[Evidence, ...]  # where the framework was recognised
    inline: tuple[Evidence, ...] = ()  # in-module tests (Rust #[cfg(test)])

    def summary(self) -> str:
        where = (
            f"in {', '.join(f + '/' for f in self.folders)}"
            if self.folders
            else "next to the code"
        )
        parts = [f"{len(self.files)} test file(s) {where}"] if self.files else []
        if self.inline:
            parts.append(f"{len(self.inline)} in-module test block(s)")
        return f"{self.language} tests ({', '.join(self.frameworks)}): {'; '.join(parts)}"


def _folder(path: str) -> str | None:
    parts = PurePosixPath(path).parts[:-1]
    for i, part in enumerate(parts):
        if part.lower() in TEST_DIRS:
            return "/".join(parts[: i + 1])
    return None


def _read_lines(ctx: RepoContext, path: str) -> list[str]:
    file = ctx.fs.try_read_text(path, limit=_MAX_BYTES)
    return file.text.splitlines() if file else []


def _first_named(ctx: RepoContext, name: str) -> str | None:
    return next((f.path for f in ctx.fs.files if f.name == name), None)


def _markers(ctx: RepoContext, language: str, tests: Iterable[str]) -> list[Evidence]:
    sources, patterns = FRAMEWORKS.get(language, ((), {}))
    compiled = {label: re.compile(rx, re.MULTILINE) for label, rx in patterns.items()}
    found: dict[str, Evidence] = {}
    paths: list[str] = []
    for source in sources:
        paths += list(tests)[:_MAX_READ] if source == "<tests>" else [source]
    if language == "Python" and (conftest := _first_named(ctx, "conftest.py")):
        found["pytest"] = Evidence(message="pytest", path=conftest)  # pytest's own file
    for path in paths:
        if len(found) == len(compiled):
            break
        if not ctx.fs.is_file(path):
            continue
        todo = {k: v for k, v in compiled.items() if k not in found}
        for hit in match_lines(path, _read_lines(ctx, path), todo, limit=len(todo)):
            found.setdefault(hit.message, hit)
    ordered = sorted(found.values(), key=lambda e: list(compiled).index(e.message))
    return [
        e.model_copy(update={"message": f"{language} test framework: {e.message}"})
        for e in ordered
    ][:_MAX_MARKERS]


def _rust_inline(ctx: RepoContext) -> list[Evidence]:
    """``#[cfg(test)]`` modules in Rust sources (match_lines would skip them as comments)."""
    hits: list[Evidence] = []
    sources = [f.path for f in ctx.fs.files if f.suffix == ".rs" and not is_test_path(f.path)]
    for path in sources[:300]:
        for number, line in enumerate(_read_lines(ctx, path), start=1):
            if _RUST_INLINE.match(line):
                hits.append(Evidence(message="Rust in-module tests", path=path, line=number,
                                     excerpt=line.strip()))
                break
        if len(hits) >= 10:
            break
    return hits


def test_suites(ctx: RepoContext) -> tuple[TestSuite, ...]:
    """The test suites found, one per language, in the order of TEST_FILES."""
    compiled = {lang: re.compile(rx) for lang, rx in TEST_FILES.items()}
    files: dict[str, list[str]] = {lang: [] for lang in TEST_FILES}
    for entry in ctx.fs.files:
        for lang, rx in compiled.items():
            if rx.search(entry.path):
                files[lang].append(entry.path)
                break
    suites: list[TestSuite] = []
    for lang, paths in files.items():
        inline = _rust_inline(ctx) if lang == "Rust" else []
        markers = _markers(ctx, lang, paths) if paths or lang == "C/C++" else []
        ctest = lang == "C/C++" and any("CTest" in m.message for m in markers)
        if not (paths or inline or ctest):
            continue
        frameworks = [m.message.split(": ", 1)[1] for m in markers]
        folders = sorted({f for p in paths if (f := _folder(p))})
        suites.append(
            TestSuite(
                language=lang,
                files=tuple(paths),
                folders=tuple(folders[:5]),
                frameworks=tuple(frameworks or [DEFAULT_FRAMEWORK[lang]]),
                markers=tuple(markers),
                inline=tuple(inline),
            )
        )
    return tuple(suites)


def code_files(ctx: RepoContext) -> list[str]:
    """Main code files (not tests, build scripts or docs): what unit tests should cover."""
    return [
        f.path
        for f in ctx.fs.files
        if f.suffix in CODE_SUFFIXES and not is_test_path(f.path) and not _NOT_CODE.search(f.path)
    ]


def suites_evidence(suites: Iterable[TestSuite]) -> list[Evidence]:
    """One summary line per suite (with its first files) followed by its framework markers."""
    evidence: list[Evidence] = []
    for suite in suites:
        first = suite.folders[0] if suite.folders else (suite.files or ("",))[0] or None
        evidence.append(
            Evidence(message=suite.summary(), path=first, value=list(suite.files[:5]) or None)
        )
        evidence += [*suite.markers, *suite.inline[:3]]
    return evidence
