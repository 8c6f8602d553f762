"""GitHub code scanning's documented constraints on an uploaded SARIF file, as a checker.

Source: GitHub Docs, "SARIF support for code scanning"
(https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning,
moved to .../reference/code-scanning/sarif-files/sarif-support-for-code-scanning), its
"Supported SARIF output file properties" tables and the upload limits of "Uploading a SARIF
file to GitHub"; and the upload action's rejection of a result without a location
("locationFromSarifResult: expected at least one location", github/codeql-action#2459).
Each problem names the rule it breaks, so a failing test says what GitHub would refuse or
mis-track. The JSON schema is checked separately (OASIS schema); Microsoft's SARIF Multitool
checks GitHub's rules independently of this file (tests/test_sarif_github.py).
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

#: upload limits ("Uploading a SARIF file to GitHub"): an analysis over them is rejected
MAX_RUNS = 20
MAX_RESULTS_PER_RUN = 25_000
MAX_RULES_PER_RUN = 25_000
MAX_LOCATIONS_PER_RESULT = 1_000
MAX_TAGS_PER_RULE = 20
LEVELS = {"none", "note", "warning", "error"}


def _text(obj: Any, key: str) -> str:
    value = obj.get(key) if isinstance(obj, dict) else None
    text = value.get("text") if isinstance(value, dict) else None
    return text if isinstance(text, str) else ""


def _rule_problems(where: str, rule: dict[str, Any]) -> Iterator[str]:
    # reportingDescriptor: id, shortDescription.text, fullDescription.text, help.text required
    if not rule.get("id"):
        yield f"{where}: rule without id"
    for key in ("shortDescription", "fullDescription", "help"):
        if not _text(rule, key).strip():
            yield f"{where} ({rule.get('id')}): {key}.text is required"
    uri = rule.get("helpUri")
    if not isinstance(uri, str) or urlsplit(uri).scheme != "https":
        yield f"{where} ({rule.get('id')}): helpUri should be an https URL, got {uri!r}"
    tags = (rule.get("properties") or {}).get("tags") or []
    if len(tags) > MAX_TAGS_PER_RULE:
        yield f"{where}: {len(tags)} tags, over the limit of {MAX_TAGS_PER_RULE}"


def _location_problems(where: str, location: dict[str, Any], files: set[str] | None
                       ) -> Iterator[str]:
    # physicalLocation.artifactLocation.uri: relative to the repository root (or an
    # absolute file URI under the checkout); region.startLine: required
    physical = location.get("physicalLocation") or {}
    uri = (physical.get("artifactLocation") or {}).get("uri")
    if not isinstance(uri, str) or not uri:
        yield f"{where}: physicalLocation.artifactLocation.uri is required"
        return
    parts = urlsplit(uri)
    path = unquote(parts.path)
    if parts.scheme or parts.netloc or path.startswith("/") or "\\" in path:
        yield f"{where}: uri {uri!r} is not relative to the repository root"
    elif ".." in path.split("/") or "." in path.split("/"):
        yield f"{where}: uri {uri!r} is not a normalised repository path"
    elif files is not None and path not in files:
        yield f"{where}: uri {uri!r} names no file of the repository"
    line = (physical.get("region") or {}).get("startLine")
    if not isinstance(line, int) or isinstance(line, bool) or line < 1:
        yield f"{where}: region.startLine (>= 1) is required, got {line!r}"


def _result_problems(where: str, result: dict[str, Any], rule_ids: set[str],
                     files: set[str] | None) -> Iterator[str]:
    # result: ruleId (its rule in tool.driver.rules), message.text, locations (at least one),
    # partialFingerprints (to track the alert across runs), level when given in LEVELS
    rule_id = result.get("ruleId")
    if not rule_id:
        yield f"{where}: ruleId is required"
    elif rule_id not in rule_ids:
        yield f"{where}: ruleId {rule_id!r} has no rule in tool.driver.rules"
    if not _text(result, "message").strip():
        yield f"{where}: message.text is required"
    if result.get("level", "warning") not in LEVELS:
        yield f"{where}: level {result.get('level')!r} is not one of {sorted(LEVELS)}"
    fingerprints = result.get("partialFingerprints")
    if not isinstance(fingerprints, dict) or not fingerprints or not all(
        isinstance(v, str) and v for v in fingerprints.values()
    ):
        yield f"{where}: partialFingerprints are missing, so alerts cannot be tracked"
    locations = result.get("locations")
    if not isinstance(locations, list) or not locations:
        yield f"{where}: no location (GitHub rejects the file: 'expected at least one location')"
        return
    if len(locations) > MAX_LOCATIONS_PER_RESULT:
        yield f"{where}: {len(locations)} locations, over the limit"
    for i, location in enumerate(locations):
        yield from _location_problems(f"{where}.locations[{i}]", location, files)


def _run_problems(where: str, run: dict[str, Any], files: set[str] | None) -> Iterator[str]:
    driver = (run.get("tool") or {}).get("driver") or {}
    if not driver.get("name"):
        yield f"{where}: tool.driver.name is required"
    # runAutomationDetails.id: the analysis category (several uploads for one commit)
    category = (run.get("automationDetails") or {}).get("id")
    if not isinstance(category, str) or not category.strip():
        yield f"{where}: automationDetails.id (the category of the analysis) is missing"
    rules = driver.get("rules") or []
    results = run.get("results")
    if not isinstance(results, list):
        yield f"{where}: results must be present (an empty list when nothing was found)"
        results = []
    if len(rules) > MAX_RULES_PER_RUN or len(results) > MAX_RESULTS_PER_RUN:
        yield f"{where}: {len(rules)} rules / {len(results)} results, over the limits"
    for i, rule in enumerate(rules):
        yield from _rule_problems(f"{where}.tool.driver.rules[{i}]", rule)
    rule_ids = {r.get("id") for r in rules}
    seen: dict[tuple[str, str], int] = {}
    for i, result in enumerate(results):
        yield from _result_problems(f"{where}.results[{i}]", result, rule_ids, files)
        for key, value in (result.get("partialFingerprints") or {}).items():
            pair = (str(result.get("ruleId")), f"{key}={value}")
            if pair in seen:  # two results with one fingerprint become one alert
                yield f"{where}.results[{i}]: same fingerprint as results[{seen[pair]}]"
            seen[pair] = i


def github_problems(log: dict[str, Any], files: set[str] | None = None) -> list[str]:
    """What GitHub code scanning would refuse or mis-track in ``log``; [] when none.

    ``files``: the repository's files (repository-relative); when given, every location must
    name one of them.
    """
    problems = []
    if log.get("version") != "2.1.0":
        problems.append(f"version must be 2.1.0, got {log.get('version')!r}")
    runs = log.get("runs")
    if not isinstance(runs, list):
        return [*problems, "runs must be present"]
    if len(runs) > MAX_RUNS:
        problems.append(f"{len(runs)} runs, over the limit of {MAX_RUNS}")
    for i, run in enumerate(runs):
        problems += _run_problems(f"runs[{i}]", run, files)
    return problems


def tracked_files(repo: Path) -> set[str]:
    """The files of the repository's commit, as GitHub sees them (``git ls-files``)."""
    out = subprocess.run(["git", "-C", str(repo), "ls-files", "-z"], check=True,
                         capture_output=True, text=True).stdout
    return {name for name in out.split("\0") if name}


