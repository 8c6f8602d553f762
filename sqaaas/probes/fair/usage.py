"""QC.FAIR (offline): what a user needs to run the software and to program against it.

Requirements are read from the dependency manifests (sqaaas.facts.dependencies) and the
installation sections QC.Doc finds; interface documentation from the configuration of API
reference generators and from interface definition files. Files are read with a cap and a
bounded count, nothing is built or run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqaaas.context import RepoContext
from sqaaas.core.outcomes import Evidence, Finding, Outcome
from sqaaas.core.registry import probe
from sqaaas.facts.dependencies import dependency_files
from sqaaas.facts.docfiles import doc_headings
from sqaaas.probes.software.docs_readme import README_TOPICS, readme_report
from sqaaas.probes.software.harness import is_test_path

_INSTALL_HEADING = re.compile(README_TOPICS["installation"], re.IGNORECASE)
_EXAMPLES = 5
_MAX_READS = 300
_MAX_BYTES = 200_000


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


@dataclass(frozen=True)
class _Marker:
    label: str
    path: re.Pattern[str]  # on the lower-cased repository path
    line: re.Pattern[str] | None  # a line of the file that shows it; None: the name suffices


def _marker(label: str, path: str, line: str | None = None) -> _Marker:
    return _Marker(label, re.compile(path), re.compile(line, re.MULTILINE) if line else None)


_DOCS = r"(?:docs?|documentation)/(?:[^/]+/)*"
API_MARKERS = (
    _marker("Sphinx API reference (autodoc)", rf"^(?:{_DOCS})?conf\.py$",
            r"sphinx\.ext\.auto(?:doc|summary)|autoapi|autodoc2|\bbreathe\b|sphinx_js"),
    _marker("Sphinx API directive", rf"^{_DOCS}[^/]+\.(?:rst|txt)$",
            r"^\s*\.\. (?:auto(?:module|class|function|summary|data|exception)|doxygen\w*)::"),
    _marker("mkdocstrings API reference", r"^mkdocs\.ya?ml$", r"mkdocstrings|\bmkapi\b"),
    _marker("mkdocstrings directive", rf"^{_DOCS}[^/]+\.md$", r"^:::\s+[\w.:/-]+"),
    _marker("Doxygen configuration", r"^(?:[^/]+/)?doxyfile(?:\.in)?$"),
    _marker("roxygen2 (R) documentation", r"^description$", r"^RoxygenNote\s*:"),
    _marker("R reference pages", r"^man/[^/]+\.rd$"),
    _marker("Javadoc", r"^(?:pom\.xml|build\.gradle(?:\.kts)?)$",
            r"maven-javadoc-plugin|withJavadocJar|\bjavadoc\b"),
    _marker("TypeDoc", r"^(?:typedoc\.json|package\.json)$", r"typedoc"),
    _marker("pdoc", r"^(?:pyproject\.toml|tox\.ini|noxfile\.py|makefile)$", r"\bpdoc3?\b"),
    _marker("Documenter.jl API reference", rf"^{_DOCS}[^/]+\.md$", r"^```@(?:auto)?docs"),
    _marker("docs.rs API reference", r"^cargo\.toml$", r"^\s*documentation\s*=\s*\"https://docs\.rs"),
    _marker("interface definition", r"(?:^|/)(?:openapi|swagger|asyncapi)[\w.-]*\.(?:ya?ml|json)$"),
    _marker("interface definition", r"\.(?:proto|graphqls?|gql|wsdl|thrift|avdl|smithy)$"),
    _marker("OpenAPI/AsyncAPI document",
            r"^(?:(?:api|apis|spec|specs|openapi|docs?|schemas?)/)?[^/]+\.(?:ya?ml|json)$",
            r"^\s*\{?\s*[\"']?(?:openapi|swagger|asyncapi)[\"']?\s*:\s*[\"']?\d"),
)


def _hit(marker: _Marker, path: str, text: str | None) -> Evidence | None:
    if marker.line is None:
        return Evidence(message=marker.label, path=path)
    if text is None or (found := marker.line.search(text)) is None:
        return None
    line = text.count("\n", 0, found.start()) + 1
    excerpt = text.splitlines()[line - 1].strip()[:200]
    return Evidence(message=marker.label, path=path, line=line, excerpt=excerpt)


def api_markers(ctx: RepoContext) -> tuple[Evidence, ...]:
    """API reference generators and interface definitions outside the tests (bounded reads)."""
    found: list[Evidence] = []
    reads = 0
    for entry in ctx.fs.files:
        lower = entry.path.lower()
        markers = [m for m in API_MARKERS if m.path.search(lower)]
        if not markers or is_test_path(entry.path):
            continue
        text = None
        if any(m.line is not None for m in markers) and reads < _MAX_READS:
            reads += 1
            file = ctx.fs.try_read_text(entry.path, _MAX_BYTES)
            text = file.text if file is not None else None
        hit = next((e for m in markers if (e := _hit(m, entry.path, text)) is not None), None)
        if hit is not None:
            found.append(hit)
        if len(found) >= _EXAMPLES:
            break
    return tuple(found)


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
