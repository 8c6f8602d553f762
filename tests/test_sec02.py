"""QC.Sec02 (SAST and secrets): decisive versus advisory findings, the product-code scope
(tests, fixtures, examples, docs and vendored code left out, overridable in .sqaaas.yml) and
the repository's own declared bandit setup.

The rules themselves are data (criteria/tools.yml ``fail_on`` and ``scope``) and facts
(sqaaas/facts/scope.py); the fixture pairs below run the real tools in the tools container.
"""

from __future__ import annotations

import json
from pathlib import PurePosixPath

import pytest
import yaml

from sqaaas.acquire import acquire
from sqaaas.context import make_context
from sqaaas.core.outcomes import Outcome
from sqaaas.errors import ConfigError
from sqaaas.facts.declared_tools import declared_invocations
from sqaaas.facts.scope import (
    is_vendored,
    partition,
    sec_scope,
    vendored_paths,
    vendored_roots,
)
from sqaaas.repofs import RepoFS
from sqaaas.tools.configs import CONFIGS, Where
from sqaaas.tools.parsers import bandit_json, detect_secrets_json
from sqaaas.tools.spec import default_tools
from tests.conftest import run_probe
from tests.containers_support import in_containers

ROOT = PurePosixPath("/src")
EVAL_INPUT = '"""CLI."""\n\nvalue = eval(input())\n'  # B307: MEDIUM severity, HIGH confidence
#: bandit B101 assert (LOW), B311 random (LOW), B108 /tmp path (MEDIUM, MEDIUM confidence)
LOW_ONLY = (
    '"""Dice."""\n\nimport random\n\nSCRATCH = "/tmp/dice.txt"\n\n\n'
    'def roll() -> int:\n    """Roll."""\n    value = random.randint(1, 6)\n'
    "    assert value > 0\n    return value\n"
)
PRIVATE_KEY = (
    "-----BEGIN " + "RSA PRIVATE KEY-----\n"  # split: this file is not a key itself
    "MIIEowIBAAKCAQEA0Z3VS5JJcds3xfn/ygWyF8PbnGy0AHB7MhgHcTz6sE2I2yPB\n"
    "-----END " + "RSA PRIVATE KEY-----\n"
)
KEYWORD_PASSWORD = 'password = "correct-horse-battery"\n'


def _ctx(repo):
    return make_context(acquire(str(repo)))


def _sec02(repo):
    return run_probe(repo, "tools.QC.Sec02")


def _lines(finding, tool: str | None = None):
    return [(e.path, e.line, e.failing, e.message) for e in finding.evidence
            if tool is None or e.tool == tool]


# --- the decisive rule, as data ----------------------------------------------------------


def test_bandit_decides_on_high_severity_or_medium_with_high_confidence():
    how = default_tools()["bandit"].evidences["QC.Sec02"]
    assert how.decides("error", "B602 subprocess_popen_with_shell_equals_true", "high")
    assert how.decides("error", "B201 flask_debug_true", "medium")
    assert how.decides("warning", "B307 blacklist", "high")  # eval(input())
    assert not how.decides("warning", "B108 hardcoded_tmp_directory", "medium")
    assert not how.decides("warning", "B608 hardcoded_sql_expressions", "low")
    assert not how.decides("info", "B101 assert_used", "high")
    assert how.scope == "product"


def test_secrets_decide_only_for_detectors_that_know_a_credential_format():
    how = default_tools()["detect-secrets"].evidences["QC.Sec02"]
    for detector in ("PrivateKeyDetector", "AWSKeyDetector", "GitHubTokenDetector",
                     "SlackDetector", "StripeDetector", "PypiTokenDetector"):
        assert how.decides("warning", detector), detector
    for detector in ("KeywordDetector", "Base64HighEntropyString", "HexHighEntropyString",
                     "BasicAuthDetector", "JwtTokenDetector", "IPPublicDetector"):
        assert not how.decides("warning", detector), detector


def test_cppcheck_security_errors_decide_but_parse_problems_do_not():
    how = default_tools()["cppcheck"].evidences["QC.Sec02"]
    assert how.decides("error", "arrayIndexOutOfBounds")
    assert how.decides("error", "nullPointer")
    assert not how.decides("error", "syntaxError")
    assert not how.decides("error", "internalAstError")
    assert not how.decides("warning", "uninitMemberVar")


