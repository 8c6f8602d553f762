"""Main languages are really checked: QC.Sty01/QC.Sec02 are judged by a tool for each main
language (by code size), a main language without one is named and makes them not automated,
and the tools added for Go (gofmt), JavaScript/TypeScript (Biome) and C/C++ (Flawfinder)
each have a clean and a failing fixture.
"""

from __future__ import annotations

from pathlib import PurePosixPath

import pytest

from sqaaas.core.outcomes import Outcome
from sqaaas.languages import code_sizes, main_language_rule, main_languages
from sqaaas.platform.provision import image_npm_packages
from sqaaas.repofs import FileEntry, RepoFS
from sqaaas.tools.configs.base import Where
from sqaaas.tools.configs.biome_conf import biome_config
from sqaaas.tools.parsers import ParseError, biome_json, flawfinder_csv, gofmt_list
from sqaaas.tools.spec import default_tools
from tests.conftest import run_probe

ROOT = PurePosixPath("/src")
CLEAN_YAML = "name: demo\nitems: [1, 2]\n"
CLEAN_GO = 'package main\n\nimport "fmt"\n\nfunc main() {\n\tfmt.Println("hi")\n}\n'
BAD_GO = 'package main\n\nimport "fmt"\n\nfunc main() {\n  fmt.Println("hi")\n}\n'
# == is an error in Biome's recommended rules but not in ESLint's: a warning, not decisive
CLEAN_JS = (
    "export function double(value) {\n  if (value == '0') {\n    return 0;\n  }\n"
    "  return value * 2;\n}\n"
)
BAD_JS = "export function double(value) {\n  debugger;\n  return value * 2;\n}\n"
CLEAN_C = '#include <stdio.h>\n\nint main(void) {\n  puts("hi");\n  return 0;\n}\n'
GETS_C = "#include <stdio.h>\n\nint main(void) {\n  char buf[10];\n  gets(buf);\n  return 0;\n}\n"


def _entry(path: str, size: int) -> FileEntry:
    return FileEntry(path, size, 0o644, False)


# ---- which languages are main (no containers) ---------------------------------------------


def test_main_languages_are_measured_by_code_size_not_file_count():
    files = [_entry(f"scripts/s{i}.sh", 100) for i in range(10)] + [_entry("model.jl", 9000)]
    assert list(main_languages(files)) == ["Julia"]  # 10 small scripts, one big module
    assert code_sizes(files) == {"Julia": 9000, "Shell": 1000}


def test_every_language_over_the_share_is_main_and_the_largest_always():
    share = main_language_rule().min_share
    files = [_entry("a.py", 600), _entry("b.go", 400), _entry("c.sh", 10)]
    assert main_languages(files) == {"Python": 0.594, "Go": 0.396}
    assert 0.0099 < 10 / 1010 < share  # the shell script is a side language
    assert list(main_languages([_entry("tiny.sh", 5), _entry("conf.yml", 99999)])) == ["Shell"]


def test_formats_and_notebooks_never_make_a_main_language():
    files = [_entry("values.yaml", 5000), _entry("README.md", 900), _entry("nb.ipynb", 10**6),
             _entry("Jenkinsfile", 3000), _entry("Vagrantfile", 800)]
    assert main_languages(files) == {}
    assert main_language_rule().judged == {"QC.Sty01", "QC.Sec02"}


# ---- parsers and configuration (no containers) --------------------------------------------


def test_gofmt_output_lists_unformatted_files_and_syntax_errors():
    parsed = gofmt_list("./a.go\n\n./pkg/b.go:3:9: expected ')', found '{'\n", ROOT)
    assert [(f.path, f.line, f.severity) for f in parsed.findings] == [
        ("a.go", None, "warning"), ("pkg/b.go", 3, "error")]
    with pytest.raises(ParseError):
        gofmt_list("open ./x.go: permission denied\n", ROOT)


def test_biome_json_findings_and_a_refused_configuration_is_an_error():
    out = (
        '{"diagnostics": [{"severity": "error", "message": "No debugger.", "category": '
        '"lint/suspicious/noDebugger", "location": {"path": "src/a.ts", "start": {"line": 2, '
        '"column": 3}}}, {"severity": "warning", "message": "Use const.", "category": '
        '"lint/style/useConst", "location": {"path": "b.js", "start": {"line": 1}}}]}'
    )
    findings = biome_json(out, ROOT).findings
    assert [(f.path, f.line, f.code, f.severity) for f in findings] == [
        ("src/a.ts", 2, "lint/suspicious/noDebugger", "error"),
        ("b.js", 1, "lint/style/useConst", "warning"),
    ]
    with pytest.raises(ParseError):
        biome_json('{"diagnostics": [{"severity": "error", "message": "bad key", '
                   '"category": "deserialize", "location": {}}]}', ROOT)
    with pytest.raises(ParseError):
        biome_json("", ROOT)  # Biome refused to start: nothing was checked


