"""Where a repository documents its programming interface, found offline (QC.FAIR, FRSM-11).

API reference generators are recognised by their configuration (Sphinx autodoc,
mkdocstrings, Doxygen, roxygen2, Javadoc, TypeDoc, pdoc, Documenter.jl) and interfaces by
their definition files (OpenAPI, AsyncAPI, protobuf, GraphQL...). Test files are left out;
reads are bounded in count and size so that a huge repository cannot stall the assessment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqaaas.context import RepoContext
from sqaaas.core.outcomes import Evidence
from sqaaas.facts.testsuites import is_test_path

_EXAMPLES = 5
_MAX_READS = 300
_MAX_BYTES = 200_000


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
    _marker("docs.rs API reference", r"^cargo\.toml$",
            r"^\s*documentation\s*=\s*\"https://docs\.rs"),
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
