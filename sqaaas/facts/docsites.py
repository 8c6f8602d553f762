"""How documentation is generated and published: site generator configurations, CI jobs."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqaaas.context import RepoContext
from sqaaas.core.outcomes import Evidence
from sqaaas.facts import ci, commands
from sqaaas.facts.markup import DOC_DIRS


@dataclass(frozen=True)
class SiteConfig:
    """A documentation generator or hosting configuration file, recognised by its name."""

    name: re.Pattern[str]
    label: str
    docs_only: bool = False  # only inside a documentation folder (names too generic elsewhere)
    hosted: bool = False  # the file itself says where the documentation is published


SITE_CONFIGS = (
    SiteConfig(re.compile(r"\.?readthedocs\.ya?ml"), "Read the Docs configuration: Read the Docs "
               "builds and hosts the documentation on every push", hosted=True),
    SiteConfig(re.compile(r"mkdocs\.ya?ml"), "MkDocs site configuration"),
    SiteConfig(re.compile(r"conf\.py"), "Sphinx configuration", docs_only=True),
    SiteConfig(re.compile(r"antora(-playbook)?\.ya?ml"), "Antora configuration"),
    SiteConfig(re.compile(r"docusaurus\.config\.[cm]?[jt]s"), "Docusaurus configuration"),
    SiteConfig(re.compile(r"book\.toml"), "mdBook configuration"),
    SiteConfig(re.compile(r"_toc\.ya?ml"), "Jupyter Book table of contents"),
    SiteConfig(re.compile(r"_quarto\.ya?ml"), "Quarto project"),
    SiteConfig(re.compile(r"doxyfile"), "Doxygen configuration"),
    SiteConfig(re.compile(r"_config\.ya?ml"), "Jekyll (GitHub Pages) site configuration",
               docs_only=True),
)
_SITE_DIRS = frozenset({"", "website", *DOC_DIRS, *(f"{d}/source" for d in DOC_DIRS)})


def site_configs(ctx: RepoContext) -> tuple[tuple[SiteConfig, str], ...]:
    """Documentation generator or hosting configurations at the root or in docs/."""
    found: list[tuple[SiteConfig, str]] = []
    for entry in ctx.fs.files:
        directory = entry.path.rpartition("/")[0].lower()
        if directory not in _SITE_DIRS:
            continue
        for config in SITE_CONFIGS:
            if config.docs_only and directory in ("", "website"):
                continue
            if re.fullmatch(config.name, entry.name.lower()):
                found.append((config, entry.path))
                break
    return tuple(found)


def site_evidence(ctx: RepoContext, *, online: bool = False) -> list[Evidence]:
    """Site configurations as evidence; for QC.Doc03 say when hosting is not visible."""
    return [
        Evidence(
            message=config.label
            + ("" if config.hosted or not online else " (where it is published is not visible "
               "offline)"),
            path=path,
        )
        for config, path in ctx.fact(site_configs)
    ]


PUBLISH_PAGES = "CI job publishes the documentation (Pages)"
BUILD_DOCS = "CI job builds the documentation"
DOCS_CI_PATTERNS = {
    PUBLISH_PAGES: r"actions/deploy-pages|actions/upload-pages-artifact|peaceiris/actions-gh-pages"
    r"|JamesIves/github-pages-deploy-action|mkdocs\s+gh-deploy|\bghp-import\b|^pages\s*:",
    BUILD_DOCS: r"sphinx-build|sphinx-action|\bmkdocs\s+build|\bmake\s+(-C\s+\S+\s+)?html\b"
    r"|\bdoxygen\b|\bantora\b|docusaurus\s+(build|deploy)|\bmdbook\s+build|jupyter-book\s+build"
    r"|\bjb\s+build|quarto\s+(render|publish)|\btox\s+(-e\s*)?docs\b|\bnox\s+(-s\s*)?docs\b"
    r"|\bpdoc\b|\btypedoc\b|\bjavadoc\b|\bcargo\s+doc\b|\bdokka",
}


def docs_ci_jobs(ctx: RepoContext) -> tuple[Evidence, ...]:
    """CI pipeline lines building or publishing documentation (tox/nox files alone excluded)."""
    pipelines = {f.path for f in ci.pipelines(ctx)}
    hits = commands.search(ctx, DOCS_CI_PATTERNS, limit=50)
    return tuple(e for e in hits if e.path in pipelines)[:10]

