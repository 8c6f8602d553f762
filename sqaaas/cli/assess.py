"""``sqaaas assess``: assess a repository against the software baseline."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from sqaaas.acquire import acquire
from sqaaas.cli.common import emit, fuji_options, public_url, say
from sqaaas.core.catalogue import default_catalogue
from sqaaas.fuji.settings import load_settings
from sqaaas.progress import Progress
from sqaaas.report.formats import REPOSITORY_FORMATS
from sqaaas.subjects import reportcache


@click.command("assess")
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
    type=click.Choice(REPOSITORY_FORMATS),
    help="Report format.",
)
@click.option(
    "--report-json-url",
    metavar="URL",
    callback=lambda _ctx, _param, value: public_url(value),
    help="With --format sqaaas-v1: where the JSON report is published (meta.report_json_url, "
    "as the original service wrote it).",
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
    type=click.Choice(default_catalogue().level_names),
    help="Exit 1 unless at least this badge level is reached.",
)
@click.option(
    "--profile",
    type=click.Choice(default_catalogue().profile_names),
    default=default_catalogue().profiles.default,
    show_default=True,
    help="Which subcriteria decide each criterion (criteria/badges.yml; docs/criteria.md): "
    + "; ".join(
        f"{name}: {default_catalogue().profile(name).title}"
        for name in default_catalogue().profile_names
    )
    + ".",
)
@click.option(
    "--cache-dir", type=click.Path(file_okay=False, path_type=Path), help="Where clones are cached."
)
@click.option(
    "--timeout", default=300.0, show_default=True, help="Seconds allowed for cloning/fetching."
)
@click.option(
    "--fresh",
    is_flag=True,
    help="Assess again even when nothing changed since the last assessment (no report cache).",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress output.")
@click.option(
    "-v",
    "--verbose",
    is_flag=True,
    help="Show evidence of every subcriterion, and run the tools whose findings decide "
    "nothing (Pylint, Ruff, Radon...) for their evidence.",
)
@fuji_options
def assess(
    target: str,
    branch: str | None,
    commit: str | None,
    fmt: str,
    report_json_url: str | None,
    output: Path | None,
    criteria: tuple[str, ...],
    fail_under: str | None,
    profile: str,
    cache_dir: Path | None,
    timeout: float,
    fresh: bool,
    quiet: bool,
    verbose: bool,
    fuji_url: str | None,
    fuji_timeout: float | None,
) -> None:
    """Assess TARGET (a local repository folder or a git URL) against the software baseline.

    With --fuji-url, an F-UJI server also evaluates the repository's public URL with the
    FAIR software metrics (report section QC.FAIR.F-UJI). An unchanged repository (same
    tree, refs, request, sqaaas and tools) is answered from the report cache; --fresh
    assesses it again.
    """
    if report_json_url and fmt != "sqaaas-v1":
        raise click.UsageError("--report-json-url applies to --format sqaaas-v1 only")
    fuji = load_settings(fuji_url, read_timeout=fuji_timeout) if fuji_url else None
    with Progress(enabled=not quiet) as progress:
        checkout = acquire(
            target,
            branch=branch,
            commit=commit,
            cache_dir=cache_dir,
            timeout=timeout,
            progress=progress.clone_step,
            require_commit=True,
        )
        request = reportcache.Request(criteria or None, "software", True, profile,
                                      verbose=verbose)
        # F-UJI answers from the network: its evaluations are never replayed.
        key = None if fresh or fuji else reportcache.report_key(checkout, request)
        report = reportcache.load(key) if key else None
        if report is not None:
            progress.note(
                f"unchanged since the assessment of {report.generated_at}: report from the "
                "cache (--fresh assesses again)"
            )
        else:
            # Imported here for start-up speed: a cache hit never loads the probes and tools.
            from sqaaas.subjects.repository import assess as run_assessment

            report = run_assessment(
                checkout,
                criteria=criteria or None,
                fuji=fuji,
                progress=progress.probe_step,
                notify=progress.note,
                say=None if quiet else say("sqaaas"),
                profile=profile,
                verbose=verbose,
            )
            if key:
                reportcache.store(key, report)
    emit(report, fmt, output, quiet=quiet, verbose=verbose, report_json_url=report_json_url)
    if fail_under and not default_catalogue().reaches(report.badge.level, fail_under):
        if not quiet:
            click.echo(
                f"sqaaas: badge {report.badge.level} is below --fail-under {fail_under}", err=True
            )
        sys.exit(1)
