"""`sqaaas run`: pipeline steps in containers; statuses, logs, JSON result, `when`, JePL, and
the round trip spec -> Jenkins files -> run -> the verdicts of `sqaaas assess`."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import jsonschema
import pytest
import yaml

from sqaaas.acquire import acquire
from sqaaas.core.outcomes import Outcome
from sqaaas.pipelines import results as results_module
from sqaaas.pipelines import toolci
from sqaaas.pipelines.init import derive_spec
from sqaaas.pipelines.jepl import load_jepl
from sqaaas.pipelines.render import render
from sqaaas.pipelines.results import RunResult, SourceInfo, StepStatus
from sqaaas.pipelines.run import RunOptions, run_pipeline
from sqaaas.pipelines.spec import When, dump_spec, load_spec, parse_spec
from sqaaas.pipelines.when import BuildRef, selected
from tests.conftest import assess_repo
from tests.containers_support import in_containers
from tests.pipeline_support import check_lines
from tests.repos import good_repo_files

DOCS = Path(__file__).resolve().parent.parent / "docs" / "pipelines-run.md"
JEPL = Path(__file__).parent / "data" / "jepl" / ".sqa" / "config.yml"
REPO_URL = "https://github.com/example-org/example.git"
TOX_INI = """[tox]
envlist = unit
skipsdist = true