def test_bandit_parser_keeps_confidence_and_counts_nosec():
    out = {
        "results": [
            {"filename": "/src/a.py", "line_number": 3, "test_id": "B307", "test_name": "blacklist",
             "issue_text": "eval", "issue_severity": "MEDIUM", "issue_confidence": "HIGH",
             "issue_cwe": {"id": 78}},
            {"filename": "/src/a.py", "line_number": 5, "test_id": "B101",
             "test_name": "assert_used", "issue_text": "assert", "issue_severity": "LOW",
             "issue_confidence": "HIGH"},
        ],
        "metrics": {"_totals": {"nosec": 2, "skipped_tests": 1}},
    }
    parsed = bandit_json(json.dumps(out), ROOT)
    assert [(f.severity, f.confidence) for f in parsed.findings] == [
        ("warning", "high"), ("info", "high")
    ]
    assert parsed.suppressed == 3


def test_secrets_parser_names_the_most_specific_detector_once_per_line():
    out = {"results": {"/src/conf.py": [
        {"type": "Secret Keyword", "line_number": 2},
        {"type": "AWS Access Key", "line_number": 2},
        {"type": "Base64 High Entropy String", "line_number": 7},
    ]}}
    findings = detect_secrets_json(json.dumps(out), ROOT).findings
    assert [(f.line, f.code) for f in findings] == [
        (2, "AWSKeyDetector"), (7, "Base64HighEntropyString")
    ]
    assert "value not shown" in findings[0].message


# --- the scope: which paths are product code ---------------------------------------------


def test_scope_leaves_out_tests_fixtures_examples_docs_and_vendored_code(repo_factory):
    files = {
        "src/app.py": "", "tests/test_app.py": "", "pkg/app_test.py": "", "conftest.py": "",
        "pkg/fixtures/data.py": "", "testdata/x.json": "", "examples/demo.py": "",
        "docs/conf.py": "", "external/lib/x.c": "", "lib/jquery/LICENSE.txt": "MIT",
        "lib/jquery/jquery.js": "", "lib/app/main.js": "",
        ".gitmodules": '[submodule "extra"]\n\tpath = modules/extra\n\turl = ../extra.git\n',
        "modules/extra/setup.py": "",
    }
    ctx = _ctx(repo_factory(files))
    scope = ctx.fact(sec_scope)
    assert scope.why_excluded("src/app.py") is None
    assert scope.why_excluded("lib/app/main.js") is None  # lib/ is the project's own code
    assert scope.why_excluded("tests/test_app.py") == "tests: tests/"
    assert scope.why_excluded("pkg/app_test.py") == "tests: test file name"
    assert scope.why_excluded("conftest.py") == "tests: test file name"
    assert scope.why_excluded("pkg/fixtures/data.py") == "tests: fixtures/"
    assert scope.why_excluded("testdata/x.json") == "tests: testdata/"
    assert scope.why_excluded("examples/demo.py") == "examples: examples/"
    assert scope.why_excluded("docs/conf.py") == "docs: docs/"
    assert scope.why_excluded("external/lib/x.c") == "vendored: external/"
    assert scope.why_excluded("lib/jquery/jquery.js") == (
        "vendored: lib/jquery/ (its own licence file LICENSE.txt)"
    )
    assert scope.why_excluded("modules/extra/setup.py") == (
        "vendored: modules/extra/ (git submodule in .gitmodules)"
    )
    assert ctx.fact(vendored_roots) == {
        "modules/extra": "git submodule in .gitmodules",
        "lib/jquery": "its own licence file LICENSE.txt",
    }
    assert set(ctx.fact(vendored_paths)) == {
        "external/lib/x.c", "lib/jquery/LICENSE.txt", "lib/jquery/jquery.js",
        "modules/extra/setup.py",
    }
    assert is_vendored("third_party/zlib/zlib.h") and not is_vendored("src/zlib_wrap.c")
    split = partition(scope, ["src/app.py", "tests/test_app.py", "examples/demo.py"])
    assert split.kept == ["src/app.py"]
    assert split.summary() == "2 file(s): examples: examples/ 1, tests: tests/ 1"


def test_a_python_package_named_example_is_product_code(repo_factory):
    ctx = _ctx(repo_factory({"example/__init__.py": "", "example/stats.py": "",
                             "examples/demo.py": ""}))
    scope = ctx.fact(sec_scope)
    assert scope.why_excluded("example/stats.py") is None
    assert scope.why_excluded("examples/demo.py") == "examples: examples/"


