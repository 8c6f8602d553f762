"""CI configuration files of a repository, when they run, and line-level searches in them.

Several criteria look at CI (Wor01 tests run, Sty04 linters wired, Uni03 coverage checked,
Sec03 SAST, Del02 publishing): they search what these files run through
:mod:`sqaaas.facts.commands`, which follows each line through the project's tasks
(`npm run test`, `make lint`, `tox -e docs`); this module reads the files and their
triggers, and ``search`` matches their own lines only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fnmatch import fnmatch

from sqaaas.context import RepoContext
from sqaaas.core.outcomes import Evidence
from sqaaas.safeparse import Limits, ParseError, ParseLimitError, load_yaml

#: glob on the repository-relative path -> CI system name
CI_GLOBS: dict[str, str] = {
    ".github/workflows/*.yml": "GitHub Actions",
    ".github/workflows/*.yaml": "GitHub Actions",
    ".gitlab-ci.yml": "GitLab CI",
    ".gitlab-ci.yaml": "GitLab CI",
    "Jenkinsfile": "Jenkins",
    ".sqa/config.yml": "Jenkins (JePL)",
    ".sqa/config.yaml": "Jenkins (JePL)",
    ".travis.yml": "Travis CI",
    "azure-pipelines.yml": "Azure Pipelines",
    ".circleci/config.yml": "CircleCI",
    "bitbucket-pipelines.yml": "Bitbucket Pipelines",
    ".woodpecker.yml": "Woodpecker CI",
    ".woodpecker/*.yml": "Woodpecker CI",
    ".drone.yml": "Drone CI",
    "appveyor.yml": "AppVeyor",
    ".appveyor.yml": "AppVeyor",
    "tox.ini": "tox (run by CI)",
    "noxfile.py": "nox (run by CI)",
}
PRE_COMMIT = ".pre-commit-config.yaml"
_MAX_CI_BYTES = 500_000
_MAX_CI_FILES = 200  # with the files GitLab pipelines include


@dataclass(frozen=True)
class CIFile:
    path: str
    system: str
    lines: tuple[str, ...]
    size: int = 0  # of the file: over _MAX_CI_BYTES, ``lines`` hold only its beginning

    @property
    def is_pipeline(self) -> bool:
        """tox.ini/noxfile.py hold commands CI may call, but do not trigger anything alone."""
        return not self.system.endswith("(run by CI)")


def _system_of(path: str) -> str | None:
    for pattern, system in CI_GLOBS.items():
        if fnmatch(path, pattern) and path.count("/") == pattern.count("/"):
            return system
    return None


def _read(ctx: RepoContext, path: str, system: str) -> CIFile | None:
    if (file := ctx.fs.try_read_text(path, limit=_MAX_CI_BYTES)) is None:
        return None
    return CIFile(path, system, tuple(file.text.splitlines()), file.size)


def ci_files(ctx: RepoContext) -> tuple[CIFile, ...]:
    """All CI configuration files (plus tox/nox definitions), read once.

    Files a GitLab pipeline includes from the repository (``include: local:``, wildcards
    too) are part of it and read as well, however they are named.
    """
    found: list[CIFile] = []
    for entry in ctx.fs.files:
        system = _system_of(entry.path)
        if system is not None and (ci := _read(ctx, entry.path, system)) is not None:
            found.append(ci)
    pending = [ci for ci in found if ci.system == "GitLab CI"]
    known = {ci.path for ci in found}
    while pending and len(known) < _MAX_CI_FILES:
        for include in gitlab_includes(pending.pop(0)):
            for path in _local_targets(ctx, include):
                if path not in known and (ci := _read(ctx, path, "GitLab CI")) is not None:
                    known.add(path)
                    found.append(ci)
                    pending.append(ci)
    return tuple(found)


@dataclass(frozen=True)
class Include:
    """One entry of a GitLab ``include:``: local, remote, project, template or component."""

    kind: str
    target: str
    path: str  # the CI file including it
    line: int | None


_INCLUDE_KINDS = ("local", "remote", "project", "template", "component")


def parsed_yaml(ci: CIFile) -> object:
    """The YAML data of a CI file, None when it does not parse (or is over a bound)."""
    try:
        return load_yaml(
            "\n".join(ci.lines), source=ci.path, limits=Limits(max_bytes=_MAX_CI_BYTES),
            size=ci.size,
        )
    except ParseError:
        return None


def _include_kind(item: dict[str, object]) -> str:
    return next((k for k in _INCLUDE_KINDS if k in item), "")


def gitlab_includes(ci: CIFile) -> tuple[Include, ...]:
    """The ``include:`` entries of a GitLab CI file, with the line naming each."""
    data = parsed_yaml(ci)
    spec = data.get("include") if isinstance(data, dict) else None
    items = spec if isinstance(spec, list) else [spec] if spec else []
    found: list[Include] = []
    for item in items:
        if isinstance(item, str):
            kind = "remote" if item.startswith(("http://", "https://")) else "local"
            target = item
        elif isinstance(item, dict) and (kind := _include_kind(item)):
            target = str(item[kind])
            if kind == "project":
                files = item.get("file")
                names = files if isinstance(files, list) else [files] if files else []
                target += f" ({', '.join(str(f) for f in names)})" if names else ""
        else:
            continue
        needle = target.split(" (", 1)[0]
        line = _first_line(ci, re.escape(needle)) if needle else None
        found.append(Include(kind, target, ci.path, line[0] if line else None))
    return tuple(found)


def _local_targets(ctx: RepoContext, include: Include) -> list[str]:
    """Repository files a local include names (GitLab paths start at the root; * and ** glob)."""
    if include.kind != "local":
        return []
    pattern = include.target.strip().lstrip("/")
    if not any(c in pattern for c in "*?["):
        return [pattern] if ctx.fs.is_file(pattern) else []
    depth = pattern.count("/")
    return [
        e.path for e in ctx.fs.files
        if fnmatch(e.path, pattern) and ("**" in pattern or e.path.count("/") == depth)
    ]


def pipelines(ctx: RepoContext) -> tuple[CIFile, ...]:
    return tuple(f for f in ctx.fact(ci_files) if f.is_pipeline)


def pre_commit_lines(ctx: RepoContext) -> tuple[str, ...]:
    file = ctx.fs.try_read_text(PRE_COMMIT, limit=_MAX_CI_BYTES)
    return tuple(file.text.splitlines()) if file is not None else ()


def _lines_naming(ctx: RepoContext, word: str) -> list[Evidence]:
    """Lines of CI files (not comments) naming ``word``: the raw text, where the commands
    CI runs (sqaaas.facts.commands.search) are not resolved yet."""
    compiled = {word: re.compile(rf"\b{re.escape(word)}\b", re.IGNORECASE)}
    hits: list[Evidence] = []
    for f in ctx.fact(ci_files):
        hits.extend(match_lines(f.path, f.lines, compiled, 10_000))
    return hits


def match_lines(
    path: str, lines: Iterable[str], compiled: Mapping[str, re.Pattern[str]], limit: int = 10
) -> list[Evidence]:
    """Lines matching any labelled regex (first label wins), skipping comment-only lines.

    Shared by the CI search and by probes that grep other files (test code, metadata).
    """
    hits: list[Evidence] = []
    for number, line in enumerate(lines, start=1):
        if len(hits) >= limit:
            break
        stripped = line.strip()
        if not stripped or stripped.startswith(("#", "//")):
            continue
        for label, rx in compiled.items():
            if rx.search(line):
                hits.append(Evidence(message=label, path=path, line=number, excerpt=stripped[:200]))
                break
    return hits


#: GitHub Actions events that run a workflow for changes to the code. A reusable workflow
#: (workflow_call) runs whenever its caller does, which one file cannot show: counted.
_CHANGE_EVENTS = frozenset(
    {"push", "pull_request", "pull_request_target", "merge_group", "workflow_call"}
)


def _github_events(ci: CIFile) -> dict[str, object] | None:
    """The ``on:`` events of a workflow (None when it is not valid YAML).

    A workflow over a parsing bound (a YAML bomb, nesting, size) raises ParseLimitError:
    whether it runs on every change is unknown, so the probes relying on it say ``error``.
    """
    limits = Limits(max_bytes=_MAX_CI_BYTES)
    try:
        data = load_yaml("\n".join(ci.lines), source=ci.path, limits=limits, size=ci.size)
    except ParseLimitError:
        raise
    except ParseError:
        return None
    if not isinstance(data, dict):
        return None
    on = data.get("on", data.get(True))  # YAML 1.1 reads a bare `on` key as true
    if isinstance(on, str):
        return {on: None}
    if isinstance(on, list):
        return {str(event): None for event in on}
    if isinstance(on, dict):
        return {str(event): spec for event, spec in on.items()}
    return None


def _push_on_branches(spec: object) -> bool:
    """`push` filtered to tags only (no branch filter) runs for releases, not for changes."""
    if not isinstance(spec, dict):
        return True
    tags_only = bool({"tags", "tags-ignore"} & spec.keys())
    return not tags_only or bool({"branches", "branches-ignore"} & spec.keys())


def _not_on_change_reason(ci: CIFile) -> str | None:
    events = _github_events(ci)
    if events is None:  # unparseable here; GitHub may still read it, so give it the benefit
        return None
    for event, spec in events.items():
        if event in _CHANGE_EVENTS and (event != "push" or _push_on_branches(spec)):
            return None
    names = ", ".join(sorted(events)) or "no event"
    return f"workflow runs only on {names}, not on pushes or pull requests"


@dataclass(frozen=True)
class Trigger:
    """When a CI file's commands run: at all (``runs``) and for every change (``why_not`` None)."""

    runs: bool
    why_not: str | None  # why it does not run for every change; None when it does


