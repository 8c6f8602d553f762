"""End-to-end: the installed `sqaaas` command, run as a subprocess, on fixture repositories."""

from __future__ import annotations

import json
import os
import socket

import pytest

from sqaaas.core.validate import validate_report_json
from tests.containers_support import in_containers
from tests.repos import good_repo_files
from tests.test_criteria_data import SOFTWARE_CRITERIA


def _one_line_error(proc) -> str:
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    return lines[0]


def test_nonexistent_path_exits_2_with_one_line(run_cli):
    line = _one_line_error(run_cli("assess", "/nonexistent"))
    assert line == "sqaaas: error: /nonexistent: no such directory"


def test_file_instead_of_directory(run_cli, tmp_path):
    (tmp_path / "f.txt").write_text("x")
    assert "not a directory" in _one_line_error(run_cli("assess", str(tmp_path / "f.txt")))


def test_ext_url_refused(run_cli, tmp_path):
    marker = tmp_path / "pwned"
    line = _one_line_error(run_cli("assess", f"ext::sh -c touch% {marker}"))
    assert "transport can run commands" in line and not marker.exists()


def test_closed_loopback_port(run_cli):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    line = _one_line_error(
        run_cli("assess", f"http://127.0.0.1:{port}/repo.git", "--timeout", "20")
    )
    assert "git clone failed" in line


def test_invalid_yaml_config(run_cli, repo_factory):
    repo = repo_factory({".sqaaas.yml": "skip: [\n"})
    assert ".sqaaas.yml line" in _one_line_error(run_cli("assess", str(repo)))


def test_bad_ref_option(run_cli, repo_factory):
    repo = repo_factory({"a": "1"})
    assert "not a valid git ref" in _one_line_error(run_cli("assess", str(repo), "--commit", "-x"))


def test_unknown_criterion(run_cli, repo_factory):
    repo = repo_factory({"a": "1"})
    assert "unknown criterion QC.Nope" in _one_line_error(
        run_cli("assess", str(repo), "--criteria", "QC.Nope")
    )


def test_json_report_validates_and_is_written_atomically(run_cli, repo_factory, tmp_path):
    repo = repo_factory(good_repo_files(), tags=["v1.0.0"])
    out = tmp_path / "out" / "report.json"
    proc = run_cli("assess", str(repo), "--format", "json", "--output", str(out))
    assert proc.returncode == 0, proc.stderr
    data = json.loads(out.read_text())
    assert validate_report_json(data) == []
    assert data["repository"]["commit"] and data["badge"]["level"] == "silver"
    assert not list(out.parent.glob("*.tmp"))


def test_text_report_shows_verdicts_badge_and_missing(run_cli, repo_factory):
    repo = repo_factory(good_repo_files(), tags=["v1.0.0"])
    proc = run_cli("assess", str(repo))
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    for expected in ("QC.Lic", "VALID", "Badge reached: SILVER", "Missing for gold", "hint:"):
        assert expected in out, expected


@pytest.mark.parametrize("fmt", ["markdown", "sarif", "sqaaas-v1"])
def test_other_formats_render(run_cli, repo_factory, fmt):
    repo = repo_factory(good_repo_files())
    proc = run_cli("assess", str(repo), "--format", fmt, "--quiet")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() and proc.stderr == ""
    if fmt != "markdown":
        json.loads(proc.stdout)


def test_fail_under(run_cli, repo_factory):
    repo = repo_factory(good_repo_files(), tags=["v1.0.0"])
    assert (
        run_cli("assess", str(repo), "--fail-under", "silver", "-q", "--format", "json").returncode
        == 0
    )
    proc = run_cli("assess", str(repo), "--fail-under", "gold", "-q", "--format", "json")
    assert proc.returncode == 1


def test_licence_symlinked_outside_is_not_read(run_cli, repo_factory, tmp_path):
    secret = tmp_path / "host-secret.txt"
    secret.write_text("HOST-SECRET-MARKER " + good_repo_files()["LICENSE"])
    files = good_repo_files()
    del files["LICENSE"]
    repo = repo_factory(files)
    (repo / "LICENSE").symlink_to(secret)
    proc = run_cli("assess", str(repo), "--format", "json", "-q")
    assert proc.returncode == 0, proc.stderr
    assert "HOST-SECRET-MARKER" not in proc.stdout
    report = json.loads(proc.stdout)
    assert report["criteria"]["QC.Lic"]["valid"] is False
    assert "outside" in json.dumps(report["criteria"]["QC.Lic"]["subcriteria"]["QC.Lic01"])


def test_huge_and_non_utf8_readmes(run_cli, repo_factory):
    files = good_repo_files()
    files["README.md"] = b"# Title\n\n" + b"w\xe9rd " * 10_000_000  # 50 MB, latin-1
    repo = repo_factory(files)
    proc = run_cli("assess", str(repo), "--format", "json", "-q")
    assert proc.returncode == 0, proc.stderr
    readme = json.loads(proc.stdout)["criteria"]["QC.Doc"]["subcriteria"]["QC.Doc06.1"]
    assert readme["outcome"] in ("pass", "fail")
    assert "UTF-8" in json.dumps(readme["evidence"])


def test_criteria_command_lists_everything(run_cli):
    proc = run_cli("criteria")
    assert proc.returncode == 0, proc.stderr
    for cid in SOFTWARE_CRITERIA:
        assert cid in proc.stdout
    assert "QC.Acc02.1" in proc.stdout and "not automated" in proc.stdout
    data = json.loads(run_cli("criteria", "--format", "json").stdout)
    assert len([c for c in data["criteria"].values() if c["baseline"] == "software"]) == 15


def test_clone_by_url_with_branch(run_cli, repo_factory):
    origin = repo_factory(good_repo_files(), tags=["v1.0.0"])
    proc = run_cli("assess", f"file://{origin}", "--branch", "main", "--format", "json", "-q")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["repository"]["url"] == f"file://{origin}"
    assert report["repository"]["branch"] == "main"
    assert os.path.isdir(report["repository"]["path"])


@in_containers(timeout=300)  # the static tools run in the tools container
def test_sarif_lists_sast_findings_with_locations(run_cli, repo_factory):
    repo = repo_factory({"pkg/cli.py": '"""CLI."""\n\nvalue = eval(input())\n'})
    proc = run_cli("assess", str(repo), "--criteria", "QC.Sec", "--format", "sarif", "-q")
    assert proc.returncode == 0, proc.stderr
    results = json.loads(proc.stdout)["runs"][0]["results"]
    located = [
        (r["ruleId"], loc["physicalLocation"]["artifactLocation"]["uri"],
         loc["physicalLocation"]["region"]["startLine"], r["message"]["text"])
        for r in results for loc in r.get("locations", [])
    ]
    assert any(rule == "QC.Sec02" and uri == "pkg/cli.py" and line == 3 and "B307" in text
               for rule, uri, line, text in located), located
