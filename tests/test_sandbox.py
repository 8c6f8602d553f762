"""Running assessed test suites in the sandbox: hostile repositories, verdicts, cache, parsing.

The container tests run real containers (marker ``containers``); each hostile repository
must end with a clear verdict, quickly, and leave the host untouched.
"""

from __future__ import annotations

import json
import os
import socket
import time
import uuid
from pathlib import Path

import pytest

from sqaaas.core.outcomes import Outcome
from sqaaas.platform.containers import Limits
from sqaaas.repofs import RepoFS
from sqaaas.sandbox import RunStatus, SandboxOptions, run_python_tests
from sqaaas.sandbox.plan import coverage_config, install_plan
from sqaaas.sandbox.report import finding_for
from sqaaas.sandbox.results import parse_coverage, parse_junit, read_output_file
from sqaaas.sandbox.runner import last_test_started, tree_identity
from tests.conftest import run_probe
from tests.containers_support import in_containers, ready_engine_fixture  # noqa: F401 (fixture)
from tests.repos import commit_all

SMALL = SandboxOptions(
    install=Limits(cpus=2, memory="1g", pids=256, wall_time=180),
    tests=Limits(cpus=1, memory="512m", pids=64, wall_time=60),
    per_test_timeout=30,
)

CALC = '''"""A tiny package under test."""


def add(a, b):
    return a + b


def sub(a, b):
    return a - b


def mul(a, b):
    return a * b


def div(a, b):
    if b == 0:
        raise ZeroDivisionError("b is zero")
    return a / b
'''
TESTS_GOOD = '''from calc import add, div, mul, sub


def test_add():
    assert add(1, 2) == 3


def test_sub_mul():
    assert sub(3, 1) == 2 and mul(2, 3) == 6


def test_div():
    assert div(6, 3) == 2
'''


def _run(repo: Path, tmp_path: Path, options: SandboxOptions = SMALL):
    return run_python_tests(repo, cache_dir=tmp_path / "cache", options=options)


# --- verdicts on ordinary repositories -----------------------------------------------------


@in_containers()
def test_well_tested_project_passes_with_numbers(repo_factory):
    pyproject = (
        '[build-system]\nrequires = ["setuptools>=64"]\nbuild-backend = "setuptools.build_meta"\n'
        '\n[project]\nname = "calc"\nversion = "1.0"\n\n[tool.setuptools]\npackages = ["calc"]\n'
    )
    repo = repo_factory(
        {"calc/__init__.py": CALC, "tests/test_calc.py": TESTS_GOOD, "pyproject.toml": pyproject}
    )
    finding = run_probe(repo, "uni.coverage")  # the real probe: install step, then tests
    assert finding.outcome is Outcome.PASS, finding.model_dump()
    messages = [e.message for e in finding.evidence]
    assert messages[0] == "tests: 3 passed, 0 failed, 0 errors, 0 skipped"
    assert messages[1].startswith("line coverage 90 % (9 of 10 statements), threshold 70 %")
    least = finding.evidence[2]
    assert (least.path, least.value) == ("calc/__init__.py", 90.0)
    assert any(m.startswith("test run log (rc 0") for m in messages)


@in_containers()
def test_low_coverage_fails_naming_the_least_covered_file(repo_factory, tmp_path):
    tests = "from calc import add\n\n\ndef test_add():\n    assert add(1, 2) == 3\n"
    repo = repo_factory({"calc/__init__.py": CALC, "tests/test_calc.py": tests})
    run = _run(repo, tmp_path)
    assert run.install is None  # nothing to install: no install container at all
    finding = finding_for(run, 70.0)
    assert finding.outcome is Outcome.FAIL
    assert finding.evidence[1].message.startswith("line coverage 50 % (5 of 10 statements)")
    assert finding.evidence[2].path == "calc/__init__.py"
    assert "calc/__init__.py" in (finding.hint or "")
    assert finding_for(run, 50.0).outcome is Outcome.PASS  # the threshold decides


