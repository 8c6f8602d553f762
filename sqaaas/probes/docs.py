"""QC.Doc: documentation kept as code, in plain-text markup, online, and for each audience.

Every file is read through ctx.fs with a cap, so a huge README costs at most a few hundred
kilobytes and a badly encoded one is assessed with a note instead of crashing. Headings are
recognised in Markdown (ATX and setext), reStructuredText (underlines), AsciiDoc (``=``) and
HTML (``<h2>``), because READMEs mix these freely.
"""

from __future__ import annotations

import configparser
import json
import re
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath

import git

from sqaaas.context import RepoContext
from sqaaas.facts import ci
from sqaaas.facts.metadata import citation_cff, codemeta
from sqaaas.forges import host_of, is_https, is_public_forge, web_url
from sqaaas.outcomes import Evidence, Finding, Outcome
from sqaaas.probes.registry import probe
from sqaaas.repofs import TextFile, UnsafePathError

DOC_DIRS = ("docs", "doc", "documentation")
FORGE_DIRS = (".github", ".gitlab")
#: Where CONTRIBUTING / CODE_OF_CONDUCT files are looked for (forges show them from these).
COMMUNITY_DIRS = ("", "docs", "doc", ".github", ".gitlab", "docs/source", "doc/source")
COMMUNITY_SUFFIXES = frozenset(
    {"", ".md", ".markdown", ".rst", ".txt", ".adoc", ".asciidoc", ".org", ".html"}
)
PLAIN = "plain text"
MARKUP: dict[str, str] = {
    ".md": "Markdown", ".markdown": "Markdown", ".mdx": "Markdown", ".qmd": "Markdown",
    ".rmd": "Markdown", ".rst": "reStructuredText", ".adoc": "AsciiDoc",
    ".asciidoc": "AsciiDoc", ".org": "Org", ".tex": "LaTeX", ".txt": PLAIN, "": PLAIN,
}
BINARY_DOC_SUFFIXES = frozenset({".pdf", ".doc", ".docx", ".odt", ".rtf"})
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
#: Release notes list past changes; their headings say nothing about audiences.
CHANGELOG_STEMS = frozenset({"changelog", "changes", "history", "news"})
README_PREFERENCE = (".md", ".rst", ".adoc", ".asciidoc", ".markdown", ".org", ".txt", "")
README_LIMIT = 500_000
DOC_LIMIT = 100_000
MAX_SCANNED_DOCS = 200
METADATA_LIMIT = 200_000


# --------------------------------------------------------------------------- markup parsing


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


def parse_headings(path: str, text: str) -> list[Heading]:
    """Section titles of a Markdown / reStructuredText / AsciiDoc / HTML text, with lines."""
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


# --------------------------------------------------------------------------- documentation files


@dataclass(frozen=True)
class DocFile:
    path: str
    language: str


def _stem(name: str) -> str:
    return name.split(".", 1)[0].lower()


def doc_language(path: str) -> str | None:
    """The markup of a documentation file, or None when ``path`` is not documentation.

    Documentation is: markup files at the root or in docs/ (doc/, documentation/), READMEs
    anywhere, and well-known documents (CONTRIBUTING, ...) in .github/ or .gitlab/. Plain
    text counts only under a documentation name or as prose in docs/ (not requirements.txt).
    """
    pure = PurePosixPath(path)
    language = MARKUP.get(pure.suffix.lower())
    stem = _stem(pure.name)
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


def doc_files(ctx: RepoContext) -> tuple[DocFile, ...]:
    """Every documentation file of the tree with its markup language."""
    found = []
    for entry in ctx.fs.files:
        language = doc_language(entry.path)
        if language is not None:
            found.append(DocFile(entry.path, language))
    return tuple(found)


@dataclass(frozen=True)
class DocDir:
    """A top-level documentation folder, its documentation files and whether git tracks it."""

    path: str
    files: tuple[DocFile, ...]
    tracked: bool

    def describe(self) -> Evidence:
        if not self.files:
            return Evidence(message=f"{self.path}/ holds no documentation files", path=self.path)
        state = "tracked by git" if self.tracked else "not tracked by git"
        return Evidence(
            message=f"{self.path}/ holds {len(self.files)} documentation file(s), {state}",
            path=self.path,
            value=[f.path for f in self.files[:5]],
        )


