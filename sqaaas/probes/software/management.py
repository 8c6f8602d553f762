"""QC.Man and QC.Rev: issue tracking, pull/merge requests and where reviews happen.

The forge keeps issues, pull requests and reviews; the repository only shows traces of
them: templates, CODEOWNERS, tracker URLs in metadata, and commit messages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqaaas.context import RepoContext
from sqaaas.core.outcomes import Evidence, Finding, Outcome
from sqaaas.core.registry import probe
from sqaaas.facts.ci import match_lines
from sqaaas.facts.history import change_history, history_unusable, request_evidence
from sqaaas.facts.project_urls import ISSUES, ProjectUrl, urls_for
from sqaaas.facts.remotes import public_remotes

_READ_LIMIT = 200_000
_FORGE_DIRS = (".github", ".gitea", ".forgejo")

_TEMPLATE_FILE_DIRS = ("", "docs/", *(f"{d}/" for d in _FORGE_DIRS))
#: a single template: <stem> with one of these extensions ("" = none), as forges accept
_SINGLE_EXTENSIONS = ("", ".md", ".txt", ".markdown")
#: files of a template folder
_FOLDER_EXTENSIONS = (".md", ".txt", ".markdown", ".yml", ".yaml")


@dataclass(frozen=True)
class _Templates:
    """A kind of forge template: folders of several, or one file (any case, any of these
    places: the root, docs/ or a forge folder)."""

    what: str
    stem: str  # <stem>[.md|.txt] where forges look; also the name of a folder of several
    gitlab_dir: str  # GitLab's folder for several
    hint: str

    @property
    def dirs(self) -> tuple[str, ...]:
        return (
            *(f"{d}{self.stem}/" for d in _TEMPLATE_FILE_DIRS),
            f".gitlab/{self.gitlab_dir}/",
        )


_ISSUE_TEMPLATES = _Templates(
    "issue",
    "issue_template",
    "issue_templates",
    "Add issue templates asking for the problem, steps to reproduce, expected behaviour, "
    "version and logs: .github/ISSUE_TEMPLATE/bug_report.md (GitHub) or "
    ".gitlab/issue_templates/Bug.md (GitLab).",
)
_PR_TEMPLATES = _Templates(
    "pull/merge request",
    "pull_request_template",
    "merge_request_templates",
    "Add .github/PULL_REQUEST_TEMPLATE.md (GitHub) or "
    ".gitlab/merge_request_templates/Default.md (GitLab) with sections for the purpose, "
    "the linked issue ('Fixes #N'), tests and documentation.",
)


def _template_files(ctx: RepoContext, kind: _Templates) -> list[str]:
    """Files inside template folders, or named ``<stem>``, ``<stem>.md`` or ``<stem>.txt``
    (any case) where forges look: the root, docs/ and the forge folders."""
    singles = {f"{d}{kind.stem}{ext}" for d in _TEMPLATE_FILE_DIRS for ext in _SINGLE_EXTENSIONS}
    found: list[str] = []
    for entry in ctx.fs.files:
        lower = entry.path.lower()
        in_dir = lower.startswith(kind.dirs) and lower.endswith(_FOLDER_EXTENSIONS)
        if in_dir or lower in singles:
            found.append(entry.path)
    return found


def _templates_finding(ctx: RepoContext, kind: _Templates) -> Finding:
    if found := _template_files(ctx, kind):
        return Finding(
            outcome=Outcome.PASS,
            evidence=[
                Evidence(message=f"{kind.what} template found", path=path) for path in found[:5]
            ],
        )
    return Finding.failed(f"no {kind.what} template found", hint=kind.hint)


def _tracker_fields(ctx: RepoContext) -> list[Evidence]:
    """The first issue tracker URL each metadata file declares."""
    first: dict[str, ProjectUrl] = {}
    for url in urls_for(ctx, ISSUES):
        first.setdefault(url.path, url)
    return [url.evidence("issue tracker") for url in first.values()]


@probe("man.issue_tracker")
def issue_tracker(ctx: RepoContext) -> Finding:
    """QC.Man01: an issue tracker is declared (metadata, templates) or offered by the forge."""
    evidence = _tracker_fields(ctx)
    templates = _template_files(ctx, _ISSUE_TEMPLATES)
    if templates:
        evidence.append(Evidence(message="issue templates prepare the tracker", path=templates[0]))
    if public := ctx.fact(public_remotes):
        remote = public[0]
        evidence.append(
            Evidence(
                message=f"remote '{remote.name}' is on {remote.host}, whose projects have an "
                "issue tracker (whether it is enabled is a forge setting, not checked offline)",
                value=f"{remote.page}/issues" if remote.page else remote.url,
            )
        )
    if evidence:
        return Finding(outcome=Outcome.PASS, evidence=evidence)
    return Finding.failed(
        "no issue tracker found: no tracker URL in the metadata, no issue templates, and no "
        "remote on a public forge",
        hint="Host the project on a forge with issues enabled, and declare the tracker, e.g. "
        "'Issues = \"https://github.com/<org>/<repo>/issues\"' under [project.urls] in "
        "pyproject.toml or \"bugs\" in package.json.",
    )


@probe("man.issue_templates")
def issue_templates(ctx: RepoContext) -> Finding:
    """QC.Man01.2: issue templates ask reporters for a clear problem and debug information."""
    return _templates_finding(ctx, _ISSUE_TEMPLATES)


@probe("man.pr_template")
def pr_template(ctx: RepoContext) -> Finding:
    """QC.Man02.4: a pull/merge request template guides the description of each change."""
    return _templates_finding(ctx, _PR_TEMPLATES)


@probe("man.change_requests")
def change_requests(ctx: RepoContext) -> Finding:
    """QC.Man02.1: commits record pull/merge requests (merge messages, '(#N)' suffixes)."""
    history = ctx.fact(change_history)
    if (verdict := history_unusable(history, bool(history.requests))) is not None:
        return verdict
    if history.requests:
        return Finding(outcome=Outcome.PASS, evidence=[request_evidence(history)])
    merges = f", {len(history.merges)} plain merge(s)" if history.merges else ""
    return Finding.failed(
        f"{history.commits} commits{merges}, none recording a pull/merge request",
        hint="Integrate every change through a pull/merge request, and keep the forge's merge "
        "message ('Merge pull request #N', 'See merge request !N') or the '(#N)' suffix of "
        "squash merges so that the history shows it.",
        value=history.commits,
    )


@probe("man.issue_references")
def issue_references(ctx: RepoContext) -> Finding:
    """QC.Man02.6: commit messages refer to the issues they fix ('Fixes #12')."""
    refs = ctx.git.issue_references
    if (verdict := history_unusable(ctx.fact(change_history), bool(refs))) is not None:
        return verdict
    if refs:
        return Finding.passed(
            f"{len(refs)} commit(s) close or refer to an issue", value=refs[:3]
        )
    return Finding.failed(
        "no commit message closes or refers to an issue ('Fixes #N', 'Closes #N', 'Refs #N'); "
        "pull request descriptions live on the forge and were not read",
        hint="Write 'Fixes #<issue>' in pull/merge request descriptions so that squash and "
        "merge commits carry the reference and the forge closes the issue on merge.",
    )


_CODEOWNERS = ("CODEOWNERS", ".github/CODEOWNERS", "docs/CODEOWNERS", ".gitlab/CODEOWNERS",
               ".gitea/CODEOWNERS")
#: A rule: a path pattern followed by at least one owner (@user, @org/team or an e-mail).
_OWNER_RULE = re.compile(r"^\s*[^#\s\[]\S*\s+(?:@\S+|\S+@\S+)")


def _codeowners_rule(ctx: RepoContext) -> tuple[list[Evidence], list[str]]:
    """The first review-assignment rule of each CODEOWNERS file, and files without any."""
    rules: list[Evidence] = []
    empty: list[str] = []
    for path in _CODEOWNERS:
        if (file := ctx.fs.try_read_text(path, limit=_READ_LIMIT)) is None:
            continue
        lines = file.text.splitlines()
        label = "CODEOWNERS assigns reviewers"
        hits = match_lines(path, lines, {label: _OWNER_RULE}, limit=1)
        rules.extend(hits)
        if not hits:
            empty.append(path)
    return rules, empty


@probe("rev.review_tool")
def review_tool(ctx: RepoContext) -> Finding:
    """QC.Rev01: reviews happen on the forge: CODEOWNERS rules or merged pull/merge requests."""
    rules, empty = _codeowners_rule(ctx)
    history = ctx.fact(change_history)
    evidence = list(rules)
    if history.requests:
        evidence.append(request_evidence(history))
    if evidence:
        return Finding(outcome=Outcome.PASS, evidence=evidence)
    if (verdict := history_unusable(history, False)) is not None:
        return verdict
    found = [Evidence(message="CODEOWNERS has no rule with an owner", path=p) for p in empty]
    return Finding(
        outcome=Outcome.FAIL,
        evidence=[
            *found,
            Evidence(
                message="no CODEOWNERS rule and no commit recording a pull/merge request: "
                "nothing shows where changes are reviewed",
                value=history.commits,
            ),
        ],
        hint="Review changes in pull/merge requests on the forge and name the reviewers in "
        ".github/CODEOWNERS (e.g. '* @org/maintainers'); keep the forge's merge messages.",
    )
