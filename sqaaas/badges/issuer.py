"""The issuer: its URLs, its public profile, and the files it publishes.

Every identifier a badge names is derived from one base URL (``--issuer``), so a verifier can
check that a badge's achievement, key and evidence belong to the issuer that signed it, and
the issuer knows exactly which files to put on its web server. They are written into a
*publish folder* that mirrors the URL paths under the base:

    issuer.json                         Open Badges 2.0 issuer Profile (key IRI, revocation list)
    issuer.jwks.json                    public JWK set (kids: the keys' JWK URLs below)
    revocations.json                    revocation list (Open Badges 2.0 RevocationList)
    keys/<thumbprint>.json              the RSA key as an Open Badges 2.0 CryptographicKey
    keys/<thumbprint>.jwk.json          each public key as a JWK (what a token's kid names)
    achievements/<scheme>/<level>.json  the Open Badges 2.0 BadgeClass of a level issued
    achievements/<scheme>-<level>.svg   the un-baked badge image of each level
    reports/<sha256>.json               the assessment report a badge was issued for (evidence)

The publish folder never holds a private key: it must not be, or lie inside, the key folder
(nor the key folder inside it), so copying the whole folder to a web server is safe. Its
default is ``public/`` beside the key folder.

A web service whose URL changes keeps its keys but becomes another issuer: ``retire`` keeps
the former issuer's public files in ``<publish folder>-previous/`` so badges naming it stay
verifiable.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from sqaaas.badges.errors import BadgeIssueError
from sqaaas.badges.keys import JWK_SUFFIX, JWKS_FILE, SigningKeys, jwks_of, public_jwk
from sqaaas.badges.revocation import REVOCATIONS_FILE, empty_list
from sqaaas.badges.vocab import OB2_CONTEXT
from sqaaas.fileio import write_atomic

PROFILE_FILE = "issuer.json"
PUBLIC_DIR = "public"  # the default publish folder, beside the key folder
PREVIOUS_SUFFIX = "-previous"  # beside a publish folder: the files of issuers it served before
REPORTS_DIR = "reports"
_PUBLIC_FILES = (PROFILE_FILE, JWKS_FILE, REVOCATIONS_FILE, "keys", "achievements", REPORTS_DIR)
_EVIDENCE = re.compile(r"/" + REPORTS_DIR + r"/([0-9a-f]{64})\.json$")
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

    def key_url(self, thumbprint: str) -> str:
        """The Open Badges 2.0 CryptographicKey document of the RSA key."""
        return f"{self.base}/keys/{thumbprint}.json"

    def jwk_url(self, thumbprint: str) -> str:
        """The JWK document of a key: the ``kid`` of the tokens it signs."""
        return f"{self.base}/keys/{thumbprint}{JWK_SUFFIX}"

    def achievement_id(self, scheme: str, level: str) -> str:
        """The achievement (Open Badges 2.0 BadgeClass document) of a level."""
        return f"{self.base}/achievements/{scheme}/{level}.json"

    def evidence_url(self, digest: str) -> str:
        """Where the report with SHA-256 ``digest`` is published (the badge's evidence)."""
        return f"{self.base}/{REPORTS_DIR}/{digest}.json"

    def digest_of_evidence(self, url: str) -> str | None:
        """The report SHA-256 an evidence URL of this issuer names, else None."""
        found = _EVIDENCE.search(url)
        return found.group(1) if found and url == self.evidence_url(found.group(1)) else None

    def relative(self, url: str) -> str | None:
        """The path of ``url`` under the base (its file in the publish folder), else None."""
        prefix = self.base + "/"
        return url[len(prefix):] if url.startswith(prefix) and len(url) > len(prefix) else None

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
    """The issuer Profile JSON (Open Badges 2.0), naming its key (by IRI, as 2.0 verifiers
    dereference it) and its revocation list."""
    return {
        "@context": OB2_CONTEXT,
        "type": "Profile",
        "id": issuer.profile_id,
        "name": issuer.name,
        "url": issuer.base,
        "publicKey": issuer.key_url(keys.rsa_kid),
        "revocationList": issuer.revocations_url,
    }


def key_documents(issuer: Issuer, keys: SigningKeys) -> dict[str, bytes]:
    """Each public key as a JWK at the URL its kid names, and the RSA CryptographicKey."""
    found = {
        f"keys/{keys.rsa_kid}.json": json_bytes(crypto_key(issuer, keys)),
    }
    for key in (keys.ed25519.public_key(), keys.rsa.public_key()):
        jwk = public_jwk(key)
        found[f"keys/{jwk['kid']}{JWK_SUFFIX}"] = json_bytes(
            {**jwk, "kid": issuer.jwk_url(jwk["kid"])}
        )
    return found


def embedded_profile(issuer: Issuer) -> dict[str, object]:
    """The issuer as the Open Badges 3.0 credential embeds it."""
    return {"id": issuer.profile_id, "type": ["Profile"], "name": issuer.name, "url": issuer.base}


def default_publish_dir(keydir: Path) -> Path:
    """``public/`` beside the key folder."""
    return keydir.absolute().parent / PUBLIC_DIR


def check_publish_dir(public: Path, keydir: Path) -> None:
    """Refuse a publish folder that is, holds or lies inside the key folder."""
    pub, keys = public.resolve(), keydir.resolve()
    if pub == keys or keys in pub.parents or pub in keys.parents:
        raise BadgeIssueError(
            f"the publish folder {public} must be apart from the key folder {keydir} (neither "
            "inside the other): everything in it is meant for a public web server"
        )


def bound_issuer(public: Path) -> str | None:
    """The issuer profile id a publish folder already publishes, if any."""
    path = public / PROFILE_FILE
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


def json_bytes(data: object) -> bytes:
    """A published JSON document: indented UTF-8 with a final newline."""
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def publish_files(
    public: Path, issuer: Issuer, keys: SigningKeys, documents: dict[str, bytes]
) -> list[Path]:
    """Write the issuer's public files into the publish folder ``public``; return them.

    One publish folder mirrors one issuer's URL: a folder already publishing another
    issuer's profile is refused. ``documents`` maps further paths under the base URL
    (images, BadgeClasses, reports) to their bytes. An existing revocation list is kept.
    """
    bound = bound_issuer(public)
    if bound is not None and bound != issuer.profile_id:
        raise BadgeIssueError(
            f"{public} publishes issuer {bound}; issue with that issuer URL or give another "
            "--publish-dir"
        )
    written = {
        PROFILE_FILE: json_bytes(profile(issuer, keys)),
        JWKS_FILE: json_bytes(jwks_of(keys, issuer.jwk_url)),
        **key_documents(issuer, keys),
        **documents,
    }
    if not (public / REVOCATIONS_FILE).exists():
        written[REVOCATIONS_FILE] = json_bytes(
            empty_list(issuer.profile_id, issuer.revocations_url)
        )
    paths = []
    for relative, data in written.items():
        path = public / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, data, mode=0o644)
        paths.append(path)
    return sorted(paths)


