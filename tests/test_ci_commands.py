"""Issue 15 §4: CI understood. Task indirection resolved to real commands (npm/yarn/pnpm
scripts, make, tox, nox, just, repository scripts, local actions), publishing recognised
from a data table, PR/MR templates found wherever forges look, and CI parts that live
outside the repository named and turned into "cannot tell" instead of a failure.

Each point has a passing and a failing fixture; the failing one differs only in the
thing the point is about.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from sqaaas.acquire import acquire
from sqaaas.context import make_context
from sqaaas.core.outcomes import Outcome
from sqaaas.facts.commands import Call, calls, command_lines
from sqaaas.facts.publishing import _publisher, publishers
from sqaaas.facts.tasks import parse_makefile, parse_noxfile, parse_tox_ini
from tests.conftest import run_probe

Factory = Callable[..., Path]


def workflow(*steps: str, on: str = "[push, pull_request]") -> str:
    lines = [f"on: {on}", "jobs:", "  ci:", "    runs-on: ubuntu-latest", "    steps:"]
    return "\n".join(lines + [f"      {step}" for step in steps]) + "\n"


def ci(*steps: str, on: str = "[push, pull_request]") -> dict[str, str]:
    """A repository's one GitHub workflow running ``steps``."""
    return {".github/workflows/ci.yml": workflow(*steps, on=on)}


def package_json(**scripts: str) -> str:
    return json.dumps({"name": "web", "version": "1.0.0", "scripts": scripts}, indent=2) + "\n"


def _lines(repo: Path) -> list[str]:
    return [c.describe() for c in command_lines(make_context(acquire(str(repo)))) if c.chain]


# --- 1. indirection: npm/yarn/pnpm scripts --------------------------------------------------


def test_npm_run_test_with_jest_coverage_counts_as_coverage_in_ci(repo_factory: Factory) -> None:
    repo = repo_factory({
        "package.json": package_json(test="jest --coverage"),
        ".github/workflows/ci.yml": workflow("- run: npm ci", "- run: npm run test"),
    })
    finding = run_probe(repo, "uni.coverage_in_ci")
    assert finding.outcome is Outcome.PASS
    first = finding.evidence[0]
    assert (first.path, first.line) == (".github/workflows/ci.yml", 7)
    assert first.excerpt == "npm run test -> package.json:5 scripts.test: jest --coverage"
    assert run_probe(repo, "wor.ci_runs_tests").outcome is Outcome.PASS


def test_npm_run_test_with_plain_jest_measures_no_coverage(repo_factory: Factory) -> None:
    repo = repo_factory({
        "package.json": package_json(test="jest"),
        ".github/workflows/ci.yml": workflow("- run: npm ci", "- run: npm run test"),
    })
    assert run_probe(repo, "uni.coverage_in_ci").outcome is Outcome.FAIL
    assert run_probe(repo, "wor.ci_runs_tests").outcome is Outcome.PASS  # tests still run


@pytest.mark.parametrize("step", ["npm run lint", "yarn lint", "pnpm run lint", "npm test"])
def test_package_manager_scripts_reach_the_linter(repo_factory: Factory, step: str) -> None:
    scripts = {"lint": "eslint . --max-warnings 0", "pretest": "npm run lint", "test": "vitest"}
    repo = repo_factory({
        "package.json": package_json(**scripts),
        ".github/workflows/ci.yml": workflow(f"- run: {step}"),
    })
    finding = run_probe(repo, "sty.linters_in_ci")
    assert finding.outcome is Outcome.PASS
    assert finding.evidence[0].message == "linter: ESLint"
    assert finding.evidence[0].excerpt.endswith("scripts.lint: eslint . --max-warnings 0")


