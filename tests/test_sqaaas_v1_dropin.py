"""``--format sqaaas-v1`` is drop-in for the original SQAaaS's consumers.

The referee is a real report of the original service (tests/data/sqaaas-v1/, see its
README): both documents are walked path by path (keys, value types, value vocabularies) and
ours may differ only by the additions, unknowns and omissions sqaaas_v1 documents.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from sqaaas.core.catalogue import default_catalogue
from sqaaas.report import sqaaas_v1
from sqaaas.report.v1_ids import v1_ids
from tests.conftest import assess_repo
from tests.report_samples import make_report
from tests.repos import good_repo_files

ORIGINAL = (Path(__file__).parent / "data" / "sqaaas-v1"
            / "original-sqaaas-report-FAIR_eva-3.5.0.json")
DOCS = Path(__file__).parent.parent / "docs" / "report-format.md"
#: values whose words a consumer matches: path -> the original's vocabulary
VOCABULARIES = {
    "repository[].badge_status": {"no_badge", *default_catalogue().level_names},
    "report.*.subcriteria.*.requirement_level": {"MUST", "SHOULD", "MAY"},
    "report.*.subcriteria.*.evidence[].tool.level": {"REQUIRED", "RECOMMENDED", "OPTIONAL"},
}
#: free-form values: only their own type is compared, not what is inside
OPAQUE = ("report.*.subcriteria.*.evidence[].data_unstructured",)


def _type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    return {float: "number", str: "string", list: "array", dict: "object"}[type(value)]


def _walk(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """(normalised path, value) of every node: criterion, subcriterion and badge level names
    become ``*``, list items ``[]``; opaque values are not entered."""
    yield path, value
    if path in OPAQUE:
        return
    if isinstance(value, dict):
        for key, item in value.items():
            wild = path == "report" or path.endswith(".subcriteria") or bool(
                re.fullmatch(r"badge\.[^.]+\.criteria", path))
            yield from _walk(item, f"{path}.{'*' if wild else key}" if path else key)
    elif isinstance(value, list):
        for item in value:
            yield from _walk(item, f"{path}[]")


def shape(doc: dict) -> dict[str, set[str]]:
    """normalised path -> the value types seen there."""
    found: dict[str, set[str]] = {}
    for path, value in _walk(doc):
        found.setdefault(path, set()).add(_type(value))
    return found


def _covered(path: str, patterns: tuple[str, ...]) -> bool:
    return any(path == p or (p.endswith(".*") and path.startswith(p[:-1])) or
               path.startswith(p + ".") or path.startswith(p + "[]") for p in patterns)


def differences(ours: dict, original: dict) -> list[str]:
    """Every way ``ours`` departs from ``original`` beyond what sqaaas_v1 documents."""
    mine, theirs = shape(ours), shape(original)
    problems = []
    # below a value the original also left null (tool.docker), its sub-keys are moot
    nulls = tuple(p for p, t in mine.items() if t == {"null"} and "null" in theirs.get(p, ()))
    for path, types in theirs.items():
        if path not in mine:
            if not _covered(path, sqaaas_v1.NOT_WRITTEN + sqaaas_v1.UNKNOWN + nulls):
                problems.append(f"missing: {path} ({'/'.join(sorted(types))})")
            continue
        extra = mine[path] - types - ({"null"} if _covered(path, sqaaas_v1.UNKNOWN) else set())
        if extra:
            problems.append(f"type: {path} is {sorted(mine[path])}, original {sorted(types)}")
    problems += [f"added: {path}" for path in mine
                 if path not in theirs and not _covered(path, sqaaas_v1.ADDITIONS)]
    levels = set(original["badge"]["software"]["criteria"])
    if set(ours["badge"]["software"]["criteria"]) != levels:
        problems.append(f"vocabulary: badge.software.criteria levels are not {sorted(levels)}")
    for path, words in VOCABULARIES.items():
        used = {v for p, v in _walk(ours) if p == path}
        if used - words:
            problems.append(f"vocabulary: {path} has {sorted(used - words)}")
    return problems


def _original() -> dict:
    return json.loads(ORIGINAL.read_text(encoding="utf-8"))


# --- the comparison itself catches each kind of departure -----------------------------------


def test_the_original_matches_itself() -> None:
    assert differences(_original(), _original()) == []


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (lambda d: d["report"]["QC.Ver"]["coverage"].update(percentage=66.67), "type: report.*"),
        (lambda d: d["repository"][0].update(badge_status="none"), "vocabulary: repository"),
        (lambda d: d["report"]["QC.Acc"]["subcriteria"]["QC.Acc01"].update(
            requirement_level="REQUIRED"), "vocabulary: report"),
        (lambda d: d["meta"].pop("timestamp"), "missing: meta.timestamp"),
        (lambda d: d["meta"].update(extra=1), "added: meta.extra"),
        (lambda d: d["meta"].update(timestamp="2025-04-08T06:37:54Z"), "type: meta.timestamp"),
    ],
)
def test_each_departure_is_caught(change: Callable[[dict], object], says: str) -> None:
    doc = _original()
    change(doc)
    assert any(p.startswith(says) for p in differences(doc, _original())), says


def test_every_documented_exception_is_in_the_docs() -> None:
    text = DOCS.read_text(encoding="utf-8")
    for path in sqaaas_v1.ADDITIONS + sqaaas_v1.UNKNOWN + sqaaas_v1.NOT_WRITTEN:
        assert f"`{path}`" in text, f"docs/report-format.md does not explain {path}"


# --- our export against the real report -----------------------------------------------------


def test_sample_report_is_drop_in() -> None:
    doc = sqaaas_v1.to_v1(make_report(), report_json_url="https://example.org/report.json")
    assert differences(doc, _original()) == []
    assert doc["meta"]["report_json_url"] == "https://example.org/report.json"
    assert "report_json_url" not in sqaaas_v1.to_v1(make_report())["meta"], "only when known"


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("https://github.com/EOSC-synergy/FAIR_eva", "EOSC-synergy/FAIR_eva"),
        ("git@gitlab.com:group/sub/proj.git", "group/sub/proj"),
        (None, "checkout"),
    ],
)
def test_repository_name_is_org_slash_repo(url: str | None, name: str) -> None:
    assert sqaaas_v1.to_v1(make_report(url=url))["repository"][0]["name"] == name


def test_percentages_are_integers_rounded_down_like_the_original() -> None:
    original = _original()["report"]["QC.Ver"]["coverage"]
    assert (original["percentage"], original["success_subcriteria"],
            original["total_subcriteria"]) == (66, 2, 3)
    assert sqaaas_v1.percentage(2, 3) == 66 and sqaaas_v1.percentage(0, 0) == 0


def _fair_eva_like(repo_factory: Callable[..., Path]) -> Path:
    """What FAIR_eva had when the original assessed it: README, CONTRIBUTING,
    CODE_OF_CONDUCT, an OSI licence, CITATION.cff, Python with tests, a Dockerfile, and
    release tags of which one (1.0) is not SemVer."""
    files = good_repo_files() | {
        "Dockerfile": "FROM python:3.12-slim\nCOPY . /app\n",
        "tests/test_example.py": "def test_one():\n    assert 1 + 1 == 2\n",
        "docs/index.md": "# Example tool\n\nUser guide.\n",
    }
    return repo_factory(files, tags=["1.0", "3.0.4"],
                        remote="https://github.com/EOSC-synergy/FAIR_eva.git")


@pytest.mark.containers  # QC.Sty/QC.Sec come from the tools image, as the original's did
def test_real_assessment_is_drop_in(repo_factory: Callable[..., Path]) -> None:
    report = assess_repo(_fair_eva_like(repo_factory))
    doc = json.loads(sqaaas_v1.render(report, "https://example.org/assessment_output.json"))
    original = _original()
    assert differences(doc, original) == []
    assert doc["repository"][0]["name"] == "EOSC-synergy/FAIR_eva"
    assert isinstance(doc["meta"]["timestamp"], float)
    for cid, criterion in original["report"].items():
        assert cid in doc["report"], f"{cid} missing"
        missing = set(criterion["subcriteria"]) - set(doc["report"][cid]["subcriteria"])
        assert not missing, f"{cid}: the original's {sorted(missing)} are missing"
    ver = doc["report"]["QC.Ver"]["subcriteria"]
    assert list(ver)[:2] == ["QC.Ver01.0", "QC.Ver01"]
    assert ver["QC.Ver01"]["valid"] is True and ver["QC.Ver01.0"]["valid"] is True
    assert ver["QC.Ver01.0"]["evidence"], "the evidence of the subcriterion implying it"
    assert ver["QC.Ver02"]["valid"] is False and ver["QC.Ver02"]["filtered_reason"]
    assert "QC.Doc02.X" in doc["report"]["QC.Doc"]["subcriteria"]
    assert "QC.Doc02.2" not in doc["report"]["QC.Doc"]["subcriteria"], "renamed, not copied"


def test_original_only_subcriteria_without_their_source_are_not_assessed() -> None:
    doc = sqaaas_v1.to_v1(make_report())
    assert "QC.Ver" not in doc["report"], "no QC.Ver in the sample, so no QC.Ver01.0 either"
    entries = {e.id: e for e in v1_ids().original_only}
    assert entries["QC.Ver01.0"].implied_by == "QC.Ver01" and entries["QC.Ver02"].reason


def test_renamed_ids_are_ours_and_original_only_ids_are_not() -> None:
    ours = {s.id for c in default_catalogue().criteria.values() for s in c.subcriteria}
    ids = v1_ids()
    assert set(ids.renamed) <= ours
    assert not {e.id for e in ids.original_only} & ours, "an id of ours would be shadowed"
    assert not set(ids.renamed.values()) & ours
    assert all(re.fullmatch(r"QC\.\w+", e.criterion) for e in ids.original_only)


# --- meta.report_json_url from the command line ---------------------------------------------


def test_cli_writes_report_json_url(run_cli, repo_factory: Callable[..., Path]) -> None:
    repo = repo_factory(good_repo_files())
    url = "https://example.org/reports/assessment_output.json"
    proc = run_cli("assess", str(repo), "--criteria", "QC.Lic", "--format", "sqaaas-v1",
                   "--report-json-url", url, "--quiet")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["meta"]["report_json_url"] == url


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--format", "sqaaas-v1", "--report-json-url", "javascript:alert(1)"],
         "not an http(s) URL"),
        (["--format", "sqaaas-v1", "--report-json-url", "https://exa mple.org/x"],
         "not an http(s) URL"),
        (["--format", "json", "--report-json-url", "https://example.org/r.json"],
         "applies to --format sqaaas-v1 only"),
    ],
)
def test_cli_refuses_a_bad_report_json_url(run_cli, repo_factory: Callable[..., Path],
                                           args: list[str], says: str) -> None:
    proc = run_cli("assess", str(repo_factory(good_repo_files())), "--quiet", *args)
    assert proc.returncode == 2 and says in proc.stderr
    assert "Traceback" not in proc.stderr and proc.stdout == ""
