"""Reading JePL .sqa/config.yml (+ docker-compose.yml) into a pipeline spec (no containers)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sqaaas.pipelines.commands import StepKind, step_kind
from sqaaas.pipelines.jepl import JeplError, load_jepl
from sqaaas.pipelines.render import render
from sqaaas.pipelines.spec import Comparator, parse_spec
from sqaaas.platform import images

FIXTURE = Path(__file__).parent / "data" / "jepl" / ".sqa" / "config.yml"


def _steps(spec):
    return {step.name: (criterion, step) for criterion, steps in spec.criteria.items()
            for step in steps}


def _write(tmp_path: Path, config: str, compose: str | None = None) -> Path:
    sqa = tmp_path / ".sqa"
    sqa.mkdir(parents=True, exist_ok=True)
    (sqa / "config.yml").write_text(config, encoding="utf-8")
    if compose is not None:
        (sqa / "docker-compose.yml").write_text(compose, encoding="utf-8")
    return sqa / "config.yml"


def test_original_service_layout_maps_every_stage():
    jepl = load_jepl(FIXTURE, main_url="https://github.com/example-org/example.git")
    spec = jepl.spec
    assert spec.timeout == 600
    assert spec.environment["GREETING"] == "hello from JePL"
    assert spec.environment["JPL_KEEPGOING"] == "enabled"
    # the only project repository is the service's tooling: the stages run in the checkout
    assert spec.main.name == "this_repo"
    assert spec.main.url == "https://github.com/example-org/example.git"
    assert [r.name for r in spec.repositories][1:] == ["github.com-EOSC-synergy-sqaaas-tooling"]
    assert spec.repositories[1].branch == "release/1.7.8"
    steps = _steps(spec)
    assert set(steps) == {
        "QC.Acc-this_repo", "QC.Doc-this_repo", "QC.Uni-this_repo", "QC.Sty-this_repo",
        "QC.Del-this_repo",
    }
    criterion, acc = steps["QC.Acc-this_repo"]
    assert criterion == "QC.Acc"
    assert acc.commands == ("git rev-parse --is-inside-work-tree",)
    assert acc.image == "bitnami/git:2.34.1"
    assert acc.repository is None
    _, uni = steps["QC.Uni-this_repo"]
    assert uni.commands == ("tox -c tox.ini -e unit",)
    assert uni.image == "painless/tox:latest"
    _, sty = steps["QC.Sty-this_repo"]
    assert sty.when is not None and sty.when.branch is not None
    assert (sty.when.branch.pattern, sty.when.branch.comparator) == ("release/*", Comparator.GLOB)
    _, dele = steps["QC.Del-this_repo"]
    assert dele.when is not None and dele.when.building_tag and dele.when.branch is None
    # a service built from a Dockerfile cannot be built here: its stage uses the tools image
    _, doc = steps["QC.Doc-this_repo"]
    assert doc.image == images.tools_image()
    assert any("qc.doc_snazzy-ivory-owl" in n and "Dockerfile" in n for n in jepl.notes)
    assert any("this_repo" in n and "<criterion>-<stage>" in n for n in jepl.notes)


def test_stage_named_after_a_project_repo_runs_in_that_repository(tmp_path):
    config = _write(
        tmp_path,
        """
config:
  project_repos:
    github.com/EOSC-synergy/sqaaas-tooling:
      repo: https://github.com/EOSC-synergy/sqaaas-tooling
      branch: release/1.7.6
    github.com/grycap/oscar:
      repo: https://github.com/grycap/oscar
      branch: change-doc
sqa_criteria:
  QC.Sty:
    repos:
      github.com/grycap/oscar flake8:
        commands: [flake8 .]
        container: qc.sty_scaly-purple-zebu
timeout: 1800
""",
        """
services:
  qc.sty_scaly-purple-zebu:
    image: pipelinecomponents/flake8:0.9.0
    volumes: [{type: bind, source: ./, target: /sqaaas-build}]
    working_dir: /sqaaas-build
""",
    )
    spec = load_jepl(config, main_url="https://github.com/EOSC-synergy/oscar.assess.sqaaas").spec
    (criterion, step), = _steps(spec).values()
    assert criterion == "QC.Sty"
    assert step.name == "github.com-grycap-oscar-flake8"
    assert step.repository == "github.com-grycap-oscar"
    oscar = next(r for r in spec.repositories if r.name == step.repository)
    assert (oscar.url, oscar.branch) == ("https://github.com/grycap/oscar", "change-doc")
    assert spec.main.name == "this_repo"


def test_generated_jenkins_files_read_back_as_the_same_checks(tmp_path):
    spec = parse_spec({
        "repositories": [{"name": "example", "url": "https://github.com/example-org/example.git",
                          "subfolder": "pkg"}],
        "environment": {"FOO": "bar"},
        "timeout": 900,
        "sqaaas_requirement": "sqaaas @ git+https://example.org/sqaaas.git",
        "criteria": {
            "QC.Sec": [{"name": "secrets"}],
            "QC.Sty": [{"name": "pep8", "tool": "flake8", "args": ["--max-line-length=99"]}],
            "QC.Doc": [{"name": "custom", "commands": ["echo 'it''s'; test -f README.md"],
                        "when": {"branch": {"pattern": "rel.*", "comparator": "REGEXP"}}}],
        },
    })
    for rel, text in render(spec, "jenkins").items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    jepl = load_jepl(tmp_path / ".sqa" / "config.yml",
                     main_url="https://github.com/example-org/example")
    back = jepl.spec
    assert back.criteria == spec.criteria  # installs dropped, conditions back from compose
    assert any("sqaaas assess stage is not run here" in note for note in jepl.notes)
    assert back.main.name == "example" and back.main.subfolder == "pkg"
    assert back.timeout == 900 and back.environment["FOO"] == "bar"
    kinds = {s.name: step_kind(s) for steps in back.criteria.values() for s in steps}
    assert kinds == {"secrets": StepKind.TOOLS, "pep8": StepKind.TOOL,
                     "custom": StepKind.COMMANDS}


def test_install_lines_alone_are_not_mistaken_for_a_check(tmp_path):
    config = _write(tmp_path, """
