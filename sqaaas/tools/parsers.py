"""Parsers from each tool's machine-readable output to normalised findings.

One small function per output format, registered by the name criteria/tools.yml uses.
Severities are normalised to error / warning / style / info.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePath

from sqaaas.safeparse import Limits, load_xml
from sqaaas.safeparse import ParseError as SafeParseError
from sqaaas.tools.spec import Confidence, Severity


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
    confidence: Confidence | None = None  # where the tool says how sure it is (bandit)


@dataclass
class Parsed:
    findings: list[ToolFinding] = field(default_factory=list)
    score: float | None = None
    #: findings the repository suppressed inline and the tool honoured (bandit's # nosec)
    suppressed: int = 0
    #: the same, per file where the tool says (so per-file cached results keep them)
    suppressed_in: dict[str, int] = field(default_factory=dict)


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


_FLAKE8 = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?P<code>[A-Z]+\d+) (?P<msg>.*)$")


@parser("flake8_text")
def flake8_text(stdout: str, root: PurePath) -> Parsed:
    """flake8's default format. pycodestyle's own split: E (errors) and W (warnings)."""
    findings = []
    for line in stdout.splitlines():
        if m := _FLAKE8.match(line):
            kind = m["code"][0]
            severity = "error" if kind == "E" else "warning" if kind == "W" else "info"
            findings.append(
                ToolFinding(
                    _rel(m["path"], root), int(m["line"]), m["code"], m["msg"],
                    severity,  # type: ignore[arg-type]
                    int(m["col"]),
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


_BANDIT_LEVEL = {"HIGH": "error", "MEDIUM": "warning", "LOW": "info"}


@parser("bandit_json")
def bandit_json(stdout: str, root: PurePath) -> Parsed:
    """Severity HIGH/MEDIUM/LOW as error/warning/info, and bandit's confidence kept: which
    of them decide is the registry's ``fail_on`` (criteria/tools.yml)."""
    data = _json(stdout)
    if not isinstance(data, dict) or "results" not in data:
        raise ParseError("expected bandit JSON with 'results'")
    findings = []
    for r in data["results"]:
        cwe = (r.get("issue_cwe") or {}).get("id")
        message = r["issue_text"] + (f" (CWE-{cwe})" if cwe else "")
        confidence = str(r.get("issue_confidence") or "").lower()
        findings.append(
            ToolFinding(
                _rel(r["filename"], root),
                r.get("line_number"),
                f"{r['test_id']} {r['test_name']}",
                message,
                _BANDIT_LEVEL.get(r["issue_severity"], "info"),  # type: ignore[arg-type]
                r.get("col_offset"),
                (confidence if confidence in ("high", "medium", "low")  # type: ignore[arg-type]
                 else None),
            )
        )
    metrics = data.get("metrics") or {}
    per_file = {
        _rel(name, root): _nosec(counts)
        for name, counts in (metrics.items() if isinstance(metrics, dict) else ())
        if name != "_totals" and _nosec(counts)
    }
    return Parsed(findings, suppressed=_nosec(metrics.get("_totals") if isinstance(metrics, dict)
                                              else None), suppressed_in=per_file)


def _nosec(counts: object) -> int:
    """Findings bandit left out for a "# nosec" (counted under nosec) or a "# nosec B307"
    naming the test (under skipped_tests)."""
    if not isinstance(counts, dict):
        return 0
    return sum(c for c in (counts.get(k) for k in ("nosec", "skipped_tests"))
               if isinstance(c, int))


#: detect-secrets prints each secret's type; the registry names its detectors (plugins)
SECRET_DETECTORS = {
    "Artifactory Credentials": "ArtifactoryDetector",
    "AWS Access Key": "AWSKeyDetector",
    "Azure Storage Account access key": "AzureStorageKeyDetector",
    "Basic Auth Credentials": "BasicAuthDetector",
    "Cloudant Credentials": "CloudantDetector",
    "Discord Bot Token": "DiscordBotTokenDetector",
    "GitHub Token": "GitHubTokenDetector",
    "GitLab Token": "GitLabTokenDetector",
    "Base64 High Entropy String": "Base64HighEntropyString",
    "Hex High Entropy String": "HexHighEntropyString",
    "IBM Cloud IAM Key": "IbmCloudIamDetector",
    "IBM COS HMAC Credentials": "IbmCosHmacDetector",
    "Public IP (ipv4)": "IPPublicDetector",
    "JSON Web Token": "JwtTokenDetector",
    "Secret Keyword": "KeywordDetector",
    "Mailchimp Access Key": "MailchimpDetector",
    "NPM tokens": "NpmDetector",
    "OpenAI Token": "OpenAIDetector",
    "Private Key": "PrivateKeyDetector",
    "PyPI Token": "PypiTokenDetector",
    "SendGrid API Key": "SendGridDetector",
    "Slack Token": "SlackDetector",
    "SoftLayer Credentials": "SoftlayerDetector",
    "Square OAuth Secret": "SquareOAuthDetector",
    "Stripe Access Key": "StripeDetector",
    "Telegram Bot Token": "TelegramBotTokenDetector",
    "Twilio API Key": "TwilioKeyDetector",
}
#: heuristic detectors: on a line another detector also flags, that one names the finding
_HEURISTIC = ("KeywordDetector", "Base64HighEntropyString", "HexHighEntropyString")