def doc_dirs(ctx: RepoContext) -> tuple[DocDir, ...]:
    """docs/, doc/ and documentation/ (any case) with their documentation files."""
    docs = ctx.fact(doc_files)
    found = []
    for name in ctx.fs.listdir():
        if name.lower() in DOC_DIRS and ctx.fs.is_dir(name):
            files = tuple(f for f in docs if f.path.startswith(name + "/"))
            tracked = bool(files) and ctx.git.repo is not None and _tracked(ctx, name)
            found.append(DocDir(name, files, tracked))
    return tuple(found)


def _read(ctx: RepoContext, rel: str, limit: int) -> TextFile | None:
    try:
        return ctx.fs.read_text(rel, limit=limit)
    except (OSError, UnsafePathError):
        return None


def _tracked(ctx: RepoContext, rel: str) -> bool:
    """Tracked by git; absolute paths keep this right when assessing a subfolder."""
    try:
        return ctx.git.tracked(str(ctx.fs.root / rel))
    except git.GitCommandError:
        return False


def _readme_path(ctx: RepoContext) -> str | None:
    """The root README, preferring a markup format when several exist."""
    candidates = [p for p in ctx.fs.find(["README"]) if PurePosixPath(p).suffix.lower() in MARKUP]
    if not candidates:
        return None

    def rank(path: str) -> int:
        suffix = PurePosixPath(path).suffix.lower()
        return README_PREFERENCE.index(suffix) if suffix in README_PREFERENCE else 99

    return min(candidates, key=rank)


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


def doc_headings(ctx: RepoContext) -> tuple[Heading, ...]:
    """Headings of the README and documentation files (release notes left out), capped."""
    readme = _readme_path(ctx)
    paths = [readme] if readme else []
    paths += [
        f.path for f in ctx.fact(doc_files)
        if f.path != readme and _stem(PurePosixPath(f.path).name) not in CHANGELOG_STEMS
    ]
    headings: list[Heading] = []
    for path in paths[:MAX_SCANNED_DOCS]:
        if (file := _read(ctx, path, DOC_LIMIT)) is not None:
            headings.extend(parse_headings(path, file.text))
    return tuple(headings)


# --------------------------------------------------------------------------- QC.Doc01 / Doc02


@probe("doc.as_code")
def as_code(ctx: RepoContext) -> Finding:
    """Docs are code when they are versioned: a tracked README or docs/ folder."""
    if ctx.git.repo is None:
        return Finding.failed(
            "not a git repository: the documentation is not under version control",
            hint="Keep the documentation in git with the code: git add README.md docs/",
        )
    evidence: list[Evidence] = []
    passed = False
    readme = _readme_path(ctx)
    if readme:
        tracked = _tracked(ctx, readme)
        passed |= tracked
        state = "is tracked by git" if tracked else "exists but is not tracked by git"
        evidence.append(Evidence(message=f"{readme} {state}", path=readme, value=tracked))
    for directory in ctx.fact(doc_dirs):
        passed |= directory.tracked
        evidence.append(directory.describe())
    if passed:
        return Finding(outcome=Outcome.PASS, evidence=evidence)
    if not evidence:
        evidence.append(Evidence(message="no README and no docs/ (or doc/) folder"))
    return Finding(
        outcome=Outcome.FAIL,
        evidence=evidence,
        hint="Write the documentation as files next to the code (README.md, docs/) and "
        "commit them: git add README.md docs/ && git commit",
    )


