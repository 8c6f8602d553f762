"""Get a repository onto disk for assessment: a local directory read in place, or a clone.

URLs and refs are untrusted: anything that could make git run commands (``ext::``,
``fd::``), be read as an option (a leading ``-``) or use an unexpected scheme is refused
before git sees it. Clones run with prompts disabled and a hard time limit.

So is the repository itself: every git command runs through ``sqaaas.gitsafe`` (nothing
its config names runs on the host), and another revision of a local repository is read
from a private clone made over git's transport (``--no-local``: no object files copied or
linked from it) with no template, so the clone's hooks and config are fresh.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
import shutil
import signal
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from sqaaas import gitsafe
from sqaaas.errors import AcquireError
from sqaaas.gitinfo import GitInfo
from sqaaas.gitsafe import GitError, GitRepo, Setting
from sqaaas.net.urlhost import AmbiguousURL, url_host
from sqaaas.paths import default_cache_dir

ALLOWED_SCHEMES = ("https", "http", "git", "ssh", "file")
_SCP_LIKE = re.compile(r"^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^/].*$")
_TRANSPORT = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*::")
_PROGRESS = re.compile(r"^(?P<stage>[A-Za-z ]+):\s+(?P<pct>\d+)%")

ProgressCallback = Callable[[str, float | None], None]
_GIT_TAIL_LINES = 12  # stderr lines kept for an error message (progress lines excluded)
_MAX_GIT_MESSAGE = 600


@dataclass(frozen=True)
class Checkout:
    """A repository ready to read: its root and what we know of where it came from."""

    root: Path
    url: str | None
    commit: str | None
    branch: str | None
    cloned: bool


def redact_url(url: str) -> str:
    """The URL without user/password, for reports, logs and error messages."""
    parts = urlsplit(url)
    if parts.scheme and (parts.username or parts.password):
        host = parts.hostname or ""
        netloc = host + (f":{parts.port}" if parts.port else "")
        return parts._replace(netloc=netloc).geturl()
    return url


def looks_like_url(target: str) -> bool:
    return bool(_TRANSPORT.match(target) or "://" in target or _SCP_LIKE.match(target))


def check_url(url: str) -> None:
    """Refuse URLs that git could turn into command execution or option injection."""
    if url.startswith("-"):
        raise AcquireError(f"refused URL '{url}': it starts with '-' (would be read as an option)")
    if any(ch in url for ch in "\n\r\0"):
        raise AcquireError("refused URL: it contains control characters")
    if m := _TRANSPORT.match(url):
        raise AcquireError(f"refused URL: the '{m.group(0)}' transport can run commands")
    if _SCP_LIKE.match(url):
        return
    scheme = urlsplit(url).scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        allowed = ", ".join(ALLOWED_SCHEMES)
        raise AcquireError(f"refused URL '{url}': scheme '{scheme}' is not one of {allowed}")
    if scheme != "file" and not urlsplit(url).hostname:
        raise AcquireError(f"refused URL '{url}': no host")
    if scheme != "file":
        try:
            url_host(url)
        except AmbiguousURL as exc:
            raise AcquireError(f"refused URL: {exc}") from None


def check_ref(ref: str, what: str) -> None:
    """A branch or commit must not be readable as an option or contain odd characters."""
    if not ref or ref.startswith("-") or not re.fullmatch(r"[A-Za-z0-9._/+@-]{1,200}", ref):
        raise AcquireError(f"refused {what} '{ref}': not a valid git ref name")
    if ".." in ref or ref.endswith((".lock", "/", ".")) or "@{" in ref:
        raise AcquireError(f"refused {what} '{ref}': not a valid git ref name")


def acquire(
    target: str,
    *,
    branch: str | None = None,
    commit: str | None = None,
    cache_dir: Path | None = None,
    timeout: float = 300.0,
    progress: ProgressCallback | None = None,
    require_commit: bool = False,
) -> Checkout:
    """Return a checkout of ``target`` (a local directory or a git URL).

    With ``require_commit``, a repository without any commit is an AcquireError: a report on
    it would only list failures (``sqaaas assess`` asks for it; probes may still be handed
    such a folder, and say so in a finding).
    """
    checkout = _acquire(target, branch, commit, cache_dir, timeout, progress)
    if require_commit and checkout.commit is None:
        raise AcquireError(
            f"{redact_url(target)}: the repository has no commits yet, nothing to assess "
            "(commit the code first: git add . && git commit)"
        )
    return checkout


def _acquire(
    target: str,
    branch: str | None,
    commit: str | None,
    cache_dir: Path | None,
    timeout: float,
    progress: ProgressCallback | None,
) -> Checkout:
    if branch is not None:
        check_ref(branch, "branch")
    if commit is not None:
        check_ref(commit, "commit")
    if target.startswith("-"):
        raise AcquireError(f"refused '{target}': it starts with '-' (would be read as an option)")
    if looks_like_url(target):
        check_url(target)
        return _clone(
            target, branch, commit, Path(cache_dir or default_cache_dir()), timeout, progress
        )
    path = Path(target).expanduser()
    if not path.exists():
        raise AcquireError(f"{target}: no such directory")
    if not path.is_dir():
        raise AcquireError(f"{target}: not a directory (give the repository's folder)")
    try:
        repo = GitRepo.find(path)
    except GitError as exc:
        raise AcquireError(f"{target}: {exc}") from None
    if repo is None:
        raise AcquireError(f"{target}: not a git repository (run 'git init' and commit)")
    info = GitInfo.of(repo)
    if (branch or commit) and not _is_clean_head(repo, info, branch, commit):
        # Never touch the user's working tree: assess another revision from a private clone.
        origin = str(repo.root.resolve())
        cache = Path(cache_dir or default_cache_dir())
        checkout = _clone(origin, branch, commit, cache, timeout, progress, repo.settings)
        return Checkout(checkout.root, _origin_url(info), checkout.commit, checkout.branch, True)
    return Checkout(
        root=path.resolve(),
        url=_origin_url(info),
        commit=_guarded(lambda: info.head),
        branch=_guarded(lambda: info.branch),
        cloned=False,
    )


def _is_clean_head(repo: GitRepo, info: GitInfo, branch: str | None, commit: str | None) -> bool:
    """Whether the revision asked for is what the clean work tree already holds: then it is
    assessed in place, with no private clone (the same files, the same history)."""
    try:
        head = info.head
        if head is None or (branch and info.branch != branch):
            return False
        if commit:
            found = repo.run("rev-parse", "--verify", "--quiet", "--end-of-options",
                             f"{commit}^{{commit}}")
            if found.returncode != 0 or found.stdout.decode("ascii", "replace").strip() != head:
                return False
        if (repo.root / ".gitmodules").exists():  # a submodule's state would need git inside it
            return False
        status = repo.run("status", "--porcelain", "-z", "--untracked-files=all",
                          "--ignore-submodules=all")
    except (OSError, GitError):
        return False
    return status.returncode == 0 and not status.stdout


def _guarded(answer: Callable[[], str | None]) -> str | None:
    """A git answer for the checkout record, turning git's failure into an AcquireError."""
    try:
        return answer()
    except GitError as exc:
        raise AcquireError(str(exc)) from None


