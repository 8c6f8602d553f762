"""QC.Doc06.5-06.7: documentation for developers, for deployment and for users."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath

from sqaaas.context import RepoContext
from sqaaas.core.outcomes import Evidence, Finding, Outcome
from sqaaas.core.registry import probe
from sqaaas.facts.docfiles import doc_files, doc_headings


@dataclass(frozen=True)
class Audience:
    """A reader the baseline wants documentation for (QC.Doc06.5-06.7)."""

    name: str
    pattern: re.Pattern[str]  # matched against section headings and doc file/folder names
    hint: str


AUDIENCES = (
    Audience(
        "developer",
        re.compile(
            r"\b(develop\w*|dev|hacking|architecture|design|internals?|code structure"
            r"|project structure|source layout|build(ing)? from source|private api"
            r"|contributor'?s? guide)\b",
            re.IGNORECASE,
        ),
        "Document the code for developers: docs/development.md (or a 'Development' section) "
        "covering the architecture, internal interfaces and how to build from source.",
    ),
    Audience(
        "deployment",
        re.compile(
            r"\b(deploy\w*|install\w*|administrat\w*|admin|configur\w*|operations"
            r"|operator'?s? guide|reference card|upgrad\w*|production)\b",
            re.IGNORECASE,
        ),
        "Document installation, configuration and administration: docs/deployment.md or "
        "'Installation' / 'Configuration' sections; for a service add a service reference card "
        "(processes, ports, configuration and log files, cron jobs).",
    ),
    Audience(
        "user",
        re.compile(
            r"\b(usage|user'?s?[ -]?(guide|manual|docs?|documentation)|getting[ -]started"
            r"|quick[ -]?start|tutorials?|how[ -]?tos?|examples|^example\s*$|api|cli"
            r"|command[ -]line|commands|reference)\b",
            re.IGNORECASE,
        ),
        "Document use: a 'Usage' section or docs/user-guide.md, with the public API or "
        "command-line (CLI) reference.",
    ),
)


def _audience_docs(ctx: RepoContext, audience: Audience) -> Finding:
    """Documentation for one audience, named by a doc file/folder or a section heading."""
    evidence: list[Evidence] = []
    for doc in ctx.fact(doc_files):
        words = re.sub(r"[/_.\-]+", " ", str(PurePosixPath(doc.path).with_suffix("")))
        if audience.pattern.search(words):
            evidence.append(Evidence(message=f"{audience.name} documentation file", path=doc.path))
    for heading in ctx.fact(doc_headings):
        if audience.pattern.search(heading.text):
            evidence.append(
                Evidence(
                    message=f"{audience.name} documentation section '{heading.text}'",
                    path=heading.path,
                    line=heading.line,
                    value=heading.text,
                )
            )
    if evidence:
        return Finding(outcome=Outcome.PASS, evidence=evidence[:10])
    return Finding.failed(
        f"no {audience.name} documentation: no documentation file or section heading names it",
        hint=audience.hint,
    )


def _audience_probe(audience: Audience) -> Callable[[RepoContext], Finding]:
    def check(ctx: RepoContext) -> Finding:
        return _audience_docs(ctx, audience)

    check.__doc__ = f"{audience.name.capitalize()} documentation exists (QC.Doc06.5-06.7)."
    return check


for _audience in AUDIENCES:
    probe(f"doc.{_audience.name}")(_audience_probe(_audience))
