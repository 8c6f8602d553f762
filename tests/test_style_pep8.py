"""QC.Sty01 by the community style standard (issue 15, section 2): PEP 8 decides for Python
(pylint and ruff are evidence), side files decide only when they do not parse, JSONC and
C++ headers are read as what they are, and the options a repository declares are honoured.

The fixture pairs differ in one thing only, so each failing one fails for that reason alone.
"""

from __future__ import annotations

import pytest

from sqaaas.acquire import acquire
from sqaaas.context import make_context
from sqaaas.core.outcomes import Outcome
from sqaaas.facts.declared_tools import declared_invocations
from sqaaas.repofs import RepoFS
from sqaaas.tools.configs.base import Where
from sqaaas.tools.configs.cpp_conf import cppcheck_config
from sqaaas.tools.configs.flake8_conf import NAMES, flake8_config
from sqaaas.tools.internal import json_syntax
from sqaaas.tools.spec import default_tools
from tests.conftest import run_probe

#: PEP 8-clean, but pylint warns (unused import, unused argument) and reports an error
PYLINT_UNHAPPY = (
    '"""Module."""\nimport os\n\n\ndef f(a):\n    """F."""\n    return undefined_name\n'
)
LINE_95 = '"""Module."""\nVALUE = "' + "a" * 82 + '"\n'  # line 2 is 95 characters long
TOX_PEP8 = "[testenv:pep8]\ncommands = pycodestyle --max-line-length=100 {posargs:.}\n"
HEADER = (
    "#pragma once\nnamespace ui {\ntemplate <typename T>\nclass Widget {\n public:\n"
    "  explicit Widget(T v) : v_(v) {}\n  T value() const { return v_; }\n\n private:\n"
    "  T v_;\n};\n}  // namespace ui\n"
)
COMPARES_AS_STRING = '#!/bin/bash\nif [ "$1" > 3 ]; then echo big; fi\n'
MAIN_CPP = '#include "widget.h"\n\nint main() {\n  ui::Widget<int> w(1);\n  return w.value();\n}\n'


def _config(repo, where=("/src", "/cfg")):
    ctx = make_context(acquire(str(repo)))
    return flake8_config(ctx.fs, Where(*where, declared_invocations(ctx, NAMES)))


def _failing(finding, tool):
    return [e for e in finding.evidence if e.tool == tool and e.failing]


# --- the rule, as data ---------------------------------------------------------------------


def test_bug_finders_are_evidence_and_side_files_decide_on_syntax_only():
    tools = default_tools()
    assert tools["flake8"].evidences["QC.Sty01"].fail_on == ("error",)
    for name in ("pylint", "ruff", "pymarkdown", "radon", "lizard"):
        assert tools[name].evidences["QC.Sty01"].fail_on == (), name
    how = tools["yamllint"].evidences["QC.Sty01"]
    assert how.decides("error", "syntax") and not how.decides("error", "key-duplicates")
    assert tools["json"].evidences["QC.Sty01"].decides("error", "json-syntax")
    assert not tools["hadolint"].evidences["QC.Sty01"].decides("warning", "DL3006")
    assert not tools["cppcheck"].evidences["QC.Sty01"].decides("error", "arrayIndexOutOfBounds")
    shell = tools["shellcheck"].evidences["QC.Sty01"]
    assert shell.decides("error", "SC2070") and not shell.on_side_files().decides("error", "SC2070")
    assert shell.on_side_files().decides("error", "SC1046")


# --- the options a repository declares ------------------------------------------------------


def test_declared_tox_run_gives_its_options_and_paths(repo_factory):
    repo = repo_factory({
        "tox.ini": "[testenv:pep8]\ncommands = pycodestyle --max-line-length=100 "
                   "--ignore=E203 src\n\n[pycodestyle]\nexclude = build,docs/conf.py\n",
        "src/a.py": "A = 1\n",
    })
    config = _config(repo)
    assert config.args == ["--max-line-length=100", "--ignore=E203", "--extend-ignore=F,C9"]
    assert config.paths == ("src",) and "docs/conf.py" in config.exclude
    assert "*/build/*" in config.exclude and config.sources == ["tox.ini"]
    assert config.notes == ["run with the options as declared in tox.ini [testenv:pep8]: "
                            "pycodestyle --max-line-length=100 --ignore=E203 src"]


def test_flake8_section_keeps_pep8_codes_and_names_refused_options(repo_factory):
    repo = repo_factory({
        "setup.cfg": "[flake8]\nmax-line-length = 120\nselect = E,W,F,C90\nextend-ignore = E203\n"
                     "per-file-ignores =\n  tests/*: E501\ndocstring-convention = numpy\n"
                     "max-complexity = 10\n",
        ".pre-commit-config.yaml": "repos:\n- repo: https://github.com/pycqa/flake8\n  rev: 7.0.0\n"
                                   "  hooks:\n  - id: flake8\n    args: [--output-file=/tmp/x, "
                                   "--config, ../x.cfg, --max-line-length, '99']\n",
    })
    config = _config(repo)
    # the hook's command line wins over the section, as flake8 itself would have it
    assert "--max-line-length=99" in config.args and "--select=E,W" in config.args
    assert "--extend-ignore=E203" in config.args  # the project's own select: as it runs it
    assert "--per-file-ignores=tests/*: E501" in config.args
    refused = " | ".join(config.refused)
    assert "setup.cfg [flake8] docstring-convention refused" in refused
    assert "hook flake8 output-file refused: writes a file" in refused
    assert "hook flake8 config refused: reads other files" in refused
    assert "max-complexity" not in refused  # mccabe's, not PEP 8's: simply not used


