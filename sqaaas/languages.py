"""Language detection by file extension and name, from criteria/languages.yml."""

from __future__ import annotations

from collections import Counter
from functools import cache

import yaml

from sqaaas.datafiles import data_path, load_yaml
from sqaaas.errors import CriteriaDataError
from sqaaas.repofs import FileEntry


@cache
def _tables() -> tuple[dict[str, str], dict[str, str]]:
    path = data_path("criteria") / "languages.yml"
    try:
        raw = load_yaml(path)
        return dict(raw["extensions"]), dict(raw["filenames"])
    except (OSError, yaml.YAMLError, KeyError, TypeError) as exc:
        raise CriteriaDataError(f"{path}: invalid language table: {exc}") from exc


def language_of(entry: FileEntry) -> str | None:
    extensions, filenames = _tables()
    name = entry.name
    if name in filenames:
        return filenames[name]
    if name.startswith("Dockerfile.") or name.endswith(".Dockerfile"):
        return "Dockerfile"
    return extensions.get(entry.suffix)


def detect_languages(files: tuple[FileEntry, ...]) -> dict[str, int]:
    """Language -> number of files, most common first."""
    counts = Counter(lang for f in files if (lang := language_of(f)))
    return dict(counts.most_common())