def test_biome_decides_style_on_errors_and_security_on_its_security_rules():
    biome = default_tools()["biome"]
    sty, sec = biome.evidences["QC.Sty01"], biome.evidences["QC.Sec02"]
    assert sty.decides("error", "lint/suspicious/noDebugger")
    assert not sty.decides("warning", "lint/style/useConst")
    assert not sty.decides("error", "lint/security/noGlobalEval")
    assert sec.decides("error", "lint/security/noGlobalEval")
    assert not sec.decides("error", "lint/suspicious/noDebugger")


def test_flawfinder_level_five_decides_and_level_four_warns():
    csv = (
        "File,Line,Column,DefaultLevel,Level,Category,Name,Warning,Suggestion,Note,CWEs,"
        "Context,Fingerprint,ToolVersion,RuleId,HelpUri\n"
        './src/m.c,5,3,5,5,buffer,gets,"Does not check for buffer overflows (CWE-120, CWE-20).",'
        "Use fgets() instead.,,CWE-120,  gets(buf);,x,2.0.20,FF1014,https://cwe\n"
        "./src/m.c,6,3,4,4,buffer,strcpy,Does not check for buffer overflows.,Use strlcpy.,,"
        "CWE-120,strcpy(a b);,y,2.0.20,FF1001,https://cwe\n"
    )
    findings = flawfinder_csv(csv, ROOT).findings
    assert [(f.path, f.line, f.code, f.severity) for f in findings] == [
        ("src/m.c", 5, "FF1014 gets", "error"), ("src/m.c", 6, "FF1001 strcpy", "warning")]
    assert flawfinder_csv("", ROOT).findings == []


def test_biome_configuration_keeps_rule_levels_and_refuses_extends_and_plugins(repo_factory):
    biome_jsonc = (
        '{\n  // the project\'s lint choices\n  "extends": ["@acme/biome-config"],\n'
        '  "plugins": ["./rules.grit"],\n  "files": {"includes": ["**", "!dist/**"]},\n'
        '  "linter": {"rules": {"recommended": true, "suspicious": {"noDebugger": "off",'
        ' "noExplicitAny": {"level": "warn"}, "bad": {"fix": "unsafe"},},},},\n}\n'
    )
    fs = RepoFS(repo_factory({"biome.jsonc": biome_jsonc, "a.js": CLEAN_JS}))
    config = biome_config(fs, Where("/src", "/cfg/biome"))
    assert config.args == ["--config-path=/cfg/biome/biome.json"]
    assert '"noDebugger": "off"' in config.files["biome.json"]
    assert '"plugins"' not in config.files["biome.json"]
    refused = " | ".join(config.refused)
    assert "extends refused" in refused and "plugins refused" in refused
    assert "suspicious.bad refused" in refused
    assert "dist/*" in config.exclude and config.sources == ["biome.jsonc"]


def test_biome_rules_stricter_than_eslint_recommended_warn_unless_the_repository_says(
    repo_factory,
):
    default = biome_config(RepoFS(repo_factory({"a.js": CLEAN_JS})), Where("/src", "/cfg"))
    assert '"noDoubleEquals": "warn"' in default.files["biome.json"]
    strict = '{"linter": {"rules": {"suspicious": {"noDoubleEquals": "error"}}}}'
    fs = RepoFS(repo_factory({"biome.json": strict, "a.js": CLEAN_JS}))
    chosen = biome_config(fs, Where("/src", "/cfg")).files["biome.json"]
    assert '"noDoubleEquals": "error"' in chosen and '"noGlobalIsNan": "warn"' in chosen


def test_the_tools_image_installs_the_pinned_npm_packages():
    assert image_npm_packages() == ["@biomejs/biome@2.6.8"]
    assert default_tools()["biome"].package.version == "==2.6.8"


# ---- fixtures: the tools in the tools container ------------------------------------------


def _decisive(finding, tool):
    return [e for e in finding.evidence if e.tool == tool and e.path and e.failing]


def _gap(finding, language):
    return [e for e in finding.evidence if e.value == language and "not automated" in e.message]


LANGUAGE_CASES = [
    # (probe, tool, clean files, failing files, expected failing path, line)
    ("tools.QC.Sty01", "gofmt", {"main.go": CLEAN_GO}, {"main.go": BAD_GO}, "main.go", None),
    ("tools.QC.Sty01", "biome", {"src/calc.js": CLEAN_JS}, {"src/calc.js": BAD_JS},
     "src/calc.js", 2),
    ("tools.QC.Sty01", "biome", {"src/calc.ts": "export const n: number = 2;\n"},
     {"src/calc.ts": "export const n: number = 2;\nfor (let i = 0; i < 3; i--) {}\n"},
     "src/calc.ts", 2),
    ("tools.QC.Sec02", "biome", {"src/run.js": CLEAN_JS},
     {"src/run.js": "export function run(code) {\n  return eval(code);\n}\n"}, "src/run.js", 2),
    ("tools.QC.Sec02", "flawfinder", {"src/main.c": CLEAN_C}, {"src/main.c": GETS_C},
     "src/main.c", 5),
]