def test_angular_scripts_run_tests_with_coverage_and_lint(repo_factory: Factory) -> None:
    scripts = {"ci": "npm run lint && ng test --watch=false --code-coverage", "lint": "ng lint"}
    repo = repo_factory({"package.json": package_json(**scripts), **ci("- run: npm run ci")})
    tests = run_probe(repo, "wor.ci_runs_tests")
    assert tests.outcome is Outcome.PASS
    assert tests.evidence[1].message == "runs tests (JavaScript test runner)"
    assert run_probe(repo, "uni.coverage_in_ci").outcome is Outcome.PASS
    assert run_probe(repo, "sty.linters_in_ci").outcome is Outcome.PASS
    idle = repo_factory({"package.json": package_json(**scripts), **ci("- run: npm run build")})
    assert run_probe(idle, "wor.ci_runs_tests").outcome is Outcome.FAIL


def test_lint_script_without_a_linter_is_not_a_linter(repo_factory: Factory) -> None:
    repo = repo_factory({
        "package.json": package_json(lint="node tools/check-licences.js"),
        ".github/workflows/ci.yml": workflow("- run: npm run lint"),
    })
    assert run_probe(repo, "sty.linters_in_ci").outcome is Outcome.FAIL


def test_script_in_a_sub_folder_package_is_found(repo_factory: Factory) -> None:
    repo = repo_factory({
        "frontend/package.json": package_json(lint="vue-cli-service lint && stylelint src"),
        ".github/workflows/ci.yml": workflow("- run: cd frontend && npm run lint"),
    })
    finding = run_probe(repo, "sty.linters_in_ci")
    assert finding.outcome is Outcome.PASS
    assert "frontend/package.json:5 scripts.lint" in finding.evidence[0].excerpt


def test_a_script_calling_itself_ends(repo_factory: Factory) -> None:
    repo = repo_factory({
        "package.json": package_json(test="npm run check", check="npm test"),
        ".github/workflows/ci.yml": workflow("- run: npm test"),
    })
    assert len(_lines(repo)) == 2  # test -> check, check -> test stops at the repeat


# --- 1. indirection: make, tox, nox, just, scripts, local actions -------------------------


def test_make_target_reaches_pytest_with_coverage(repo_factory: Factory) -> None:
    makefile = (
        "PYTEST ?= pytest --cov=pkg\n\n.PHONY: ci\nci: lint\n\t$(PYTEST) tests\n\n"
        "lint:\n\t@ruff check .\n"
    )
    repo = repo_factory({"Makefile": makefile, **ci("- run: make ci")})
    coverage = run_probe(repo, "uni.coverage_in_ci")
    assert coverage.outcome is Outcome.PASS
    assert coverage.evidence[0].excerpt == "make ci -> Makefile:5 target ci: pytest --cov=pkg tests"
    assert run_probe(repo, "wor.ci_runs_tests").outcome is Outcome.PASS
    linters = run_probe(repo, "sty.linters_in_ci")  # the prerequisite `lint` runs first
    assert linters.evidence[0].excerpt == "make ci -> Makefile:8 target lint: ruff check ."


def test_make_target_that_only_builds_runs_no_tests(repo_factory: Factory) -> None:
    makefile = ".PHONY: ci\nci:\n\tpython -m build\n"
    repo = repo_factory({"Makefile": makefile, **ci("- run: make ci")})
    assert run_probe(repo, "uni.coverage_in_ci").outcome is Outcome.FAIL
    assert run_probe(repo, "wor.ci_runs_tests").outcome is Outcome.FAIL


def test_make_target_running_a_go_test_wrapper_runs_tests(repo_factory: Factory) -> None:
    makefile = "richtest: install_deps\n\trichgo test -v ./...\n\ninstall_deps:\n\tgo get ./...\n"
    repo = repo_factory({"Makefile": makefile, **ci("- run: make richtest")})
    finding = run_probe(repo, "wor.ci_runs_tests")
    assert finding.outcome is Outcome.PASS
    assert finding.evidence[1].excerpt == (
        "make richtest -> Makefile:2 target richtest: richgo test -v ./..."
    )


TOX = """[tox]
envlist = py, lint

[testenv]
commands = pytest

[testenv:lint]
commands =
    flake8 src
"""


