"""QC.FAIR (offline): identifiers, versions, licences, forge, history and tests.

Each probe approximates one FRSM metric from what the repository shows by itself; the
metadata probes are in :mod:`sqaaas.probes.fair.metadata`, the usage ones (requirements,
interfaces) in :mod:`sqaaas.probes.fair.usage`. They reuse the facts of QC.Met, QC.Lic,
QC.Uni and QC.Acc: every file is parsed once per assessment.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from sqaaas.context import RepoContext
from sqaaas.core.outcomes import Evidence, Finding, Outcome
from sqaaas.core.registry import probe
from sqaaas.facts.identifiers import DOI, IdentifierScan, identifiers
from sqaaas.facts.licences import detection_evidence, is_custom, licence_facts
from sqaaas.facts.metadata import CFF, CODEMETA, declared_versions, metadata_files
from sqaaas.facts.remotes import public_remotes
from sqaaas.facts.testsuites import suites_evidence, test_suites
from sqaaas.facts.versions import (
    latest_release,
    stale_hint,
    version_checks,
    without_v_prefix,
)

_PID_SOURCES = (
    "CITATION.cff (doi, identifiers), codemeta.json (identifier), .zenodo.json or a README badge"
)
_STANDARD_SCHEMES = frozenset({"https", "http", "ssh", "git", "git+ssh", "ssh+git"})
_EXAMPLES = 3


def _cff_doi_hint(doi: str = "10.5281/zenodo.1234567") -> str:
    return (
        f"Archive a release on Zenodo (or another DOI registrar) and state its DOI in "
        f"CITATION.cff and codemeta.json:\n  doi: {doi}\n"
        f'  "identifier": "https://doi.org/{doi}"'
    )


def _scan_problems(scan: IdentifierScan) -> list[Evidence]:
    return [*(m.evidence() for m in scan.malformed), *scan.unreadable]


@probe("fair.persistent_identifier")
def persistent_identifier(ctx: RepoContext) -> Finding:
    """FRSM-01: a well-formed DOI (or SWHID, ARK, Handle) stated by the repository itself."""
    scan = ctx.fact(identifiers)
    problems = _scan_problems(scan)
    if scan.malformed:
        return Finding(
            outcome=Outcome.FAIL,
            evidence=problems
            + [i.evidence().model_copy(update={"failing": False}) for i in scan.found],
            hint="Correct the malformed identifier(s) listed: a DOI is written "
            "10.<registrant>/<suffix> (e.g. 10.5281/zenodo.1234567), optionally as "
            "https://doi.org/10.5281/zenodo.1234567.",
        )
    if scan.found:
        return Finding(outcome=Outcome.PASS, evidence=[i.evidence() for i in scan.found])
    return Finding(
        outcome=Outcome.FAIL,
        evidence=[Evidence(message=f"no persistent identifier in {_PID_SOURCES}"), *problems],
        hint=_cff_doi_hint(),
    )


@probe("fair.identifier_in_metadata")
def identifier_in_metadata(ctx: RepoContext) -> Finding:
    """FRSM-07: the identifier is inside the machine-readable metadata (CFF or codemeta)."""
    scan = ctx.fact(identifiers)
    citation = {m.path for m in ctx.fact(metadata_files) if m.kind in (CFF, CODEMETA)}
    inside = [i for i in scan.found if i.path in citation]
    broken = [m.evidence() for m in scan.malformed if m.path in citation]
    if inside and not broken:
        return Finding(outcome=Outcome.PASS, evidence=[i.evidence() for i in inside])
    elsewhere = [i for i in scan.found if i.path not in citation]
    outside = f"not in {CFF} or {CODEMETA}"
    evidence = broken + [
        (e := i.evidence()).model_copy(update={"message": f"{e.message}: {outside}"})
        for i in elsewhere
    ]
    if not evidence:
        evidence.append(Evidence(message=f"no persistent identifier in {CFF} or {CODEMETA}"))
    evidence += scan.unreadable
    doi = next((i.value for i in elsewhere if i.scheme == DOI), None)
    hint = _cff_doi_hint(doi) if doi else _cff_doi_hint()
    return Finding(outcome=Outcome.FAIL, evidence=evidence, hint=hint)


@probe("fair.version_identifier")
def version_identifier(ctx: RepoContext) -> Finding:
    """FRSM-03: a version declared in the metadata or manifest, and releases tagged in git.

    The release is QC.Met01's (sqaaas.facts.versions.latest_release) and so is the comparison
    of the declared versions with it: a stale declared version is the same warning here.
    """
    versions = ctx.fact(declared_versions)
    release = ctx.fact(latest_release)
    if versions and release is not None:
        checks = ctx.fact(version_checks)
        return Finding(
            outcome=Outcome.PASS,
            evidence=[release.evidence(), *(c.evidence for c in checks)],
            hint=stale_hint(release, checks),
        )
    evidence = [
        Evidence(message=f"version {v.value} declared in {v.source}", path=v.path, line=v.line,
                 value=v.value, failing=False)
        for v in versions
    ]
    if release is not None:
        evidence.append(release.evidence())
    version = without_v_prefix(
        versions[0].value if versions else release.version if release else "1.0.0"
    )
    missing = []
    if not versions:
        missing.append(Evidence(
            message=f"no version declared in {CFF}, {CODEMETA}, .zenodo.json, pyproject.toml or "
            "package.json"))
    if release is None:
        others = ctx.git.tags
        missing.append(Evidence(
            message="no tag reachable from HEAD names a version"
            + (f" (tags: {', '.join(t.name for t in others[:_EXAMPLES])})" if others else ""),
        ))
    return Finding(
        outcome=Outcome.FAIL,
        evidence=missing + evidence,
        hint=f"Declare the version in {CFF} ('version: {version}') and tag the release: "
        f"git tag -a v{version} -m 'Release {version}' && git push --tags",
    )


@probe("fair.code_licence")
def code_licence(ctx: RepoContext) -> Finding:
    """FRSM-15: a licence file whose text is recognised as an SPDX licence."""
    facts = ctx.fact(licence_facts)
    found = [d for d in facts.file_detections if not is_custom(d.spdx)]
    if found:
        return Finding(outcome=Outcome.PASS, evidence=[detection_evidence(d) for d in found])
    evidence = [
        Evidence(message=f"{lf.path}: {lf.note or lf.status}: its text is not identified as an "
                 "SPDX licence", path=lf.path, value=lf.status)
        for lf in (*facts.root_files, *facts.reuse_files)
    ]
    evidence += [detection_evidence(d) for d in facts.headers.detections[:_EXAMPLES]]
    if not evidence:
        evidence.append(Evidence(
            message="no licence file (LICENSE, LICENCE, COPYING or a REUSE LICENSES/ folder)"))
    return Finding(
        outcome=Outcome.FAIL,
        evidence=evidence,
        hint="Put the unmodified text of a standard licence in LICENSE at the repository root, "
        "e.g. from https://choosealicense.com/licenses/mit/ or `reuse download MIT`.",
    )


@probe("fair.tests_present")
def tests_present(ctx: RepoContext) -> Finding:
    """FRSM-14: test files or a test folder in the repository (QC.Uni's test detection)."""
    suites = ctx.fact(test_suites)
    if suites:
        return Finding(outcome=Outcome.PASS, evidence=suites_evidence(suites))
    return Finding.failed(
        "no test files found (looked for tests/, test_*.py, *_test.go, *.test.js, src/test/java, "
        "tests/*.rs, tests/testthat, test/runtests.jl, ...)",
    )  # no hint of its own: QC.FAIR08's hint for the repository's language gives the layout


def _protocol(url: str) -> str | None:
    """The transfer protocol of a remote URL; scp-like user@host:path is ssh."""
    scheme = urlsplit(url).scheme.lower()
    if scheme in _STANDARD_SCHEMES:
        return scheme
    if not scheme and "@" in url.split(":", 1)[0] and ":" in url:
        return "ssh"
    return None


@probe("fair.public_forge")
def public_forge(ctx: RepoContext) -> Finding:
    """FRSM-09: the code is reachable through a standard protocol (a https/ssh/git remote)."""
    public = {r.url for r in ctx.fact(public_remotes)}
    urls = [(r.name, r.url) for r in ctx.git.remotes]
    if ctx.checkout.cloned and ctx.checkout.url:
        urls.insert(0, ("cloned from", ctx.checkout.url))
    reachable = [
        Evidence(
            message=f"{name}: {url} ({protocol}"
            + (", a public forge)" if url in public else ")"),
            value=url,
        )
        for name, url in urls
        if (protocol := _protocol(url)) is not None
    ]
    if reachable:
        return Finding(outcome=Outcome.PASS, evidence=reachable)
    evidence = [Evidence(message=f"remote '{name}' is not reached through https, ssh or git",
                         value=url) for name, url in urls]
    return Finding(
        outcome=Outcome.FAIL,
        evidence=evidence or [Evidence(message="the repository has no remote")],
        hint="Publish the repository on a public forge and add it as a remote: "
        "git remote add origin https://github.com/<org>/<repo>.git && git push -u origin main",
    )


@probe("fair.provenance")
def provenance(ctx: RepoContext) -> Finding:
    """FRSM-17: a history of several commits, some referring to the issues they address."""
    git = ctx.git
    count = git.commit_count
    refs = git.ticket_references
    history = Evidence(message=f"git history of {count} commit(s)", value=count)
    if count > 1 and refs:
        return Finding(outcome=Outcome.PASS, evidence=[
            history,
            Evidence(message=f"{len(refs)} commit(s) refer to an issue or ticket",
                     value=refs[:_EXAMPLES]),
        ])
    if git.is_shallow:
        return Finding.error(
            f"shallow clone: only {count} commit(s) of history are available, too few to show "
            "the provenance of the code", value=count)
    problem = (
        "a single commit (or none) hides how the code came about" if count <= 1
        else "no commit message refers to an issue or ticket (#12, GH-12, PROJ-12, an issue URL)"
    )
    return Finding(
        outcome=Outcome.FAIL,
        evidence=[history, Evidence(message=problem)],
        hint="Keep the full history when publishing the code (no squashed import), and name "
        "the issue each change addresses in its commit message, e.g. 'Fix parser crash (#42)'.",
    )