def _origin_url(info: GitInfo) -> str | None:
    """The URL of the remote 'origin' (else of the first remote), without credentials."""
    try:
        remotes = info.remotes
    except GitError as exc:
        raise AcquireError(str(exc)) from None
    remote = next((r for r in remotes if r.name == "origin"), None) or next(iter(remotes), None)
    return redact_url(remote.url) if remote else None


def _git_failure(lines: list[str], status: object) -> str:
    """What git said on failure, as one bounded line.

    git splits one error over several lines (``fatal: unable to connect to 127.0.0.1:`` then
    ``127.0.0.1[0: 127.0.0.1]: errno=Connection refused``), and ssh says why before git's
    ``fatal:``: so every line but progress chatter is kept, not only the ``fatal:`` one.
    """
    kept = [line for line in lines if not line.startswith("Cloning into ")]
    message = " ".join(" ".join(kept).split()) or f"exit status {status}"
    message = re.sub(r"://[^/@\s]+@", "://", message)  # never echo credentials
    if len(message) > _MAX_GIT_MESSAGE:  # both ends: ssh says why first, git last
        half = _MAX_GIT_MESSAGE // 2
        message = f"{message[:half]} … {message[-half:]}"
    return message


def _run_git(
    args: list[str],
    cwd: Path,
    timeout: float,
    progress: ProgressCallback | None,
    source: str,
    settings: tuple[Setting, ...] = (),
) -> None:
    """Run a hardened git (``sqaaas.gitsafe``) with a wall-time limit, relaying its progress.

    ``source`` (the URL, or the folder, being cloned or fetched) is named in the error, as
    git does not always name the port it could not reach. git does not look for a
    repository above ``cwd``'s parent (a clone into a cache that lies inside some work tree
    must not read that work tree's config).
    """
    # Own session: on timeout the whole group dies, including git-remote-http helpers
    # that would otherwise keep the pipes (and us) waiting.
    ceiling = {"GIT_CEILING_DIRECTORIES": str(cwd.resolve().parent)}
    popen = gitsafe.spawn(cwd, args, settings, extra_env=ceiling)
    tail: list[str] = []

    def take(raw: bytes) -> None:
        line = raw.decode("utf-8", "replace").strip()
        if not line:
            return
        if m := _PROGRESS.match(line.removeprefix("remote: ")):
            if progress:
                progress(m.group("stage").strip(), float(m.group("pct")))
            return
        tail[:] = [*tail[-(_GIT_TAIL_LINES - 1) :], line]

    def pump() -> None:
        buffer = b""
        assert popen.stderr is not None
        while chunk := popen.stderr.read1(4096):
            buffer += chunk
            *lines, buffer = re.split(rb"[\r\n]", buffer)
            for raw in lines:
                take(raw)
        take(buffer)

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    deadline = time.monotonic() + timeout
    try:
        while popen.poll() is None:
            if time.monotonic() > deadline:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(popen.pid, signal.SIGKILL)
                popen.wait()
                reader.join(timeout=5)
                raise AcquireError(f"git {args[0]} timed out after {timeout:.0f} s")
            time.sleep(0.05)
    except KeyboardInterrupt:  # git's own session does not get the Ctrl-C: stop it here
        gitsafe.stop(popen)
        raise
    reader.join(timeout=5)
    if popen.returncode != 0:
        message = _git_failure(tail, popen.returncode)
        raise AcquireError(f"git {args[0]} failed ({redact_url(source)}): {message}")


