"""Documentation markup: which files are documentation, in which language, with which headings.

Pure functions of paths and text, no repository access. Headings are recognised in Markdown
(ATX and setext), reStructuredText (underlines), AsciiDoc (``=``) and HTML (``<h2>``),
because READMEs mix these freely; in Org files also ``* Heading``, and in plain-text files
(README, README.txt) the conventions of plain text: an ALL-CAPS line or a short line
ending in a colon, standing alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

DOC_DIRS = ("docs", "doc", "documentation")
FORGE_DIRS = (".github", ".gitlab")
PLAIN = "plain text"
MARKUP: dict[str, str] = {
    ".md": "Markdown", ".markdown": "Markdown", ".mdx": "Markdown", ".qmd": "Markdown",
    ".rmd": "Markdown", ".rst": "reStructuredText", ".adoc": "AsciiDoc",
    ".asciidoc": "AsciiDoc", ".org": "Org", ".tex": "LaTeX", ".txt": PLAIN, "": PLAIN,
}
#: File stems that are documentation even as plain text or inside .github/.gitlab.
DOC_STEMS = frozenset(
    {
        "readme", "contributing", "contribute", "code_of_conduct", "code-of-conduct",
        "changelog", "changes", "history", "news", "authors", "install", "usage", "support",
        "security", "governance", "hacking", "development", "architecture", "faq",
        "maintainers", "releasing",
    }
)
LICENCE_STEMS = frozenset({"license", "licence", "copying", "notice", "copyright", "unlicense"})


@dataclass(frozen=True)
class Heading:
    path: str
    line: int
    text: str


_ATX = re.compile(r"^ {0,3}#{1,6}[ \t]+(?P<t>.+?)[ \t#]*$")
_ADOC = re.compile(r"^={1,6}[ \t]+(?P<t>\S.*?)\s*$")
_BOLD_LINE = re.compile(r"^\s*(\*\*|__)(?P<t>[^*_]{2,80})\1:?\s*$")
_HTML_HEADING = re.compile(r"<h[1-6][^>]*>(?P<t>.*?)</h[1-6]\s*>", re.IGNORECASE)
_UNDERLINE = re.compile(r"^([=\-~^\"'`:#*+_<>.])\1{2,}\s*$")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_ORG = re.compile(r"^\*+[ \t]+(?P<t>\S.*?)\s*$")
_PLAIN_CAPS = re.compile(r"^(?P<t>[A-Z][A-Z0-9 '&/,()-]{2,60}?):?\s*$")
_PLAIN_COLON = re.compile(r"^(?P<t>[A-Z][\w '&/()-]{2,40}):\s*$")
_TAG = re.compile(r"<[^>]+>")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_URL = re.compile(r"\b[a-z][a-z0-9+.-]*://\S+", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_][\w'\u2019-]*")


def _clean(title: str) -> str:
    title = _LINK.sub(r"\1", _TAG.sub("", title))
    return title.strip(" \t*_`:").strip()


def _underlined(title: str, underline: str) -> bool:
    """A setext (Markdown) or reStructuredText section title: text over a punctuation line."""
    return (
        bool(title.strip())
        and not title[0].isspace()
        and not title.startswith("..")
        and not _UNDERLINE.match(title)
        and bool(_UNDERLINE.match(underline))
    )


def _front_matter_end(lines: list[str]) -> int:
    """Index after a YAML front-matter block (``---`` ... ``---``), 0 when there is none."""
    if lines and lines[0].strip() == "---":
        for index in range(1, min(len(lines), 200)):
            if lines[index].strip() in ("---", "..."):
                return index + 1
    return 0


def _plain_heading(lines: list[str], index: int) -> re.Match[str] | None:
    """A plain-text heading: an ALL-CAPS line or a short ``Title:`` line, standing alone
    (a blank line, or the start of the file, before it)."""
    if index and lines[index - 1].strip():
        return None
    line = lines[index].rstrip()
    caps = _PLAIN_CAPS.match(line)
    if caps and sum(c.isalpha() for c in line) >= 3 and len(line.split()) <= 6:
        return caps
    return _PLAIN_COLON.match(line) if len(line.split()) <= 5 else None


def parse_headings(path: str, text: str) -> list[Heading]:
    """Section titles of a Markdown / reStructuredText / AsciiDoc / HTML / Org / plain text,
    with lines (the Org and plain-text conventions only in files of that kind)."""
    language = MARKUP.get(PurePosixPath(path).suffix.lower())
    lines = text.splitlines()
    found: list[Heading] = []
    fence: str | None = None
    for index in range(_front_matter_end(lines), len(lines)):
        line = lines[index]
        if m := _FENCE.match(line):
            fence = m.group(1) if fence is None else (None if m.group(1) == fence else fence)
            continue
        if fence:
            continue
        title: str | None = None
        m = (
            _ATX.match(line) or _ADOC.match(line) or _BOLD_LINE.match(line)
            or _HTML_HEADING.search(line)
            or (_ORG.match(line) if language == "Org" else None)
            or (_plain_heading(lines, index) if language == PLAIN else None)
        )
        if m:
            title = m.group("t")
        elif index + 1 < len(lines) and _underlined(line, lines[index + 1]):
            title = line
        if title and (cleaned := _clean(title)):
            found.append(Heading(path, index + 1, cleaned))
    return found


def count_words(text: str) -> int:
    """Prose words: URLs and HTML tags removed, so a wall of badges is not substance."""
    return len(_WORD.findall(_TAG.sub(" ", _URL.sub(" ", text))))


def file_stem(name: str) -> str:
    """The name before its first dot, lower-cased: ``readme`` for README.md or readme.en.rst."""
    return name.split(".", 1)[0].lower()


def doc_language(path: str) -> str | None:
    """The markup of a documentation file, or None when ``path`` is not documentation.

    Documentation is: markup files at the root or in docs/ (doc/, documentation/), READMEs
    anywhere, and well-known documents (CONTRIBUTING, ...) in .github/ or .gitlab/. Plain
    text counts only under a documentation name or as prose in docs/ (not requirements.txt).
    """
    pure = PurePosixPath(path)
    language = MARKUP.get(pure.suffix.lower())
    stem = file_stem(pure.name)
    if language is None or stem in LICENCE_STEMS or pure.name.startswith("."):
        return None
    top = pure.parts[0].lower() if len(pure.parts) > 1 else ""
    if stem == "readme":
        return language
    in_docs = top in DOC_DIRS
    if language != PLAIN:
        if len(pure.parts) == 1 or in_docs or (top in FORGE_DIRS and stem in DOC_STEMS):
            return language
        return None
    if stem in DOC_STEMS and (len(pure.parts) == 1 or in_docs or top in FORGE_DIRS):
        return PLAIN
    if in_docs and pure.suffix.lower() == ".txt" and not stem.startswith(
        ("requirements", "constraints", "robots")
    ):
        return PLAIN
    return None
