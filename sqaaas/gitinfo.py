"""What the repository's git history says: remotes, tags, merges. Read-only queries.

Every query is a plumbing command run through ``sqaaas.gitsafe`` (nothing the repository
configures runs on the host); names (paths, refs) are decoded with ``os.fsdecode`` so that
bytes which are not UTF-8 survive the round trip to the file system, messages with
replacement characters.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from sqaaas.gitsafe import GitError, GitRepo

_PR_REFERENCE = re.compile(
    r"\(#\d+\)|\(pull request #\d+\)|Merge pull request #\d+|See merge request \S+!\d+|!\d+\b"
)
_ISSUE_REFERENCE = re.compile(
    r"(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?|refs?|see)\s+\S*#\d+", re.I
)

#: Any mention of a ticket: "#12", "GH-12", "PROJ-12" (a Jira-style key) or an issue URL.
#: Upper-case tokens that are standards or algorithms (UTF-8, SHA-256, ISO-8601) are not keys.
_TICKET_REFERENCE = re.compile(
    r"(?<![\w&/])#\d+\b|\b[\w.-]+/[\w.-]+#\d+\b|\bGH-\d+\b"
    r"|\b(?!(?:UTF|UCS|SHA|MD|ISO|RFC|PEP|CVE|CWE|GPL|LGPL|AGPL|MPL|EPL|EUPL|BSD|CC|TLS|SSL|AES"
    r"|RSA|HTTP|IPV|ES|ECMA|IEEE|WIN|CP|BASE)-)[A-Z][A-Z0-9]{1,9}-\d+\b"
    r"|https?://\S+/(?:-/)?(?:issues|pull|pulls|merge_requests|tickets?|browse)/[\w-]*\d+"
)


@dataclass(frozen=True)
class Tag:
    name: str
    commit: str
    timestamp: int  # committer time of the tagged commit


@dataclass(frozen=True)
class Remote:
    name: str
    url: str


class GitInfo:
    """Lazy, cached answers about one repository's history (None when it is not a git repo)."""

    def __init__(self, path: Path) -> None:
        try:
            self.repo: GitRepo | None = GitRepo.find(path)
        except (GitError, OSError):  # git refuses the repository, or the folder is gone
            self.repo = None
        self._below: dict[Path, frozenset[str]] = {}  # tracked_below, per assessed subfolder

    @classmethod
    def of(cls, repo: GitRepo) -> GitInfo:
        """Answers about a repository already found (no second look for it)."""
        info = cls.__new__(cls)
        info.repo = repo
        info._below = {}
        return info

    def _git(self, *args: str) -> bytes:
        assert self.repo is not None
        return self.repo.output(*args)

    def _text(self, *args: str) -> str:
        """Output of a command printing messages (not names): invalid UTF-8 replaced."""
        return self._git(*args).decode("utf-8", "replace")

    def _names(self, *args: str, sep: bytes = b"\n") -> list[str]:
        """Output of a command printing names, one per ``sep``, decoded losslessly."""
        return [os.fsdecode(n) for n in self._git(*args).split(sep) if n]

    @cached_property
    def head(self) -> str | None:
        if self.repo is None:
            return None
        found = self.repo.run("rev-parse", "--verify", "--quiet", "HEAD^{commit}")
        if found.returncode != 0:  # no commits yet
            return None
        return found.stdout.decode("ascii", "replace").strip() or None

    @cached_property
    def branch(self) -> str | None:
        """The checked-out branch; None on a detached HEAD."""
        if self.repo is None:
            return None
        found = self.repo.run("symbolic-ref", "--quiet", "HEAD")
        if found.returncode != 0:
            return None
        return os.fsdecode(found.stdout.strip()).removeprefix("refs/heads/") or None

    @cached_property
    def commit_count(self) -> int:
        if self.head is None:
            return 0
        return int(self._text("rev-list", "--count", "HEAD"))

    @cached_property
    def remotes(self) -> list[Remote]:
        """Fetch URLs of the remotes, in the order the config lists them."""
        if self.repo is None:
            return []
        listed = self.repo.run("config", "--includes", "-z", "--get-regexp", r"^remote\..+\.url$")
        found: list[Remote] = []
        for entry in listed.stdout.split(b"\0") if listed.returncode == 0 else []:
            key, _, url = os.fsdecode(entry).partition("\n")
            name = key.removeprefix("remote.").removesuffix(".url")
            if url and name != key:
                found.append(Remote(name, url))
        return found

    @cached_property
    def tags(self) -> list[Tag]:
        """Tags whose commit is reachable from HEAD, newest first."""
        if self.head is None:
            return []
        lines = self._names(
            "for-each-ref",
            "--merged",
            "HEAD",
            "--sort=-creatordate",
            "--format=%(refname:strip=2)%09%(*objectname)%(objectname)%09%(*committerdate:unix)"
            "%(committerdate:unix)",
            "refs/tags",
        )
        tags: list[Tag] = []
        for line in lines:
            name, objects, stamp = ([*line.rsplit("\t", 2), "", ""])[:3]
            # For annotated tags the first 40 hex chars are the peeled commit.
            tags.append(Tag(name, objects[:40], int(stamp[:10] or 0)))
        tags.sort(key=lambda t: t.timestamp, reverse=True)
        return tags

    @cached_property
    def all_tag_names(self) -> list[str]:
        if self.repo is None:
            return []
        return self._names("for-each-ref", "--format=%(refname:strip=2)", "refs/tags")

    def _subjects(self, *extra: str, limit: int = 2000) -> list[str]:
        if self.head is None:
            return []
        out = self._text(
            "log", "--no-show-signature", f"--max-count={limit}", "--format=%s%n%b%x00", *extra
        )
        return [s.strip() for s in out.split("\0") if s.strip()]

    @cached_property
    def _messages(self) -> list[str]:
        """Full messages of the newest commits reachable from HEAD (read once)."""
        return self._subjects()

    def _subjects_matching(self, pattern: re.Pattern[str]) -> list[str]:
        """Subject lines of the commits whose full message matches ``pattern`` (newest first)."""
        return [m.splitlines()[0] for m in self._messages if pattern.search(m)]

    @cached_property
    def pr_references(self) -> list[str]:
        """Subject lines of commits that record a pull/merge request (newest first).

        GitHub/Gitea squash merges end in '(#N)', Bitbucket's in '(pull request #N)'.
        """
        return self._subjects_matching(_PR_REFERENCE)

    @cached_property
    def issue_references(self) -> list[str]:
        """Subject lines of commits whose message closes or refers to an issue (newest first)."""
        return self._subjects_matching(_ISSUE_REFERENCE)

    @cached_property
    def ticket_references(self) -> list[str]:
        """Subject lines of commits mentioning any issue or ticket (newest first).

        Broader than ``issue_references``: provenance needs the link to a ticket, not a
        closing keyword.
        """
        return self._subjects_matching(_TICKET_REFERENCE)

    @cached_property
    def merge_subjects(self) -> list[str]:
        """Subject lines of merge commits reachable from HEAD (newest first, bounded)."""
        if self.head is None:
            return []
        out = self._text(
            "log", "--no-show-signature", "--merges", "--max-count=2000", "--format=%s"
        )
        return [line for line in out.splitlines() if line.strip()]

    @cached_property
    def is_shallow(self) -> bool:
        """A shallow clone (e.g. CI checkouts with depth 1) hides most of the history."""
        if self.repo is None:
            return False
        return self._text("rev-parse", "--is-shallow-repository").strip() == "true"

    @cached_property
    def branches(self) -> list[str]:
        """Local and remote-tracking branch names (without the remote prefix)."""
        if self.repo is None:
            return []
        names = set()
        for ref in self._names(
            "for-each-ref", "--format=%(refname:short)", "refs/heads", "refs/remotes"
        ):
            for remote in self.remotes:
                ref = ref.removeprefix(remote.name + "/")
            if ref and ref != "HEAD" and not ref.endswith("/HEAD"):
                names.add(ref)
        return sorted(names)

    @cached_property
    def tracked_files(self) -> frozenset[str]:
        """Every path under version control, POSIX and relative to the work tree root."""
        if self.repo is None:
            return frozenset()
        return frozenset(self._names("ls-files", "-z", sep=b"\0"))

    def tracked_below(self, root: Path) -> frozenset[str]:
        """Tracked files inside ``root`` (the assessed tree, maybe a subfolder), relative to it."""
        if self.repo is None:
            return frozenset()
        try:
            prefix = root.resolve().relative_to(self.repo.root.resolve())
        except ValueError:
            return frozenset()
        if not prefix.parts:
            return self.tracked_files
        if prefix not in self._below:
            lead = prefix.as_posix() + "/"
            self._below[prefix] = frozenset(
                p[len(lead) :] for p in self.tracked_files if p.startswith(lead)
            )
        return self._below[prefix]

    def is_tracked(self, root: Path, rel: str) -> bool:
        """Whether ``rel``, a file or folder of the assessed tree ``root``, is under git.

        ``rel`` is relative to the assessed tree, which may be a subfolder of the work tree;
        a folder is tracked when a file below it is.
        """
        tracked = self.tracked_below(root)
        rel = rel.strip("/")
        return rel in tracked or any(p.startswith(rel + "/") for p in tracked)