def _clone_dir(url: str, cache_dir: Path) -> Path:
    return cache_dir / "repos" / hashlib.sha256(url.encode()).hexdigest()[:24]


@contextlib.contextmanager
def clone_lock(url: str, cache_dir: Path | None = None) -> Iterator[None]:
    """Hold the cached clone of ``url`` for one assessment (acquire + probes).

    Without it two jobs of a service for the same URL but other branches would check out
    under each other's feet. While held, a git lock file left in the clone by a killed git
    is stale by construction and is removed, so the next fetch does not fail on it.
    """
    dest = _clone_dir(url, Path(cache_dir or default_cache_dir()))
    dest.parent.mkdir(parents=True, exist_ok=True)
    with (dest.parent / f"{dest.name}.lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        for stale in ("index.lock", "HEAD.lock", "shallow.lock"):
            (dest / ".git" / stale).unlink(missing_ok=True)
        yield


def _clone(
    url: str,
    branch: str | None,
    commit: str | None,
    cache_dir: Path,
    timeout: float,
    progress: ProgressCallback | None,
    settings: tuple[Setting, ...] = (),
) -> Checkout:
    """Clone (or refresh a cached clone of) ``url`` and check out the wanted revision.

    ``settings`` are the overrides the source's own config calls for (a local repository
    cloned privately): git's transport does not run its drivers, but they cost nothing.
    """
    dest = _clone_dir(url, cache_dir)
    dest.parent.mkdir(parents=True, exist_ok=True)
    repo = _cached_clone(dest, url)
    if repo is None:
        shutil.rmtree(dest, ignore_errors=True)
        partial = dest.with_name(dest.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        args = ["clone", "--progress", "--no-recurse-submodules", "--no-local", "--template="]
        if branch:
            args += ["--branch", branch]
        try:
            _run_git(
                [*args, "--", url, str(partial)], dest.parent, timeout, progress, url, settings
            )
        except AcquireError:
            shutil.rmtree(partial, ignore_errors=True)
            raise
        partial.rename(dest)
        repo = _open_clone(dest)
    else:
        _run_git(
            ["fetch", "--progress", "--tags", "--force", "--prune", "origin"],
            dest,
            timeout,
            progress,
            url,
        )
        target = f"origin/{branch}" if branch else "origin/HEAD"
        if not commit:
            done = _checkout(repo, target, timeout)
            if done.returncode != 0:
                if branch:
                    raise AcquireError(f"branch '{branch}' not found in {url}")
                detail = _git_failure(done.stderr.splitlines(), done.returncode)
                raise AcquireError(
                    f"cannot check out the default branch of {redact_url(url)}: {detail}"
                )
    if commit and _checkout(repo, commit, timeout).returncode != 0:
        raise AcquireError(f"commit '{commit}' not found in {url}")
    info = GitInfo.of(repo)
    return Checkout(
        root=dest.resolve(),
        url=redact_url(url),
        commit=_guarded(lambda: info.head),
        branch=branch or _guarded(lambda: _default_branch(info)),
        cloned=True,
    )


def _open_clone(dest: Path) -> GitRepo:
    """The clone at ``dest`` (made by us: its config has no drivers, but is read anyway)."""
    try:
        found = GitRepo.find(dest)
    except GitError as exc:
        raise AcquireError(str(exc)) from None
    if found is None or found.root.resolve() != dest.resolve():
        raise AcquireError(f"{dest}: the clone is not a git repository")
    return found


def _cached_clone(dest: Path, url: str) -> GitRepo | None:
    """The clone of ``url`` a previous run left at ``dest``, if it is still one."""
    if not (dest / ".git").is_dir():
        return None
    try:
        found = GitRepo.find(dest)
    except GitError:
        return None
    if found is None or found.root.resolve() != dest.resolve():
        return None
    return found if _origin_url(GitInfo.of(found)) == url else None


def _checkout(repo: GitRepo, revision: str, timeout: float) -> gitsafe.Completed:
    """Check out ``revision`` (detached) in one of our clones; git's answer is returned.

    Writing a large tree takes time: the clone's time limit applies, not a query's.
    """
    try:
        return repo.run("checkout", "--force", "--detach", revision, timeout=timeout)
    except GitError as exc:
        raise AcquireError(str(exc)) from None


def _default_branch(info: GitInfo) -> str | None:
    """The remote's default branch as the clone recorded it, else the checked-out branch."""
    assert info.repo is not None
    found = info.repo.run("symbolic-ref", "--quiet", "refs/remotes/origin/HEAD")
    if found.returncode == 0:
        return os.fsdecode(found.stdout.strip()).removeprefix("refs/remotes/origin/")
    return info.branch