@in_containers()
def test_failing_test_fails_and_is_named(repo_factory, tmp_path):
    tests = TESTS_GOOD + "\n\ndef test_wrong():\n    assert add(2, 2) == 5, 'arithmetic'\n"
    repo = repo_factory({"calc/__init__.py": CALC, "tests/test_calc.py": tests})
    finding = finding_for(_run(repo, tmp_path), 70.0)
    assert finding.outcome is Outcome.FAIL
    assert finding.evidence[0].message == "tests: 3 passed, 1 failed, 0 errors, 0 skipped"
    failure = finding.evidence[1]
    assert failure.message == "failed: tests.test_calc::test_wrong"
    assert "arithmetic" in (failure.excerpt or "")
    assert "tests.test_calc::test_wrong" in (finding.hint or "")


@in_containers()
def test_failed_dependency_install_is_an_error_with_the_log(repo_factory, tmp_path):
    repo = repo_factory(
        {
            "calc/__init__.py": CALC,
            "tests/test_calc.py": TESTS_GOOD,
            "requirements.txt": "numpy >= 1.0\nthis is not a requirement ===\n",
        }
    )
    run = _run(repo, tmp_path)
    assert run.status is RunStatus.INSTALL_FAILED and run.tests is None
    finding = finding_for(run, 70.0)
    assert finding.outcome is Outcome.ERROR
    assert finding.evidence[0].message.startswith("installing the repository's dependencies failed")
    log = finding.evidence[1]
    assert "this is not a requirement" in (log.excerpt or "")
    log_path = Path(run.install.log)  # type: ignore[union-attr]
    assert log_path.is_file() and str(log_path) in log.message
    assert "Invalid requirement" in log_path.read_text()


@in_containers()
def test_unchanged_commit_is_served_from_the_cache(repo_factory, tmp_path):
    repo = repo_factory({"calc/__init__.py": CALC, "tests/test_calc.py": TESTS_GOOD})
    first = _run(repo, tmp_path)
    started = time.monotonic()
    again = _run(repo, tmp_path)
    assert again.cached and not first.cached
    assert time.monotonic() - started < 1.5
    assert again.model_dump(exclude={"cached"}) == first.model_dump(exclude={"cached"})
    (repo / "tests" / "test_more.py").write_text("def test_more():\n    assert True\n")
    changed = _run(repo, tmp_path)  # uncommitted change: the content hash differs
    assert not changed.cached and changed.passed == 4


SIX_TEST = "import six\n\n\ndef test_six():\n    assert six.PY3\n"
REUSED = "wheel(s) of an identical earlier download reused, nothing downloaded"


@in_containers(timeout=300)
def test_a_changed_tree_reuses_the_wheels_of_an_identical_download(repo_factory, tmp_path):
    """The dependencies come from PyPI once (a package install from the registry); a second
    run of a changed tree with the same requirements copies the same wheels back offline,
    while changed requirements download again."""
    repo = repo_factory({"calc/__init__.py": CALC, "tests/test_calc.py": TESTS_GOOD,
                         "tests/test_six.py": SIX_TEST, "requirements.txt": "six==1.16.0\n"})
    first = _run(repo, tmp_path)
    assert first.passed == 4, first
    assert REUSED not in Path(first.install.log).read_text()  # type: ignore[union-attr]
    (repo / "tests" / "test_more.py").write_text("def test_more():\n    assert True\n")
    second = _run(repo, tmp_path)
    assert not second.cached and second.passed == 5, second
    log = Path(second.install.log).read_text()  # type: ignore[union-attr]
    assert "1 wheel(s) of an identical earlier download reused" in log
    assert "pip download" not in log and "Saved " not in log
    (repo / "requirements.txt").write_text("six==1.15.0\n")
    third = _run(repo, tmp_path)
    assert third.passed == 5, third
    assert REUSED not in Path(third.install.log).read_text()  # type: ignore[union-attr]


