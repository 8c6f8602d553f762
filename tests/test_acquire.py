"""Acquisition: local directories read in place, clones into the cache, hostile input refused."""

from __future__ import annotations

import os
import socket
import threading
import time
from pathlib import Path

import pytest

from sqaaas.acquire import acquire, check_ref, check_url, clone_lock
from sqaaas.errors import AcquireError
from tests.repos import commit_all, git, make_repo, write_files


def _snapshot(root: Path) -> dict[str, tuple[int, int]]:
    return {
        str(p.relative_to(root)): (p.stat().st_mtime_ns, p.stat().st_size)
        for p in root.rglob("*")
        if p.is_file()
    }


def test_local_directory_is_read_in_place_and_not_modified(repo_factory):
    repo = repo_factory({"README.md": "# x\n"}, tags=["v1.0.0"])
    before = _snapshot(repo)
    checkout = acquire(str(repo))
    assert checkout.root == repo.resolve()
    assert not checkout.cloned
    assert checkout.url == "https://github.com/example-org/example.git"
    assert checkout.branch == "main"
    assert checkout.commit and len(checkout.commit) == 40
    assert _snapshot(repo) == before


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("/nonexistent/sqaaas-test", "no such directory"),
        ("-oProxyCommand=touch /tmp/pwned", "starts with '-'"),
        ("ext::sh -c touch% /tmp/pwned", "transport can run commands"),
        ("fd::17", "transport can run commands"),
        ("ftp://example.org/repo.git", "scheme 'ftp'"),
    ],
)
def test_bad_targets_are_refused(target, message):
    with pytest.raises(AcquireError, match=message):
        acquire(target)


def test_file_instead_of_directory(tmp_path):
    path = tmp_path / "file.txt"
    path.write_text("x")
    with pytest.raises(AcquireError, match="not a directory"):
        acquire(str(path))


def test_plain_directory_is_not_a_repository(tmp_path):
    with pytest.raises(AcquireError, match="not a git repository"):
        acquire(str(tmp_path))


@pytest.mark.parametrize("ref", ["-b", "--upload-pack=x", "a..b", "x y", "", "ref.lock", "@{-1}"])
def test_bad_refs_refused(ref):
    with pytest.raises(AcquireError):
        check_ref(ref, "branch")


def test_good_urls_accepted():
    for url in (
        "https://github.com/org/repo.git",
        "git@github.com:org/repo.git",
        "ssh://git@host/org/repo",
        "file:///tmp/x",
    ):
        check_url(url)


def test_clone_file_url_into_cache_with_tags_branch_and_commit(tmp_path):
    origin = make_repo(tmp_path / "origin", {"a.txt": "1"}, remote=None, tags=["v1.0.0"])
    first = git(origin, "rev-parse", "HEAD").strip()
    git(origin, "checkout", "-q", "-b", "feature/x")
    write_files(origin, {"b.txt": "2"})
    commit_all(origin, "feature")
    git(origin, "checkout", "-q", "main")
    cache = tmp_path / "cache"
    stages: list[str] = []

    checkout = acquire(f"file://{origin}", cache_dir=cache, progress=lambda s, p: stages.append(s))
    assert checkout.cloned and checkout.commit == first
    assert checkout.root.is_relative_to(cache)
    assert (checkout.root / "a.txt").exists() and not (checkout.root / "b.txt").exists()
    assert "v1.0.0" in git(checkout.root, "tag")

    # Second time: the cached clone is refreshed, and the branch can change.
    branch = acquire(f"file://{origin}", branch="feature/x", cache_dir=cache)
    assert branch.root == checkout.root and (branch.root / "b.txt").exists()
    pinned = acquire(f"file://{origin}", commit=first, cache_dir=cache)
    assert pinned.commit == first and not (pinned.root / "b.txt").exists()


def test_clone_lock_clears_a_lock_file_left_by_a_killed_git(tmp_path):
    origin = make_repo(tmp_path / "origin", {"a.txt": "1"}, remote=None)
    cache = tmp_path / "cache"
    url = f"file://{origin}"
    first = acquire(url, cache_dir=cache)
    (first.root / ".git" / "index.lock").write_text("")
    with pytest.raises(AcquireError, match="default branch"):
        acquire(url, cache_dir=cache)  # git refuses to check out over the stale lock
    with clone_lock(url, cache):
        again = acquire(url, cache_dir=cache)
    assert again.commit == first.commit


