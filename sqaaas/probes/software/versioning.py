"""QC.Ver: releases are tagged with Semantic Versioning numbers.

Only the latest release reachable from the assessed commit decides: the newest tag naming
a version (sqaaas.facts.versions.latest_release, the release QC.Met01 and the FAIR indicators
compare the declared versions with; a moving 'nightly' tag is not a release). Older tags
cannot be renamed without rewriting history, so non-SemVer ones among them are reported but
not held against the project, and the common leading 'v' (v1.2.3) is accepted and said so.
"""

from __future__ import annotations

from sqaaas.context import RepoContext
from sqaaas.core.outcomes import Evidence, Finding, Outcome
from sqaaas.core.registry import probe
from sqaaas.facts.versions import latest_release, parse_semver
from sqaaas.gitinfo import Tag

_MAX_LISTED = 10
_TAG_HINT = (
    "Tag releases with a Semantic Version (MAJOR.MINOR.PATCH, https://semver.org) and push "
    "the tags: git tag -a v1.0.0 -m 'Release 1.0.0' && git push --tags"
)


def _listed(names: list[str]) -> str:
    shown = ", ".join(names[:_MAX_LISTED])
    return shown + (f" (and {len(names) - _MAX_LISTED} more)" if len(names) > _MAX_LISTED else "")


def _context_evidence(ctx: RepoContext, tags: list[Tag], newest: list[Tag]) -> list[Evidence]:
    """Informational notes: older non-SemVer tags, tags the assessed commit cannot reach."""
    older = [t.name for t in tags if t not in newest and parse_semver(t.name) is None]
    reachable = {t.name for t in tags}
    elsewhere = [n for n in ctx.git.all_tag_names if n not in reachable]
    return [
        Evidence(
            message=f"{len(names)} {what}: {_listed(names)}",
            value=names[:_MAX_LISTED],
            failing=False,
        )
        for names, what in (
            (older, "older tag(s) are not SemVer (informational only: past tags need not be "
             "rewritten)"),
            (elsewhere, "tag(s) not reachable from the assessed commit were not considered"),
        )
        if names
    ]


@probe("ver.semver_release")
def semver_release(ctx: RepoContext) -> Finding:
    """The latest release tag reachable from HEAD is a Semantic Version."""
    if ctx.git.repo is None:
        return Finding.failed("not a git repository: releases cannot be tagged", hint=_TAG_HINT)
    tags = ctx.git.tags
    if not tags:
        return Finding(
            outcome=Outcome.FAIL,
            evidence=[
                Evidence(message="no release tag reachable from the assessed commit"),
                *_context_evidence(ctx, tags, []),
            ],
            hint=_TAG_HINT,
        )
    release = ctx.fact(latest_release)
    if release is None:  # only moving tags ('latest', 'nightly'): none names a release
        names = [t.name for t in tags]
        return Finding(
            outcome=Outcome.FAIL,
            evidence=[
                Evidence(
                    message=f"no tag reachable from the assessed commit names a version: "
                    f"{_listed(names)}",
                    value=names[:_MAX_LISTED],
                ),
                *_context_evidence(ctx, tags, tags),
            ],
            hint=_TAG_HINT,
        )
    # Several tags on the latest release's commit (v1.2.0 and 'stable'): a SemVer one decides.
    newest = [t for t in tags if t.commit == release.tag.commit]
    notes = _context_evidence(ctx, tags, newest)
    for tag in newest:
        version = parse_semver(tag.name)
        if version is None:
            continue
        how = " after removing the leading 'v'" if tag.name != str(version) else ""
        return Finding(
            outcome=Outcome.PASS,
            evidence=[
                Evidence(
                    message=f"latest release tag {tag.name} parsed as SemVer {version}{how}",
                    value=tag.name,
                ),
                *notes,
            ],
        )
    names = [t.name for t in newest]
    return Finding(
        outcome=Outcome.FAIL,
        evidence=[
            Evidence(
                message=f"latest release tag {_listed(names)} is not a Semantic Version "
                "(MAJOR.MINOR.PATCH, optionally prefixed with 'v')",
                value=names[0] if len(names) == 1 else names,
            ),
            *notes,
        ],
        hint=f"{_TAG_HINT}. Older tags may stay as they are; only the next release needs it.",
    )
