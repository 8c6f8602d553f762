"""Build fixture git repositories in temporary directories (git init, files, commits, tags).

Licence texts come from the `identify` package's bundled choosealicense.com texts, so the
fixtures carry real licence texts without copying them into this repository.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable, Mapping
from pathlib import Path

from identify.vendor.licenses import LICENSES

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Ada Lovelace",
    "GIT_AUTHOR_EMAIL": "ada@example.org",
    "GIT_COMMITTER_NAME": "Ada Lovelace",
    "GIT_COMMITTER_EMAIL": "ada@example.org",
    "GIT_CONFIG_NOSYSTEM": "1",
    "HOME": os.environ.get("HOME", "/tmp"),
}


def licence_text(spdx: str, holder: str = "2024 Ada Lovelace") -> str:
    """The full text of a licence bundled with `identify`, with a copyright line."""
    for key, text in LICENSES:
        if key == spdx:
            return text.replace("[year] [fullname]", holder)
    raise KeyError(spdx)


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, **GIT_ENV}
    return subprocess.run(
        ["git", "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", *args],
        cwd=repo,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def write_files(repo: Path, files: Mapping[str, str | bytes]) -> None:
    for rel, content in files.items():
        path = repo / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


def make_repo(
    path: Path,
    files: Mapping[str, str | bytes] | None = None,
    *,
    remote: str | None = "https://github.com/example-org/example.git",
    tags: Iterable[str] = (),
    commit: bool = True,
    message: str = "Initial commit",
) -> Path:
    """Create a git repository at ``path`` with ``files`` committed and ``tags`` on HEAD."""
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q")
    if files:
        write_files(path, files)
    if remote:
        git(path, "remote", "add", "origin", remote)
    if commit:
        git(path, "add", "-A")
        git(path, "commit", "-q", "--allow-empty", "-m", message)
    for tag in tags:
        git(path, "tag", tag)
    return path


def commit_all(repo: Path, message: str = "Change") -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", message)


README_GOOD = """# Example tool

Example tool computes statistics of research data sets and is used by several
projects of our institute to validate their inputs before publication. It reads
CSV files, checks their schema and writes a summary in JSON.

## Installation

    pip install example-tool

## Usage

    example-tool summarise data.csv

## Running the tests

    pytest

## Contributing

See CONTRIBUTING.md. Authors: Ada Lovelace. Acknowledgements: EOSC.
"""

CITATION_GOOD = """cff-version: 1.2.0
message: If you use this software, please cite it as below.
title: Example tool
version: 1.0.0
date-released: 2024-05-01
doi: 10.5281/zenodo.1234567
license: MIT
repository-code: https://github.com/example-org/example
authors:
  - family-names: Lovelace
    given-names: Ada
    orcid: https://orcid.org/0000-0002-1825-0097
"""


def good_repo_files() -> dict[str, str]:
    """Files of a repository that meets the bronze and silver repository-level criteria."""
    return {
        "LICENSE": licence_text("MIT"),
        "README.md": README_GOOD,
        "CONTRIBUTING.md": "# Contributing\n\nOpen an issue, then a pull request with tests.\n",
        "CODE_OF_CONDUCT.md": "# Code of conduct\n\nWe follow the Contributor Covenant 2.1.\n",
        "CITATION.cff": CITATION_GOOD,
        "example/__init__.py": '"""Example tool."""\n\n__version__ = "1.0.0"\n',
    }


STATS_MODULE = '''"""Summary statistics for research data."""


def mean(values: list[float]) -> float:
    """Arithmetic mean; an empty list is an error, not zero."""
    if not values:
        raise ValueError("mean of an empty list")
    return sum(values) / len(values)


def spread(values: list[float]) -> float:
    """Largest minus smallest value."""
    return max(values) - min(values)
'''

STATS_TESTS = '''"""Tests of example.stats."""

import pytest

from example.stats import mean, spread


def test_mean():
    """The mean of a few values."""
    assert mean([1.0, 2.0, 3.0]) == 2.0


def test_mean_of_nothing_is_an_error():
    """An empty list raises."""
    with pytest.raises(ValueError):
        mean([])


def test_spread():
    """Largest minus smallest."""
    assert spread([4.0, 1.0, 9.0]) == 8.0
'''

CI_WORKFLOW = """name: CI
on: [push, pull_request]
permissions:
  contents: read
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: pip install ruff pytest pytest-cov
      - run: ruff check .
      - run: pytest --cov=example --cov-fail-under=70
