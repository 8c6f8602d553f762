"""Issue a badge: report -> credentials -> signatures -> a baked image or a bare JWT.

The CLI's ``badge issue`` and (later) the web service both go through :func:`issue_badge`
and :func:`badge_bytes`, so a badge issued by either is the same.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqaaas.badges import artwork
from sqaaas.badges.credential import (
    assess_report,
    build_assertion,
    build_credential,
    check_issuable,
    load_report_file,
)
from sqaaas.badges.errors import BadgeIssueError
from sqaaas.badges.issuer import Issuer, publish_files
from sqaaas.badges.keys import SigningKeys, load_signing_keys
from sqaaas.badges.labels import image_label
from sqaaas.badges.sign import sign_assertion, sign_credential
from sqaaas.core.catalogue import default_catalogue
from sqaaas.fileio import write_atomic

FORMATS = ("svg", "png", "jwt")
MAX_VALID_DAYS = 3650


@dataclass(frozen=True)
class IssuedBadge:
    """A signed badge: the OB 3.0 VC-JWT, the OB 2.0 JWS, and what they state."""

    id: str
    scheme: str
    level: str
    profile: str | None
    subject: str
    commit: str
    valid_from: datetime
    valid_until: datetime
    token: str
    ob2_jws: str
    credential: dict[str, Any]

    def summary(self) -> dict[str, str]:
        return {
            "id": self.id,
            "scheme": self.scheme,
            **({"profile": self.profile} if self.profile else {}),
            "level": self.level,
            "repository": self.subject,
            "commit": self.commit,
            "valid_from": self.credential["validFrom"],
            "valid_until": self.credential["validUntil"],
        }


def issue_badge(
    report: dict[str, Any],
    source: str,
    keys: SigningKeys,
    issuer: Issuer,
    *,
    scheme: str | None = None,
    profile: str | None = None,
    valid_days: int = 365,
    now: datetime | None = None,
) -> IssuedBadge:
    """Sign a badge for the level ``report`` reaches (refused for level none).

    ``scheme`` is a badge scheme of criteria/badges.yml (``fair`` for the FAIR badge); by
    default the quality badge of the report's baseline. ``profile``, a profile of that
    file, says which subcriteria decide the criteria (default: the report's own).
    """
    if not 1 <= valid_days <= MAX_VALID_DAYS:
        raise BadgeIssueError(f"--valid-days must be between 1 and {MAX_VALID_DAYS}")
    assessed = assess_report(report, source, scheme, profile)
    check_issuable(assessed, source)
    start = (now or datetime.now(UTC)).replace(microsecond=0)
    end = start + timedelta(days=valid_days)
    credential_id = f"urn:uuid:{uuid.uuid4()}"
    vc = build_credential(assessed, issuer, credential_id, start, end)
    assertion = build_assertion(vc, assessed, issuer, issuer.key_url(keys.rsa_kid))
    return IssuedBadge(
        id=credential_id,
        scheme=assessed.scheme,
        level=assessed.level,
        profile=assessed.profile,
        subject=vc["credentialSubject"]["id"],
        commit=assessed.commit or "",
        valid_from=start,
        valid_until=end,
        token=sign_credential(vc, keys),
        ob2_jws=sign_assertion(assertion, keys),
        credential=vc,
    )


def output_format(path: Path) -> str:
    """svg, png or jwt, from the output file's suffix."""
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise BadgeIssueError(
            f"{path}: the output must end in {', '.join('.' + f for f in FORMATS)}"
        )
    return fmt


def baked_image(scheme: str, level: str, token: str, ob2_jws: str, fmt: str) -> bytes:
    """The badge image of ``scheme``/``level`` with both signed credentials baked in."""
    label = image_label(scheme)
    if fmt == "svg":
        svg = artwork.render_svg(level, label)
        return artwork.bake_svg(svg, token, ob2_jws=ob2_jws).encode("utf-8")
    if fmt == "png":
        return artwork.bake_png(artwork.render_png(level, label), token, ob2_jws=ob2_jws)
    raise BadgeIssueError(f"unknown badge image format {fmt!r}")


def badge_bytes(issued: IssuedBadge, fmt: str) -> bytes:
    """The badge file: an image with both credentials baked in, or the bare VC-JWT."""
    if fmt == "jwt":
        return (issued.token + "\n").encode("ascii")
    return baked_image(issued.scheme, issued.level, issued.token, issued.ob2_jws, fmt)


def publish(keydir: Path, issuer: Issuer, keys: SigningKeys, scheme: str) -> list[Path]:
    """Write the issuer files, with the un-baked image of each level of ``scheme``."""
    levels = [lvl.name for lvl in default_catalogue().badges[scheme].levels]
    label = image_label(scheme)
    svgs = {f"{scheme}-{level}.svg": artwork.render_svg(level, label) for level in levels}
    return publish_files(keydir, issuer, keys, svgs)


def issue_to_file(
    report: Path,
    keydir: Path,
    issuer_url: str,
    out: Path,
    *,
    issuer_name: str | None = None,
    scheme: str | None = None,
    profile: str | None = None,
    valid_days: int = 365,
) -> tuple[IssuedBadge, Issuer, list[Path]]:
    """``sqaaas badge issue``: sign a badge for the JSON report file ``report`` with the keys
    of ``keydir``, write it to ``out`` (.svg/.png with the credentials baked in, or .jwt) and
    publish the issuer files in ``keydir``; the files published are returned."""
    kind = output_format(out)
    issuer = Issuer.from_url(issuer_url, issuer_name)
    signing = load_signing_keys(keydir)
    issued = issue_badge(
        load_report_file(report), str(report), signing, issuer, scheme=scheme,
        profile=profile, valid_days=valid_days,
    )
    published = publish(keydir, issuer, signing, issued.scheme)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(out, badge_bytes(issued, kind))
    return issued, issuer, published
