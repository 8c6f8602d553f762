"""Registry tools as plain shell in a generated pipeline, where sqaaas is not installed.

sqaaas is not published on PyPI, so a CI job cannot ``pip install sqaaas``: each step
installs the tools themselves, at the versions the tools image runs (constraints.txt for
PyPI packages, the pin of criteria/tools.yml for npm ones), and runs each one the way its
``ci`` entry in criteria/tools.yml says, so that the tool's exit status is the verdict
``sqaaas assess`` gives for that subcriterion. Files are the tracked files the tool covers
(``git ls-files``), restricted to the product code where the subcriterion's scope is
``product``, with the folder and file names of ``sqaaas.facts.scope`` and
``sqaaas.facts.testsuites``.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from functools import cache

from packaging.utils import canonicalize_name

from sqaaas.datafiles import data_path
from sqaaas.errors import CriteriaDataError
from sqaaas.facts.scope import DOC_DIRS, EXAMPLE_DIRS, VENDORED_DIRS
from sqaaas.facts.testsuites import TEST_FILE, TEST_SUPPORT_DIRS
from sqaaas.tools.spec import CiRun, ToolSpec, default_tools

_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;#]+)")


@dataclass(frozen=True)
class CiCheck:
    """One tool deciding one subcriterion in CI: the tool and its runs."""

    tool: ToolSpec
    subcriterion: str
    runs: tuple[CiRun, ...]
    product_only: bool


@cache
def constraint_pins() -> dict[str, str]:
    """Exact versions of constraints.txt by canonical name: what the tools image installs."""
    pins: dict[str, str] = {}
    for line in data_path("constraints.txt").read_text(encoding="utf-8").splitlines():
        if match := _PIN.match(line.strip()):
            pins[canonicalize_name(match[1])] = match[2]
    return pins


def pinned_requirement(tool: ToolSpec) -> str | None:
    """``name==version`` of a tool's PyPI package (None when it has none)."""
    if not tool.package or not tool.package.pypi:
        return None
    version = constraint_pins().get(canonicalize_name(tool.package.pypi))
    if version is None:
        raise CriteriaDataError(f"tools.yml: {tool.name}: {tool.package.pypi} is not pinned in "
                                "constraints.txt")
    return f"{tool.package.pypi}=={version}"


def npm_requirement(tool: ToolSpec) -> str | None:
    """``name@version`` of a tool's npm package (its ``==`` pin in tools.yml)."""
    if not tool.package or not tool.package.npm:
        return None
    return f"{tool.package.npm}@{str(tool.package.version).removeprefix('==')}"


def ci_checks(criterion: str, tool_name: str | None = None) -> list[CiCheck]:
    """The tool runs that decide subcriteria of ``criterion`` in CI (all registry tools,
    or only ``tool_name``), in registry order."""
    prefix = re.compile(rf"{re.escape(criterion)}\d")
    checks = []
    for tool in default_tools().values():
        if tool_name is not None and tool.name != tool_name:
            continue
        for sub, how in tool.evidences.items():
            if how.ci and prefix.match(sub):
                checks.append(CiCheck(tool, sub, how.ci, how.scope == "product"))
    return checks


def _pathspecs(tool: ToolSpec) -> list[str]:
    """git pathspecs of the files a tool covers, in every folder."""
    return ["." if p == "*" else f":(glob)**/{p}" for p in tool.include]


def _ere(python_regex: str) -> str:
    """The registry's path regexes use only non-capturing groups beyond POSIX ERE."""
    return python_regex.replace("(?:", "(")


@cache
def product_filter() -> str:
    """Shell filter dropping tests, fixtures, examples, docs and vendored code (one path per
    line in, one out): the folder names and test file names of the security scope."""
    dirs = sorted(TEST_SUPPORT_DIRS | EXAMPLE_DIRS | DOC_DIRS | VENDORED_DIRS)
    folders = "(^|/)(" + "|".join(re.escape(d) for d in dirs) + ")/"
    names = "(^|/)" + _ere(TEST_FILE.pattern.removeprefix("^"))
    return (f"grep -Eiv -e {shlex.quote(folders)} | grep -Ev -e {shlex.quote(names)}"
            " || true")


def check_line(check: CiCheck, run: CiRun, extra_args: tuple[str, ...] = ()) -> str:
    """One shell line: list the files, run the tool on them (none: nothing to check, a
    pass, as 'not applicable' is), exit non-zero on a decisive finding."""
    argv = shlex.join([*run.argv, *extra_args])
    listing = "git -c core.quotePath=false ls-files -- " + shlex.join(_pathspecs(check.tool))
    files = f'sqaaas_files="$(mktemp)" && {listing} >"$sqaaas_files"'
    if check.product_only:  # filtered apart, so that a failing git is never a pass
        files += (f' && {{ {product_filter()}; }} <"$sqaaas_files" >"$sqaaas_files.product"'
                  ' && mv "$sqaaas_files.product" "$sqaaas_files"')
    echo = shlex.quote(f"sqaaas: {check.subcriterion} by {check.tool.name}")
    run_it = f'tr "\\n" "\\0" <"$sqaaas_files" | xargs -0 -r {argv}'
    if run.fails_on_output:
        run_it = (f'sqaaas_out="$({run_it})" && printf "%s" "$sqaaas_out" '
                  '&& [ -z "$sqaaas_out" ]')
    return f"echo {echo} && {files} && {run_it}"


def check_lines(criterion: str, tool_name: str | None = None,
                extra_args: tuple[str, ...] = ()) -> list[str]:
    """Every CI line of ``criterion`` (or of one tool), each failing on a decisive finding."""
    return [check_line(c, run, extra_args)
            for c in ci_checks(criterion, tool_name) for run in c.runs]


def tools_of(criterion: str, tool_name: str | None = None) -> list[ToolSpec]:
    """The tools the CI lines of ``criterion`` run, each once."""
    seen: dict[str, ToolSpec] = {}
    for check in ci_checks(criterion, tool_name):
        seen.setdefault(check.tool.name, check.tool)
    return list(seen.values())