[testenv:unit]
skip_install = true
commands = python -c "print('unit env ran')"
"""


# --- when ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("when", "ref", "runs", "why"),
    [
        (None, BuildRef("main"), True, "no condition"),
        ({"branch": {"pattern": "main"}}, BuildRef("main"), True, "matches EQUALS 'main'"),
        ({"branch": {"pattern": "main"}}, BuildRef("main2"), False, "does not match EQUALS"),
        ({"branch": {"pattern": "release/*", "comparator": "GLOB"}}, BuildRef("release/1.2"),
         True, "matches GLOB"),
        ({"branch": {"pattern": "release/*", "comparator": "GLOB"}}, BuildRef("Release/1"),
         False, "does not match GLOB"),
        ({"branch": {"pattern": "v[0-9]+", "comparator": "REGEXP"}}, BuildRef("v12"), True,
         "matches REGEXP"),
        # REGEXP must match the whole name, not a part of it
        ({"branch": {"pattern": "v[0-9]+", "comparator": "REGEXP"}}, BuildRef("dev-v12"), False,
         "does not match REGEXP"),
        ({"branch": {"pattern": "main"}}, BuildRef(None), False, "detached HEAD"),
        ({"building_tag": True}, BuildRef("main"), False, "not building a tag"),
        ({"building_tag": True}, BuildRef(None, True, "v1.0"), True, "building tag 'v1.0'"),
        ({"building_tag": True}, BuildRef("main", True), True, "building a tag (--tag)"),
        # JePL's anyOf: either condition selects the step
        ({"branch": {"pattern": "main"}, "building_tag": True}, BuildRef("dev", True, "v2"),
         True, "building tag"),
        ({"branch": {"pattern": "main"}, "building_tag": True}, BuildRef("dev"), False,
         "does not match EQUALS 'main'; not building a tag"),
    ],
)
def test_when_selects_steps(when, ref, runs, why):
    ok, reason = selected(When.model_validate(when) if when else None, ref)
    assert ok is runs
    assert why in reason


# --- the JSON result is documented ------------------------------------------------------------


def test_every_result_field_is_documented():
    text = DOCS.read_text(encoding="utf-8")
    models = [RunResult, results_module.StepResult, results_module.Verdict,
              results_module.SourceInfo, results_module.CheckoutInfo, results_module.BuildInfo]
    missing = [f"{m.__name__}.{name}" for m in models for name in m.model_fields
               if f"`{name}`" not in text]
    assert missing == []
    for status in StepStatus:
        assert f"`{status.value}`" in text


# --- usage errors: exit 2, one line -----------------------------------------------------------


def test_usage_errors_exit_2(repo_factory, run_cli, tmp_path):
    repo = repo_factory({"README.md": "# x\n"})
    both = run_cli("run", str(repo), "--spec", "a.yml", "--jepl", "b.yml")
    assert both.returncode == 2 and "either --spec or --jepl" in both.stderr
    nothing = run_cli("run", str(repo))
    assert nothing.returncode == 2
    assert "no pipeline in" in nothing.stderr and "sqaaas pipeline init" in nothing.stderr
    bad = tmp_path / "bad.yml"
    bad.write_text("repositories: []\ncriteria: {QC.Lic: [{name: x}]}\n", encoding="utf-8")
    invalid = run_cli("run", str(repo), "--spec", str(bad))
    assert invalid.returncode == 2 and "repositories" in invalid.stderr
    unknown = tmp_path / "unknown.yml"
    unknown.write_text(yaml.safe_dump({"repositories": [{"name": "r", "url": REPO_URL}],
                                       "criteria": {"QC.Nope": [{"name": "x"}]}}))
    proc = run_cli("run", str(repo), "--spec", str(unknown))
    assert proc.returncode == 2 and "unknown criterion QC.Nope" in proc.stderr
    for proc in (both, nothing, invalid):
        assert proc.stderr.strip().count("\n") == 0 and "Traceback" not in proc.stderr


# --- running steps ------------------------------------------------------------------------------


def _spec_file(tmp_path: Path, criteria: dict, **top: object) -> Path:
    path = tmp_path / "pipeline.yml"
    data = {"repositories": [{"name": "example", "url": REPO_URL}], **top, "criteria": criteria}
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def _snapshot(repo: Path) -> dict[str, bytes]:
    return {str(p.relative_to(repo)): p.read_bytes() for p in sorted(repo.rglob("*"))
            if p.is_file() and ".git" not in p.relative_to(repo).parts}


MAIN_STEPS = {
    "QC.Sec": [{"name": "security"}],
    "QC.Sty": [{"name": "pep8", "tool": "flake8"}],
    "QC.Doc": [
        {"name": "hello", "commands": ['echo "$GREETING" > /out/greeting.txt',
                                       "cat /out/greeting.txt", "pwd"]},
        {"name": "broken", "commands": ["echo before", "exit 3", "echo never"]},
        {"name": "release-only", "commands": ["echo no"],
         "when": {"branch": {"pattern": "release/.*", "comparator": "REGEXP"}}},
        {"name": "slow", "commands": ["sleep 60"], "timeout": 2},
        {"name": "write-checkout",
         "commands": ["touch /src/new-file || echo cannot create", "echo x >> README.md"]},
        {"name": "offline", "commands": [
            "python3 -c \"import socket; socket.create_connection(('1.1.1.1', 443), timeout=5)\""
        ]},
    ],
}


@in_containers(180)
def test_run_reports_every_status_with_logs_and_a_valid_json_result(
    repo_factory, run_cli, tmp_path
):
    repo = repo_factory(good_repo_files())
    before = _snapshot(repo)
    spec = _spec_file(tmp_path, MAIN_STEPS, environment={"GREETING": "hello from the spec"})
    proc = run_cli("run", str(repo), "--spec", str(spec), "--format", "json")
    assert proc.returncode == 1, proc.stderr
    result = json.loads(proc.stdout)
    jsonschema.validate(result, RunResult.model_json_schema())
    steps = {s["name"]: s for s in result["steps"]}
    assert {n: s["status"] for n, s in steps.items()} == {
        "security": "pass", "pep8": "pass", "hello": "pass", "broken": "fail",
        "release-only": "skipped", "slow": "error", "write-checkout": "fail", "offline": "fail",
    }
    assert result["status"] == "fail"
    assert result["counts"] == {"pass": 3, "fail": 3, "error": 1, "skipped": 1}

    security = steps["security"]
    assert security["kind"] == "tools" and security["image"] == result["tools_image"]
    assert security["verdict"]["valid"] is True
    assert "sqaaas: QC.Sec02 by bandit" in security["verdict"]["details"]
    assert not any("pip install" in line for line in security["commands"])  # in the image
    assert steps["pep8"]["kind"] == "tool" and steps["pep8"]["verdict"]["valid"] is True

    run_dir = Path(result["run_dir"])
    assert run_dir.parent == tmp_path / "cache" / "runs"
    hello = steps["hello"]
    assert Path(hello["log"]) == run_dir / "hello.log"
    log = Path(hello["log"]).read_text()
    assert "hello from the spec" in log and "/src" in log
    assert (run_dir / "hello" / "greeting.txt").read_text() == "hello from the spec\n"
    assert any("ran in the sqaaas tools image" in n for n in hello["notes"])

    broken = steps["broken"]
    assert broken["exit_code"] == 3 and "exited 3" in broken["reason"]
    broken_log = Path(broken["log"]).read_text()
    assert "before" in broken_log and "+ echo never" not in broken_log

    assert "does not match REGEXP 'release/.*'" in steps["release-only"]["reason"]
    assert steps["release-only"]["log"] is None and steps["release-only"]["image"] is None

    slow = steps["slow"]
    assert slow["timed_out"] is True and "timed out after 2 s" in slow["reason"]
    assert slow["seconds"] < 20

    # the checkout is mounted read-only: the step fails and nothing changed
    written = Path(steps["write-checkout"]["log"]).read_text()
    assert "cannot create" in written and "Read-only file system" in written
    assert _snapshot(repo) == before
    status = subprocess.run(["git", "-C", str(repo), "status", "--porcelain"],
                            capture_output=True, text=True, check=True)
    assert status.stdout == ""

    # no network: not even a route out
    assert "Network is unreachable" in Path(steps["offline"]["log"]).read_text()

    # live status on stderr: one line per step, with its elapsed time
    assert re.search(r"^broken \(QC\.Doc\): fail in \d+\.\d s - a command exited 3$",
                     proc.stderr, re.M)
    assert re.search(r"^security \(QC\.Sec\): pass in \d+\.\d s$", proc.stderr, re.M)
    assert json.loads((run_dir / "result.json").read_text())["run_id"] == result["run_id"]


@in_containers(60)
def test_fail_fast_stops_after_the_first_error(repo_factory, tmp_path):
    repo = repo_factory({"README.md": "# x\n"})
    spec = parse_spec({
        "repositories": [{"name": "example", "url": REPO_URL}],
        "criteria": {"QC.Doc": [
            {"name": "missing-image", "commands": ["true"], "image": "localhost/not-here:1"},
            {"name": "after", "commands": ["true"]},
        ]},
    })
    result = run_pipeline(
        spec, acquire(str(repo)), BuildRef("main"), source=SourceInfo(kind="spec", path="x"),
        options=RunOptions(keep_going=False, cache_dir=tmp_path),
    )
    first, after = result.steps
    assert first.status is StepStatus.ERROR
    assert "localhost/not-here:1 is not on this machine" in first.reason
    assert after.status is StepStatus.SKIPPED
    assert "--fail-fast after step missing-image" in after.reason
    assert result.exit_code == 1


@in_containers(60)
def test_a_folder_inside_a_repository_runs_with_the_whole_work_tree(repo_factory, tmp_path):
    repo = repo_factory({"README.md": "# x\n", "pkg/mod.py": "X = 1\n"})
    spec = parse_spec({
        "repositories": [{"name": "example", "url": REPO_URL}],
        "criteria": {"QC.Acc": [{"name": "where", "commands": [
            "pwd", "git rev-parse --is-inside-work-tree", "test -f mod.py"]}]},
    })
    result = run_pipeline(
        spec, acquire(str(repo / "pkg")), BuildRef("main"),
        source=SourceInfo(kind="spec", path="x"), options=RunOptions(cache_dir=tmp_path),
    )
    (step,) = result.steps
    assert step.status is StepStatus.PASS, step.reason
    log = Path(str(step.log)).read_text()
    assert "/src/pkg\n" in log and "true\n" in log


@in_containers(120)
def test_original_service_jepl_runs_its_stages(repo_factory, run_cli, tmp_path):
    repo = repo_factory({**good_repo_files(), "tox.ini": TOX_INI}, tags=["v1.0.0"])
    summary = tmp_path / "summary.txt"
    proc = run_cli("run", "--jepl", str(JEPL), "--branch", "release/2.0", "--quiet",
                   "--output", str(summary), str(repo))
    assert proc.returncode == 0, proc.stderr
    assert (proc.stdout, proc.stderr) == ("", "")
    text = summary.read_text(encoding="utf-8")
    rows = dict(re.findall(r"^│ (\S+)\s+│ QC\.\w+\s+│ (\w+)", text, re.M))
    assert rows == {
        "QC.Acc-this_repo": "pass",
        "QC.Doc-this_repo": "pass",
        "QC.Uni-this_repo": "pass",  # tox -c tox.ini -e unit
        # selected by release/*; its image is not local, so `flake8 .` runs in the tools image,
        # which has flake8 (the PEP 8 check of QC.Sty01), on a PEP 8-clean repository
        "QC.Sty-this_repo": "pass",
        "QC.Del-this_repo": "pass",  # building_tag: v1.0.0 points at HEAD
    }
    assert "image pipelinecomponents/flake8:0.9.0 is not on this machine" in text
    run_dir = Path(re.search(r"logs in\s+(\S+)", text).group(1))
    assert "hello from JePL" in (run_dir / "QC.Doc-this_repo.log").read_text()
    assert "unit env ran" in (run_dir / "QC.Uni-this_repo.log").read_text()


#: a repository where each CI-decided subcriterion fails: PEP 8 (flake8), a security error
#: (bandit: eval of input), a YAML file that does not parse, a Markdown style error
BROKEN = {
    "pkg/bad.py": "import os, sys\n\n\ndef ask():\n    return eval(input())\n",
    "conf/broken.yml": "key: [1, 2\n",
    "NOTES.md": "# Notes\n\n* a\n+ b\n",
}


def _assess_verdicts(repo: Path, spec) -> dict[str, bool]:
    """Per criterion of the spec: whether every subcriterion its CI tools decide passes
    (or does not apply) in the report of ``sqaaas assess``."""
    report = assess_repo(repo, criteria=list(spec.criteria))
    verdicts = {}
    for criterion, steps in spec.criteria.items():
        subs = {c.subcriterion for s in steps for c in toolci.ci_checks(criterion, s.tool)}
        outcomes = {report.criteria[criterion].subcriteria[sub].outcome for sub in subs}
        verdicts[criterion] = outcomes <= {Outcome.PASS, Outcome.NOT_APPLICABLE}
    return verdicts


@in_containers(400)
@pytest.mark.parametrize("variant", ["clean", "broken"])
def test_github_workflow_steps_run_to_the_verdicts_of_assess(repo_factory, tmp_path, variant):
    """The steps of the generated GitHub workflow, run in containers by `sqaaas run --spec`,
    give the verdicts `sqaaas assess` gives on the same (full-history) checkout."""
    files = good_repo_files() if variant == "clean" else {**good_repo_files(), **BROKEN}
    repo = repo_factory(files, tags=["v1.0.0"])
    spec = derive_spec(acquire(str(repo)))
    assert {"QC.Sty", "QC.Sec", "QC.Doc"} <= set(spec.criteria)
    ci_lines = check_lines("github-actions", render(spec, "github-actions"))
    spec_file = tmp_path / "pipeline.yml"
    spec_file.write_text(dump_spec(spec), encoding="utf-8")
    result = run_pipeline(
        load_spec(spec_file), acquire(str(repo)), BuildRef("main"),
        source=SourceInfo(kind="spec", path=str(spec_file)),
        options=RunOptions(cache_dir=tmp_path / "cache"),
    )
    for step in result.steps:  # what ran is what the workflow runs
        assert step.commands == ci_lines[f"{step.criterion} {step.name}"], step.name
        assert step.status in (StepStatus.PASS, StepStatus.FAIL), (step.name, step.reason)
    got: dict[str, bool] = {}
    for step in result.steps:
        got[step.criterion] = got.get(step.criterion, True) and step.status is StepStatus.PASS
    assert got == _assess_verdicts(repo, spec)
    assert set(got.values()) == {variant == "clean"}  # the fixture decides every criterion


@in_containers(240)
def test_round_trip_jenkins_files_run_the_same_tool_checks(repo_factory, tmp_path):
    repo = repo_factory({**good_repo_files(), **BROKEN}, tags=["v1.0.0"])
    spec = derive_spec(acquire(str(repo)))
    for rel, text in render(spec, "jenkins").items():
        (tmp_path / "ci" / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "ci" / rel).write_text(text, encoding="utf-8")
    checkout = acquire(str(repo))
    jepl = load_jepl(tmp_path / "ci" / ".sqa" / "config.yml", main_url=checkout.url)
    assert jepl.spec.criteria == spec.criteria  # the same steps, their installs dropped
    result = run_pipeline(
        jepl.spec, checkout, BuildRef("main"), source=SourceInfo(kind="jepl", path="ci"),
        options=RunOptions(cache_dir=tmp_path / "cache"),
    )
    got: dict[str, bool] = {}
    for step in result.steps:
        assert step.kind in ("tool", "tools") and step.verdict is not None
        got[step.criterion] = got.get(step.criterion, True) and step.verdict.valid
    assert got == _assess_verdicts(repo, spec) == dict.fromkeys(spec.criteria, False)
