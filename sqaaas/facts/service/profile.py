"""The service's resource profile: what it declares about itself for the marketplace.

The profile is user input, so it is read with bounds (size, safe YAML, nesting) and
validated against criteria/service/resource-profile.schema.json; a broken value is refused
with its field named. Missing recommended fields are not errors: they are what the
assessment reports.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError, ValidationError

from sqaaas.core.outcomes import Evidence
from sqaaas.datafiles import data_path
from sqaaas.errors import CriteriaDataError, SqaaasError
from sqaaas.facts.service.settings import onboarding_settings
from sqaaas.safeparse import Limits, ParseError, load_json, load_yaml

SCHEMA_FILE = "resource-profile.schema.json"
MAX_NODES = 10_000
_MAX_ERRORS_SHOWN = 3
_SHORT_VALUE = 80


class ProfileError(SqaaasError):
    """The resource profile cannot be used: unreadable, not YAML/JSON, or a field is invalid."""


@dataclass(frozen=True)
class LoadedProfile:
    """A validated profile, where it came from, and what was noted but not refused."""

    data: dict[str, Any]
    source: str
    problems: list[Evidence] = field(default_factory=list)


@cache
def profile_schema() -> dict[str, Any]:
    """The shipped JSON Schema of a resource profile (checked to be a valid schema)."""
    path = data_path("criteria") / "service" / SCHEMA_FILE
    try:
        schema = json.loads(path.read_text(encoding="utf-8"))
        Draft202012Validator.check_schema(schema)
    except (OSError, ValueError, SchemaError) as exc:
        raise CriteriaDataError(f"{path}: invalid resource-profile schema: {exc}") from exc
    return schema


def properties() -> dict[str, dict[str, Any]]:
    return profile_schema()["properties"]


def recommended_fields() -> tuple[str, ...]:
    """Fields a complete marketplace description has (the schema's x-recommended list)."""
    return tuple(profile_schema().get("x-recommended", ()))


def describe(name: str) -> str:
    """What a field holds, in the schema's words (used in hints and error messages)."""
    return str(properties().get(name, {}).get("description", name))


def missing_recommended(profile: dict[str, Any]) -> list[str]:
    return [name for name in recommended_fields() if _blank(profile.get(name))]


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str | list | dict) and not value)


def is_url(value: object) -> bool:
    return isinstance(value, str) and urlsplit(value).scheme in ("http", "https")


def declared_urls(profile: dict[str, Any], target: str) -> dict[str, str]:
    """Field -> absolute URL for every link the profile declares (paths join the target).

    Fields the schema marks ``x-not-contacted`` (the documentation PID: resolving it would
    mean asking a third-party resolver) are left out.
    """
    urls: dict[str, str] = {}
    for name, spec in properties().items():
        value = profile.get(name)
        if spec.get("x-not-contacted") or not isinstance(value, str):
            continue
        if is_url(value):
            urls[name] = value
        elif value.startswith("/") and name.endswith("_endpoint"):
            urls[name] = target.rstrip("/") + value
    return urls


def declared_hosts(profile: dict[str, Any], target: str) -> set[str]:
    """Hosts the profile names: onboarding may contact them (and only them, besides the
    service and its OpenAPI document)."""
    hosts = {urlsplit(url).hostname for url in declared_urls(profile, target).values()}
    return {h.lower() for h in hosts if h}


def load_profile(path: str | Path) -> LoadedProfile:
    """Read and validate a profile file (YAML, or JSON when it ends in .json)."""
    path = Path(path)
    limit = onboarding_settings().profile.max_bytes
    try:
        if path.is_dir():
            raise ProfileError(f"{path}: a folder; give the resource profile file (YAML or JSON)")
        if not path.is_file():
            raise ProfileError(f"{path}: no such file (give the resource profile, YAML or JSON)")
        with path.open("rb") as handle:
            raw = handle.read(limit + 1)
    except OSError as exc:
        raise ProfileError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if len(raw) > limit:
        raise ProfileError(f"{path}: larger than {limit} bytes; a resource profile is short")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ProfileError(f"{path}: not UTF-8 text") from None
    return parse_profile(text, str(path), as_json=path.suffix.lower() == ".json")


def parse_profile(text: str, source: str, *, as_json: bool = False) -> LoadedProfile:
    """Parse and validate profile text (also used for profiles sent to the web service)."""
    data = _parse(text, source, as_json)
    if data is None:
        raise ProfileError(f"{source}: empty; expected a mapping of fields (name: ..., ...)")
    if not isinstance(data, dict):
        raise ProfileError(f"{source}: expected a mapping of fields, found {_kind(data)}")
    bad_keys = [k for k in data if not isinstance(k, str)]
    if bad_keys:
        raise ProfileError(f"{source}: field names must be text, found {bad_keys[0]!r}")
    errors = sorted(
        Draft202012Validator(profile_schema()).iter_errors(data),
        key=lambda e: [str(p) for p in e.absolute_path],
    )
    if errors:
        shown = "; ".join(_explain(e) for e in errors[:_MAX_ERRORS_SHOWN])
        hidden = len(errors) - _MAX_ERRORS_SHOWN
        more = f" (and {hidden} more)" if hidden > 0 else ""
        raise ProfileError(f"{source}: {shown}{more}")
    known = properties()
    problems = [
        Evidence(
            message=f"unknown field '{name}' ignored (not a resource-profile field)",
            path=source,
            value=name,
        )
        for name in data
        if name not in known
    ]
    return LoadedProfile(data=data, source=source, problems=problems)


def _parse(text: str, source: str, as_json: bool) -> object:
    """The parsed document, bounded by sqaaas.safeparse: at most MAX_NODES values once YAML
    aliases are expanded (a profile is a few dozen values; validating an alias bomb would
    never end), nesting, size and integers bounded too."""
    limits = Limits(
        max_bytes=onboarding_settings().profile.max_bytes,
        max_nodes=MAX_NODES,
        max_alias_nodes=MAX_NODES,
    )
    try:
        return (load_json if as_json else load_yaml)(text, source=source, limits=limits)
    except ParseError as exc:
        if exc.line and exc.problem.startswith("invalid YAML"):
            raise ProfileError(f"{source}: line {exc.line} {exc.problem}") from None
        raise ProfileError(str(exc)) from None


def _kind(value: object) -> str:
    return {list: "a list", str: "text", int: "a number", float: "a number"}.get(
        type(value), type(value).__name__
    )


def _where(error: ValidationError) -> str:
    parts = list(error.absolute_path)
    if not parts:
        return "(top level)"
    where = str(parts[0])
    for part in parts[1:]:
        where += f"[{part}]" if isinstance(part, int) else f".{part}"
    return where


def _explain(error: ValidationError) -> str:
    """One field's problem in plain words: the field, the value and what was expected."""
    where = _where(error)
    if error.validator == "required":
        return f"field '{error.message.split(chr(39))[1]}' is required"
    if error.validator in ("pattern", "anyOf", "enum") and error.absolute_path:
        value = repr(error.instance)
        if len(value) > _SHORT_VALUE:
            value = value[:_SHORT_VALUE] + "...'"
        expected = describe(str(error.absolute_path[0]))
        if error.validator == "pattern":
            expected = error.schema.get("description", expected)
        return f"field '{where}': {value} is not valid; expected {expected}"
    return f"field '{where}': {error.message[:200]}"
