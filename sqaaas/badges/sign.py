"""Sign the credentials: Open Badges 3.0 as a VC-JWT (RS256, or EdDSA), 2.0 as a JWS (RS256).

PyJWT is the one JOSE library used for producing tokens; the verifier checks them with its
own strict rules (sqaaas/badges/jws.py) and the tests check them with an independent library.
Every token's ``kid`` is the URL of the signing key's published JWK (issuer.py), so a
verifier holding only the token can find the key (Open Badges 3.0, VC-JWT key discovery).
"""

from __future__ import annotations

import json
from typing import Any

import jwt
from jwt.api_jws import PyJWS

from sqaaas.badges.credential import jwt_claims
from sqaaas.badges.issuer import Issuer
from sqaaas.badges.keys import SigningKeys


def sign_credential(
    vc: dict[str, Any], keys: SigningKeys, issuer: Issuer, alg: str = "RS256"
) -> str:
    """The compact VC-JWT: header {alg, kid: <JWK URL>, typ: JWT}, claims iss/jti/sub/nbf/exp/vc."""
    return jwt.encode(
        jwt_claims(vc),
        keys.private_for(alg),
        algorithm=alg,
        headers={"kid": issuer.jwk_url(keys.thumbprint_for(alg)), "typ": "JWT"},
    )


def sign_assertion(assertion: dict[str, Any], keys: SigningKeys, issuer: Issuer) -> str:
    """The compact JWS whose payload is the Open Badges 2.0 assertion JSON (RS256)."""
    payload = json.dumps(assertion, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return PyJWS().encode(
        payload,
        keys.rsa,
        algorithm="RS256",
        headers={"kid": issuer.jwk_url(keys.rsa_kid), "typ": None},
    )
