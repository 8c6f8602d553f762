"""Strict checking of compact JWS/JWT tokens against keys the verifier trusts.

Everything here refuses rather than guesses:

- each of the three segments must be *canonical* base64url (re-encoding the decoded bytes
  gives the same text), so no two different tokens carry the same signed bytes and a
  changed character can never decode to the same signature;
- the header's ``alg`` must be the one algorithm pinned to the trusted key named by ``kid``
  (EdDSA for Ed25519, RS256 for RSA): ``none``, HMAC and any mismatch are rejected before a
  key is touched;
- keys offered by the token itself (``jwk``, ``x5c``, ``x5u``, ``jku``) are never used;
- unknown critical header parameters (``crit``) and unencoded payloads (``b64``) are refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from jwt.algorithms import OKPAlgorithm, RSAAlgorithm
from jwt.utils import base64url_decode, base64url_encode

from sqaaas.badges.keys import ALG_FOR_KTY, TrustedKey, find_trusted
from sqaaas.safeparse import ParseError, load_json

MAX_TOKEN_CHARS = 1_000_000
EMBEDDED_KEY_PARAMS = ("jwk", "x5c", "x5u", "jku", "x5t", "x5t#S256")
_B64URL = re.compile(r"[A-Za-z0-9_-]*")
_SUPPORTED = frozenset(ALG_FOR_KTY.values())


class JwsCheckError(Exception):
    """One check of a token failed; ``step`` names it for the verification report."""

    def __init__(self, step: str, reason: str) -> None:
        super().__init__(reason)
        self.step = step
        self.reason = reason


@dataclass(frozen=True)
class ParsedJws:
    header: dict[str, Any]
    payload: bytes
    signing_input: bytes
    signature: bytes


def _segment(text: str, what: str) -> bytes:
    if not _B64URL.fullmatch(text):
        raise JwsCheckError("decode", f"the {what} is not base64url")
    try:
        raw = base64url_decode(text)
    except (ValueError, TypeError):
        raise JwsCheckError("decode", f"the {what} is not base64url") from None
    if base64url_encode(raw).decode("ascii") != text:
        raise JwsCheckError("decode", f"the {what} is not canonical base64url")
    return raw


def parse_compact(token: str) -> ParsedJws:
    """Split and decode a compact JWS; the header must be a JSON object."""
    if len(token) > MAX_TOKEN_CHARS:
        raise JwsCheckError("decode", f"the token is longer than {MAX_TOKEN_CHARS} characters")
    parts = token.split(".")
    if len(parts) != 3:
        raise JwsCheckError("decode", f"a compact JWS has 3 parts, this token has {len(parts)}")
    header_raw = _segment(parts[0], "header")
    payload = _segment(parts[1], "payload")
    signature = _segment(parts[2], "signature")
    try:  # bounded (nesting, integers): the header is read before anything is verified
        header = load_json(header_raw, source="JWS header")
    except ParseError:
        raise JwsCheckError("decode", "the header is not JSON") from None
    if not isinstance(header, dict):
        raise JwsCheckError("decode", "the header is not a JSON object")
    return ParsedJws(
        header=header,
        payload=payload,
        signing_input=f"{parts[0]}.{parts[1]}".encode("ascii"),
        signature=signature,
    )


def check_header(header: dict[str, Any], expected_typ: str | None) -> list[str]:
    """Refuse algorithms and parameters we never accept; return notes on ignored ones."""
    alg = header.get("alg")
    if not isinstance(alg, str):
        raise JwsCheckError("header", "no 'alg' in the header")
    if alg.lower() == "none":
        raise JwsCheckError("header", "alg 'none' (an unsigned token) is never accepted")
    if alg.upper().startswith("HS"):
        raise JwsCheckError(
            "header", f"alg {alg} (HMAC with a shared secret) is never accepted for badges"
        )
    if alg not in _SUPPORTED:
        raise JwsCheckError("header", f"alg {alg!r} is not one of {sorted(_SUPPORTED)}")
    if "crit" in header or header.get("b64") is False:
        raise JwsCheckError("header", "critical or unencoded-payload header parameters are refused")
    typ = header.get("typ")
    if expected_typ is not None and typ is not None and typ != expected_typ:
        raise JwsCheckError("header", f"typ {typ!r} is not {expected_typ!r}")
    offered = [p for p in EMBEDDED_KEY_PARAMS if p in header]
    if not offered:
        return []
    return [f"ignored key material offered by the token itself ({', '.join(offered)})"]


def select_key(header: dict[str, Any], trusted: dict[str, TrustedKey]) -> TrustedKey:
    """The trusted key the header's kid names (by kid, or by the thumbprint of a published
    key's URL), if the header's alg is the one pinned to it. Whether that URL is the
    issuer's is checked once the payload names the issuer (verify.py, step issuer)."""
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise JwsCheckError("key", "the header names no key ('kid')")
    key = find_trusted(kid, trusted)
    if key is None:
        raise JwsCheckError("key", f"key {kid} is not in the trusted key set")
    if header["alg"] != key.alg:
        raise JwsCheckError(
            "key", f"alg {header['alg']} does not match trusted key {kid}, which is used with "
            f"{key.alg} only"
        )
    return key


def check_signature(parsed: ParsedJws, key: TrustedKey) -> None:
    algorithm = OKPAlgorithm() if key.alg == "EdDSA" else RSAAlgorithm(RSAAlgorithm.SHA256)
    if not algorithm.verify(
        parsed.signing_input, key.key, parsed.signature  # type: ignore[arg-type]
    ):
        raise JwsCheckError(
            "signature", f"the signature does not verify with trusted key {key.kid}"
        )


def payload_object(parsed: ParsedJws) -> dict[str, Any]:
    """The payload as a JSON object (after the signature was checked)."""
    try:
        data = load_json(parsed.payload, source="JWS payload")
    except ParseError:
        raise JwsCheckError("claims", "the payload is not JSON") from None
    if not isinstance(data, dict):
        raise JwsCheckError("claims", "the payload is not a JSON object")
    return data
