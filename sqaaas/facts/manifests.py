"""Package manifests at the repository root, read and parsed once per assessment.

Several criteria look into the same files: the licence (QC.Lic), the version (QC.Met) and
the URLs (QC.Doc, QC.Man) a project declares about itself. Each manifest is parsed here
once. A missing, unreadable or malformed manifest is None: saying what is wrong with it is
QC.Del's job (del.build_config), the other criteria use only what parses. One over a
parsing bound (sqaaas.safeparse: size, nesting, values, integer digits) raises
ParseLimitError instead: nothing can be concluded from it, so the probes asking say
``error`` with the file and the limit, rather than judging the project without it.
"""

from __future__ import annotations

import configparser
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqaaas.context import RepoContext
from sqaaas.safeparse import Limits, ParseError, ParseLimitError, load_json, load_toml

_MAX_BYTES = 1_000_000
_LIMITS = Limits(max_bytes=_MAX_BYTES)


@dataclass(frozen=True)
class Manifest:
    """A parsed manifest: its text (to locate lines) and its top-level mapping."""

    path: str
    text: str = field(repr=False)
    data: dict[str, Any]

    def table(self, dotted: str) -> dict[str, Any]:
        """The mapping at ``dotted`` (e.g. ``tool.poetry``), empty when absent or not one."""
        found: Any = self.data
        for part in dotted.split("."):
            found = found.get(part) if isinstance(found, dict) else None
        return found if isinstance(found, dict) else {}


def _ini(text: str, name: str = "") -> dict[str, Any]:
    parser = configparser.ConfigParser(interpolation=None)
    parser.read_string(text)
    return {section: dict(parser[section]) for section in parser.sections()}


def _dcf(text: str, name: str = "") -> dict[str, Any]:
    """R's DESCRIPTION (Debian control format): ``Field: value`` lines, indented continuations."""
    fields: dict[str, str] = {}
    key = None
    for line in text.splitlines():
        if line[:1].isspace() and key is not None:
            fields[key] = f"{fields[key]} {line.strip()}".strip()
            continue
        name, colon, value = line.partition(":")
        key = name.strip() if colon and name.strip() and " " not in name.strip() else None
        if key is not None:
            fields[key] = value.strip()
    return fields


def _parsed(ctx: RepoContext, name: str, parse: Callable[[str, str], Any]) -> Manifest | None:
    """``parse(text, name)`` of the manifest; ParseLimitError propagates (see above)."""
    file = ctx.fs.try_read_text(name, limit=_MAX_BYTES)
    if file is None:
        return None
    if file.truncated:
        raise ParseLimitError(
            name, f"larger than {_MAX_BYTES} bytes; not parsed", _MAX_BYTES
        )
    try:
        data = parse(file.text, name)
    except ParseLimitError:
        raise
    except (ParseError, ValueError, RecursionError, configparser.Error):
        return None
    return Manifest(name, file.text, data) if isinstance(data, dict) else None


def _toml(text: str, name: str) -> Any:
    return load_toml(text, source=name, limits=_LIMITS)


def _json(text: str, name: str) -> Any:
    return load_json(text, source=name, limits=_LIMITS)


def pyproject(ctx: RepoContext) -> Manifest | None:
    return _parsed(ctx, "pyproject.toml", _toml)


def cargo_toml(ctx: RepoContext) -> Manifest | None:
    return _parsed(ctx, "Cargo.toml", _toml)


def setup_cfg(ctx: RepoContext) -> Manifest | None:
    """setup.cfg as ``{section: {option: value}}`` (option names lower-cased)."""
    return _parsed(ctx, "setup.cfg", _ini)


def package_json(ctx: RepoContext) -> Manifest | None:
    return _parsed(ctx, "package.json", _json)


def composer_json(ctx: RepoContext) -> Manifest | None:
    return _parsed(ctx, "composer.json", _json)


def r_description(ctx: RepoContext) -> Manifest | None:
    """The DESCRIPTION file of an R package, as ``{field: value}``."""
    return _parsed(ctx, "DESCRIPTION", _dcf)
