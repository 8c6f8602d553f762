"""The issuer's signing keys: generate them, load them to sign, load trusted public keys.

An issuer has two keypairs: Ed25519 signs the Open Badges 3.0 VC-JWT (EdDSA) and RSA-3072
signs the Open Badges 2.0 assertion (RS256, the algorithm 2.0 consumers know). Their public
halves are published as one JWK set whose ``kid`` values are RFC 7638 thumbprints, so a kid
names exactly one key and cannot be reused for another.

Each key type is bound to exactly one algorithm (``ALG_FOR_KTY``): the verifier never lets a
token's header choose how a key is used.

Once an issuer publishes its keys, each key's ``kid`` is the URL of its JWK document under the
issuer (``<base>/keys/<thumbprint>.jwk.json``, see issuer.py), so that a verifier holding only a
token can dereference the key, as Open Badges 3.0 asks. The thumbprint in that URL is the key's
identity: a trusted key is found by its kid or by the thumbprint a kid URL names.
"""

from __future__ import annotations

import hashlib
import json
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
from jwt.algorithms import OKPAlgorithm, RSAAlgorithm
from jwt.utils import base64url_encode

from sqaaas.badges.errors import BadgeKeyError
from sqaaas.fileio import read_bounded, write_atomic

ED25519_FILE = "ed25519.private.pem"
RSA_FILE = "rsa.private.pem"
JWKS_FILE = "issuer.jwks.json"
RSA_BITS = 3072
MIN_RSA_BITS = 2048
MAX_JWKS_BYTES = 1_000_000

#: The only algorithm each supported key type may be used with.
ALG_FOR_KTY = {"OKP": "EdDSA", "RSA": "RS256"}
#: Algorithms an Open Badges 3.0 credential can be signed with, the default first: RS256 is
#: the one the specification asks every verifier to support; EdDSA is kept as an option.
CREDENTIAL_ALGS = ("RS256", "EdDSA")
#: how a published JWK's URL ends: keys/<RFC 7638 thumbprint>.jwk.json
JWK_SUFFIX = ".jwk.json"
_KID_URL = re.compile(r"/keys/([A-Za-z0-9_-]{43})" + re.escape(JWK_SUFFIX) + "$")

_THUMBPRINT_MEMBERS = {"OKP": ("crv", "kty", "x"), "RSA": ("e", "kty", "n")}
_GITIGNORE = "# Never commit an issuer's private keys.\n*.private.pem\n.*.tmp\n"


@dataclass(frozen=True)
class SigningKeys:
    """The issuer's private keys, with the kid each signature names."""

    ed25519: ed25519.Ed25519PrivateKey = field(repr=False)
    ed25519_kid: str
    rsa: rsa.RSAPrivateKey = field(repr=False)
    rsa_kid: str

    def thumbprint_for(self, alg: str) -> str:
        """The thumbprint of the key that signs with ``alg`` (RS256: RSA, EdDSA: Ed25519)."""
        return self.rsa_kid if alg == "RS256" else self.ed25519_kid

    def private_for(self, alg: str) -> ed25519.Ed25519PrivateKey | rsa.RSAPrivateKey:
        return self.rsa if alg == "RS256" else self.ed25519

    def rsa_public_pem(self) -> str:
        public = self.rsa.public_key()
        pem = public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return pem.decode("ascii")


@dataclass(frozen=True)
class TrustedKey:
    """A public key the verifier was told to trust, pinned to one algorithm."""

    kid: str
    alg: str
    key: ed25519.Ed25519PublicKey | rsa.RSAPublicKey
    thumbprint: str = ""


def thumbprint_of_kid(kid: str) -> str | None:
    """The thumbprint a published key's URL names (``.../keys/<thumbprint>.jwk.json``)."""
    found = _KID_URL.search(kid)
    return found.group(1) if found else None


def find_trusted(kid: str, trusted: dict[str, TrustedKey]) -> TrustedKey | None:
    """The trusted key ``kid`` names: by kid, or by the thumbprint a kid URL carries (so a
    key set listing bare thumbprints trusts the same keys once they are published)."""
    if kid in trusted:
        return trusted[kid]
    named = thumbprint_of_kid(kid) or kid
    return next((k for k in trusted.values() if k.thumbprint == named), None)