@probe("doc.in_repo")
def in_repo(ctx: RepoContext) -> Finding:
    """Documentation beyond the README lives here: a tracked docs folder or a site config."""
    evidence = [d.describe() for d in ctx.fact(doc_dirs) if d.tracked]
    evidence += _site_evidence(ctx)
    if evidence:
        return Finding(outcome=Outcome.PASS, evidence=evidence)
    readme = _readme_path(ctx)
    return Finding.failed(
        f"apart from {readme or 'the README'}, no documentation (docs/, doc/ or a documentation "
        "site configuration) lives in this repository",
        hint="Keep the full documentation in a docs/ folder of this repository, so that it "
        "changes in the same commits as the code it describes.",
        path=readme,
    )


def _language_counts(ctx: RepoContext) -> dict[str, list[str]]:
    counts: dict[str, list[str]] = {}
    for doc in ctx.fact(doc_files):
        counts.setdefault(doc.language, []).append(doc.path)
    return counts


def _language_evidence(counts: dict[str, list[str]]) -> list[Evidence]:
    return [
        Evidence(message=f"{len(paths)} {language} file(s)", value=paths[:5])
        for language, paths in sorted(counts.items(), key=lambda kv: -len(kv[1]))
    ]


@probe("doc.markup")
def markup(ctx: RepoContext) -> Finding:
    """Documentation files are plain-text markup, and docs/ is not only binary documents."""
    counts = _language_counts(ctx)
    binary = [
        e.path for e in ctx.fs.files
        if e.suffix in BINARY_DOC_SUFFIXES and e.path.split("/", 1)[0].lower() in DOC_DIRS
    ]
    in_dirs = [f for d in ctx.fact(doc_dirs) for f in d.files]
    hint = (
        "Write the documentation in a plain-text markup language (Markdown .md, "
        "reStructuredText .rst or AsciiDoc .adoc) and keep it in the repository."
    )
    if not counts:
        return Finding.failed("no documentation files in plain-text markup", hint=hint)
    evidence = _language_evidence(counts)
    if binary:
        evidence.append(
            Evidence(
                message=f"{len(binary)} binary document(s) in the docs folder", value=binary[:5]
            )
        )
        if not in_dirs:
            evidence.insert(
                0,
                Evidence(
                    message="the docs folder holds only binary documents (PDF/Word/ODT), "
                    "which cannot be diffed or reviewed as text",
                    path=binary[0],
                ),
            )
            return Finding(
                outcome=Outcome.FAIL,
                evidence=evidence,
                hint=hint + " Convert the binary documents, or generate them from the markup.",
            )
    return Finding(outcome=Outcome.PASS, evidence=evidence)


@probe("doc.single_markup")
def single_markup(ctx: RepoContext) -> Finding:
    """One markup language across the documentation (plain text does not count as one)."""
    counts = _language_counts(ctx)
    if not counts:
        return Finding.not_applicable("no documentation files to compare")
    languages = {lang: paths for lang, paths in counts.items() if lang != PLAIN}
    evidence = _language_evidence(languages or counts)
    if len(languages) <= 1:
        only = next(iter(languages), PLAIN)
        evidence.insert(0, Evidence(message=f"all documentation uses {only}", value=only))
        return Finding(outcome=Outcome.PASS, evidence=evidence)
    dominant = max(languages, key=lambda lang: len(languages[lang]))
    others = sorted(lang for lang in languages if lang != dominant)
    evidence.insert(
        0,
        Evidence(
            message=f"{len(languages)} markup languages mixed: mostly {dominant}, "
            f"also {', '.join(others)}",
            value=sorted(languages),
        ),
    )
    return Finding(
        outcome=Outcome.FAIL,
        evidence=evidence,
        hint=f"Settle on one markup language ({dominant} is the most used here) and convert "
        f"the {', '.join(others)} files, e.g. with pandoc.",
    )


# --------------------------------------------------------------------------- QC.Doc03 online


def _web(value: object) -> str | None:
    """An http(s) URL, or None for anything else a metadata field may hold."""
    if isinstance(value, str) and re.fullmatch(r"\s*https?://\S+\s*", value):
        return value.strip()
    return None


def _line_of(text: str, needle: str) -> int | None:
    index = text.find(needle)
    return text.count("\n", 0, index) + 1 if index >= 0 else None


