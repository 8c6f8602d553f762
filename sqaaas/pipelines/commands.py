"""The one place that turns a pipeline step into commands: every CI target and ``sqaaas run``
use these functions, so a step checks exactly the same thing wherever it runs.

A step is one of three kinds:

* ``sqaaas`` (neither ``tool`` nor ``commands``): the sqaaas check of its criterion,
  ``sqaaas assess . --criteria QC.X --format json --output <reports>/QC.X.json --quiet``,
  followed by a *gate* (``sqaaas pipeline verdict``) that exits 1 unless the criterion is
  valid in that report: the verdict is the one ``sqaaas assess`` gives.
* ``tool``: one registry tool (criteria/tools.yml) run by ``sqaaas pipeline tool``, with the
  file selection, configuration handling, parser and pass/fail rule that ``sqaaas assess``
  uses for it, plus the step's ``args``.
* ``commands``: the user's shell commands, run as given (cwd: the step's repository).

Every command runs with the step's repository folder (its subfolder when set) as working
directory. Commands are returned as argv lists or as POSIX shell lines quoted with
:func:`shlex.join`; renderers must still quote the lines for their file format.
"""

from __future__ import annotations

import posixpath
import re
import shlex
from collections.abc import Sequence
from enum import StrEnum

from sqaaas.core.catalogue import default_catalogue
from sqaaas.pipelines.spec import DEFAULT_REQUIREMENT, PipelineSpec, SpecError, Step
from sqaaas.tools.spec import ToolSpec, default_tools

REPORTS_DIR = "reports"
SQAAAS = "sqaaas"


class StepKind(StrEnum):
    SQAAAS = "sqaaas"
    TOOL = "tool"
    COMMANDS = "commands"


def step_kind(step: Step) -> StepKind:
    """Which of the three kinds ``step`` is (``tool`` and ``commands`` exclude each other)."""
    if step.commands:
        return StepKind.COMMANDS
    if step.tool:
        return StepKind.TOOL
    return StepKind.SQAAAS


def registry_tool(step: Step, criterion: str) -> ToolSpec:
    """The registry entry of a ``tool`` step; it must evidence a subcriterion of ``criterion``."""
    tools = default_tools()
    if step.tool not in tools:
        known = ", ".join(sorted(tools))
        raise SpecError(f"step {step.name}: unknown tool {step.tool!r} (known: {known})")
    spec = tools[step.tool]
    if not evidenced(spec, criterion):
        raise SpecError(
            f"step {step.name}: tool {spec.name} does not check {criterion} "
            f"(it checks {', '.join(sorted(spec.evidences))})"
        )
    if spec.not_automated:
        raise SpecError(f"step {step.name}: tool {spec.name} is not run: {spec.not_automated}")
    return spec


def evidenced(tool: ToolSpec, criterion: str) -> list[str]:
    """Subcriteria of ``criterion`` that ``tool`` evidences (``QC.Sty`` -> ``QC.Sty01``...)."""
    return sorted(s for s in tool.evidences if re.match(rf"{re.escape(criterion)}\d", s))


def validate(spec: PipelineSpec) -> None:
    """Checks that need the registries (the spec model alone cannot know them)."""
    known = {c.id for c in default_catalogue().of_baseline("software")}
    for criterion, steps in spec.criteria.items():
        if criterion not in known:
            raise SpecError(f"criteria: unknown criterion {criterion} (see 'sqaaas criteria')")
        for step in steps:
            if step_kind(step) is StepKind.TOOL:
                registry_tool(step, criterion)


def report_file(step: Step, criterion: str, reports_dir: str = REPORTS_DIR) -> str | None:
    """Where the step's JSON result goes (None for ``commands`` steps, which write none)."""
    kind = step_kind(step)
    if kind is StepKind.SQAAAS:
        return posixpath.join(reports_dir, f"{criterion}.json")
    if kind is StepKind.TOOL:
        return posixpath.join(reports_dir, f"{criterion}.{step.name}.json")
    return None


def check_argv(step: Step, criterion: str, reports_dir: str = REPORTS_DIR) -> list[str]:
    """argv of the check of a ``sqaaas`` or ``tool`` step, run in the step's repository folder.

    Raises SpecError for a ``commands`` step (its commands are shell text: see
    :func:`step_lines`).
    """
    kind = step_kind(step)
    output = report_file(step, criterion, reports_dir)
    if kind is StepKind.SQAAAS:
        return [
            SQAAAS,
            "assess",
            ".",
            "--criteria",
            criterion,
            "--format",
            "json",
            "--output",
            str(output),
            "--quiet",
        ]
    if kind is StepKind.TOOL:
        tool = registry_tool(step, criterion)
        return [
            SQAAAS,
            "pipeline",
            "tool",
            tool.name,
            ".",
            "--criterion",
            criterion,
            "--output",
            str(output),
            *(f"--arg={arg}" for arg in step.args),
        ]
    raise SpecError(f"step {step.name}: a commands step has no sqaaas check")


