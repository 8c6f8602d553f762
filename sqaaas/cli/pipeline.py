"""``sqaaas pipeline``: derive a pipeline spec, render it for a CI system, run its checks."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from sqaaas.acquire import acquire, looks_like_url
from sqaaas.cli.common import write
from sqaaas.errors import SqaaasError
from sqaaas.pipelines import DEFAULT_SPEC_FILE, TARGETS
from sqaaas.pipelines.checks import report_verdict, run_tool_check
from sqaaas.pipelines.init import derive_spec_with_notes
from sqaaas.pipelines.render import render, write_files
from sqaaas.pipelines.spec import PipelineSpec, dump_spec, load_spec


@click.group("pipeline")
def pipeline() -> None:
    """CI pipelines from one spec: derive it, render it for a CI system, run its checks."""


@pipeline.command("init")
@click.argument("repo", default=".")
@click.option(
    "-o",
    "--output",
    default=DEFAULT_SPEC_FILE,
    show_default=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the spec.",
)
@click.option("--force", is_flag=True, help="Overwrite an existing spec.")
def pipeline_init(repo: str, output: Path, force: bool) -> None:
    """Write a pipeline spec with the checks 'sqaaas assess' makes on REPO (a folder)."""
    if looks_like_url(repo):
        raise SqaaasError(f"{repo}: give the repository's local folder (clone it first)")
    spec, notes = derive_spec_with_notes(acquire(repo))
    written = write_files({output.name: dump_spec(spec)}, output.parent, force=force)
    click.echo(f"wrote {written[0]} ({sum(len(s) for s in spec.criteria.values())} steps)")
    for note in notes:
        click.echo(f"note: {note}")


@pipeline.command("generate")
@click.option(
    "--target",
    required=True,
    type=click.Choice(TARGETS),
    help="CI system to write files for.",
)
@click.option(
    "--spec",
    "spec_path",
    default=DEFAULT_SPEC_FILE,
    show_default=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The pipeline spec (YAML or JSON).",
)
@click.option(
    "-o",
    "--output",
    default=".",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write the files under (usually the repository's root).",
)
@click.option("--force", is_flag=True, help="Overwrite existing files.")
@click.option(
    "--format", "fmt", default="text", show_default=True, type=click.Choice(["text", "json"])
)
def pipeline_generate(target: str, spec_path: Path, output: Path, force: bool, fmt: str) -> None:
    """Render the spec's pipeline for TARGET and list the files written."""
    files = render(load_spec(spec_path), target)
    written = write_files(files, output, force=force)
    if fmt == "json":
        sys.stdout.write(json.dumps({"target": target, "files": [str(p) for p in written]}) + "\n")
    else:
        for path in written:
            click.echo(str(path))


@pipeline.command("schema")
def pipeline_schema() -> None:
    """Print the JSON Schema of the pipeline spec."""
    sys.stdout.write(json.dumps(PipelineSpec.model_json_schema(), indent=2) + "\n")


@pipeline.command("tool")
@click.argument("name")
@click.argument("repo", default=".")
@click.option("--criterion", required=True, metavar="QC.X", help="Criterion the tool checks.")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="JSON result file."
)
@click.option("--arg", "args", multiple=True, help="Extra argument for the tool (repeatable).")
def pipeline_tool(
    name: str, repo: str, criterion: str, output: Path | None, args: tuple[str, ...]
) -> None:
    """Run registry tool NAME on REPO as 'sqaaas assess' does; exit 1 unless it passes.

    A pipeline step with 'tool:' runs this, so CI judges the tool's output by sqaaas's rule.
    """
    result = run_tool_check(name, repo, criterion, args)
    if output is not None:
        write(json.dumps(result.data, indent=2) + "\n", output)
    for line in result.lines:
        click.echo(line)
    sys.exit(0 if result.passed else 1)


@pipeline.command("verdict")
@click.argument("report", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--criterion", required=True, metavar="QC.X")
def pipeline_verdict(report: Path, criterion: str) -> None:
    """Exit 1 unless CRITERION is valid in REPORT (a JSON report of 'sqaaas assess')."""
    result = report_verdict(report, criterion)
    for line in result.lines:
        click.echo(line)
    sys.exit(0 if result.passed else 1)
