"""QC.Har probes: test doubles used, kept apart from main code, and run per change."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from sqaaas.core.outcomes import Outcome
from sqaaas.facts.testsuites import is_test_path
from tests.conftest import report_hint, run_probe

Factory = Callable[..., Path]

PY_TEST_WITH_MOCK = '''"""Client tests."""
from unittest import mock

from example.client import fetch


def test_fetch() -> None:
    with mock.patch("example.client.get") as get:
        fetch("x")
    get.assert_called_once()
'''
PY_TEST_PLAIN = '''"""Plain tests."""
# from unittest import mock
from example.maths import add


def test_add() -> None:
    assert add(1, 2) == 3
'''
CI = "on: [push, pull_request]\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n"
CI += "      - run: pytest\n"


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("tests/test_client.py", True),
        ("pkg/client_test.go", True),
        ("src/test/java/org/x/ClientTest.java", True),
        ("web/src/api.test.ts", True),
        ("internal/mocks/store.go", True),
        ("conftest.py", True),
        ("pkg/client.go", False),
        ("example/contest.py", False),
        ("src/main/java/org/x/Client.java", False),
    ],
)
def test_test_paths(path: str, expected: bool) -> None:
    assert is_test_path(path) is expected


# --- QC.Har01: test doubles used ----------------------------------------------------------------


def test_mock_patch_in_tests_passes(repo_factory: Factory) -> None:
    repo = repo_factory({"tests/test_client.py": PY_TEST_WITH_MOCK, "example/client.py": "X = 1\n"})
    finding = run_probe(repo, "har.test_doubles")
    assert finding.outcome is Outcome.PASS
    hit = finding.evidence[1]
    assert (hit.path, hit.line, hit.message) == ("tests/test_client.py", 2, "unittest.mock")


@pytest.mark.parametrize(
    ("path", "code", "label"),
    [
        ("web/src/api.test.ts", "jest.mock('./http');\n", "Jest/Vitest mock"),
        ("pkg/store_test.go", 'import "github.com/golang/mock/gomock"\n', "Go mock"),
        (
            "src/test/java/org/x/ClientTest.java",
            "import static org.mockito.Mockito.when;\n",
            "Mockito/MockK/EasyMock",
        ),
        ("tests/test_io.py", "def test_env(monkeypatch):\n    pass\n", "pytest monkeypatch"),
        ("tests/fakes.py", "class FakeClock:\n    now = 0\n", "hand-written double"),
    ],
)
def test_doubles_of_several_languages(
    repo_factory: Factory, path: str, code: str, label: str
) -> None:
    finding = run_probe(repo_factory({path: code}), "har.test_doubles")
    assert finding.outcome is Outcome.PASS
    assert (finding.evidence[1].path, finding.evidence[1].message) == (path, label)


def test_tests_without_doubles_fail(repo_factory: Factory) -> None:
    repo = repo_factory({"tests/test_maths.py": PY_TEST_PLAIN, "example/maths.py": "X = 1\n"})
    finding = run_probe(repo, "har.test_doubles")
    assert finding.outcome is Outcome.FAIL
    assert finding.evidence[0].value == 1
    assert "monkeypatch" in report_hint(repo, "QC.Har01")  # the hint for a Python repository


def test_no_tests_fail(repo_factory: Factory) -> None:
    finding = run_probe(repo_factory({"example/maths.py": "X = 1\n"}), "har.test_doubles")
    assert finding.outcome is Outcome.FAIL
    assert "no test code found" in finding.evidence[0].message


# --- QC.Har02: doubles apart from main code -----------------------------------------------------


def test_doubles_only_in_tests_pass(repo_factory: Factory) -> None:
    repo = repo_factory(
        {
            "tests/test_client.py": PY_TEST_WITH_MOCK,
            "internal/mocks/store.go": 'import "github.com/stretchr/testify/mock"\n',
            "example/client.py": "def fetch(url):\n    return url\n",
        }
    )
    finding = run_probe(repo, "har.doubles_apart")
    assert finding.outcome is Outcome.PASS
    assert finding.evidence[0].value == ["internal/mocks/store.go", "tests/test_client.py"]


def test_mocking_library_in_main_code_fails(repo_factory: Factory) -> None:
    main = '"""Client."""\n\nfrom unittest.mock import MagicMock\n\nCLIENT = MagicMock()\n'
    repo = repo_factory({"tests/test_client.py": PY_TEST_WITH_MOCK, "example/client.py": main})
    finding = run_probe(repo, "har.doubles_apart")
    assert finding.outcome is Outcome.FAIL
    assert (finding.evidence[0].path, finding.evidence[0].line) == ("example/client.py", 3)
    assert "example/client.py" in (finding.hint or "")


def test_no_doubles_is_not_applicable(repo_factory: Factory) -> None:
    repo = repo_factory({"tests/test_maths.py": PY_TEST_PLAIN})
    assert run_probe(repo, "har.doubles_apart").outcome is Outcome.NOT_APPLICABLE


# --- QC.Har04: checked per change ---------------------------------------------------------------


def test_ci_running_tests_with_doubles_passes(repo_factory: Factory) -> None:
    repo = repo_factory(
        {".github/workflows/ci.yml": CI, "tests/test_client.py": PY_TEST_WITH_MOCK}
    )
    finding = run_probe(repo, "har.checked_per_change")
    assert finding.outcome is Outcome.PASS
    assert (finding.evidence[1].path, finding.evidence[1].line) == (".github/workflows/ci.yml", 6)
    assert finding.evidence[-1].value == ["tests/test_client.py"]


def test_tests_without_ci_fail(repo_factory: Factory) -> None:
    repo = repo_factory({"tests/test_client.py": PY_TEST_WITH_MOCK})
    finding = run_probe(repo, "har.checked_per_change")
    assert finding.outcome is Outcome.FAIL
    assert "no CI configuration" in finding.evidence[0].message