def test_a_syntax_only_run_is_not_taken_for_the_style_check(repo_factory):
    workflow = (
        "on: push\njobs:\n  lint:\n    steps:\n"
        "      - run: flake8 . --count --select=E9,F63,F7,F82 --show-source --statistics\n"
        "      - run: flake8 . --count --exit-zero --max-complexity=10 --max-line-length=127\n"
    )
    config = _config(repo_factory({".github/workflows/ci.yml": workflow}))
    assert config.args == ["--max-line-length=127", "--extend-ignore=F,C9"]
    assert "not used" in config.notes[0] and "--select=E9,F63,F7,F82" in config.notes[0]


def test_formatter_line_length_when_nothing_names_pep8_options(repo_factory):
    black = _config(repo_factory({"pyproject.toml": "[tool.black]\nline-length = 100\n"}))
    assert black.args == ["--max-line-length=100", "--extend-ignore=E203,E701,E704,F,C9"]
    ruff = _config(repo_factory({"pyproject.toml": "[tool.ruff]\nline-length = 110\n"}))
    assert ruff.args == ["--max-line-length=110", "--extend-ignore=E203,E701,E704,F,C9"]
    assert _config(repo_factory({"mod.py": "X = 1\n"})).args == ["--extend-ignore=F,C9"]


# --- JSONC and C++ headers ----------------------------------------------------------------------


def test_jsonc_files_may_hold_comments_and_trailing_commas(repo_factory):
    jsonc = '{\n  // strict mode\n  "compilerOptions": {"strict": true, /* x */ "a": "//",},\n}\n'
    repo = repo_factory({
        "tsconfig.json": jsonc, "web/tsconfig.app.json": jsonc,
        ".devcontainer/devcontainer.json": jsonc, "settings.jsonc": jsonc,
        "package.json": '{"name": "x"}\n', "data.json": jsonc,
    })
    files = ["tsconfig.json", "web/tsconfig.app.json", ".devcontainer/devcontainer.json",
             "settings.jsonc", "package.json", "data.json"]
    findings = json_syntax(RepoFS(repo), files)
    # a plain .json file with comments is still broken, at the comment's line
    assert [(f.path, f.line, f.code) for f in findings] == [("data.json", 2, "json-syntax")]


def test_cpp_headers_are_read_as_cpp(repo_factory):
    cpp = cppcheck_config(RepoFS(repo_factory({"widget.h": HEADER, "main.cpp": MAIN_CPP})),
                          Where("/src", "/cfg"))
    assert cpp.args == ["--language=c++"]
    mixed = cppcheck_config(
        RepoFS(repo_factory({"widget.h": HEADER, "main.cpp": MAIN_CPP, "util.c": "int x;\n"})),
        Where("/src", "/cfg"),
    )
    assert mixed.args == [] and mixed.exclude == ("*.h",)
    plain_c = cppcheck_config(RepoFS(repo_factory({"a.h": "int f(void);\n", "a.c": "int x;\n"})),
                              Where("/src", "/cfg"))
    assert plain_c.args == [] and plain_c.exclude == ()


# --- fixture pairs, run in the tools container -----------------------------------------------


@pytest.mark.containers
@pytest.mark.usefixtures("ready_engine")
def test_pep8_clean_code_passes_whatever_pylint_says(repo_factory):
    good = run_probe(repo_factory({"pkg/mod.py": PYLINT_UNHAPPY}), "tools.QC.Sty01")
    assert good.outcome is Outcome.PASS, good.evidence
    assert any(e.tool == "pylint" and "undefined-variable" in e.message and not e.failing
               for e in good.evidence)
    crowded = PYLINT_UNHAPPY.replace("return undefined_name", "return undefined_name==1")
    bad = run_probe(repo_factory({"pkg/mod.py": crowded}), "tools.QC.Sty01")
    assert bad.outcome is Outcome.FAIL, bad.evidence
    assert [(e.path, e.line, e.message[:4]) for e in _failing(bad, "flake8")] == [
        ("pkg/mod.py", 7, "E225")
    ]


