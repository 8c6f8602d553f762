"""QC.Doc: documentation as code, markup, online, README substance, community files, audiences."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
import yaml

from sqaaas.acquire import Checkout, acquire
from sqaaas.context import make_context
from sqaaas.core import registry
from sqaaas.core.outcomes import Evidence, Finding, Outcome
from sqaaas.datafiles import data_path
from sqaaas.facts.markup import count_words, doc_language, parse_headings
from sqaaas.subjects.repository import assess
from tests.conftest import assess_repo, run_probe
from tests.containers_support import in_containers
from tests.repos import README_GOOD, good_repo_files

FILLER = (
    "This library reads measurement files from field stations, checks them against the "
    "station calendar and writes cleaned series that other tools of the group can load. "
    "It was written for the hydrology team and is maintained by two research engineers. "
)


def find(finding: Finding, text: str) -> Evidence:
    """The first evidence whose message contains ``text`` (fails the test when none)."""
    for evidence in finding.evidence:
        if text in evidence.message:
            return evidence
    raise AssertionError(f"no evidence containing {text!r} in {finding.evidence}")


def messages(finding: Finding) -> str:
    return " | ".join(e.message for e in finding.evidence)


# --- markup parsing ------------------------------------------------------------------------


def test_headings_in_every_markup_style_with_lines():
    text = (
        "---\ntitle: front matter\n---\n"  # 1-3: YAML front matter, not a heading
        "# Project\n"  # 4
        "Install\n=======\n"  # 5: setext / RST
        "Usage\n-----\n"  # 7
        "== Deployment\n"  # 9: AsciiDoc
        '<h2 align="center">Testing</h2>\n'  # 10: HTML
        "**Authors**\n"  # 11: bold pseudo-heading
        "```\n# not a heading\nAlso not\n========\n```\n"  # 12-16: fenced code
        "### [Docs](https://example.org) ###\n"  # 17: link text kept
    )
    found = [(h.line, h.text) for h in parse_headings("README.md", text)]
    assert found == [
        (4, "Project"),
        (5, "Install"),
        (7, "Usage"),
        (9, "Deployment"),
        (10, "Testing"),
        (11, "Authors"),
        (17, "Docs"),
    ]


def test_rst_overline_title_and_directives():
    text = "=======\nMy tool\n=======\n\n.. note::\n   text\n\nUsage\n^^^^^\n"
    assert [(h.line, h.text) for h in parse_headings("README.rst", text)] == [
        (2, "My tool"),
        (8, "Usage"),
    ]


def test_word_count_ignores_urls_and_tags():
    text = "[![CI](https://img.shields.io/badge/build-passing-green)](https://ci.example.org/x)"
    assert count_words(text) == 1  # only "CI"
    assert count_words("<p>Hello <b>research</b> world</p> 42") == 3


@pytest.mark.parametrize(
    ("path", "language"),
    [
        ("README.md", "Markdown"),
        ("pkg/sub/README.rst", "reStructuredText"),
        ("docs/guide.adoc", "AsciiDoc"),
        ("docs/notes.txt", "plain text"),
        ("AUTHORS", "plain text"),
        (".github/CONTRIBUTING.md", "Markdown"),
        ("docs/requirements.txt", None),
        ("CMakeLists.txt", None),
        ("LICENSE.md", None),
        (".github/ISSUE_TEMPLATE/bug.md", None),
        ("src/notes.md", None),
        ("Makefile", None),
    ],
)
def test_what_counts_as_documentation(path, language):
    assert doc_language(path) == language


# --- QC.Doc01 / 01.1 -----------------------------------------------------------------------


def test_tracked_readme_is_docs_as_code(repo_factory):
    finding = run_probe(repo_factory(good_repo_files()), "doc.as_code")
    assert finding.outcome is Outcome.PASS
    evidence = find(finding, "README.md is tracked by git")
    assert evidence.path == "README.md"


def test_tracked_docs_folder_is_docs_as_code(repo_factory):
    repo = repo_factory({"docs/index.md": "# Guide\n", "docs/logo.png": b"\x89PNG"})
    finding = run_probe(repo, "doc.as_code")
    assert finding.outcome is Outcome.PASS
    evidence = find(finding, "docs/ holds 1 documentation file(s), tracked by git")
    assert evidence.value == ["docs/index.md"]


def test_untracked_readme_is_not_docs_as_code(repo_factory):
    repo = repo_factory({"README.md": README_GOOD}, commit=False)
    finding = run_probe(repo, "doc.as_code")
    assert finding.outcome is Outcome.FAIL
    assert find(finding, "README.md exists but is not tracked by git").path == "README.md"
    assert "git add" in (finding.hint or "")


def test_docs_outside_git_fail(tmp_path):
    (tmp_path / "README.md").write_text(README_GOOD)
    # acquire() refuses such a folder; the probe must still not pass when handed one
    ctx = make_context(Checkout(root=tmp_path, url=None, commit=None, branch=None, cloned=False))
    finding = registry.get("doc.as_code")(ctx)
    assert finding.outcome is Outcome.FAIL
    assert "not a git repository" in messages(finding)


def test_docs_as_code_in_an_assessed_subfolder(repo_factory):
    repo = repo_factory({".sqaaas.yml": "subfolder: pkg\n", "pkg/README.md": README_GOOD})
    finding = run_probe(repo, "doc.as_code")
    assert finding.outcome is Outcome.PASS
    assert find(finding, "README.md is tracked by git").path == "README.md"


def test_docs_folder_in_repo(repo_factory):
    finding = run_probe(repo_factory({"README.md": README_GOOD, "doc/api.rst": "API\n===\n"}),
                        "doc.in_repo")
    assert finding.outcome is Outcome.PASS
    assert find(finding, "doc/ holds 1 documentation file(s)").path == "doc"


def test_untracked_docs_folder_is_not_docs_in_repo(repo_factory):
    repo = repo_factory({"README.md": README_GOOD})
    (repo / "docs").mkdir()
    (repo / "docs" / "guide.md").write_text("# Guide\n")
    finding = run_probe(repo, "doc.in_repo")
    assert finding.outcome is Outcome.FAIL
    as_code = run_probe(repo, "doc.as_code")
    assert as_code.outcome is Outcome.PASS  # thanks to the tracked README only
    assert find(as_code, "docs/ holds 1 documentation file(s), not tracked by git").path == "docs"


def test_readme_only_is_not_docs_in_repo(repo_factory):
    finding = run_probe(repo_factory({"README.md": README_GOOD}), "doc.in_repo")
    assert finding.outcome is Outcome.FAIL
    assert find(finding, "apart from README.md").path == "README.md"


# --- QC.Doc02 / 02.1 -----------------------------------------------------------------------


def test_markup_documentation_passes(repo_factory):
    repo = repo_factory({"README.md": README_GOOD, "docs/usage.md": "# Usage\n"})
    finding = run_probe(repo, "doc.markup")
    assert finding.outcome is Outcome.PASS
    assert find(finding, "2 Markdown file(s)").value == ["README.md", "docs/usage.md"]


def test_docs_folder_of_binary_documents_fails(repo_factory):
    repo = repo_factory(
        {"README.md": README_GOOD, "docs/manual.pdf": b"%PDF-1.4", "docs/requirements.txt": "x\n"}
    )
    finding = run_probe(repo, "doc.markup")
    assert finding.outcome is Outcome.FAIL
    assert find(finding, "only binary documents").path == "docs/manual.pdf"


def test_no_documentation_is_not_markup(repo_factory):
    finding = run_probe(repo_factory({"main.c": "int main(void) { return 0; }\n"}), "doc.markup")
    assert finding.outcome is Outcome.FAIL
    assert "no documentation files" in messages(finding)


def test_one_markup_language(repo_factory):
    repo = repo_factory(
        {
            "README.rst": "Tool\n====\n",
            "docs/index.rst": "Index\n=====\n",
            "AUTHORS": "Ada\n",
            ".github/ISSUE_TEMPLATE/bug.md": "# Bug\n",  # forge template: not documentation
        }
    )
    finding = run_probe(repo, "doc.single_markup")
    assert finding.outcome is Outcome.PASS
    assert find(finding, "all documentation uses reStructuredText").value == "reStructuredText"


def test_mixed_markup_languages(repo_factory):
    repo = repo_factory(
        {"README.md": README_GOOD, "docs/index.rst": "Index\n=====\n", "docs/api.rst": "API\n===\n"}
    )
    finding = run_probe(repo, "doc.single_markup")
    assert finding.outcome is Outcome.FAIL
    mixed = find(finding, "2 markup languages mixed: mostly reStructuredText, also Markdown")
    assert mixed.value == ["Markdown", "reStructuredText"]
    assert "reStructuredText" in (finding.hint or "")


def test_single_markup_needs_documentation(repo_factory):
    finding = run_probe(repo_factory({"main.c": "int x;\n"}), "doc.single_markup")
    assert finding.outcome is Outcome.NOT_APPLICABLE


# --- QC.Doc03 / 03.1 -----------------------------------------------------------------------


def test_no_remote_and_no_docs_config_is_not_online(repo_factory):
    finding = run_probe(repo_factory({"README.md": README_GOOD}, remote=None), "doc.online")
    assert finding.outcome is Outcome.FAIL
    assert "no remote" in messages(finding)
    assert "readthedocs" in (finding.hint or "")


def test_private_host_remote_is_not_online(repo_factory):
    repo = repo_factory({"README.md": README_GOOD}, remote="https://git.intranet.example/a/b.git")
    finding = run_probe(repo, "doc.online")
    assert finding.outcome is Outcome.FAIL
    assert "origin (git.intranet.example)" in messages(finding)


def test_public_forge_renders_the_readme(repo_factory):
    repo = repo_factory({"README.md": README_GOOD}, remote="git@github.com:example-org/example.git")
    finding = run_probe(repo, "doc.online")
    assert finding.outcome is Outcome.PASS
    evidence = find(finding, "README.md is rendered online by the public forge github.com")
    assert evidence.value == "https://github.com/example-org/example"
    assert "not verified online" in evidence.message


def test_cloned_over_https_is_verified(repo_factory):
    repo = repo_factory({"README.md": README_GOOD}, remote=None)
    url = "https://gitlab.com/example-org/example.git"
    ctx = make_context(Checkout(root=repo, url=url, commit=None, branch=None, cloned=True))
    finding = registry.get("doc.online")(ctx)
    assert finding.outcome is Outcome.PASS
    evidence = find(finding, "rendered online by the public forge gitlab.com")
    assert evidence.value == "https://gitlab.com/example-org/example"
    assert "cloned anonymously over https" in evidence.message


def test_extra_public_forge_from_config(repo_factory):
    repo = repo_factory(
        {"README.md": README_GOOD, ".sqaaas.yml": "public_forges: [git.intranet.example]\n"},
        remote="https://git.intranet.example/a/b.git",
    )
    finding = run_probe(repo, "doc.online")
    assert finding.outcome is Outcome.PASS
    assert find(finding, "public forge git.intranet.example").value == (
        "https://git.intranet.example/a/b"
    )


def test_documentation_url_in_pyproject(repo_factory):
    pyproject = (
        '[project]\nname = "x"\n\n[project.urls]\n'
        'Source = "https://git.example/x"\nDocumentation = "https://x.readthedocs.io"\n'
    )
    repo = repo_factory({"README.md": README_GOOD, "pyproject.toml": pyproject}, remote=None)
    finding = run_probe(repo, "doc.online")
    assert finding.outcome is Outcome.PASS
    evidence = find(finding, "pyproject.toml ([project.urls] Documentation)")
    assert (evidence.path, evidence.line, evidence.value) == (
        "pyproject.toml", 6, "https://x.readthedocs.io"
    )
    assert len(finding.evidence) == 1  # the Source URL is not documentation


def test_documentation_url_in_citation_and_codemeta(repo_factory):
    codemeta = '{"name": "x", "softwareHelp": [{"@type": "WebSite", "url": "https://x.org/help"}]}'
    files = {
        "CITATION.cff": "cff-version: 1.2.0\ntitle: x\nurl: https://x.org\n",
        "codemeta.json": codemeta,
        "package.json": '{"name": "x", "homepage": "not a url"}',
    }
    finding = run_probe(repo_factory(files, remote=None), "doc.online")
    assert finding.outcome is Outcome.PASS
    assert find(finding, "CITATION.cff (url)").line == 3
    assert find(finding, "codemeta.json (softwareHelp)").value == "https://x.org/help"
    assert "package.json" not in messages(finding)


def test_documentation_url_in_setup_py_and_composer(repo_factory):
    files = {
        "setup.py": 'setup(\n    project_urls={\n        "Docs": "https://x.org/docs",\n    },\n)',
        "composer.json": '{"homepage": "https://x.org/php"}',
    }
    finding = run_probe(repo_factory(files, remote=None), "doc.online")
    assert finding.outcome is Outcome.PASS
    evidence = find(finding, "setup.py (project_urls Docs)")
    assert (evidence.line, evidence.value) == (3, "https://x.org/docs")
    assert find(finding, "composer.json (homepage)").value == "https://x.org/php"


def test_malformed_manifest_does_not_break_online(repo_factory):
    files = {"pyproject.toml": "[project\nname=", "package.json": "[1, 2", "README.md": "# x\n"}
    finding = run_probe(repo_factory(files, remote=None), "doc.online")
    assert finding.outcome is Outcome.FAIL


def test_mkdocs_config_counts_as_online_and_built(repo_factory):
    repo = repo_factory({"mkdocs.yml": "site_name: x\n", "docs/index.md": "# x\n"}, remote=None)
    online = run_probe(repo, "doc.online")
    assert online.outcome is Outcome.PASS
    assert "not visible offline" in find(online, "MkDocs site configuration").message
    built = run_probe(repo, "doc.build_config")
    assert built.outcome is Outcome.PASS
    assert find(built, "MkDocs site configuration").path == "mkdocs.yml"


def test_readthedocs_config_is_hosting(repo_factory):
    repo = repo_factory({".readthedocs.yaml": "version: 2\n", "docs/conf.py": "project = 'x'\n"},
                        remote=None)
    finding = run_probe(repo, "doc.online")
    assert finding.outcome is Outcome.PASS
    assert find(finding, "Read the Docs").path == ".readthedocs.yaml"
    assert find(finding, "Sphinx configuration").path == "docs/conf.py"


def test_ci_job_publishing_pages(repo_factory):
    workflow = (
        "on: push\njobs:\n  docs:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: sphinx-build docs site\n"
        "      # - uses: peaceiris/actions-gh-pages@v4\n"
        "      - uses: actions/deploy-pages@v4\n"
    )
    repo = repo_factory({".github/workflows/docs.yml": workflow}, remote=None)
    online = run_probe(repo, "doc.online")
    assert online.outcome is Outcome.PASS
    published = find(online, "publishes the documentation")
    assert (published.path, published.line) == (".github/workflows/docs.yml", 8)
    built = run_probe(repo, "doc.build_config")
    assert built.outcome is Outcome.PASS
    assert find(built, "builds the documentation").line == 6


def test_no_docs_build_config_fails(repo_factory):
    files = {
        "README.md": README_GOOD,
        "conf.py": "x = 1\n",  # a conf.py outside docs/ is not Sphinx's
        "tox.ini": "[testenv:docs]\ncommands = sphinx-build docs site\n",  # no pipeline runs it
    }
    finding = run_probe(repo_factory(files), "doc.build_config")
    assert finding.outcome is Outcome.FAIL
    assert "mkdocs" in (finding.hint or "")


# --- QC.Doc06.1 README ---------------------------------------------------------------------


def test_readme_with_sections_names_them_with_lines(repo_factory):
    finding = run_probe(repo_factory({"README.md": README_GOOD}), "doc.readme")
    assert finding.outcome is Outcome.PASS
    install = find(finding, "section on installation")
    assert (install.path, install.line, install.value) == ("README.md", 7, "Installation")
    assert find(finding, "section on usage").line == 11
    assert find(finding, "section on tests").value == "Running the tests"
    assert find(finding, "section on contributing").line == 19
    missing = find(finding, "no section found on")
    assert "versioning" in missing.value and "installation" not in missing.value


def test_one_line_readme_fails(repo_factory):
    finding = run_probe(repo_factory({"README.md": "# mytool\n\nA tool.\n"}), "doc.readme")
    assert finding.outcome is Outcome.FAIL
    reason = finding.evidence[0]
    assert reason.failing and "does not get a newcomer started (3 words)" in reason.message
    words = find(finding, "3 words, fewer than the 50")
    assert (words.path, words.value, words.failing) == ("README.md", 3, False)
    assert "Installation" in (finding.hint or "")


BADGES = (
    "[![CI](https://github.com/lab/tool/actions/workflows/ci.yml/badge.svg)]"
    "(https://github.com/lab/tool/actions)\n"
    "[![Docs](https://readthedocs.org/projects/tool/badge/?version=latest)]"
    "(https://tool.readthedocs.io/en/latest/)\n"
    "[![PyPI][pypi-badge]][pypi-url]\n\n"
    "[pypi-badge]: https://img.shields.io/pypi/v/tool\n"
    "[pypi-url]: https://pypi.org/project/tool\n"
)


def test_readme_of_a_title_and_badges_fails(repo_factory):
    """Badges link to a docs site, but they are not instructions: a title plus badges fails."""
    finding = run_probe(repo_factory({"README.md": "# Tool\n\n" + BADGES}), "doc.readme")
    assert finding.outcome is Outcome.FAIL
    assert "no commands to type, and no link to the documentation" in messages(finding)


def test_rst_and_html_badges_are_not_documentation_links(repo_factory):
    rst = (
        "Tool\n====\n\n|docs| |pypi|\n\n"
        ".. |docs| image:: https://readthedocs.org/projects/tool/badge/\n"
        "   :target: https://tool.readthedocs.io\n"
    )
    html = (
        '<h1 align="center">Tool</h1>\n<p align="center"><a href="https://lab.github.io/tool">'
        '<img src="https://img.shields.io/badge/docs-online-blue"></a></p>\n'
    )
    for files in ({"README.rst": rst}, {"README.md": html}):
        assert run_probe(repo_factory(files), "doc.readme").outcome is Outcome.FAIL


def test_installation_heading_with_a_code_block_passes(repo_factory):
    text = "# Tool\n\n" + BADGES + "\n## Installation\n\n```bash\npip install tool\n```\n"
    finding = run_probe(repo_factory({"README.md": text}), "doc.readme")
    assert finding.outcome is Outcome.PASS
    section = find(finding, "getting-started section 'Installation'")
    assert (section.line, section.failing) == (10, False)
    assert find(finding, "commands for the reader (bash code block)").line == 12


def test_readme_with_only_a_documentation_link_passes(repo_factory):
    text = "# Tool\n\n" + BADGES + "\nThe manual is at https://tool.readthedocs.io.\n"
    finding = run_probe(repo_factory({"README.md": text}), "doc.readme")
    assert finding.outcome is Outcome.PASS
    link = find(finding, "link to the documentation site")
    assert (link.line, link.value) == (10, "https://tool.readthedocs.io")


@pytest.mark.parametrize(
    ("files", "why"),
    [
        ({"README.md": "# Tool\n\nSee [the guide](docs/index.md).\n"}, "docs folder"),
        (
            {"README.md": "# Tool\n\nRead [this](https://lab.example.org/tool).\n",
             "pyproject.toml": '[project]\nname = "tool"\n'
             '[project.urls]\nHomepage = "https://lab.example.org/tool"\n'},
            "the metadata declares",
        ),
        ({"README.adoc": "= Tool\n\nhttps://lab.gitlab.io/tool[Manual]\n"}, "documentation"),
    ],
)
def test_other_documentation_links(repo_factory, files, why):
    finding = run_probe(repo_factory(files), "doc.readme")
    assert finding.outcome is Outcome.PASS
    assert why in finding.evidence[0].message


def test_short_usage_readme_passes_despite_few_words(repo_factory):
    text = "# Tool\n\n## Usage\n\n    $ tool input.csv\n"
    finding = run_probe(repo_factory({"README.md": text}), "doc.readme")
    assert finding.outcome is Outcome.PASS
    assert find(finding, "getting-started section 'Usage'").line == 3
    words = find(finding, "5 words, fewer than the 50")
    assert words.failing is False


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("README.md", "# Tool\n\n## Running the development server\n\nSee below.\n"),
        ("README.md", "# Tool\n\n### How to deploy\n\nAsk the admins.\n"),
        ("README.md", "# Tool\n\n**Quickstart**\n\nSee below.\n"),
        ("README.rst", "Tool\n====\n\nBuilding\n--------\n\nSee below.\n"),
        ("README.org", "#+TITLE: Tool\n* Set up\nSee below.\n"),
        ("README", "TOOL\n\nA tool.\n\nREQUIREMENTS\n\nA computer.\n"),
        ("README.txt", "Tool\n\nHow to use:\n\nAsk.\n"),
    ],
)
def test_getting_started_headings_in_every_markup(repo_factory, name, text):
    finding = run_probe(repo_factory({name: text}), "doc.readme")
    assert finding.outcome is Outcome.PASS
    assert "getting-started section" in finding.evidence[0].message


@pytest.mark.parametrize(
    "text",
    [
        "Run it:\n\n```\nnpm run dev\n```\n",
        "Run it:\n\n```console\n$ tool --help\n```\n",
        "Run it with `go run ./cmd/tool`.\n",
        "Run it:\n\n    ./gradlew bootRun\n",
        "```julia\njulia> using Pkg; Pkg.add(\"Tool\")\n```\n",
        "```r\ninstall.packages(\"tool\")\n```\n",
    ],
)
def test_commands_get_a_reader_started(repo_factory, text):
    finding = run_probe(repo_factory({"README.md": "# Tool\n\n" + text}), "doc.readme")
    assert finding.outcome is Outcome.PASS
    assert "commands for the reader" in finding.evidence[0].message


def test_rst_code_block_directive_counts(repo_factory):
    rst = "Tool\n====\n\n.. code-block:: bash\n\n   tool run\n"
    finding = run_probe(repo_factory({"README.rst": rst}), "doc.readme")
    assert finding.outcome is Outcome.PASS
    assert find(finding, "commands for the reader (shell code block)").line == 4


def test_prose_without_commands_or_links_fails(repo_factory):
    text = "# Tool\n\n" + FILLER * 3 + "\nMake sure to go to the lab first.\n"
    finding = run_probe(repo_factory({"README.md": text}), "doc.readme")
    assert finding.outcome is Outcome.FAIL
    assert find(finding, "words (at least 50 expected)").failing is False


def test_missing_readme_fails(repo_factory):
    finding = run_probe(repo_factory({"docs/README.md": README_GOOD}), "doc.readme")
    assert finding.outcome is Outcome.FAIL
    assert "no README file at the repository root" in messages(finding)


def test_long_readme_without_install_or_usage_fails(repo_factory):
    text = "# Tool\n\n" + FILLER * 3 + "\n## Background\n\n" + FILLER
    text += "\n## Tests\n\nRun pytest.\n"
    finding = run_probe(repo_factory({"README.md": text}), "doc.readme")
    assert finding.outcome is Outcome.FAIL
    assert find(finding, "does not get a newcomer started").path == "README.md"
    assert find(finding, "section on tests").line == 7


def test_install_command_stands_in_for_a_heading(repo_factory):
    text = "# Tool\n\n" + FILLER * 2 + "\nInstall it with:\n\n    pip install --user tool\n"
    finding = run_probe(repo_factory({"README.md": text}), "doc.readme")
    assert finding.outcome is Outcome.PASS
    command = find(finding, "installation instructions without a heading")
    assert (command.line, command.excerpt) == (6, "pip install --user tool")


def test_rst_and_asciidoc_readmes(repo_factory):
    rst = "Tool\n====\n\n" + FILLER * 2 + "\nQuick start\n-----------\n\nRun it.\n"
    finding = run_probe(repo_factory({"README.rst": rst}), "doc.readme")
    assert finding.outcome is Outcome.PASS
    assert find(finding, "section on usage").line == 5
    adoc = "= Tool\n\n" + FILLER * 2 + "\n== Usage\n\nRun it.\n"
    finding = run_probe(repo_factory({"README.adoc": adoc}), "doc.readme")
    assert finding.outcome is Outcome.PASS
    assert find(finding, "section on usage").path == "README.adoc"


def test_readme_word_threshold_comes_from_config(repo_factory):
    """The threshold only words the evidence: a short README is reported, never failed."""
    text = "# Tool\n\nComputes things for the lab.\n\n## Usage\n\nRun tool input.csv now.\n"
    strict = run_probe(repo_factory({"README.md": text}), "doc.readme")
    assert strict.outcome is Outcome.PASS
    assert find(strict, "12 words, fewer than the 50").failing is False
    config = ".sqaaas.yml"
    lenient = run_probe(
        repo_factory({"README.md": text, config: "thresholds:\n  readme_min_words: 10\n"}),
        "doc.readme",
    )
    assert lenient.outcome is Outcome.PASS
    assert find(lenient, "(at least 10 expected)").value == 12


def test_latin1_readme_is_assessed_with_a_note(repo_factory):
    text = "# Outil de données\n\nRésumé: " + FILLER * 2 + "\n## Installation\n\nmake install\n"
    finding = run_probe(repo_factory({"README.md": text.encode("latin-1")}), "doc.readme")
    assert finding.outcome is Outcome.PASS
    assert find(finding, "is not valid UTF-8").path == "README.md"
    assert find(finding, "section on installation").line == 4


@pytest.mark.timeout(30)
def test_huge_readme_is_read_capped(repo_factory):
    repo = repo_factory({"src/x.py": "x = 1\n"})
    line = b"## Usage\n" + FILLER.encode() * 20 + b"\n"
    with open(repo / "README.md", "wb") as handle:
        while handle.tell() < 50 * 1024 * 1024:
            handle.write(line * 1000)
    started = time.monotonic()
    finding = run_probe(repo, "doc.readme")
    assert finding.outcome is Outcome.PASS
    truncated = find(finding, "only its first 500000 bytes were read")
    assert truncated.value >= 50 * 1024 * 1024
    assert run_probe(repo, "doc.user").outcome is Outcome.PASS
    assert time.monotonic() - started < 10


def test_readme_symlink_leaving_the_repo_is_not_read(repo_factory, tmp_path):
    secret = tmp_path / "secret.md"
    secret.write_text("# Usage\n" + FILLER * 5)
    repo = repo_factory({"src/x.py": "x = 1\n"})
    os.symlink(secret, repo / "README.md")
    finding = run_probe(repo, "doc.readme")
    assert finding.outcome is Outcome.FAIL
    assert "symlink leading outside the repository" in messages(finding)


# --- QC.Doc06.2 / 06.3 ---------------------------------------------------------------------


def test_contributing_at_root(repo_factory):
    finding = run_probe(repo_factory(good_repo_files()), "doc.contributing")
    assert finding.outcome is Outcome.PASS
    assert find(finding, "CONTRIBUTING found").path == "CONTRIBUTING.md"


@pytest.mark.parametrize(
    "path",
    [".github/CONTRIBUTING.md", "docs/contributing.rst", ".gitlab/contributing", "Contribute.adoc",
     "docs/source/community/contributing.rst", "docs/contributing/index.md",
     "CONTRIBUTING_GUIDELINES.md", "doc/developer/contributor-guide.mdx", "HACKING.md"],
)
def test_contributing_in_other_places(repo_factory, path):
    finding = run_probe(repo_factory({path: "How to contribute: open a merge request.\n"}),
                        "doc.contributing")
    assert finding.outcome is Outcome.PASS
    assert find(finding, "CONTRIBUTING found").path == path


def test_missing_contributing_fails_and_mentions_readme_section(repo_factory):
    finding = run_probe(repo_factory({"README.md": README_GOOD}), "doc.contributing")
    assert finding.outcome is Outcome.FAIL
    assert "no CONTRIBUTING file" in finding.evidence[0].message
    section = find(finding, "has a 'Contributing' section")
    assert (section.path, section.line) == ("README.md", 19)
    assert "CONTRIBUTING.md" in (finding.hint or "")


def test_contributing_elsewhere_or_by_another_name_does_not_count(repo_factory):
    files = {"src/contributing.md": "Open a merge request.\n", "CONTRIBUTORS.md": "Ada\n",
             "docs/contributing.py": "x = 1\n", ".github/workflows/contributing.md": "x\n"}
    finding = run_probe(repo_factory(files), "doc.contributing")
    assert finding.outcome is Outcome.FAIL


def test_empty_contributing_fails(repo_factory):
    finding = run_probe(repo_factory({"CONTRIBUTING.md": "\n  \n"}), "doc.contributing")
    assert finding.outcome is Outcome.FAIL
    assert find(finding, "CONTRIBUTING.md is empty").path == "CONTRIBUTING.md"


@pytest.mark.parametrize(
    "path", ["docs/code-of-conduct.rst", "CODE-OF-CONDUCT.txt", ".github/code_of_conduct.md",
             "docs/source/about/code_of_conduct.rst", "docs/code-of-conduct/index.md"]
)
def test_code_of_conduct_found(repo_factory, path):
    finding = run_probe(repo_factory({path: "Be kind; report to conduct@example.org.\n"}),
                        "doc.code_of_conduct")
    assert finding.outcome is Outcome.PASS
    assert find(finding, "CODE_OF_CONDUCT found").path == path


def test_missing_code_of_conduct_fails(repo_factory):
    repo = repo_factory({"README.md": README_GOOD, "src/code_of_conduct.py": "x = 1\n"})
    finding = run_probe(repo, "doc.code_of_conduct")
    assert finding.outcome is Outcome.FAIL
    assert "no CODE_OF_CONDUCT file in the root, .github/, .gitlab/ or the documentation " \
        "folders" in messages(finding)
    assert "contributor-covenant" in (finding.hint or "")


# --- QC.Doc06.5-06.7 audiences -------------------------------------------------------------


def test_developer_docs_by_file_name(repo_factory):
    finding = run_probe(repo_factory({"docs/architecture.md": "Modules and layers.\n"}),
                        "doc.developer")
    assert finding.outcome is Outcome.PASS
    assert find(finding, "developer documentation file").path == "docs/architecture.md"


def test_deployment_docs_by_heading(repo_factory):
    text = "# Service\n\n## Deployment on Kubernetes\n\nhelm install svc chart/\n"
    finding = run_probe(repo_factory({"docs/ops.md": text}), "doc.deployment")
    assert finding.outcome is Outcome.PASS
    section = find(finding, "deployment documentation section 'Deployment on Kubernetes'")
    assert (section.path, section.line) == ("docs/ops.md", 3)


def test_user_docs_from_readme_usage(repo_factory):
    finding = run_probe(repo_factory({"README.md": README_GOOD}), "doc.user")
    assert finding.outcome is Outcome.PASS
    assert find(finding, "user documentation section 'Usage'").line == 11
    assert "Example tool" not in messages(finding)  # a title, not an examples section


def test_audiences_missing(repo_factory):
    repo = repo_factory(
        {"README.md": "# Tool\n\n" + FILLER, "CHANGELOG.md": "# Changes\n\n## Installation fixed\n"}
    )
    for name in ("doc.developer", "doc.deployment", "doc.user"):
        finding = run_probe(repo, name)
        assert finding.outcome is Outcome.FAIL, name
        assert "no documentation file or section heading names it" in messages(finding)
        assert finding.hint


# --- criteria data -------------------------------------------------------------------------


def test_every_doc_subcriterion_is_listed():
    raw = yaml.safe_load(Path(data_path("criteria") / "software" / "QC.Doc.yml").read_text())
    ids = [s["id"] for s in raw["subcriteria"]]
    expected = ["QC.Doc01", "QC.Doc01.1", "QC.Doc02", "QC.Doc02.1", "QC.Doc02.2", "QC.Doc03",
                "QC.Doc03.1", "QC.Doc04", "QC.Doc05", "QC.Doc06"]
    expected += [f"QC.Doc06.{n}" for n in range(1, 8)]
    assert ids == expected
    levels = {s["id"]: s["requirement_level"] for s in raw["subcriteria"]}
    assert levels["QC.Doc06.4"] == "MUST" and levels["QC.Doc06.5"] == "UNSPECIFIED"


# --- the criterion as the engine scores it -------------------------------------------------


@in_containers(timeout=300)  # QC.Doc02.2: the markup linters run in the tools container
def test_good_repository_has_valid_documentation(repo_factory):
    result = assess_repo(repo_factory(good_repo_files()), criteria=["QC.Doc"]).criteria["QC.Doc"]
    assert result.valid
    doc06 = result.subcriteria["QC.Doc06"]
    assert doc06.outcome is Outcome.PASS
    assert doc06.probes == ["doc.readme", "doc.contributing", "doc.code_of_conduct",
                            "lic.file_at_root"]
    assert result.subcriteria["QC.Doc06.4"].outcome is Outcome.PASS
    assert result.subcriteria["QC.Doc02.2"].outcome is Outcome.PASS  # markdown lint (tools)


def test_missing_code_of_conduct_fails_doc06_and_the_criterion(repo_factory):
    files = good_repo_files()
    del files["CODE_OF_CONDUCT.md"]
    result = assess_repo(repo_factory(files), criteria=["QC.Doc"]).criteria["QC.Doc"]
    assert not result.valid
    assert result.subcriteria["QC.Doc06"].outcome is Outcome.FAIL
    assert result.subcriteria["QC.Doc06.3"].outcome is Outcome.FAIL
    assert result.subcriteria["QC.Doc06.1"].outcome is Outcome.PASS
    assert "contributor-covenant" in result.subcriteria["QC.Doc06"].hint


def test_missing_licence_fails_doc06_4(repo_factory):
    """Doc06.4 fails; it decides QC.Doc under the strict profile only (tests/test_profiles.py
    shows it as advice under the default sqaaas profile)."""
    files = good_repo_files()
    del files["LICENSE"]
    checkout = acquire(str(repo_factory(files)))
    result = assess(checkout, criteria=["QC.Doc"], profile="strict").criteria["QC.Doc"]
    assert result.subcriteria["QC.Doc06.4"].outcome is Outcome.FAIL
    assert result.subcriteria["QC.Doc06"].outcome is Outcome.FAIL
    assert not result.valid
