"""QC.Uni01 for JavaScript/TypeScript: the package's own test script (npm test, yarn test,
pnpm test) runs in the Node.js sandbox; its exit code decides, the counts come from its
runner's summary and the coverage from the tool's own report. The fixtures need no package
from the registry: Node's own test runner (node --test) and its coverage table.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sqaaas.core.outcomes import Outcome
from sqaaas.repofs import RepoFS
from sqaaas.sandbox.node_plan import node_plan
from sqaaas.sandbox.node_results import (
    parse_counts,
    parse_json_summary,
    parse_lcov,
    parse_node_table,
)
from tests.conftest import run_probe
from tests.containers_support import in_containers

DATA = Path(__file__).parent / "data" / "node"

CALC = (
    "function add(a, b) {\n  return a + b;\n}\n\nfunction sub(a, b) {\n  return a - b;\n}\n\n"
    "module.exports = { add, sub };\n"
)
TESTS = (
    "const test = require('node:test');\nconst assert = require('node:assert');\n"
    "const { add, sub } = require('../src/calc.js');\n\n"
    "test('adds', () => {\n  assert.strictEqual(add(1, 2), 3);\n});\n\n"
    "test('subtracts', () => {\n  assert.strictEqual(sub(3, 2), 1);\n});\n"
)
WRONG = TESTS + "\ntest('adds wrongly', () => {\n  assert.strictEqual(add(2, 2), 5);\n});\n"


def _package(test: str, **extra: object) -> str:
    return json.dumps({"name": "calc", "version": "1.0.0", "scripts": {"test": test}, **extra})


def _repo(repo_factory, tests: str = TESTS, script: str = "node --test "
          "--experimental-test-coverage", **files: str):
    return repo_factory({"package.json": _package(script), "src/calc.js": CALC,
                         "test/calc.test.js": tests, **files})


# ---- plans and reports (no containers) ----------------------------------------------------


def test_the_plan_reads_the_test_script_the_package_manager_and_the_install_files(
    repo_factory,
):
    repo = repo_factory({
        "package.json": _package("vitest run", devDependencies={"vitest": "^1.0.0"},
                                 workspaces=["packages/*"]),
        "packages/ui/package.json": '{"name": "ui"}', "pnpm-lock.yaml": "lockfileVersion: '9.0'\n",
        "node_modules/x/package.json": "{}",
    })
    plan = node_plan(RepoFS(repo))
    assert plan is not None
    assert (plan.manager, plan.test_script, plan.locked, plan.has_dependencies) == (
        "pnpm", "vitest run", True, True)
    assert sorted(plan.files) == ["package.json", "packages/ui/package.json", "pnpm-lock.yaml"]
    assert plan.command == "pnpm test" and plan.unsupported is None


@pytest.mark.parametrize(
    ("files", "manager", "script", "unsupported"),
    [
        ({"package.json": _package('echo "Error: no test specified" && exit 1')}, "npm", None,
         False),
        ({"package.json": _package("jest"), "yarn.lock": "# yarn lockfile v1\n"}, "yarn", "jest",
         False),
        ({"package.json": _package("jest", packageManager="yarn@4.1.0"), "yarn.lock": "x"},
         "yarn", "jest", True),
        ({"package.json": _package("mocha"), "package-lock.json": "{}"}, "npm", "mocha", False),
    ],
    ids=["npm-placeholder", "yarn-classic", "yarn-berry", "npm-lock"],
)
def test_placeholder_scripts_managers_and_yarn_berry(
    repo_factory, files, manager, script, unsupported
):
    plan = node_plan(RepoFS(repo_factory(files)))
    assert plan is not None and (plan.manager, plan.test_script) == (manager, script)
    assert (plan.unsupported is not None) is unsupported
    assert node_plan(RepoFS(repo_factory({"index.js": CALC}))) is None


@pytest.mark.parametrize(
    ("output", "expected"),
    [
        ("Tests:       1 failed, 2 skipped, 4 passed, 7 total\n", ("Jest", 4, 1, 2)),
        ("\x1b[2m      Tests \x1b[22m 1 failed | 3 passed (4)\n", ("Vitest", 3, 1, 0)),
        ("  5 passing (12ms)\n  2 pending\n  1 failing\n", ("Mocha", 5, 1, 2)),
        ("1..3\n# tests 3\n# pass 2\n# fail 1\n# skipped 0\n", ("node --test (TAP)", 2, 1, 0)),
        ("7 specs, 2 failures\n", ("Jasmine", 5, 2, 0)),
    ],
    ids=["jest", "vitest", "mocha", "node-test", "jasmine"],
)
def test_runner_summaries_give_the_counts(output, expected):
    counts = parse_counts("noise\n" + output)
    assert counts is not None
    assert (counts.runner, counts.passed, counts.failed, counts.skipped) == expected
    assert parse_counts("all good\n") is None


def test_coverage_reports_of_the_test_tools_are_read():
    """Jest's own json-summary and lcov files (tests/data/node/README.md), Node's table."""
    summary = (DATA / "jest-coverage-summary.json").read_bytes()
    found = parse_json_summary(summary, "/work/tree")
    assert found is not None and (found.percent, found.statements, found.covered) == (66.7, 3, 2)
    assert [(f.path, f.missing) for f in found.worst] == [("src/calc.js", 1)]
    found = parse_lcov((DATA / "jest-lcov.info").read_bytes(), "/work/tree")
    assert found is not None and (found.percent, found.statements, found.covered) == (66.7, 3, 2)
    assert found.worst[0].path == "src/calc.js" and found.source == "coverage/lcov.info"
    table = "# start of coverage report\n# all files | 87.50 | 100.00 | 75.00 |\n"
    assert parse_node_table(table).percent == 87.5  # type: ignore[union-attr]
    for broken in (b"", b"{", b'{"total": {}}', b"[]"):
        assert parse_json_summary(broken, "/work/tree") is None
    assert parse_lcov(b"garbage", "/work/tree") is None and parse_node_table("") is None


# ---- the package's test script in the sandbox --------------------------------------------


@in_containers(timeout=300)
def test_passing_package_tests_with_coverage_pass(repo_factory):
    finding = run_probe(_repo(repo_factory), "uni.coverage")
    assert finding.outcome is Outcome.PASS, finding.evidence
    messages = [e.message for e in finding.evidence]
    assert messages[0] == "tests: 2 passed, 0 failed, 0 errors, 0 skipped"
    assert finding.evidence[0].tool == "npm test (node --test (TAP))"
    assert messages[1].startswith("line coverage 100 %, threshold 70 %; read from Node's test "
                                  "runner coverage table")


@in_containers(timeout=300)
def test_a_failing_package_test_fails(repo_factory):
    finding = run_probe(_repo(repo_factory, WRONG), "uni.coverage")
    assert finding.outcome is Outcome.FAIL, finding.evidence
    assert finding.evidence[0].message == "tests: 2 passed, 1 failed, 0 errors, 0 skipped"
    assert "Fix the failing tests; the full output is in" in (finding.hint or "")


@in_containers(timeout=300)
def test_passing_tests_without_coverage_are_not_automated_not_passed(repo_factory):
    finding = run_probe(_repo(repo_factory, script="node --test"), "uni.coverage")
    assert finding.outcome is Outcome.NOT_AUTOMATED, finding.evidence
    assert "coverage is not measured" in finding.evidence[0].message
    assert "--coverage" in (finding.hint or "")


def test_a_package_without_a_test_script_is_not_automated(repo_factory):
    repo = _repo(repo_factory, script='echo "Error: no test specified" && exit 1')
    finding = run_probe(repo, "uni.coverage")
    assert finding.outcome is Outcome.NOT_AUTOMATED
    assert any("package.json has no test script" in e.message for e in finding.evidence)


LIB = "function add(a, b) {\n  return a + b;\n}\n\nmodule.exports = { add };\n"
LIB_TESTS = (
    "const test = require('node:test');\nconst assert = require('node:assert');\n"
    "const { add } = require('calc-lib');\n\n"
    "test('adds', () => {\n  assert.strictEqual(add(1, 2), 3);\n});\n"
)


@in_containers(timeout=300)
def test_dependencies_are_installed_then_the_tests_run_offline(repo_factory):
    """A local dependency (file:), so that the install step runs without the registry."""
    package = _package("node --test --experimental-test-coverage",
                       dependencies={"calc-lib": "file:libs/calc-lib"})
    repo = repo_factory({
        "package.json": package, "test/calc.test.js": LIB_TESTS,
        "libs/calc-lib/package.json": '{"name": "calc-lib", "version": "1.0.0"}',
        "libs/calc-lib/index.js": LIB,
    })
    finding = run_probe(repo, "uni.coverage")
    assert finding.outcome is Outcome.PASS, finding.evidence
    assert finding.evidence[0].message == "tests: 1 passed, 0 failed, 0 errors, 0 skipped"


@in_containers(timeout=300)
def test_a_failed_dependency_install_is_an_error_with_the_log(repo_factory):
    """A lock file out of step with package.json: npm ci refuses, without the registry."""
    package = _package("node --test", dependencies={"calc-lib": "file:libs/calc-lib"})
    lock = json.dumps({"name": "calc", "version": "1.0.0", "lockfileVersion": 3,
                       "requires": True, "packages": {"": {"name": "calc", "version": "1.0.0"}}})
    repo = repo_factory({
        "package.json": package, "package-lock.json": lock, "test/calc.test.js": LIB_TESTS,
        "libs/calc-lib/package.json": '{"name": "calc-lib", "version": "1.0.0"}',
        "libs/calc-lib/index.js": LIB,
    })
    finding = run_probe(repo, "uni.coverage")
    assert finding.outcome is Outcome.ERROR, finding.evidence
    assert finding.evidence[0].message.startswith("installing the repository's dependencies "
                                                  "failed")
    log = Path(finding.evidence[1].message.rpartition(": ")[2]).read_text()
    assert "npm ci --install-links=false --ignore-scripts" in log and "in sync" in log
    assert "--ignore-scripts" in (finding.hint or "")