def change_triggers(ctx: RepoContext) -> dict[str, Trigger]:
    """CI file path -> when it runs.

    GitHub workflows are read for their ``on:`` events; other CI systems run on every push;
    tox/nox definitions run only when a pipeline calls tox/nox, and on every change only when
    a change-triggered pipeline does.
    """
    files = ctx.fact(ci_files)
    triggers: dict[str, Trigger] = {}
    for f in files:
        if f.is_pipeline:
            why = _not_on_change_reason(f) if f.system == "GitHub Actions" else None
            triggers[f.path] = Trigger(runs=True, why_not=why)
    for f in files:
        if f.is_pipeline:
            continue
        runner = f.system.split()[0]
        callers = {
            hit.path: triggers[hit.path]
            for hit in _lines_naming(ctx, runner)
            if hit.path in triggers
        }
        if any(t.why_not is None for t in callers.values()):
            triggers[f.path] = Trigger(runs=True, why_not=None)
        elif callers:
            path, caller = next(iter(callers.items()))
            why = f"{runner} is called only from {path}: {caller.why_not}"
            triggers[f.path] = Trigger(runs=True, why_not=why)
        else:
            triggers[f.path] = Trigger(False, f"no CI pipeline runs {runner}")
    return triggers


def split_by_trigger(
    ctx: RepoContext, hits: list[Evidence], *, every_change: bool = True
) -> tuple[list[Evidence], list[Evidence]]:
    """Hits in files that run (for every change, unless ``every_change`` is False), and the rest.

    The rest carry the reason in their message. Pre-commit hooks run on every commit where
    they are installed, so they are kept.
    """
    triggers = ctx.fact(change_triggers)
    kept: list[Evidence] = []
    dropped: list[Evidence] = []
    for hit in hits:
        trigger = triggers.get(hit.path or "", Trigger(runs=True, why_not=None))
        counts = trigger.why_not is None if every_change else trigger.runs
        if counts:
            kept.append(hit)
        else:
            note = f"{hit.message}, but {trigger.why_not}"
            dropped.append(hit.model_copy(update={"message": note}))
    return kept, dropped