def test_sqaaas_yml_shapes_the_security_scope(repo_factory):
    config = ("security:\n  exclude: [scripts/]\n  include: [tests/]\n")
    scope = _ctx(repo_factory({".sqaaas.yml": config})).fact(sec_scope)
    assert scope.why_excluded("tests/test_app.py") is None
    assert scope.why_excluded("scripts/deploy.py") == ".sqaaas.yml exclude: scripts/"
    assert scope.why_excluded("docs/conf.py") == "docs: docs/"
    assert "includes tests/" in scope.describe()
    scope = _ctx(repo_factory({".sqaaas.yml": "security:\n  default_excludes: false\n"})).fact(
        sec_scope
    )
    assert scope.why_excluded("tests/test_app.py") is None
    assert "turned off in .sqaaas.yml" in scope.describe()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("security:\n  exclude: [../outside]\n", "inside the repository"),
        ("security:\n  exclude: [/etc]\n", "inside the repository"),
        ("security:\n  excludes: [tests]\n", "excludes"),
        ("security:\n  default_excludes: maybe\n", "default_excludes"),
    ],
)
def test_security_settings_are_validated(repo_factory, text, message):
    with pytest.raises(ConfigError, match=message):
        _ctx(repo_factory({".sqaaas.yml": text}))


# --- fixture pairs with the real tools ---------------------------------------------------


@in_containers(timeout=300)
def test_eval_input_in_src_fails_but_low_severity_findings_only_warn(repo_factory):
    failing = _sec02(repo_factory({"src/cli.py": EVAL_INPUT}))
    assert failing.outcome is Outcome.FAIL, _lines(failing)
    assert any(p == "src/cli.py" and line == 3 and f and "B307" in m
               for p, line, f, m in _lines(failing, "bandit"))
    warned = _sec02(repo_factory({"src/dice.py": LOW_ONLY}))
    assert warned.outcome is Outcome.PASS, _lines(warned)
    shown = {m.split(":")[0]: f for p, _, f, m in _lines(warned, "bandit") if p}
    assert {"B101 assert_used", "B311 blacklist", "B108 hardcoded_tmp_directory"} <= set(shown)
    assert not any(shown.values())  # every one a warning, none failing
    assert "the others are warnings" in warned.evidence[0].message or any(
        "the others are warnings" in m for *_, m in _lines(warned, "bandit")
    )


@in_containers(timeout=300)
def test_private_key_fails_but_a_keyword_password_only_warns(repo_factory):
    failing = _sec02(repo_factory({"src/deploy/id_rsa": PRIVATE_KEY}))
    assert failing.outcome is Outcome.FAIL, _lines(failing)
    assert any(p == "src/deploy/id_rsa" and f and "PrivateKeyDetector" in m
               for p, _, f, m in _lines(failing, "detect-secrets"))
    warned = _sec02(repo_factory({"conf/settings.ini": KEYWORD_PASSWORD}))
    assert warned.outcome is Outcome.PASS, _lines(warned)
    assert any(p == "conf/settings.ini" and f is False and "KeywordDetector" in m
               for p, _, f, m in _lines(warned, "detect-secrets"))


@in_containers(timeout=300)
def test_findings_in_tests_and_examples_are_left_out_and_reported(repo_factory):
    files = {"src/ok.py": '"""Fine."""\n', "tests/test_cli.py": EVAL_INPUT,
             "examples/id_rsa": PRIVATE_KEY}
    finding = _sec02(repo_factory(files))
    assert finding.outcome is Outcome.PASS, _lines(finding)
    messages = [m for *_, m in _lines(finding)]
    assert any("Bandit: security scope" in m and "tests: tests/ 1" in m for m in messages)
    assert any("detect-secrets: security scope" in m and "examples: examples/ 1" in m
               for m in messages)
    aside = [(p, f) for p, _, f, m in _lines(finding) if m.startswith("out of scope")]
    assert ("tests/test_cli.py", False) in aside and ("examples/id_rsa", False) in aside
    # the same findings in the product code fail
    moved = _sec02(repo_factory({"src/ok.py": '"""Fine."""\n', "src/cli.py": EVAL_INPUT,
                                 "src/id_rsa": PRIVATE_KEY}))
    assert moved.outcome is Outcome.FAIL
    assert {p for p, _, f, _ in _lines(moved) if f} == {"src/cli.py", "src/id_rsa"}


@in_containers(timeout=300)
def test_sqaaas_yml_bringing_tests_back_makes_their_findings_count(repo_factory):
    files = {"src/ok.py": '"""Fine."""\n', "tests/test_cli.py": EVAL_INPUT}
    assert _sec02(repo_factory(files)).outcome is Outcome.PASS
    back = _sec02(repo_factory({**files, ".sqaaas.yml": "security:\n  include: [tests/]\n"}))
    assert back.outcome is Outcome.FAIL, _lines(back)
    assert any(p == "tests/test_cli.py" and f for p, _, f, _ in _lines(back, "bandit"))
    off = _sec02(repo_factory({**files, ".sqaaas.yml": "security:\n  default_excludes: false\n"}))
    assert off.outcome is Outcome.FAIL


