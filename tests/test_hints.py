"""Hints that fit (issue 12, point 8): each shown once, in the repository's language, with
multi-line examples kept on the web page; SARIF messages state the failure itself."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from sqaaas.core.catalogue import Subcriterion
from sqaaas.core.model import Report
from sqaaas.core.outcomes import Evidence, Outcome, unique_hints
from sqaaas.languages import main_language
from sqaaas.report import markdown, sarif
from sqaaas.report.terminal import render_plain
from sqaaas.web.app import create_app
from sqaaas.web.settings import WebSettings
from tests.conftest import assess_repo, run_probe
from tests.containers_support import in_containers
from tests.report_samples import criterion, make_report, sub
from tests.repos import licence_text

Factory = Callable[..., Path]

SHARED = "Write the XYZZY file."
OTHER = "Name the PLUGH owner."

#: tools only a Python project runs: a TypeScript or C repository must never be told to
PYTHON_ONLY = (
    "pytest",
    "pylint",
    "bandit",
    "ruff",
    "flake8",
    "pip-audit",
    "pip install",
    "monkeypatch",
    "unittest.mock",
)

TYPESCRIPT = {
    "LICENSE": licence_text("MIT"),
    "README.md": "# widget\n\nA small TypeScript library.\n",
    "package.json": '{"name": "widget", "version": "1.0.0", "license": "MIT"}\n',
    "tsconfig.json": "{}\n",
    "src/index.ts": "export function add(a: number, b: number): number {\n  return a + b;\n}\n",
    "src/twice.ts": "export const twice = (x: number): number => x * 2;\n",
}
C_PROJECT = {
    "LICENSE": licence_text("MIT"),
    "README.md": "# calc\n\nA small C library.\n",
    "CMakeLists.txt": "cmake_minimum_required(VERSION 3.10)\nproject(calc C)\n"
    "add_library(calc src/calc.c)\n",
    "src/calc.c": '#include "calc.h"\nint add(int a, int b) { return a + b; }\n',
    "src/calc.h": "int add(int a, int b);\n",
}
PYTHON = {
    "LICENSE": licence_text("MIT"),
    "README.md": "# calc\n\nA small Python library.\n",
    "calc/__init__.py": '"""calc."""\n',
    "calc/core.py": '"""Core."""\n\n\ndef add(a: int, b: int) -> int:\n    """Add."""\n'
    "    return a + b\n",
}


def shared_hint_report() -> Report:
    """Two subcriteria of QC.Acc and one of QC.Doc fail with the same hint (badge: bronze
    needs QC.Acc, QC.Doc and QC.Lic, so both criteria are missing items)."""
    return make_report(
        {
            "QC.Acc": criterion(
                "Access",
                {
                    "QC.Acc01": sub(Outcome.FAIL, "MUST", Evidence(message="a"), hint=SHARED),
                    "QC.Acc02": sub(Outcome.FAIL, "MUST", Evidence(message="b"), hint=SHARED),
                },
            ),
            "QC.Doc": criterion(
                "Documentation",
                {
                    "QC.Doc01": sub(Outcome.FAIL, "MUST", Evidence(message="c"), hint=SHARED),
                    "QC.Doc02": sub(Outcome.FAIL, "MUST", Evidence(message="d"), hint=OTHER),
                },
            ),
            "QC.Lic": criterion("Licensing", {"QC.Lic01": sub(Outcome.PASS, "MUST")}),
        }
    )


def between(text: str, start: str, end: str | None = None) -> str:
    begin = text.index(start)
    return text[begin : text.index(end, begin) if end else None]


# --- one helper deduplicates -------------------------------------------------------------


def test_unique_hints_keeps_first_seen_order_and_drops_blanks() -> None:
    assert unique_hints(["b", None, "a", " b ", "", "  ", "a"]) == ["b", "a"]


def test_missing_items_name_a_shared_hint_once() -> None:
    items = shared_hint_report().badge.missing_for_next
    assert [(i.criterion, i.hints) for i in items] == [
        ("QC.Acc", [SHARED]),
        ("QC.Doc", [SHARED, OTHER]),
    ]


# --- terminal, Markdown, web page: each hint once -----------------------------------------


def test_terminal_shows_each_hint_once() -> None:
    out = render_plain(shared_hint_report())
    panel = between(out, "Badge reached:")
    assert panel.count(SHARED) == 1 and panel.count(OTHER) == 1
    access = between(out, "QC.Acc Access", "QC.Doc Documentation")
    assert access.count(SHARED) == 1
    assert "hint: same as QC.Acc01" in access


def test_markdown_shows_each_hint_once() -> None:
    md = markdown.render(shared_hint_report())
    panel = between(md, "## Badge", "## Summary")
    assert panel.count(SHARED) == 1 and panel.count(OTHER) == 1
    access = between(md, "## QC.Acc Access", "## QC.Doc Documentation")
    assert access.count(SHARED) == 1
    assert "| same as QC.Acc01 |" in access


@pytest.fixture
def web_page(tmp_path: Path) -> Iterator[Callable[[Report], str]]:
    """The report page the web service shows for a finished assessment of ``report``."""
    settings = WebSettings(
        data_dir=tmp_path / "data", allow_private=True, rate_limit_per_minute=1000
    )
    app = create_app(settings, start_workers=False)
    service = app.state.operations
    with TestClient(app) as client:

        def page(report: Report) -> str:
            job, _ = service.store.submit(report.repository.url or "", None, None, 10)
            service.store.claim()
            service.store.finish(job.id, report.to_json(), report.repository.commit, "none")
            response = client.get(f"/assessments/{job.id}")
            assert response.status_code == 200, response.text
            return response.text

        yield page


def test_web_page_shows_each_hint_once(web_page: Callable[[Report], str]) -> None:
    page = web_page(shared_hint_report())
    panel = between(page, '<section class="badge-panel', "</section>")
    assert panel.count(SHARED) == 1 and panel.count(OTHER) == 1
    access = between(page, 'id="crit-QC.Acc"', "</section>")
    assert access.count(SHARED) == 1
    assert "How to fix:</strong> same as QC.Acc01" in access


# --- the repository's language -----------------------------------------------------------


def _hints(report: Report) -> dict[str, str]:
    """Every hint the report shows: failing/erroring subcriteria and the badge's items."""
    found = {
        sid: s.hint
        for c in report.criteria.values()
        for sid, s in c.subcriteria.items()
        if s.outcome in (Outcome.FAIL, Outcome.ERROR)
    }
    for item in report.badge.missing_for_next:
        found.update({f"badge {item.criterion} {i}": h for i, h in enumerate(item.hints)})
    return found


