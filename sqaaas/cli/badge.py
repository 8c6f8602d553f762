"""``sqaaas keys`` and ``sqaaas badge``: the issuer's keys, and signed badges issued,
verified offline and revoked."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from sqaaas.badges.issue import issue_to_file
from sqaaas.badges.issuer import check_publish_dir, default_publish_dir
from sqaaas.badges.keys import CREDENTIAL_ALGS, JWKS_FILE, generate_keys
from sqaaas.badges.revocation import normalise_id, revoke
from sqaaas.badges.verify import verify_file
from sqaaas.core.catalogue import default_catalogue


@click.group("keys")
def keys() -> None:
    """The issuer's signing keys for badges (private files stay on this machine)."""


@keys.command("generate")
@click.option(
    "--dir", "keydir", required=True, type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the keys (created with mode 0700).",
)
@click.option("--force", is_flag=True, help="Replace existing keys (old badges stop verifying).")
def keys_generate(keydir: Path, force: bool) -> None:
    """Create an Ed25519 and an RSA-3072 keypair and the public JWK set issuer.jwks.json."""
    written = generate_keys(keydir, force=force)
    click.echo(f"wrote {len(written) - 1} private keys (mode 0600) in {keydir}")
    click.echo(f"public JWK set: {keydir / JWKS_FILE} (give it to verifiers: --trust)")


@click.group("badge")
def badge() -> None:
    """Signed Open Badges for an assessment: issue, verify offline, revoke."""


@badge.command("issue")
@click.argument("report", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--key", "keydir", required=True, type=click.Path(file_okay=False, path_type=Path),
    help="Key folder made by 'sqaaas keys generate' (private: nothing in it is published).",
)
@click.option(
    "--issuer", "issuer_url", required=True,
    help="Base https URL the issuer files are published under.",
)
@click.option(
    "--publish-dir", type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the files to serve at the issuer URL, mirroring its paths "
    "[default: public/ beside the key folder; never inside it].",
)
@click.option(
    "--alg", type=click.Choice(CREDENTIAL_ALGS), default=CREDENTIAL_ALGS[0], show_default=True,
    help="Signature of the Open Badges 3.0 credential (RS256 is what every verifier supports).",
)
@click.option("--issuer-name", help="Issuer name shown in badges (default: the URL's host).")
@click.option(
    "--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
    help="Badge file: .svg or .png (credentials baked in) or .jwt (the bare VC-JWT).",
)
@click.option("--valid-days", default=365, show_default=True, type=int, help="Validity period.")
@click.option(
    "--scheme",
    default=None,
    help="Badge scheme of criteria/badges.yml: 'fair' for the FAIR badge (from the offline "
    "FAIR indicators, QC.FAIR). Default: the quality badge of the report's baseline.",
)
@click.option(
    "--profile",
    type=click.Choice(default_catalogue().profile_names),
    help="Which subcriteria decide each criterion (criteria/badges.yml); the level is "
    "recomputed under it. Default: the profile the report was assessed with.",
)
@click.option(
    "--format", "fmt", default="text", show_default=True, type=click.Choice(["text", "json"])
)
def badge_issue(
    report: Path,
    keydir: Path,
    issuer_url: str,
    publish_dir: Path | None,
    alg: str,
    issuer_name: str | None,
    out: Path,
    valid_days: int,
    scheme: str | None,
    profile: str | None,
    fmt: str,
) -> None:
    """Sign a badge for the level REPORT (from 'sqaaas assess --format json') reaches."""
    issued, issuer, public, published = issue_to_file(
        report, keydir, issuer_url, out, publish_dir=publish_dir, issuer_name=issuer_name,
        scheme=scheme, profile=profile, valid_days=valid_days, alg=alg,
    )
    if fmt == "json":
        summary = {
            **issued.summary(), "output": str(out), "publish_dir": str(public),
            "publish": [str(p) for p in published],
        }
        sys.stdout.write(json.dumps(summary, indent=2) + "\n")
        return
    judged = f", profile {issued.profile}" if issued.profile else ""
    click.echo(
        f"issued {issued.level} badge {issued.id} ({issued.credential['name']}{judged}) for "
        f"{issued.subject} at {issued.commit[:12]} (valid until "
        f"{issued.credential['validUntil']}) -> {out}"
    )
    click.echo(f"publish folder: {public} (serve it as {issuer.base}/; it holds no secret)")
    click.echo("  " + ", ".join(str(p.relative_to(public)) for p in published))


@badge.command("verify")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--trust", required=True, type=click.Path(dir_okay=False, path_type=Path),
    help="The issuer's public JWK set (issuer.jwks.json) you trust; nothing else is trusted.",
)
@click.option(
    "--report", "report", type=click.Path(dir_okay=False, path_type=Path),
    help="The JSON report the badge was issued for: checks digest, level, repository, commit.",
)
@click.option(
    "--status-list", "--revocations", "status_list", metavar="FILE_OR_URL",
    help="The issuer's revocation list to check [default: the revocations.json beside --trust "
    "if it is the list the badge names, else the list fetched from the URL the badge names].",
)
@click.option(
    "--ca-file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="PEM CA certificates to trust when fetching the revocation list over https.",
)
@click.option(
    "--allow-unchecked-status", is_flag=True,
    help="Accept the badge (exit 0, with a note) when its revocation list cannot be read.",
)
@click.option("--issuer", "issuer_url", help="Require this issuer (its base URL).")
@click.option(
    "--format", "fmt", default="text", show_default=True, type=click.Choice(["text", "json"])
)
def badge_verify(
    file: Path,
    trust: Path,
    report: Path | None,
    status_list: str | None,
    ca_file: Path | None,
    allow_unchecked_status: bool,
    issuer_url: str | None,
    fmt: str,
) -> None:
    """Verify badge FILE (.svg, .png or .jwt); exit 0 valid, 1 invalid or revocation not
    checked, 2 usage. Revocation is checked against the list the badge names (docs/badges.md).
    """
    result = verify_file(
        file, trust, report=report, status_list=status_list, ca_file=ca_file,
        allow_unchecked_status=allow_unchecked_status, issuer=issuer_url,
    )
    if fmt == "json":
        sys.stdout.write(json.dumps(result.to_dict(), indent=2) + "\n")
    else:
        marks = {"pass": "ok  ", "fail": "FAIL", "skip": "skip"}
        for step in result.steps:
            click.echo(f"{marks[step.status]} {step.name}: {step.detail}")
        click.echo(result.verdict())
    sys.exit(0 if result.valid else 1)


@badge.command("revoke")
@click.argument("badge_id", metavar="ID")
@click.option(
    "--key", "keydir", required=True, type=click.Path(file_okay=False, path_type=Path),
    help="The key folder the badge was issued with (locates the default publish folder).",
)
@click.option(
    "--publish-dir", type=click.Path(file_okay=False, path_type=Path),
    help="The publish folder whose revocations.json lists the revoked badges "
    "[default: public/ beside the key folder].",
)
@click.option("--reason", help="Why the badge is revoked (published in the list).")
def badge_revoke(
    badge_id: str, keydir: Path, publish_dir: Path | None, reason: str | None
) -> None:
    """Revoke badge ID (urn:uuid:..., as 'badge issue' printed); publish revocations.json."""
    public = publish_dir if publish_dir is not None else default_publish_dir(keydir)
    check_publish_dir(public, keydir)
    path, added = revoke(public, badge_id, reason)
    if added:
        click.echo(f"revoked {normalise_id(badge_id)}: publish {path} again")
    else:
        click.echo(f"{normalise_id(badge_id)} was already revoked in {path}")
