"""Each tool's repository configuration goes through an allow-list: style options are kept in
the sanitised copy, options that load code, write files or read outside are refused, named."""

from __future__ import annotations

import configparser
import json
import tomllib

import yaml

from sqaaas.repofs import RepoFS
from sqaaas.tools.configs import CONFIGS, ToolConfig, Where
from sqaaas.tools.spec import default_tools

WHERE = Where(src="/src", cfg="/cfg/tool")


def build(repo_factory, tool: str, files: dict[str, str]) -> ToolConfig:
    return CONFIGS[tool](RepoFS(repo_factory(files)), WHERE)


def refused(config: ToolConfig) -> str:
    return "\n".join(config.refused)


def test_every_registry_config_names_a_builder_whose_options_have_a_place(repo_factory):
    fs = RepoFS(repo_factory({"mod.py": "x = 1\n"}))
    for spec in default_tools().values():
        if spec.config is None:
            continue
        assert spec.config in CONFIGS, spec.name
        if CONFIGS[spec.config](fs, WHERE).args:
            assert "{config}" in spec.args, spec.name


def test_pylint_keeps_style_refuses_code_and_unknown_sections(repo_factory):
    config = build(repo_factory, "pylint", {"pylintrc": (
        "[MAIN]\nload-plugins=evil\ninit-hook=import os\njobs=8\nignore=build\n"
        "[REPORTS]\nevaluation=__import__('os').system('x')\n"
        "[IMPORTS]\next-import-graph=/tmp/graph.gv\n"
        "[FORMAT]\nmax-line-length=90\n[SOME_PLUGIN]\nx=1\n")})
    rc = configparser.ConfigParser(interpolation=None)
    rc.read_string(config.files["pylintrc"])
    assert rc["FORMAT"]["max-line-length"] == "90" and rc["MAIN"]["ignore"] == "build"
    assert "load-plugins" not in rc["MAIN"] and "jobs" not in rc["MAIN"]
    assert "evaluation" not in rc["REPORTS"] and "ext-import-graph" not in rc["IMPORTS"]
    text = refused(config)
    assert "pylintrc [MAIN] load-plugins refused: loads code" in text
    assert "pylintrc [MAIN] init-hook refused: runs code" in text
    assert "pylintrc [REPORTS] evaluation refused: runs code" in text
    assert "pylintrc [IMPORTS] ext-import-graph refused: writes a file" in text
    assert "pylintrc [SOME_PLUGIN] (whole section) refused" in text
    assert config.args == ["--rcfile=/cfg/tool/pylintrc"] and config.sources == ["pylintrc"]


def test_pylint_without_configuration_still_gets_an_rcfile(repo_factory):
    config = build(repo_factory, "pylint", {"mod.py": "x = 1\n"})
    assert config.args == ["--rcfile=/cfg/tool/pylintrc"] and config.refused == []


def test_ruff_merges_an_extend_inside_and_refuses_one_outside(repo_factory):
    config = build(repo_factory, "ruff", {
        "pyproject.toml": '[tool.ruff]\nextend = "configs/base.toml"\nline-length = 90\n'
                          'cache-dir = "/tmp/x"\n[tool.ruff.lint.per-file-ignores]\n'
                          '"tests/*" = ["S101"]\n"conftest.py" = ["E501"]\n',
        "configs/base.toml": 'extend = "/etc/passwd"\n[lint]\nselect = ["E", "F"]\n'
                             'exclude = ["gen/*.py"]\n',
    })
    data = tomllib.loads(config.files["ruff.toml"])
    assert data["line-length"] == 90 and data["lint"]["select"] == ["E", "F"]
    ignores = data["lint"]["per-file-ignores"]
    assert ignores == {"/src/tests/*": ["S101"], "conftest.py": ["E501"]}
    assert data["lint"]["exclude"] == ["/src/configs/gen/*.py"]  # relative to its own file
    assert "cache-dir" not in data and "extend" not in data
    text = refused(config)
    assert "configs/base.toml extend = '/etc/passwd' refused: reads a file outside" in text
    assert "pyproject.toml [tool.ruff] cache-dir refused: writes a file" in text
    assert config.args == ["--config", "/cfg/tool/ruff.toml"]
    assert config.sources == ["pyproject.toml", "configs/base.toml"]


def test_ruff_without_configuration_gets_an_empty_file(repo_factory):
    config = build(repo_factory, "ruff", {"mod.py": "x = 1\n"})
    assert config.files["ruff.toml"] == "" and config.args == ["--config", "/cfg/tool/ruff.toml"]


