"""criteria/ as data: complete, validated at load, broken files named precisely, docs in sync."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

import sqaaas.probes.fair
import sqaaas.probes.service
import sqaaas.probes.software  # noqa: F401  (registers every probe the data may name)
from sqaaas.core import registry
from sqaaas.core.catalogue import default_catalogue, load_catalogue
from sqaaas.datafiles import data_path
from sqaaas.errors import CriteriaDataError
from sqaaas.report.criteria_docs import to_markdown

SOFTWARE_CRITERIA = [
    "QC.Acc",
    "QC.Lic",
    "QC.Doc",
    "QC.Met",
    "QC.Ver",
    "QC.Sty",
    "QC.Uni",
    "QC.Sec",
    "QC.Wor",
    "QC.Man",
    "QC.Rev",
    "QC.Har",
    "QC.Tdd",
    "QC.Del",
    "QC.Dep",
]
REPO_ROOT = Path(__file__).resolve().parents[1]


def test_all_fifteen_software_criteria_are_present():
    catalogue = default_catalogue()
    assert sorted(c.id for c in catalogue.of_baseline("software")) == sorted(SOFTWARE_CRITERIA)
    baseline = catalogue.baselines["software"]
    assert baseline.version == "4.1" and baseline.url.startswith("https://")


def test_every_subcriterion_says_how_it_is_assessed():
    catalogue = default_catalogue()
    for criterion in catalogue.criteria.values():
        for sub in criterion.subcriteria:
            assert sub.probes or sub.not_automated, sub.id
    assert catalogue.probe_names() <= registry.names()


def test_every_registered_probe_is_used_by_the_data():
    assert registry.names() <= default_catalogue().probe_names()


def test_badge_levels_are_defined_once_in_data():
    scheme = default_catalogue().badges["software"]
    assert scheme.required_for("bronze") == ["QC.Acc", "QC.Doc", "QC.Lic"]
    assert scheme.required_for("silver")[3:] == ["QC.Met", "QC.Ver"]
    assert scheme.required_for("gold")[5:] == ["QC.Sec", "QC.Sty", "QC.Uni"]


@pytest.fixture
def criteria_copy(tmp_path: Path) -> Path:
    target = tmp_path / "criteria"
    shutil.copytree(data_path("criteria"), target)
    return target


def _edit(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def test_broken_subcriterion_names_file_and_entry(criteria_copy):
    path = criteria_copy / "software" / "QC.Acc.yml"
    _edit(path, lambda d: d["subcriteria"][1].update(requirement_level="SOMETIMES"))
    with pytest.raises(CriteriaDataError) as err:
        load_catalogue(criteria_copy)
    assert "QC.Acc.yml" in str(err.value) and "entry QC.Acc02 " in str(err.value)


def test_subcriterion_without_probe_or_reason_is_rejected(criteria_copy):
    path = criteria_copy / "software" / "QC.Acc.yml"
    _edit(path, lambda d: d["subcriteria"][0].pop("probes"))
    with pytest.raises(CriteriaDataError, match=r"QC.Acc.yml: entry QC.Acc01 .*either 'probes'"):
        load_catalogue(criteria_copy)


def test_unknown_probe_is_rejected(criteria_copy):
    path = criteria_copy / "software" / "QC.Acc.yml"
    _edit(path, lambda d: d["subcriteria"][0].update(probes=["acc.typo"]))
    with pytest.raises(CriteriaDataError, match=r"entry QC.Acc01: unknown probe\(s\) acc.typo"):
        load_catalogue(criteria_copy, known_probes=registry.names())


def test_invalid_yaml_and_unknown_badge_criterion(criteria_copy):
    (criteria_copy / "software" / "QC.Acc.yml").write_text("id: [unclosed\n")
    with pytest.raises(CriteriaDataError, match=r"QC\.Acc\.yml: cannot read criteria data"):
        load_catalogue(criteria_copy)


def test_badge_referring_to_unknown_criterion(criteria_copy):
    _edit(
        criteria_copy / "badges.yml",
        lambda d: d["software"]["levels"][0]["criteria"].append("QC.Nope"),
    )
    with pytest.raises(
        CriteriaDataError, match=r"badges.yml: entry software.bronze: unknown criterion"
    ):
        load_catalogue(criteria_copy)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda p: p["rules"]["sqaaas"]["decisive"].update({"QC.Nope": ["QC.Nope01"]}),
         r"profiles.sqaaas.decisive.QC.Nope: unknown criterion QC.Nope"),
        (lambda p: p["rules"]["sqaaas"]["decisive"].update({"QC.Acc": ["QC.Lic01"]}),
         r"profiles.sqaaas.decisive.QC.Acc: QC.Lic01 is not a subcriterion of QC.Acc"),
        (lambda p: p["rules"]["sqaaas"]["decisive"].update({"QC.Acc": ["QC.Acc03"]}),
         r"profiles.sqaaas.decisive.QC.Acc: QC.Acc03 is not automated, so it could never"),
        (lambda p: p["rules"]["sqaaas"]["decisive"].update({"QC.Acc": []}),
         r"profiles.sqaaas.decisive.QC.Acc: list each decisive subcriterion once"),
        (lambda p: p.update(default="lenient"), r"default: unknown profile 'lenient'"),
        (lambda p: p["rules"]["strict"].pop("unlisted"), r"unlisted"),
        (lambda p: p["rules"].update({"Loud Profile": p["rules"]["strict"]}),
         r"profile name 'Loud Profile'"),
    ],
)
def test_broken_profiles_are_refused_naming_the_entry(criteria_copy, change, message):
    _edit(criteria_copy / "badges.yml", lambda d: change(d["profiles"]))
    with pytest.raises(CriteriaDataError, match=message):
        load_catalogue(criteria_copy)


def test_badges_yml_without_profiles_is_refused(criteria_copy):
    _edit(criteria_copy / "badges.yml", lambda d: d.pop("profiles"))
    with pytest.raises(CriteriaDataError, match=r"badges.yml: expected .* and 'profiles'"):
        load_catalogue(criteria_copy)


def test_generated_docs_explain_the_profiles_per_subcriterion():
    md = to_markdown(default_catalogue())
    sec = md[md.index("### QC.Sec "):md.index("### QC.Wor ")]
    assert "| QC.Sec01 | MUST | strict | " in sec
    assert "| QC.Sec02 | MUST | sqaaas, strict | " in sec
    assert "| QC.Sec03 | SHOULD | - | " in sec
    profiles = md[md.index("## Profiles: which subcriteria decide"):md.index("## Badge levels")]
    assert "- **sqaaas** (" in profiles and ", the default): " in profiles
    assert "  - QC.Uni: QC.Uni01\n" in profiles
    assert "  - every other criterion: its subcriteria at its strongest requirement level" in (
        profiles
    )
    assert "judged by `strict`" in profiles


def test_generated_docs_match_the_data():
    committed = (REPO_ROOT / "docs" / "criteria.md").read_text(encoding="utf-8")
    assert committed == to_markdown(default_catalogue()), (
        "docs/criteria.md drifted from criteria/: run "
        "'sqaaas criteria --format markdown > docs/criteria.md'"
    )


def test_generated_docs_show_fair_metrics_points_and_metric_badge_levels():
    md = to_markdown(default_catalogue())
    fair = md[md.index("### QC.FAIR "):]
    assert "| Subcriterion | Level | Decisive in | Metric | Points | Requirement |" in fair
    assert "| QC.FAIR01 | MUST | sqaaas, strict | FRSM-01-F1 | 3 | " in fair
    assert "| QC.FAIR14 | MAY | - | FRSM-17-R1.2 | 1 | " in fair
    acc = md[md.index("### QC.Acc "):md.index("### QC.Lic ")]
    assert "| Subcriterion | Level | Decisive in | Requirement |" in acc, (
        "quality criteria keep their columns"
    )
    levels = md[md.index("- **fair**"):]
    assert levels.startswith("- **fair** (baseline `fair`, metric groups met in section QC.FAIR):")
    assert "  - bronze: FRSM-01 (QC.FAIR01), FRSM-03 (QC.FAIR02), " in levels
    assert "  - silver: bronze + FRSM-06 (QC.FAIR05), " in levels


def test_criteria_text_lists_the_fair_indicators(run_cli):
    done = run_cli("criteria", "--baseline", "fair")
    assert done.returncode == 0, done.stderr
    flat = " ".join(done.stdout.replace("│", " ").split())
    assert "QC.FAIR FAIR software (offline indicators)" in flat
    assert "approximates FRSM-01-F1, 3 points" in flat
    assert "badges (fair, metric groups met in QC.FAIR): bronze: FRSM-01" in flat


def test_report_order_comes_from_the_baseline_and_files_must_match(criteria_copy):
    catalogue = default_catalogue()
    assert [c.id for c in catalogue.of_baseline("software")][:4] == [
        "QC.Acc", "QC.Lic", "QC.Met", "QC.Doc"
    ]
    (criteria_copy / "software" / "QC.Tdd.yml").unlink()
    with pytest.raises(CriteriaDataError, match=r"baseline.yml: .*without a file: QC\.Tdd"):
        load_catalogue(criteria_copy)
