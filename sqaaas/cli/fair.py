"""``sqaaas fair``: a data object's FAIR evaluation on an F-UJI server."""

from __future__ import annotations

from pathlib import Path

import click

from sqaaas.cli.common import fuji_options, say, write
from sqaaas.console import stdout_console
from sqaaas.errors import SqaaasError
from sqaaas.fuji.objectreport import METRIC_SETS, evaluate_report, render_plain, render_to
from sqaaas.fuji.run import check_identifier
from sqaaas.fuji.settings import load_settings


@click.command("fair")
@click.argument("identifier", metavar="PID-OR-URL")
@fuji_options
@click.option(
    "--metric-set", default="data", show_default=True, type=click.Choice(["data", "software"]),
    help="F-UJI metrics: data (metrics_v0.8) or software (metrics_v0.7_software).",
)
@click.option(
    "--format", "fmt", default="text", show_default=True, type=click.Choice(["text", "json"])
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report to FILE.",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress lines on stderr.")
def fair(
    identifier: str,
    fuji_url: str | None,
    fuji_timeout: float | None,
    metric_set: str,
    fmt: str,
    output: Path | None,
    quiet: bool,
) -> None:
    """Evaluate a data object (a PID or URL) on an F-UJI server; exit 2 when it cannot.

    The report (docs/fair.md) is written even when the evaluation failed or F-UJI could not
    resolve the object; the exit code says which: 0 evaluated, 2 not.
    """
    settings = load_settings(fuji_url, read_timeout=fuji_timeout)
    report = evaluate_report(
        check_identifier(identifier),
        METRIC_SETS[metric_set],
        settings,
        say=None if quiet else say("sqaaas fair"),
    )
    if fmt == "json":
        write(report.to_json(), output)
    elif output is None:
        render_to(stdout_console(), report)
    else:
        write(render_plain(report), output)
    if not report.ok:
        raise SqaaasError(report.summary.error or "F-UJI evaluation failed")  # one line, exit 2
