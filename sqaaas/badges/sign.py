"""Sign the credentials: Open Badges 3.0 as a VC-JWT (EdDSA), 2.0 as a JWS (RS256).

PyJWT is the one JOSE library used for producing tokens; the verifier checks them with its
own strict rules (sqaaas/badges/jws.py) and the tests check them with an independent library.
"""

from __future__ import annotations

import json
from typing import Any

import jwt
from jwt.api_jws import PyJWS

from sqaaas.badges.credential import jwt_claims
from sqaaas.badges.keys import SigningKeys


def sign_credential(vc: dict[str, Any], keys: SigningKeys) -> str:
    """The compact VC-JWT: header {alg: EdDSA, kid, typ: JWT}, claims iss/jti/sub/nbf/exp/vc."""
    return jwt.encode(
        jwt_claims(vc),
        keys.ed25519,
        algorithm="EdDSA",
        headers={"kid": keys.ed25519_kid, "typ": "JWT"},
    )


def sign_assertion(assertion: dict[str, Any], keys: SigningKeys) -> str:
    """The compact JWS whose payload is the Open Badges 2.0 assertion JSON (RS256)."""
    payload = json.dumps(assertion, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return PyJWS().encode(
        payload, keys.rsa, algorithm="RS256", headers={"kid": keys.rsa_kid, "typ": None}
    )