# --- hostile repositories ------------------------------------------------------------------


@in_containers()
def test_endless_test_is_stopped_by_the_wall_time(repo_factory, tmp_path):
    hang = (
        "import signal\n\n\ndef test_forever():\n"
        "    signal.signal(signal.SIGALRM, signal.SIG_IGN)  # defeats pytest-timeout\n"
        "    while True:\n        pass\n"
    )
    repo = repo_factory({"calc/__init__.py": CALC, "tests/test_hang.py": hang})
    options = SandboxOptions(install=SMALL.install, tests=Limits(wall_time=8), per_test_timeout=5)
    started = time.monotonic()
    run = _run(repo, tmp_path, options)
    assert time.monotonic() - started < 30
    finding = finding_for(run, 70.0)
    assert finding.outcome is Outcome.FAIL
    assert finding.evidence[0].message == (
        "the test run timed out after 8 s while running tests/test_hang.py::test_forever"
    )


@in_containers()
def test_endless_test_is_stopped_by_the_per_test_timeout(repo_factory, tmp_path):
    hang = "def test_spin():\n    while True:\n        pass\n"
    repo = repo_factory({"calc/__init__.py": CALC, "tests/test_spin.py": hang})
    options = SandboxOptions(install=SMALL.install, tests=SMALL.tests, per_test_timeout=2)
    finding = finding_for(_run(repo, tmp_path, options), 70.0)
    assert finding.outcome is Outcome.FAIL
    assert finding.evidence[1].message == "failed: tests.test_spin::test_spin"
    assert "Timeout" in (finding.evidence[1].excerpt or "")


NETWORK = """import socket


def test_reaches_the_host():
    socket.create_connection(("127.0.0.1", {port}), timeout=3).close()


def test_reaches_the_internet():
    socket.create_connection(("1.1.1.1", 443), timeout=3).close()
"""


@in_containers()
def test_network_access_fails_inside(repo_factory, tmp_path):
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    port = server.getsockname()[1]
    repo = repo_factory({"calc/__init__.py": CALC, "tests/test_net.py": NETWORK.format(port=port)})
    try:
        finding = finding_for(_run(repo, tmp_path), 70.0)
        server.settimeout(0.1)
        with pytest.raises(TimeoutError):
            server.accept()  # nobody ever connected to the host
    finally:
        server.close()
    assert finding.outcome is Outcome.FAIL
    failed = {e.message: e.excerpt for e in finding.evidence if e.message.startswith("failed:")}
    assert set(failed) == {
        "failed: tests.test_net::test_reaches_the_host",
        "failed: tests.test_net::test_reaches_the_internet",
    }
    internet = failed["failed: tests.test_net::test_reaches_the_internet"] or ""
    assert "Network is unreachable" in internet


WRITER = """import os

TARGETS = [
    "/src/calc/__init__.py",  # the repository, mounted read-only
    "/src/planted.txt",
    {victim!r},  # a host file outside the repository
    {outside!r},  # a new host file next to it
]


def test_write_everywhere():
    for path in TARGETS:
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as handle:
                handle.write("pwned")
        except OSError:
            pass
"""