def test_tox_env_named_in_ci_runs_its_linter(repo_factory: Factory) -> None:
    repo = repo_factory({"tox.ini": TOX, **ci("- run: tox -e lint")})
    finding = run_probe(repo, "sty.linters_in_ci")
    assert finding.outcome is Outcome.PASS
    assert finding.evidence[0].excerpt == "tox -e lint -> tox.ini:9 [testenv:lint]: flake8 src"


def test_tox_env_not_called_by_ci_does_not_count(repo_factory: Factory) -> None:
    repo = repo_factory({"tox.ini": TOX, **ci("- run: tox -e py")})
    assert run_probe(repo, "sty.linters_in_ci").outcome is Outcome.FAIL
    assert run_probe(repo, "wor.ci_runs_tests").outcome is Outcome.PASS


def test_bare_tox_runs_the_envlist(repo_factory: Factory) -> None:
    repo = repo_factory({"tox.ini": TOX, **ci("- run: tox")})
    assert run_probe(repo, "sty.linters_in_ci").outcome is Outcome.PASS


def test_tox_env_from_a_variable_keeps_every_env(repo_factory: Factory) -> None:
    step = "- run: tox -e ${{ matrix.env }}"
    repo = repo_factory({"tox.ini": TOX, **ci(step)})
    finding = run_probe(repo, "sty.linters_in_ci")  # which env runs is not known: all count
    assert finding.outcome is Outcome.PASS
    assert finding.evidence[0].path == "tox.ini"


NOXFILE = '''import nox

nox.options.sessions = ["tests"]


@nox.session(python=["3.11", "3.12"])
def tests(session):
    session.install("-e", ".[test]")
    session.run("pytest", *session.posargs)


@nox.session(name="lint")
def lint_code(session):
    session.run("ruff", "check", "src")
'''


def test_nox_session_named_in_ci_runs_its_linter(repo_factory: Factory) -> None:
    repo = repo_factory({"noxfile.py": NOXFILE, **ci("- run: nox -s lint")})
    finding = run_probe(repo, "sty.linters_in_ci")
    assert finding.outcome is Outcome.PASS
    assert finding.evidence[0].excerpt == (
        "nox -s lint -> noxfile.py:14 session lint: ruff check src"
    )


def test_nox_default_sessions_do_not_include_lint(repo_factory: Factory) -> None:
    repo = repo_factory({"noxfile.py": NOXFILE, **ci("- run: nox")})
    assert run_probe(repo, "sty.linters_in_ci").outcome is Outcome.FAIL
    steps = run_probe(repo, "wor.ci_runs_tests")
    assert steps.outcome is Outcome.PASS