def _folder_name(profile_id: str) -> str:
    """A file name naming an issuer: its base URL with every run of other characters a '-'."""
    base = profile_id.removesuffix("/" + PROFILE_FILE)
    return re.sub(r"[^A-Za-z0-9.]+", "-", base).strip("-.")[:200] or "issuer"


def previous_dir(public: Path) -> Path:
    """Where the files of the issuers a publish folder served before are kept."""
    return public.with_name(public.name + PREVIOUS_SUFFIX)


def retire(public: Path, issuer: Issuer) -> tuple[str, Path] | None:
    """Make way in the publish folder ``public`` for ``issuer`` when it publishes another.

    The former issuer's public files (profile, key set, revocation list, key, achievement and
    report documents) are copied to ``<public>-previous/<its base URL>/``, ready to publish at
    its URL, before its files are removed here, so that ``publish_files`` writes the new
    issuer's; an issuer served again gets its own revocation list back from there. The keys
    stay: badges issued before still verify with the same key set.
    Returns (the former issuer's base URL, the folder holding its files), or None if
    nothing changed.
    """
    bound = bound_issuer(public)
    if bound is None or bound == issuer.profile_id:
        return None
    folder = previous_dir(public) / _folder_name(bound)
    staging = folder.with_name(f".{folder.name}.tmp")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    for name in _PUBLIC_FILES:
        source = public / name
        if source.is_dir():
            shutil.copytree(source, staging / name)
        elif source.is_file():
            shutil.copy2(source, staging / name)
    shutil.rmtree(folder, ignore_errors=True)  # an issuer served again, then left again
    staging.rename(folder)
    returning = previous_dir(public) / _folder_name(issuer.profile_id)
    for name in ("achievements", REPORTS_DIR, "keys"):  # documents naming the former issuer
        shutil.rmtree(public / name, ignore_errors=True)
    if (returning / REVOCATIONS_FILE).is_file():  # its revocations still hold
        shutil.copy2(returning / REVOCATIONS_FILE, public / REVOCATIONS_FILE)
    else:
        (public / REVOCATIONS_FILE).unlink(missing_ok=True)
    shutil.rmtree(returning, ignore_errors=True)
    (public / PROFILE_FILE).unlink()
    return bound.removesuffix("/" + PROFILE_FILE), folder


def issuer_folder(public: Path, profile_id: str) -> Path | None:
    """The folder publishing issuer ``profile_id``: ``public`` or one of its former ones."""
    previous = previous_dir(public)
    candidates = sorted(previous.iterdir()) if previous.is_dir() else []
    for folder in (public, *candidates):
        if folder.is_dir() and not folder.name.startswith("."):
            try:
                if bound_issuer(folder) == profile_id:
                    return folder
            except BadgeIssueError:
                continue
    return None