def thumbprint(jwk: dict[str, Any]) -> str:
    """RFC 7638 JWK thumbprint (SHA-256, base64url) of an OKP or RSA public key."""
    members = _THUMBPRINT_MEMBERS.get(jwk.get("kty", ""))
    if members is None or not all(isinstance(jwk.get(m), str) for m in members):
        raise BadgeKeyError(f"cannot compute the thumbprint of a key of type {jwk.get('kty')!r}")
    canonical = json.dumps({m: jwk[m] for m in members}, separators=(",", ":"), sort_keys=True)
    return base64url_encode(hashlib.sha256(canonical.encode("utf-8")).digest()).decode("ascii")


def public_jwk(key: ed25519.Ed25519PublicKey | rsa.RSAPublicKey) -> dict[str, Any]:
    """The public JWK of ``key`` with its pinned ``alg``, ``use: sig`` and thumbprint kid."""
    if isinstance(key, ed25519.Ed25519PublicKey):
        jwk: dict[str, Any] = OKPAlgorithm.to_jwk(key, as_dict=True)
    else:
        jwk = RSAAlgorithm.to_jwk(key, as_dict=True)
    jwk = {k: v for k, v in jwk.items() if k in ("kty", "crv", "x", "n", "e")}
    return {**jwk, "alg": ALG_FOR_KTY[jwk["kty"]], "use": "sig", "kid": thumbprint(jwk)}


def jwks_of(keys: SigningKeys, kid_url: Callable[[str], str] | None = None) -> dict[str, Any]:
    """The public JWK set; with ``kid_url`` each kid is the URL it maps the thumbprint to."""
    found = [public_jwk(keys.ed25519.public_key()), public_jwk(keys.rsa.public_key())]
    if kid_url is not None:
        found = [{**jwk, "kid": kid_url(jwk["kid"])} for jwk in found]
    return {"keys": found}


def _signing_keys(ed_key: ed25519.Ed25519PrivateKey, rsa_key: rsa.RSAPrivateKey) -> SigningKeys:
    return SigningKeys(
        ed25519=ed_key,
        ed25519_kid=public_jwk(ed_key.public_key())["kid"],
        rsa=rsa_key,
        rsa_kid=public_jwk(rsa_key.public_key())["kid"],
    )


