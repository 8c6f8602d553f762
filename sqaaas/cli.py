"""The ``sqaaas`` command line. Commands only: the work is done by the library modules."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
from rich.console import Console

from sqaaas import __version__
from sqaaas.errors import SqaaasError

LEVELS = ("bronze", "silver", "gold")


def _fail(message: str, code: int = 2) -> None:
    click.echo(f"sqaaas: error: {message}", err=True)
    sys.exit(code)


class _Group(click.Group):
    """Turns every sqaaas error into one line on stderr and exit 2 (never a traceback)."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except SqaaasError as exc:
            _fail(str(exc))
        except KeyboardInterrupt:
            _fail("interrupted", 130)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except Exception as exc:  # a bug: still one line, traceback on request
            if os.environ.get("SQAAAS_DEBUG"):
                raise
            _fail(
                f"internal error: {type(exc).__name__}: {exc} (set SQAAAS_DEBUG=1 for details)", 3
            )
        return None


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="sqaaas")
def main() -> None:
    """Quality assurance for research software against the EOSC quality baselines."""


def _write(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        tmp = output.with_name(output.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(output)
    except OSError as exc:
        raise SqaaasError(f"cannot write {output}: {exc.strerror or exc}") from None


@main.command()
@click.argument("target", default=".")
@click.option(
    "--branch", help="Branch to assess (cloned repositories, or a private clone of a local one)."
)
@click.option("--commit", help="Commit or tag to assess.")
@click.option(
    "--format",
    "fmt",
    default="text",
    show_default=True,
    type=click.Choice(["text", "json", "markdown", "sarif", "sqaaas-v1"]),
    help="Report format.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report to FILE.",
)
@click.option(
    "--criteria",
    "criteria",
    multiple=True,
    metavar="QC.X",
    help="Only these criteria (repeatable).",
)
@click.option(
    "--fail-under",
    type=click.Choice(LEVELS),
    help="Exit 1 unless at least this badge level is reached.",
)
@click.option(
    "--cache-dir", type=click.Path(file_okay=False, path_type=Path), help="Where clones are cached."
)
@click.option(
    "--timeout", default=300.0, show_default=True, help="Seconds allowed for cloning/fetching."
)
@click.option("-q", "--quiet", is_flag=True, help="No progress output.")
@click.option("-v", "--verbose", is_flag=True, help="Show evidence of every subcriterion.")
def assess(
    target: str,
    branch: str | None,
    commit: str | None,
    fmt: str,
    output: Path | None,
    criteria: tuple[str, ...],
    fail_under: str | None,
    cache_dir: Path | None,
    timeout: float,
    quiet: bool,
    verbose: bool,
) -> None:
    """Assess TARGET (a local repository folder or a git URL) against the software baseline."""
    from sqaaas.acquire import acquire
    from sqaaas.engine import assess as run_assessment
    from sqaaas.progress import Progress
    from sqaaas.report.formats import renderer

    with Progress(enabled=not quiet) as progress:
        checkout = acquire(
            target,
            branch=branch,
            commit=commit,
            cache_dir=cache_dir,
            timeout=timeout,
            progress=progress.clone_step,
        )
        report = run_assessment(
            checkout, criteria=criteria or None, progress=progress.probe_step, notify=progress.note
        )
    if fmt == "text" and output is None:
        from sqaaas.report.terminal import render_to

        render_to(Console(), report, verbose=verbose)
    else:
        _write(renderer(fmt)(report), output)
        if output is not None and not quiet:
            click.echo(f"report written to {output} (badge: {report.badge.level})", err=True)
    if fail_under and LEVELS.index(fail_under) > (
        LEVELS.index(report.badge.level) if report.badge.level in LEVELS else -1
    ):
        if not quiet:
            click.echo(
                f"sqaaas: badge {report.badge.level} is below --fail-under {fail_under}", err=True
            )
        sys.exit(1)


@main.command("criteria")
@click.option(
    "--format",
    "fmt",
    default="text",
    show_default=True,
    type=click.Choice(["text", "json", "markdown"]),
)
@click.option("--baseline", default=None, help="Only this baseline (e.g. software).")
def criteria_cmd(fmt: str, baseline: str | None) -> None:
    """List what is assessed, at which requirement level, and how."""
    from sqaaas.criteria import default_catalogue
    from sqaaas.criteria_docs import how_assessed, to_json, to_markdown

    catalogue = default_catalogue()
    if fmt == "markdown":
        sys.stdout.write(to_markdown(catalogue))
        return
    if fmt == "json":
        sys.stdout.write(to_json(catalogue))
        return
    from rich.table import Table

    console = Console()
    for base in catalogue.baselines.values():
        if baseline and base.id != baseline:
            continue
        console.print(f"[bold]{base.title}[/] v{base.version}  <{base.url}>")
        for criterion in catalogue.of_baseline(base.id):
            table = Table(
                title=f"{criterion.id} {criterion.title}", title_justify="left", expand=True
            )
            table.add_column("subcriterion", no_wrap=True)
            table.add_column("level", no_wrap=True)
            table.add_column("requirement")
            table.add_column("how it is assessed")
            for sub in criterion.subcriteria:
                table.add_row(
                    sub.id,
                    sub.requirement_level.value,
                    sub.description,
                    how_assessed(sub.probes, sub.not_automated),
                )
            console.print(table)
    for name, scheme in catalogue.badges.items():
        levels = "; ".join(
            f"{lvl.name}: {', '.join(scheme.required_for(lvl.name))}" for lvl in scheme.levels
        )
        console.print(f"[bold]badges ({name})[/]: {levels}")


@main.command()
@click.option(
    "--format",
    "fmt",
    default="text",
    show_default=True,
    type=click.Choice(["text", "json"]),
    help="'json' prints a summary of what was checked and changed on stdout.",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress lines on stderr.")
def setup(fmt: str, quiet: bool) -> None:
    """Install and configure the container engine and build the images tests run in.

    Idempotent: it says what it changes before changing it, and does nothing when all is
    in place.
    """
    import json

    from sqaaas.setup import setup as run_setup

    def say(line: str) -> None:
        if not quiet:
            click.echo(f"sqaaas setup: {line}", err=True)

    report = run_setup(say=say)
    if fmt == "json":
        sys.stdout.write(json.dumps(report.to_dict(), indent=2) + "\n")
    elif not quiet:
        state = "done" if report.changed else "nothing to change"
        click.echo(f"sqaaas setup: {state} ({report.seconds:.1f} s)", err=True)
