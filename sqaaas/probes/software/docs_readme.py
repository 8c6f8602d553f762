"""QC.Doc05 and QC.Doc06: a substantive README, CONTRIBUTING and a code of conduct."""

from __future__ import annotations

from pathlib import PurePosixPath

from sqaaas.context import RepoContext
from sqaaas.core.outcomes import Evidence, Finding, Outcome
from sqaaas.core.registry import probe
from sqaaas.facts.docfiles import COMMUNITY_DIRS, readme_path
from sqaaas.facts.markup import Heading, file_stem
from sqaaas.facts.readme import README_LIMIT, README_TOPICS, readme_report
from sqaaas.repofs import TextFile, UnsafePathError

COMMUNITY_SUFFIXES = frozenset(
    {"", ".md", ".markdown", ".rst", ".txt", ".adoc", ".asciidoc", ".org", ".html"}
)
REQUIRED_ANY = ("installation", "usage")


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


@probe("doc.readme")
def readme(ctx: RepoContext) -> Finding:
    """A substantive root README: enough words, and an installation or usage section.

    Rule: at least ``thresholds.readme_min_words`` words AND a section on installation or on
    usage (a "Getting started" heading is both; an install command such as ``pip install``
    stands in for an installation heading). The other recommended sections are reported.
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
    too_short = report.words < minimum
    evidence = [
        Evidence(
            message=f"{report.path} is too short: {report.words} words, fewer than {minimum}"
            if too_short
            else f"{report.path}: {report.words} words (at least {minimum} expected)",
            path=report.path,
            value=report.words,
            failing=too_short,
        )
    ]
    evidence += _encoding_notes(report.file, README_LIMIT)
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
            )
        )
    if too_short:
        return Finding(outcome=Outcome.FAIL, evidence=evidence, hint=hint_sections)
    if not any(t in topics for t in REQUIRED_ANY):
        evidence.insert(
            0,
            Evidence(
                message=f"{report.path} has neither an installation nor a usage section",
                path=report.path,
            ),
        )
        return Finding(
            outcome=Outcome.FAIL,
            evidence=evidence,
            hint="Add an 'Installation' and a 'Usage' (or 'Getting started') section to "
            f"{report.path}, with the commands to install and run the software.",
        )
    return Finding(outcome=Outcome.PASS, evidence=evidence)


def _community_file(ctx: RepoContext, stems: list[str], what: str, hint: str) -> Finding:
    """A CONTRIBUTING-like file at the root, in docs/ or in the forge folders, non-empty."""
    evidence: list[Evidence] = []
    passed = False
    for path in ctx.fs.find(stems, COMMUNITY_DIRS):
        if PurePosixPath(path).suffix.lower() not in COMMUNITY_SUFFIXES:
            continue
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
        0, Evidence(message=f"no {what} file in the root, docs/, doc/, .github/ or .gitlab/")
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
        ["CONTRIBUTING", "CONTRIBUTE"],
        "CONTRIBUTING",
        "Add CONTRIBUTING.md (root, docs/ or .github/) saying how to report issues, set up a "
        "development environment, run the tests and propose changes.",
    )


@probe("doc.code_of_conduct")
def code_of_conduct(ctx: RepoContext) -> Finding:
    return _community_file(
        ctx,
        ["CODE_OF_CONDUCT", "CODE-OF-CONDUCT", "CODEOFCONDUCT", "CONDUCT"],
        "CODE_OF_CONDUCT",
        "Add CODE_OF_CONDUCT.md (root, docs/ or .github/), e.g. the Contributor Covenant "
        "(https://www.contributor-covenant.org), with a contact for reports.",
    )