# --- the repository's declared bandit setup ----------------------------------------------


def _bandit_config(repo_factory, files):
    """The bandit builder's output with the repository's declared runs handed in, as the
    probes hand them (sqaaas.facts.declared_tools)."""
    repo = repo_factory(files)
    ctx = _ctx(repo)
    declared = declared_invocations(ctx, default_tools()["bandit"].declared_as)
    return CONFIGS["bandit"](RepoFS(repo), Where("/src", "/cfg/bandit", declared))


def test_declared_bandit_options_go_through_the_allow_list(repo_factory):
    tox = ("[testenv:sec]\ncommands = bandit -r src -ll -iii --skip B101,B311,nope "
           "-x src/legacy -c bandit.yaml -b base.json -o report.txt --frobnicate\n")
    config = _bandit_config(repo_factory, {
        "tox.ini": tox,
        "bandit.yaml": "skips: [B404]\nexclude_dirs: [src/gen]\nplugins: [evil]\n",
        "src/app.py": "", "src/legacy/old.py": "", "scripts/tool.py": "",
    })
    assert "--severity-level=medium" in config.args
    assert "--confidence-level=high" in config.args
    assert "--skip=B101,B311" in config.args
    assert config.paths == ("src",)
    assert "src/legacy" in config.exclude and "src/legacy/*" in config.exclude
    assert yaml.safe_load(config.files["bandit.yaml"]) == {
        "skips": ["B404"], "exclude_dirs": ["src/gen"]
    }
    refused = "\n".join(config.refused)
    assert "--baseline/-b refused" in refused and "--frobnicate refused" in refused
    assert "plugins refused" in refused
    assert any("run with the options as declared in tox.ini" in n and "bandit -r src -ll" in n
               for n in config.notes)
    assert {"tox.ini", "bandit.yaml"} <= set(config.sources)


def test_pre_commit_bandit_hook_and_outside_config_file(repo_factory):
    hook = ("repos:\n  - repo: https://github.com/PyCQA/bandit\n    rev: 1.7.9\n    hooks:\n"
            "      - id: bandit\n        args: ['-lll', '-c', '/etc/bandit.yaml']\n")
    config = _bandit_config(repo_factory, {".pre-commit-config.yaml": hook, "app.py": ""})
    assert config.args == ["--severity-level=high"]
    assert "--configfile /etc/bandit.yaml refused: reads a file outside" in "\n".join(
        config.refused
    )


def test_without_a_declared_run_bandit_keeps_its_defaults(repo_factory):
    config = _bandit_config(repo_factory, {"app.py": ""})
    assert config.args == [] and config.paths == () and config.notes == []


@in_containers(timeout=300)
def test_declared_bandit_level_and_skip_are_honoured_and_named(repo_factory):
    files = {"src/cli.py": EVAL_INPUT}  # B307: MEDIUM severity, HIGH confidence: decisive
    assert _sec02(repo_factory(files)).outcome is Outcome.FAIL
    high_only = "[testenv:sec]\ncommands = bandit -r src -lll\n"
    finding = _sec02(repo_factory({**files, "tox.ini": high_only}))
    assert finding.outcome is Outcome.PASS, _lines(finding)
    assert any("run with the options as declared in tox.ini" in m and "-lll" in m
               for *_, m in _lines(finding, "bandit"))
    skip = ("repos:\n  - repo: https://github.com/PyCQA/bandit\n    rev: 1.7.9\n    hooks:\n"
            "      - id: bandit\n        args: [--skip, B307]\n")
    finding = _sec02(repo_factory({**files, ".pre-commit-config.yaml": skip}))
    assert finding.outcome is Outcome.PASS, _lines(finding)
    assert any("hook bandit" in m and "--skip B307" in m for *_, m in _lines(finding, "bandit"))


@in_containers(timeout=300)
def test_nosec_is_honoured_and_counted(repo_factory):
    files = {"src/cli.py": '"""CLI."""\n\nvalue = eval(input())  # nosec B307\n'}
    finding = _sec02(repo_factory(files))
    assert finding.outcome is Outcome.PASS, _lines(finding)
    assert "1 suppressed inline by the repository" in _lines(finding, "bandit")[0][3]