def _pem(key: ed25519.Ed25519PrivateKey | rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def generate_keys(keydir: Path, *, force: bool = False) -> list[Path]:
    """Create a new Ed25519 and RSA-3072 keypair in ``keydir``; return the files written.

    Refuses to replace existing keys unless ``force`` (badges signed with replaced keys no
    longer verify against the new JWK set).
    """
    existing = [n for n in (ED25519_FILE, RSA_FILE, JWKS_FILE) if (keydir / n).exists()]
    if existing and not force:
        raise BadgeKeyError(
            f"{keydir} already holds issuer keys ({', '.join(existing)}); use --force to "
            "replace them (badges signed with the old keys will then fail to verify)"
        )
    try:
        keydir.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise BadgeKeyError(f"cannot create {keydir}: {exc.strerror or exc}") from None
    keys = _signing_keys(
        ed25519.Ed25519PrivateKey.generate(),
        rsa.generate_private_key(public_exponent=65537, key_size=RSA_BITS),
    )
    written = []
    for name, key in ((ED25519_FILE, keys.ed25519), (RSA_FILE, keys.rsa)):
        write_atomic(keydir / name, _pem(key), mode=0o600, replace=force)
        written.append(keydir / name)
    jwks_text = json.dumps(jwks_of(keys), indent=2) + "\n"
    write_atomic(keydir / JWKS_FILE, jwks_text.encode("utf-8"), mode=0o644)
    written.append(keydir / JWKS_FILE)
    gitignore = keydir / ".gitignore"
    if not gitignore.exists():
        write_atomic(gitignore, _GITIGNORE.encode("utf-8"), mode=0o644)
    return written


def _read_private(path: Path) -> ed25519.Ed25519PrivateKey | rsa.RSAPrivateKey:
    try:
        info = path.lstat()
    except FileNotFoundError:
        raise BadgeKeyError(f"{path} not found (create keys with 'sqaaas keys generate')") from None
    if not stat.S_ISREG(info.st_mode):
        raise BadgeKeyError(f"{path} is not a regular file")
    if info.st_mode & 0o077:
        raise BadgeKeyError(
            f"{path} is readable by other users (mode {stat.S_IMODE(info.st_mode):o}); "
            f"restrict it with: chmod 600 {path}"
        )
    data = read_bounded(path, MAX_JWKS_BYTES, "private key", BadgeKeyError)
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        # The library's message could quote key material: say only which file is at fault.
        raise BadgeKeyError(f"{path} is not an unencrypted PEM private key") from None
    if not isinstance(key, ed25519.Ed25519PrivateKey | rsa.RSAPrivateKey):
        raise BadgeKeyError(f"{path} holds a {type(key).__name__}, not an Ed25519 or RSA key")
    return key


def load_signing_keys(keydir: Path) -> SigningKeys:
    """The issuer's private keys from ``keydir`` (files must not be readable by others)."""
    ed_key = _read_private(keydir / ED25519_FILE)
    rsa_key = _read_private(keydir / RSA_FILE)
    if not isinstance(ed_key, ed25519.Ed25519PrivateKey):
        raise BadgeKeyError(f"{keydir / ED25519_FILE} does not hold an Ed25519 key")
    if not isinstance(rsa_key, rsa.RSAPrivateKey) or rsa_key.key_size < MIN_RSA_BITS:
        raise BadgeKeyError(f"{keydir / RSA_FILE} does not hold an RSA key of {MIN_RSA_BITS}+ bits")
    return _signing_keys(ed_key, rsa_key)


def _trusted_key(jwk: Any, source: Path | str) -> TrustedKey:
    if not isinstance(jwk, dict):
        raise BadgeKeyError(f"{source}: every entry of 'keys' must be a JWK object")
    kty = jwk.get("kty")
    if kty not in ALG_FOR_KTY:
        raise BadgeKeyError(
            f"{source}: key type {kty!r} is not accepted (only Ed25519 'OKP' and 'RSA' public "
            "keys; symmetric 'oct' keys are never trusted)"
        )
    if "d" in jwk or "p" in jwk:
        raise BadgeKeyError(f"{source}: holds a private key; a trust file has public keys only")
    alg = ALG_FOR_KTY[kty]
    if jwk.get("alg", alg) != alg:
        raise BadgeKeyError(
            f"{source}: a {kty} key is used with {alg} only, not {jwk.get('alg')!r}"
        )
    kid = jwk.get("kid")
    if not isinstance(kid, str) or not kid:
        raise BadgeKeyError(f"{source}: every key needs a 'kid'")
    if kty == "OKP" and jwk.get("crv") != "Ed25519":
        raise BadgeKeyError(f"{source}: OKP key {kid} is not an Ed25519 key")
    try:
        key: Any = (OKPAlgorithm if kty == "OKP" else RSAAlgorithm).from_jwk(jwk)
    except Exception:  # the JWK parsers raise several types for malformed members
        raise BadgeKeyError(f"{source}: key {kid} is not a valid {kty} public JWK") from None
    if isinstance(key, rsa.RSAPublicKey) and key.key_size < MIN_RSA_BITS:
        raise BadgeKeyError(f"{source}: RSA key {kid} is shorter than {MIN_RSA_BITS} bits")
    if not isinstance(key, ed25519.Ed25519PublicKey | rsa.RSAPublicKey):
        raise BadgeKeyError(f"{source}: key {kid} is not a public key")
    actual = thumbprint(jwk)
    named = thumbprint_of_kid(kid)
    if named is not None and named != actual:
        raise BadgeKeyError(f"{source}: kid {kid} names another key than the one it holds")
    return TrustedKey(kid=kid, alg=alg, key=key, thumbprint=actual)


def load_trusted_keys(path: Path) -> dict[str, TrustedKey]:
    """The keys of a JWK set the user trusts, by kid; anything unusual is an error."""
    raw = read_bounded(path, MAX_JWKS_BYTES, "trusted key set", BadgeKeyError)
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise BadgeKeyError(f"{path}: not a JWK set ({exc})") from None
    return trusted_keys(data, path)


def trusted_keys(data: Any, source: Path | str) -> dict[str, TrustedKey]:
    """The keys of a parsed JWK set, by kid (each pinned to its algorithm)."""
    if not isinstance(data, dict) or not isinstance(data.get("keys"), list) or not data["keys"]:
        raise BadgeKeyError(f"{source}: not a JWK set (expected {{\"keys\": [...]}})")
    trusted: dict[str, TrustedKey] = {}
    for jwk in data["keys"]:
        key = _trusted_key(jwk, source)
        if key.kid in trusted:
            raise BadgeKeyError(f"{source}: kid {key.kid} appears twice")
        trusted[key.kid] = key
    return trusted