def gate_argv(step: Step, criterion: str, reports_dir: str = REPORTS_DIR) -> list[str] | None:
    """argv that fails unless the criterion is valid in the step's report (``sqaaas`` steps;
    ``tool`` checks already exit with their verdict, ``commands`` with their own status)."""
    if step_kind(step) is not StepKind.SQAAAS:
        return None
    return [
        SQAAAS,
        "pipeline",
        "verdict",
        str(report_file(step, criterion, reports_dir)),
        "--criterion",
        criterion,
    ]


def step_lines(step: Step, criterion: str, reports_dir: str = REPORTS_DIR) -> list[str]:
    """Shell lines that run the step (after its install commands), in order; the step failed
    when any of them exits non-zero."""
    if step_kind(step) is StepKind.COMMANDS:
        return list(step.commands)
    lines = [shell_line(check_argv(step, criterion, reports_dir))]
    if gate := gate_argv(step, criterion, reports_dir):
        lines.append(shell_line(gate))
    return lines


def install_commands(
    step: Step,
    requirement: str = DEFAULT_REQUIREMENT,
    *,
    sudo: bool = False,
    python: str = "python",
) -> list[str]:
    """Shell lines that prepare a fresh Debian-based Python image (or a CI runner, with
    ``sudo``) for a ``sqaaas``/``tool`` step: the tool's Debian package if it has one, git
    (sqaaas reads the history) trusted on a checkout owned by another user, then sqaaas
    itself, which brings every PyPI tool of the registry. ``requirement`` is the spec's
    ``sqaaas_requirement``. ``commands`` steps install nothing: their image is the user's."""
    kind = step_kind(step)
    if kind is StepKind.COMMANDS:
        return []
    apt = ["sudo", "apt-get"] if sudo else ["apt-get"]
    lines: list[str] = []
    tool = default_tools()[str(step.tool)] if kind is StepKind.TOOL else None
    if tool and tool.package and tool.package.debian:
        lines.append(shell_line([*apt, "update", "-qq"]))
        quiet = ["-y", "-qq", "--no-install-recommends"]
        lines.append(shell_line([*apt, "install", *quiet, tool.package.debian]))
    lines.append(git_install_line(sudo=sudo))
    lines.append(shell_line(["git", "config", "--global", "--add", "safe.directory", "*"]))
    lines.append(shell_line([python, "-m", "pip", "install", "--quiet", requirement]))
    return lines


def git_install_line(*, sudo: bool = False) -> str:
    """Shell line installing git with apt-get unless the image already has it."""
    apt = ["sudo", "apt-get"] if sudo else ["apt-get"]
    update = shell_line([*apt, "update", "-qq"])
    install = shell_line([*apt, "install", "-y", "-qq", "--no-install-recommends", "git"])
    return f"command -v git >/dev/null 2>&1 || {{ {update} && {install}; }}"


def needs_python(step: Step) -> bool:
    """Whether the step's commands need a Python with pip (``sqaaas`` and ``tool`` steps)."""
    return step_kind(step) is not StepKind.COMMANDS


def shell_line(argv: Sequence[str]) -> str:
    """POSIX shell text for ``argv``: every word quoted as needed, nothing expanded."""
    return shlex.join(argv)


def sarif_argv(target: str = ".", reports_dir: str = REPORTS_DIR) -> list[str]:
    """argv of the full assessment as SARIF, for code scanning (CI targets that show it)."""
    output = posixpath.join(reports_dir, "sqaaas.sarif")
    return [SQAAAS, "assess", target, "--format", "sarif", "--output", output, "--quiet"]


#: POSIX shell that ends a step early (exit 0, "skipped") unless its ``when`` holds: the same
#: rule as :meth:`sqaaas.pipelines.spec.When.matches`. It reads only environment variables
#: (see :func:`when_env`), so no spec value is ever part of the script's text. The target
#: sets SQAAAS_BRANCH (current branch, empty for a tag) and SQAAAS_TAG (tag being built).
WHEN_GATE = """\
sqaaas_when() {
  if [ "$SQAAAS_WHEN_TAG" = true ] && [ -n "$SQAAAS_TAG" ]; then return 0; fi
  [ -n "$SQAAAS_BRANCH" ] || return 1
  case "$SQAAAS_WHEN_COMPARATOR" in
    EQUALS) [ "$SQAAAS_BRANCH" = "$SQAAAS_WHEN_PATTERN" ] ;;
    GLOB) case "$SQAAAS_BRANCH" in $SQAAAS_WHEN_PATTERN) return 0 ;; esac; return 1 ;;
    REGEXP) printf '%s\\n' "$SQAAAS_BRANCH" | grep -Eqx -e "$SQAAAS_WHEN_PATTERN" ;;
    *) return 1 ;;
  esac
}
if ! sqaaas_when; then
  echo "skipped: this step's 'when' condition does not hold"
  exit 0
fi"""


def when_env(step: Step) -> dict[str, str]:
    """Variables :data:`WHEN_GATE` reads for ``step`` (empty: the step always runs)."""
    when = step.when
    if when is None or (when.branch is None and not when.building_tag):
        return {}
    return {
        "SQAAAS_WHEN_TAG": "true" if when.building_tag else "false",
        "SQAAAS_WHEN_COMPARATOR": when.branch.comparator.value if when.branch else "",
        "SQAAAS_WHEN_PATTERN": when.branch.pattern if when.branch else "",
    }
