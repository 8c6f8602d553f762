"""Per-repository configuration (.sqaaas.yml / [tool.sqaaas]): skips with reasons, subfolder."""

from __future__ import annotations

import pytest

from sqaaas.acquire import acquire
from sqaaas.core.outcomes import Outcome
from sqaaas.errors import ConfigError, SqaaasError
from sqaaas.subjects.repository import assess


def test_skip_with_reason_is_shown_in_the_report(repo_factory):
    repo = repo_factory(
        {".sqaaas.yml": "skip:\n  QC.Acc01: mirrored privately, published on release\n"}
    )
    report = assess(acquire(str(repo)), criteria=["QC.Acc"])
    sub = report.criteria["QC.Acc"].subcriteria["QC.Acc01"]
    assert sub.outcome is Outcome.NOT_APPLICABLE
    assert sub.skipped_reason == "mirrored privately, published on release"
    assert ".sqaaas.yml" in sub.evidence[0].message
    assert report.config_source == ".sqaaas.yml"


def test_skip_without_reason_is_an_error(repo_factory):
    repo = repo_factory({".sqaaas.yml": "skip:\n  QC.Acc01: ''\n"})
    with pytest.raises(ConfigError, match="needs a written reason"):
        assess(acquire(str(repo)), criteria=["QC.Acc"])


def test_invalid_yaml_names_the_line(repo_factory):
    repo = repo_factory({".sqaaas.yml": "skip:\n  QC.Acc01: [unclosed\n"})
    with pytest.raises(ConfigError, match=r"\.sqaaas\.yml line \d+: invalid YAML"):
        assess(acquire(str(repo)), criteria=["QC.Acc"])


def test_unknown_setting_is_rejected(repo_factory):
    repo = repo_factory({".sqaaas.yml": "skipp: {}\n"})
    with pytest.raises(ConfigError, match="skipp"):
        assess(acquire(str(repo)), criteria=["QC.Acc"])


def test_pyproject_section_and_subfolder(repo_factory):
    repo = repo_factory(
        {
            "pyproject.toml": '[tool.sqaaas]\nsubfolder = "pkg"\n',
            "pkg/LICENSE": "x",
        }
    )
    report = assess(acquire(str(repo)), criteria=["QC.Acc"])
    assert report.config_source == "pyproject.toml [tool.sqaaas]"
    assert report.repository.subfolder == "pkg"


def test_missing_subfolder_and_escaping_subfolder(repo_factory):
    repo = repo_factory({".sqaaas.yml": "subfolder: nope\n"})
    with pytest.raises(SqaaasError, match="subfolder 'nope'"):
        assess(acquire(str(repo)), criteria=["QC.Acc"])
    repo = repo_factory({".sqaaas.yml": "subfolder: ../..\n"})
    with pytest.raises(ConfigError, match="inside the repository"):
        assess(acquire(str(repo)), criteria=["QC.Acc"])
