"""QC.Doc06.1-06.3: a README getting newcomers started, CONTRIBUTING, a code of conduct."""

from __future__ import annotations

import re

from sqaaas.context import RepoContext
from sqaaas.core.outcomes import Evidence, Finding, Outcome
from sqaaas.core.registry import probe
from sqaaas.facts.docfiles import community_files, readme_path
from sqaaas.facts.markup import Heading, file_stem
from sqaaas.facts.readme import README_LIMIT, README_TOPICS, ReadmeReport, readme_report
from sqaaas.repofs import TextFile, UnsafePathError

#: Names (file stems, or the folder of an index/README) of the community files.
CONTRIBUTING_NAMES = re.compile(
    r"contribut(?:e|ing|ions?)(?:[-_ ]?guide(?:lines?)?)?|contributors?[-_ ]?guide"
    r"|how[-_ ]?to[-_ ]?contribute|hacking",
    re.IGNORECASE,
)
CONDUCT_NAMES = re.compile(r"code[-_ ]?of[-_ ]?conduct|conduct|coc", re.IGNORECASE)
_PLACES = "the root, .github/, .gitlab/ or the documentation folders (docs/, doc/)"


def _encoding_notes(file: TextFile, limit: int) -> list[Evidence]:
    notes = []
    if file.lossy:
        notes.append(
            Evidence(
                message=f"{file.path} is not valid UTF-8: undecodable bytes were replaced and "
                "it was assessed anyway; save it as UTF-8 so every forge renders it",
                path=file.path,
            )
        )
    if file.truncated:
        notes.append(
            Evidence(
                message=f"{file.path} is {file.size} bytes: only its first {limit} bytes were read",
                path=file.path,
                value=file.size,
            )
        )
    return notes


def _start_evidence(report: ReadmeReport) -> list[Evidence]:
    """What gets a newcomer started: a getting-started section, commands, a docs link."""
    found = []
    if (section := report.start_section) is not None:
        found.append(Evidence(message=f"getting-started section '{section.text}'",
                              path=section.path, line=section.line, value=section.text,
                              failing=False))
    if report.command is not None:
        found.append(Evidence(message=f"commands for the reader ({report.command.what})",
                              path=report.path, line=report.command.line,
                              excerpt=report.command.excerpt, failing=False))
    if report.doc_link is not None:
        found.append(Evidence(message=report.doc_link.what, path=report.path,
                              line=report.doc_link.line, value=report.doc_link.excerpt,
                              failing=False))
    return found


