"""The issuer: its URLs, its public profile, and the files it publishes.

Every identifier a badge names is derived from one base URL (``--issuer``), so a verifier can
check that a badge's achievement belongs to the issuer that signed it, and the issuer knows
exactly which files to put on its web server:

    <base>/issuer.json              Open Badges 2.0 issuer Profile (public key, revocation list)
    <base>/issuer.jwks.json         public JWK set (kids are RFC 7638 thumbprints)
    <base>/revocations.json         revocation list (Open Badges 2.0 RevocationList)
    <base>/keys/<kid>.json          the RSA key as an Open Badges 2.0 CryptographicKey
    <base>/achievements/<scheme>-<level>.svg   the un-baked badge image of each level

These are written into the key folder next to the private keys (which are never published:
their names end in ``.private.pem`` and the folder's .gitignore excludes them).

A web service whose URL changes keeps its keys but becomes another issuer: ``retire`` keeps
the former issuer's public files under ``previous/`` so badges naming it stay verifiable.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from sqaaas.badges.errors import BadgeIssueError
from sqaaas.badges.keys import JWKS_FILE, SigningKeys, jwks_of
from sqaaas.badges.revocation import REVOCATIONS_FILE, empty_list
from sqaaas.badges.vocab import OB2_CONTEXT
from sqaaas.fileio import write_atomic

PROFILE_FILE = "issuer.json"
PREVIOUS_DIR = "previous"  # in a key folder: the public files of issuers it served before
_PUBLIC_FILES = (PROFILE_FILE, JWKS_FILE, REVOCATIONS_FILE, "keys", "achievements")
_LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


@dataclass(frozen=True)
class Issuer:
    """An issuer identified by the base URL its files are published under."""

    base: str
    name: str

    @classmethod
    def from_url(cls, url: str, name: str | None = None) -> Issuer:
        """Validate ``url`` (https, or http on localhost; no query, fragment or user info)."""
        parts = urlsplit(url.strip())
        host = parts.hostname or ""
        if parts.scheme not in ("https", "http") or not host:
            raise BadgeIssueError(f"issuer URL {url!r} must be an https:// URL")
        if parts.scheme == "http" and host not in _LOCAL_HOSTS:
            raise BadgeIssueError(f"issuer URL {url!r} must use https (http only for localhost)")
        if parts.query or parts.fragment or parts.username or parts.password:
            raise BadgeIssueError(
                f"issuer URL {url!r} must not carry a query, fragment or user name"
            )
        base = parts._replace(path=parts.path.rstrip("/")).geturl()
        return cls(base=base, name=(name or host).strip() or host)

    @classmethod
    def from_profile_id(cls, profile_id: str) -> Issuer | None:
        """The issuer whose profile URL is ``profile_id``; None when it is not one of ours."""
        suffix = "/" + PROFILE_FILE
        if not profile_id.endswith(suffix):
            return None
        try:
            issuer = cls.from_url(profile_id.removesuffix(suffix))
        except BadgeIssueError:
            return None
        return issuer if issuer.profile_id == profile_id else None

    @property
    def profile_id(self) -> str:
        return f"{self.base}/{PROFILE_FILE}"

    @property
    def jwks_url(self) -> str:
        return f"{self.base}/{JWKS_FILE}"

    @property
    def revocations_url(self) -> str:
        return f"{self.base}/{REVOCATIONS_FILE}"

    def key_url(self, kid: str) -> str:
        return f"{self.base}/keys/{kid}.json"

    def achievement_id(self, scheme: str, level: str) -> str:
        return f"{self.base}/achievements/{scheme}/{level}"

    def achievement_image(self, scheme: str, level: str) -> str:
        return f"{self.base}/achievements/{scheme}-{level}.svg"


def crypto_key(issuer: Issuer, keys: SigningKeys) -> dict[str, object]:
    """The Open Badges 2.0 CryptographicKey that verifies the issuer's RS256 assertions."""
    return {
        "@context": OB2_CONTEXT,
        "type": "CryptographicKey",
        "id": issuer.key_url(keys.rsa_kid),
        "owner": issuer.profile_id,
        "publicKeyPem": keys.rsa_public_pem(),
    }


def profile(issuer: Issuer, keys: SigningKeys) -> dict[str, object]:
    """The issuer Profile JSON (Open Badges 2.0), naming its key and revocation list."""
    return {
        "@context": OB2_CONTEXT,
        "type": "Profile",
        "id": issuer.profile_id,
        "name": issuer.name,
        "url": issuer.base,
        "publicKey": crypto_key(issuer, keys),
        "revocationList": issuer.revocations_url,
    }


