"""CI configuration files of a repository and line-level searches in them.

Several criteria look at CI (Wor01 tests run, Sty04 linters wired, Uni03 coverage checked,
Sec03 SAST, Del02 publishing): they all search the same files through ``search``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from fnmatch import fnmatch

from sqaaas.context import RepoContext
from sqaaas.outcomes import Evidence
from sqaaas.repofs import UnsafePathError

#: glob on the repository-relative path -> CI system name
CI_GLOBS: dict[str, str] = {
    ".github/workflows/*.yml": "GitHub Actions",
    ".github/workflows/*.yaml": "GitHub Actions",
    ".gitlab-ci.yml": "GitLab CI",
    ".gitlab-ci.yaml": "GitLab CI",
    "Jenkinsfile": "Jenkins",
    ".sqa/config.yml": "Jenkins (JePL)",
    ".sqa/config.yaml": "Jenkins (JePL)",
    ".travis.yml": "Travis CI",
    "azure-pipelines.yml": "Azure Pipelines",
    ".circleci/config.yml": "CircleCI",
    "bitbucket-pipelines.yml": "Bitbucket Pipelines",
    ".woodpecker.yml": "Woodpecker CI",
    ".woodpecker/*.yml": "Woodpecker CI",
    ".drone.yml": "Drone CI",
    "appveyor.yml": "AppVeyor",
    ".appveyor.yml": "AppVeyor",
    "tox.ini": "tox (run by CI)",
    "noxfile.py": "nox (run by CI)",
}
PRE_COMMIT = ".pre-commit-config.yaml"
_MAX_CI_BYTES = 500_000


@dataclass(frozen=True)
class CIFile:
    path: str
    system: str
    lines: tuple[str, ...]

    @property
    def is_pipeline(self) -> bool:
        """tox.ini/noxfile.py hold commands CI may call, but do not trigger anything alone."""
        return not self.system.endswith("(run by CI)")


def _system_of(path: str) -> str | None:
    for pattern, system in CI_GLOBS.items():
        if fnmatch(path, pattern) and path.count("/") == pattern.count("/"):
            return system
    return None


def ci_files(ctx: RepoContext) -> tuple[CIFile, ...]:
    """All CI configuration files (plus tox/nox definitions), read once."""
    found: list[CIFile] = []
    for entry in ctx.fs.files:
        system = _system_of(entry.path)
        if system is None:
            continue
        try:
            text = ctx.fs.read_text(entry.path, limit=_MAX_CI_BYTES).text
        except (OSError, UnsafePathError):
            continue
        found.append(CIFile(entry.path, system, tuple(text.splitlines())))
    return tuple(found)


def pipelines(ctx: RepoContext) -> tuple[CIFile, ...]:
    return tuple(f for f in ctx.fact(ci_files) if f.is_pipeline)


def pre_commit_lines(ctx: RepoContext) -> tuple[str, ...]:
    if not ctx.fs.is_file(PRE_COMMIT):
        return ()
    try:
        return tuple(ctx.fs.read_text(PRE_COMMIT, limit=_MAX_CI_BYTES).text.splitlines())
    except (OSError, UnsafePathError):
        return ()


def search(
    ctx: RepoContext,
    patterns: Mapping[str, str],
    *,
    include_pre_commit: bool = False,
    limit: int = 10,
) -> list[Evidence]:
    """Lines of CI files matching any regex in ``patterns`` (label -> regex), as evidence.

    Comment-only lines are ignored so that a commented-out step does not count.
    """
    compiled = {label: re.compile(rx, re.IGNORECASE) for label, rx in patterns.items()}
    sources: list[tuple[str, tuple[str, ...]]] = [(f.path, f.lines) for f in ctx.fact(ci_files)]
    if include_pre_commit:
        sources.append((PRE_COMMIT, ctx.fact(pre_commit_lines)))
    hits: list[Evidence] = []
    for path, lines in sources:
        for number, line in enumerate(lines, start=1):
            stripped = line.strip()
            if not stripped or stripped.startswith(("#", "//")):
                continue
            for label, rx in compiled.items():
                if rx.search(line):
                    hits.append(
                        Evidence(message=label, path=path, line=number, excerpt=stripped[:200])
                    )
                    break
            if len(hits) >= limit:
                return hits
    return hits
