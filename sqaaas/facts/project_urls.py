"""URLs a project declares about itself: its home page, documentation and issue tracker.

They are read from the parsed manifests (pyproject.toml, Cargo.toml, setup.cfg,
package.json, composer.json, R's DESCRIPTION), from the literal entries of setup.py (matched
as text: it is never run) and from CITATION.cff and codemeta.json as the QC.Met facts parsed
them. Each URL gets the role its field gives it, so that QC.Doc looks for documentation and
home pages and QC.Man for issue trackers in the same list.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from sqaaas.context import RepoContext
from sqaaas.core.outcomes import Evidence
from sqaaas.facts.manifests import (
    Manifest,
    cargo_toml,
    composer_json,
    package_json,
    pyproject,
    r_description,
    setup_cfg,
)
from sqaaas.facts.metadata import citation_cff, codemeta

HOMEPAGE = "home page"
DOCUMENTATION = "documentation"
ISSUES = "issue tracker"
OTHER = "other"

#: Free-form labels ([project.urls] keys, setup.cfg project_urls, ...) -> role, first match wins.
_LABEL_ROLES = (
    (ISSUES, re.compile(r"issue|bug|tracker", re.IGNORECASE)),
    (DOCUMENTATION, re.compile(r"doc", re.IGNORECASE)),
    (HOMEPAGE, re.compile(r"home", re.IGNORECASE)),
)
_WEB = re.compile(r"\s*(https?://\S+)\s*")
_SETUP_PY_ENTRY = re.compile(r"""["']([^"'\n]{1,80})["']\s*:\s*["'](https?://[^"'\s]+)["']""")
_SETUP_PY_URL = re.compile(r"""\burl\s*=\s*["'](https?://[^"'\s]+)["']""")
_SETUP_PY_LIMIT = 200_000

#: (field, value, role) as a metadata file states it; the value may be anything.
_Candidate = tuple[str, object, str]


def role_of(label: str) -> str:
    """The role a free-form label gives its URL: 'Bug Tracker' is an issue tracker."""
    return next((role for role, rx in _LABEL_ROLES if rx.search(label)), OTHER)


@dataclass(frozen=True)
class ProjectUrl:
    path: str  # the file declaring it
    field: str  # where in that file, e.g. "[project.urls] Documentation"
    url: str
    role: str
    line: int | None

    def evidence(self, what: str) -> Evidence:
        return Evidence(
            message=f"{what} URL in {self.path} ({self.field})",
            path=self.path,
            line=self.line,
            value=self.url,
        )


def line_of(text: str, needle: str) -> int | None:
    """First line holding ``needle`` whole (https://x.org is not in https://x.org/issues)."""
    found = re.search(re.escape(needle) + r"(?=[\s\"'<>,;)\]}]|$)", text)
    return text.count("\n", 0, found.start()) + 1 if found else None


def _toml(manifest: Manifest) -> Iterator[_Candidate]:
    """pyproject.toml ([project.urls], Poetry) and Cargo.toml ([package])."""
    for table in ("project.urls", "tool.poetry.urls"):
        for key, value in manifest.table(table).items():
            yield f"[{table}] {key}", value, role_of(str(key))
    for table in ("package", "tool.poetry"):
        section = manifest.table(table)
        yield f"[{table}] documentation", section.get("documentation"), DOCUMENTATION
        yield f"[{table}] homepage", section.get("homepage"), HOMEPAGE


def _setup_cfg(manifest: Manifest) -> Iterator[_Candidate]:
    for key, value in manifest.table("metadata").items():
        if key == "url":
            yield "[metadata] url", value, HOMEPAGE
        elif key == "project_urls":
            for line in str(value).splitlines():
                label, _, url = line.partition("=")
                yield f"[metadata] project_urls {label.strip()}", url.strip(), role_of(label)
        else:
            yield f"[metadata] {key}", value, role_of(key)


def _package_json(manifest: Manifest) -> Iterator[_Candidate]:
    yield "homepage", manifest.data.get("homepage"), HOMEPAGE
    bugs = manifest.data.get("bugs")
    if isinstance(bugs, dict):
        email = bugs.get("email")
        bugs = bugs.get("url") or (f"mailto:{email}" if isinstance(email, str) else None)
    yield "bugs", bugs, ISSUES


def _composer_json(manifest: Manifest) -> Iterator[_Candidate]:
    support = manifest.table("support")
    yield "homepage", manifest.data.get("homepage"), HOMEPAGE
    yield "support.docs", support.get("docs"), DOCUMENTATION
    yield "support.issues", support.get("issues"), ISSUES


def _description(manifest: Manifest) -> Iterator[_Candidate]:
    """R's URL field may list several URLs: the first is the home page."""
    urls = re.split(r"[,\s]+", str(manifest.data.get("URL", "")).strip())
    yield "URL", urls[0], HOMEPAGE
    yield "BugReports", manifest.data.get("BugReports"), ISSUES


def _codemeta(data: object) -> Iterator[_Candidate]:
    if not isinstance(data, dict):
        return
    yield "readme", data.get("readme"), DOCUMENTATION
    helps = data.get("softwareHelp")
    for item in helps if isinstance(helps, list) else [helps]:
        url = (item.get("url") or item.get("@id")) if isinstance(item, dict) else item
        yield "softwareHelp", url, DOCUMENTATION
    yield "issueTracker", data.get("issueTracker"), ISSUES


def _setup_py(text: str) -> Iterator[_Candidate]:
    """Literal ``"Label": "https://..."`` entries (project_urls) and ``url="https://..."``."""
    for label, url in _SETUP_PY_ENTRY.findall(text):
        yield f"project_urls {label}", url, role_of(label)
    for url in _SETUP_PY_URL.findall(text):
        yield "url", url, HOMEPAGE


def _sources(ctx: RepoContext) -> Iterator[tuple[str, str, Iterator[_Candidate]]]:
    """(file, its text, candidate URLs) for every metadata file present."""
    cff, meta = ctx.fact(citation_cff), ctx.fact(codemeta)
    if cff is not None and isinstance(cff.data, dict):
        yield cff.path, cff.text, iter([("url", cff.data.get("url"), HOMEPAGE)])
    if meta is not None:
        yield meta.path, meta.text, _codemeta(meta.data)
    for fact, extract in (
        (pyproject, _toml),
        (cargo_toml, _toml),
        (setup_cfg, _setup_cfg),
        (package_json, _package_json),
        (composer_json, _composer_json),
        (r_description, _description),
    ):
        if (manifest := ctx.fact(fact)) is not None:
            yield manifest.path, manifest.text, extract(manifest)
    if (setup_py := ctx.fs.try_read_text("setup.py", limit=_SETUP_PY_LIMIT)) is not None:
        yield setup_py.path, setup_py.text, _setup_py(setup_py.text)


def _usable(value: object) -> str | None:
    """An http(s) URL (or a package.json bug-report address), else None."""
    if not isinstance(value, str):
        return None
    if m := _WEB.fullmatch(value):
        return m.group(1)
    return value if value.startswith("mailto:") and "@" in value else None


def project_urls(ctx: RepoContext) -> tuple[ProjectUrl, ...]:
    """Every URL the metadata files declare, with its role and line (use via ``ctx.fact``)."""
    found: list[ProjectUrl] = []
    for path, text, candidates in _sources(ctx):
        for field, value, role in candidates:
            if (url := _usable(value)) is not None:
                line = line_of(text, url.removeprefix("mailto:"))
                found.append(ProjectUrl(path, field, url, role, line))
    return tuple(found)


def urls_for(ctx: RepoContext, *roles: str) -> tuple[ProjectUrl, ...]:
    """The declared URLs playing one of ``roles``, in file order."""
    return tuple(u for u in ctx.fact(project_urls) if u.role in roles)
