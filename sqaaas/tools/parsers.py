"""Parsers from each tool's machine-readable output to normalised findings.

One small function per output format, registered by the name criteria/tools.yml uses.
Severities are normalised to error / warning / style / info.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePath

from sqaaas.tools.spec import Severity


class ParseError(Exception):
    """The tool's output was not what its parser expects (an error outcome, never a pass)."""


@dataclass(frozen=True)
class ToolFinding:
    path: str
    line: int | None
    code: str
    message: str
    severity: Severity
    column: int | None = None


@dataclass
class Parsed:
    findings: list[ToolFinding] = field(default_factory=list)
    score: float | None = None


Parser = Callable[[str, PurePath], Parsed]
PARSERS: dict[str, Parser] = {}


def parser(name: str) -> Callable[[Parser], Parser]:
    def register(func: Parser) -> Parser:
        PARSERS[name] = func
        return func

    return register


def _rel(path: str, root: PurePath) -> str:
    """Repository-relative POSIX path for whatever form the tool printed (``root`` is where
    the tool saw the repository: /src in the tools container)."""
    candidate = Path(path)
    if candidate.is_absolute():
        if candidate.is_relative_to(root):
            return candidate.relative_to(root).as_posix()
        try:
            return candidate.resolve().relative_to(root).as_posix()
        except (ValueError, OSError):
            return candidate.as_posix()
    return candidate.as_posix().removeprefix("./")


def _json(stdout: str) -> object:
    try:
        return json.loads(stdout) if stdout.strip() else None
    except json.JSONDecodeError as exc:
        raise ParseError(f"output is not JSON ({exc.msg} at char {exc.pos})") from None


@parser("pylint_json2")
def pylint_json2(stdout: str, root: PurePath) -> Parsed:
    data = _json(stdout)
    if not isinstance(data, dict) or "messages" not in data:
        raise ParseError("expected pylint json2 output with 'messages'")
    level = {
        "fatal": "error",
        "error": "error",
        "warning": "warning",
        "convention": "style",
        "refactor": "style",
        "info": "info",
    }
    findings = [
        ToolFinding(
            _rel(m["path"], root),
            m.get("line"),
            f"{m['messageId']} {m['symbol']}",
            m["message"],
            level.get(m["type"], "info"),
            m.get("column"),
        )  # type: ignore[arg-type]
        for m in data["messages"]
    ]
    return Parsed(findings, data.get("statistics", {}).get("score"))


@parser("ruff_json")
def ruff_json(stdout: str, root: PurePath) -> Parsed:
    data = _json(stdout) or []
    if not isinstance(data, list):
        raise ParseError("expected a JSON list from ruff")
    findings = []
    for item in data:
        code = item.get("code") or "syntax"
        # Syntax errors and pyflakes' undefined names are bugs; the rest is style per config.
        severity = "error" if code == "syntax" or code.startswith(("E9", "F8")) else "warning"
        loc = item.get("location") or {}
        findings.append(
            ToolFinding(
                _rel(item["filename"], root),
                loc.get("row"),
                code,
                item["message"],
                severity,
                loc.get("column"),
            )
        )
    return Parsed(findings)


@parser("shellcheck_json1")
def shellcheck_json1(stdout: str, root: PurePath) -> Parsed:
    data = _json(stdout) or {"comments": []}
    if not isinstance(data, dict):
        raise ParseError("expected shellcheck json1 output")
    return Parsed(
        [
            ToolFinding(
                _rel(c["file"], root),
                c.get("line"),
                f"SC{c['code']}",
                c["message"],
                c.get("level", "info")
                if c.get("level") in ("error", "warning", "style")
                else "info",
                c.get("column"),
            )
            for c in data.get("comments", [])
        ]
    )


_PARSABLE = re.compile(
    r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): \[(?P<level>\w+)\] (?P<msg>.*?)"
    r"(?: \((?P<code>[\w-]+)\))?$"
)


@parser("yamllint_parsable")
def yamllint_parsable(stdout: str, root: PurePath) -> Parsed:
    findings = []
    for line in stdout.splitlines():
        if m := _PARSABLE.match(line):
            level = "error" if m["level"] == "error" else "warning"
            findings.append(
                ToolFinding(
                    _rel(m["path"], root),
                    int(m["line"]),
                    m["code"] or "yaml",
                    m["msg"],
                    level,
                    int(m["col"]),
                )
            )
    return Parsed(findings)


@parser("hadolint_json")
def hadolint_json(stdout: str, root: PurePath) -> Parsed:
    data = _json(stdout) or []
    if not isinstance(data, list):
        raise ParseError("expected a JSON list from hadolint")
    return Parsed(
        [
            ToolFinding(
                _rel(d["file"], root),
                d.get("line"),
                d["code"],
                d["message"],
                d["level"] if d.get("level") in ("error", "warning", "style") else "info",
                d.get("column"),
            )
            for d in data
        ]
    )


_PYMARKDOWN = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?P<code>\w+): (?P<msg>.*)$")


@parser("pymarkdown_text")
def pymarkdown_text(stdout: str, root: PurePath) -> Parsed:
    findings = [
        ToolFinding(
            _rel(m["path"], root), int(m["line"]), m["code"], m["msg"], "style", int(m["col"])
        )
        for line in stdout.splitlines()
        if (m := _PYMARKDOWN.match(line))
    ]
    return Parsed(findings)