@in_containers()
def test_writes_outside_the_sandbox_leave_the_host_unchanged(repo_factory, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("host data")
    outside = tmp_path / "created-by-test.txt"
    test = WRITER.format(victim=str(victim), outside=str(outside))
    repo = repo_factory({"calc/__init__.py": CALC, "tests/test_writer.py": test})
    run = _run(repo, tmp_path)
    assert run.status is RunStatus.COMPLETED and run.passed == 1  # it ran, and finished
    assert victim.read_text() == "host data"
    assert not outside.exists()
    assert (repo / "calc" / "__init__.py").read_text() == CALC
    assert not (repo / "planted.txt").exists()


FORK_BOMB = """import os
import time


def test_fork_bomb():
    children = 0
    try:
        while children < 10000:  # bounded, in case the limit failed
            if os.fork() == 0:
                time.sleep(3)
                os._exit(0)
            children += 1
            time.sleep(0.001)
    except OSError as exc:
        raise AssertionError(f"forked {{children}} children, then: {{exc.strerror}}")
"""


@in_containers()
def test_fork_bomb_hits_the_pids_limit(repo_factory, tmp_path):
    repo = repo_factory({"calc/__init__.py": CALC, "tests/test_bomb.py": FORK_BOMB.format()})
    finding = finding_for(_run(repo, tmp_path), 70.0)
    assert finding.outcome is Outcome.FAIL
    failure = finding.evidence[1]
    assert failure.message == "failed: tests.test_bomb::test_fork_bomb"
    assert "Resource temporarily unavailable" in (failure.excerpt or "")
    children = int((failure.excerpt or "").split("forked ")[1].split()[0])
    assert children < SMALL.tests.pids


SNOOP = """import atexit
import os

SECRET = {secret!r}
seen = []
for path in (SECRET, "/src/../secret.txt", os.path.join(os.path.dirname(__file__), "leak.txt")):
    try:
        with open(path) as handle:
            seen.append("LEAKED " + handle.read())
    except OSError as exc:
        seen.append(f"blocked {{path}} {{exc.strerror}}")
with open("/out/loot.txt", "w") as loot:  # what the host would pick up
    loot.write("\\n".join(seen))


def _plant_links():
    # replace the reports with links to the host secret, hoping the host follows them
    for name in ("junit.xml", "coverage.json"):
        try:
            os.remove("/out/" + name)
        except OSError:
            pass
        os.symlink(SECRET, "/out/" + name)


atexit.register(_plant_links)
"""


@in_containers()
def test_conftest_cannot_read_host_files(repo_factory, tmp_path):
    marker = f"SQAAAS-SECRET-{uuid.uuid4().hex}"
    secret = tmp_path / "secret.txt"
    secret.write_text(marker)
    repo = repo_factory(
        {
            "calc/__init__.py": CALC,
            "tests/test_calc.py": TESTS_GOOD,
            "conftest.py": SNOOP.format(secret=str(secret)),
        }
    )
    os.symlink(secret, repo / "leak.txt")  # a link in the repository to the host file
    commit_all(repo)
    run = _run(repo, tmp_path)
    finding = finding_for(run, 70.0)
    assert finding.outcome is Outcome.ERROR  # no readable reports: never a pass
    loot = (Path(run.log_dir) / "out" / "loot.txt").read_text()
    assert f"blocked {secret} No such file or directory" in loot  # the conftest did run
    everything = finding.model_dump_json() + run.model_dump_json() + loot
    for log in Path(run.log_dir).glob("*.log"):
        everything += log.read_text()
    assert marker not in everything
    planted = Path(run.log_dir) / "out" / "junit.xml"
    assert not planted.exists() and not planted.is_symlink()  # the link was never copied out
    assert "not collected: 'junit.xml'" in (Path(run.log_dir) / "collect.log").read_text()


# --- pieces that need no container -----------------------------------------------------------


def test_install_plan_reads_project_extras_groups_and_requirements(repo_factory):
    pyproject = (
        '[project]\nname = "x"\nversion = "1"\n[project.optional-dependencies]\n'
        'test = ["pytest"]\ndocs = ["sphinx"]\n[dependency-groups]\ndev = ["ruff"]\n'
    )
    repo = repo_factory(
        {
            "pyproject.toml": pyproject,
            "requirements.txt": "requests\n",
            "requirements-dev.txt": "pytest\n",
            "docs-requirements.txt": "sphinx\n",
            "requirements/test.txt": "hypothesis\n",
        }
    )
    plan = install_plan(RepoFS(repo))
    assert plan.project and plan.extras == ("test",) and plan.groups == ("dev",)
    assert plan.requirements == (
        "requirements-dev.txt",
        "requirements.txt",
        "requirements/test.txt",
    )
    tools_only = repo_factory({"tests/test_x.py": "", "pyproject.toml": "[tool.black]\n"})
    assert install_plan(RepoFS(tools_only)).empty  # tool settings alone: nothing to install


def test_repository_coverage_settings_are_found(repo_factory):
    assert coverage_config(RepoFS(repo_factory({"setup.cfg": "[coverage:run]\nbranch = 1\n"})))
    assert coverage_config(RepoFS(repo_factory({"pyproject.toml": "[tool.coverage.run]\n"})))
    assert coverage_config(RepoFS(repo_factory({"setup.cfg": "[metadata]\nname = x\n"}))) is None


def test_junit_counts_and_failures():
    xml = b"""<testsuites><testsuite>
      <testcase classname="tests.test_a" name="test_ok"/>
      <testcase classname="tests.test_a" name="test_bad"><failure message="assert 1 == 2">
      trace</failure></testcase>
      <testcase classname="tests.test_a" name="test_skip"><skipped message="no"/></testcase>
      <testcase classname="" name="tests.test_b"><error message="collection failure"/></testcase>
    </testsuite></testsuites>"""
    counts, failures = parse_junit(xml)  # type: ignore[misc]
    assert counts == {"passed": 1, "failed": 1, "errors": 1, "skipped": 1}
    assert [(f.name, f.kind, f.message) for f in failures] == [
        ("tests.test_a::test_bad", "failed", "assert 1 == 2"),
        ("tests.test_b", "error", "collection failure"),
    ]
    assert parse_junit(b"<not xml") is None


def test_coverage_json_gives_line_coverage_and_worst_files():
    report = {
        "totals": {"num_statements": 30, "covered_lines": 21, "percent_covered": 65.0},
        "files": {
            "/work/tree/pkg/a.py": {"summary": {"num_statements": 10, "covered_lines": 10}},
            "pkg/b.py": {"summary": {"num_statements": 20, "covered_lines": 11}},
            "pkg/empty.py": {"summary": {"num_statements": 0, "covered_lines": 0}},
        },
    }
    percent, statements, covered, worst = parse_coverage(  # type: ignore[misc]
        json.dumps(report).encode(), "/work/tree"
    )
    assert (percent, statements, covered) == (70.0, 30, 21)
    assert [(f.path, f.percent, f.missing) for f in worst] == [("pkg/b.py", 55.0, 9),
                                                               ("pkg/a.py", 100.0, 0)]
    assert parse_coverage(b"{}", "/work/tree") is None


def test_output_files_are_read_without_following_links(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("host secret")
    (tmp_path / "out").mkdir()
    os.symlink(secret, tmp_path / "out" / "junit.xml")
    os.mkfifo(tmp_path / "out" / "coverage.json")
    assert read_output_file(tmp_path / "out" / "junit.xml") is None
    assert read_output_file(tmp_path / "out" / "coverage.json") is None  # a FIFO: no blocking
    (tmp_path / "out" / "ok.xml").write_bytes(b"<x/>")
    assert read_output_file(tmp_path / "out" / "ok.xml") == b"<x/>"


def test_tree_identity_is_the_commit_when_clean_and_a_hash_when_not(repo_factory):
    repo = repo_factory({"a.py": "x = 1\n"})
    clean = tree_identity(repo)
    assert clean.startswith("git:") and len(clean.split(":")[1]) == 40
    (repo / "a.py").write_text("x = 2\n")
    dirty = tree_identity(repo)
    assert dirty.startswith("tree:")
    (repo / "a.py").write_text("x = 3\n")
    assert tree_identity(repo) not in (dirty, clean)


def test_last_started_test_is_found_in_verbose_output():
    output = (
        "collecting ... collected 2 items\n"
        "tests/test_a.py::test_one PASSED   [ 50%]\n"
        "tests/test_a.py::test_two "
    )
    assert last_test_started(output) == "tests/test_a.py::test_two"
    assert last_test_started("no tests\n") is None
