"""Git never honours the assessed repository's own configuration on the host.

Each fixture repository's ``.git/config`` (or a file it includes) names programs git would
run: an fsmonitor hook, a hooks folder, clean/smudge/process filters, an external diff and
a textconv driver, a pager, an ssh command, an upload-pack hook, and the rarer ones (gpg,
askpass, editor, proxy, merge driver, alternate refs). Every program is a script that
records its run in a canary folder outside the repository. Assessing the repository in
place, at a commit (private clone) and at a branch (private clone) must leave the canary
folder empty and still produce verdicts; so must every git command the hardened runner
is asked to run, porcelain ones (status, diff, log -p, checkout) included, which is what
makes these tests fail when an override goes missing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from sqaaas import gitsafe
from sqaaas.gitinfo import GitInfo
from sqaaas.gitsafe import GitRepo
from sqaaas.sandbox.runner import tree_identity
from tests.repos import commit_all, git, good_repo_files, make_repo, write_files

Program = Callable[..., str]  # (name, passthrough=True) -> path of a canary script
Planter = Callable[[Path, Program], None]

# Criteria whose probes ask git for tags, history, branches, remotes and tracked files.
GIT_CRITERIA = ("QC.Ver", "QC.Acc", "QC.Wor", "QC.Man", "QC.Doc", "QC.Del", "QC.FAIR")


def _canary_script(folder: Path, name: str, passthrough: bool = True) -> str:
    """A script recording its run in ``folder/name``, then passing stdin through (so a
    filter that does run leaves the content intact and git goes on) or failing (an ssh
    command must not echo git's own requests back to it)."""
    script = folder.parent / "programs" / name
    script.parent.mkdir(exist_ok=True)
    tail = "cat" if passthrough else "exit 1"
    script.write_text(f'#!/bin/sh\necho "$0 $*" >> "{folder / name}"\n{tail}\n')
    script.chmod(0o755)
    return str(script)


def _config(repo: Path, *pairs: tuple[str, str]) -> None:
    for key, value in pairs:
        git(repo, "config", "--add", key, value)


def plant_fsmonitor(repo: Path, program: Program) -> None:
    _config(repo, ("core.fsmonitor", program("fsmonitor")))


def plant_hooks(repo: Path, program: Program) -> None:
    hooks = repo.parent / f"{repo.name}-hooks"
    hooks.mkdir()
    names = ("post-checkout", "post-merge", "reference-transaction", "post-index-change",
             "pre-auto-gc", "fsmonitor-watchman", "post-rewrite")
    for name in names:
        target = program(f"hook-{name}")
        for folder in (hooks, repo / ".git" / "hooks"):
            (folder / name).write_text(f'#!/bin/sh\nexec "{target}" "$@"\n')
            (folder / name).chmod(0o755)
    _config(repo, ("core.hooksPath", str(hooks)))


def plant_filter(repo: Path, program: Program) -> None:
    """A filter on every file, required, and a tracked file changed: `status` would clean it."""
    write_files(repo, {".gitattributes": "* filter=evil\n"})
    commit_all(repo, "Attributes")
    _config(
        repo,
        ("filter.evil.clean", program("filter-clean")),
        ("filter.evil.smudge", program("filter-smudge")),
        ("filter.evil.process", program("filter-process")),
        ("filter.evil.required", "true"),
    )
    write_files(repo, {"README.md": "# changed\n\nA tracked file with changes.\n"})


def plant_diff_drivers(repo: Path, program: Program) -> None:
    write_files(repo, {".gitattributes": "*.py diff=evil\n*.md diff=evil\n"})
    commit_all(repo, "Attributes")
    _config(
        repo,
        ("diff.external", program("diff-external")),
        ("diff.evil.textconv", program("diff-textconv")),
        ("diff.evil.command", program("diff-command")),
    )
    write_files(repo, {"README.md": "# changed\n"})


def plant_pager(repo: Path, program: Program) -> None:
    _config(
        repo,
        ("core.pager", program("pager")),
        ("pager.log", program("pager-log")),
        ("pager.status", program("pager-status")),
    )


def plant_include(repo: Path, program: Program) -> None:
    """The programs are in a file the config includes, under a driver name only it knows."""
    included = repo.parent / f"{repo.name}-included.config"
    included.write_text(
        f'[core]\n\tfsmonitor = {program("included-fsmonitor")}\n'
        f'[filter "hidden"]\n\tclean = {program("included-clean")}\n'
        f'\tsmudge = {program("included-smudge")}\n\trequired = true\n'
    )
    write_files(repo, {".gitattributes": "*.md filter=hidden\n"})
    commit_all(repo, "Attributes")
    _config(repo, ("include.path", str(included)))
    write_files(repo, {"README.md": "# changed\n"})


def plant_ssh(repo: Path, program: Program) -> None:
    _config(
        repo,
        ("core.sshCommand", program("ssh-command", passthrough=False)),
        ("remote.mirror.url", "ssh://git@127.0.0.1:1/mirror.git"),
        ("remote.mirror.uploadpack", program("remote-uploadpack")),
    )


def plant_upload_pack(repo: Path, program: Program) -> None:
    _config(repo, ("uploadpack.packObjectsHook", program("pack-objects-hook")))


def plant_rest(repo: Path, program: Program) -> None:
    """The rarer programs: gpg (log.showSignature), askpass, editor, proxy, merge driver,
    alternate refs, credential helper."""
    _config(
        repo,
        ("log.showSignature", "true"),
        ("gpg.program", program("gpg")),
        ("gpg.ssh.program", program("gpg-ssh")),
        ("core.askPass", program("askpass")),
        ("core.editor", program("editor")),
        ("core.gitProxy", program("git-proxy")),
        ("core.alternateRefsCommand", program("alternate-refs")),
        ("credential.helper", program("credential-helper")),
        ("merge.evil.driver", program("merge-driver")),
    )


PLANTERS: dict[str, Planter] = {
    "fsmonitor": plant_fsmonitor,
    "hooks": plant_hooks,
    "filter": plant_filter,
    "diff-drivers": plant_diff_drivers,
    "pager": plant_pager,
    "include": plant_include,
    "ssh": plant_ssh,
    "upload-pack": plant_upload_pack,
    "rest": plant_rest,
}


def hostile_repo(tmp_path: Path, kind: str) -> tuple[Path, Path]:
    """(repository, canary folder): a good repository with ``kind``'s programs planted."""
    canaries = tmp_path / "canaries"
    canaries.mkdir()
    repo = make_repo(tmp_path / "repo", good_repo_files(), tags=["v1.0.0"])
    PLANTERS[kind](repo, lambda name, **how: _canary_script(canaries, name, **how))
    return repo, canaries


def _plain_git(repo: Path, *args: str) -> None:
    """git as a user would run it (no runner); a planted filter may make it fail."""
    subprocess.run(
        ["git", *args], cwd=repo, capture_output=True, check=False, timeout=60,
        stdin=subprocess.DEVNULL,
    )


def _ran(canaries: Path) -> dict[str, str]:
    return {p.name: p.read_text() for p in canaries.iterdir()}


def _assess(repo: Path, cache: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    criteria = [arg for c in GIT_CRITERIA for arg in ("--criteria", c)]
    return subprocess.run(
        [sys.executable, "-m", "sqaaas", "assess", "-q", "--format", "json", *criteria,
         "--cache-dir", str(cache), *extra, str(repo)],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "SQAAAS_CACHE_DIR": str(cache)},
    )


@pytest.mark.parametrize("mode", ["in-place", "commit", "branch"])
@pytest.mark.parametrize("kind", sorted(PLANTERS))
def test_assess_never_runs_what_the_repository_config_names(tmp_path, kind, mode):
    repo, canaries = hostile_repo(tmp_path, kind)
    extra = {
        "in-place": (),
        "commit": ("--commit", git(repo, "rev-parse", "HEAD").strip()),
        "branch": ("--branch", "main"),
    }[mode]
    proc = _assess(repo, tmp_path / "cache", *extra)
    assert proc.returncode in (0, 1), proc.stderr
    assert _ran(canaries) == {}
    report = json.loads(proc.stdout)
    outcomes = {
        sid: sub["outcome"]
        for criterion in report["criteria"].values()
        for sid, sub in criterion["subcriteria"].items()
    }
    assert outcomes["QC.Ver01"] == "pass"  # the tag was read
    assert outcomes["QC.Acc01"] == "pass"  # the remote was read
    assert report["repository"]["commit"] == git(repo, "rev-parse", "HEAD").strip()


# Porcelain commands sqaaas itself does not need: through the runner they must not run a
# planted program either, so that these tests catch any override that goes missing.
BATTERY: tuple[tuple[str, ...], ...] = (
    ("status", "--porcelain"),
    ("status",),
    ("diff",),
    ("diff", "HEAD~1"),
    ("log", "-p", "-2"),
    ("log", "-1"),
    ("show", "HEAD"),
    ("ls-files", "-z"),
    ("fetch", "mirror"),
    ("checkout", "--", "README.md"),
    ("commit", "-q", "-a", "-m", "x"),
)


@pytest.mark.parametrize("kind", sorted(PLANTERS))
def test_every_git_command_through_the_runner_runs_nothing_planted(tmp_path, kind):
    repo, canaries = hostile_repo(tmp_path, kind)
    found = GitRepo.find(repo)
    assert found is not None and found.root == repo
    for args in BATTERY:
        gitsafe.run(repo, args, found.settings, timeout=60)
    clone = tmp_path / "clone"
    done = gitsafe.run(tmp_path, ["clone", "--no-local", "--", str(repo), str(clone)], timeout=60)
    assert done.returncode == 0, done.stderr
    assert _ran(canaries) == {}


@pytest.mark.parametrize("kind", sorted(PLANTERS))
def test_git_history_and_tree_identity_run_nothing_planted(tmp_path, kind):
    repo, canaries = hostile_repo(tmp_path, kind)
    info = GitInfo(repo)
    assert info.head == git(repo, "rev-parse", "HEAD").strip()
    assert [t.name for t in info.tags] == ["v1.0.0"] == info.all_tag_names
    assert "origin" in {r.name for r in info.remotes}
    assert info.branch == "main" and "main" in info.branches
    assert info.is_tracked(repo, "README.md") and info.commit_count >= 1
    assert info.issue_references == [] and not info.is_shallow
    identity = tree_identity(repo)
    changed = kind in ("filter", "diff-drivers", "include")
    assert identity.startswith("tree:" if changed else "git:")
    assert _ran(canaries) == {}


# The fixtures are live: git as a user runs it (no runner) does run what they plant.
# (uploadpack.packObjectsHook is ignored by git itself outside protected config, pagers
# only run on a terminal, and the rarer programs need signed commits or prompts.)
LIVE: dict[str, tuple[tuple[str, ...], str]] = {
    "fsmonitor": (("ls-files", "-z"), "fsmonitor"),
    "hooks": (("checkout", "-q", "-b", "elsewhere"), "hook-post-checkout"),
    "filter": (("status", "--porcelain"), "filter-process"),
    "diff-drivers": (("diff",), "diff-command"),
    "include": (("status", "--porcelain"), "included-fsmonitor"),
    "ssh": (("fetch", "mirror"), "ssh-command"),
}


@pytest.mark.parametrize("kind", sorted(LIVE))
def test_the_fixtures_do_run_their_programs_under_plain_git(tmp_path, kind):
    repo, canaries = hostile_repo(tmp_path, kind)
    args, canary = LIVE[kind]
    _plain_git(repo, *args)
    assert canary in _ran(canaries)


def test_odd_driver_names_are_overridden_verbatim(tmp_path):
    """A driver name with '=' or dots cannot be spelled in ``-c key=value``: the overrides
    travel in GIT_CONFIG_KEY_n, which takes the key as it is."""
    canaries = tmp_path / "canaries"
    canaries.mkdir()
    repo = make_repo(tmp_path / "repo", {"a.txt": "a\n"})
    write_files(repo, {".gitattributes": "*.txt filter=a=b.c\n"})
    commit_all(repo, "Attributes")
    git(repo, "config", "filter.a=b.c.clean", _canary_script(canaries, "odd-clean"))
    write_files(repo, {"a.txt": "b\n"})  # same size: status must clean it to compare
    found = GitRepo.find(repo)
    assert found is not None and ("filter.a=b.c.clean", "") in found.settings
    assert gitsafe.run(repo, ["status", "--porcelain"], found.settings).returncode == 0
    assert _ran(canaries) == {}
    _plain_git(repo, "status", "--porcelain")
    assert "odd-clean" in _ran(canaries)  # the fixture is live


def test_user_global_config_is_ignored_but_its_safe_directory_kept(tmp_path, monkeypatch):
    """Results do not depend on the user's global config (an alias of a command, a filter);
    what it marks as a safe directory stays safe (CI containers rely on it)."""
    canaries = tmp_path / "canaries"
    canaries.mkdir()
    repo = make_repo(tmp_path / "repo", {"a.txt": "a\n"})  # before the global config exists
    home_config = tmp_path / "gitconfig"
    home_config.write_text(
        f"[core]\n\tfsmonitor = {_canary_script(canaries, 'global-fsmonitor')}\n"
        "[safe]\n\tdirectory = /srv/elsewhere\n"
    )
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home_config))
    gitsafe._trusted_directories.cache_clear()
    try:
        env = gitsafe.environment()
        keys = {env[f"GIT_CONFIG_KEY_{i}"]: env[f"GIT_CONFIG_VALUE_{i}"]
                for i in range(int(env["GIT_CONFIG_COUNT"]))}
        assert keys["safe.directory"] == "/srv/elsewhere"
        assert env["GIT_CONFIG_GLOBAL"] == "/dev/null" and env["GIT_CONFIG_NOSYSTEM"] == "1"
        assert GitInfo(repo).tracked_files == frozenset({"a.txt"})
        assert _ran(canaries) == {}
    finally:
        gitsafe._trusted_directories.cache_clear()