@probe("doc.readme")
def readme(ctx: RepoContext) -> Finding:
    """A root README that gets a newcomer started.

    Rule: a section on installation or usage (named in any usual way: install, setup,
    getting started, quick start, usage, how to, run, build, deploy, ...), commands to type
    (a shell code block, a prompt, an indented or inline command), or a link to the
    documentation (a docs site, the declared documentation/home page, the docs folder).
    A title with badges has none. The word count (``thresholds.readme_min_words``) and the
    other recommended sections are reported, and decide nothing.
    """
    hint_sections = (
        "Add sections with headings to README: what the software does, Installation, Usage, "
        "Running the tests, Contributing, Authors, Licence, Acknowledgements."
    )
    outside = [
        n for n in ctx.fs.listdir() if file_stem(n) == "readme" and ctx.fs.is_outside_link(n)
    ]
    report = ctx.fact(readme_report)
    if report is None:
        message = "no README file at the repository root"
        if outside:
            message = f"{outside[0]} is a symlink leading outside the repository; not read"
        elif (path := ctx.fact(readme_path)) is not None:
            return Finding.error(f"{path} could not be read", path=path)
        return Finding.failed(message, hint="Add a README.md at the root. " + hint_sections)
    minimum = ctx.config.thresholds.readme_min_words
    short = f", fewer than the {minimum} of a substantive README (reported, not decisive)"
    evidence = [
        Evidence(
            message=f"{report.path}: {report.words} words"
            + (short if report.words < minimum else f" (at least {minimum} expected)"),
            path=report.path,
            value=report.words,
            failing=False,
        )
    ]
    evidence += _encoding_notes(report.file, README_LIMIT)
    started = _start_evidence(report)
    topics = dict(report.topics)  # the fact is shared: never mutate it
    evidence += [
        Evidence(  # sections found back no failure
            message=f"section on {topic}: '{h.text}'",
            path=h.path,
            line=h.line,
            value=h.text,
            failing=False,
        )
        for topic, h in topics.items()
    ]
    if "installation" not in topics and report.install_command:
        number, excerpt = report.install_command
        topics["installation"] = Heading(report.path, number, excerpt)
        evidence.append(
            Evidence(
                message="installation instructions without a heading",
                path=report.path,
                line=number,
                excerpt=excerpt,
                failing=False,
            )
        )
    missing = [t for t in README_TOPICS if t not in topics]
    if missing:
        evidence.append(
            Evidence(
                message=f"no section found on: {', '.join(missing)}",
                path=report.path,
                value=missing,
                failing=False,
            )
        )
    if started:
        return Finding(outcome=Outcome.PASS, evidence=started + evidence)
    what = "is empty" if not report.file.text.strip() else (
        f"does not get a newcomer started ({report.words} words)"
    )
    evidence.insert(
        0,
        Evidence(
            message=f"{report.path} {what}: no section on installation or usage (install, "
            "setup, getting started, quick start, usage, how to, run, build, deploy, ...), no "
            "commands to type, and no link to the documentation",
            path=report.path,
            failing=True,
        ),
    )
    return Finding(
        outcome=Outcome.FAIL,
        evidence=evidence,
        hint="Add an 'Installation' and a 'Usage' (or 'Getting started') section to "
        f"{report.path}, with the commands to install and run the software, or link the "
        "documentation that has them. " + hint_sections,
    )


def _community_file(ctx: RepoContext, names: re.Pattern[str], what: str, hint: str) -> Finding:
    """A CONTRIBUTING-like file, non-empty, where forges and documentation sites keep it."""
    evidence: list[Evidence] = []
    passed = False
    for path in community_files(ctx, names):
        try:
            head, size = ctx.fs.read_bytes(path, limit=4096)
        except (OSError, UnsafePathError):
            continue
        if size == 0 or not head.strip():
            evidence.append(Evidence(message=f"{path} is empty", path=path))
            continue
        passed = True
        evidence.append(Evidence(message=f"{what} found", path=path, value=size))
    if passed:
        return Finding(outcome=Outcome.PASS, evidence=evidence)
    evidence.insert(
        0, Evidence(message=f"no {what} file in {_PLACES}")
    )
    report = ctx.fact(readme_report)
    if report and (section := report.topics.get("contributing")):
        evidence.append(
            Evidence(
                message=f"{report.path} has a '{section.text}' section, but the baseline asks "
                f"for a separate {what} file",
                path=report.path,
                line=section.line,
            )
        )
    return Finding(outcome=Outcome.FAIL, evidence=evidence, hint=hint)


@probe("doc.contributing")
def contributing(ctx: RepoContext) -> Finding:
    return _community_file(
        ctx,
        CONTRIBUTING_NAMES,
        "CONTRIBUTING",
        "Add CONTRIBUTING.md (root, docs/ or .github/) saying how to report issues, set up a "
        "development environment, run the tests and propose changes.",
    )


@probe("doc.code_of_conduct")
def code_of_conduct(ctx: RepoContext) -> Finding:
    return _community_file(
        ctx,
        CONDUCT_NAMES,
        "CODE_OF_CONDUCT",
        "Add CODE_OF_CONDUCT.md (root, docs/ or .github/), e.g. the Contributor Covenant "
        "(https://www.contributor-covenant.org), with a contact for reports.",
    )