@pytest.mark.containers
@pytest.mark.usefixtures("ready_engine")
def test_declared_line_length_in_tox_is_honoured(repo_factory):
    declared = run_probe(repo_factory({"mod.py": LINE_95, "tox.ini": TOX_PEP8}), "tools.QC.Sty01")
    assert declared.outcome is Outcome.PASS, declared.evidence
    said = " ".join(e.message for e in declared.evidence if e.tool == "flake8")
    assert "as declared in tox.ini [testenv:pep8]: pycodestyle --max-line-length=100 ." in said
    undeclared = run_probe(repo_factory({"mod.py": LINE_95, "tox.ini": "[tox]\n"}),
                           "tools.QC.Sty01")
    assert undeclared.outcome is Outcome.FAIL
    assert [(e.line, e.message[:4]) for e in _failing(undeclared, "flake8")] == [(2, "E501")]


@pytest.mark.containers
@pytest.mark.usefixtures("ready_engine")
def test_side_files_fail_only_when_they_do_not_parse(repo_factory):
    style_only = {
        "mod.py": '"""Module."""\n',
        "conf.yml": "a: 1\nb: 2\na: 3\nc:   [1,2]   \n",  # duplicate key, spacing
        "guide.md": "# Title\nText\n## Sub\n* a\n- b\n",
        "Dockerfile": "FROM debian\nRUN apt-get install curl\n",  # untagged, unpinned
        "run.sh": "#!/bin/sh\ncd foo\necho done\n",  # SC2164: a warning
    }
    good = run_probe(repo_factory(style_only), "tools.QC.Sty01")
    assert good.outcome is Outcome.PASS, good.evidence
    assert any(e.tool == "yamllint" and e.path == "conf.yml" and not e.failing
               for e in good.evidence)
    broken = run_probe(repo_factory({**style_only, "conf.yml": "a: [1, 2\nb: 3\n"}),
                       "tools.QC.Sty01")
    assert broken.outcome is Outcome.FAIL
    assert [(e.path, e.tool) for e in _failing(broken, "yamllint")] == [("conf.yml", "yamllint")]
    assert not [e for e in broken.evidence if e.failing and e.tool != "yamllint"]


@pytest.mark.containers
@pytest.mark.usefixtures("ready_engine")
def test_shell_beside_python_decides_only_when_it_does_not_parse(repo_factory):
    # SC2071 is a ShellCheck error, but the scripts are side files of a Python project
    beside = {"mod.py": '"""Module."""\n' + "X = 1\n" * 40, "run.sh": COMPARES_AS_STRING}
    assert run_probe(repo_factory(beside), "tools.QC.Sty01").outcome is Outcome.PASS
    unparsable = {**beside, "run.sh": "#!/bin/sh\nif true; then\n  echo x\n"}
    finding = run_probe(repo_factory(unparsable), "tools.QC.Sty01")
    assert finding.outcome is Outcome.FAIL
    assert _failing(finding, "shellcheck")
    assert all(e.message.startswith("SC1") for e in _failing(finding, "shellcheck"))


@pytest.mark.containers
@pytest.mark.usefixtures("ready_engine")
def test_shell_as_main_language_keeps_shellcheck_errors_decisive(repo_factory):
    main = run_probe(repo_factory({"run.sh": COMPARES_AS_STRING}), "tools.QC.Sty01")
    assert main.outcome is Outcome.FAIL
    assert [(e.line, e.message[:6]) for e in _failing(main, "shellcheck")] == [(2, "SC2071")]
    warned = run_probe(repo_factory({"run.sh": "#!/bin/sh\ncd foo\n"}), "tools.QC.Sty01")
    assert warned.outcome is Outcome.PASS  # SC2164 is a warning: evidence


@pytest.mark.containers
@pytest.mark.usefixtures("ready_engine")
def test_tsconfig_with_comments_passes_and_broken_json_fails(repo_factory):
    jsonc = '{\n  // comment\n  "compilerOptions": {"strict": true,},\n}\n'
    files = {"tsconfig.json": jsonc, "mod.py": '"""Module."""\n'}
    assert run_probe(repo_factory(files), "tools.QC.Sty01").outcome is Outcome.PASS
    broken = run_probe(repo_factory({**files, "data.json": jsonc}), "tools.QC.Sty01")
    assert broken.outcome is Outcome.FAIL
    assert [(e.path, e.line) for e in _failing(broken, "json")] == [("data.json", 2)]


@pytest.mark.containers
@pytest.mark.usefixtures("ready_engine")
def test_cpp_header_with_cpp_syntax_is_not_a_syntax_error(repo_factory):
    good = run_probe(repo_factory({"src/widget.h": HEADER, "src/main.cpp": MAIN_CPP}),
                     "tools.QC.Sty01")
    assert not _failing(good, "cppcheck"), good.evidence
    assert any("read as C++" in e.message for e in good.evidence if e.tool == "cppcheck")
    broken = run_probe(repo_factory({"src/widget.h": HEADER,
                                     "src/main.cpp": MAIN_CPP.replace("w(1);", "w((1);")}),
                       "tools.QC.Sty01")
    assert [(e.path, e.message[:11]) for e in _failing(broken, "cppcheck")] == [
        ("src/main.cpp", "syntaxError")
    ]