def test_noxfile_is_read_never_run(repo_factory: Factory, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    text = f"import pathlib\npathlib.Path({str(marker)!r}).write_text('x')\n" + NOXFILE
    parsed = parse_noxfile("noxfile.py", text)
    assert parsed is not None and set(parsed.tasks) == {"tests", "lint"}
    assert parsed.default == ("tests",)
    assert not marker.exists()


JUSTFILE = """set shell := ["bash", "-c"]

check: lint test

lint:
    cargo clippy -- -D warnings

test:
    cargo test
"""


def test_just_recipe_dependencies_reach_the_linter(repo_factory: Factory) -> None:
    repo = repo_factory({"justfile": JUSTFILE, **ci("- run: just check")})
    finding = run_probe(repo, "sty.linters_in_ci")
    assert finding.outcome is Outcome.PASS
    assert finding.evidence[0].excerpt == (
        "just check -> justfile:6 recipe lint: cargo clippy -- -D warnings"
    )


def test_just_recipe_without_linter_fails(repo_factory: Factory) -> None:
    repo = repo_factory({"justfile": JUSTFILE, **ci("- run: just test")})
    assert run_probe(repo, "sty.linters_in_ci").outcome is Outcome.FAIL


@pytest.mark.parametrize("step", ["./ci/lint.sh", "bash ci/lint.sh", "sh -c ./ci/lint.sh"])
def test_repository_script_is_read(repo_factory: Factory, step: str) -> None:
    script = "#!/usr/bin/env bash\nset -euo pipefail\n# style\nshellcheck scripts/*.sh\n"
    repo = repo_factory({"ci/lint.sh": script, **ci(f"- run: {step}")})
    finding = run_probe(repo, "sty.linters_in_ci")
    assert finding.outcome is Outcome.PASS
    assert finding.evidence[0].excerpt.endswith("ci/lint.sh:4 script: shellcheck scripts/*.sh")


def test_repository_script_without_linter_fails(repo_factory: Factory) -> None:
    script = "#!/usr/bin/env bash\n# shellcheck is run elsewhere\necho linted\n"
    repo = repo_factory({"ci/lint.sh": script, **ci("- run: ./ci/lint.sh")})
    assert run_probe(repo, "sty.linters_in_ci").outcome is Outcome.FAIL


def test_local_composite_action_steps_are_read(repo_factory: Factory) -> None:
    action = (
        "name: test\nruns:\n  using: composite\n  steps:\n"
        "    - run: pytest --cov=pkg\n      shell: bash\n"
    )
    files = {".github/actions/test/action.yml": action}
    used = repo_factory({**files, **ci("- uses: ./.github/actions/test")})
    finding = run_probe(used, "uni.coverage_in_ci")
    assert finding.outcome is Outcome.PASS
    assert finding.evidence[0].excerpt == (
        "uses: ./.github/actions/test -> .github/actions/test/action.yml:5 action: "
        "- run: pytest --cov=pkg"
    )
    unused = repo_factory({**files, **ci("- run: echo")})
    assert run_probe(unused, "uni.coverage_in_ci").outcome is Outcome.FAIL


# --- reading commands and task files (units) ---------------------------------------------


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("- run: npm run test -- --coverage", [("npm", ("test",))]),
        ("npm test", [("npm", ("test",))]),
        ("bun test", []),  # bun's own test runner, not a script
        ("yarn install --frozen-lockfile && yarn build", [("npm", ("build",))]),
        ("pnpm --filter web run lint", [("npm", ("lint",))]),
        ("run-s lint test:*", [("npm", ("lint", "test:*"))]),
        ("script: make -C docs html SPHINXOPTS=-W", [("make", ("html",))]),
        ("python -m tox -e py311,lint", [("tox", ("py311", "lint"))]),
        ("uvx nox -s tests-3.12 docs", [("nox", ("tests-3.12", "docs"))]),
        ("sh 'just check'", [("just", ("check",))]),
        ("pip install tox", []),
        ("- name: run tox for every env", []),
        ("echo make sure", []),
    ],
)
def test_calls_found_in_a_command(line: str, expected: list[tuple[str, tuple[str, ...]]]) -> None:
    assert [(c.tool, c.names) for c in calls(line)] == expected


def test_a_cd_applies_to_the_calls_after_it() -> None:
    [call] = calls("cd web && npm run lint")
    assert call == Call("npm", ("lint",), "npm run lint", directory="web")


def test_makefile_variables_prerequisites_and_default_goal() -> None:
    text = (
        "SHELL := bash\nPY = python\n.DEFAULT_GOAL := all\n\nall: build test\n\n"
        "build:\n\t$(PY) -m build\n\ntest: build\n\t-$(PY) -m pytest \\\n\t  --cov\n"
        "%: Makefile\n\t@sphinx-build -M $@ . _build\n"
    )
    parsed = parse_makefile("Makefile", text)
    assert parsed.default == ("all",)
    assert parsed.tasks["all"].before == ("build", "test")
    assert parsed.tasks["test"].commands == ((11, "python -m pytest --cov"),)
    assert parsed.tasks["%"].commands == ((14, "sphinx-build -M $@ . _build"),)


