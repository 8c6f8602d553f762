"""The version of the software: the latest release, and how the declared versions compare.

One fact for every check that speaks of "the version": QC.Ver judges the latest release's
tag name, QC.Met01 and the FAIR version indicator compare the versions declared in the
metadata and manifests with it (:func:`version_checks`). All read :func:`latest_release`
through ``ctx.fact``, so they name the same release and can never disagree about it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import semver

from sqaaas.context import RepoContext
from sqaaas.core.outcomes import Evidence
from sqaaas.facts.metadata import DeclaredVersion, declared_versions
from sqaaas.gitinfo import Tag

#: A tag naming a version: an optional name prefix (release-, mypkg-, api/), an optional 'v',
#: then a version starting with a digit. 'latest', 'nightly' or 'stable' name none.
_VERSION_TAG = re.compile(r"^(?:[A-Za-z][\w./-]*?[-_/])?[vV]?(?P<version>\d[\w.+-]*)$")


def without_v_prefix(name: str) -> str:
    """'v1.2.3' -> '1.2.3': the customary 'v' in tag names is not part of the version."""
    return name[1:] if name[:1] == "v" and name[1:2].isdigit() else name


def parse_semver(name: str) -> semver.Version | None:
    """The SemVer 2.0.0 version a tag name stands for (leading 'v' allowed), or None."""
    try:
        return semver.Version.parse(without_v_prefix(name))
    except (ValueError, TypeError):
        return None


def tag_version(name: str) -> str | None:
    """The version a tag names: 'v1.2' -> '1.2', 'release-2.0' -> '2.0', 'api/v0.3.1' ->
    '0.3.1'; None for a tag naming no version ('latest', 'nightly')."""
    found = _VERSION_TAG.match(name.strip())
    return found.group("version") if found else None


@dataclass(frozen=True)
class Release:
    """The latest release: its tag, the version it names, whether HEAD is that commit."""

    tag: Tag
    version: str
    at_head: bool

    def evidence(self) -> Evidence:
        return Evidence(
            message=f"latest release: tag {self.tag.name} (version {self.version}), reachable "
            "from HEAD", value=self.tag.name, failing=False,
        )


def latest_release(ctx: RepoContext) -> Release | None:
    """The newest tag reachable from HEAD that names a version (moving tags such as
    'latest' or 'nightly' are not releases). A fact: read it through ``ctx.fact``."""
    for tag in ctx.git.tags:
        if (version := tag_version(tag.name)) is not None:
            return Release(tag, version, tag.commit == ctx.git.head)
    return None


@dataclass(frozen=True)
class VersionCheck:
    """A declared version compared with the latest release. Never decisive: a stale version
    in CITATION.cff is a warning with a hint, the metadata file itself stays valid."""

    declared: DeclaredVersion
    agrees: bool
    evidence: Evidence


def _order(declared: str, released: str) -> int | None:
    """-1/0/1 when both are (possibly short) SemVer versions, None when they cannot be ordered."""
    try:
        mine = semver.Version.parse(declared, optional_minor_and_patch=True)
        theirs = semver.Version.parse(released, optional_minor_and_patch=True)
    except (ValueError, TypeError):
        return None
    return mine.compare(theirs)


def _check(version: DeclaredVersion, release: Release) -> VersionCheck:
    declared = without_v_prefix(version.value)
    name = release.tag.name
    where = {"path": version.path, "line": version.line, "value": version.value}
    order = 0 if declared == release.version else _order(declared, release.version)
    if order == 0:
        message = f"{version.source} {version.value} matches the latest release tag {name}"
        return VersionCheck(version, True, Evidence(message=message, failing=False, **where))
    if order == 1 and not release.at_head:
        message = (
            f"{version.source} {version.value} is ahead of the latest release tag {name}: "
            "HEAD holds unreleased commits prepared for the next release"
        )
        return VersionCheck(version, True, Evidence(message=message, failing=False, **where))
    relation = {None: "differs from", -1: "is older than", 1: "is newer than"}[order]
    at = " (HEAD is the tagged commit, so the release carries this version)" if (
        release.at_head) else ""
    message = (
        f"warning: {version.source} {version.value} {relation} the latest release tag "
        f"{name}{at}; set it to {release.version} (a stale version is not a failure)"
    )
    return VersionCheck(version, False, Evidence(message=message, failing=False, **where))


def version_checks(ctx: RepoContext) -> tuple[VersionCheck, ...]:
    """Every declared version compared with the latest release (none without a release).
    A fact: QC.Met01 and the FAIR version indicator show the same lines."""
    release = ctx.fact(latest_release)
    if release is None:
        return ()
    return tuple(_check(v, release) for v in ctx.fact(declared_versions))


def stale_hint(release: Release, checks: tuple[VersionCheck, ...]) -> str | None:
    """How to bring the stale declared versions up to the latest release, or None."""
    stale = [c.declared for c in checks if not c.agrees]
    if not stale:
        return None
    return (
        "Set the released version: "
        + "; ".join(dict.fromkeys(f"update version in {v.path} to {release.version}"
                                  for v in stale))
        + f" (the latest release tag is {release.tag.name}); bump it in the same commit you tag."
    )
