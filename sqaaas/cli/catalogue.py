"""``sqaaas criteria``: what is assessed, read from the catalogue alone (no probe is loaded)."""

from __future__ import annotations

import sys

import click

from sqaaas.console import stdout_console
from sqaaas.core.catalogue import default_catalogue
from sqaaas.errors import SqaaasError
from sqaaas.report.criteria_docs import render_to, to_json, to_markdown


@click.command("criteria")
@click.option(
    "--format",
    "fmt",
    default="text",
    show_default=True,
    type=click.Choice(["text", "json", "markdown"]),
)
@click.option("--baseline", default=None, help="Only this baseline (e.g. software).")
def criteria(fmt: str, baseline: str | None) -> None:
    """List what is assessed, at which requirement level, and how."""
    catalogue = default_catalogue()
    if baseline is not None and baseline not in catalogue.baselines:
        known = ", ".join(sorted(catalogue.baselines))
        raise SqaaasError(f"--baseline {baseline}: no such baseline (known: {known})")
    if fmt == "markdown":
        sys.stdout.write(to_markdown(catalogue))
    elif fmt == "json":
        sys.stdout.write(to_json(catalogue))
    else:
        render_to(stdout_console(), catalogue, baseline)
