"""A generated Python project of a given size, shaped like a real one: a package of modules
with docstrings, classes, branches and I/O, a test per module, and the usual project files
(README, LICENCE, CITATION.cff... from the test fixtures), committed to git."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.repos import git, good_repo_files, write_files  # noqa: E402

FUNCTIONS_PER_MODULE = 12
_FUNCTION = '''

def load_{m}_{f}(path, encoding="utf-8"):
    """Read the records of part {f} from a JSON file."""
    with open(path, encoding=encoding) as handle:
        return json.load(handle)


def summarise_{m}_{f}(records, key="value"):
    """Totals per category, skipping malformed rows."""
    totals = {{}}
    for record in records:
        if not isinstance(record, dict) or key not in record:
            continue
        category = record.get("category", "other")
        totals[category] = totals.get(category, 0) + record[key]
    return totals


class Stage{m}x{f}:
    """One step of the pipeline, with its own threshold."""

    def __init__(self, threshold={f}):
        self.threshold = threshold

    def keep(self, value):
        if value is None:
            return False
        return value >= self.threshold
'''
_HEADER = '''"""Module {m}: a piece of the data pipeline."""

import json
'''
_TEST = '''from project.module{m} import Stage{m}x0, summarise_{m}_0


def test_summarise_{m}():
    assert summarise_{m}_0([{{"category": "a", "value": 2}}, {{"x": 1}}]) == {{"a": 2}}


def test_stage_{m}():
    assert Stage{m}x0(1).keep(2) and not Stage{m}x0(1).keep(None)
'''


def module_text(m: int) -> str:
    return _HEADER.format(m=m) + "".join(
        _FUNCTION.format(m=m, f=f) for f in range(FUNCTIONS_PER_MODULE)
    )


def python_project(path: Path, lines: int) -> Path:
    """A committed project of about ``lines`` lines of Python."""
    per_module = module_text(0).count("\n")
    files: dict[str, str] = dict(good_repo_files())
    files["project/__init__.py"] = ""
    for m in range(max(1, lines // per_module)):
        files[f"project/module{m}.py"] = module_text(m)
        files[f"tests/test_module{m}.py"] = _TEST.format(m=m)
    path.mkdir(parents=True)
    git(path, "init", "-q")
    write_files(path, files)
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", "generated project")
    return path
