"""QC.Met: a citation/software metadata file under version control, kept current per release.

One probe says whether any metadata file exists (so that a repository with none fails even
though each file's own probe is then not applicable); one per file checks it is valid and
tracked; one compares the versions it declares with the latest release tag (a warning when
they differ, never a failure).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqaaas.context import RepoContext
from sqaaas.core.outcomes import Evidence, Finding, Outcome
from sqaaas.core.registry import probe
from sqaaas.facts.cff import CFF_SCHEMA_VERSION
from sqaaas.facts.metadata import (
    CFF,
    CODEMETA,
    MetadataFile,
    citation_cff,
    codemeta,
    declared_versions,
    zenodo,
)
from sqaaas.facts.versions import latest_release, stale_hint, version_checks

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
    release = ctx.fact(latest_release)
    lines = [
        "cff-version: 1.2.0",
        "message: If you use this software, please cite it as below.",
        f"title: {title}",
    ]
    if release is not None:
        released = datetime.fromtimestamp(release.tag.timestamp, UTC).date().isoformat()
        lines += [f"version: {release.version}", f"date-released: {released}"]
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


@probe("met.version_matches_tag")
def version_matches_tag(ctx: RepoContext) -> Finding:
    """The versions declared in metadata and manifests, compared with the latest release.

    Advisory: a stale version (CITATION.cff saying 1.0 after v1.1 was tagged) is a warning
    with a hint, not a failure of QC.Met01; the FAIR version indicator shows the same
    comparison (sqaaas.facts.versions.version_checks).
    """
    versions = ctx.fact(declared_versions)
    release = ctx.fact(latest_release)
    if release is None:
        tags = ctx.git.tags
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
            f"package.json to compare with the latest release tag {release.tag.name}"
        )
    checks = ctx.fact(version_checks)
    return Finding(
        outcome=Outcome.PASS,
        evidence=[release.evidence(), *(c.evidence for c in checks)],
        hint=stale_hint(release, checks),
    )