def test_tox_factor_conditions_and_inherited_commands() -> None:
    text = (
        "[tox]\nenv_list = py{311,312}-{unit,lint}\n\n[testenv]\ncommands =\n"
        "    unit: pytest\n    lint: ruff check .\n    !lint: coverage report\n"
    )
    parsed = parse_tox_ini("tox.ini", text)
    assert parsed is not None
    assert parsed.default == ("py311-unit", "py311-lint", "py312-unit", "py312-lint")
    assert [c for _, c in parsed.tasks["py312-lint"].commands] == ["ruff check ."]
    assert [c for _, c in parsed.tasks["py311-unit"].commands] == ["pytest", "coverage report"]


def test_task_chains_stop_at_the_depth_bound(repo_factory: Factory) -> None:
    scripts = {f"s{i}": f"npm run s{i + 1}" for i in range(12)}
    repo = repo_factory({
        "package.json": package_json(**scripts),
        ".github/workflows/ci.yml": workflow("- run: npm run s0"),
    })
    assert max(len(c.chain) for c in command_lines(make_context(acquire(str(repo))))) == 6


def test_hostile_task_files_stay_bounded(repo_factory: Factory) -> None:
    makefile = (
        "V1 = " + "x" * 200_000 + "\nV0 = " + "$(V1)" * 500 + "\n"
        + "".join(f"t{i}: t{i + 1}\n\techo $(V0) {i}\n" for i in range(3000))
    )
    tox = "[tox]\nenvlist = py" + "{a,b}" * 40 + "\n[testenv]\ncommands = pytest\n"
    repo = repo_factory({
        "Makefile": makefile,
        "tox.ini": tox,
        **ci(*(f"- run: make t0 && tox && make t{i}" for i in range(200))),
    })
    lines = command_lines(make_context(acquire(str(repo))))
    assert len(lines) < 25_000
    assert max(len(c.text) for c in lines) < 250_000  # no expansion past the bound


# --- 2. publishing --------------------------------------------------------------------------


def test_multi_line_docker_buildx_push_publishes(repo_factory: Factory) -> None:
    step = (
        "- run: |\n          docker buildx build \\\n            --platform linux/amd64 \\\n"
        "            --push -t ghcr.io/o/x ."
    )
    repo = repo_factory(ci(step, on="release"))
    finding = run_probe(repo, "del.publish_in_ci")
    assert finding.outcome is Outcome.PASS
    first = finding.evidence[0]
    assert (first.message, first.line) == ("pushes a container image (docker buildx --push)", 7)


def test_docker_buildx_load_publishes_nothing(repo_factory: Factory) -> None:
    step = (
        "- run: |\n          docker buildx build \\\n            --platform linux/amd64 \\\n"
        "            --load -t ghcr.io/o/x ."
    )
    repo = repo_factory(ci(step, on="release"))
    assert run_probe(repo, "del.publish_in_ci").outcome is Outcome.FAIL


@pytest.mark.parametrize(
    "step",
    [
        "- run: docker buildx build --output type=image,push=true .",
        "- run: yarn npm publish --access public",
        "- run: uv publish",
        "- run: poetry publish --build",
        "- run: flit publish",
        "- run: gh release upload v1.0 dist/*",
        "- run: helm push chart.tgz oci://ghcr.io/o",
        "- run: ./gradlew publish",
        "- run: mvn -B deploy",
        "- run: cargo publish",
        "- uses: goreleaser/goreleaser-action@v6",
        "- uses: softprops/action-gh-release@v2",
        "- run: /kaniko/executor --context . --destination $IMAGE",
    ],
)
def test_publishing_commands_and_actions_are_recognised(repo_factory: Factory, step: str) -> None:
    repo = repo_factory(ci(step, on="release"))
    assert run_probe(repo, "del.publish_in_ci").outcome is Outcome.PASS


