"""QC.Del: is a production artefact built from the repository, and is it published?

Nothing is built: the build configuration is read (sqaaas.facts.builds: TOML/JSON parsed
with sqaaas.safeparse, never executed) and what CI runs is searched for a step that uploads
the artefact to a registry: the ways of publishing are a table in criteria/publishing.yml
(sqaaas.facts.publishing), matched on CI lines and on the commands their tasks run. A build
file over a parsing bound makes the verdict an ``error``; publishing steps that live outside
the repository (remote includes, reusable workflows) make a missing one "cannot tell".
"""

from __future__ import annotations

from sqaaas.context import RepoContext
from sqaaas.core.outcomes import Evidence, Finding, Outcome
from sqaaas.core.registry import probe
from sqaaas.facts import ci
from sqaaas.facts.builds import build_declarations
from sqaaas.facts.ci_unread import cannot_tell
from sqaaas.facts.publishing import publish_steps


@probe("del.build_config")
def build_config(ctx: RepoContext) -> Finding:
    """A packaging or image build configuration declares a production artefact."""
    declared = ctx.fact(build_declarations)
    evidence = {
        path: Evidence(message=f"{'declares ' if d.ok else ''}{d.message}", path=path, line=d.line)
        for path, d in declared
    }
    unread = {path: d.limit for path, d in declared if d.limit is not None}
    if unread:  # nothing can be concluded from a file that was not read: no verdict
        context = [
            e.model_copy(update={"failing": False})
            for path, e in evidence.items()
            if path not in unread
        ]
        return Finding(
            outcome=Outcome.ERROR,
            evidence=[
                evidence[path].model_copy(update={"value": limit})
                for path, limit in unread.items()
            ] + context,
            hint=f"{', '.join(unread)} could not be read within sqaaas' parsing bounds "
            "(the evidence names the bound): no build file needs to be that large or nested.",
        )
    broken = [path for path, d in declared if d.broken]
    if broken:
        others = [  # the readable ones are context, not the failure
            e.model_copy(update={"failing": False})
            for path, e in evidence.items()
            if path not in broken
        ]
        return Finding(
            outcome=Outcome.FAIL,
            evidence=[evidence[path] for path in broken] + others,
            hint=f"Fix {', '.join(broken)}: the build cannot read it, so no artefact can be "
            "built (the evidence names the line).",
        )
    built = [evidence[path] for path, d in declared if d.ok]
    if built:
        return Finding(outcome=Outcome.PASS, evidence=built)
    if evidence:
        return Finding(
            outcome=Outcome.FAIL,
            evidence=list(evidence.values()),
            hint="Declare how the artefact is built, e.g. a [build-system] table in "
            "pyproject.toml, a package name in package.json (not private) or a Dockerfile.",
        )
    return Finding.failed(
        "no packaging or build configuration found (pyproject.toml, setup.py, package.json, "
        "pom.xml, build.gradle, Cargo.toml, go.mod, CMakeLists.txt, DESCRIPTION, Dockerfile, ...)",
    )  # no hint of its own: QC.Del01's hint for the repository's language says what to add


@probe("del.publish_in_ci")
def publish_in_ci(ctx: RepoContext) -> Finding:
    """A CI step uploads the artefact to a public registry (PyPI, npm, a container registry...)."""
    hits, not_run = ci.split_by_trigger(ctx, list(ctx.fact(publish_steps)), every_change=False)
    zenodo = [
        Evidence(
            message="Zenodo metadata: archives releases with a DOI, which is not a package "
            "registry users install from",
            path=path,
        )
        for path in ctx.fs.find([".zenodo.json"])
    ]
    if hits:
        return Finding(outcome=Outcome.PASS, evidence=hits[:10] + zenodo)
    searched = len(ctx.fact(ci.ci_files))
    failed = Finding(
        outcome=Outcome.FAIL,
        evidence=[
            Evidence(
                message=f"no publishing step in {searched} CI file(s): nothing uploads an "
                "artefact to a public registry",
                value=searched,
            ),
            *not_run[:10],
            *zenodo,
        ],
        hint="Add a release job that publishes the artefact, e.g. a GitHub workflow on "
        "'release: published' using pypa/gh-action-pypi-publish (PyPI trusted publishing), "
        "'npm publish', or docker/build-push-action with push: true to ghcr.io.",
    )
    return cannot_tell(ctx, failed, every_change=False)
