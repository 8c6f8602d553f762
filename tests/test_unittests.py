"""QC.Uni02 (tests present, apart from the code) and the QC.Uni01 paths that run no container."""

from __future__ import annotations

import pytest

import sqaaas.platform.containers as containers_module
from sqaaas.core.outcomes import Outcome
from tests.conftest import assess_repo, report_hint, run_probe

# --- QC.Uni02: uni.tests_present ------------------------------------------------------------


def test_python_tests_in_a_tests_folder_pass_with_the_framework(repo_factory):
    repo = repo_factory(
        {
            "pkg/__init__.py": "VALUE = 1\n",
            "tests/test_pkg.py": "import pytest\n\n\ndef test_value():\n    assert True\n",
            "tests/test_more.py": "import unittest\n\n\nclass T(unittest.TestCase):\n    pass\n",
            "pyproject.toml": '[project]\nname = "pkg"\n\n[tool.pytest.ini_options]\n',
        }
    )
    finding = run_probe(repo, "uni.tests_present")
    assert finding.outcome is Outcome.PASS
    summary = finding.evidence[0]
    assert summary.message == "Python tests (pytest, unittest): 2 test file(s) in tests/"
    assert summary.path == "tests"
    assert summary.value == ["tests/test_more.py", "tests/test_pkg.py"]
    markers = {e.message: (e.path, e.line) for e in finding.evidence[1:]}
    assert markers["Python test framework: unittest"] == ("tests/test_more.py", 4)
    assert markers["Python test framework: pytest"][0] in ("tests/test_pkg.py", "pyproject.toml")


def test_conftest_marks_pytest(repo_factory):
    repo = repo_factory({"src/app.py": "x = 1\n", "tests/conftest.py": "", "tests/test_a.py": ""})
    finding = run_probe(repo, "uni.tests_present")
    assert finding.evidence[1].message == "Python test framework: pytest"
    assert finding.evidence[1].path == "tests/conftest.py"


def test_tests_next_to_the_code_are_reported_as_such(repo_factory):
    repo = repo_factory({"pkg/core.py": "x = 1\n", "pkg/test_core.py": "def test_x():\n    pass\n"})
    finding = run_probe(repo, "uni.tests_present")
    assert finding.outcome is Outcome.PASS
    assert finding.evidence[0].message == "Python tests (pytest): 1 test file(s) next to the code"
    assert finding.evidence[0].path == "pkg/test_core.py"


@pytest.mark.parametrize(
    ("files", "summary", "marker"),
    [
        (
            {"main.go": "package main\n", "main_test.go": "package main\n",
             "go.mod": "module x\nrequire github.com/stretchr/testify v1.9.0\n"},
            "Go tests (testify): 1 test file(s) next to the code",
            ("go.mod", 2),
        ),
        (
            {"pom.xml": "<project>\n  <artifactId>junit-jupiter</artifactId>\n</project>\n",
             "src/main/java/A.java": "class A {}\n",
             "src/test/java/ATest.java": "class ATest {}\n"},
            "Java/Kotlin/Scala tests (JUnit): 1 test file(s) in src/test/",
            ("pom.xml", 2),
        ),
        (
            {"package.json": '{\n  "devDependencies": {\n    "jest": "^29"\n  }\n}\n',
             "src/sum.js": "module.exports = 1\n", "src/sum.test.js": "test('x', () => {})\n"},
            "JavaScript/TypeScript tests (jest): 1 test file(s) next to the code",
            ("package.json", 3),
        ),
        (
            {"DESCRIPTION": "Package: x\nSuggests: testthat\n", "R/f.R": "f <- 1\n",
             "tests/testthat.R": "library(testthat)\n",
             "tests/testthat/test-f.R": "test_that('f', {})\n"},
            "R tests (testthat): 2 test file(s) in tests/",
            ("DESCRIPTION", 2),
        ),
        (
            {"src/X.jl": "module X end\n", "test/runtests.jl": "using Test\n@test true\n"},
            "Julia tests (Julia Test): 1 test file(s) in test/",
            ("test/runtests.jl", 1),
        ),
        (
            {"CMakeLists.txt": "project(x)\nenable_testing()\nadd_test(NAME t COMMAND t)\n",
             "src/x.cpp": "int main() {}\n"},
            "C/C++ tests (CTest): ",
            ("CMakeLists.txt", 2),
        ),
    ],
)
def test_other_languages_are_recognised(repo_factory, files, summary, marker):
    finding = run_probe(repo_factory(files), "uni.tests_present")
    assert finding.outcome is Outcome.PASS
    assert finding.evidence[0].message == summary
    assert (finding.evidence[1].path, finding.evidence[1].line) == marker


