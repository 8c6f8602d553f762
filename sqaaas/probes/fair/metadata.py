"""QC.FAIR (offline): what the metadata says about the software, its authors and its use.

CITATION.cff, codemeta.json and .zenodo.json are parsed once (sqaaas.facts.metadata); a
file that cannot be parsed contributes its parse error as evidence instead of fields, so a
malformed file fails an indicator with the reason rather than crashing the assessment.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from sqaaas.context import RepoContext
from sqaaas.core.outcomes import Evidence, Finding, Outcome
from sqaaas.core.registry import probe
from sqaaas.facts.cff import line_excerpt
from sqaaas.facts.docfiles import COMMUNITY_DIRS, doc_headings, readme_path
from sqaaas.facts.licences import Declaration, licence_facts
from sqaaas.facts.manifests import package_json, pyproject
from sqaaas.facts.metadata import CFF, CODEMETA, ZENODO, MetadataFile, metadata_files
from sqaaas.facts.project_urls import DOCUMENTATION, ISSUES, line_of, urls_for
from sqaaas.facts.readme import readme_report

_ORCID = re.compile(r"(?:orcid\.org/)?(\d{4}-\d{4}-\d{4}-\d{3}[\dX])\b")
_SUPPORT_HEADING = re.compile(
    r"\b(support|contact\w*|getting help|help|questions|feedback|community)\b", re.IGNORECASE
)
_STATUS_BADGE = re.compile(
    r"repostatus\.org|lifecycle\.r-lib\.org|badge/lifecycle-|badge/(?:project[-_ ])?status-",
    re.IGNORECASE,
)
_EXAMPLES = 5


def _usable(ctx: RepoContext) -> tuple[list[MetadataFile], list[Evidence]]:
    """(files whose fields can be read, why the others cannot)."""
    usable, unusable = [], []
    for meta in ctx.fact(metadata_files):
        problem = meta.unusable()
        if problem is None:
            usable.append(meta)
        else:
            unusable.append(problem)
    return usable, unusable


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else str(value)
    return " ".join(text.split())[:120]


def _field(meta: MetadataFile, key: str, what: str, value: Any) -> Evidence:
    line = meta.field_line(key)
    return Evidence(
        message=f"{what} in {meta.path} ('{key}')",
        path=meta.path, line=line, value=_short(value), excerpt=line_excerpt(meta.text, line),
    )


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _keywords(value: Any) -> list[str]:
    if isinstance(value, str):
        value = value.split(",")
    return [k.strip() for k in value if isinstance(k, str) and k.strip()] if isinstance(
        value, list) else []


#: per metadata file: (key of the description, key of the keywords)
_DESCRIPTIVE = {CFF: ("abstract", "keywords"), CODEMETA: ("description", "keywords"),
                ZENODO: ("description", "keywords")}


def _readme_evidence(ctx: RepoContext) -> tuple[bool, list[Evidence]]:
    """Whether the README has a title and a description of at least the minimum length."""
    report = ctx.fact(readme_report)
    if report is None:
        return False, [Evidence(message="no readable README at the repository root")]
    title = next((h for h in ctx.fact(doc_headings) if h.path == report.path), None)
    minimum = ctx.config.thresholds.readme_min_words
    evidence = [
        Evidence(message=f"{report.path} title: '{title.text}'", path=report.path,
                 line=title.line, value=title.text) if title else
        Evidence(message=f"{report.path} has no title (no heading)", path=report.path),
        Evidence(message=f"{report.path} describes the software in {report.words} words "
                 f"(at least {minimum} expected)", path=report.path, value=report.words),
    ]
    return title is not None and report.words >= minimum, evidence


@probe("fair.descriptive_metadata")
def descriptive_metadata(ctx: RepoContext) -> Finding:
    """FRSM-04: a README with title and description; metadata giving a description and keywords."""
    readme_ok, evidence = _readme_evidence(ctx)
    usable, unusable = _usable(ctx)
    described = keyworded = False
    for meta in usable:
        data = meta.mapping or {}
        about_key, keywords_key = _DESCRIPTIVE[meta.kind]
        if (about := _text(data.get(about_key))) is not None:
            described = True
            evidence.append(_field(meta, about_key, "description", about))
        elif about_key in data:
            unusable.append(_field(meta, about_key, "not a text: no description", data[about_key]))
        if keywords := _keywords(data.get(keywords_key)):
            keyworded = True
            evidence.append(_field(meta, keywords_key, f"{len(keywords)} keyword(s)",
                                   ", ".join(keywords[:_EXAMPLES])))
        elif keywords_key in data:
            unusable.append(_field(meta, keywords_key, "no keyword (a list of texts expected)",
                                   data[keywords_key]))
    if readme_ok and described and keyworded:
        return Finding(outcome=Outcome.PASS, evidence=evidence)
    missing = [what for what, ok in (("a README with a title and a description", readme_ok),
                                     ("a description (abstract)", described),
                                     ("keywords", keyworded)) if not ok]
    evidence.insert(0, Evidence(message=f"missing: {'; '.join(missing)} (metadata looked for in "
                                f"{CFF}, {CODEMETA} and {ZENODO})"))
    return Finding(
        outcome=Outcome.FAIL,
        evidence=evidence + unusable,
        hint=f"Describe the software in {CFF} (and the README: a title and a paragraph on what "
        "it does), e.g.:\n  abstract: <what the software does, for whom>\n  keywords:\n"
        "    - <research field>\n    - <method>",
    )


def _orcid(person: dict[str, Any]) -> str | None:
    for key in ("orcid", "@id", "identifier"):
        if isinstance(value := person.get(key), str) and (found := _ORCID.search(value)):
            return found.group(1)
    return None


def _name(person: dict[str, Any]) -> str | None:
    parts = [_text(person.get(k)) for k in ("given-names", "givenName", "family-names",
                                            "familyName")]
    joined = " ".join(p for p in parts if p)
    return joined or _text(person.get("name"))


_AUTHORS = {CFF: "authors", CODEMETA: "author", ZENODO: "creators"}


def _people(value: Any) -> Iterator[Any]:
    yield from value if isinstance(value, list) else [] if value is None else [value]


def _authors(meta: MetadataFile) -> tuple[list[Evidence], list[Evidence]]:
    """(evidence of named authors, problems) of one metadata file."""
    key = _AUTHORS[meta.kind]
    value = (meta.mapping or {}).get(key)
    if value is None:
        return [], []
    named, orcids, problems = [], 0, []
    for index, person in enumerate(_people(value), start=1):
        name = _name(person) if isinstance(person, dict) else None
        if name is None:
            problems.append(_field(meta, key, f"author {index} has no given/family name or "
                                   "entity name", person))
            continue
        named.append(name)
        orcids += isinstance(person, dict) and _orcid(person) is not None
    if not named and not problems:
        problems.append(_field(meta, key, "no author listed", value))
    found = [_field(meta, key, f"{len(named)} author(s) named, {orcids} with an ORCID",
                    ", ".join(named[:_EXAMPLES]))] if named else []
    return found, problems


@probe("fair.contributors")
def contributors(ctx: RepoContext) -> Finding:
    """FRSM-06: the metadata names its authors (persons or entities); ORCIDs are counted."""
    usable, unusable = _usable(ctx)
    named: list[Evidence] = []
    problems: list[Evidence] = []
    for meta in usable:
        found, wrong = _authors(meta)
        named += found
        problems += wrong
    if named and not problems:
        return Finding(outcome=Outcome.PASS, evidence=named)
    if not named and not problems:
        problems.append(Evidence(message=f"no authors in {CFF}, {CODEMETA} or {ZENODO}"))
    return Finding(
        outcome=Outcome.FAIL,
        evidence=problems + named + unusable,
        hint=f"Name every author in {CFF}, with an ORCID where they have one:\n  authors:\n"
        "    - given-names: Ada\n      family-names: Lovelace\n"
        "      orcid: https://orcid.org/0000-0002-1825-0097",
    )


def _declared_at(ctx: RepoContext, decl: Declaration) -> int | None:
    """Line of a licence declaration: the 'license' key of a metadata file, or its value."""
    for meta in ctx.fact(metadata_files):
        if meta.path == decl.path:
            return meta.field_line("license")
    for fact in (pyproject, package_json):
        if (manifest := ctx.fact(fact)) is not None and manifest.path == decl.path:
            return line_of(manifest.text, decl.raw)
    return None


@probe("fair.metadata_licence")
def metadata_licence(ctx: RepoContext) -> Finding:
    """FRSM-16: the metadata or manifest states the licence as an SPDX identifier."""
    evidence: list[Evidence] = []
    valid = False
    facts = ctx.fact(licence_facts)
    for decl in facts.declarations:
        ids = " AND ".join(" OR ".join(term) for term in decl.terms)
        if decl.terms:
            valid = True
            message = f"{decl.path} ({decl.field}) states the licence {ids}"
        else:
            message = f"{decl.path} ({decl.field}) {decl.raw!r} is not an SPDX licence identifier"
        evidence.append(Evidence(message=message, path=decl.path, line=_declared_at(ctx, decl),
                                 value=decl.raw))
    if valid:
        return Finding(outcome=Outcome.PASS, evidence=evidence)
    found = sorted({d.spdx for d in facts.detections})
    spdx = found[0] if found else "<SPDX id, e.g. MIT>"
    if not evidence:
        evidence.append(Evidence(message=f"no licence stated in {CFF}, {CODEMETA}, pyproject.toml "
                                 "or package.json"))
    return Finding(
        outcome=Outcome.FAIL,
        evidence=evidence + _usable(ctx)[1],
        hint=f"State the licence by its SPDX identifier: 'license: {spdx}' in {CFF}, or "
        f'"license": "https://spdx.org/licenses/{spdx}" in {CODEMETA}.',
    )


#: per metadata file: keys that reference related objects (papers, data, other software)
_REFERENCES = {CFF: ("preferred-citation", "references"),
               CODEMETA: ("referencePublication", "citation", "relatedLink"),
               ZENODO: ("related_identifiers", "references")}


def _reference(kind: str, value: Any) -> bool:
    """A reference entry: CFF wants an object or a list of them, codemeta also takes URLs."""
    if isinstance(value, list):
        return any(_reference(kind, item) for item in value)
    if isinstance(value, dict):
        return bool(value)
    return kind == CODEMETA and _text(value) is not None


def _describe(value: Any) -> str:
    first = value[0] if isinstance(value, list) and value else value
    if isinstance(first, dict):
        return _short(first.get("title") or first.get("doi") or first.get("identifier")
                      or first.get("name") or first.get("@id") or first)
    return _short(first)


@probe("fair.references")
def references(ctx: RepoContext) -> Finding:
    """FRSM-12: the metadata references related objects (a paper to cite, other works)."""
    usable, unusable = _usable(ctx)
    evidence = [
        _field(meta, key, "reference(s)", _describe(value))
        for meta in usable
        for key in _REFERENCES[meta.kind]
        if _reference(meta.kind, value := (meta.mapping or {}).get(key))
    ]
    if evidence:
        return Finding(outcome=Outcome.PASS, evidence=evidence)
    return Finding(
        outcome=Outcome.FAIL,
        evidence=[Evidence(message=f"no preferred-citation or references in {CFF}, no "
                           f"referencePublication, citation or relatedLink in {CODEMETA}, no "
                           f"related_identifiers in {ZENODO}"), *unusable],
        hint=f"Reference the paper describing the software in {CFF}:\n  preferred-citation:\n"
        "    type: article\n    title: <paper title>\n    doi: <paper DOI>\n    authors:\n"
        "      - given-names: Ada\n        family-names: Lovelace",
    )


def _contacts(meta: MetadataFile) -> Iterator[Evidence]:
    data = meta.mapping or {}
    if meta.kind == CODEMETA and (status := _text(data.get("developmentStatus"))):
        yield _field(meta, "developmentStatus", "development status", status)
    for key in ("contact", "maintainer", _AUTHORS[meta.kind]):
        for person in _people(data.get(key)):
            if isinstance(person, dict) and (email := _text(person.get("email"))):
                yield _field(meta, "email", f"e-mail contact ({key})", email)
                break


@probe("fair.development_metadata")
def development_metadata(ctx: RepoContext) -> Finding:
    """FRSM-05: a contact or support channel, the development status, or a documentation link."""
    usable, unusable = _usable(ctx)
    evidence = [e for meta in usable for e in _contacts(meta)]
    evidence += [u.evidence(u.role) for u in urls_for(ctx, ISSUES, DOCUMENTATION)]
    report = ctx.fact(readme_report)
    if report is not None:
        for number, line in enumerate(report.file.text.splitlines(), start=1):
            if _STATUS_BADGE.search(line):
                evidence.append(Evidence(message="development status badge", path=report.path,
                                         line=number, excerpt=line.strip()[:200]))
                break
    evidence += [Evidence(message=f"support section '{h.text}'", path=h.path, line=h.line,
                          value=h.text)
                 for h in ctx.fact(doc_headings) if _SUPPORT_HEADING.search(h.text)][:_EXAMPLES]
    evidence += [Evidence(message="support file", path=path)
                 for path in ctx.fs.find(["SUPPORT"], dirs=COMMUNITY_DIRS)]
    if evidence:
        return Finding(outcome=Outcome.PASS, evidence=evidence)
    readme = ctx.fact(readme_path) or "README.md"
    return Finding(
        outcome=Outcome.FAIL,
        evidence=[Evidence(message="no issue tracker, e-mail contact, development status, "
                           "documentation link or support section found"), *unusable],
        hint=f'Add "issueTracker" and "developmentStatus" (e.g. "active") to {CODEMETA}, or a '
        f"repostatus.org badge and a 'Support' section to {readme}, e.g.:\n"
        "  [![Project Status: Active](https://www.repostatus.org/badges/latest/active.svg)]"
        "(https://www.repostatus.org/#active)",
    )
