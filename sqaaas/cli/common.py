"""What several commands share: progress lines, writing output, the report formats and the
F-UJI options. Only the command modules that need it import this (it loads the renderers)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import click

from sqaaas.console import stdout_console
from sqaaas.core.model import Report
from sqaaas.fileio import write_atomic
from sqaaas.report import sqaaas_v1
from sqaaas.report.formats import renderer
from sqaaas.report.terminal import render_to


def say(prefix: str) -> Callable[[str], None]:
    """A progress callback printing ``prefix: message`` lines on stderr."""
    return lambda message: click.echo(f"{prefix}: {message}", err=True)


def write(text: str, output: Path | None) -> None:
    """``text`` on stdout, or written atomically to ``output``."""
    if output is None:
        sys.stdout.write(text)
        return
    write_atomic(output, text.encode("utf-8"))


def public_url(value: str | None) -> str | None:
    """An http(s) URL given on the command line, or a one-line usage error."""
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or len(value) > 2000 or any(
        c.isspace() or not c.isprintable() for c in value
    ):
        raise click.BadParameter(f"not an http(s) URL: {value[:200]!r}")
    return value


def emit(
    report: Report, fmt: str, output: Path | None, *, quiet: bool, verbose: bool,
    report_json_url: str | None = None,
) -> None:
    """Print or write a report (assess and onboard share the formats and the terminal view).

    ``report_json_url`` (sqaaas-v1 only, checked by the caller): its ``meta.report_json_url``.
    """
    if fmt == "text" and output is None:
        render_to(stdout_console(), report, verbose=verbose)
        return
    if report_json_url:
        write(sqaaas_v1.render(report, report_json_url), output)
    else:
        write(renderer(fmt)(report), output)
    if output is not None and not quiet:
        click.echo(f"report written to {output} (badge: {report.badge.level})", err=True)


def fuji_options(command: Callable[..., None]) -> Callable[..., None]:
    """--fuji-url and --fuji-timeout (credentials: environment or config file, never argv)."""
    command = click.option(
        "--fuji-timeout", type=click.FloatRange(min=0, min_open=True, max=86400),
        help="Seconds to wait for F-UJI's answer [default: 300].",
    )(command)
    return click.option(
        "--fuji-url", envvar="SQAAAS_FUJI_URL", show_envvar=True, metavar="URL",
        help="F-UJI API base URL, e.g. http://127.0.0.1:1071/fuji/api/v1; credentials from "
        "SQAAAS_FUJI_USERNAME/SQAAAS_FUJI_PASSWORD or fuji.yml (docs/fair.md).",
    )(command)
