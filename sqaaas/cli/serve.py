"""``sqaaas serve`` and ``sqaaas tokens``: the web service and its API tokens."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from sqaaas.web.server import check_scale_out, settings_for
from sqaaas.web.server import serve as run_server
from sqaaas.web.settings import WebSettings
from sqaaas.web.tokens import create_token, list_tokens, revoke_token


def web_default(name: str) -> object:
    """The default of a WebSettings field, so that help texts and the service agree."""
    return WebSettings.__dataclass_fields__[name].default


database_option = click.option(
    "--database",
    "database_url",
    envvar="SQAAAS_DATABASE_URL",
    show_envvar=True,
    help="Scaled out: the service's PostgreSQL database (postgresql://user:pass@host/db) "
    "instead of the SQLite file in the data directory.",
)
broker_option = click.option(
    "--broker",
    "broker_url",
    envvar="SQAAAS_BROKER_URL",
    show_envvar=True,
    help="Scaled out: the Celery broker (redis://host:6379/0, or amqp://... for RabbitMQ); "
    "jobs then run on 'sqaaas worker' processes, not in this one.",
)

data_dir_option = click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Database, keys and clone cache [default: $SQAAAS_DATA_DIR or ~/.local/share/sqaaas].",
)


@click.command("serve")
@click.option(
    "--host", default=web_default("host"), show_default=True, help="Address to listen on."
)
@click.option(
    "--port", default=web_default("port"), show_default=True, type=click.IntRange(1, 65535)
)
@data_dir_option
@click.option(
    "--public-url",
    envvar="SQAAAS_PUBLIC_URL",
    show_envvar=True,
    help="Base URL users reach the service at (behind a reverse proxy); badges name it "
    "as their issuer [default: http://HOST:PORT on a local address].",
)
@click.option(
    "--workers", default=web_default("workers"), show_default=True, type=click.IntRange(1, 64),
    help="Assessments run at once.",
)
@click.option(
    "--job-timeout", default=web_default("job_timeout_s"), show_default=True,
    type=click.FloatRange(1),
    help="Seconds one assessment may take before it is stopped and failed.",
)
@click.option(
    "--allow-private", is_flag=True,
    help="Assess repositories on loopback/private addresses (only on a trusted network).",
)
@click.option(
    "--rate-limit", default=web_default("rate_limit_per_minute"), show_default=True,
    type=click.IntRange(0),
    help="Write requests per minute per client address (0: no limit).",
)
@broker_option
@database_option
@click.option("-q", "--quiet", is_flag=True, help="Warnings only, no access log.")
def serve(
    host: str,
    port: int,
    data_dir: Path | None,
    public_url: str | None,
    workers: int,
    job_timeout: float,
    allow_private: bool,
    rate_limit: int,
    broker_url: str | None,
    database_url: str | None,
    quiet: bool,
) -> None:
    """Run the web service: pipeline composer, assessments, badges and the REST API."""
    check_scale_out(broker_url, database_url)
    settings = settings_for(
        data_dir,
        host=host,
        port=port,
        public_url=public_url,
        workers=workers,
        job_timeout_s=job_timeout,
        allow_private=allow_private,
        rate_limit_per_minute=rate_limit,
        broker_url=broker_url or None,
        database_url=database_url or None,
    )
    run_server(settings, quiet=quiet)


@click.group("tokens")
def tokens() -> None:
    """API tokens of the web service (needed to create assessments and revoke badges)."""


@tokens.command("create")
@click.option("--name", default="api", show_default=True, help="What the token is for.")
@data_dir_option
@database_option
def tokens_create(name: str, data_dir: Path | None, database_url: str | None) -> None:
    """Create a token; the secret is printed once, on stdout (only its hash is stored)."""
    token_id, secret, name = create_token(data_dir, name, database_url)
    click.echo(secret)
    click.echo(
        f"token {token_id} ('{name}') created: keep the secret above, it cannot be shown again;"
        " send it as 'Authorization: Bearer <secret>'",
        err=True,
    )


@tokens.command("list")
@data_dir_option
@database_option
@click.option(
    "--format", "fmt", default="text", show_default=True, type=click.Choice(["text", "json"])
)
def tokens_list(data_dir: Path | None, database_url: str | None, fmt: str) -> None:
    """List tokens (ids, names, dates; never the secrets)."""
    listed = list_tokens(data_dir, database_url)
    if fmt == "json":
        sys.stdout.write(json.dumps(listed, indent=2) + "\n")
        return
    if not listed:
        click.echo("no tokens: create one with 'sqaaas tokens create'")
    for t in listed:
        state = f"revoked {t['revoked']}" if t["revoked"] else "active"
        click.echo(f"{t['id']}  {t['created']}  {state:<33}  {t['name']}")


@tokens.command("revoke")
@click.argument("token_id", metavar="ID")
@data_dir_option
@database_option
def tokens_revoke(token_id: str, data_dir: Path | None, database_url: str | None) -> None:
    """Revoke token ID (as 'tokens list' shows it): requests with it are refused at once."""
    revoked = revoke_token(data_dir, token_id, database_url)
    click.echo(f"revoked token {token_id}" if revoked else f"token {token_id} was already revoked")
