"""QC.Met: a citation/software metadata file under version control, kept current per release.

One probe says whether any metadata file exists (so that a repository with none fails even
though each file's own probe is then not applicable); one per file checks it is valid and
tracked; one compares the versions it declares with the latest release tag.
"""

from __future__ import annotations

from datetime import UTC, datetime

import semver

from sqaaas.context import RepoContext
from sqaaas.core.outcomes import Evidence, Finding, Outcome
from sqaaas.core.registry import probe
from sqaaas.facts.cff import CFF_SCHEMA_VERSION
from sqaaas.facts.metadata import (
    CFF,
    CODEMETA,
    DeclaredVersion,
    MetadataFile,
    citation_cff,
    codemeta,
    declared_versions,
    zenodo,
)
from sqaaas.facts.versions import release_tag, without_v_prefix
from sqaaas.gitinfo import Tag

_VALIDATE_CFF = f"check it with `cffconvert --validate` (CFF {CFF_SCHEMA_VERSION} schema)"


def _project_name(ctx: RepoContext) -> str:
    """The repository's name from its URL (a clone's directory name is a cache key)."""
    for url in (ctx.checkout.url, *(r.url for r in ctx.git.remotes)):
        name = (url or "").rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1].removesuffix(".git")
        if name:
            return name
    return ctx.fs.root.name


def _minimal_cff(ctx: RepoContext) -> str:
    """A CITATION.cff to start from, filled with what the repository already tells us."""
    title = _project_name(ctx)
    release = release_tag(ctx.git.tags)
    lines = [
        "cff-version: 1.2.0",
        "message: If you use this software, please cite it as below.",
        f"title: {title}",
    ]
    if release is not None:
        released = datetime.fromtimestamp(release.timestamp, UTC).date().isoformat()
        lines += [f"version: {without_v_prefix(release.name)}", f"date-released: {released}"]
    lines += ["authors:", "  - family-names: <family name>", "    given-names: <given name>"]
    return "\n".join(lines)


@probe("met.metadata_present")
def metadata_present(ctx: RepoContext) -> Finding:
    """At least one citation/software metadata file (CITATION.cff, codemeta.json) at the root."""
    found = [m for m in (ctx.fact(citation_cff), ctx.fact(codemeta)) if m is not None]
    if found:
        return Finding(
            outcome=Outcome.PASS,
            evidence=[
                Evidence(message=f"metadata file {m.path} found", path=m.path) for m in found
            ],
        )
    evidence = [Evidence(message=f"no {CFF} or {CODEMETA} at the repository root")]
    other = ctx.fact(zenodo)
    if other is not None:
        evidence.append(
            Evidence(
                message=f"{other.path} only describes the Zenodo deposit; it is not a citation "
                "or software metadata file kept for the code",
                path=other.path,
            )
        )
    return Finding(
        outcome=Outcome.FAIL,
        evidence=evidence,
        hint=f"Add a {CFF} at the repository root, commit it and {_VALIDATE_CFF}, e.g.:\n"
        + _minimal_cff(ctx),
    )


def _file_finding(meta: MetadataFile | None, kind: str, valid: str, fix: str) -> Finding:
    """A metadata file's verdict: valid and tracked passes; absence is not applicable.

    ``valid`` and ``fix`` may name the file found as ``{path}``.
    """
    if meta is None:
        return Finding.not_applicable(f"no {kind} at the repository root")
    problems = list(meta.problems)
    hints = [fix.format(path=meta.path)] if problems else []
    if not meta.tracked:
        problems.append(Evidence(message=f"{meta.path} is not tracked in git", path=meta.path))
        hints.append(f"Commit it: git add {meta.path} && git commit")
    if problems:
        notes = [n.model_copy(update={"failing": False}) for n in meta.notes]  # not failures
        return Finding(outcome=Outcome.FAIL, evidence=problems + notes, hint=" ".join(hints))
    return Finding(
        outcome=Outcome.PASS,
        evidence=[Evidence(message=valid.format(path=meta.path), path=meta.path), *meta.notes],
    )