def embedded_profile(issuer: Issuer) -> dict[str, object]:
    """The issuer as the Open Badges 3.0 credential embeds it."""
    return {"id": issuer.profile_id, "type": ["Profile"], "name": issuer.name, "url": issuer.base}


def bound_issuer(keydir: Path) -> str | None:
    """The issuer profile id a key folder already publishes, if any."""
    path = keydir / PROFILE_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise BadgeIssueError(f"cannot read {path}: {exc}") from None
    found = data.get("id") if isinstance(data, dict) else None
    if not isinstance(found, str):
        raise BadgeIssueError(f"{path} is not an issuer profile (no 'id')")
    return found


def _json_bytes(data: object) -> bytes:
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def publish_files(
    keydir: Path, issuer: Issuer, keys: SigningKeys, images: dict[str, str]
) -> list[Path]:
    """Write the issuer's public files into ``keydir``; return them.

    One key folder belongs to one issuer: a folder already publishing another issuer's
    profile is refused, so a key never vouches for two issuers. ``images`` maps a file name
    under achievements/ to its SVG text. An existing revocation list is kept as it is.
    """
    bound = bound_issuer(keydir)
    if bound is not None and bound != issuer.profile_id:
        raise BadgeIssueError(
            f"{keydir} publishes issuer {bound}; issue with that issuer URL or use a new "
            "key folder ('sqaaas keys generate --dir NEWDIR')"
        )
    written = {
        keydir / PROFILE_FILE: _json_bytes(profile(issuer, keys)),
        keydir / JWKS_FILE: _json_bytes(jwks_of(keys)),
        keydir / "keys" / f"{keys.rsa_kid}.json": _json_bytes(crypto_key(issuer, keys)),
    }
    written.update(
        {keydir / "achievements" / name: svg.encode("utf-8") for name, svg in images.items()}
    )
    revocations = keydir / REVOCATIONS_FILE
    if not revocations.exists():
        written[revocations] = _json_bytes(empty_list(issuer.profile_id, issuer.revocations_url))
    for path, data in written.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, data)
    return sorted(written)


def _folder_name(profile_id: str) -> str:
    """A file name naming an issuer: its base URL with every run of other characters a '-'."""
    base = profile_id.removesuffix("/" + PROFILE_FILE)
    return re.sub(r"[^A-Za-z0-9.]+", "-", base).strip("-.")[:200] or "issuer"


def retire(keydir: Path, issuer: Issuer) -> tuple[str, Path] | None:
    """Make way in ``keydir`` for ``issuer`` when the folder publishes another issuer.

    The former issuer's public files (profile, key set, revocation list, key and achievement
    documents) are copied to ``previous/<its base URL>/``, ready to publish at its URL, before
    its profile and revocation list are removed here, so that ``publish_files`` writes the new
    issuer's; an issuer served again gets its own revocation list back from there. The keys
    stay: badges issued before still verify with the same key set.
    Returns (the former issuer's base URL, the folder holding its files), or None if
    nothing changed.
    """
    bound = bound_issuer(keydir)
    if bound is None or bound == issuer.profile_id:
        return None
    folder = keydir / PREVIOUS_DIR / _folder_name(bound)
    staging = folder.with_name(f".{folder.name}.tmp")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    for name in _PUBLIC_FILES:
        source = keydir / name
        if source.is_dir():
            shutil.copytree(source, staging / name)
        elif source.is_file():
            shutil.copy2(source, staging / name)
    shutil.rmtree(folder, ignore_errors=True)  # an issuer served again, then left again
    staging.rename(folder)
    returning = keydir / PREVIOUS_DIR / _folder_name(issuer.profile_id)
    if (returning / REVOCATIONS_FILE).is_file():  # its revocations still hold
        shutil.copy2(returning / REVOCATIONS_FILE, keydir / REVOCATIONS_FILE)
    else:
        (keydir / REVOCATIONS_FILE).unlink(missing_ok=True)
    shutil.rmtree(returning, ignore_errors=True)
    (keydir / PROFILE_FILE).unlink()
    return bound.removesuffix("/" + PROFILE_FILE), folder


def issuer_folder(keydir: Path, profile_id: str) -> Path | None:
    """The folder publishing issuer ``profile_id``: ``keydir`` or one under previous/."""
    previous = keydir / PREVIOUS_DIR
    candidates = sorted(previous.iterdir()) if previous.is_dir() else []
    for folder in (keydir, *candidates):
        if folder.is_dir() and not folder.name.startswith("."):
            try:
                if bound_issuer(folder) == profile_id:
                    return folder
            except BadgeIssueError:
                continue
    return None
