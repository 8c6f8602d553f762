"""Get a repository onto disk for assessment: a local directory read in place, or a clone.

URLs and refs are untrusted: anything that could make git run commands (``ext::``,
``fd::``), be read as an option (a leading ``-``) or use an unexpected scheme is refused
before git sees it. Clones run with prompts disabled and a hard time limit.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import git

from sqaaas.errors import AcquireError

ALLOWED_SCHEMES = ("https", "http", "git", "ssh", "file")
_SCP_LIKE = re.compile(r"^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^/].*$")
_TRANSPORT = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*::")
_PROGRESS = re.compile(r"^(?P<stage>[A-Za-z ]+):\s+(?P<pct>\d+)%")
_HARDENING = [
    "-c",
    "protocol.ext.allow=never",
    "-c",
    "protocol.fd.allow=never",
    "-c",
    "protocol.file.allow=always",
    "-c",
    "core.fsmonitor=false",
    "-c",
    "submodule.recurse=false",
    "-c",
    "credential.interactive=never",
]

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


def default_cache_dir() -> Path:
    if env := os.environ.get("SQAAAS_CACHE_DIR"):
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(Path.home(), ".cache")
    return Path(base) / "sqaaas"


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
        repo = git.Repo(path, search_parent_directories=True)
    except git.InvalidGitRepositoryError:
        raise AcquireError(f"{target}: not a git repository (run 'git init' and commit)") from None
    except git.NoSuchPathError:
        raise AcquireError(f"{target}: no such directory") from None
    if branch or commit:
        # Never touch the user's working tree: assess another revision from a private clone.
        origin = str(Path(repo.working_dir).resolve())
        cache = Path(cache_dir or default_cache_dir())
        checkout = _clone(origin, branch, commit, cache, timeout, progress)
        return Checkout(checkout.root, _origin_url(repo), checkout.commit, checkout.branch, True)
    return Checkout(
        root=path.resolve(),
        url=_origin_url(repo),
        commit=_head_commit(repo),
        branch=_branch_name(repo),
        cloned=False,
    )


def _origin_url(repo: git.Repo) -> str | None:
    try:
        remotes = {r.name: r for r in repo.remotes}
        remote = remotes.get("origin") or next(iter(remotes.values()), None)
        url = next(iter(remote.urls), None) if remote else None
        return redact_url(url) if url else None
    except (git.GitCommandError, ValueError, StopIteration):
        return None


def _head_commit(repo: git.Repo) -> str | None:
    try:
        return repo.head.commit.hexsha
    except ValueError:  # no commits yet
        return None


def _branch_name(repo: git.Repo) -> str | None:
    try:
        return None if repo.head.is_detached else repo.active_branch.name
    except (TypeError, ValueError):
        return None


def _git_env() -> dict[str, str]:
    return {
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_ASKPASS": "true",
        "SSH_ASKPASS": "true",
        "GCM_INTERACTIVE": "never",
        "GIT_SSH_COMMAND": "ssh -o BatchMode=yes -o ConnectTimeout=20",
        "GIT_PROTOCOL_FROM_USER": "0",
    }


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
    args: list[str], cwd: Path, timeout: float, progress: ProgressCallback | None, source: str
) -> None:
    """Run git (through GitPython) with a wall-time limit, relaying its progress lines.

    ``source`` (the URL, or the folder, being cloned or fetched) is named in the error, as
    git does not always name the port it could not reach.
    """
    cmd = ["git", *_HARDENING, *args]
    # Own session: on timeout the whole group dies, including git-remote-http helpers
    # that would otherwise keep the pipes (and us) waiting.
    proc = git.Git(str(cwd)).execute(
        cmd,
        as_process=True,
        env=_git_env(),
        with_stdout=False,
        universal_newlines=False,
        start_new_session=True,
    )
    popen = proc.proc
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
        _interrupt_git(popen)
        popen.wait()
        raise
    reader.join(timeout=5)
    if popen.returncode != 0:
        message = _git_failure(tail, popen.returncode)
        raise AcquireError(f"git {args[0]} failed ({redact_url(source)}): {message}")


def _interrupt_git(popen: subprocess.Popen[bytes], grace: float = 0.5) -> None:
    """SIGTERM first, so git removes its lock files and temporary packs; then SIGKILL."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(popen.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        popen.wait(timeout=grace)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(popen.pid, signal.SIGKILL)  # what is left: git itself, or its helpers


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
) -> Checkout:
    """Clone (or refresh a cached clone of) ``url`` and check out the wanted revision."""
    dest = _clone_dir(url, cache_dir)
    dest.parent.mkdir(parents=True, exist_ok=True)
    repo: git.Repo | None = None
    if (dest / ".git").is_dir():
        try:
            repo = git.Repo(dest)
            if _origin_url(repo) != url:
                repo = None
        except git.InvalidGitRepositoryError:
            repo = None
    if repo is None:
        shutil.rmtree(dest, ignore_errors=True)
        partial = dest.with_name(dest.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        args = ["clone", "--progress", "--no-recurse-submodules"]
        if branch:
            args += ["--branch", branch]
        try:
            _run_git([*args, "--", url, str(partial)], dest.parent, timeout, progress, url)
        except AcquireError:
            shutil.rmtree(partial, ignore_errors=True)
            raise
        partial.rename(dest)
        repo = git.Repo(dest)
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
            try:
                repo.git.checkout("--force", "--detach", target)
            except git.GitCommandError as exc:
                if branch:
                    raise AcquireError(f"branch '{branch}' not found in {url}") from exc
                said = (exc.stderr or "").strip().removeprefix("stderr: '").removesuffix("'")
                detail = _git_failure(said.splitlines(), exc.status)
                raise AcquireError(
                    f"cannot check out the default branch of {redact_url(url)}: {detail}"
                ) from exc
    if commit:
        try:
            repo.git.checkout("--force", "--detach", commit)
        except git.GitCommandError as exc:
            raise AcquireError(f"commit '{commit}' not found in {url}") from exc
    return Checkout(
        root=dest.resolve(),
        url=redact_url(url),
        commit=_head_commit(repo),
        branch=branch or _default_branch(repo),
        cloned=True,
    )


def _default_branch(repo: git.Repo) -> str | None:
    try:
        ref = repo.git.symbolic_ref("--short", "refs/remotes/origin/HEAD")
        return ref.removeprefix("origin/")
    except git.GitCommandError:
        return _branch_name(repo)
