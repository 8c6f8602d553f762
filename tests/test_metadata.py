"""QC.Met: metadata files (CITATION.cff, codemeta.json) valid, tracked, at the release version."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from sqaaas.acquire import acquire
from sqaaas.context import make_context
from sqaaas.core.catalogue import Criterion
from sqaaas.core.outcomes import Finding, Outcome, combine
from sqaaas.datafiles import data_path
from sqaaas.facts.metadata import citation_cff, declared_versions
from sqaaas.facts.versions import tag_version
from tests.conftest import run_probe
from tests.repos import CITATION_GOOD, commit_all, git, write_files

CODEMETA_GOOD = {
    "@context": "https://doi.org/10.5063/schema/codemeta-2.0",
    "@type": "SoftwareSourceCode",
    "name": "Example tool",
    "version": "1.0.0",
    "description": "Computes statistics of research data sets.",
    "license": "https://spdx.org/licenses/MIT",
    "codeRepository": "https://github.com/example-org/example",
    "author": [{"@type": "Person", "givenName": "Ada", "familyName": "Lovelace"}],
}


def met01(repo: Path) -> Finding:
    """QC.Met01 as the engine combines it, from the probes wired in criteria/ data."""
    raw = yaml.safe_load((data_path("criteria") / "software" / "QC.Met.yml").read_text())
    criterion = Criterion.model_validate(raw)
    (sub,) = [s for s in criterion.subcriteria if s.id == "QC.Met01"]
    return combine([run_probe(repo, name) for name in sub.probes])


def cff(**changes: str | None) -> str:
    """CITATION_GOOD with top-level keys replaced (value) or removed (None)."""
    lines = CITATION_GOOD.splitlines()
    out: list[str] = []
    skipping = False
    for line in lines:
        key = line.split(":", 1)[0] if line and not line.startswith(" ") else None
        if key is not None:
            skipping = key in changes and changes[key] is None
            if key in changes and changes[key] is not None:
                out.append(f"{key}: {changes[key]}")
                continue
        if not skipping:
            out.append(line)
    return "\n".join(out) + "\n"


# --- CITATION.cff ------------------------------------------------------------------------


def test_valid_citation_passes(repo_factory):
    repo = repo_factory({"CITATION.cff": CITATION_GOOD}, tags=["v1.0.0"])
    finding = run_probe(repo, "met.citation_cff")
    assert finding.outcome is Outcome.PASS
    assert finding.evidence[0].path == "CITATION.cff"
    assert "valid against the CFF 1.2.0 schema" in finding.evidence[0].message
    combined = met01(repo)
    assert combined.outcome is Outcome.PASS, combined


def test_unquoted_yaml_date_is_validated_as_iso_string(repo_factory):
    # YAML reads `date-released: 2024-05-01` as a date object; the schema wants a string.
    repo = repo_factory({"CITATION.cff": cff(**{"date-released": "2024-05-01"})})
    assert run_probe(repo, "met.citation_cff").outcome is Outcome.PASS
    meta = make_context(acquire(str(repo))).fact(citation_cff)
    assert meta is not None and meta.data["date-released"] == "2024-05-01"


def test_placeholder_release_date_fails_with_line(repo_factory):
    repo = repo_factory({"CITATION.cff": cff(**{"date-released": "YYYY-MM-DD"})})
    finding = run_probe(repo, "met.citation_cff")
    assert finding.outcome is Outcome.FAIL
    (error,) = finding.evidence
    assert error.value == "$.date-released"
    assert error.path == "CITATION.cff" and error.line == 5
    assert "'YYYY-MM-DD' is not a 'date'" in error.message
    assert error.excerpt == "date-released: YYYY-MM-DD"
    assert "cffconvert --validate" in (finding.hint or "")


def test_impossible_unquoted_date_fails_without_crashing(repo_factory):
    # PyYAML's own date constructor raises ValueError on month 13; we must report, not crash.
    repo = repo_factory({"CITATION.cff": cff(**{"date-released": "2024-13-45"})})
    finding = run_probe(repo, "met.citation_cff")
    assert finding.outcome is Outcome.FAIL
    assert [e.value for e in finding.evidence] == ["$.date-released"]
    assert "is not a 'date'" in finding.evidence[0].message


def test_missing_authors_fails_with_json_path(repo_factory):
    repo = repo_factory({"CITATION.cff": cff(authors=None)})
    finding = run_probe(repo, "met.citation_cff")
    assert finding.outcome is Outcome.FAIL
    (error,) = finding.evidence
    assert error.value == "$.authors"
    assert error.message == "$.authors: 'authors' is a required property"


def test_invalid_author_reports_the_closest_alternative(repo_factory):
    text = CITATION_GOOD.replace("0000-0002-1825-0097", "not-an-orcid")
    repo = repo_factory({"CITATION.cff": text})
    finding = run_probe(repo, "met.citation_cff")
    assert finding.outcome is Outcome.FAIL
    (error,) = finding.evidence
    assert error.value == "$.authors[0].orcid"
    assert error.line == 12 and "not-an-orcid" in (error.excerpt or "")


def test_yaml_syntax_error_fails_with_line(repo_factory):
    text = "cff-version: 1.2.0\nmessage: [unclosed\ntitle: x\n"
    repo = repo_factory({"CITATION.cff": text})
    finding = run_probe(repo, "met.citation_cff")
    assert finding.outcome is Outcome.FAIL
    (error,) = finding.evidence
    assert error.message.startswith("invalid YAML:")
    assert "line 2" in error.message
    assert error.path == "CITATION.cff"


def test_yaml_alias_bomb_is_refused(repo_factory):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 8)]
    repo = repo_factory({"CITATION.cff": "\n".join(lines) + "\n"})
    finding = run_probe(repo, "met.citation_cff")
    assert finding.outcome is Outcome.ERROR  # not read: no verdict on its content
    (error,) = finding.evidence
    assert "nodes once YAML aliases are expanded" in error.message
    assert error.path == "CITATION.cff" and error.value == 50_000


def test_untracked_citation_fails(repo_factory):
    repo = repo_factory({"README.md": "# x\n"})
    write_files(repo, {"CITATION.cff": CITATION_GOOD})
    finding = run_probe(repo, "met.citation_cff")
    assert finding.outcome is Outcome.FAIL
    assert finding.evidence[0].message == "CITATION.cff is not tracked in git"
    assert "git add CITATION.cff" in (finding.hint or "")


def test_wrongly_cased_citation_name_fails(repo_factory):
    repo = repo_factory({"citation.cff": CITATION_GOOD})
    finding = run_probe(repo, "met.citation_cff")
    assert finding.outcome is Outcome.FAIL
    assert finding.evidence[0].path == "citation.cff"
    assert "only look for CITATION.cff" in finding.evidence[0].message


# --- codemeta.json -----------------------------------------------------------------------


def test_valid_codemeta_passes(repo_factory):
    repo = repo_factory({"codemeta.json": json.dumps(CODEMETA_GOOD, indent=2)}, tags=["v1.0.0"])
    finding = run_probe(repo, "met.codemeta")
    assert finding.outcome is Outcome.PASS
    assert [e.path for e in finding.evidence] == ["codemeta.json"]
    assert run_probe(repo, "met.citation_cff").outcome is Outcome.NOT_APPLICABLE
    assert met01(repo).outcome is Outcome.PASS


def test_codemeta_invalid_json_fails_with_line(repo_factory):
    text = '{\n  "name": "Example tool",\n  "version": "1.0.0"\n  "license": "MIT"\n}\n'
    repo = repo_factory({"codemeta.json": text})
    finding = run_probe(repo, "met.codemeta")
    assert finding.outcome is Outcome.FAIL
    (error,) = finding.evidence
    assert error.message.startswith("invalid JSON:")
    assert error.line == 4 and error.excerpt == '"license": "MIT"'
    assert met01(repo).outcome is Outcome.FAIL


def test_codemeta_without_context_or_version_fails(repo_factory):
    doc = {k: v for k, v in CODEMETA_GOOD.items() if k not in ("version", "author")}
    doc["@context"] = "https://schema.org"
    repo = repo_factory({"codemeta.json": json.dumps(doc)})
    finding = run_probe(repo, "met.codemeta")
    assert finding.outcome is Outcome.FAIL
    messages = [e.message for e in finding.evidence]
    assert "'@context' does not reference the CodeMeta 2.0 or 3.x context" in messages
    assert "neither 'version' nor 'softwareVersion' is given" in messages
    assert "recommended field(s) missing: author" in messages


# --- presence ----------------------------------------------------------------------------


def test_no_metadata_fails_with_minimal_citation(repo_factory):
    repo = repo_factory({"README.md": "# x\n", ".zenodo.json": "{}"}, tags=["v2.0.0"])
    finding = run_probe(repo, "met.metadata_present")
    assert finding.outcome is Outcome.FAIL
    assert "no CITATION.cff or codemeta.json" in finding.evidence[0].message
    assert finding.evidence[1].path == ".zenodo.json"
    hint = finding.hint or ""
    assert "cff-version: 1.2.0" in hint and "version: 2.0.0" in hint and "authors:" in hint
    assert "title: example\n" in hint  # from the remote https://github.com/example-org/example.git
    combined = met01(repo)
    assert combined.outcome is Outcome.FAIL
    assert combined.hint and "cff-version: 1.2.0" in combined.hint


# --- versions against the latest tag -----------------------------------------------------


def test_stale_version_is_a_warning_and_fair_agrees(repo_factory):
    """CITATION.cff says 1.0 after v1.1 was tagged: QC.Met01 passes with a warning and a hint,
    and the FAIR version indicator names the same release with the same warning."""
    repo = repo_factory({"CITATION.cff": cff(version="1.0")}, tags=["v1.1"])
    finding = run_probe(repo, "met.version_matches_tag")
    assert finding.outcome is Outcome.PASS
    release, stale = finding.evidence
    assert release.message == "latest release: tag v1.1 (version 1.1), reachable from HEAD"
    assert (stale.path, stale.line, stale.value, stale.failing) == ("CITATION.cff", 4, "1.0", False)
    assert stale.message.startswith("warning: CITATION.cff version 1.0 is older than the latest "
                                    "release tag v1.1")
    assert "update version in CITATION.cff to 1.1" in (finding.hint or "")
    assert met01(repo).outcome is Outcome.PASS
    fair = run_probe(repo, "fair.version_identifier")
    assert fair.outcome is Outcome.PASS
    assert fair.evidence == finding.evidence and fair.hint == finding.hint


def test_invalid_citation_with_a_stale_version_fails_for_the_schema_alone(repo_factory):
    repo = repo_factory({"CITATION.cff": cff(version="1.0", authors=None)}, tags=["v1.1"])
    combined = met01(repo)
    assert combined.outcome is Outcome.FAIL
    failing = [e.message for e in combined.evidence if e.failing]
    assert failing and all("authors" in m for m in failing)
    assert any(e.message.startswith("warning: CITATION.cff version 1.0") and e.failing is False
               for e in combined.evidence)


def test_version_matching_tag_passes(repo_factory):
    files = {
        "CITATION.cff": CITATION_GOOD,
        "codemeta.json": json.dumps(CODEMETA_GOOD, indent=2),
        "pyproject.toml": '[project]\nname = "example"\nversion = "1.0.0"\n',
    }
    repo = repo_factory(files, tags=["v1.0.0"])
    finding = run_probe(repo, "met.version_matches_tag")
    assert finding.outcome is Outcome.PASS
    assert finding.hint is None
    assert [(e.path, e.line) for e in finding.evidence[1:]] == [
        ("CITATION.cff", 4),
        ("codemeta.json", 5),
        ("pyproject.toml", 3),
    ]


def test_manifest_version_mismatch_is_a_warning(repo_factory):
    files = {"CITATION.cff": CITATION_GOOD, "package.json": '{"name": "x", "version": "0.9.0"}'}
    repo = repo_factory(files, tags=["1.0.0"])
    finding = run_probe(repo, "met.version_matches_tag")
    assert finding.outcome is Outcome.PASS
    assert "update version in package.json to 1.0.0" in (finding.hint or "")
    assert "CITATION.cff" not in (finding.hint or "")


def test_release_is_the_newest_tag_naming_a_version(repo_factory):
    """A moving tag ('nightly') is no release; a prefixed tag names its version."""
    repo = repo_factory({"CITATION.cff": CITATION_GOOD}, tags=["release-1.0.0", "nightly"])
    finding = run_probe(repo, "met.version_matches_tag")
    assert finding.hint is None
    assert "matches the latest release tag release-1.0.0" in finding.evidence[1].message


@pytest.mark.parametrize(
    ("name", "version"),
    [("v1.2.3", "1.2.3"), ("1.2", "1.2"), ("release-2.0", "2.0"), ("mypkg-v0.3.1", "0.3.1"),
     ("api/v1.4.0", "1.4.0"), ("2024.01", "2024.01"), ("latest", None), ("nightly", None),
     ("py3", None), ("v", None)],
)
def test_tag_version(name, version):
    assert tag_version(name) == version


def test_version_prepared_for_next_release_passes_after_tag(repo_factory):
    repo = repo_factory({"CITATION.cff": CITATION_GOOD.replace("1.0.0", "0.9.0")}, tags=["v0.9.0"])
    write_files(repo, {"CITATION.cff": CITATION_GOOD})  # bumped to 1.0.0, not yet tagged
    commit_all(repo, "Prepare 1.0.0")
    finding = run_probe(repo, "met.version_matches_tag")
    assert finding.outcome is Outcome.PASS
    assert "ahead of the latest release tag v0.9.0" in finding.evidence[1].message
    assert finding.hint is None


def test_no_tags_is_not_a_failure_by_itself(repo_factory):
    repo = repo_factory({"CITATION.cff": CITATION_GOOD})
    finding = run_probe(repo, "met.version_matches_tag")
    assert finding.outcome is Outcome.NOT_APPLICABLE
    assert "no release tag reachable from HEAD" in finding.evidence[0].message
    assert finding.evidence[0].value == ["CITATION.cff version 1.0.0"]
    assert met01(repo).outcome is Outcome.PASS


def test_declared_versions_keep_yaml_numbers_as_written(repo_factory):
    repo = repo_factory({"CITATION.cff": CITATION_GOOD.replace("version: 1.0.0", "version: 1.10")})
    (version,) = make_context(acquire(str(repo))).fact(declared_versions)
    assert (version.value, version.line) == ("1.10", 4)


def test_unreachable_tags_are_ignored(repo_factory):
    repo = repo_factory({"CITATION.cff": CITATION_GOOD}, tags=["v1.0.0"])
    git(repo, "checkout", "-q", "-b", "side")
    commit_all(repo, "Side work")
    git(repo, "tag", "v3.0.0")
    git(repo, "checkout", "-q", "main")
    assert run_probe(repo, "met.version_matches_tag").outcome is Outcome.PASS


def test_subfolder_metadata_is_found_and_tracked(repo_factory):
    files = {"pkg/CITATION.cff": CITATION_GOOD, ".sqaaas.yml": "subfolder: pkg\n"}
    repo = repo_factory(files, tags=["v1.0.0"])
    finding = run_probe(repo, "met.citation_cff")
    assert finding.outcome is Outcome.PASS
    assert finding.evidence[0].path == "CITATION.cff"  # relative to the assessed subfolder