@pytest.mark.parametrize(
    ("files", "language", "coverage_tool"),
    [(TYPESCRIPT, "TypeScript", "jest --coverage"), (C_PROJECT, "C", "gcovr")],
)
def test_typescript_and_c_repositories_get_no_python_tool_hint(
    repo_factory: Factory, files: dict[str, str], language: str, coverage_tool: str
) -> None:
    report = assess_repo(repo_factory(files))
    assert main_language(report.languages) == language
    hints = _hints(report)
    assert "QC.Uni03" in hints and "QC.Wor01" in hints and "QC.Har01" in hints
    wrong = {sid: hint for sid, hint in hints.items() if any(t in hint for t in PYTHON_ONLY)}
    assert wrong == {}
    assert coverage_tool in hints["QC.Uni03"]


def test_a_python_repository_gets_the_pytest_hints(repo_factory: Factory) -> None:
    report = assess_repo(repo_factory(PYTHON))
    assert main_language(report.languages) == "Python"
    hints = _hints(report)
    assert "pytest --cov" in hints["QC.Uni03"]
    assert "run: pytest" in hints["QC.Wor01"]
    assert "monkeypatch" in hints["QC.Har01"]


def test_the_main_language_is_code_not_data_or_markup() -> None:
    assert main_language({"JSON": 9, "Markdown": 4, "TypeScript": 2}) == "TypeScript"
    assert main_language({"C": 3, "CMake": 1}) == "C"
    assert main_language({"YAML": 3, "Markdown": 1}) is None


def test_a_misspelt_language_in_the_criteria_data_is_refused() -> None:
    with pytest.raises(ValidationError, match="unknown language"):
        Subcriterion(
            id="QC.Uni03",
            requirement_level="MUST",
            description="Coverage is checked.",
            hint="Measure coverage.",
            hints_by_language={"Pyhton": "Run pytest --cov."},
            probes=("uni.coverage_in_ci",),
        )


# --- multi-line examples on the web page ---------------------------------------------------