"""


def gold_repo_files() -> dict[str, str]:
    """A small, clean Python project meeting every criterion of the gold level."""
    return {
        **good_repo_files(),
        "SECURITY.md": "# Security\n\nReport vulnerabilities privately to security@example.org.\n",
        "example/stats.py": STATS_MODULE,
        "tests/__init__.py": "",
        "tests/test_stats.py": STATS_TESTS,
        ".github/workflows/ci.yml": CI_WORKFLOW,
    }


CITATION_FAIR = """cff-version: 1.2.0
message: If you use this software, please cite it as below.
title: Example tool
abstract: Example tool computes summary statistics of research data sets.
version: 1.0.0
date-released: 2024-05-01
doi: 10.5281/zenodo.1234567
license: MIT
repository-code: https://github.com/example/tool
keywords:
  - research data
  - statistics
authors:
  - family-names: Lovelace
    given-names: Ada
    orcid: https://orcid.org/0000-0002-1825-0097
    email: ada@example.org
preferred-citation:
  type: article
  title: Summary statistics for research data
  doi: 10.1000/182
  journal: Journal of Examples
  year: 2024
  authors:
    - family-names: Lovelace
      given-names: Ada
"""

CODEMETA_FAIR = """{
  "@context": "https://w3id.org/codemeta/3.0",
  "@type": "SoftwareSourceCode",
  "name": "Example tool",
  "description": "Example tool computes summary statistics of research data sets.",
  "version": "1.0.0",
  "identifier": "https://doi.org/10.5281/zenodo.1234567",
  "license": "https://spdx.org/licenses/MIT",
  "codeRepository": "https://github.com/example/tool",
  "issueTracker": "https://github.com/example/tool/issues",
  "developmentStatus": "active",
  "keywords": ["research data", "statistics"],
  "author": [
    {"@type": "Person", "@id": "https://orcid.org/0000-0002-1825-0097",
     "givenName": "Ada", "familyName": "Lovelace"}
  ]
}
"""

README_FAIR = """# Example tool

[![DOI](https://zenodo.org/badge/DOI/10.5281/zenodo.1234567.svg)](https://doi.org/10.5281/zenodo.1234567)

Example tool computes statistics of research data sets and is used by several
projects of our institute to validate their inputs before publication. It reads
CSV files, checks their schema and writes a summary in JSON.

## Installation

    pip install example-tool

## Usage

    example-tool summarise data.csv

## Support

Ask questions in the issue tracker: https://github.com/example/tool/issues
"""

PYPROJECT_FAIR = """[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "example-tool"
version = "1.0.0"
license = "MIT"
dependencies = ["numpy>=1.24"]
"""


def fair_repo_files() -> dict[str, str]:
    """A well-kept research software repository meeting every offline FAIR indicator.

    Build it with ``make_repo(..., remote="https://github.com/example/tool.git",
    tags=["v1.0.0"], message="Add statistics (#1)")`` for the history indicators.
    """
    return {
        "LICENSE": licence_text("MIT"),
        "README.md": README_FAIR,
        "CITATION.cff": CITATION_FAIR,
        "codemeta.json": CODEMETA_FAIR,
        "pyproject.toml": PYPROJECT_FAIR,
        "example/__init__.py": '"""Example tool."""\n\n__version__ = "1.0.0"\n',
        "example/stats.py": STATS_MODULE,
        "tests/__init__.py": "",
        "tests/test_stats.py": STATS_TESTS,
        "docs/conf.py": 'project = "Example tool"\nextensions = ["sphinx.ext.autodoc"]\n',
        "docs/api.rst": "API\n===\n\n.. automodule:: example.stats\n   :members:\n",
    }
