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
    badge_class,
    build_assertion,
    build_credential,
    canonical_report_bytes,
    check_issuable,
    load_report_file,
)
from sqaaas.badges.errors import BadgeIssueError
from sqaaas.badges.issuer import (
    Issuer,
    check_publish_dir,
    default_publish_dir,
    json_bytes,
    publish_files,
)
from sqaaas.badges.keys import CREDENTIAL_ALGS, SigningKeys, load_signing_keys
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
    #: what the issuer publishes for this badge, by URL: its BadgeClass and its report
    documents: dict[str, bytes]

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
    alg: str = CREDENTIAL_ALGS[0],
) -> IssuedBadge:
    """Sign a badge for the level ``report`` reaches (refused for level none).

    ``scheme`` is a badge scheme of criteria/badges.yml (``fair`` for the FAIR badge); by
    default the quality badge of the report's baseline. ``profile``, a profile of that
    file, says which subcriteria decide the criteria (default: the report's own). ``alg``
    signs the Open Badges 3.0 credential (RS256 by default, or EdDSA).
    """
    if not 1 <= valid_days <= MAX_VALID_DAYS:
        raise BadgeIssueError(f"--valid-days must be between 1 and {MAX_VALID_DAYS}")
    if alg not in CREDENTIAL_ALGS:
        raise BadgeIssueError(f"--alg must be one of {', '.join(CREDENTIAL_ALGS)}, not {alg!r}")
    assessed = assess_report(report, source, scheme, profile)
    check_issuable(assessed, source)
    start = (now or datetime.now(UTC)).replace(microsecond=0)
    end = start + timedelta(days=valid_days)
    credential_id = f"urn:uuid:{uuid.uuid4()}"
    vc = build_credential(assessed, issuer, credential_id, start, end)
    assertion = build_assertion(vc, assessed, issuer.key_url(keys.rsa_kid))
    achievement = badge_class(vc, assessed, issuer)
    return IssuedBadge(
        id=credential_id,
        scheme=assessed.scheme,
        level=assessed.level,
        profile=assessed.profile,
        subject=vc["credentialSubject"]["id"],
        commit=assessed.commit or "",
        valid_from=start,
        valid_until=end,
        token=sign_credential(vc, keys, issuer, alg),
        ob2_jws=sign_assertion(assertion, keys, issuer),
        credential=vc,
        documents={
            achievement["id"]: json_bytes(achievement),
            vc["evidence"][0]["id"]: canonical_report_bytes(report),
        },
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


def level_images(scheme: str) -> dict[str, bytes]:
    """The un-baked image of each level of ``scheme``, by its path under the issuer URL."""
    levels = [lvl.name for lvl in default_catalogue().badges[scheme].levels]
    label = image_label(scheme)
    return {
        f"achievements/{scheme}-{level}.svg": artwork.render_svg(level, label).encode("utf-8")
        for level in levels
    }


def publish(
    public: Path, issuer: Issuer, keys: SigningKeys, scheme: str,
    issued: IssuedBadge | None = None,
) -> list[Path]:
    """Write the issuer files into the publish folder ``public``: the profile, keys and
    revocation list, the level images of ``scheme`` and, for ``issued``, its BadgeClass
    and report."""
    documents = level_images(scheme)
    for url, data in (issued.documents if issued else {}).items():
        relative = issuer.relative(url)
        if relative is None:
            raise BadgeIssueError(f"{url} is not under the issuer URL {issuer.base}")
        documents[relative] = data
    return publish_files(public, issuer, keys, documents)


def issue_to_file(
    report: Path,
    keydir: Path,
    issuer_url: str,
    out: Path,
    *,
    publish_dir: Path | None = None,
    issuer_name: str | None = None,
    scheme: str | None = None,
    profile: str | None = None,
    valid_days: int = 365,
    alg: str = CREDENTIAL_ALGS[0],
) -> tuple[IssuedBadge, Issuer, Path, list[Path]]:
    """``sqaaas badge issue``: sign a badge for the JSON report file ``report`` with the keys
    of ``keydir``, write it to ``out`` (.svg/.png with the credentials baked in, or .jwt) and
    the issuer's public files into ``publish_dir`` (default: public/ beside the key folder,
    never inside it); returns the badge, the issuer, the publish folder and its files."""
    kind = output_format(out)
    issuer = Issuer.from_url(issuer_url, issuer_name)
    public = publish_dir if publish_dir is not None else default_publish_dir(keydir)
    check_publish_dir(public, keydir)
    signing = load_signing_keys(keydir)
    issued = issue_badge(
        load_report_file(report), str(report), signing, issuer, scheme=scheme,
        profile=profile, valid_days=valid_days, alg=alg,
    )
    published = publish(public, issuer, signing, issued.scheme, issued)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(out, badge_bytes(issued, kind))
    return issued, issuer, public, published
