"""Run git on an assessed repository without honouring anything that repository configures.

A repository's own config (``.git/config``, its worktree config and every file they include)
can name programs that git runs on the host: ``core.fsmonitor``, hooks (``core.hooksPath``),
clean/smudge/process filters, diff textconv and external diff commands, merge drivers,
pagers, editors, ssh and proxy commands, gpg programs. Every git command of sqaaas runs
through this module, which

- starts git with no system or global config (the user's own config is not the
  repository's, but reports must not depend on it either), no prompts, no pager, and no
  inherited variable that points git at another repository or runs a command
  (``GIT_DIR``, ``GIT_EXTERNAL_DIFF``...);
- hands git command-scope settings, which beat every file-based scope, disabling each such
  program: the fixed keys in ``SAFE_SETTINGS``, and for every filter, diff and merge
  driver the repository's config defines (under names of its choosing, possibly in
  included files) an override emptying its commands (``driver_settings``).

Settings travel as ``GIT_CONFIG_COUNT``/``GIT_CONFIG_KEY_n``/``GIT_CONFIG_VALUE_n``: unlike
``-c key=value`` this cannot be misparsed when a driver name contains ``=``, and git hands
it on to the git processes it starts itself (``upload-pack`` for a clone). Settings the
caller inherited that way (the web service's address pins) are kept, before ours.

``uploadpack.packObjectsHook`` is not overridden: git honours it only from protected
config, which here is nothing but these command-scope settings, and an empty value would
break every clone. ``core.gitProxy`` keeps the first value git reads, so it is disabled
through ``GIT_PROXY_COMMAND`` instead, which git reads before any config.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import selectors
import signal
import subprocess
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqaaas import interrupt
from sqaaas.errors import SqaaasError

Setting = tuple[str, str]

SSH_COMMAND = "ssh -o BatchMode=yes -o ConnectTimeout=20"
DEFAULT_TIMEOUT = 120.0
OUTPUT_LIMIT = 256 * 1024 * 1024  # bytes of stdout kept: a hostile history must not fill memory
_STDERR_KEPT = 64 * 1024
_MAX_DRIVER_KEYS = 2000  # more would overflow the environment git is started with

#: Fixed overrides of every config key that names a program (or fetches something) on the
#: host. Each beats the same key in any config file of the repository.
SAFE_SETTINGS: tuple[Setting, ...] = (
    ("core.fsmonitor", "false"),
    ("core.untrackedCache", "false"),
    ("core.hooksPath", "/dev/null"),
    ("core.sshCommand", SSH_COMMAND),
    ("core.gitProxy", "none"),
    ("core.askPass", ""),
    ("core.pager", "cat"),
    ("core.editor", ":"),
    ("sequence.editor", ":"),
    ("core.alternateRefsCommand", ""),
    ("diff.external", ""),
    ("credential.helper", ""),
    ("credential.interactive", "never"),
    ("gpg.program", ""),
    ("gpg.openpgp.program", ""),
    ("gpg.x509.program", ""),
    ("gpg.ssh.program", ""),
    ("gpg.ssh.defaultKeyCommand", ""),
    ("log.showSignature", "false"),
    ("color.ui", "false"),
    ("protocol.allow", "never"),
    ("protocol.https.allow", "always"),
    ("protocol.http.allow", "always"),
    ("protocol.git.allow", "always"),
    ("protocol.ssh.allow", "always"),
    ("protocol.file.allow", "always"),
    ("protocol.ext.allow", "never"),
    ("protocol.fd.allow", "never"),
    ("submodule.recurse", "false"),
    ("fetch.recurseSubmodules", "false"),
    ("safe.bareRepository", "explicit"),
)

#: ``section -> {variable: overriding value}`` for drivers defined under a chosen name.
_DRIVER_KEYS: Mapping[str, Mapping[str, str]] = {
    "filter": {"clean": "", "smudge": "", "process": "", "required": "false"},
    "diff": {"textconv": "", "command": "", "cachetextconv": "false"},
    "merge": {"driver": ""},
    "remote": {"uploadpack": "git-upload-pack", "receivepack": "git-receive-pack"},
}

#: Inherited variables that would point git at another repository or index, or run a command.
_DROPPED = frozenset(
    {
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_INDEX_FILE",
        "GIT_OBJECT_DIRECTORY",
        "GIT_ALTERNATE_OBJECT_DIRECTORIES",
        "GIT_COMMON_DIR",
        "GIT_NAMESPACE",
        "GIT_PREFIX",
        "GIT_CEILING_DIRECTORIES",
        "GIT_DISCOVERY_ACROSS_FILESYSTEM",
        "GIT_EXTERNAL_DIFF",
        "GIT_DIFF_OPTS",
        "GIT_TEMPLATE_DIR",
        "GIT_CONFIG",
        "GIT_SSH",
        "GIT_SSH_VARIANT",
        "GIT_REPLACE_REF_BASE",
        "GIT_ATTR_SOURCE",
        "GIT_QUARANTINE_PATH",
    }
)

_FIXED_ENV: Mapping[str, str] = {
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_SYSTEM": "/dev/null",
    "GIT_CONFIG_GLOBAL": "/dev/null",
    "GIT_ATTR_NOSYSTEM": "1",
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_ASKPASS": "",
    "SSH_ASKPASS": "",
    "SSH_ASKPASS_REQUIRE": "never",
    "GCM_INTERACTIVE": "never",
    "GIT_SSH_COMMAND": SSH_COMMAND,
    "GIT_PROXY_COMMAND": "",
    "GIT_PAGER": "cat",
    "PAGER": "cat",
    "GIT_EDITOR": ":",
    "GIT_SEQUENCE_EDITOR": ":",
    "GIT_OPTIONAL_LOCKS": "0",
    "GIT_PROTOCOL_FROM_USER": "0",
}

_COUNT = "GIT_CONFIG_COUNT"


class GitError(SqaaasError):
    """git could not answer: it failed, timed out, or said more than we read."""


def _inherited_settings(env: Mapping[str, str]) -> list[Setting]:
    """Command-scope settings the caller passed on through the environment."""
    count = env.get(_COUNT, "0")
    total = int(count) if count.isdigit() else 0
    return [
        (env.get(f"GIT_CONFIG_KEY_{i}", ""), env.get(f"GIT_CONFIG_VALUE_{i}", ""))
        for i in range(total)
        if env.get(f"GIT_CONFIG_KEY_{i}")
    ]


@functools.cache
def _trusted_directories() -> tuple[Setting, ...]:
    """``safe.directory`` entries of the user's own system and global config.

    Those configs are left out of every other git command, but what they trust must stay
    trusted: a container or CI job assessing a checkout owned by another user (generated
    pipelines run ``git config --global --add safe.directory '*'``) relies on it. Read
    with ``GIT_DIR`` pointing nowhere, so no repository's config is involved.
    """
    env = {k: v for k, v in os.environ.items() if k not in _DROPPED}
    env["GIT_DIR"] = "/nonexistent/sqaaas-no-repository"
    found: list[Setting] = []
    for scope in ("--system", "--global"):
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            proc = subprocess.run(
                ["git", "config", scope, "--includes", "-z", "--get-all", "safe.directory"],
                capture_output=True,
                env=env,
                stdin=subprocess.DEVNULL,
                timeout=20,
                cwd="/",
            )
            values = proc.stdout.split(b"\0") if proc.returncode == 0 else []
            found += [("safe.directory", os.fsdecode(v)) for v in values if v]
    return tuple(found)


def environment(settings: Iterable[Setting] = ()) -> dict[str, str]:
    """The environment every git command runs in: see the module docstring."""
    env = {k: v for k, v in os.environ.items() if k not in _DROPPED}
    env.update(_FIXED_ENV)
    keys = [*_inherited_settings(env), *_trusted_directories(), *SAFE_SETTINGS, *settings]
    for name in [k for k in env if k.startswith(("GIT_CONFIG_KEY_", "GIT_CONFIG_VALUE_"))]:
        del env[name]
    env[_COUNT] = str(len(keys))
    for index, (key, value) in enumerate(keys):
        env[f"GIT_CONFIG_KEY_{index}"] = key
        env[f"GIT_CONFIG_VALUE_{index}"] = value
    return env


def overrides_for(keys: Iterable[str]) -> tuple[Setting, ...]:
    """Overrides disabling every driver command among config ``keys`` (as git lists them:
    section and variable in lower case, the driver's name between them, kept verbatim)."""
    found: dict[str, str] = {}
    for key in keys:
        section, _, rest = key.partition(".")
        name, _, variable = rest.rpartition(".")
        value = _DRIVER_KEYS.get(section, {}).get(variable)
        if name and value is not None:
            found[key] = value
    return tuple(found.items())


def spawn(
    cwd: Path, args: Sequence[str], settings: Iterable[Setting] = (), *, stdout: int | None = None,
    extra_env: Mapping[str, str] | None = None,
) -> subprocess.Popen[bytes]:
    """Start ``git args`` in ``cwd`` in a session of its own (a timeout kills the whole
    group, helpers included): stdin closed, stderr piped, stdout discarded unless
    ``stdout`` says otherwise (``subprocess.PIPE``)."""
    env = environment(settings)
    env.update(extra_env or {})
    return subprocess.Popen(
        ["git", "--no-pager", *args],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL if stdout is None else stdout,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


def stop(popen: subprocess.Popen[bytes], grace: float = 0.5) -> None:
    """SIGTERM the group first, so git removes its lock files and temporary packs; then
    SIGKILL what is left (git itself, or its helpers)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(popen.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        popen.wait(timeout=grace)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(popen.pid, signal.SIGKILL)
    popen.wait()


@dataclass(frozen=True)
class Completed:
    """What one git command said: its exit status, standard output, and standard error."""

    returncode: int
    stdout: bytes
    stderr: str


def run(
    cwd: Path,
    args: Sequence[str],
    settings: Iterable[Setting] = (),
    *,
    timeout: float = DEFAULT_TIMEOUT,
    limit: int = OUTPUT_LIMIT,
) -> Completed:
    """Run ``git args`` to completion, its output bounded in size and time.

    A non-zero exit status is returned, not raised; a timeout or too much output raises
    GitError (git is killed first).
    """
    interrupt.check()
    popen = spawn(cwd, args, settings, stdout=subprocess.PIPE)
    with interrupt.tracked(popen):
        try:
            out, err = _collect(popen, timeout, limit)
        except GitError as exc:
            stop(popen)
            raise GitError(f"git {args[0]}: {exc}") from None
        except BaseException:
            stop(popen)
            raise
        popen.wait()
    return Completed(popen.returncode, out, err.decode("utf-8", "replace"))


def _collect(popen: subprocess.Popen[bytes], timeout: float, limit: int) -> tuple[bytes, bytes]:
    """Both output streams until git closes them; GitError past ``timeout`` or ``limit``."""
    assert popen.stdout is not None and popen.stderr is not None
    deadline = time.monotonic() + timeout
    out, err = bytearray(), bytearray()
    with selectors.DefaultSelector() as selector:
        selector.register(popen.stdout, selectors.EVENT_READ, out)
        selector.register(popen.stderr, selectors.EVENT_READ, err)
        while selector.get_map():
            left = deadline - time.monotonic()
            if left <= 0:
                raise GitError(f"timed out after {timeout:.0f} s")
            for key, _ in selector.select(timeout=min(left, 1.0)):
                chunk = os.read(key.fd, 65536)
                if not chunk:
                    selector.unregister(key.fileobj)
                    continue
                buffer: bytearray = key.data
                buffer += chunk
                if buffer is out and len(out) > limit:
                    raise GitError(f"more than {limit // (1024 * 1024)} MB of output")
                if buffer is err and len(err) > _STDERR_KEPT:
                    del err[: len(err) - _STDERR_KEPT]
    return bytes(out), bytes(err)


def failure(completed: Completed, what: str) -> GitError:
    """A GitError naming ``what`` failed and git's last words (one bounded line)."""
    said = " ".join(completed.stderr.split())[-400:] or f"exit status {completed.returncode}"
    return GitError(f"{what} failed: {said}")


def driver_settings(cwd: Path) -> tuple[Setting, ...]:
    """Overrides for the drivers the repository at ``cwd`` defines, included files too.

    ``git config --list`` only reads config files (includes are followed, conditions
    evaluated as for any other command): listing the names runs nothing.
    """
    listed = run(cwd, ["config", "--list", "--includes", "--name-only", "-z"], timeout=30)
    if listed.returncode != 0:
        raise failure(listed, "reading the repository's git config")
    keys = [os.fsdecode(k) for k in listed.stdout.split(b"\0") if k]
    found = overrides_for(keys)
    if len(found) > _MAX_DRIVER_KEYS:
        raise GitError(f"the repository's git config defines {len(found)} driver commands")
    return found


_NOT_A_REPOSITORY = re.compile(r"not a git repository", re.I)


@dataclass(frozen=True)
class GitRepo:
    """A work tree found by git, with the overrides its own config calls for."""

    root: Path  # top of the work tree
    settings: tuple[Setting, ...]

    @classmethod
    def find(cls, path: Path) -> GitRepo | None:
        """The work tree containing ``path``; None when there is none. GitError when git
        finds one but refuses to read it (e.g. owned by another user)."""
        top = run(path, ["rev-parse", "--show-toplevel"], timeout=30)
        if top.returncode != 0:
            if _NOT_A_REPOSITORY.search(top.stderr):
                return None
            raise failure(top, f"reading the git repository at {path}")
        root = Path(os.fsdecode(top.stdout.rstrip(b"\n")))
        return cls(root=root, settings=driver_settings(root))

    def run(self, *args: str, timeout: float = DEFAULT_TIMEOUT) -> Completed:
        """``git args`` in the work tree (non-zero exit returned, not raised)."""
        return run(self.root, args, self.settings, timeout=timeout)

    def output(self, *args: str, timeout: float = DEFAULT_TIMEOUT) -> bytes:
        """Standard output of ``git args``; GitError when git fails."""
        done = self.run(*args, timeout=timeout)
        if done.returncode != 0:
            raise failure(done, f"git {args[0]}")
        return done.stdout