def _toml_urls(text: str) -> list[tuple[str, object]]:
    data = tomllib.loads(text)
    found: list[tuple[str, object]] = []
    urls = data.get("project", {}).get("urls", {})
    if isinstance(urls, dict):
        found += [
            (f"[project.urls] {key}", url)
            for key, url in urls.items()
            if re.search(r"doc|home", str(key), re.IGNORECASE)
        ]
    for table in ("package", "tool.poetry"):
        section: object = data
        for part in table.split("."):
            section = section.get(part, {}) if isinstance(section, dict) else {}
        if isinstance(section, dict):
            found += [(f"[{table}] {k}", section.get(k)) for k in ("documentation", "homepage")]
    return found


def _setup_cfg_urls(text: str) -> list[tuple[str, object]]:
    parser = configparser.ConfigParser(interpolation=None)
    parser.read_string(text)
    if not parser.has_section("metadata"):
        return []
    homepage = parser.get("metadata", "url", fallback=None)
    found: list[tuple[str, object]] = [("[metadata] url", homepage)]
    for line in parser.get("metadata", "project_urls", fallback="").splitlines():
        key, _, url = line.partition("=")
        if re.search(r"doc|home", key, re.IGNORECASE):
            found.append((f"[metadata] project_urls {key.strip()}", url.strip()))
    return found


def _codemeta_urls(data: object) -> list[tuple[str, object]]:
    if not isinstance(data, dict):
        return []
    found: list[tuple[str, object]] = [("readme", data.get("readme"))]
    helps = data.get("softwareHelp")
    for item in helps if isinstance(helps, list) else [helps]:
        url = (item.get("url") or item.get("@id")) if isinstance(item, dict) else item
        found.append(("softwareHelp", url))
    return found


def _package_json_urls(text: str) -> list[tuple[str, object]]:
    data = json.loads(text)
    return [("homepage", data.get("homepage"))] if isinstance(data, dict) else []


_DESCRIPTION_URL = re.compile(r"^URL:\s*(https?://[^\s,]+)", re.MULTILINE)

#: manifest -> function returning (field, value) pairs that may be documentation URLs
MANIFEST_URL_FIELDS: dict[str, Callable[[str], list[tuple[str, object]]]] = {
    "pyproject.toml": _toml_urls,
    "Cargo.toml": _toml_urls,
    "setup.cfg": _setup_cfg_urls,
    "package.json": _package_json_urls,
    "DESCRIPTION": lambda text: [("URL", u) for u in _DESCRIPTION_URL.findall(text)[:1]],
}


def _declared_urls(ctx: RepoContext) -> Iterator[tuple[str, str, object, str]]:
    """(file, field, value, file text) for each candidate URL of the metadata and manifests.

    CITATION.cff and codemeta.json come parsed (safely, once) from the QC.Met facts.
    """
    cff, meta = ctx.fact(citation_cff), ctx.fact(codemeta)
    if cff is not None and isinstance(cff.data, dict):
        yield cff.path, "url", cff.data.get("url"), cff.text
    if meta is not None:
        for field, value in _codemeta_urls(meta.data):
            yield meta.path, field, value, meta.text
    for name, extract in MANIFEST_URL_FIELDS.items():
        if not ctx.fs.is_file(name) or (file := _read(ctx, name, METADATA_LIMIT)) is None:
            continue
        try:
            pairs = extract(file.text)
        except (ValueError, TypeError, AttributeError, RecursionError, configparser.Error):
            continue  # a malformed manifest is QC.Del's finding, not documentation's
        for field, value in pairs:
            yield name, field, value, file.text


def metadata_doc_urls(ctx: RepoContext) -> tuple[Evidence, ...]:
    """Documentation or home-page URLs declared in the project's metadata files."""
    return tuple(
        Evidence(
            message=f"documentation/home page URL in {name} ({field})",
            path=name,
            line=_line_of(text, url),
            value=url,
        )
        for name, field, value, text in _declared_urls(ctx)
        if (url := _web(value))
    )


