"""QC.FAIR (offline): what a user needs to run the software and to program against it.

Requirements are read from the dependency manifests (sqaaas.facts.dependencies) and the
installation sections QC.Doc finds; interface documentation from the configuration of API
reference generators and from interface definition files (sqaaas.facts.apidocs). Files are
read with a cap and a bounded count, nothing is built or run.
"""

from __future__ import annotations

import re

from sqaaas.context import RepoContext
from sqaaas.core.outcomes import Evidence, Finding, Outcome
from sqaaas.core.registry import probe
from sqaaas.facts.apidocs import api_markers
from sqaaas.facts.dependencies import dependency_files
from sqaaas.facts.docfiles import doc_headings
from sqaaas.facts.readme import README_TOPICS, readme_report

_INSTALL_HEADING = re.compile(README_TOPICS["installation"], re.IGNORECASE)
_EXAMPLES = 5


@probe("fair.requirements")
def requirements(ctx: RepoContext) -> Finding:
    """FRSM-13: dependencies in a machine-readable manifest, and installation instructions."""
    deps = ctx.fact(dependency_files)
    evidence = [d.evidence() for d in deps[:_EXAMPLES]]
    install = [
        Evidence(message=f"installation section '{h.text}'", path=h.path, line=h.line,
                 value=h.text)
        for h in ctx.fact(doc_headings) if _INSTALL_HEADING.search(h.text)
    ][:_EXAMPLES]
    report = ctx.fact(readme_report)
    if not install and report is not None and report.install_command:
        number, excerpt = report.install_command
        install.append(Evidence(message="installation command", path=report.path, line=number,
                                excerpt=excerpt))
    if deps and install:
        return Finding(outcome=Outcome.PASS, evidence=evidence + install)
    missing, hints = [], []
    if not deps:
        missing.append(Evidence(
            message="no dependency manifest (pyproject.toml dependencies, requirements.txt, "
            "environment.yml, package.json, DESCRIPTION, Cargo.toml, go.mod, pom.xml, ...)"))
        hints.append(
            "Declare the dependencies in the package manifest of your ecosystem "
            "(pyproject.toml, package.json, go.mod, Cargo.toml, pom.xml, DESCRIPTION, ...)."
        )
    if not install:
        missing.append(Evidence(message="no installation instructions (an 'Installation' "
                                "section or an install command) in the README or docs/"))
        hints.append(
            "Add an 'Installation' section to the README with the command that installs the "
            "software."
        )
    found = [e.model_copy(update={"failing": False}) for e in evidence + install]  # not failures
    return Finding(
        outcome=Outcome.FAIL,
        evidence=missing + found,
        hint=" ".join(hints),
    )


@probe("fair.api_documentation")
def api_documentation(ctx: RepoContext) -> Finding:
    """FRSM-11: an API reference generated from the code, or an interface definition file."""
    found = ctx.fact(api_markers)
    if found:
        return Finding(outcome=Outcome.PASS, evidence=list(found))
    return Finding.failed(
        "no API reference generator (Sphinx autodoc, mkdocstrings, Doxygen, roxygen2, Javadoc, "
        "TypeDoc, pdoc, Documenter.jl) and no interface definition (OpenAPI, AsyncAPI, GraphQL, "
        "protobuf) found",
    )  # no hint of its own: QC.FAIR12's hint for the repository's language names the generator
