"""Language detection by file extension and name, from criteria/languages.yml."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from functools import cache

import yaml

from sqaaas.datafiles import data_path, load_yaml
from sqaaas.errors import CriteriaDataError
from sqaaas.repofs import FileEntry


@cache
def _tables() -> tuple[dict[str, str], dict[str, str], frozenset[str]]:
    """Extension -> language, file name -> language, and the languages that are not code."""
    path = data_path("criteria") / "languages.yml"
    try:
        raw = load_yaml(path)
        not_code = frozenset(raw.get("not_programming") or ())
        return dict(raw["extensions"]), dict(raw["filenames"]), not_code
    except (OSError, yaml.YAMLError, KeyError, TypeError, AttributeError) as exc:
        raise CriteriaDataError(f"{path}: invalid language table: {exc}") from exc


def known_languages() -> frozenset[str]:
    """Every language name the table can detect (what hints_by_language keys must be)."""
    extensions, filenames, _ = _tables()
    return frozenset(extensions.values()) | frozenset(filenames.values()) | {"Dockerfile"}


def language_of(entry: FileEntry) -> str | None:
    extensions, filenames, _ = _tables()
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


def main_language(languages: Mapping[str, int]) -> str | None:
    """The most common programming language of ``languages`` (as detect_languages counts).

    Data, markup and build files (YAML, Markdown, CMake...) never count: a C project's
    CMakeLists.txt or a TypeScript project's JSON must not decide which tools its hints name.
    """
    not_code = _tables()[2]
    code = {lang: n for lang, n in languages.items() if lang not in not_code}
    return max(code, key=lambda lang: code[lang]) if code else None