#: the Gh rules ask for these; SARIF2006 (URIs reachable) would fetch URLs: tests stay offline
_MULTITOOL_CONFIG = """<?xml version="1.0" encoding="utf-8"?>
<Properties>
  <Properties Key="SARIF2006.UrisShouldBeReachable.Options">
    <Property Key="RuleEnabled" Value="Disabled" />
  </Properties>
</Properties>
"""


def multitool_problems(exe: Path, log: dict[str, Any], workdir: Path) -> list[str]:
    """Errors and warnings of Microsoft's SARIF Multitool (``validate``, its GitHub "Gh" and
    SARIF rule kinds) on ``log``: "RULE: message" each; [] when it accepts the file."""
    target, out, config = workdir / "checked.sarif", workdir / "multitool.sarif", workdir / "mt.xml"
    target.write_text(json.dumps(log), encoding="utf-8")
    config.write_text(_MULTITOOL_CONFIG, encoding="utf-8")
    proc = subprocess.run(
        [str(exe), "validate", "--rule-kind", "Gh;Sarif", "--level", "Error;Warning",
         "--config", str(config), "--log", "ForceOverwrite", "-o", str(out), str(target)],
        capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL,
        env={**os.environ, "DOTNET_SYSTEM_GLOBALIZATION_INVARIANT": "1"},
    )
    if not out.is_file():
        raise AssertionError(f"SARIF Multitool did not run: {proc.stdout[-500:]}{proc.stderr}")
    found = json.loads(out.read_text(encoding="utf-8"))
    return [
        f"{r['ruleId']}: {r['message'].get('text') or r['message'].get('arguments')}"
        for run in found["runs"]
        for r in run.get("results", [])
        if r.get("level", "warning") in ("error", "warning")
    ]