@dataclass(frozen=True)
class _SiteConfig:
    name: re.Pattern[str]
    label: str
    docs_only: bool = False  # only inside a documentation folder (names too generic elsewhere)
    hosted: bool = False  # the file itself says where the documentation is published


SITE_CONFIGS = (
    _SiteConfig(re.compile(r"\.?readthedocs\.ya?ml"), "Read the Docs configuration: Read the Docs "
                "builds and hosts the documentation on every push", hosted=True),
    _SiteConfig(re.compile(r"mkdocs\.ya?ml"), "MkDocs site configuration"),
    _SiteConfig(re.compile(r"conf\.py"), "Sphinx configuration", docs_only=True),
    _SiteConfig(re.compile(r"antora(-playbook)?\.ya?ml"), "Antora configuration"),
    _SiteConfig(re.compile(r"docusaurus\.config\.[cm]?[jt]s"), "Docusaurus configuration"),
    _SiteConfig(re.compile(r"book\.toml"), "mdBook configuration"),
    _SiteConfig(re.compile(r"_toc\.ya?ml"), "Jupyter Book table of contents"),
    _SiteConfig(re.compile(r"_quarto\.ya?ml"), "Quarto project"),
    _SiteConfig(re.compile(r"doxyfile"), "Doxygen configuration"),
    _SiteConfig(re.compile(r"_config\.ya?ml"), "Jekyll (GitHub Pages) site configuration",
                docs_only=True),
)
_SITE_DIRS = frozenset({"", "website", *DOC_DIRS, *(f"{d}/source" for d in DOC_DIRS)})


def site_configs(ctx: RepoContext) -> tuple[tuple[_SiteConfig, str], ...]:
    """Documentation generator or hosting configurations at the root or in docs/."""
    found: list[tuple[_SiteConfig, str]] = []
    for entry in ctx.fs.files:
        directory = entry.path.rpartition("/")[0].lower()
        if directory not in _SITE_DIRS:
            continue
        for config in SITE_CONFIGS:
            if config.docs_only and directory in ("", "website"):
                continue
            if config.name.fullmatch(entry.name.lower()):
                found.append((config, entry.path))
                break
    return tuple(found)


def _site_evidence(ctx: RepoContext, *, online: bool = False) -> list[Evidence]:
    """Site configurations as evidence; for QC.Doc03 say when hosting is not visible."""
    return [
        Evidence(
            message=config.label
            + ("" if config.hosted or not online else " (where it is published is not visible "
               "offline)"),
            path=path,
        )
        for config, path in ctx.fact(site_configs)
    ]


_PUBLISH_PAGES = "CI job publishes the documentation (Pages)"
_BUILD_DOCS = "CI job builds the documentation"
DOCS_CI_PATTERNS = {
    _PUBLISH_PAGES: r"actions/deploy-pages|actions/upload-pages-artifact|peaceiris/actions-gh-pages"
    r"|JamesIves/github-pages-deploy-action|mkdocs\s+gh-deploy|\bghp-import\b|^pages\s*:",
    _BUILD_DOCS: r"sphinx-build|sphinx-action|\bmkdocs\s+build|\bmake\s+(-C\s+\S+\s+)?html\b"
    r"|\bdoxygen\b|\bantora\b|docusaurus\s+(build|deploy)|\bmdbook\s+build|jupyter-book\s+build"
    r"|\bjb\s+build|quarto\s+(render|publish)|\btox\s+(-e\s*)?docs\b|\bnox\s+(-s\s*)?docs\b"
    r"|\bpdoc\b|\btypedoc\b|\bjavadoc\b|\bcargo\s+doc\b|\bdokka",
}


def docs_ci_jobs(ctx: RepoContext) -> tuple[Evidence, ...]:
    """CI pipeline lines building or publishing documentation (tox/nox files alone excluded)."""
    pipelines = {f.path for f in ci.pipelines(ctx)}
    return tuple(e for e in ci.search(ctx, DOCS_CI_PATTERNS, limit=50) if e.path in pipelines)[:10]