def test_inherited_settings_and_repository_variables(monkeypatch, tmp_path):
    """Settings handed down in GIT_CONFIG_KEY_n (the web service's address pins) are kept,
    before ours; GIT_DIR and friends from a calling hook never point git elsewhere."""
    other = make_repo(tmp_path / "other", {"other.txt": "x\n"})
    repo = make_repo(tmp_path / "repo", {"a.txt": "a\n"})
    monkeypatch.setenv("GIT_CONFIG_COUNT", "1")
    monkeypatch.setenv("GIT_CONFIG_KEY_0", "http.followRedirects")
    monkeypatch.setenv("GIT_CONFIG_VALUE_0", "false")
    monkeypatch.setenv("GIT_DIR", str(other / ".git"))
    monkeypatch.setenv("GIT_EXTERNAL_DIFF", "/bin/false")
    env = gitsafe.environment([("filter.x.clean", "")])
    assert (env["GIT_CONFIG_KEY_0"], env["GIT_CONFIG_VALUE_0"]) == ("http.followRedirects", "false")
    last = int(env["GIT_CONFIG_COUNT"]) - 1
    assert env[f"GIT_CONFIG_KEY_{last}"] == "filter.x.clean"
    assert "GIT_DIR" not in env and "GIT_EXTERNAL_DIFF" not in env
    assert GitInfo(repo).tracked_files == frozenset({"a.txt"})
