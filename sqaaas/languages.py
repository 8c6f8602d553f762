"""Language detection by file extension and name, from criteria/languages.yml."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
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


@dataclass(frozen=True)
class MainLanguageRule:
    """criteria/languages.yml ``main_languages``: which languages a repository is written in,
    and which subcriteria must be judged by a tool for each of them."""

    min_share: float
    not_measured: frozenset[str]
    judged: frozenset[str]


@cache
def main_language_rule() -> MainLanguageRule:
    path = data_path("criteria") / "languages.yml"
    try:
        raw = load_yaml(path)["main_languages"]
        share = float(raw["min_share"])
        if not 0 < share <= 1:
            raise ValueError(f"min_share {share} is not in (0, 1]")
        return MainLanguageRule(
            share,
            frozenset(raw.get("not_measured") or ()),
            frozenset(raw.get("judged_by_main_languages") or ()),
        )
    except (OSError, yaml.YAMLError, KeyError, TypeError, AttributeError, ValueError) as exc:
        raise CriteriaDataError(f"{path}: invalid main_languages: {exc}") from exc


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


def code_sizes(files: Iterable[FileEntry]) -> dict[str, int]:
    """Programming language -> bytes of its files, largest first. Data, markup and build
    formats and the languages the rule does not measure are left out, and so are files
    known by their name (Jenkinsfile, Vagrantfile, Makefile): build and CI glue, not the
    language a project is written in."""
    extensions, _, not_code = _tables()
    unmeasured = not_code | main_language_rule().not_measured
    sizes: Counter[str] = Counter()
    for entry in files:
        lang = extensions.get(entry.suffix)
        if lang and lang not in unmeasured:
            sizes[lang] += entry.size
    return dict(sizes.most_common())


def main_languages(files: Iterable[FileEntry]) -> dict[str, float]:
    """The repository's main languages and their share of its code, largest first: every
    language with at least ``min_share`` of the code's bytes, and always the largest one
    (criteria/languages.yml ``main_languages``). Empty when the repository has no code."""
    sizes = code_sizes(files)
    total = sum(sizes.values())
    if not total:
        return {}
    share = main_language_rule().min_share
    return {
        lang: round(size / total, 3)
        for rank, (lang, size) in enumerate(sizes.items())
        if rank == 0 or size / total >= share
    }