def test_rust_in_module_tests_count(repo_factory):
    code = "pub fn f() -> i32 { 1 }\n\n#[cfg(test)]\nmod tests {\n    #[test]\n    fn t() {}\n}\n"
    finding = run_probe(repo_factory({"Cargo.toml": "[package]\n", "src/lib.rs": code}),
                        "uni.tests_present")
    assert finding.outcome is Outcome.PASS
    assert finding.evidence[0].message == "Rust tests (cargo test): 1 in-module test block(s)"
    assert (finding.evidence[1].path, finding.evidence[1].line) == ("src/lib.rs", 3)


def test_no_tests_fails_with_a_hint(repo_factory):
    repo = repo_factory({"pkg/__init__.py": "x = 1\n", "pkg/core.py": "def f():\n    return 1\n"})
    finding = run_probe(repo, "uni.tests_present")
    assert finding.outcome is Outcome.FAIL
    assert finding.evidence[0].message.startswith("no unit tests found next to 2 code file(s)")
    assert "tests/" in report_hint(repo, "QC.Uni02")


def test_docs_only_repository_has_nothing_to_test(repo_factory):
    finding = run_probe(repo_factory({"README.md": "# Notes\n"}), "uni.tests_present")
    assert finding.outcome is Outcome.NOT_APPLICABLE


# --- QC.Uni01: uni.coverage without containers ------------------------------------------------


def test_tests_of_other_languages_are_not_automated_and_say_why(repo_factory):
    repo = repo_factory({"main.go": "package main\n", "main_test.go": "package main\n"})
    finding = run_probe(repo, "uni.coverage")
    assert finding.outcome is Outcome.NOT_AUTOMATED
    assert finding.evidence[0].message == "Go tests (go test): 1 test file(s) next to the code"
    assert finding.evidence[-1].message.startswith("not automated for Go: sqaaas runs Python "
                                                   "test suites and JavaScript/TypeScript")


def test_code_without_any_test_fails(repo_factory):
    finding = run_probe(repo_factory({"tool.py": "print(1)\n"}), "uni.coverage")
    assert finding.outcome is Outcome.FAIL
    assert finding.evidence[0].message == "no unit tests found, so none of the 1 code file(s) " \
        "is covered"


def test_nothing_to_cover_is_not_applicable(repo_factory):
    finding = run_probe(repo_factory({"README.md": "# Notes\n"}), "uni.coverage")
    assert finding.outcome is Outcome.NOT_APPLICABLE


def test_without_an_engine_the_run_is_an_error_naming_sqaaas_setup(repo_factory, monkeypatch):
    monkeypatch.setattr(containers_module, "find_engine", lambda: None)
    repo = repo_factory({"calc.py": "x = 1\n", "tests/test_calc.py": "def test_x():\n    pass\n"})
    finding = run_probe(repo, "uni.coverage")
    assert finding.outcome is Outcome.ERROR
    assert "no container engine found" in finding.evidence[0].message
    assert "sqaaas setup" in (finding.hint or "")


def test_uni_criterion_is_wired_to_the_probes(repo_factory, monkeypatch):
    monkeypatch.setattr(containers_module, "find_engine", lambda: None)
    repo = repo_factory({"calc.py": "x = 1\n", "tests/test_calc.py": "def test_x():\n    pass\n"})
    result = assess_repo(repo, criteria=["QC.Uni"]).criteria["QC.Uni"]
    subs = result.subcriteria
    assert subs["QC.Uni01"].outcome is Outcome.ERROR and subs["QC.Uni01"].probes == ["uni.coverage"]
    assert subs["QC.Uni02"].outcome is Outcome.PASS
    assert subs["QC.Uni01.1"].outcome is Outcome.NOT_AUTOMATED
