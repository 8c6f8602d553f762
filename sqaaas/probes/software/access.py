"""QC.Acc: is the code public, and is it under version control?"""

from __future__ import annotations

from sqaaas.context import RepoContext
from sqaaas.core.outcomes import Evidence, Finding, Outcome
from sqaaas.core.registry import probe
from sqaaas.facts.remotes import public_remotes
from sqaaas.forges import host_of, is_https


@probe("acc.public_remote")
def public_remote(ctx: RepoContext) -> Finding:
    """An https (or forge) remote on a public forge; verified online only when we cloned it."""
    if ctx.checkout.cloned and ctx.checkout.url and is_https(ctx.checkout.url):
        return Finding.passed(
            "cloned anonymously over https (verified online: the repository is publicly readable)",
            value=ctx.checkout.url,
        )
    remotes = ctx.git.remotes
    if not remotes:
        return Finding.failed(
            "the repository has no remote: nothing shows the code is published",
            hint="Publish it on a public forge and add the remote: "
            "git remote add origin https://<forge>/<org>/<repo>.git",
        )
    if public := ctx.fact(public_remotes):
        first = public[0]
        how = "https" if is_https(first.url) else "ssh/other protocol"
        return Finding.passed(
            f"remote '{first.name}' is on the public forge {first.host} ({how}); "
            "not verified online (offline assessment)",
            value=first.page or first.url,
        )
    evidence = [
        Evidence(
            message=f"remote '{remote.name}': host {host_of(remote.url) or 'unknown'} "
            "is not a known public forge",
            value=remote.url,
        )
        for remote in remotes
    ]
    return Finding(
        outcome=Outcome.FAIL,
        evidence=evidence,
        hint="Push the code to a public forge, or if this host is public, list it under "
        "public_forges in .sqaaas.yml.",
    )


@probe("acc.vcs_with_commits")
def vcs_with_commits(ctx: RepoContext) -> Finding:
    """The tree is a git repository with at least one commit."""
    if ctx.git.repo is None:
        return Finding.failed("not a git repository", hint="git init && git add . && git commit")
    count = ctx.git.commit_count
    if count == 0:
        return Finding.failed(
            "git repository without any commit", hint="Commit the code: git add . && git commit"
        )
    return Finding.passed(f"git repository with {count} commit(s)", value=count)
