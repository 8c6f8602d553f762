"""QC.FAIR offline indicators: one passing and one failing fixture repository per probe,
malformed metadata, and the acceptance checks (a well-kept repository scores >= 80 %)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from sqaaas.core.catalogue import default_catalogue
from sqaaas.core.outcomes import Finding, Outcome
from sqaaas.facts.identifiers import doi_problem, parse_pid
from tests.conftest import assess_repo, report_hint, run_probe
from tests.repos import (
    CITATION_FAIR,
    CODEMETA_FAIR,
    README_FAIR,
    commit_all,
    fair_repo_files,
    git,
    licence_text,
    write_files,
)

Factory = Callable[..., Path]
FORGE = "https://github.com/example/tool.git"
PROBES = (
    "fair.persistent_identifier", "fair.version_identifier", "fair.descriptive_metadata",
    "fair.code_licence", "fair.contributors", "fair.identifier_in_metadata",
    "fair.requirements", "fair.tests_present", "fair.metadata_licence",
    "fair.development_metadata", "fair.public_forge", "fair.api_documentation",
    "fair.references", "fair.provenance",
)
README_PLAIN = "# Tool\n\nA tool.\n"


def fair_repo(factory: Factory, **overrides: str | None) -> Path:
    """The well-kept fixture: two commits (the second refers to #1), tag v1.0.0, a forge remote.

    ``overrides`` replace files (None removes one) before anything is committed.
    """
    files = {**fair_repo_files(), **overrides}
    kept = {path: text for path, text in files.items() if text is not None}
    repo = factory(kept, remote=FORGE)
    write_files(repo, {"CHANGELOG.md": "# Changelog\n\n## 1.0.0\n\nFirst release.\n"})
    commit_all(repo, "Add the changelog (#1)")
    git(repo, "tag", "v1.0.0")
    return repo


def bare_repo(factory: Factory, files: dict[str, str] | None = None, **kwargs: object) -> Path:
    return factory(files or {"README.md": README_PLAIN, "tool.py": "print('hi')\n"}, **kwargs)


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), start=1) if needle in line)


def failed(finding: Finding) -> Finding:
    assert finding.outcome is Outcome.FAIL, finding
    assert finding.hint and finding.evidence
    return finding


def messages(finding: Finding) -> str:
    return "\n".join(e.message for e in finding.evidence)


@pytest.fixture
def fair(repo_factory: Factory) -> Path:
    return fair_repo(repo_factory)


def test_every_probe_passes_on_the_well_kept_fixture(fair: Path) -> None:
    for name in PROBES:
        finding = run_probe(fair, name)
        assert finding.outcome is Outcome.PASS, (name, finding)
        assert finding.evidence, name


# --- identifiers (QC.FAIR01, QC.FAIR06) ----------------------------------------------------


@pytest.mark.parametrize(
    "value",
    ["10.5281/zenodo.1234567", "10.1000/182", "10.1002/(SICI)1097-4571(199806)49:8<693::AID>",
     "10.1000.10/abc", "https://doi.org/10.1000/182", "doi:10.1000/182",
     "http://dx.doi.org/10.1000/x"],
)
def test_well_formed_dois_are_accepted(value: str) -> None:
    assert doi_problem(value) is None
    assert parse_pid(value) is not None and parse_pid(value)[0] == "DOI"  # type: ignore[index]


@pytest.mark.parametrize(
    "value",
    ["10.abc/x", "10.123/x", "10.1000/", "11.1000/x", "10.1000 /x", "doi: 10/x",
     "10.5281/zenodo.XXXXXXX", "10.5281/not-zenodo", "https://doi.org/10.abc/x"],
)
def test_malformed_dois_are_rejected(value: str) -> None:
    assert doi_problem(value) is not None
    assert parse_pid(value) is None


def test_other_pids_are_recognised() -> None:
    swhid = "swh:1:dir:" + "a" * 40
    assert parse_pid(swhid) == ("SWHID", swhid)
    assert parse_pid("https://n2t.net/ark:/13030/tf5p30086k") == ("ARK", "ark:/13030/tf5p30086k")
    assert parse_pid("https://hdl.handle.net/11304/abc") == ("Handle", "11304/abc")
    assert parse_pid("https://github.com/example/tool") is None


def test_persistent_identifier_from_citation_cff(fair: Path) -> None:
    finding = run_probe(fair, "fair.persistent_identifier")
    cff = next(e for e in finding.evidence if e.path == "CITATION.cff")
    assert cff.value == "10.5281/zenodo.1234567"
    assert cff.line == line_of(CITATION_FAIR, "doi: 10.5281")
    assert {e.path for e in finding.evidence} == {"CITATION.cff", "codemeta.json", "README.md"}


def test_persistent_identifier_from_a_readme_badge_only(repo_factory: Factory) -> None:
    repo = bare_repo(repo_factory, {"README.md": README_FAIR})
    finding = run_probe(repo, "fair.persistent_identifier")
    assert finding.outcome is Outcome.PASS
    assert finding.evidence[0].path == "README.md"
    assert finding.evidence[0].line == line_of(README_FAIR, "badge/DOI")
    assert finding.evidence[0].value == "10.5281/zenodo.1234567"


def test_persistent_identifier_swhid_in_cff_identifiers(repo_factory: Factory) -> None:
    swhid = "swh:1:rel:" + "0123456789abcdef" * 2 + "01234567"
    cff = CITATION_FAIR.replace("doi: 10.5281/zenodo.1234567\n",
                                f"identifiers:\n  - type: swh\n    value: {swhid}\n")
    repo = bare_repo(repo_factory, {"CITATION.cff": cff})
    finding = run_probe(repo, "fair.persistent_identifier")
    assert finding.outcome is Outcome.PASS
    assert finding.evidence[0].value == swhid
    assert "identifiers[0] swh" in finding.evidence[0].message


def test_persistent_identifier_codemeta_property_value(repo_factory: Factory) -> None:
    meta = json.loads(CODEMETA_FAIR)
    meta["identifier"] = {"@type": "PropertyValue", "propertyID": "DOI",
                          "value": "10.5281/zenodo.7654321"}
    repo = bare_repo(repo_factory, {"codemeta.json": json.dumps(meta, indent=2)})
    finding = run_probe(repo, "fair.persistent_identifier")
    assert finding.outcome is Outcome.PASS
    assert finding.evidence[0].path == "codemeta.json"
    assert finding.evidence[0].value == "10.5281/zenodo.7654321"


def test_no_persistent_identifier_fails_with_a_cff_snippet(repo_factory: Factory) -> None:
    finding = failed(run_probe(bare_repo(repo_factory), "fair.persistent_identifier"))
    assert "no persistent identifier" in finding.evidence[0].message
    assert "doi: 10.5281/zenodo." in (finding.hint or "")


def test_malformed_doi_fails_with_its_line(repo_factory: Factory) -> None:
    cff = CITATION_FAIR.replace("doi: 10.5281/zenodo.1234567", "doi: 10.abc/x")
    repo = bare_repo(repo_factory, {"CITATION.cff": cff})
    finding = failed(run_probe(repo, "fair.persistent_identifier"))
    bad = finding.evidence[0]
    assert (bad.path, bad.value) == ("CITATION.cff", "10.abc/x")
    assert bad.line == line_of(cff, "doi: 10.abc/x") and bad.excerpt == "doi: 10.abc/x"
    assert "not a well-formed identifier" in bad.message


def test_zenodo_badge_placeholder_fails(repo_factory: Factory) -> None:
    readme = README_FAIR.replace("zenodo.1234567", "zenodo.XXXXXXX")
    repo = bare_repo(repo_factory, {"README.md": readme})
    finding = failed(run_probe(repo, "fair.persistent_identifier"))
    assert finding.evidence[0].path == "README.md"
    assert "dummy value" in finding.evidence[0].message


def test_identifier_in_metadata_passes_with_cff(fair: Path) -> None:
    finding = run_probe(fair, "fair.identifier_in_metadata")
    assert finding.outcome is Outcome.PASS
    assert {e.path for e in finding.evidence} == {"CITATION.cff", "codemeta.json"}


def test_identifier_only_in_the_readme_is_not_in_the_metadata(repo_factory: Factory) -> None:
    cff = CITATION_FAIR.replace("doi: 10.5281/zenodo.1234567\n", "")
    repo = bare_repo(repo_factory, {"README.md": README_FAIR, "CITATION.cff": cff})
    assert run_probe(repo, "fair.persistent_identifier").outcome is Outcome.PASS
    finding = failed(run_probe(repo, "fair.identifier_in_metadata"))
    assert finding.evidence[0].path == "README.md"
    assert "not in CITATION.cff or codemeta.json" in finding.evidence[0].message
    assert "doi: 10.5281/zenodo.1234567" in (finding.hint or "")


def test_doi_of_zenodo_json_is_a_pid_but_not_citation_metadata(repo_factory: Factory) -> None:
    zenodo = '{\n  "title": "Tool",\n  "conceptdoi": "10.5281/zenodo.42"\n}\n'
    repo = bare_repo(repo_factory, {".zenodo.json": zenodo})
    finding = run_probe(repo, "fair.persistent_identifier")
    assert finding.outcome is Outcome.PASS
    assert (finding.evidence[0].path, finding.evidence[0].line) == (".zenodo.json", 3)
    finding = failed(run_probe(repo, "fair.identifier_in_metadata"))
    assert finding.evidence[0].path == ".zenodo.json"


# --- version, licences -------------------------------------------------------------------


def test_version_identifier_passes(fair: Path) -> None:
    finding = run_probe(fair, "fair.version_identifier")
    cff = next(e for e in finding.evidence if e.path == "CITATION.cff")
    assert (cff.value, cff.line) == ("1.0.0", line_of(CITATION_FAIR, "version: 1.0.0"))
    assert finding.evidence[0].value == "v1.0.0"
    assert "matches the latest release tag v1.0.0" in cff.message


def test_version_without_release_tag_fails(repo_factory: Factory) -> None:
    repo = bare_repo(repo_factory, {"CITATION.cff": CITATION_FAIR}, tags=["nightly"])
    finding = failed(run_probe(repo, "fair.version_identifier"))
    assert "no tag reachable from HEAD names a version (tags: nightly)" in messages(finding)
    assert "git tag -a v1.0.0" in (finding.hint or "")


def test_release_tag_without_declared_version_fails(repo_factory: Factory) -> None:
    finding = failed(run_probe(bare_repo(repo_factory, tags=["v2.1.0"]),
                               "fair.version_identifier"))
    assert finding.evidence[0].message.startswith("no version declared")
    assert "version: 2.1.0" in (finding.hint or "")


def test_code_licence_passes(fair: Path) -> None:
    finding = run_probe(fair, "fair.code_licence")
    assert (finding.evidence[0].path, finding.evidence[0].value) == ("LICENSE", "MIT")


def test_unrecognised_licence_text_fails(repo_factory: Factory) -> None:
    repo = bare_repo(repo_factory, {"LICENSE": "You may use this if you ask me first.\n"})
    finding = failed(run_probe(repo, "fair.code_licence"))
    assert finding.evidence[0].path == "LICENSE"
    assert "not identified as an SPDX licence" in finding.evidence[0].message


def test_no_licence_file_fails(repo_factory: Factory) -> None:
    finding = failed(run_probe(bare_repo(repo_factory), "fair.code_licence"))
    assert finding.evidence[0].message.startswith("no licence file")


def test_metadata_licence_passes_with_a_codemeta_url(repo_factory: Factory) -> None:
    repo = bare_repo(repo_factory, {"codemeta.json": CODEMETA_FAIR})
    finding = run_probe(repo, "fair.metadata_licence")
    assert finding.outcome is Outcome.PASS
    assert finding.evidence[0].path == "codemeta.json"
    assert finding.evidence[0].line == line_of(CODEMETA_FAIR, '"license"')
    assert "states the licence MIT" in finding.evidence[0].message


def test_metadata_licence_not_spdx_fails(repo_factory: Factory) -> None:
    cff = CITATION_FAIR.replace("license: MIT", "license: Apache 2")
    repo = bare_repo(repo_factory, {"CITATION.cff": cff, "LICENSE": licence_text("Apache-2.0")})
    finding = failed(run_probe(repo, "fair.metadata_licence"))
    assert finding.evidence[0].value == "Apache 2"
    assert finding.evidence[0].line == line_of(cff, "license: Apache 2")
    assert "license: Apache-2.0" in (finding.hint or "")


def test_metadata_licence_absent_fails_naming_the_detected_licence(repo_factory: Factory) -> None:
    repo = bare_repo(repo_factory, {"README.md": README_PLAIN, "LICENSE": licence_text("MIT")})
    finding = failed(run_probe(repo, "fair.metadata_licence"))
    assert "no licence stated" in finding.evidence[0].message
    assert "'license: MIT'" in (finding.hint or "")


# --- metadata content ---------------------------------------------------------------------


def test_descriptive_metadata_passes(fair: Path) -> None:
    finding = run_probe(fair, "fair.descriptive_metadata")
    abstract = next(e for e in finding.evidence if "'abstract'" in e.message)
    assert abstract.line == line_of(CITATION_FAIR, "abstract:")
    keywords = next(e for e in finding.evidence if "keyword" in e.message)
    assert keywords.value == "research data, statistics"


def test_descriptive_metadata_without_abstract_and_keywords_fails(repo_factory: Factory) -> None:
    cff = CITATION_FAIR.replace("abstract: Example tool computes summary statistics of "
                                "research data sets.\n", "")
    cff = cff.replace("keywords:\n  - research data\n  - statistics\n", "")
    repo = bare_repo(repo_factory, {"README.md": README_FAIR, "CITATION.cff": cff})
    finding = failed(run_probe(repo, "fair.descriptive_metadata"))
    assert finding.evidence[0].message.startswith("missing: a description (abstract); keywords")
    assert "abstract:" in (finding.hint or "")


def test_descriptive_metadata_with_broken_codemeta_fails_with_the_parse_error(
    repo_factory: Factory,
) -> None:
    broken = '{\n  "name": "tool",\n  "description": "x"\n  "keywords": ["a"]\n}\n'
    repo = bare_repo(repo_factory, {"README.md": README_FAIR, "codemeta.json": broken})
    finding = failed(run_probe(repo, "fair.descriptive_metadata"))
    error = next(e for e in finding.evidence if e.path == "codemeta.json")
    assert "invalid JSON" in error.message and error.line == 4


def test_contributors_pass_with_orcid_counted(fair: Path) -> None:
    finding = run_probe(fair, "fair.contributors")
    cff = finding.evidence[0]
    assert cff.path == "CITATION.cff" and cff.value == "Ada Lovelace"
    assert "1 author(s) named, 1 with an ORCID" in cff.message
    assert cff.line == line_of(CITATION_FAIR, "authors:")


def test_unnamed_author_fails(repo_factory: Factory) -> None:
    cff = CITATION_FAIR.replace(
        "  - family-names: Lovelace\n    given-names: Ada\n    orcid",
        "  - orcid", 1)
    repo = bare_repo(repo_factory, {"CITATION.cff": cff})
    finding = failed(run_probe(repo, "fair.contributors"))
    assert "author 1 has no given/family name" in finding.evidence[0].message
    assert finding.evidence[0].path == "CITATION.cff"
    assert "given-names: Ada" in (finding.hint or "")


def test_no_authors_fails(repo_factory: Factory) -> None:
    finding = failed(run_probe(bare_repo(repo_factory), "fair.contributors"))
    assert finding.evidence[0].message == (
        "no authors in CITATION.cff, codemeta.json or .zenodo.json")


def test_references_pass_with_preferred_citation(fair: Path) -> None:
    finding = run_probe(fair, "fair.references")
    assert finding.evidence[0].value == "Summary statistics for research data"
    assert finding.evidence[0].line == line_of(CITATION_FAIR, "preferred-citation:")


def test_references_from_codemeta(repo_factory: Factory) -> None:
    meta = json.loads(CODEMETA_FAIR) | {"referencePublication": "https://doi.org/10.1000/182"}
    repo = bare_repo(repo_factory, {"codemeta.json": json.dumps(meta, indent=2)})
    finding = run_probe(repo, "fair.references")
    assert finding.outcome is Outcome.PASS
    assert (finding.evidence[0].path, finding.evidence[0].value) == (
        "codemeta.json", "https://doi.org/10.1000/182")


def test_no_references_fails(repo_factory: Factory) -> None:
    cff = CITATION_FAIR.split("preferred-citation:")[0]
    repo = bare_repo(repo_factory, {"CITATION.cff": cff})
    finding = failed(run_probe(repo, "fair.references"))
    assert "no preferred-citation or references" in finding.evidence[0].message
    assert "preferred-citation:" in (finding.hint or "")


def test_development_metadata_from_a_support_section(repo_factory: Factory) -> None:
    repo = bare_repo(repo_factory, {"README.md": README_PLAIN + "\n## Support\n\nMail us.\n"})
    finding = run_probe(repo, "fair.development_metadata")
    assert finding.outcome is Outcome.PASS
    assert (finding.evidence[0].path, finding.evidence[0].line) == ("README.md", 5)


def test_development_metadata_from_a_repostatus_badge(repo_factory: Factory) -> None:
    badge = ("[![Project Status: Active](https://www.repostatus.org/badges/latest/active.svg)]"
             "(https://www.repostatus.org/#active)")
    repo = bare_repo(repo_factory, {"README.md": f"# Tool\n\n{badge}\n"})
    finding = run_probe(repo, "fair.development_metadata")
    assert finding.outcome is Outcome.PASS
    assert finding.evidence[0].message == "development status badge"
    assert finding.evidence[0].line == 3


def test_no_development_metadata_fails(repo_factory: Factory) -> None:
    finding = failed(run_probe(bare_repo(repo_factory), "fair.development_metadata"))
    assert "no issue tracker, e-mail contact" in finding.evidence[0].message
    assert "repostatus.org" in (finding.hint or "")


# --- requirements, tests, interfaces -------------------------------------------------------


def test_requirements_pass(fair: Path) -> None:
    finding = run_probe(fair, "fair.requirements")
    manifest = finding.evidence[0]
    assert (manifest.path, manifest.excerpt) == ("pyproject.toml", 'dependencies = ["numpy>=1.24"]')
    assert finding.evidence[-1].message == "installation section 'Installation'"


def test_requirements_txt_and_install_command(repo_factory: Factory) -> None:
    readme = "# Tool\n\nInstall it with:\n\n    pip install tool\n"
    repo = bare_repo(repo_factory, {"README.md": readme,
                                    "requirements.txt": "# pinned\nnumpy==1.26.4\n"})
    finding = run_probe(repo, "fair.requirements")
    assert finding.outcome is Outcome.PASS
    assert (finding.evidence[0].path, finding.evidence[0].line) == ("requirements.txt", 2)
    assert finding.evidence[1].message == "installation command"


def test_requirements_without_installation_instructions_fail(repo_factory: Factory) -> None:
    repo = bare_repo(repo_factory, {"README.md": README_PLAIN,
                                    "environment.yml": "name: tool\ndependencies:\n  - numpy\n"})
    finding = failed(run_probe(repo, "fair.requirements"))
    assert "no installation instructions" in finding.evidence[0].message
    assert finding.evidence[1].path == "environment.yml" and finding.evidence[1].line == 2
    assert "Installation" in (finding.hint or "")


def test_installation_instructions_without_manifest_fail(repo_factory: Factory) -> None:
    repo = bare_repo(repo_factory, {"README.md": README_FAIR, "notes.txt": "numpy\n"})
    finding = failed(run_probe(repo, "fair.requirements"))
    assert finding.evidence[0].message.startswith("no dependency manifest")
    assert "pyproject.toml" in (finding.hint or "")


def test_tests_present_passes(fair: Path) -> None:
    finding = run_probe(fair, "fair.tests_present")
    assert finding.evidence[0].path == "tests"
    assert finding.evidence[0].value == ["tests/test_stats.py"]


def test_no_tests_fails(repo_factory: Factory) -> None:
    repo = bare_repo(repo_factory)
    finding = run_probe(repo, "fair.tests_present")
    assert finding.outcome is Outcome.FAIL
    assert finding.evidence[0].message.startswith("no test files found")
    assert "tests" in report_hint(repo, "QC.FAIR08")  # the data's hint: no probe-made one


@pytest.mark.parametrize(
    ("files", "label", "path"),
    [
        ({"openapi.yaml": "openapi: 3.0.3\ninfo:\n  title: t\n"}, "interface definition",
         "openapi.yaml"),
        ({"api/service.yml": "# the API\nopenapi: '3.1.0'\n"}, "OpenAPI/AsyncAPI document",
         "api/service.yml"),
        ({"mkdocs.yml": "site_name: t\nplugins:\n  - mkdocstrings\n"},
         "mkdocstrings API reference", "mkdocs.yml"),
        ({"proto/tool.proto": 'syntax = "proto3";\n'}, "interface definition", "proto/tool.proto"),
        ({"DESCRIPTION": "Package: tool\nRoxygenNote: 7.3.1\n"}, "roxygen2 (R) documentation",
         "DESCRIPTION"),
    ],
)
def test_api_documentation_markers(
    repo_factory: Factory, files: dict[str, str], label: str, path: str
) -> None:
    finding = run_probe(bare_repo(repo_factory, {"README.md": README_PLAIN, **files}),
                        "fair.api_documentation")
    assert finding.outcome is Outcome.PASS
    assert (finding.evidence[0].message, finding.evidence[0].path) == (label, path)


def test_api_documentation_sphinx_autodoc(fair: Path) -> None:
    finding = run_probe(fair, "fair.api_documentation")
    conf = next(e for e in finding.evidence if e.path == "docs/conf.py")
    assert conf.line == 2 and "sphinx.ext.autodoc" in (conf.excerpt or "")


def test_no_api_documentation_fails(repo_factory: Factory) -> None:
    repo = bare_repo(repo_factory, {"README.md": README_PLAIN,
                                    "tests/data/fixture.proto": 'syntax = "proto3";\n',
                                    "docs/conf.py": 'extensions = ["myst_parser"]\n'})
    finding = run_probe(repo, "fair.api_documentation")
    assert finding.outcome is Outcome.FAIL
    assert finding.evidence[0].message.startswith("no API reference generator")
    assert "sphinx.ext.autodoc" in report_hint(repo, "QC.FAIR12")  # docs/conf.py: Python


# --- forge and history ---------------------------------------------------------------------


def test_public_forge_https(fair: Path) -> None:
    finding = run_probe(fair, "fair.public_forge")
    assert finding.evidence[0].value == FORGE
    assert "(https, a public forge)" in finding.evidence[0].message


def test_public_forge_scp_like_ssh(repo_factory: Factory) -> None:
    repo = bare_repo(repo_factory, remote="git@git.example.org:team/tool.git")
    finding = run_probe(repo, "fair.public_forge")
    assert finding.outcome is Outcome.PASS
    assert finding.evidence[0].message == "origin: git@git.example.org:team/tool.git (ssh)"


def test_no_remote_fails(repo_factory: Factory) -> None:
    finding = failed(run_probe(bare_repo(repo_factory, remote=None), "fair.public_forge"))
    assert finding.evidence[0].message == "the repository has no remote"
    assert "git remote add origin" in (finding.hint or "")


def test_local_path_remote_fails(repo_factory: Factory, tmp_path: Path) -> None:
    repo = bare_repo(repo_factory, remote=str(tmp_path / "elsewhere.git"))
    finding = failed(run_probe(repo, "fair.public_forge"))
    assert "is not reached through https, ssh or git" in finding.evidence[0].message


def test_provenance_passes(fair: Path) -> None:
    finding = run_probe(fair, "fair.provenance")
    assert finding.evidence[0].value == 2
    assert finding.evidence[1].value == ["Add the changelog (#1)"]


def test_single_commit_has_no_provenance(repo_factory: Factory) -> None:
    finding = failed(run_probe(bare_repo(repo_factory, message="Import (#3)"), "fair.provenance"))
    assert finding.evidence[0].value == 1
    assert "single commit" in finding.evidence[1].message


def test_history_without_ticket_references_fails(repo_factory: Factory) -> None:
    repo = bare_repo(repo_factory)
    write_files(repo, {"tool.py": "print('hello')\n"})
    commit_all(repo, "Read input as UTF-8 and hash it with SHA-256")
    finding = failed(run_probe(repo, "fair.provenance"))
    assert finding.evidence[0].value == 2
    assert "no commit message refers to an issue" in finding.evidence[1].message


@pytest.mark.parametrize("message", ["Fix crash\n\nCloses GH-7", "PROJ-123: parse dates",
                                     "See https://gitlab.com/a/b/-/issues/12", "Fix a/b#3"])
def test_ticket_reference_forms(repo_factory: Factory, message: str) -> None:
    repo = bare_repo(repo_factory)
    commit_all(repo, message)
    assert run_probe(repo, "fair.provenance").outcome is Outcome.PASS


# --- untrusted metadata ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cff", "codemeta"),
    [
        ("title: [unclosed\nauthors: {\n", "{not json"),
        ("- just\n- a list\n", "[1, 2, 3]"),
        ("authors: Ada\nkeywords: 5\nabstract: [1]\ndoi: 42\npreferred-citation: x\n",
         '{"author": "Ada", "identifier": {"value": 7}, "keywords": {"a": 1}, "license": 3}'),
    ],
)
def test_malformed_metadata_never_crashes(repo_factory: Factory, cff: str, codemeta: str) -> None:
    repo = bare_repo(repo_factory, {"README.md": README_PLAIN, "CITATION.cff": cff,
                                    "codemeta.json": codemeta})
    for name in PROBES:
        finding = run_probe(repo, name)
        assert finding.outcome in (Outcome.PASS, Outcome.FAIL, Outcome.ERROR), name
    both = {"CITATION.cff", "codemeta.json"}
    for name, paths in (("fair.contributors", both), ("fair.descriptive_metadata", both),
                        ("fair.persistent_identifier", {"CITATION.cff"})):
        finding = failed(run_probe(repo, name))
        assert paths <= {e.path for e in finding.evidence}, name


# --- acceptance (issue 6, point 2) ---------------------------------------------------------


def test_well_kept_repository_scores_at_least_80_percent(fair: Path) -> None:
    report = assess_repo(fair, criteria=["QC.FAIR"])
    summary = report.fair["QC.FAIR"]
    assert summary.scores["FAIR"].percent is not None and summary.scores["FAIR"].percent >= 80
    assert summary.badge is not None and summary.badge.level in ("gold", "silver")
    section = report.criteria["QC.FAIR"]
    assert len(section.subcriteria) == 14
    assert all(s.metric and s.score for s in section.subcriteria.values())


def test_bare_repository_scores_low_with_hints(repo_factory: Factory) -> None:
    report = assess_repo(bare_repo(repo_factory), criteria=["QC.FAIR"])
    summary = report.fair["QC.FAIR"]
    assert summary.scores["FAIR"].percent is not None and summary.scores["FAIR"].percent < 30
    assert summary.badge is not None and summary.badge.level == "none"
    failing = {sid: s for sid, s in report.criteria["QC.FAIR"].subcriteria.items()
               if s.outcome is Outcome.FAIL}
    assert len(failing) >= 12
    assert all(s.hint and s.evidence for s in failing.values())


def test_cli_json_report_has_the_fair_section(fair: Path, run_cli: Callable[..., object]) -> None:
    result = run_cli("assess", str(fair), "--format", "json", "-q")
    assert result.returncode in (0, 1), result.stderr  # type: ignore[attr-defined]
    report = json.loads(result.stdout)  # type: ignore[attr-defined]
    assert "QC.FAIR" in report["criteria"]
    assert report["criteria"]["QC.FAIR"]["subcriteria"]["QC.FAIR01"]["outcome"] == "pass"
    assert report["fair"]["QC.FAIR"]["scores"]["FAIR"]["percent"] >= 80


def test_every_indicator_names_an_frsm_metric_and_a_fair_probe() -> None:
    section = default_catalogue().criteria["QC.FAIR"]
    assert sorted(p for s in section.subcriteria for p in s.probes) == sorted(PROBES)
    assert all(s.metric and s.metric.startswith("FRSM-") for s in section.subcriteria)
