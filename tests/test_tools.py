"""Registry tools: each has a clean and a failing fixture; evidence carries path and line.

The tools run in the tools container (never on the host), so these are container tests.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from sqaaas.core.outcomes import Outcome
from sqaaas.repofs import RepoFS
from sqaaas.tools.runner import run_tool
from sqaaas.tools.spec import Executable, default_tools, load_tools
from tests.conftest import run_probe

pytestmark = [pytest.mark.containers, pytest.mark.usefixtures("ready_engine")]

CLEAN_PY = (
    '"""A tidy module."""\n\n\ndef double(value: int) -> int:\n'
    '    """Twice the value."""\n    return value * 2\n'
)


def _decisive(finding, tool: str):
    return [e for e in finding.evidence if e.tool == tool and e.path]


# (subcriterion probe, tool, clean files, failing files, expected failing path, line)
CASES = [
    (
        "tools.QC.Sty01",
        "flake8",  # PEP 8; pylint and ruff only inform QC.Sty01 (tests/test_style_pep8.py)
        {"pkg/mod.py": CLEAN_PY},
        {"pkg/mod.py": CLEAN_PY + "\n\ndef broken(x):\n    return x==1\n"},
        "pkg/mod.py",
        10,
    ),
    (
        "tools.QC.Sty01",
        "shellcheck",
        {"run.sh": '#!/bin/sh\ncd "$1" || exit 1\necho finished\n'},
        {"run.sh": '#!/bin/bash\nif [ "$1" > 3 ]; then echo big; fi\n'},  # SC2071, an error
        "run.sh",
        2,
    ),
    (
        "tools.QC.Sty01",
        "yamllint",  # side files decide only when they do not parse
        {"conf.yml": "a: 1\nb: [1, 2]\na: 3\n"},
        {"conf.yml": "a: 1\nb: [1, 2\n"},
        "conf.yml",
        3,
    ),
    (
        "tools.QC.Sty01",
        "hadolint",
        {"Dockerfile": "FROM debian\nRUN apt-get install curl\n"},
        {"Dockerfile": "FROM debian:12.5\nRUNN true\n"},  # DL1000: does not parse
        "Dockerfile",
        2,
    ),
    (
        "tools.QC.Sty01",
        "json",
        {"data.json": '{"a": 1}\n'},
        {"data.json": '{"a": 1,,}\n'},
        "data.json",
        1,
    ),
    (
        "tools.QC.Doc02.2",
        "pymarkdown",
        {"guide.md": "# Title\n\nSome text.\n"},
        {"guide.md": "# Title\nSome text.\n## Sub\n"},
        "guide.md",
        1,
    ),
    (
        "tools.QC.Doc02.2",
        "rstcheck",
        {"guide.rst": "Title\n=====\n\nText.\n"},
        {"guide.rst": "Title\n=====\n\n.. nosuchdirective::\n"},
        "guide.rst",
        4,
    ),
    (
        "tools.QC.Sec02",
        "bandit",
        {"app.py": CLEAN_PY},
        {"app.py": '"""App."""\n\n\ndef run():\n    """Run."""\n    return eval(input())\n'},
        "app.py",
        6,
    ),
    (
        "tools.QC.Sec02",
        "detect-secrets",
        {"settings.py": 'NAME = "demo"\n'},
        # pragma: allowlist nextline secret
        {"settings.py": 'NAME = "demo"\nAWS_KEY = "AKIAIOSFODNN7EXAMPLQ"\n'},
        "settings.py",
        2,
    ),
    pytest.param(
        "tools.QC.Sec02",
        "cppcheck",
        {"main.c": "int main(void) { int a[2] = {0, 1}; return a[1]; }\n"},
        {"main.c": "int main(void) {\n  int a[2];\n  a[5] = 1;\n  return a[0];\n}\n"},
        "main.c",
        3,
    ),
]


@pytest.mark.parametrize(
    ("probe", "tool", "clean", "bad", "path", "line"),
    CASES,
    ids=[c.values[1] if hasattr(c, "values") else c[1] for c in CASES],
)
def test_tool_clean_and_failing_fixture(repo_factory, probe, tool, clean, bad, path, line):
    good = run_probe(repo_factory(clean), probe)
    assert good.outcome is Outcome.PASS, good.evidence
    assert any(e.tool == tool for e in good.evidence)
    failing = run_probe(repo_factory(bad), probe)
    assert failing.outcome is Outcome.FAIL, failing.evidence
    hits = _decisive(failing, tool)
    assert any(e.path == path and e.line == line for e in hits), [
        (e.path, e.line, e.message) for e in hits
    ]
    assert failing.hint


def test_eval_input_cites_file_and_line(repo_factory):
    repo = repo_factory({"pkg/cli.py": '"""CLI."""\n\nvalue = eval(input())\n'})
    finding = run_probe(repo, "tools.QC.Sec02")
    assert finding.outcome is Outcome.FAIL
    bandit = [e for e in finding.evidence if e.tool == "bandit" and e.path]
    assert bandit[0].path == "pkg/cli.py" and bandit[0].line == 3 and "B307" in bandit[0].message


def test_complexity_tools_only_inform(repo_factory):
    branches = "\n".join(f"    if x == {i}:\n        return {i}" for i in range(25))
    repo = repo_factory(
        {"calc.py": f'"""Calc."""\n\n\ndef pick(x):\n    """Pick."""\n{branches}\n    return -1\n'}
    )
    finding = run_probe(repo, "tools.QC.Sty01")
    radon = [e for e in finding.evidence if e.tool == "radon" and e.path]
    assert radon and radon[0].path == "calc.py" and "complexity" in radon[0].message
    assert finding.outcome is Outcome.PASS  # complexity is evidence, not a verdict


def test_no_applicable_language_is_not_applicable(repo_factory):
    finding = run_probe(repo_factory({"notes.txt": "hello"}), "tools.QC.Sec02")
    # detect-secrets reads every file, so Sec02 always applies; a txt-only repo passes
    assert finding.outcome is Outcome.PASS
    assert (
        run_probe(repo_factory({"notes.txt": "x"}), "tools.QC.Doc02.2").outcome
        is Outcome.NOT_APPLICABLE
    )


def test_pylint_config_is_respected_but_cannot_load_code(repo_factory, tmp_path):
    marker = tmp_path / "pwned"
    evil = f"import pathlib\npathlib.Path({str(marker)!r}).write_text('x')\n"
    repo = repo_factory(
        {
            ".pylintrc": textwrap.dedent(f"""\
            [MAIN]
            load-plugins=evil_plugin
            init-hook=open({str(marker)!r}, "w").write("x")
            [MESSAGES CONTROL]
            disable=missing-module-docstring
        """),
            "evil_plugin.py": evil,
            "mod.py": 'def f():\n    """F."""\n    return 1\n',
        }
    )
    finding = run_probe(repo, "tools.QC.Sty01")
    assert not marker.exists()
    messages = " ".join(e.message for e in finding.evidence)
    assert "missing-module-docstring" not in messages
    assert "configuration from .pylintrc" in messages
    assert ".pylintrc [MAIN] load-plugins refused: loads code" in messages
    assert ".pylintrc [MAIN] init-hook refused: runs code" in messages


def test_results_are_cached_by_content(repo_factory):
    repo = repo_factory({"mod.py": CLEAN_PY})
    spec = default_tools()["ruff"]
    first = run_tool(spec, RepoFS(repo), repo.parent / "cache")
    second = run_tool(spec, RepoFS(repo), repo.parent / "cache")
    assert not first.cached and second.cached and second.findings == first.findings
    (repo / "mod.py").write_text('"""Doc."""\nimport os\n')
    third = run_tool(spec, RepoFS(repo), repo.parent / "cache")
    assert not third.cached and third.findings


def test_missing_tool_timeout_and_garbage_output_are_errors(repo_factory):
    repo = repo_factory({"mod.py": CLEAN_PY})
    base = default_tools()["ruff"]
    missing = base.model_copy(update={"executable": Executable(binary="no-such-linter-xyz")})
    result = run_tool(missing, RepoFS(repo), None)
    assert result.status == "missing" and "sqaaas setup" in result.message
    slow = base.model_copy(
        update={
            "executable": Executable(binary="sh"),
            "args": ("-c", "sleep 30"),
            "timeout": 1.0,
            "package": None,
        }
    )
    result = run_tool(slow, RepoFS(repo), None)
    assert result.status == "error" and "timed out after 1 s" in result.message
    garbage = base.model_copy(
        update={"executable": Executable(binary="echo"), "args": ("not json",), "package": None}
    )
    result = run_tool(garbage, RepoFS(repo), None)
    assert result.status == "error" and "output is not JSON" in result.message


def test_registry_is_validated(tmp_path: Path):
    bad = tmp_path / "tools.yml"
    bad.write_text(
        "pylint:\n  title: x\n  languages: [Python]\n  include: ['*.py']\n"
        "  executable: {module: pylint, binary: pylint}\n  parser: x\n"
        "  evidences: {QC.Sty01: {}}\n"
    )
    from sqaaas.errors import CriteriaDataError

    with pytest.raises(CriteriaDataError, match=r"tools.yml: entry pylint \(executable\)"):
        load_tools(bad)


def test_registry_matches_parsers_and_criteria():
    from sqaaas.core.catalogue import default_catalogue
    from sqaaas.tools.parsers import PARSERS

    catalogue = default_catalogue()
    for spec in default_tools().values():
        assert spec.parser in PARSERS or spec.executable.internal or spec.not_automated, spec.name
        for sub in spec.evidences:
            assert f"tools.{sub}" in catalogue.subcriterion(sub).probes, (spec.name, sub)


def test_dependency_audit_is_declared_not_automated_with_reason(repo_factory):
    repo = repo_factory({"requirements.txt": "requests==2.0.0\n", "app.py": CLEAN_PY})
    finding = run_probe(repo, "tools.QC.Sec02")
    notes = [e.message for e in finding.evidence if e.tool == "pip-audit"]
    assert notes and "not automated" in notes[0] and "offline" in notes[0]
    assert finding.outcome is Outcome.PASS  # a declared-only tool never decides


def test_pinned_commit_shas_are_not_secrets_and_allowlisted_lines_are_accepted(repo_factory):
    workflow = (
        "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2\n"
    )
    fixture = 'KEY = "AKIAIOSFODNN7EXAMPLQ"  # pragma: allowlist secret\n'
    repo = repo_factory({".github/workflows/ci.yml": workflow, "fixture.py": fixture})
    finding = run_probe(repo, "tools.QC.Sec02")
    secrets = [e for e in finding.evidence if e.tool == "detect-secrets" and e.path]
    assert secrets == [] and finding.outcome is Outcome.PASS