def test_web_page_keeps_the_lines_of_a_citation_cff_example(
    repo_factory: Factory, web_page: Callable[[Report], str]
) -> None:
    cff_hint = run_probe(repo_factory({"README.md": "# x\n"}), "met.metadata_present").hint
    assert cff_hint and "\ncff-version: 1.2.0\n" in cff_hint and "\n  - family-names: " in cff_hint
    report = make_report(
        {
            "QC.Acc": criterion("Access", {"QC.Acc01": sub(Outcome.PASS)}),
            "QC.Doc": criterion("Documentation", {"QC.Doc01": sub(Outcome.PASS)}),
            "QC.Lic": criterion("Licensing", {"QC.Lic01": sub(Outcome.PASS)}),
            "QC.Met": criterion(
                "Metadata",
                {
                    "QC.Met01": sub(
                        Outcome.FAIL, "MUST", Evidence(message="no CITATION.cff"), hint=cff_hint
                    ),
                },
            ),
        }
    )
    page = web_page(report)
    panel_hints = re.findall(r'<ul class="hints"><li>(.*?)</li>', page, re.S)
    fixes = re.findall(r'<p class="hint"><strong>How to fix:</strong> (.*?)</p>', page, re.S)
    assert [html.unescape(h) for h in panel_hints] == [cff_hint]
    assert [html.unescape(h) for h in fixes] == [cff_hint]
    assert "&lt;family name&gt;" in fixes[0], "still escaped"


def test_hint_styles_keep_line_breaks_and_indentation(tmp_path: Path) -> None:
    app = create_app(WebSettings(data_dir=tmp_path / "data"), start_workers=False)
    with TestClient(app) as client:
        css = client.get("/static/style.css").text
    for selector in (r"\.hint", r"\.hints li"):
        rule = re.search(rf"(?m)^{selector} \{{([^}}]*)\}}", css)
        assert rule is not None, selector
        assert "white-space: pre-wrap" in rule.group(1), selector


# --- SARIF messages state the failure ------------------------------------------------------


def _messages(report: Report, sid: str) -> list[str]:
    log = sarif.to_sarif(report)
    return [r["message"]["text"] for r in log["runs"][0]["results"] if r["ruleId"] == sid]


def test_sarif_message_is_the_failure_not_a_passing_line(repo_factory: Factory) -> None:
    report = assess_repo(
        repo_factory({"CITATION.cff": "cff-version: 1.2.0\ntitle: x\n"}), ["QC.Met"]
    )
    met01 = report.criteria["QC.Met"].subcriteria["QC.Met01"]
    assert met01.outcome is Outcome.FAIL
    assert met01.evidence[0].message == "metadata file CITATION.cff found"  # passes, first
    assert _messages(report, "QC.Met01") == [
        "$.authors: 'authors' is a required property",
        "$.message: 'message' is a required property",
    ]


@in_containers(timeout=300)  # the static tools run in the tools container
def test_sarif_messages_of_a_cached_tool_run_never_say_cached(repo_factory: Factory) -> None:
    repo = repo_factory(
        {
            "pkg/__init__.py": '"""pkg."""\n',
            "pkg/bad.py": '"""Bad."""\n\nimport os, sys\n',
        }
    )
    assess_repo(repo, ["QC.Sty"])
    report = assess_repo(repo, ["QC.Sty"])  # the tools' results now come from the cache
    sty01 = report.criteria["QC.Sty"].subcriteria["QC.Sty01"]
    assert sty01.outcome is Outcome.FAIL
    assert any("(cached)" in e.message for e in sty01.evidence)
    messages = _messages(report, "QC.Sty01")
    assert "E401: multiple imports on one line" in messages
    assert not [m for m in messages if "(cached)" in m or "file(s)" in m]


def test_sarif_without_a_failing_line_names_the_failed_requirement() -> None:
    context = Evidence(message="README.md found", path="README.md", failing=False)
    report = make_report(
        {
            "QC.Acc": criterion("Access", {"QC.Acc01": sub(Outcome.FAIL, "MUST", context)}),
        }
    )
    assert _messages(report, "QC.Acc01") == [
        "QC.Acc01 failed: A MUST requirement that ends up fail."
        " (concerns the repository as a whole; shown on README.md, line 1)"
    ]


def test_sarif_of_a_report_without_marks_keeps_every_line() -> None:
    """Reports written before schema 1.2 have no 'failing' marks: every line stays a result."""
    old = Evidence(message="no licence file")
    report = make_report(
        {
            "QC.Lic": criterion("Licensing", {"QC.Lic01": sub(Outcome.FAIL, "MUST", old)}),
        }
    )
    data = json.loads(report.to_json())
    assert data["criteria"]["QC.Lic"]["subcriteria"]["QC.Lic01"]["evidence"][0]["failing"] is None
    assert _messages(report, "QC.Lic01") == ["no licence file"]
