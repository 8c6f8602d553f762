"""Output formats of ``sqaaas assess``: name -> renderer (Report -> text)."""

from __future__ import annotations

import importlib
from collections.abc import Callable

from sqaaas.core.model import Report

#: format name -> "module:function" (imported on use so start-up stays fast)
FORMATS: dict[str, str] = {
    "text": "sqaaas.report.terminal:render_plain",
    "json": "sqaaas.report.formats:render_json",
    "markdown": "sqaaas.report.markdown:render",
    "sarif": "sqaaas.report.sarif:render",
    "sqaaas-v1": "sqaaas.report.sqaaas_v1:render",
}


def render_json(report: Report) -> str:
    return report.to_json()


def renderer(name: str) -> Callable[[Report], str]:
    module, func = FORMATS[name].split(":")
    return getattr(importlib.import_module(module), func)
