"""Licences declared in package metadata: pyproject.toml, package.json, CITATION.cff, codemeta."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from sqaaas.context import RepoContext
from sqaaas.facts.licences.data import licence_data
from sqaaas.facts.licences.matching import match_text
from sqaaas.facts.licences.spdx import expression_terms
from sqaaas.facts.manifests import Manifest, package_json, pyproject
from sqaaas.facts.metadata import citation_cff, codemeta


@dataclass(frozen=True)
class Declaration:
    """A licence declared in package metadata."""

    path: str
    field: str
    raw: str
    terms: tuple[tuple[str, ...], ...]
    unknown: tuple[str, ...] = ()


def _expression(path: str, fieldname: str, value: str) -> Declaration:
    terms, unknown = expression_terms(value)
    return Declaration(path, fieldname, value, terms, unknown)


def _pyproject(manifest: Manifest) -> Iterator[Declaration]:
    project = manifest.table("project")
    lic = project.get("license")
    if isinstance(lic, str):
        yield _expression(manifest.path, "project.license", lic)
    elif isinstance(lic, dict) and isinstance(lic.get("text"), str):
        text = lic["text"]
        match = match_text(text) if len(text) > 200 else None
        if match is not None:
            yield Declaration(
                manifest.path, "project.license.text", match.spdx, ((match.spdx,),)
            )
        else:
            yield _expression(manifest.path, "project.license.text", text)
    poetry = manifest.table("tool.poetry")
    if isinstance(poetry.get("license"), str):
        yield _expression(manifest.path, "tool.poetry.license", poetry["license"])
    classifiers = project.get("classifiers") or []
    table = licence_data().classifiers
    for classifier in classifiers if isinstance(classifiers, list) else []:
        if isinstance(classifier, str) and classifier.startswith("License ::"):
            ids = table.get(classifier.strip())
            if ids:
                yield Declaration(manifest.path, "classifier", classifier, (ids,))
            elif classifier.strip() != "License :: OSI Approved":
                yield Declaration(manifest.path, "classifier", classifier, (), (classifier,))


def _package_json(manifest: Manifest) -> Iterator[Declaration]:
    lic = manifest.data.get("license")
    if isinstance(lic, dict):  # deprecated {"type": "MIT", "url": ...}
        lic = lic.get("type")
    if isinstance(lic, str) and not lic.upper().startswith(("SEE LICENSE IN", "UNLICENSED")):
        yield _expression(manifest.path, "license", lic)


def _values(value: object) -> list[str]:
    """Strings of a str / list / JSON-LD object value (codemeta allows all three)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [s for v in value for s in _values(v)]
    if isinstance(value, dict):
        return _values(value.get("@id") or value.get("identifier") or value.get("url"))
    return []


def _from_url(value: str) -> str:
    """https://spdx.org/licenses/MIT.html -> MIT; other values are returned unchanged."""
    if "://" not in value:
        return value
    last = value.rstrip("/").rsplit("/", 1)[-1]
    return re.sub(r"\.(html|json|txt|php)$", "", last)


def _citation_codemeta(ctx: RepoContext) -> Iterator[Declaration]:
    """The licence of CITATION.cff / codemeta.json, parsed once by the QC.Met facts."""
    for record in (ctx.fact(citation_cff), ctx.fact(codemeta)):
        if record is not None and isinstance(record.data, dict):
            for value in _values(record.data.get("license")):
                yield _expression(record.path, "license", _from_url(value))


def declared_licences(ctx: RepoContext) -> list[Declaration]:
    """Every licence the package metadata declares, in a fixed order of files."""
    found: list[Declaration] = []
    for fact, read in ((pyproject, _pyproject), (package_json, _package_json)):
        if (manifest := ctx.fact(fact)) is not None:
            found.extend(read(manifest))
    return [*found, *_citation_codemeta(ctx)]
