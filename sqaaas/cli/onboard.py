"""``sqaaas onboard``: a live service checked against the service baseline."""

from __future__ import annotations

from pathlib import Path

import click

from sqaaas.cli.common import emit
from sqaaas.progress import Progress
from sqaaas.report.formats import SERVICE_FORMATS
from sqaaas.subjects.service import build_context, read_auth_header, run_onboarding


@click.command("onboard")
@click.argument("url")
@click.option(
    "--profile", "profile_file", type=click.Path(dir_okay=False, path_type=Path),
    help="The service's resource profile (YAML or JSON, see docs/onboarding.md).",
)
@click.option("--openapi", "openapi_url", metavar="URL", help="URL of the OpenAPI document.")
@click.option(
    "--deployment-repo", metavar="PATH-or-URL",
    help="Repository with the service's deployment code (IaC), a folder or a git URL.",
)
@click.option(
    "--ca-file", type=click.Path(dir_okay=False, path_type=Path),
    help="PEM file of CA certificates to trust instead of the system store.",
)
@click.option(
    "--allow-private", is_flag=True,
    help="Allow hosts that resolve to loopback/private addresses (test deployments).",
)
@click.option(
    "--time-cap", type=click.FloatRange(1, 3600), metavar="SECONDS",
    help="Wall-clock time all requests of the run may take; a response still arriving then "
    "is cut [default: 120, criteria/onboarding.yml].",
)
@click.option(
    "--auth-header-env", metavar="VAR",
    help="Environment variable holding an Authorization header value to send to the service.",
)
@click.option("--criteria", "criteria", multiple=True, metavar="SvcQC.X",
              help="Only these criteria (repeatable).")
@click.option(
    "--format", "fmt", default="text", show_default=True,
    type=click.Choice(SERVICE_FORMATS), help="Report format.",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the report to FILE.")
@click.option("-q", "--quiet", is_flag=True, help="No progress output.")
@click.option("-v", "--verbose", is_flag=True, help="Show evidence of every subcriterion.")
def onboard(
    url: str,
    profile_file: Path | None,
    openapi_url: str | None,
    deployment_repo: str | None,
    ca_file: Path | None,
    allow_private: bool,
    time_cap: float | None,
    auth_header_env: str | None,
    criteria: tuple[str, ...],
    fmt: str,
    output: Path | None,
    quiet: bool,
    verbose: bool,
) -> None:
    """Check the live service at URL against the service baseline (SvcQC.*).

    Only the service's host, the OpenAPI document's host and the hosts named in the profile
    are contacted, with a fixed request budget and time cap (docs/onboarding.md).
    """
    auth_header = read_auth_header(auth_header_env) if auth_header_env else None
    with Progress(enabled=not quiet) as progress:
        ctx = build_context(
            url,
            profile=profile_file,
            openapi_url=openapi_url,
            deployment_repo=deployment_repo,
            ca_file=ca_file,
            allow_private=allow_private,
            auth_header=auth_header,
            clone_progress=progress.clone_step,
            notify=progress.note,
            time_cap_s=time_cap,
        )
        if not quiet:
            hosts = ", ".join(sorted(ctx.http.allowed_hosts))
            click.echo(f"sqaaas onboard: {ctx.target}: requests only to {hosts}", err=True)
        report = run_onboarding(ctx, criteria=criteria or None, progress=progress.probe_step)
    emit(report, fmt, output, quiet=quiet, verbose=verbose)
