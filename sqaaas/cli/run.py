"""``sqaaas run``: a pipeline's steps run locally, one container per step."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from sqaaas.acquire import acquire, check_ref
from sqaaas.cli.common import write
from sqaaas.console import stdout_console
from sqaaas.errors import SqaaasError
from sqaaas.pipelines.display import StepDisplay
from sqaaas.pipelines.results import render_plain, render_summary
from sqaaas.pipelines.run import RunOptions, load_pipeline, run_pipeline
from sqaaas.pipelines.when import build_ref


@click.command("run")
@click.argument("repo", default=".")
@click.option(
    "--spec",
    "spec_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Pipeline spec (YAML/JSON); default REPO/.sqaaas-pipeline.yml, else REPO/.sqa/config.yml.",
)
@click.option(
    "--jepl",
    "jepl_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A JePL .sqa/config.yml (its docker-compose.yml beside it gives the images).",
)
@click.option(
    "--branch", help="Branch name 'when' conditions compare with (default: the checkout's)."
)
@click.option(
    "--tag", "building_tag", is_flag=True,
    help="Treat this run as building a tag (default: when a tag points at HEAD).",
)
@click.option(
    "--format", "fmt", default="text", show_default=True, type=click.Choice(["text", "json"])
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
    help="Write the summary (text or JSON) to this file instead of stdout.",
)
@click.option(
    "--keep-going/--fail-fast", default=True, show_default=True,
    help="Run the remaining steps after a failure, or stop at the first one.",
)
@click.option("-q", "--quiet", is_flag=True, help="No live step status on stderr.")
def run(
    repo: str,
    spec_path: Path | None,
    jepl_path: Path | None,
    branch: str | None,
    building_tag: bool,
    fmt: str,
    output: Path | None,
    keep_going: bool,
    quiet: bool,
) -> None:
    """Run a pipeline's steps on REPO locally, one container per step; exit 1 if any fails.

    Each step gets REPO read-only, a scratch folder, no network unless it asks, its
    timeout and resource limits. Logs stay under the sqaaas cache (runs/<run id>/).
    """
    if spec_path is not None and jepl_path is not None:
        raise SqaaasError("give either --spec or --jepl, not both")
    if branch is not None:
        check_ref(branch, "branch")
    checkout = acquire(repo)
    spec, source, notes = load_pipeline(checkout, spec_path, jepl_path)
    ref = build_ref(checkout, branch, building_tag)
    if not quiet:
        for note in notes:
            click.echo(f"sqaaas run: note: {note}", err=True)
    with StepDisplay(enabled=not quiet) as display:
        result = run_pipeline(
            spec, checkout, ref, source=source, notes=notes,
            options=RunOptions(keep_going=keep_going), listener=display.listener,
        )
    if fmt == "json":
        write(result.model_dump_json(indent=2) + "\n", output)
    elif output is None:
        render_summary(stdout_console(), result)
    else:
        write(render_plain(result), output)
    sys.exit(result.exit_code)
