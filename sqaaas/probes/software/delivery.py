"""QC.Del: is a production artefact built from the repository, and is it published?

Nothing is built: the build configuration is read (sqaaas.facts.builds: TOML/JSON parsed
with sqaaas.safeparse, never executed) and the CI configuration is searched for a step that
uploads the artefact to a registry. A build file over a parsing bound makes the verdict an
``error``.
"""

from __future__ import annotations

from sqaaas.context import RepoContext
from sqaaas.core.outcomes import Evidence, Finding, Outcome
from sqaaas.core.registry import probe
from sqaaas.facts import ci
from sqaaas.facts.builds import build_declarations


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


#: label -> regex of a CI line that uploads an artefact to a public registry
PUBLISH_PATTERNS: dict[str, str] = {
    "publishes to PyPI (pypa/gh-action-pypi-publish)": r"pypa/gh-action-pypi-publish",
    "uploads with twine": r"\btwine\s+upload\b",
    "publishes a Python package": r"\b(poetry|flit|uv|hatch|pdm)\s+publish\b",
    "publishes to npm": r"\b(npm|yarn|pnpm)\s+(npm\s+)?publish\b",
    "pushes a container image": r"\b(docker|podman|buildah)\s+(image\s+)?push\b",
    "publishes to crates.io": r"\bcargo\s+publish\b",
    "deploys with Maven": r"\bmvnw?\b.*\bdeploy\b",
    "publishes with Gradle": r"\bgradlew?\b.*\bpublish(?!ToMavenLocal)",
    "releases with GoReleaser": r"goreleaser",
    "creates a GitHub release": r"\bgh\s+release\s+create\b|softprops/action-gh-release"
    r"|ncipollo/release-action",
    "releases with semantic-release": r"semantic-release",
    "uploads to Anaconda.org": r"\banaconda\b.*\bupload\b|\bconda\s+upload\b",
    "pushes a Ruby gem": r"\bgem\s+push\b",
    "pushes a NuGet package": r"\bnuget\s+push\b",
    "publishes a Helm chart": r"helm/chart-releaser-action|\bhelm\s+push\b",
    "registers a Julia release (TagBot)": r"JuliaRegistries/TagBot",
    "creates a GitLab release": r"\brelease-cli\s+create\b",
}
_BUILD_PUSH = {"builds an image (docker/build-push-action)": r"docker/build-push-action"}
_PUSH_TRUE = {"pushes it (push: true)": r"^\s*push:\s*(true|\$\{\{)"}
_GITLAB_RELEASE = {"GitLab release: keyword": r"^\s*release:\s*$"}


def _publish_hits(ctx: RepoContext) -> list[Evidence]:
    hits = ci.search(ctx, PUBLISH_PATTERNS, limit=50)
    image_files = {h.path for h in ci.search(ctx, _BUILD_PUSH, limit=50)}
    hits += [h for h in ci.search(ctx, _PUSH_TRUE, limit=50) if h.path in image_files]
    hits += [
        h for h in ci.search(ctx, _GITLAB_RELEASE, limit=50)
        if (h.path or "").startswith(".gitlab-ci.")
    ]
    return hits


@probe("del.publish_in_ci")
def publish_in_ci(ctx: RepoContext) -> Finding:
    """A CI step uploads the artefact to a public registry (PyPI, npm, a container registry...)."""
    hits, not_run = ci.split_by_trigger(ctx, _publish_hits(ctx), every_change=False)
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
    return Finding(
        outcome=Outcome.FAIL,
        evidence=[
            Evidence(
                message=f"no publishing step in {searched} CI file(s): nothing uploads an "
                "artefact to a public registry",
                value=searched,
            ),
            *not_run,
            *zenodo,
        ],
        hint="Add a release job that publishes the artefact, e.g. a GitHub workflow on "
        "'release: published' using pypa/gh-action-pypi-publish (PyPI trusted publishing), "
        "'npm publish', or docker/build-push-action with push: true to ghcr.io.",
    )
