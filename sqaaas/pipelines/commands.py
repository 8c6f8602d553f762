"""The one place that turns a pipeline step into commands: every CI target and ``sqaaas run``
use these functions, so a step checks exactly the same thing wherever it runs.

A step is one of three kinds:

* ``tools`` (neither ``tool`` nor ``commands``): every registry tool (criteria/tools.yml)
  that decides a subcriterion of its criterion in CI, each on the files it covers;
* ``tool``: one of them, plus the step's ``args``;
* ``commands``: the user's shell commands, run as given (cwd: the step's repository).

sqaaas is not on PyPI, so no step installs it: ``tools`` and ``tool`` steps install the
tools themselves at the versions the tools image runs and read their exit status
(``sqaaas.pipelines.toolci``). Only when the spec names how to install sqaaas
(``sqaaas_requirement``) does a pipeline get one more step, the full ``sqaaas assess
--fail-under <level>`` with its JSON and SARIF reports (:func:`assess_lines`).

Every command runs with the step's repository folder (its subfolder when set) as working
directory. Commands are POSIX shell lines quoted with :func:`shlex.join`; renderers must
still quote the lines for their file format.
"""

from __future__ import annotations

import posixpath
import re
import shlex
from collections.abc import Sequence
from enum import StrEnum

from sqaaas.core.catalogue import default_catalogue
from sqaaas.pipelines import toolci
from sqaaas.pipelines.spec import PipelineSpec, SpecError, Step
from sqaaas.tools.spec import ToolSpec, default_tools

REPORTS_DIR = "reports"
SQAAAS = "sqaaas"


class StepKind(StrEnum):
    TOOLS = "tools"
    TOOL = "tool"
    COMMANDS = "commands"


def step_kind(step: Step) -> StepKind:
    """Which of the three kinds ``step`` is (``tool`` and ``commands`` exclude each other)."""
    if step.commands:
        return StepKind.COMMANDS
    if step.tool:
        return StepKind.TOOL
    return StepKind.TOOLS


def registry_tool(step: Step, criterion: str) -> ToolSpec:
    """The registry entry of a ``tool`` step; it must decide a subcriterion of ``criterion``
    in CI (a tool whose findings are only evidence has no verdict to give there)."""
    tools = default_tools()
    if step.tool not in tools:
        known = ", ".join(sorted(tools))
        raise SpecError(f"step {step.name}: unknown tool {step.tool!r} (known: {known})")
    spec = tools[step.tool]
    if spec.not_automated:
        raise SpecError(f"step {step.name}: tool {spec.name} is not run: {spec.not_automated}")
    if not toolci.ci_checks(criterion, spec.name):
        deciding = sorted({c.tool.name for c in toolci.ci_checks(criterion)})
        raise SpecError(
            f"step {step.name}: tool {spec.name} decides no subcriterion of {criterion} in CI "
            f"(tools that do: {', '.join(deciding) or 'none'})"
        )
    return spec


def evidenced(tool: ToolSpec, criterion: str) -> list[str]:
    """Subcriteria of ``criterion`` that ``tool`` evidences (``QC.Sty`` -> ``QC.Sty01``...)."""
    return sorted(s for s in tool.evidences if re.match(rf"{re.escape(criterion)}\d", s))


def validate(spec: PipelineSpec) -> None:
    """Checks that need the registries (the spec model alone cannot know them)."""
    catalogue = default_catalogue()
    known = {c.id for c in catalogue.of_baseline("software")}
    if spec.fail_under is not None and spec.fail_under not in catalogue.level_names:
        raise SpecError(f"fail_under: {spec.fail_under!r} is not a badge level "
                        f"({', '.join(catalogue.level_names)})")
    for criterion, steps in spec.criteria.items():
        if criterion not in known:
            raise SpecError(f"criteria: unknown criterion {criterion} (see 'sqaaas criteria')")
        for step in steps:
            kind = step_kind(step)
            if kind is StepKind.TOOL:
                registry_tool(step, criterion)
            elif kind is StepKind.TOOLS and not toolci.ci_checks(criterion):
                raise SpecError(
                    f"step {step.name}: no registry tool checks {criterion} in CI without "
                    "sqaaas (sqaaas is not on PyPI); give the step 'commands', or set "
                    "'sqaaas_requirement' (its sqaaas assess step checks every criterion) and "
                    "remove this step"
                )


def step_tools(step: Step, criterion: str) -> list[ToolSpec]:
    """The registry tools a ``tools`` or ``tool`` step runs (none for ``commands``)."""
    kind = step_kind(step)
    if kind is StepKind.COMMANDS:
        return []
    return toolci.tools_of(criterion, step.tool if kind is StepKind.TOOL else None)