def test_yamllint_flattens_extends_and_refuses_outside_files(repo_factory):
    config = build(repo_factory, "yamllint", {
        ".yamllint": "extends: ci/base.yaml\nrules:\n  line-length: {max: 100}\n"
                     "ignore-from-file: [.gitignore, ../../etc/shadow]\nplugins: x\n",
        "ci/base.yaml": "extends: relaxed\nrules:\n  line-length: {max: 80, level: error}\n",
        ".gitignore": "build/\n",
    })
    data = yaml.safe_load(config.files["yamllint.yaml"])
    assert data["extends"] == "relaxed"
    assert data["rules"]["line-length"] == {"max": 100, "level": "error"}
    assert data["ignore-from-file"] == ["/src/.gitignore"]
    text = refused(config)
    assert ".yamllint ignore-from-file '../../etc/shadow' refused" in text
    assert ".yamllint plugins refused" in text
    outside = build(repo_factory, "yamllint", {".yamllint": "extends: /etc/yamllint.yaml\n"})
    assert ".yamllint extends '/etc/yamllint.yaml' refused: reads a file outside" in refused(
        outside)


def test_bandit_config_keeps_test_choices_only(repo_factory):
    config = build(repo_factory, "bandit", {
        ".bandit": "[bandit]\nskips = B101,B601\nexclude = tests\ntargets = /etc\n"
                   "configfile = /etc/bandit.yaml\n",
    })
    data = yaml.safe_load(config.files["bandit.yaml"])
    assert data == {"skips": ["B101", "B601"], "exclude_dirs": ["tests"]}
    text = refused(config)
    assert ".bandit [bandit] targets refused" in text
    assert ".bandit [bandit] configfile refused" in text


def test_pymarkdown_refuses_plugin_code_and_log_file(repo_factory):
    config = build(repo_factory, "pymarkdown", {
        "pyproject.toml": '[tool.pymarkdown]\nplugins.md013.line_length = 120\n',
        ".pymarkdown": json.dumps({"plugins": {"additional_paths": "rule.py",
                                               "md041": {"enabled": False}},
                                   "log": {"file": "/tmp/log"}}),
    })
    data = json.loads(config.files["pymarkdown.json"])
    assert data == {"plugins": {"md013": {"line_length": 120}, "md041": {"enabled": False}}}
    text = refused(config)
    assert ".pymarkdown plugins.additional_paths refused: loads code" in text
    assert ".pymarkdown log.file refused: writes a file" in text
    assert config.workdir == "empty"


def test_rstcheck_never_reads_the_repository_docutils_conf(repo_factory):
    config = build(repo_factory, "rstcheck", {
        "docutils.conf": "[general]\nwarning_stream: /tmp/x\n",
        "setup.cfg": "[rstcheck]\nignore_directives = automodule\nsphinx_source_dir = /\n",
    })
    assert config.env == {"DOCUTILSCONFIG": "/cfg/tool/docutils.conf"}
    assert "file_insertion_enabled: no" in config.files["docutils.conf"]
    ini = configparser.ConfigParser(interpolation=None)
    ini.read_string(config.files["rstcheck.cfg"])
    assert dict(ini["rstcheck"]) == {"ignore_directives": "automodule"}
    text = refused(config)
    assert "docutils.conf (whole file) refused" in text
    assert "setup.cfg [rstcheck] sphinx_source_dir refused" in text


def test_radon_runs_outside_the_repository_and_refuses_output_file(repo_factory):
    config = build(repo_factory, "radon", {
        "setup.cfg": "[radon]\noutput_file = /tmp/x\nexclude = gen/*.py\nignore = migrations\n",
    })
    assert config.workdir == "empty"
    assert "gen/*.py" in config.exclude and "*/migrations/*" in config.exclude
    assert "setup.cfg [radon] output_file refused: writes a file" in refused(config)


def test_shellcheck_and_hadolint_keep_rule_choices(repo_factory):
    shell = build(repo_factory, "shellcheck", {
        ".shellcheckrc": "disable=SC2034  # fine\nexternal-sources=true\nsource-path=/\n",
    })
    assert shell.files["shellcheckrc"] == "disable=SC2034\n"
    assert ".shellcheckrc external-sources refused" in refused(shell)
    assert build(repo_factory, "shellcheck", {"a.sh": "true\n"}).args == ["--norc"]
    hado = build(repo_factory, "hadolint", {".hadolint.yaml": "format: tty\nignored: [DL3006]\n"
                                                              "label-schema: {a: text}\n"})
    assert yaml.safe_load(hado.files["hadolint.yaml"]) == {"ignored": ["DL3006"],
                                                           "label-schema": {"a": "text"}}
    assert hado.refused == []  # format: set by sqaaas, silently replaced
