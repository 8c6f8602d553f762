"""The project URLs fact and the manifests it reads: roles, lines, tolerance of bad files."""

from __future__ import annotations

import json

import pytest

from sqaaas.acquire import acquire
from sqaaas.context import RepoContext, make_context
from sqaaas.facts import manifests
from sqaaas.facts.project_urls import (
    DOCUMENTATION,
    HOMEPAGE,
    ISSUES,
    OTHER,
    project_urls,
    role_of,
    urls_for,
)
from sqaaas.safeparse import ParseLimitError

PYPROJECT = """[project]
name = "x"

[project.urls]
Homepage = "https://x.org"
Documentation = "https://x.readthedocs.io"
"Bug Tracker" = "https://git.example/x/issues"
Source = "https://git.example/x"

[tool.poetry]
homepage = "not a url"
"""
SETUP_CFG = """[metadata]
name = x
url = https://x.org/cfg
project_urls =
    Documentation = https://docs.x.org
    Tracker = https://git.example/x/-/issues
"""
SETUP_PY = """from setuptools import setup

setup(
    name="x",
    url="https://x.org/py",
    project_urls={
        "Bug Reports": "https://git.example/x/issues",
    },
)
"""
DESCRIPTION = """Package: x
Title: X
URL: https://x.r-universe.dev,
    https://github.com/org/x
BugReports: https://github.com/org/x/issues
"""


def _ctx(repo_factory, files: dict[str, str]) -> RepoContext:
    return make_context(acquire(str(repo_factory(files, remote=None))))


def _found(ctx: RepoContext) -> list[tuple[str, str, str, str, int | None]]:
    return [(u.path, u.field, u.url, u.role, u.line) for u in ctx.fact(project_urls)]


@pytest.mark.parametrize(
    ("label", "role"),
    [
        ("Bug Tracker", ISSUES),
        ("issues", ISSUES),
        ("Docs", DOCUMENTATION),
        ("Homepage", HOMEPAGE),
        ("Source", OTHER),
        ("download_url", OTHER),
    ],
)
def test_role_of_a_label(label, role):
    assert role_of(label) == role


def test_pyproject_urls_with_roles_and_lines(repo_factory):
    found = _found(_ctx(repo_factory, {"pyproject.toml": PYPROJECT}))
    assert found == [
        ("pyproject.toml", "[project.urls] Homepage", "https://x.org", HOMEPAGE, 5),
        ("pyproject.toml", "[project.urls] Documentation", "https://x.readthedocs.io",
         DOCUMENTATION, 6),
        ("pyproject.toml", "[project.urls] Bug Tracker", "https://git.example/x/issues",
         ISSUES, 7),
        ("pyproject.toml", "[project.urls] Source", "https://git.example/x", OTHER, 8),
    ]


def test_setup_cfg_setup_py_and_description(repo_factory):
    ctx = _ctx(repo_factory, {"setup.cfg": SETUP_CFG, "setup.py": SETUP_PY,
                              "DESCRIPTION": DESCRIPTION})
    assert _found(ctx) == [
        ("setup.cfg", "[metadata] url", "https://x.org/cfg", HOMEPAGE, 3),
        ("setup.cfg", "[metadata] project_urls Documentation", "https://docs.x.org",
         DOCUMENTATION, 5),
        ("setup.cfg", "[metadata] project_urls Tracker", "https://git.example/x/-/issues",
         ISSUES, 6),
        ("DESCRIPTION", "URL", "https://x.r-universe.dev", HOMEPAGE, 3),
        ("DESCRIPTION", "BugReports", "https://github.com/org/x/issues", ISSUES, 5),
        ("setup.py", "project_urls Bug Reports", "https://git.example/x/issues", ISSUES, 7),
        ("setup.py", "url", "https://x.org/py", HOMEPAGE, 5),
    ]


def test_json_manifests_and_citation_metadata(repo_factory):
    files = {
        "package.json": json.dumps(
            {"name": "x", "homepage": "https://x.dev", "bugs": {"email": "bugs@x.dev"}}, indent=1
        ),
        "composer.json": json.dumps(
            {"name": "o/x", "support": {"docs": "https://x.dev/docs", "issues": "https://i.x"}}
        ),
        "codemeta.json": json.dumps(
            {"name": "x", "issueTracker": "https://t.x", "readme": "https://x.dev/readme"}
        ),
        "CITATION.cff": "cff-version: 1.2.0\ntitle: x\nurl: https://cite.x\n",
    }
    ctx = _ctx(repo_factory, files)
    assert [(u.path, u.field, u.url) for u in urls_for(ctx, ISSUES)] == [
        ("codemeta.json", "issueTracker", "https://t.x"),
        ("package.json", "bugs", "mailto:bugs@x.dev"),
        ("composer.json", "support.issues", "https://i.x"),
    ]
    assert [(u.path, u.field) for u in urls_for(ctx, DOCUMENTATION, HOMEPAGE)] == [
        ("CITATION.cff", "url"),
        ("codemeta.json", "readme"),
        ("package.json", "homepage"),
        ("composer.json", "support.docs"),
    ]
    assert next(u for u in urls_for(ctx, ISSUES) if u.path == "package.json").line == 5


def test_malformed_manifests_are_skipped(repo_factory):
    files = {
        "pyproject.toml": "[project\nurls = ",
        "package.json": '["https://x.org"]',
        "setup.cfg": "no section header = https://x.org\n",
    }
    ctx = _ctx(repo_factory, files)
    assert ctx.fact(project_urls) == ()
    assert ctx.fact(manifests.pyproject) is None
    assert ctx.fact(manifests.package_json) is None  # valid JSON, but not an object
    assert ctx.fact(manifests.setup_cfg) is None


def test_an_oversized_manifest_is_not_read_and_says_so(repo_factory):
    """Over the read cap: nothing can be concluded from it, which is not 'no URL'."""
    files = {"Cargo.toml": '[package]\nhomepage = "https://x.org"\n' + "#" * 1_000_001}
    ctx = _ctx(repo_factory, files)
    with pytest.raises(ParseLimitError, match=r"^Cargo\.toml: larger than 1000000 bytes"):
        ctx.fact(manifests.cargo_toml)
    with pytest.raises(ParseLimitError):
        ctx.fact(project_urls)


def test_manifest_tables_and_r_description_fields(repo_factory):
    ctx = _ctx(repo_factory, {"pyproject.toml": PYPROJECT, "DESCRIPTION": DESCRIPTION})
    pyproject = ctx.fact(manifests.pyproject)
    assert pyproject is not None
    assert pyproject.table("tool.poetry") == {"homepage": "not a url"}
    assert pyproject.table("tool.poetry.homepage") == {}  # a string, not a table
    assert pyproject.table("tool.missing") == {}
    description = ctx.fact(manifests.r_description)
    assert description is not None
    assert description.data["URL"] == "https://x.r-universe.dev, https://github.com/org/x"
    assert description.data["Package"] == "x"