@pytest.mark.parametrize(
    "step",
    [
        "- run: ./gradlew publishToMavenLocal",
        "- run: docker build -t x .",
        "- run: npm pack",
        "- run: gh release view v1.0",
        "- uses: docker/login-action@v3",
        "- run: /kaniko/executor --context . --no-push",
    ],
)
def test_look_alike_steps_do_not_publish(repo_factory: Factory, step: str) -> None:
    repo = repo_factory(ci(step, on="release"))
    assert run_probe(repo, "del.publish_in_ci").outcome is Outcome.FAIL


def test_publishing_through_a_make_target(repo_factory: Factory) -> None:
    makefile = "release: dist\n\ttwine upload dist/*\n\ndist:\n\tpython -m build\n"
    repo = repo_factory({"Makefile": makefile, **ci("- run: make release", on="release")})
    finding = run_probe(repo, "del.publish_in_ci")
    assert finding.outcome is Outcome.PASS
    assert finding.evidence[0].excerpt == (
        "make release -> Makefile:2 target release: twine upload dist/*"
    )


def test_publishing_table_is_data_and_validated() -> None:
    labels = [p.label for p in publishers()]
    assert "uploads with twine" in labels and len(labels) == len(publishers())
    with pytest.raises(ValueError, match="exactly one of command/action"):
        _publisher({"label": "both", "command": "x", "action": "o/a"})
    with pytest.raises(ValueError, match="for an action only"):
        _publisher({"label": "w", "command": "x", "with": {"push": "true"}})


# --- 3. pull/merge request templates ------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        ".github/pull_request_template",
        ".github/PULL_REQUEST_TEMPLATE.txt",
        "pull_request_template",
        "docs/PULL_REQUEST_TEMPLATE/feature.md",
        "PULL_REQUEST_TEMPLATE/bugfix.md",
        ".gitlab/merge_request_templates/Default.md",
    ],
)
def test_pr_template_without_extension_or_in_template_folders(
    repo_factory: Factory, path: str
) -> None:
    finding = run_probe(repo_factory({path: "## Purpose\n"}), "man.pr_template")
    assert finding.outcome is Outcome.PASS
    assert finding.evidence[0].path == path


@pytest.mark.parametrize(
    "path", [".github/workflows/pull_request_template", ".github/pull_request_template.yml"]
)
def test_pr_template_where_forges_do_not_look_fails(repo_factory: Factory, path: str) -> None:
    finding = run_probe(repo_factory({path: "## Purpose\n"}), "man.pr_template")
    assert finding.outcome is Outcome.FAIL


# --- 4. what cannot be read offline --------------------------------------------------------

GITLAB_REMOTE_ONLY = """include:
  - remote: https://gitlab.example.org/ci/python.yml
  - project: my-group/ci-templates
    file: /templates/test.yml
  - template: Security/SAST.gitlab-ci.yml
  - component: $CI_SERVER_FQDN/my-group/components/lint@1.0
"""


def test_gitlab_ci_with_only_remote_includes_cannot_tell(repo_factory: Factory) -> None:
    repo = repo_factory({".gitlab-ci.yml": GITLAB_REMOTE_ONLY, "pkg/core.py": "X = 1\n"})
    probes = ("wor.ci_runs_tests", "uni.coverage_in_ci", "sty.linters_in_ci", "del.publish_in_ci")
    for name in probes:
        finding = run_probe(repo, name)
        assert finding.outcome is Outcome.NOT_AUTOMATED, name
        summary = finding.evidence[0].message
        assert summary.startswith("cannot tell: 4 remote includes not read"), summary
        unread = [e for e in finding.evidence if e.message.startswith("GitLab include")]
        assert [(e.line, e.value) for e in unread] == [
            (2, "https://gitlab.example.org/ci/python.yml"),
            (3, "my-group/ci-templates (/templates/test.yml)"),
            (5, "Security/SAST.gitlab-ci.yml"),
            (6, "$CI_SERVER_FQDN/my-group/components/lint@1.0"),
        ]
        assert not any(e.failing for e in finding.evidence)


