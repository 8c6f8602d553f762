"""The root README, read once: its size, the recommended sections it has, an install command.

QC.Doc05 judges it; the FAIR indicators read the same report (installation instructions,
a description, a development status badge).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqaaas.context import RepoContext
from sqaaas.facts.docfiles import readme_path
from sqaaas.facts.markup import Heading, count_words, parse_headings
from sqaaas.repofs import TextFile

README_LIMIT = 500_000  # bytes of the README read; a longer one is reported as cut

#: README topics (the baseline's recommended README content) -> heading regex
README_TOPICS: dict[str, str] = {
    "description": r"\b(about|overview|introduction|description|what is|summary|features?)\b",
    "installation": r"\b(install\w*|setup|set[ -]up|getting[ -]started|quick[ -]?start"
    r"|prerequisites?|requirements|dependencies|building|build from source|compil\w+)\b",
    "usage": r"\b(usage|using|use|how[ -]to|examples|tutorials?|getting[ -]started"
    r"|^example\s*$"
    r"|quick[ -]?start|command[ -]line|cli)\b",
    "tests": r"\b(tests?|testing)\b",
    "documentation links": r"\b(documentation|docs|links|resources|user guide|manual)\b",
    "contributing": r"\b(contribut\w*|code of conduct)\b",
    "versioning": r"\b(versions?|versioning|releases?|changelog|change log)\b",
    "authors": r"\b(authors?|maintainers?|contacts?|team|credits|people)\b",
    "licence": r"\b(licen[cs]e\w*|copyright)\b",
    "acknowledgements": r"\b(acknowledge?ments?|funding|thanks)\b",
}
_README_TOPICS = {topic: re.compile(rx, re.IGNORECASE) for topic, rx in README_TOPICS.items()}
_INSTALL_COMMAND = re.compile(
    r"\b(?:pip3?|pipx|uv|conda|mamba|npm|yarn|pnpm|cargo|go|gem|brew|apt|apt-get|dnf|yum"
    r"|spack|helm|make|Rscript)\s+(?:-\S+\s+)*(?:install|add|get)\b"
    r"|\bdocker\s+(?:run|pull)\b|\./configure\b|\bcmake\s+--build\b|\bgit\s+clone\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ReadmeReport:
    path: str
    file: TextFile
    words: int
    topics: dict[str, Heading]
    install_command: tuple[int, str] | None


def readme_report(ctx: RepoContext) -> ReadmeReport | None:
    """The root README read (capped), its word count and which recommended sections it has."""
    path = ctx.fact(readme_path)
    if path is None or (file := ctx.fs.try_read_text(path, README_LIMIT)) is None:
        return None
    topics: dict[str, Heading] = {}
    for heading in parse_headings(path, file.text):
        for topic, rx in _README_TOPICS.items():
            if topic not in topics and rx.search(heading.text):
                topics[topic] = heading
    command = next(
        (
            (number, line.strip()[:120])
            for number, line in enumerate(file.text.splitlines(), start=1)
            if _INSTALL_COMMAND.search(line)
        ),
        None,
    )
    return ReadmeReport(path, file, count_words(file.text), topics, command)