def test_clone_lock_serialises_users_of_one_clone(tmp_path):
    url = "https://example.org/org/tool.git"
    order: list[str] = []

    def hold(name: str) -> None:
        with clone_lock(url, tmp_path):
            order.append(f"{name} in")
            time.sleep(0.3)
            order.append(f"{name} out")

    workers = [threading.Thread(target=hold, args=(n,)) for n in ("a", "b")]
    for worker in workers:
        worker.start()
        time.sleep(0.05)
    for worker in workers:
        worker.join()
    assert order == ["a in", "a out", "b in", "b out"]


def test_unknown_branch_and_commit_give_clear_errors(tmp_path):
    origin = make_repo(tmp_path / "origin", {"a.txt": "1"}, remote=None)
    with pytest.raises(AcquireError, match="git clone failed"):
        acquire(f"file://{origin}", branch="nope", cache_dir=tmp_path / "c")
    with pytest.raises(AcquireError, match="commit 'deadbeef' not found"):
        acquire(f"file://{origin}", commit="deadbeef", cache_dir=tmp_path / "c")


def test_local_repo_with_commit_uses_private_clone_and_leaves_worktree(repo_factory, tmp_path):
    repo = repo_factory({"a.txt": "1"})
    first = git(repo, "rev-parse", "HEAD").strip()
    write_files(repo, {"a.txt": "2"})
    commit_all(repo)
    before = _snapshot(repo)
    checkout = acquire(str(repo), commit=first, cache_dir=tmp_path / "cache")
    assert checkout.cloned and checkout.commit == first
    assert (checkout.root / "a.txt").read_text() == "1"
    assert (repo / "a.txt").read_text() == "2"
    assert _snapshot(repo) == before


@pytest.mark.parametrize("ask", ["commit", "branch", "tag"])
def test_asking_for_the_clean_head_assesses_in_place(repo_factory, tmp_path, ask):
    repo = repo_factory({"a.txt": "1"}, tags=["v1.0.0"])
    head = git(repo, "rev-parse", "HEAD").strip()
    branch = git(repo, "symbolic-ref", "--short", "HEAD").strip()
    wanted = {"commit": {"commit": head}, "branch": {"branch": branch},
              "tag": {"commit": "v1.0.0"}}[ask]
    checkout = acquire(str(repo), cache_dir=tmp_path / "cache", **wanted)
    assert not checkout.cloned and checkout.root == repo.resolve() and checkout.commit == head
    assert not (tmp_path / "cache").exists()  # no private clone made


@pytest.mark.parametrize("state", ["modified", "untracked", "other branch"])
def test_asking_for_head_of_a_changed_tree_still_clones(repo_factory, tmp_path, state):
    """The work tree differs from the revision asked for: assess the revision, not the edits."""
    repo = repo_factory({"a.txt": "1"})
    head = git(repo, "rev-parse", "HEAD").strip()
    wanted: dict[str, str] = {"commit": head}
    if state == "modified":
        write_files(repo, {"a.txt": "2"})
    elif state == "untracked":
        write_files(repo, {"b.txt": "new"})
    else:
        git(repo, "branch", "other")
        wanted = {"branch": "other"}
    checkout = acquire(str(repo), cache_dir=tmp_path / "cache", **wanted)
    assert checkout.cloned and checkout.commit == head
    assert (checkout.root / "a.txt").read_text() == "1"
    assert not (checkout.root / "b.txt").exists()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_closed_loopback_port_fails_fast(tmp_path):
    started = time.monotonic()
    with pytest.raises(AcquireError, match="git clone failed"):
        acquire(f"http://127.0.0.1:{_closed_port()}/repo.git", cache_dir=tmp_path, timeout=30)
    assert time.monotonic() - started < 20
    assert not any((tmp_path / "repos").iterdir())  # no half-made clone left behind


def test_silent_server_hits_the_clone_timeout(tmp_path):
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    port = server.getsockname()[1]
    accepted: list[socket.socket] = []
    threading.Thread(target=lambda: accepted.append(server.accept()[0]), daemon=True).start()
    started = time.monotonic()
    try:
        with pytest.raises(AcquireError, match="timed out after 2 s"):
            acquire(f"http://127.0.0.1:{port}/repo.git", cache_dir=tmp_path, timeout=2)
    finally:
        for conn in accepted:
            conn.close()
        server.close()
    assert time.monotonic() - started < 15


def test_ext_transport_never_runs(tmp_path):
    marker = tmp_path / "pwned"
    with pytest.raises(AcquireError):
        acquire(f"ext::sh -c touch% {marker}", cache_dir=tmp_path)
    assert not marker.exists()
    assert not os.path.exists(tmp_path / "repos")