def test_gitlab_remote_includes_with_a_local_test_job_pass(repo_factory: Factory) -> None:
    gitlab = GITLAB_REMOTE_ONLY + "\nunit:\n  script:\n    - pytest --cov=pkg\n"
    repo = repo_factory({".gitlab-ci.yml": gitlab})
    assert run_probe(repo, "wor.ci_runs_tests").outcome is Outcome.PASS
    assert run_probe(repo, "uni.coverage_in_ci").outcome is Outcome.PASS


def test_gitlab_local_include_is_read(repo_factory: Factory) -> None:
    jobs = {"ci/test.yml": "unit:\n  script:\n    - pytest\n"}
    included = repo_factory({**jobs, ".gitlab-ci.yml": "include:\n  - local: /ci/*.yml\n"})
    finding = run_probe(included, "wor.ci_runs_tests")
    assert finding.outcome is Outcome.PASS
    assert (finding.evidence[1].path, finding.evidence[1].line) == ("ci/test.yml", 3)
    alone = repo_factory({**jobs, ".gitlab-ci.yml": "stages: [test]\n"})
    assert run_probe(alone, "wor.ci_runs_tests").outcome is Outcome.FAIL


def test_reusable_workflow_of_another_repository_cannot_tell(repo_factory: Factory) -> None:
    flow = (
        "on: [push, pull_request]\njobs:\n  test:\n"
        "    uses: org/shared/.github/workflows/python.yml@v2\n"
    )
    repo = repo_factory({".github/workflows/ci.yml": flow})
    finding = run_probe(repo, "wor.ci_runs_tests")
    assert finding.outcome is Outcome.NOT_AUTOMATED
    assert finding.evidence[0].message.startswith(
        "cannot tell: 1 reusable workflow of another repository not read"
    )
    assert (finding.evidence[1].line, finding.evidence[1].value) == (
        4, "org/shared/.github/workflows/python.yml"
    )


def test_well_known_reusable_test_workflow_counts_by_name(repo_factory: Factory) -> None:
    flow = (
        "on: [push, pull_request]\njobs:\n  test:\n    uses: OpenAstronomy/"
        "github-actions-workflows/.github/workflows/tox.yml@v2\n    with:\n      envs: |\n"
        "        - linux: py312\n"
    )
    finding = run_probe(repo_factory({".github/workflows/ci.yml": flow}), "wor.ci_runs_tests")
    assert finding.outcome is Outcome.PASS
    assert finding.evidence[1].message == "runs tests (OpenAstronomy tox workflow (reusable))"


def test_own_reusable_workflow_by_full_name_is_not_unread(repo_factory: Factory) -> None:
    flow = (
        "on: [push, pull_request]\njobs:\n  test:\n"
        "    uses: example-org/example/.github/workflows/build.yml@main\n"
    )
    repo = repo_factory({".github/workflows/ci.yml": flow, ".github/workflows/build.yml": flow})
    assert run_probe(repo, "wor.ci_runs_tests").outcome is Outcome.FAIL


def test_reusable_workflow_only_on_release_does_not_excuse_tests(repo_factory: Factory) -> None:
    flow = "on:\n  release:\njobs:\n  test:\n    uses: org/shared/.github/workflows/python.yml@v2\n"
    repo = repo_factory({".github/workflows/ci.yml": flow})
    assert run_probe(repo, "wor.ci_runs_tests").outcome is Outcome.FAIL


def test_own_organisation_action_cannot_tell_but_marketplace_action_fails(
    repo_factory: Factory,
) -> None:
    own = repo_factory({**ci("- uses: example-org/ci-actions/lint@v1")})
    finding = run_probe(own, "sty.linters_in_ci")
    assert finding.outcome is Outcome.NOT_AUTOMATED
    assert "1 action of the project's own organisation" in finding.evidence[0].message
    other = repo_factory({**ci("- uses: actions/setup-python@v5")})
    assert run_probe(other, "sty.linters_in_ci").outcome is Outcome.FAIL
