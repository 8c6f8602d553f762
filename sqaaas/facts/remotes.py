"""The git remotes on a public forge: where the code, its README and its issues are public."""

from __future__ import annotations

from dataclasses import dataclass

from sqaaas.context import RepoContext
from sqaaas.forges import host_of, is_public_forge, web_url


@dataclass(frozen=True)
class ForgeRemote:
    name: str
    url: str
    host: str
    page: str | None  # the browsable https URL of the repository


def public_remotes(ctx: RepoContext) -> tuple[ForgeRemote, ...]:
    """Remotes on a known public forge or one listed under public_forges in .sqaaas.yml."""
    extra = ctx.config.public_forges
    return tuple(
        ForgeRemote(remote.name, remote.url, host, web_url(remote.url))
        for remote in ctx.git.remotes
        if (host := host_of(remote.url)) is not None and is_public_forge(host, extra)
    )
