"""The report formats: one table that the CLI's ``--format`` choices, the web service's
report downloads (their OpenAPI enum, media types, file suffixes, labels) and the renderer
lookup all read, so a format is added or renamed in one place."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

from sqaaas.core.model import Report


@dataclass(frozen=True)
class OutputFormat:
    """One output format of a report."""

    name: str  # what --format and ?format= take
    label: str  # how the web pages name the download
    renderer: str  # "module:function" (Report -> text), imported on use: start-up stays fast
    media_type: str  # of the web service's download
    suffix: str  # of the downloaded file
    web: bool = False  # offered for download by the web service (and its REST API)
    services: bool = True  # renders a service's onboarding report as well as a repository's


#: in the order --format and the web downloads list them
OUTPUT_FORMATS: tuple[OutputFormat, ...] = (
    OutputFormat("text", "Text", "sqaaas.report.terminal:render_plain",
                 "text/plain; charset=utf-8", "txt"),
    OutputFormat("json", "JSON", "sqaaas.report.formats:render_json",
                 "application/json", "json", web=True),
    OutputFormat("sarif", "SARIF", "sqaaas.report.sarif:render",
                 "application/sarif+json", "sarif", web=True),
    OutputFormat("markdown", "Markdown", "sqaaas.report.markdown:render",
                 "text/markdown; charset=utf-8", "md", web=True),
    OutputFormat("sqaaas-v1", "SQAaaS v1", "sqaaas.report.sqaaas_v1:render",
                 "application/json", "json", services=False),
)
#: format name -> its table row
BY_NAME: dict[str, OutputFormat] = {f.name: f for f in OUTPUT_FORMATS}
#: format name -> "module:function" of its renderer
FORMATS: dict[str, str] = {f.name: f.renderer for f in OUTPUT_FORMATS}
#: what ``sqaaas assess --format`` takes
REPOSITORY_FORMATS: tuple[str, ...] = tuple(f.name for f in OUTPUT_FORMATS)
#: what ``sqaaas onboard --format`` takes
SERVICE_FORMATS: tuple[str, ...] = tuple(f.name for f in OUTPUT_FORMATS if f.services)
#: what the web service offers for download
WEB_FORMATS: tuple[str, ...] = tuple(f.name for f in OUTPUT_FORMATS if f.web)


def render_json(report: Report) -> str:
    return report.to_json()


def renderer(name: str) -> Callable[[Report], str]:
    module, func = FORMATS[name].split(":")
    return getattr(importlib.import_module(module), func)
