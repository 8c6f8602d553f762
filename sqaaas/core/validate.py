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


@cache
def load_schema() -> dict[str, Any]:
    """The report JSON Schema (draft 2020-12), read from the package data."""
    text = resources.files("sqaaas.report").joinpath("schema.json").read_text(encoding="utf-8")
    return json.loads(text)


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