config: {project_repos: {}}
sqa_criteria:
  QC.Sty:
    repos:
      pep8:
        container: svc
        commands:
          - python -m pip install --quiet flake8==7.5.0
          - echo done
""")
    (criterion, step), = _steps(load_jepl(config).spec).values()
    assert criterion == "QC.Sty"
    assert step_kind(step) is StepKind.COMMANDS  # not a tool step: its check line is missing
    assert step.commands == ("python -m pip install --quiet flake8==7.5.0", "echo done")


def test_unknown_keys_are_reported_not_dropped(tmp_path):
    config = _write(tmp_path, """
config:
  project_repos: {}
  credentials: [{id: token, username_var: U, password_var: P}]
  mystery: 1
sqa_criteria:
  QC.Doc:
    repos:
      docs:
        container: svc
        commands: [make docs]
        artifacts: [docs/_build]
    schedule: nightly
extra_top: true
""")
    notes = load_jepl(config).notes
    assert "extra_top: unknown key, ignored" in notes
    assert "config.mystery: unknown key, ignored" in notes
    assert "sqa_criteria.QC.Doc.schedule: unknown key, ignored" in notes
    assert "sqa_criteria.QC.Doc.repos.docs.artifacts: unknown key, ignored" in notes
    assert any(n.startswith("config.credentials: not used") for n in notes)
    assert any("no docker-compose.yml" in n for n in notes)


@pytest.mark.parametrize(
    ("config", "compose", "message"),
    [
        ("- a list\n", None, "(top level): expected a mapping"),
        ("config: {project_repos: {}}\n", None, "sqa_criteria: missing or empty"),
        ("sqa_criteria: {QC.Doc: {repos: {s: {container: c}}}}\n", None,
         "sqa_criteria.QC.Doc.repos.s: needs 'commands' or 'tox'"),
        ("sqa_criteria: {QC.Doc: {repos: {s: {container: c, commands: echo}}}}\n", None,
         "sqa_criteria.QC.Doc.repos.s.commands: expected a non-empty list"),
        ("sqa_criteria: {QC.Doc: {repos: {s: {container: c, commands: [{a: b}]}}}}\n", None,
         "sqa_criteria.QC.Doc.repos.s.commands[0]: expected a non-empty string"),
        ("sqa_criteria: {QC.Doc: {repos: {s: {commands: [ls]}}}}\n", None,
         "sqa_criteria.QC.Doc.repos.s.container: missing"),
        ("sqa_criteria: {QC.Doc: {repos: {s: {tox: {testenv: []}}}}}\n", None,
         "sqa_criteria.QC.Doc.repos.s.tox.testenv: expected"),
        ("sqa_criteria: {QC.Doc: {repos: {s: {container: c, commands: [ls]}},"
         " when: {branch: {pattern: '(', comparator: REGEXP}}}}\n", None,
         "sqa_criteria.QC.Doc.when.branch: Value error, invalid regular expression"),
        ("sqa_criteria: {QC.Doc: {repos: {s: {container: c, commands: [ls]}},"
         " when: {branch: {pattern: x, comparator: LIKE}}}}\n", None,
         "sqa_criteria.QC.Doc.when.branch.comparator"),
        ("sqa_criteria: {QC.Doc: {repos: {s: {container: c, commands: [ls]}}}}\n",
         "services: {other: {image: x}}\n",
         "sqa_criteria.QC.Doc.repos.s.container: no service 'c' in the compose file"),
        ("config: {project_repos: {r: {branch: main}}}\nsqa_criteria: {QC.Doc: {repos: {}}}\n",
         None, "config.project_repos.r.repo: missing"),
        ("sqa_criteria: {QC.Doc: {repos: {s: {container: c, commands: [ls]}}}}\n"
         "timeout: -5\n", None, "timeout: Input should be greater than 0"),
        ("sqa_criteria: {QC.Doc: {repos: {s: {container: c, commands: [ls]}}}}\n"
         "environment: {'BAD NAME': 1}\n", None, "invalid environment variable name"),
        ("sqa_criteria: [unclosed\n", None, "not valid YAML"),
    ],
)
def test_invalid_files_give_one_line_naming_the_key(tmp_path, config, compose, message):
    path = _write(tmp_path, config, compose)
    with pytest.raises(JeplError) as info:
        load_jepl(path)
    text = str(info.value)
    assert message in text
    assert "\n" not in text
    assert text.startswith(str(path))


def test_missing_file_is_an_error(tmp_path):
    with pytest.raises(JeplError, match="cannot read the JePL configuration"):
        load_jepl(tmp_path / "nope.yml")


def test_cli_reports_an_invalid_jepl_in_one_line(tmp_path, repo_factory, run_cli):
    repo = repo_factory({"README.md": "# x\n"})
    shutil.copytree(FIXTURE.parent, tmp_path / "copy")
    bad = tmp_path / "copy" / "config.yml"
    bad.write_text("sqa_criteria: {QC.Doc: {repos: {s: {container: c}}}}\n", encoding="utf-8")
    proc = run_cli("run", "--jepl", str(bad), str(repo))
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0
    assert "sqa_criteria.QC.Doc.repos.s: needs 'commands' or 'tox'" in proc.stderr
