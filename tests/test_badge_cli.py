"""The badge commands end to end through the installed CLI: exit codes and what they print."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sqaaas.badges.keys import ED25519_FILE, RSA_FILE
from tests.badge_support import report_for
from tests.repos import (
    commit_all,
    fair_repo_files,
    git,
    gold_repo_files,
    make_repo,
    write_files,
)

ISSUER = "https://issuer.example"


def _private_bodies(keydir: Path) -> list[str]:
    """Base64 lines of the private PEM files: none may ever show up in output or badges."""
    lines = []
    for name in (ED25519_FILE, RSA_FILE):
        lines += [line for line in (keydir / name).read_text().splitlines() if "-----" not in line]
    return lines


def _assert_no_private_material(keydir: Path, *texts: str) -> None:
    joined = "\n".join(texts)
    assert "PRIVATE KEY" not in joined
    for line in _private_bodies(keydir):
        assert line not in joined


@pytest.mark.containers  # its verdicts need the tools image (static tools run only there)
def test_gold_repository_to_verified_signed_badge(run_cli, tmp_path):
    """Acceptance 1 and 2 through the CLI, from a real assessment of a gold repository."""
    repo = make_repo(tmp_path / "repo", gold_repo_files(), tags=["v1.0.0"])
    report = tmp_path / "report.json"
    keydir = tmp_path / "keys"
    outputs = []

    def run(*args: str):
        done = run_cli(*args)
        outputs.extend([done.stdout, done.stderr])
        return done

    assessed = run("assess", str(repo), "--format", "json", "-o", str(report), "-q")
    assert assessed.returncode == 0, assessed.stderr
    assert json.loads(report.read_text())["badge"]["level"] == "gold"
    assert run("keys", "generate", "--dir", str(keydir)).returncode == 0
    badge = tmp_path / "badge.svg"
    issued = run("badge", "issue", str(report), "--key", str(keydir), "--issuer", ISSUER,
                 "--out", str(badge))
    assert issued.returncode == 0, issued.stderr
    assert issued.stdout.startswith("issued gold badge urn:uuid:")
    public = tmp_path / "public"
    assert f"publish folder: {public} (serve it as https://issuer.example/;" in issued.stdout

    trust = str(public / "issuer.jwks.json")
    verified = run("badge", "verify", str(badge), "--trust", trust, "--report", str(report),
                   "--revocations", str(public / "revocations.json"))
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "VALID: gold badge for https://github.com/example-org/example" in verified.stdout
    assert "FAIL" not in verified.stdout

    data = badge.read_bytes()
    token = data[data.index(b'verify="') + 8:]
    spot = data.index(token[:200]) + 150  # inside the payload of the embedded credential
    tampered = tmp_path / "tampered.svg"
    tampered.write_bytes(data[:spot] + bytes([data[spot] ^ 0x01]) + data[spot + 1:])
    rejected = run("badge", "verify", str(tampered), "--trust", trust)
    assert rejected.returncode == 1
    assert "INVALID" in rejected.stdout and "FAIL " in rejected.stdout

    edited = json.loads(report.read_text())
    edited["criteria"]["QC.Sty"]["subcriteria"]["QC.Sty01"]["outcome"] = "fail"
    edited_path = tmp_path / "edited.json"
    edited_path.write_text(json.dumps(edited, indent=2))
    caught = run("badge", "verify", str(badge), "--trust", trust, "--report", str(edited_path),
                 "--format", "json")
    assert caught.returncode == 1
    result = json.loads(caught.stdout)
    assert result["valid"] is False
    failed = [s["name"] for s in result["steps"] if s["status"] == "fail"]
    assert failed == ["report digest", "report level"]
    _assert_no_private_material(keydir, *outputs, data.decode())


@pytest.mark.parametrize("suffix", ["png", "jwt"])
def test_issue_and_verify_png_and_jwt(run_cli, tmp_path, suffix):
    report = tmp_path / "report.json"
    report.write_text(json.dumps(report_for("silver")))
    keydir = tmp_path / "keys"
    assert run_cli("keys", "generate", "--dir", str(keydir)).returncode == 0
    out = tmp_path / f"badge.{suffix}"
    issued = run_cli("badge", "issue", str(report), "--key", str(keydir), "--issuer", ISSUER,
                     "--out", str(out), "--format", "json", "--valid-days", "30")
    assert issued.returncode == 0, issued.stderr
    summary = json.loads(issued.stdout)
    assert summary["level"] == "silver" and summary["output"] == str(out)
    public = tmp_path / "public"  # beside the key folder, never in it
    assert summary["publish_dir"] == str(public)
    assert str(public / "issuer.json") in summary["publish"]
    assert all(not p.startswith(str(keydir)) for p in summary["publish"])
    verified = run_cli("badge", "verify", str(out), "--trust", str(public / "issuer.jwks.json"),
                       "--format", "json")
    assert verified.returncode == 0, verified.stdout
    assert json.loads(verified.stdout)["badge"]["id"] == summary["id"]
    _assert_no_private_material(keydir, issued.stdout, issued.stderr, verified.stdout)


def test_revoke_through_the_cli(run_cli, tmp_path):
    report = tmp_path / "report.json"
    report.write_text(json.dumps(report_for("bronze")))
    keydir = tmp_path / "keys"
    run_cli("keys", "generate", "--dir", str(keydir))
    out = tmp_path / "b.jwt"
    issued = run_cli("badge", "issue", str(report), "--key", str(keydir), "--issuer", ISSUER,
                     "--out", str(out), "--format", "json")
    badge_id = json.loads(issued.stdout)["id"]
    revoked = run_cli("badge", "revoke", badge_id, "--key", str(keydir), "--reason", "mistake")
    assert revoked.returncode == 0 and f"revoked {badge_id}" in revoked.stdout
    again = run_cli("badge", "revoke", badge_id, "--key", str(keydir))
    assert again.returncode == 0 and "was already revoked" in again.stdout
    public = tmp_path / "public"
    verified = run_cli("badge", "verify", str(out), "--trust", str(public / "issuer.jwks.json"),
                       "--revocations", str(public / "revocations.json"))
    assert verified.returncode == 1
    assert "FAIL revocation: revoked: mistake" in verified.stdout
    bad = run_cli("badge", "revoke", "not-an-id", "--key", str(keydir))
    assert bad.returncode == 2 and "not a badge id" in bad.stderr


def test_usage_errors_exit_2_with_one_line(run_cli, tmp_path):
    none_report = tmp_path / "none.json"
    none_report.write_text(json.dumps(report_for("none")))
    keydir = tmp_path / "keys"
    run_cli("keys", "generate", "--dir", str(keydir))
    trust = str(keydir / "issuer.jwks.json")
    cases = [
        (("badge", "issue", str(none_report), "--key", str(keydir), "--issuer", ISSUER,
          "--out", str(tmp_path / "b.svg")), "no badge for level none"),
        (("badge", "issue", str(none_report), "--key", str(keydir), "--issuer", ISSUER,
          "--out", str(tmp_path / "b.gif")), "must end in .svg, .png, .jwt"),
        (("badge", "issue", str(none_report), "--key", str(keydir), "--issuer",
          "http://issuer.example", "--out", str(tmp_path / "b.svg")), "must use https"),
        (("badge", "issue", str(tmp_path / "missing.json"), "--key", str(keydir), "--issuer",
          ISSUER, "--out", str(tmp_path / "b.svg")), "not found"),
        (("badge", "verify", str(none_report), "--trust", str(none_report)), "not a JWK set"),
        (("badge", "verify", str(none_report), "--trust", trust, "--revocations",
          str(tmp_path / "nope.json")), "revocation list"),
        (("badge", "verify", str(tmp_path / "missing.svg"), "--trust", trust), "does not exist"),
        (("badge", "issue", str(none_report), "--key", str(keydir), "--issuer", ISSUER,
          "--out", str(tmp_path / "b.svg"), "--publish-dir", str(keydir / "www")),
         "must be apart from the key folder"),
        (("badge", "revoke", "urn:uuid:12345678-1234-5678-1234-567812345678", "--key",
          str(keydir), "--publish-dir", str(keydir)), "must be apart from the key folder"),
    ]
    for args, message in cases:
        done = run_cli(*args)
        assert done.returncode == 2, (args, done.stdout, done.stderr)
        assert message in done.stderr, (args, done.stderr)
        assert "Traceback" not in done.stderr
    assert not (tmp_path / "b.svg").exists()


def test_fair_badge_from_a_real_assessment(run_cli, tmp_path):
    """The offline FAIR indicators of a well-kept repository earn a FAIR badge that verifies."""
    forge = "https://github.com/example/tool.git"
    repo = make_repo(tmp_path / "repo", fair_repo_files(), remote=forge)
    write_files(repo, {"CHANGELOG.md": "# Changelog\n\n## 1.0.0\n\nFirst release.\n"})
    commit_all(repo, "Add the changelog (#1)")
    untagged = run_cli("assess", str(repo), "--format", "json", "-q", "--criteria", "QC.FAIR")
    fair = json.loads(untagged.stdout)["fair"]["QC.FAIR"]["badge"]
    assert fair["level"] == "none", "no release tag: FRSM-03 (QC.FAIR02) is not met"
    git(repo, "tag", "v1.0.0")
    report = tmp_path / "report.json"
    assessed = run_cli("assess", str(repo), "--format", "json", "-o", str(report), "-q",
                       "--criteria", "QC.FAIR")
    assert assessed.returncode == 0, assessed.stderr
    data = json.loads(report.read_text())
    assert data["fair"]["QC.FAIR"]["badge"]["level"] == "gold", data["fair"]["QC.FAIR"]
    keydir = tmp_path / "keys"
    assert run_cli("keys", "generate", "--dir", str(keydir)).returncode == 0
    badge = tmp_path / "fair.svg"
    issued = run_cli("badge", "issue", str(report), "--key", str(keydir), "--issuer", ISSUER,
                     "--out", str(badge), "--scheme", "fair")
    assert issued.returncode == 0, issued.stderr
    assert issued.stdout.startswith("issued gold badge urn:uuid:")
    assert "(FAIR software: gold) for https://github.com/example/tool at " in issued.stdout
    assert "achievements/fair-gold.svg" in issued.stdout
    assert b"sqaaas FAIR" in badge.read_bytes()

    trust = str(tmp_path / "public" / "issuer.jwks.json")
    verified = run_cli("badge", "verify", str(badge), "--trust", trust, "--report", str(report))
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "ok   report level: the report's outcomes give gold, as claimed" in verified.stdout
    assert "VALID: gold badge for https://github.com/example/tool" in verified.stdout
    assert verified.stdout.rstrip().endswith("(scheme fair)")

    edited = json.loads(report.read_text())
    edited["criteria"]["QC.FAIR"]["subcriteria"]["QC.FAIR14"]["outcome"] = "fail"
    edited_path = tmp_path / "edited.json"
    edited_path.write_text(json.dumps(edited))
    caught = run_cli("badge", "verify", str(badge), "--trust", trust, "--report",
                     str(edited_path), "--format", "json")
    assert caught.returncode == 1
    steps = {s["name"]: s for s in json.loads(caught.stdout)["steps"]}
    assert steps["report level"]["status"] == "fail"
    assert steps["report level"]["detail"] == (
        "the report's outcomes give silver, the badge claims gold")


def test_fair_badge_refused_for_a_bare_repository(run_cli, tmp_path):
    repo = make_repo(tmp_path / "bare", {"README.md": "# Tool\n\nA tool.\n"})
    report = tmp_path / "report.json"
    run_cli("assess", str(repo), "--format", "json", "-o", str(report), "-q", "--criteria",
            "QC.FAIR")
    assert json.loads(report.read_text())["fair"]["QC.FAIR"]["badge"]["level"] == "none"
    keydir = tmp_path / "keys"
    run_cli("keys", "generate", "--dir", str(keydir))
    out = tmp_path / "b.svg"
    refused = run_cli("badge", "issue", str(report), "--key", str(keydir), "--issuer", ISSUER,
                      "--out", str(out), "--scheme", "fair")
    assert refused.returncode == 2
    assert refused.stderr.startswith(
        f"sqaaas: error: no badge for level none: {report} does not reach any level of the "
        "FAIR software badge (fair); bronze needs FRSM-01: QC.FAIR01 fail")
    assert refused.stderr.count("\n") == 1 and "Traceback" not in refused.stderr
    assert not out.exists()
    unknown = run_cli("badge", "issue", str(report), "--key", str(keydir), "--issuer", ISSUER,
                      "--out", str(out), "--scheme", "platinum")
    assert unknown.returncode == 2 and "unknown badge scheme 'platinum'" in unknown.stderr
