"""What versions release tags name: the 'v' prefix, SemVer, the latest release tag.

QC.Ver judges the tag names; QC.Met and the FAIR indicators compare the versions declared
in the metadata with the latest release. They must read a tag name the same way.
"""

from __future__ import annotations

import semver

from sqaaas.gitinfo import Tag


def without_v_prefix(name: str) -> str:
    """'v1.2.3' -> '1.2.3': the customary 'v' in tag names is not part of the version."""
    return name[1:] if name[:1] == "v" and name[1:2].isdigit() else name


def parse_semver(name: str) -> semver.Version | None:
    """The SemVer 2.0.0 version a tag name stands for (leading 'v' allowed), or None."""
    try:
        return semver.Version.parse(without_v_prefix(name))
    except (ValueError, TypeError):
        return None


def release_tag(tags: list[Tag]) -> Tag | None:
    """The newest reachable tag naming a version (v1.2, 2.0.1), not 'latest' or 'nightly'."""
    return next((t for t in tags if without_v_prefix(t.name)[:1].isdigit()), None)