def _forge_rendering(ctx: RepoContext) -> list[Evidence]:
    """A public forge renders the README (and markup files) of the repositories it hosts."""
    rendered = _readme_path(ctx) or next((f.path for f in ctx.fact(doc_files)), None)
    if rendered is None:
        return []
    urls = [r.url for r in ctx.git.remotes]
    verified = ctx.checkout.url if ctx.checkout.cloned and ctx.checkout.url else None
    if verified and is_https(verified):
        urls.insert(0, verified)
    else:
        verified = None
    found: list[Evidence] = []
    seen: set[str] = set()
    for url in urls:
        host = host_of(url)
        page = web_url(url)
        if not page or page in seen or not is_public_forge(host, ctx.config.public_forges):
            continue
        seen.add(page)
        how = (
            "the repository was cloned anonymously over https, so the page is public"
            if url == verified
            else "not verified online (offline assessment)"
        )
        found.append(
            Evidence(
                message=f"{rendered} is rendered online by the public forge {host} at "
                f"{page}; {how}",
                path=rendered,
                value=page,
            )
        )
    return found


@probe("doc.online")
def online(ctx: RepoContext) -> Finding:
    """A documentation URL, a hosting/site configuration, or a README rendered by a forge."""
    evidence = list(ctx.fact(metadata_doc_urls)) + _site_evidence(ctx, online=True)
    evidence += [e for e in ctx.fact(docs_ci_jobs) if e.message == _PUBLISH_PAGES]
    evidence += _forge_rendering(ctx)
    if evidence:
        return Finding(outcome=Outcome.PASS, evidence=evidence)
    remotes = ", ".join(f"{r.name} ({host_of(r.url) or r.url})" for r in ctx.git.remotes)
    return Finding.failed(
        "no documentation URL in the metadata (pyproject.toml, setup.cfg, CITATION.cff, "
        "codemeta.json, package.json, Cargo.toml, DESCRIPTION), no documentation hosting "
        "configuration, and "
        + (f"no remote on a public forge (remotes: {remotes})" if remotes else "no remote"),
        hint="Publish the documentation and say where: e.g. add .readthedocs.yaml (Read the "
        "Docs) or mkdocs.yml with 'mkdocs gh-deploy', and record the URL under [project.urls] "
        "Documentation in pyproject.toml or 'url' in CITATION.cff. Pushing the repository to a "
        "public forge also publishes its README.",
    )


@probe("doc.build_config")
def build_config(ctx: RepoContext) -> Finding:
    """The documentation is generated by a tool (site configuration or a CI docs job)."""
    evidence = _site_evidence(ctx) + list(ctx.fact(docs_ci_jobs))
    if evidence:
        return Finding(outcome=Outcome.PASS, evidence=evidence)
    return Finding.failed(
        "no documentation build configuration (Sphinx conf.py, mkdocs.yml, .readthedocs.yaml, "
        "Antora, Docusaurus, ...) and no CI job building or publishing the documentation",
        hint="Render the documentation automatically: e.g. add mkdocs.yml and a CI job running "
        "'mkdocs gh-deploy', or a Sphinx docs/conf.py with a .readthedocs.yaml.",
    )


# --------------------------------------------------------------------------- QC.Doc06 audiences

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
REQUIRED_ANY = ("installation", "usage")
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
    path = _readme_path(ctx)
    if path is None or (file := _read(ctx, path, README_LIMIT)) is None:
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
        n for n in ctx.fs.listdir() if _stem(n) == "readme" and ctx.fs.is_outside_link(n)
    ]
    report = ctx.fact(readme_report)
    if report is None:
        message = "no README file at the repository root"
        if outside:
            message = f"{outside[0]} is a symlink leading outside the repository; not read"
        elif (path := _readme_path(ctx)) is not None:
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
        )
    ]
    evidence += _encoding_notes(report.file, README_LIMIT)
    topics = dict(report.topics)  # the fact is shared: never mutate it
    evidence += [
        Evidence(message=f"section on {topic}: '{h.text}'", path=h.path, line=h.line, value=h.text)
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