def step_lines(step: Step, criterion: str) -> list[str]:
    """Shell lines that run the step (after its install commands), in order; the step failed
    when any of them exits non-zero."""
    kind = step_kind(step)
    if kind is StepKind.COMMANDS:
        return list(step.commands)
    if kind is StepKind.TOOL:
        registry_tool(step, criterion)
        return toolci.check_lines(criterion, step.tool, step.args)
    return toolci.check_lines(criterion)


def install_commands(step: Step, criterion: str, *, sudo: bool = False,
                     python: str = "python") -> list[str]:
    """Shell lines that prepare a fresh Debian-based Python image (or a CI runner, with
    ``sudo``) for a ``tools``/``tool`` step: the Debian packages of its tools, git (the files
    are listed with ``git ls-files``) trusted on a checkout owned by another user, its PyPI
    tools pinned, its npm tools pinned. ``commands`` steps install nothing: their image is
    the user's."""
    tools = step_tools(step, criterion)
    if not tools:
        return []
    return tool_install_lines(tools, sudo=sudo, python=python)


def tool_install_lines(tools: Sequence[ToolSpec], *, sudo: bool = False,
                       python: str = "python") -> list[str]:
    """Install lines for ``tools`` (see :func:`install_commands`)."""
    apt = ["sudo", "apt-get"] if sudo else ["apt-get"]
    quiet = ["-y", "-qq", "--no-install-recommends"]
    debian = sorted({t.package.debian for t in tools if t.package and t.package.debian})
    pypi = sorted(filter(None, (toolci.pinned_requirement(t) for t in tools)))
    npm = sorted(filter(None, (toolci.npm_requirement(t) for t in tools)))
    lines: list[str] = []
    if debian:
        lines.append(shell_line([*apt, "update", "-qq"]))
        lines.append(shell_line([*apt, "install", *quiet, *debian]))
    lines.append(git_install_line(sudo=sudo))
    lines.append(shell_line(["git", "config", "--global", "--add", "safe.directory", "*"]))
    if pypi:
        lines.append(shell_line([python, "-m", "pip", "install", "--quiet", *pypi]))
    if npm:
        lines.append(_package_if_missing("npm", ["nodejs", "npm"], sudo=sudo))
        lines.append(shell_line(["npm", "install", "--global", "--ignore-scripts",
                                 "--no-audit", "--no-fund", *npm]))
    return lines


def _package_if_missing(command: str, packages: list[str], *, sudo: bool = False) -> str:
    """Shell line installing Debian ``packages`` with apt-get unless ``command`` exists."""
    apt = ["sudo", "apt-get"] if sudo else ["apt-get"]
    update = shell_line([*apt, "update", "-qq"])
    install = shell_line([*apt, "install", "-y", "-qq", "--no-install-recommends", *packages])
    return f"command -v {command} >/dev/null 2>&1 || {{ {update} && {install}; }}"


def git_install_line(*, sudo: bool = False) -> str:
    """Shell line installing git with apt-get unless the image already has it."""
    return _package_if_missing("git", ["git"], sudo=sudo)


def needs_python(step: Step) -> bool:
    """Whether the step's commands need a Python with pip (``tools`` and ``tool`` steps)."""
    return step_kind(step) is not StepKind.COMMANDS


def shell_line(argv: Sequence[str]) -> str:
    """POSIX shell text for ``argv``: every word quoted as needed, nothing expanded."""
    return shlex.join(argv)


def assess_install(spec: PipelineSpec, *, sudo: bool = False,
                   python: str = "python") -> list[str]:
    """Install lines of the sqaaas assess step (none without ``sqaaas_requirement``)."""
    if spec.sqaaas_requirement is None:
        return []
    return [git_install_line(sudo=sudo),
            shell_line(["git", "config", "--global", "--add", "safe.directory", "*"]),
            shell_line([python, "-m", "pip", "install", "--quiet", spec.sqaaas_requirement])]


def assess_lines(spec: PipelineSpec, reports_dir: str = REPORTS_DIR) -> list[str]:
    """The sqaaas assess step: SARIF for code scanning, then the JSON report, failing under
    the spec's ``fail_under`` level (none without ``sqaaas_requirement``).

    The tools run in place: a CI job is a throw-away sandbox with no container engine.
    """
    if spec.sqaaas_requirement is None:
        return []
    sarif = posixpath.join(reports_dir, "sqaaas.sarif")
    report = posixpath.join(reports_dir, "sqaaas.json")
    gate = ["--fail-under", spec.fail_under] if spec.fail_under else []
    return [
        shell_line([SQAAAS, "assess", ".", "--format", "sarif", "--output", sarif, "--quiet"]),
        shell_line([SQAAAS, "assess", ".", *gate, "--format", "json", "--output", report,
                    "--quiet"]),
    ]


#: what the assess step needs in its environment (sqaaas/tools/executor.py)
ASSESS_ENV = {"SQAAAS_TOOLS_IN_PLACE": "1"}


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
