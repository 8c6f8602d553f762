"""Check JSON reports against the documented contract (schema.json beside this module).

Used by tests to keep the pydantic model and the hand-written schema in step, and by anyone
consuming a report who wants to know it is one (``validate_report_json(json.load(f))``).
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator

from sqaaas.core.catalogue import NO_LEVEL, Catalogue, default_catalogue
from sqaaas.errors import CriteriaDataError


@cache
def load_schema() -> dict[str, Any]:
    """The report JSON Schema (draft 2020-12), read from the package data, its badge level
    and profile enums set from criteria/badges.yml (see with_badge_levels, with_profiles)."""
    text = resources.files("sqaaas.core").joinpath("schema.json").read_text(encoding="utf-8")
    catalogue = default_catalogue()
    return with_profiles(with_badge_levels(json.loads(text), catalogue), catalogue)


def with_profiles(schema: dict[str, Any], catalogue: Catalogue) -> dict[str, Any]:
    """``schema`` with the ``profile`` enum set from ``catalogue`` (badges.yml is the one
    list of profile names; schema.json carries a copy tests keep equal); null stays for
    reports made before profiles."""
    schema["properties"]["profile"]["enum"] = [*catalogue.profile_names, None]
    return schema


def with_badge_levels(schema: dict[str, Any], catalogue: Catalogue) -> dict[str, Any]:
    """``schema`` with the ``level``/``next_level`` enums of each per-scheme badge rule set
    from ``catalogue``: badges.yml is the one list of level names, and the enums written in
    schema.json are only the published copy of it (tests keep the two equal)."""
    for rule in schema["$defs"]["badge"]["allOf"]:
        scheme = rule["if"]["properties"].get("scheme", {}).get("const")
        if scheme is None:
            continue
        if scheme not in catalogue.badges:
            raise CriteriaDataError(
                f"sqaaas/core/schema.json: a badge rule names scheme {scheme!r}, which "
                "criteria/badges.yml does not define"
            )
        levels = [lvl.name for lvl in catalogue.badges[scheme].levels]
        properties = rule["then"]["properties"]
        properties["level"]["enum"] = [NO_LEVEL, *levels]
        properties["next_level"]["enum"] = [*levels, None]
    return schema


@cache
def _validator() -> Draft202012Validator:
    schema = load_schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def validate_report_json(data: Any) -> list[str]:
    """Every way ``data`` (parsed JSON, or JSON text) breaks the contract; empty when valid."""
    if isinstance(data, str | bytes):
        data = json.loads(data)
    errors = sorted(_validator().iter_errors(data), key=lambda e: list(e.absolute_path))
    return [f"{e.json_path}: {e.message}" for e in errors]
