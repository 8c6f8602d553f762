"""``sqaaas worker`` and ``sqaaas db``: the worker processes and the database of a
scaled-out web service (docs/scale-out.md)."""

from __future__ import annotations

from pathlib import Path

import click

from sqaaas.cli.serve import broker_option, data_dir_option, database_option, web_default
from sqaaas.errors import SqaaasError
from sqaaas.web.server import check_scale_out, settings_for
from sqaaas.web.store import Store
from sqaaas.web.worker import run_worker


@click.command("worker")
@broker_option
@database_option
@click.option(
    "--concurrency", default=1, show_default=True, type=click.IntRange(1, 64),
    help="Jobs this worker runs at once (each in its own process).",
)
@click.option(
    "--queues", "queues", multiple=True,
    help="Queues to take jobs from: assessments, onboardings (comma-separated or repeated) "
    "[default: both].",
)
@click.option("--name", help="Node name of this worker [default: sqaaas-PID@HOST].")
@data_dir_option
@click.option(
    "--job-timeout", default=web_default("job_timeout_s"), show_default=True,
    type=click.FloatRange(1),
    help="Seconds one job may take before it is stopped and failed.",
)
@click.option(
    "--lease", default=web_default("lease_s"), show_default=True, type=click.FloatRange(1),
    help="Seconds without a heartbeat after which a running job's worker counts as dead and "
    "the job is run again elsewhere.",
)
@click.option(
    "--allow-private", is_flag=True,
    help="Assess repositories on loopback/private addresses (only on a trusted network).",
)
@click.option("-q", "--quiet", is_flag=True, help="Warnings only.")
def worker(
    broker_url: str | None,
    database_url: str | None,
    concurrency: int,
    queues: tuple[str, ...],
    name: str | None,
    data_dir: Path | None,
    job_timeout: float,
    lease: float,
    allow_private: bool,
    quiet: bool,
) -> None:
    """Run the assessments and onboardings a scaled-out 'sqaaas serve' queues."""
    if not broker_url or not database_url:
        check_scale_out(broker_url, database_url)
        raise SqaaasError("sqaaas worker needs --broker URL and --database URL")
    settings = settings_for(
        data_dir,
        broker_url=broker_url,
        database_url=database_url,
        job_timeout_s=job_timeout,
        lease_s=lease,
        heartbeat_s=min(web_default("heartbeat_s"), lease / 3),  # type: ignore[type-var]
        allow_private=allow_private,
    )
    run_worker(settings, concurrency=concurrency, queues=queues, name=name, quiet=quiet)


@click.group("db")
def db() -> None:
    """The service's database: bring its schema to this version (migrations)."""


@db.command("upgrade")
@database_option
@data_dir_option
def db_upgrade(database_url: str | None, data_dir: Path | None) -> None:
    """Apply the migrations this sqaaas needs to the database (safe to run again)."""
    location: Path | str = database_url or settings_for(data_dir).database
    store = Store(location, migrate=True)
    store.close()
    click.echo(f"{store.where}: the database is at this sqaaas's schema")