@parser("detect_secrets_json")
def detect_secrets_json(stdout: str, root: PurePath) -> Parsed:
    """One finding per line (named by its most specific detector, code = the plugin name),
    all of severity warning: which detectors decide is the registry's ``fail_on``."""
    data = _json(stdout)
    if not isinstance(data, dict) or "results" not in data:
        raise ParseError("expected detect-secrets JSON with 'results'")
    findings = []
    for path, secrets in data["results"].items():
        by_line: dict[int | None, list[str]] = {}
        for s in secrets:
            by_line.setdefault(s.get("line_number"), []).append(str(s.get("type")))
        for line, kinds in by_line.items():
            detector = min(
                (SECRET_DETECTORS.get(k, k) for k in kinds), key=lambda d: d in _HEURISTIC
            )
            findings.append(
                ToolFinding(
                    _rel(path, root),
                    line,
                    detector,
                    f"possible secret ({', '.join(dict.fromkeys(kinds))}); value not shown",
                    "warning",
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


_GO_SYNTAX = re.compile(r"^(?P<path>.+?\.go):(?P<line>\d+):(?P<col>\d+): (?P<msg>.*)$")


@parser("gofmt_list")
def gofmt_list(output: str, root: PurePath) -> Parsed:
    """``gofmt -l``: the files it would reformat (stdout), syntax errors (stderr). Any other
    line (a file it could not read) is not a result: the run is an error, never a pass."""
    findings = []
    for line in output.splitlines():
        if not line.strip():
            continue
        if m := _GO_SYNTAX.match(line):
            findings.append(ToolFinding(_rel(m["path"], root), int(m["line"]), "syntax",
                                        m["msg"], "error", int(m["col"])))
        elif line.endswith(".go") and ": " not in line:
            findings.append(ToolFinding(
                _rel(line.strip(), root), None, "gofmt",
                "not formatted as gofmt formats it (gofmt -l lists it; gofmt -w fixes it)",
                "warning",
            ))
        else:
            raise ParseError(f"unexpected gofmt output: {line[:200]}")
    return Parsed(findings)


_BIOME_SEVERITY: dict[str, Severity] = {
    "fatal": "error", "error": "error", "warning": "warning", "information": "info",
    "info": "info", "hint": "info",
}


def _biome_path(location: object) -> str | None:
    path = location.get("path") if isinstance(location, dict) else None
    if isinstance(path, dict):  # older reporters: {"file": ...}
        path = path.get("file")
    return path if isinstance(path, str) and path else None


@parser("biome_json")
def biome_json(stdout: str, root: PurePath) -> Parsed:
    """``biome lint --reporter=json``: one finding per diagnostic; the code is Biome's
    category (``lint/suspicious/noDebugger``, ``parse`` for a syntax error). An error that
    names no file (a configuration Biome refused) means nothing was checked: an error."""
    data = _json(stdout)
    if not isinstance(data, dict) or not isinstance(data.get("diagnostics"), list):
        raise ParseError("expected Biome JSON with 'diagnostics'")
    findings = []
    for d in data["diagnostics"]:
        severity = _BIOME_SEVERITY.get(str(d.get("severity")), "info")
        location = d.get("location") or {}
        path = _biome_path(location)
        message = str(d.get("message") or d.get("description") or "").strip()
        if path is None:
            if severity == "error":
                raise ParseError(f"Biome did not check the files: {message[:300]}")
            continue
        start = location.get("start") or {}
        findings.append(ToolFinding(
            _rel(path, root), start.get("line"), str(d.get("category") or "biome"),
            message, severity, start.get("column"),
        ))
    return Parsed(findings)


_FLAWFINDER_LEVEL: dict[int, Severity] = {5: "error", 4: "warning"}


@parser("flawfinder_csv")
def flawfinder_csv(stdout: str, root: PurePath) -> Parsed:
    """``flawfinder --csv``: risk level 5 (gets, ...) is an error, 4 (strcpy, system with a
    variable argument...) a warning, lower levels info."""
    rows = csv.DictReader(io.StringIO(stdout))
    if stdout.strip() and (rows.fieldnames is None or "Level" not in rows.fieldnames):
        raise ParseError("expected flawfinder CSV with a 'Level' column")
    findings = []
    for row in rows:
        try:
            level = int(row["Level"])
            line = int(row["Line"])
        except (TypeError, ValueError):
            raise ParseError(f"unreadable flawfinder row: {str(row)[:200]}") from None
        suggestion = (row.get("Suggestion") or "").strip()
        findings.append(ToolFinding(
            _rel(row["File"], root), line,
            f"{row.get('RuleId') or 'FF'} {row.get('Name') or ''}".strip(),
            (row.get("Warning") or "").strip() + (f" {suggestion}" if suggestion else "")
            + f" (risk level {level})",
            _FLAWFINDER_LEVEL.get(level, "info"),
            int(row["Column"]) if (row.get("Column") or "").isdigit() else None,
        ))
    return Parsed(findings)


_CHECKSTYLE_SEVERITY: dict[str, Severity] = {"error": "error", "warning": "warning",
                                             "info": "info"}
_CHECKSTYLE_LIMITS = Limits(max_bytes=20_000_000, max_nodes=5_000_000)  # over the output cap
_CHECKER = "com.puppycrawl.tools.checkstyle.Checker"


def _checkstyle_code(source: str) -> str:
    """``com.puppycrawl.tools.checkstyle.checks.naming.MethodNameCheck`` -> ``MethodName``."""
    return source.rsplit(".", 1)[-1].removesuffix("Check") or "checkstyle"


def _number(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() and int(text) > 0 else None


@parser("checkstyle_xml")
def checkstyle_xml(stdout: str, root: PurePath) -> Parsed:
    """``checkstyle -f xml``: one finding per ``<error>``, coded by its check's short name.
    A file Checkstyle could not parse (its exception, logged by the Checker) is a warning
    saying the file was not checked: Checkstyle 8's grammar ends at Java 14, so newer
    valid syntax must not read as a style violation."""
    try:
        report = load_xml(stdout.encode("utf-8", "replace"), source="Checkstyle report",
                          limits=_CHECKSTYLE_LIMITS)
    except SafeParseError as exc:
        raise ParseError(str(exc)) from None
    if report.tag != "checkstyle":
        raise ParseError("expected a Checkstyle XML report")
    findings = []
    for file in report.iter("file"):
        path = _rel(file.get("name") or "", root)
        for error in file.iter("error"):
            source = error.get("source") or ""
            message = (error.get("message") or "").strip()
            line, column = _number(error.get("line")), _number(error.get("column"))
            if source == _CHECKER:
                cause = message.rsplit("Caused by: ", 1)[-1].splitlines()[0][:200]
                findings.append(ToolFinding(
                    path, line, "not-parsed",
                    f"not checked: Checkstyle cannot parse this file (Java newer than its "
                    f"grammar, or invalid code): {cause}", "warning"))
                continue
            severity = _CHECKSTYLE_SEVERITY.get(error.get("severity") or "", "info")
            findings.append(ToolFinding(path, line, _checkstyle_code(source), message,
                                        severity, column))
    return Parsed(findings)


_GOSCAN_SEVERITY: dict[str, Severity] = {"HIGH": "error", "MEDIUM": "warning", "LOW": "info"}
_CONFIDENCE: dict[str, Confidence] = {"HIGH": "high", "MEDIUM": "medium", "LOW": "low"}


@parser("goscan_json")
def goscan_json(stdout: str, root: PurePath) -> Parsed:
    """sqaaas.tools.goscan's JSON: severity HIGH/MEDIUM/LOW as error/warning/info with the
    rule's confidence, as for bandit; a file it could not read makes the run an error."""
    data = _json(stdout)
    if not isinstance(data, dict) or not isinstance(data.get("findings"), list):
        raise ParseError("expected the Go security scan's JSON with 'findings'")
    if errors := data.get("errors"):
        raise ParseError(f"files not read: {'; '.join(str(e) for e in errors[:3])}")
    findings = []
    for f in data["findings"]:
        if not isinstance(f, dict):
            raise ParseError("a finding is not an object")
        findings.append(ToolFinding(
            _rel(str(f.get("path") or ""), root), f.get("line"), str(f.get("code") or "go"),
            str(f.get("message") or ""), _GOSCAN_SEVERITY.get(str(f.get("severity")), "info"),
            f.get("column"), _CONFIDENCE.get(str(f.get("confidence"))),
        ))
    return Parsed(findings, suppressed=int(data.get("suppressed") or 0))