@pytest.mark.containers
@pytest.mark.usefixtures("ready_engine")
@pytest.mark.parametrize(
    ("probe", "tool", "clean", "bad", "path", "line"),
    LANGUAGE_CASES,
    ids=["gofmt", "biome-js", "biome-ts", "biome-security", "flawfinder"],
)
def test_language_tool_clean_and_failing_fixture(repo_factory, probe, tool, clean, bad, path,
                                                 line):
    good = run_probe(repo_factory({**clean, "conf.yml": CLEAN_YAML}), probe)
    assert any(e.tool == tool and "file(s)" in e.message for e in good.evidence), good.evidence
    if probe == "tools.QC.Sty01" or tool != "flawfinder":
        assert good.outcome in (Outcome.PASS, Outcome.NOT_AUTOMATED), good.evidence
    failing = run_probe(repo_factory({**bad, "conf.yml": CLEAN_YAML}), probe)
    assert failing.outcome is Outcome.FAIL, failing.evidence
    hits = _decisive(failing, tool)
    assert any(e.path == path and e.line == line for e in hits), [
        (e.path, e.line, e.message) for e in hits]


@pytest.mark.containers
@pytest.mark.usefixtures("ready_engine")
def test_clean_go_passes_style_and_security_with_go_vet_named_not_automated(repo_factory):
    repo = repo_factory({"main.go": CLEAN_GO, "deploy.yml": CLEAN_YAML})
    style = run_probe(repo, "tools.QC.Sty01")
    assert style.outcome is Outcome.PASS, style.evidence
    vet = [e for e in style.evidence if e.tool == "go-vet" and "not automated" in e.message]
    assert vet and "Go 1.19" in vet[0].message
    security = run_probe(repo, "tools.QC.Sec02")
    assert security.outcome is Outcome.PASS, security.evidence
    assert any(e.tool == "go-security" and "1 file(s)" in e.message for e in security.evidence)
    assert not _gap(security, "Go")


@pytest.mark.containers
@pytest.mark.usefixtures("ready_engine")
def test_clean_c_passes_security_with_flawfinder_and_cppcheck(repo_factory):
    finding = run_probe(repo_factory({"src/main.c": CLEAN_C}), "tools.QC.Sec02")
    assert finding.outcome is Outcome.PASS, finding.evidence
    assert {"flawfinder", "cppcheck"} <= {e.tool for e in finding.evidence}


@pytest.mark.containers
@pytest.mark.usefixtures("ready_engine")
@pytest.mark.parametrize(
    ("language", "files"),
    [
        ("Julia", {"src/Model.jl": "module Model\nf(x) = 2x\nend\n" * 20}),
        ("Fortran", {"src/solver.f90": "program solver\n  print *, 'hi'\nend program\n" * 20}),
    ],
)
def test_main_language_without_tool_is_not_automated_despite_clean_side_files(
    repo_factory, language, files
):
    repo = repo_factory({**files, ".github/workflows/ci.yml": "on: push\n", "conf.yml": CLEAN_YAML})
    finding = run_probe(repo, "tools.QC.Sty01")
    assert finding.outcome is Outcome.NOT_AUTOMATED, finding.evidence
    assert _gap(finding, language), finding.evidence
    assert any(e.tool == "yamllint" for e in finding.evidence)  # still run, shown, not deciding
    assert f"not automated for {language}" in finding.hint


@pytest.mark.containers
@pytest.mark.usefixtures("ready_engine")
def test_side_files_decide_nothing_while_a_main_language_is_unjudged(repo_factory):
    repo = repo_factory({"src/Model.jl": "module Model\nend\n" * 40, "conf.yml": "a: [1\n"})
    finding = run_probe(repo, "tools.QC.Sty01")
    assert finding.outcome is Outcome.NOT_AUTOMATED, finding.evidence
    # with the main language checked, the same side-file error fails as before
    checked = repo_factory({"main.go": CLEAN_GO * 3, "conf.yml": "a: [1\n"})
    assert run_probe(checked, "tools.QC.Sty01").outcome is Outcome.FAIL


def test_main_language_without_any_applicable_tool_is_not_automated_not_not_applicable(
    repo_factory,
):
    finding = run_probe(repo_factory({"Model.jl": "module Model\nend\n"}), "tools.QC.Sty01")
    assert finding.outcome is Outcome.NOT_AUTOMATED
    assert _gap(finding, "Julia")