@dataclass(frozen=True)
class PullRequestTrigger:
    """Whether one pipeline runs for pull/merge requests: True, False, or None (cannot tell)."""

    runs: bool | None
    evidence: Evidence


_GITHUB_PR_EVENTS = ("pull_request", "pull_request_target", "merge_group")


def _first_line(ci: CIFile, rx: str) -> tuple[int, str] | None:
    hits = match_lines(ci.path, ci.lines, {"": re.compile(rx, re.IGNORECASE)}, limit=1)
    return (hits[0].line or 0, hits[0].excerpt or "") if hits else None


def _trigger(
    ci: CIFile, runs: bool | None, message: str, rx: str | None = None
) -> PullRequestTrigger:
    where = _first_line(ci, rx) if rx else None
    line, excerpt = where if where else (None, None)
    evidence = Evidence(message=message, path=ci.path, line=line, excerpt=excerpt)
    return PullRequestTrigger(runs, evidence)


def _github_pr_trigger(ci: CIFile) -> PullRequestTrigger:
    events = _github_events(ci)
    if events is None:
        return _trigger(ci, None, "workflow could not be parsed as YAML with an 'on:' key")
    found = [e for e in _GITHUB_PR_EVENTS if e in events]
    if found:
        return _trigger(
            ci, True, f"GitHub workflow runs on {', '.join(found)}", rf"\b(?:{'|'.join(found)})\b"
        )
    names = ", ".join(sorted(events)) or "no event"
    return _trigger(ci, False, f"GitHub workflow runs on {names}, not on pull requests", r"^on:")


