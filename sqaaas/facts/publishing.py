"""CI steps that publish the project's artefact (QC.Del02), by the table in criteria/publishing.yml.

What counts as publishing is data: a command (`twine upload`, `docker buildx build --push`,
`npm publish`, matched on every command CI runs, tasks resolved by sqaaas.facts.commands)
or a GitHub Action, optionally only when its step sets an input (`docker/build-push-action`
with `push: true`). An action's inputs are read from the lines of its step.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import yaml

from sqaaas.context import RepoContext
from sqaaas.core.outcomes import Evidence
from sqaaas.datafiles import data_path, load_yaml
from sqaaas.errors import CriteriaDataError
from sqaaas.facts.commands import CommandLine, command_lines

_MAX_HITS = 500  # collected before their triggers are judged
_USES = re.compile(r"(?:^|[\s-])uses:\s*['\"]?([^\s'\"@#]+)")


@dataclass(frozen=True)
class Publisher:
    """One way of publishing: a command regex, or an action with required inputs."""

    label: str
    command: re.Pattern[str] | None = None
    action: str | None = None  # lower-case owner/name[/path]
    inputs: tuple[tuple[str, re.Pattern[str]], ...] = ()
    ci: str | None = None


def _publisher(entry: dict[str, object]) -> Publisher:
    label, command, action = entry["label"], entry.get("command"), entry.get("action")
    inputs = entry.get("with") or {}
    if not isinstance(label, str) or (command is None) == (action is None):
        raise ValueError(f"entry {label!r}: needs a label and exactly one of command/action")
    if not isinstance(inputs, dict) or (inputs and action is None):
        raise ValueError(f"entry {label!r}: 'with' is a mapping, for an action only")
    ci = entry.get("ci")
    return Publisher(
        label,
        re.compile(str(command), re.IGNORECASE) if command is not None else None,
        str(action).lower() if action is not None else None,
        tuple((str(k), re.compile(str(v), re.IGNORECASE)) for k, v in inputs.items()),
        str(ci) if ci is not None else None,
    )


@cache
def publishers() -> tuple[Publisher, ...]:
    """criteria/publishing.yml, validated at first use (a broken regex is named)."""
    path = data_path("criteria") / "publishing.yml"
    try:
        raw = load_yaml(path)
        entries = raw.get("publishers") if isinstance(raw, dict) else None
        if not isinstance(entries, list):
            raise ValueError("a 'publishers' list is expected")
        return tuple(_publisher(entry) for entry in entries)
    except (OSError, yaml.YAMLError, KeyError, TypeError, ValueError, re.error) as exc:
        raise CriteriaDataError(f"{path}: invalid publishing table: {exc}") from exc


def _step_block(lines: list[str], index: int) -> list[str]:
    """The lines of the step whose ``uses:`` is at ``index``: its sibling and deeper keys."""
    key_indent = lines[index].find("uses:")
    block: list[str] = []
    for text in lines[index + 1:]:
        stripped = text.lstrip()
        if not stripped or stripped.startswith("#"):
            continue
        indent = len(text) - len(stripped)
        if indent < key_indent or (indent == key_indent and stripped.startswith("- ")):
            break
        block.append(text)
    return block


class _Steps:
    """Reads the files holding action steps once, to check a step's inputs."""

    def __init__(self, ctx: RepoContext) -> None:
        self.ctx = ctx
        self.files: dict[str, list[str]] = {}

    def inputs_set(
        self, line: CommandLine, inputs: tuple[tuple[str, re.Pattern[str]], ...]
    ) -> bool:
        if not inputs:
            return True
        path, number = line.source
        if path not in self.files:
            file = self.ctx.fs.try_read_text(path, limit=500_000)
            self.files[path] = file.text.splitlines() if file is not None else []
        lines = self.files[path]
        if not number or number > len(lines):
            return False
        block = _step_block(lines, number - 1)
        return all(
            any(
                (m := re.match(rf"\s*{re.escape(key)}\s*:\s*['\"]?(.*)$", text)) and rx.match(m[1])
                for text in block
            )
            for key, rx in inputs
        )


def _uses(text: str) -> str | None:
    found = _USES.search(text)
    return found.group(1).lower() if found else None


def _matches(publisher: Publisher, line: CommandLine, steps: _Steps) -> bool:
    if publisher.ci is not None and line.system != publisher.ci:
        return False
    if publisher.command is not None:
        return publisher.command.search(line.text) is not None
    used = _uses(line.text)
    action = publisher.action or ""
    if used is None or not (used == action or used.startswith(f"{action}/")):
        return False
    return steps.inputs_set(line, publisher.inputs)


def publish_steps(ctx: RepoContext) -> tuple[Evidence, ...]:
    """Commands and action steps of CI that publish an artefact (trigger not yet judged)."""
    table = publishers()
    steps = _Steps(ctx)
    hits: list[Evidence] = []
    for line in ctx.fact(command_lines):
        publisher = next((p for p in table if _matches(p, line, steps)), None)
        if publisher is not None:
            hits.append(line.evidence(publisher.label))
            if len(hits) >= _MAX_HITS:
                break
    return tuple(hits)
