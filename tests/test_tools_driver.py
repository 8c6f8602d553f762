"""The tools driver (sqaaas/tools/incontainer.py), run directly: per-tool time budgets, output
caps, missing tools, a fresh environment, and Python tools that never import the repository.

It normally runs inside the tools container; these tests drive its logic on fixture input
(echo, sh and the json.tool module stand in for linters)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sqaaas.tools import incontainer
from sqaaas.tools.incontainer import Batch, Job


def job(tool: str, *, module: str | None = None, binary: str | None = None,
        args: list[str] | None = None, files: list[str] | None = None, timeout: float = 30,
        workdir: str = "repo", env: dict[str, str] | None = None, number: int = 0) -> Job:
    return Job(id=f"{tool}#{number}", tool=tool, module=module, binary=binary, args=args or [],
               files=files or [], workdir=workdir, env=env or {}, timeout=timeout)


def batch(src: Path, *jobs: Job, cfg: str = "/cfg") -> Batch:
    return Batch(src=str(src), cfg=cfg, workers=4, versions={}, jobs=list(jobs))


def test_files_follow_the_fixed_arguments_and_placeholders_stay_in_them(tmp_path):
    (tmp_path / "-rf.py").write_text("")
    answer = incontainer.run_batch(batch(
        tmp_path,
        job("echo", binary="echo", args=["--config={cfg}/x"], files=["-rf.py", "{cfg}.py"]),
        job("far", binary="echo", files=["a.py"], workdir="empty", number=1),
        cfg="/CFG",
    ))
    assert answer["jobs"]["echo#0"]["stdout"] == "--config=/CFG/x ./-rf.py ./{cfg}.py\n"
    assert answer["jobs"]["far#1"]["stdout"] == f"{tmp_path}/a.py\n"


def test_a_python_tool_never_imports_a_module_of_the_repository(tmp_path):
    """``python -I -m json.tool`` in a folder holding a hostile ``json.py``."""
    canary = tmp_path / "canary"
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "json.py").write_text(f"open({str(canary)!r}, 'w').write('pwned')\n")
    (repo / "data.json").write_text('{"a": 1}')
    answer = incontainer.run_batch(batch(repo, job("json", module="json.tool",
                                                   files=["data.json"])))
    result = answer["jobs"]["json#0"]
    assert result["status"] == "done" and result["rc"] == 0, result
    assert json.loads(result["stdout"]) == {"a": 1}
    assert not canary.exists()


def test_the_environment_is_fresh(tmp_path, monkeypatch):
    monkeypatch.setenv("SQAAAS_HOST_SECRET", "s3cr3t")
    answer = incontainer.run_batch(batch(
        tmp_path, job("env", binary="env", env={"DOCUTILSCONFIG": "{cfg}/docutils.conf"}),
    ))
    out = answer["jobs"]["env#0"]["stdout"]
    assert "s3cr3t" not in out and "DOCUTILSCONFIG=/cfg/docutils.conf" in out
    assert "NO_COLOR=1" in out


def test_each_tool_has_its_own_time_budget_and_the_group_is_killed(tmp_path):
    started = time.monotonic()
    answer = incontainer.run_batch(batch(
        tmp_path,
        job("slow", binary="sh", args=["-c", "sleep 60 & sleep 60"], timeout=1),
        job("quick", binary="echo", args=["fine"]),
    ))
    assert time.monotonic() - started < 10
    assert answer["jobs"]["slow#0"]["status"] == "timeout"
    quick = answer["jobs"]["quick#0"]
    assert (quick["status"], quick["rc"], quick["stdout"]) == ("done", 0, "fine\n")


def test_runaway_output_is_cut_and_reported(tmp_path, monkeypatch):
    monkeypatch.setattr(incontainer, "STDOUT_CAP", 10_000)
    answer = incontainer.run_batch(batch(tmp_path, job("yes", binary="yes")))
    result = answer["jobs"]["yes#0"]
    assert result["status"] == "output" and result["stdout"] == ""


def test_a_missing_tool_is_reported_not_fatal(tmp_path):
    answer = incontainer.run_batch(batch(tmp_path, job("nope", binary="no-such-linter-xyz")))
    assert answer["jobs"]["nope#0"]["status"] == "missing"


def test_versions_come_from_package_metadata(tmp_path):
    data = batch(tmp_path)
    data["versions"] = {"pyyaml": {"pypi": "pyyaml", "binary": None},
                        "none": {"pypi": None, "binary": "no-such-linter-xyz"}}
    answer = incontainer.run_batch(data)
    assert answer["versions"]["pyyaml"][:1].isdigit() and answer["versions"]["none"] is None


@pytest.mark.timeout(60)
def test_the_driver_answers_in_json_on_stdout(tmp_path):
    jobs = tmp_path / "jobs.json"
    jobs.write_text(json.dumps(batch(tmp_path, job("echo", binary="echo", args=["hi"]))))
    proc = subprocess.run([sys.executable, "-I", "-m", "sqaaas.tools.incontainer", str(jobs)],
                          capture_output=True, text=True, timeout=50, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["jobs"]["echo#0"]["stdout"] == "hi\n"
