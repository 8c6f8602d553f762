"""The licence data of criteria/licences.yml, loaded once and validated.

Every SPDX id in it must exist in the SPDX licence list, so a typo fails loudly at start-up
instead of silently never matching.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import yaml

from sqaaas.datafiles import data_path, load_yaml
from sqaaas.errors import CriteriaDataError
from sqaaas.facts.licences.spdx import canonical_id, family
from sqaaas.facts.licences.text import normalise


@dataclass(frozen=True)
class Signature:
    spdx: str
    language: str
    source: str
    phrases: tuple[re.Pattern[str], ...]


@dataclass(frozen=True)
class LicenceData:
    stems: frozenset[str]
    text_extensions: tuple[str, ...]
    reuse_dir: str
    limits: dict[str, float]
    popular: frozenset[str]  # family keys, see family()
    popular_ids: tuple[str, ...]
    popular_source: str
    non_code: frozenset[str]  # family keys
    signatures: tuple[Signature, ...]
    classifiers: dict[str, tuple[str, ...]]

    def limit(self, name: str) -> int:
        return int(self.limits[name])


@cache
def licence_data() -> LicenceData:
    """criteria/licences.yml, validated (every SPDX id in it must exist)."""
    path = data_path("criteria") / "licences.yml"
    try:
        raw = load_yaml(path)
        files, popular = raw["files"], raw["popular"]
        data = LicenceData(
            stems=frozenset(s.lower() for s in files["stems"]),
            text_extensions=tuple(e.lower() for e in files["text_extensions"]),
            reuse_dir=files["reuse_dir"],
            limits={k: float(v) for k, v in raw["limits"].items()},
            popular=frozenset(family(i) for i in popular["ids"]),
            popular_ids=tuple(popular["ids"]),
            popular_source=f"{popular['title']}, {popular['source_url']} "
            f"(recorded {popular['recorded']})",
            non_code=frozenset(family(i) for i in raw["non_code_licences"]),
            signatures=tuple(
                Signature(s["spdx"], s["language"], s["source"],
                          tuple(_phrase_pattern(p) for p in s["phrases"]))
                for s in raw["signatures"]
            ),
            classifiers={k: tuple(v) for k, v in raw["classifiers"].items()},
        )
        ids = [*popular["ids"], *raw["non_code_licences"], *(s.spdx for s in data.signatures),
               *(i for v in data.classifiers.values() for i in v)]
    except (OSError, yaml.YAMLError, KeyError, TypeError, ValueError) as exc:
        raise CriteriaDataError(f"{path}: invalid licence data: {exc}") from exc
    unknown = sorted({i for i in ids if canonical_id(i) is None})
    if unknown:
        raise CriteriaDataError(f"{path}: not SPDX licence ids: {', '.join(unknown)}")
    return data


def _phrase_pattern(phrase: str) -> re.Pattern[str]:
    """A phrase matched as whole words in normalised text ('cecill' does not match 'cecill-b')."""
    return re.compile(r"(?<![\w-])" + re.escape(normalise(phrase)) + r"(?![\w-])")
