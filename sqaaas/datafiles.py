"""Locate the project's data trees (criteria/, pipelines/, badges/, web/, constraints.txt).

In a source checkout or editable install they sit beside the package; a built wheel
carries them under sqaaas/_data/ (see pyproject's force-include).
"""

from __future__ import annotations

from pathlib import Path

import yaml

_PACKAGE_DIR = Path(__file__).resolve().parent


def data_path(name: str) -> Path:
    """Return the top-level data tree or file ``name`` (e.g. ``criteria``, ``constraints.txt``)."""
    bundled = _PACKAGE_DIR / "_data" / name
    if bundled.exists():
        return bundled
    return _PACKAGE_DIR.parent / name


def load_yaml(path: Path) -> object:
    """Parse one of our own data files, with libyaml's fast safe loader when available."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(path.read_text(encoding="utf-8"), Loader=loader)  # nosec B506 - safe loaders