@probe("met.citation_cff")
def citation_file(ctx: RepoContext) -> Finding:
    """CITATION.cff valid against the CFF 1.2.0 JSON Schema and tracked in git."""
    return _file_finding(
        ctx.fact(citation_cff),
        CFF,
        f"{{path}} is valid against the CFF {CFF_SCHEMA_VERSION} schema and tracked in git",
        f"Fix the listed errors in {{path}} and {_VALIDATE_CFF}; "
        "the format is described at https://citation-file-format.github.io/",
    )


@probe("met.codemeta")
def codemeta_file(ctx: RepoContext) -> Finding:
    """codemeta.json: a JSON object with a CodeMeta context, a name and a version; tracked."""
    return _file_finding(
        ctx.fact(codemeta),
        CODEMETA,
        "{path} is a CodeMeta document with a name and a version, tracked in git",
        'Fix {path}: it must be a JSON object with "@context": '
        '"https://w3id.org/codemeta/3.0", a "name" and a "version" '
        "(generators: https://codemeta.github.io/tools/).",
    )


# --- versions --------------------------------------------------------------------------


def _order(declared: str, released: str) -> int | None:
    """-1/0/1 when both are (possibly short) SemVer versions, None when they cannot be ordered."""
    try:
        mine = semver.Version.parse(declared, optional_minor_and_patch=True)
        theirs = semver.Version.parse(released, optional_minor_and_patch=True)
    except (ValueError, TypeError):
        return None
    return mine.compare(theirs)


def _check(version: DeclaredVersion, tag: Tag, at_head: bool) -> tuple[bool, Evidence]:
    released = without_v_prefix(tag.name)
    declared = without_v_prefix(version.value)
    where = {"path": version.path, "line": version.line, "value": version.value}
    order = 0 if declared == released else _order(declared, released)
    if order == 0:
        return True, Evidence(
            message=f"{version.source} {version.value} matches the latest release tag {tag.name}",
            **where,
        )
    if order == 1 and not at_head:
        return True, Evidence(
            message=f"{version.source} {version.value} is ahead of the latest release tag "
            f"{tag.name}: HEAD holds unreleased commits prepared for the next release",
            **where,
        )
    if order is None:
        relation = "differs from"
    elif order < 0:
        relation = "is older than"
    else:
        relation = "is newer than"
    at = " (HEAD is the tagged commit, so the release carries this version)" if at_head else ""
    return False, Evidence(
        message=f"{version.source} {version.value} {relation} the latest release tag "
        f"{tag.name}{at}",
        **where,
    )


@probe("met.version_matches_tag")
def version_matches_tag(ctx: RepoContext) -> Finding:
    """Versions declared in metadata and manifests agree with the latest release tag."""
    versions = ctx.fact(declared_versions)
    tags = ctx.git.tags
    release = release_tag(tags)
    if release is None:
        why = (
            f"no tag reachable from HEAD names a version (latest tag: {tags[0].name})"
            if tags
            else "no release tag reachable from HEAD"
        )
        return Finding.not_applicable(
            f"{why}: the declared versions could not be compared with a release",
            value=[f"{v.source} {v.value}" for v in versions] or None,
        )
    if not versions:
        return Finding.not_applicable(
            f"no version declared in {CFF}, {CODEMETA}, .zenodo.json, pyproject.toml or "
            f"package.json to compare with the latest release tag {release.name}"
        )
    at_head = release.commit == ctx.git.head
    checks = [_check(v, release, at_head) for v in versions]
    evidence = [e for _, e in checks]
    stale = [v for v, (ok, _) in zip(versions, checks, strict=True) if not ok]
    if not stale:
        return Finding(outcome=Outcome.PASS, evidence=evidence)
    target = without_v_prefix(release.name)
    return Finding(
        outcome=Outcome.FAIL,
        evidence=evidence,
        hint="Set the released version: "
        + "; ".join(dict.fromkeys(f"update version in {v.path} to {target}" for v in stale))
        + f" (the latest release tag is {release.name}); bump it in the same commit you tag.",
    )
