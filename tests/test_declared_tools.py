"""How a repository declares it runs a tool (sqaaas.facts.declared_tools): tox envs,
pre-commit hooks, CI steps (and the tasks they call), make, npm and nox; read, never run."""

from __future__ import annotations

from sqaaas.acquire import acquire
from sqaaas.context import make_context
from sqaaas.facts.declared_tools import declared_invocations

PEP8 = ("flake8", "pycodestyle", "pep8")


def _declared(repo, names=PEP8):
    return declared_invocations(make_context(acquire(str(repo))), names)


def test_tox_env_command_with_posargs_default(repo_factory):
    repo = repo_factory({
        "tox.ini": "[tox]\nenvlist = py3,pep8\n\n[testenv:pep8]\ndeps = pycodestyle\n"
                   "commands =\n    pycodestyle --max-line-length=100 --ignore=E203 {posargs:.}\n",
    })
    (run,) = _declared(repo)
    assert (run.tool, run.argv) == ("pycodestyle", ("--max-line-length=100", "--ignore=E203", "."))
    assert (run.source, run.line, run.where) == ("tox.ini", 7, "tox")
    assert run.describe() == (
        "as declared in tox.ini [testenv:pep8]: pycodestyle --max-line-length=100 --ignore=E203 ."
    )


def test_pre_commit_hook_args_and_local_hook_entry(repo_factory):
    repo = repo_factory({
        ".pre-commit-config.yaml": (
            "repos:\n- repo: https://github.com/pycqa/flake8\n  rev: 7.0.0\n  hooks:\n"
            "  - id: flake8\n    args: [--max-line-length=99]\n"
            "- repo: local\n  hooks:\n  - id: sec\n    name: bandit\n"
            "    entry: bandit -r src\n    args: [-ll]\n    language: system\n"
        ),
    })
    (flake8,) = _declared(repo)
    assert flake8.argv == ("--max-line-length=99",) and flake8.where == "pre-commit"
    assert flake8.label == ".pre-commit-config.yaml hook flake8" and flake8.line == 5
    (bandit,) = _declared(repo, ("bandit",))
    assert bandit.argv == ("-r", "src", "-ll")


def test_ci_steps_and_what_they_reach_through_tox(repo_factory):
    repo = repo_factory({
        ".github/workflows/lint.yml": (
            "on: [push]\njobs:\n  lint:\n    runs-on: ubuntu-latest\n    steps:\n"
            "      - run: pip install flake8 && python -m flake8 src --max-line-length=120\n"
        ),
        ".gitlab-ci.yml": "lint:\n  script:\n    - tox -e pep8\n",
        "tox.ini": "[testenv:pep8]\ncommands = pycodestyle --max-line-length=90 src\n",
        "Jenkinsfile": "pipeline {\n  stages {\n    stage('l') {\n      steps {\n"
                       "        sh 'flake8 --ignore=E501 lib'\n      }\n    }\n  }\n}\n",
    })
    runs = _declared(repo)
    found = {(r.tool, r.argv, r.where, r.source) for r in runs}
    assert ("flake8", ("src", "--max-line-length=120"), "ci", ".github/workflows/lint.yml") in found
    assert ("flake8", ("--ignore=E501", "lib"), "ci", "Jenkinsfile") in found
    reached = [r for r in runs if r.tool == "pycodestyle"]
    assert len(reached) == 1  # the tox env, reached from CI, given once
    assert reached[0].where == "ci" and reached[0].source == "tox.ini"
    assert ".gitlab-ci.yml:3" in reached[0].label
    # installing a tool is not running it
    assert not any(r.argv and r.argv[0] == "install" for r in runs)


def test_make_npm_and_nox_tasks(repo_factory):
    repo = repo_factory({
        "Makefile": "PY = python3\nlint:\n\t@$(PY) -m pycodestyle src tests\n",
        "package.json": '{"scripts": {"lint": "eslint . && prettier --check ."}}',
        "noxfile.py": "import nox\n\n@nox.session\ndef lint(session):\n"
                      "    session.run('flake8', '--max-line-length=88', 'src')\n",
    })
    runs = {r.where: r for r in _declared(repo)}
    assert runs["make"].argv == ("src", "tests") and runs["make"].tool == "pycodestyle"
    assert runs["nox"].argv == ("--max-line-length=88", "src")
    (eslint,) = _declared(repo, ("eslint",))
    assert eslint.where == "npm" and eslint.argv == (".",)


def test_preference_order_and_nothing_declared(repo_factory):
    repo = repo_factory({
        "tox.ini": "[testenv:lint]\ncommands = flake8 --max-line-length=79\n",
        ".pre-commit-config.yaml": "repos:\n- repo: https://github.com/pycqa/flake8\n"
                                   "  rev: 7.0.0\n  hooks:\n  - id: flake8\n",
    })
    assert [r.where for r in _declared(repo)] == ["pre-commit", "tox"]
    assert _declared(repo_factory({"mod.py": "x = 1\n"})) == ()
