"""QC.Acc probes: public remote and version control."""

from __future__ import annotations

from sqaaas.core.outcomes import Outcome
from tests.conftest import run_probe


def test_https_remote_on_public_forge_passes(repo_factory):
    finding = run_probe(repo_factory({"a": "1"}), "acc.public_remote")
    assert finding.outcome is Outcome.PASS
    assert "not verified online" in finding.evidence[0].message
    assert finding.evidence[0].value == "https://github.com/example-org/example"


def test_ssh_remote_on_public_forge_passes_with_web_url(repo_factory):
    finding = run_probe(
        repo_factory({"a": "1"}, remote="git@gitlab.com:org/tool.git"), "acc.public_remote"
    )
    assert finding.outcome is Outcome.PASS
    assert finding.evidence[0].value == "https://gitlab.com/org/tool"


def test_no_remote_fails_with_hint(repo_factory):
    finding = run_probe(repo_factory({"a": "1"}, remote=None), "acc.public_remote")
    assert finding.outcome is Outcome.FAIL
    assert "no remote" in finding.evidence[0].message
    assert "git remote add origin" in (finding.hint or "")


def test_unknown_host_fails_unless_configured(repo_factory):
    remote = "https://git.example.org/group/tool.git"
    finding = run_probe(repo_factory({"a": "1"}, remote=remote), "acc.public_remote")
    assert finding.outcome is Outcome.FAIL and "git.example.org" in finding.evidence[0].message
    repo = repo_factory({".sqaaas.yml": "public_forges: [git.example.org]\n"}, remote=remote)
    assert run_probe(repo, "acc.public_remote").outcome is Outcome.PASS


def test_cloned_https_url_is_verified_online(repo_factory):
    from dataclasses import replace

    from sqaaas.acquire import acquire
    from sqaaas.context import make_context
    from sqaaas.probes.software.access import public_remote

    ctx = make_context(acquire(str(repo_factory({"a": "1"}, remote=None))))
    ctx.checkout = replace(ctx.checkout, cloned=True, url="https://codeberg.org/org/tool.git")
    finding = public_remote(ctx)
    assert finding.outcome is Outcome.PASS and "verified online" in finding.evidence[0].message


def test_vcs_with_commits(repo_factory):
    assert run_probe(repo_factory({"a": "1"}), "acc.vcs_with_commits").outcome is Outcome.PASS
    empty = repo_factory({"a": "1"}, commit=False)
    finding = run_probe(empty, "acc.vcs_with_commits")
    assert finding.outcome is Outcome.FAIL and "without any commit" in finding.evidence[0].message