def _gitlab_mr_trigger(ci: CIFile) -> PullRequestTrigger:
    mr = r"^(?!.*(?:except|!=)).*(?:merge_request_event|\bmerge_requests\b|CI_MERGE_REQUEST_IID)"
    if _first_line(ci, mr):
        return _trigger(ci, True, "GitLab pipeline runs for merge requests", mr)
    if not _first_line(ci, r"^\s*(?:rules|only|except|workflow)\s*:"):
        return _trigger(
            ci,
            True,
            "GitLab runs this pipeline for every pushed branch (no rules/only filters); "
            "merge requests from branches of the same project show it (not those from forks)",
        )
    return _trigger(
        ci,
        None,
        "GitLab jobs are filtered by rules/only and none names merge requests: whether "
        "they run for merge requests could not be determined",
        r"^\s*(?:rules|only|except|workflow)\s*:",
    )


def _jenkins_trigger(ci: CIFile) -> PullRequestTrigger:
    hint = r"changeRequest|change_request|CHANGE_ID|CHANGE_TARGET"
    if _first_line(ci, hint):
        return _trigger(ci, True, "Jenkins pipeline has stages for change requests", hint)
    return _trigger(
        ci,
        None,
        "Jenkins builds pull requests when its multibranch job discovers them: "
        "that is Jenkins configuration, not visible in the repository",
    )


def _default_on_trigger(ci: CIFile) -> PullRequestTrigger:
    if ci.system == "Azure Pipelines" and _first_line(ci, r"^pr\s*:\s*(?:none|false)\s*$"):
        return _trigger(ci, False, "Azure pipeline disables pull request builds", r"^pr\s*:")
    return _trigger(
        ci,
        True,
        f"{ci.system} builds pull requests (or every pushed branch) unless turned off "
        "in its settings",
    )


def _mention_trigger(ci: CIFile) -> PullRequestTrigger:
    rx = r"pull_request|pull-requests"
    if _first_line(ci, rx):
        return _trigger(ci, True, f"{ci.system} pipeline runs for pull requests", rx)
    return _trigger(ci, None, f"{ci.system}: pull request builds are not visible in the file")


_PR_TRIGGER_RULES = {
    "GitHub Actions": _github_pr_trigger,
    "GitLab CI": _gitlab_mr_trigger,
    "Jenkins": _jenkins_trigger,
    "Jenkins (JePL)": _jenkins_trigger,
    "Travis CI": _default_on_trigger,
    "Azure Pipelines": _default_on_trigger,
    "AppVeyor": _default_on_trigger,
    "CircleCI": _default_on_trigger,
}


def pull_request_triggers(ctx: RepoContext) -> tuple[PullRequestTrigger, ...]:
    """For each pipeline, whether it runs before a pull/merge request is merged."""
    return tuple(
        _PR_TRIGGER_RULES.get(ci.system, _mention_trigger)(ci) for ci in ctx.fact(pipelines)
    )