_RSTCHECK = re.compile(r"^(?P<path>.+?):(?P<line>\d+): \((?P<level>[A-Z]+)/\d\) (?P<msg>.*)$")


#: docutils' answer to a directive that would read a file or fetch a URL, which the checks
#: turn off (sqaaas/tools/configs/rst_conf.py): not a fault of the document, so only info
_NO_INSERTION = re.compile(
    r'^(?:"(?:raw|include)" directive disabled\.|File and URL access deactivated; ignoring '
    r'"[\w-]+" directive\.)$'
)
_NOT_READ = " (sqaaas checks documents without reading inserted files or URLs)"


@parser("rstcheck_text")
def rstcheck_text(stdout: str, root: PurePath) -> Parsed:
    level = {"SEVERE": "error", "ERROR": "error", "WARNING": "warning"}
    findings = []
    for line in stdout.splitlines():
        if not (m := _RSTCHECK.match(line)):
            continue
        insertion = bool(_NO_INSERTION.match(m["msg"]))
        findings.append(
            ToolFinding(
                _rel(m["path"], root),
                int(m["line"]),
                m["level"].lower(),
                m["msg"] + (_NOT_READ if insertion else ""),
                "info" if insertion else level.get(m["level"], "info"),  # type: ignore[arg-type]
            )
        )
    return Parsed(findings)


@parser("bandit_json")
def bandit_json(stdout: str, root: PurePath) -> Parsed:
    data = _json(stdout)
    if not isinstance(data, dict) or "results" not in data:
        raise ParseError("expected bandit JSON with 'results'")
    findings = []
    for r in data["results"]:
        severity = {"HIGH": "error", "MEDIUM": "warning"}.get(r["issue_severity"], "info")
        if r.get("issue_confidence") == "LOW":
            severity = "info"  # low-confidence guesses are reported, never decisive
        cwe = (r.get("issue_cwe") or {}).get("id")
        message = r["issue_text"] + (f" (CWE-{cwe})" if cwe else "")
        findings.append(
            ToolFinding(
                _rel(r["filename"], root),
                r.get("line_number"),
                f"{r['test_id']} {r['test_name']}",
                message,
                severity,  # type: ignore[arg-type]
                r.get("col_offset"),
            )
        )
    return Parsed(findings)


@parser("detect_secrets_json")
def detect_secrets_json(stdout: str, root: PurePath) -> Parsed:
    data = _json(stdout)
    if not isinstance(data, dict) or "results" not in data:
        raise ParseError("expected detect-secrets JSON with 'results'")
    findings = []
    for path, secrets in data["results"].items():
        seen: set[int | None] = set()
        for s in secrets:
            if s.get("line_number") in seen:
                continue  # several detectors on one line: one finding
            seen.add(s.get("line_number"))
            findings.append(
                ToolFinding(
                    _rel(path, root),
                    s.get("line_number"),
                    "secret",
                    f"possible secret ({s['type']}); value not shown",
                    "error",
                )
            )
    return Parsed(findings)


@parser("cppcheck_template")
def cppcheck_template(stdout: str, root: PurePath) -> Parsed:
    level = {"error": "error", "warning": "warning"}
    findings = []
    for line in stdout.splitlines():
        parts = line.split("\x1f")
        if len(parts) == 5 and parts[1].isdigit():
            findings.append(
                ToolFinding(
                    _rel(parts[0], root),
                    int(parts[1]),
                    parts[3],
                    parts[4],
                    level.get(parts[2], "style"),
                )
            )  # type: ignore[arg-type]
    return Parsed(findings)


@parser("radon_cc_json")
def radon_cc_json(stdout: str, root: PurePath) -> Parsed:
    data = _json(stdout) or {}
    if not isinstance(data, dict):
        raise ParseError("expected radon cc JSON")
    findings = []
    for path, blocks in data.items():
        if isinstance(blocks, dict):  # {"error": "..."} for files radon cannot parse
            continue
        for b in blocks:
            findings.append(
                ToolFinding(
                    _rel(path, root),
                    b.get("lineno"),
                    f"CC-{b['rank']}",
                    f"{b['type']} {b['name']} has cyclomatic complexity {b['complexity']} "
                    f"(rank {b['rank']})",
                    "info",
                )
            )
    return Parsed(findings)


@parser("radon_mi_json")
def radon_mi_json(stdout: str, root: PurePath) -> Parsed:
    data = _json(stdout) or {}
    if not isinstance(data, dict):
        raise ParseError("expected radon mi JSON")
    return Parsed(
        [
            ToolFinding(
                _rel(path, root),
                None,
                f"MI-{v['rank']}",
                f"maintainability index {v['mi']:.1f} (rank {v['rank']}; A is good, C is hard)",
                "info",
            )
            for path, v in data.items()
            if isinstance(v, dict) and "mi" in v and v.get("rank") != "A"
        ]
    )


_LIZARD = re.compile(r"^(?P<path>.+?):(?P<line>\d+): warning: (?P<msg>.*)$")


@parser("lizard_warnings")
def lizard_warnings(stdout: str, root: PurePath) -> Parsed:
    return Parsed(
        [
            ToolFinding(_rel(m["path"], root), int(m["line"]), "complexity", m["msg"], "info")
            for line in stdout.splitlines()
            if (m := _LIZARD.match(line))
        ]
    )
