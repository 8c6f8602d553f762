"""Interoperability: jwcrypto, a JOSE library independent of the PyJWT we sign with.

Both directions: jwcrypto verifies the tokens sqaaas issues with nothing but the published
JWK set, and the sqaaas verifier accepts a credential that jwcrypto signed.
"""

from __future__ import annotations

import json

import pytest
from jwcrypto import jwk, jws
from jwcrypto import jwt as jw_jwt
from jwcrypto.common import JWException

from sqaaas.badges.credential import assess_report, build_credential, jwt_claims
from sqaaas.badges.issuer import Issuer
from sqaaas.badges.verify import VerifyOptions, verify_token
from tests.badge_support import (
    NOW,
    failed_steps,
    issuer,  # noqa: F401  (module fixture)
    report_for,
)


def _published_keyset(issuer_) -> jwk.JWKSet:
    return jwk.JWKSet.from_json(issuer_.jwks.read_text())


def test_jwcrypto_verifies_the_vc_jwt_with_the_published_jwks(issuer):  # noqa: F811
    issued = issuer.issue(report_for("gold"))
    token = jw_jwt.JWT(
        jwt=issued.token,
        key=_published_keyset(issuer),
        algs=["EdDSA"],
        check_claims={"iss": "https://issuer.example/issuer.json", "jti": issued.id},
    )
    header = json.loads(token.header)
    assert header == {"alg": "EdDSA", "kid": issuer.keys.ed25519_kid, "typ": "JWT"}
    claims = json.loads(token.claims)
    assert claims["vc"] == issued.credential
    assert claims["sub"] == "https://github.com/example-org/example"
    assert claims["nbf"] == int(NOW.timestamp())


def test_jwcrypto_verifies_the_ob2_signed_assertion(issuer):  # noqa: F811
    issued = issuer.issue(report_for("silver"))
    rsa_key = _published_keyset(issuer).get_key(issuer.keys.rsa_kid)
    checked = jws.JWS()
    checked.deserialize(issued.ob2_jws)
    checked.verify(rsa_key, alg="RS256")
    assertion = json.loads(checked.payload)
    assert assertion["id"] == issued.id and assertion["type"] == "Assertion"
    assert checked.jose_header["alg"] == "RS256"


def test_jwcrypto_rejects_what_we_reject(issuer):  # noqa: F811
    issued = issuer.issue(report_for("bronze"))
    header, payload, signature = issued.token.split(".")
    flipped = signature[:10] + ("A" if signature[10] != "A" else "B") + signature[11:]
    with pytest.raises(JWException):
        jw_jwt.JWT(jwt=f"{header}.{payload}.{flipped}", key=_published_keyset(issuer),
                   algs=["EdDSA"])


def test_our_verifier_accepts_a_credential_signed_by_jwcrypto(tmp_path):
    """An issuer using another library, publishing an ordinary JWK set, interoperates."""
    key = jwk.JWK.generate(kty="OKP", crv="Ed25519")
    kid = key.thumbprint()
    public = {**json.loads(key.export_public()), "kid": kid}
    trust = tmp_path / "jwks.json"
    trust.write_text(json.dumps({"keys": [public]}))
    report = report_for("silver")
    vc = build_credential(
        assess_report(report, "r"), Issuer.from_url("https://other-issuer.example"),
        "urn:uuid:0b5c6f0e-1c6a-4d8e-9a8b-7f6e5d4c3b2a", NOW, NOW.replace(year=NOW.year + 1),
    )
    token = jw_jwt.JWT(header={"alg": "EdDSA", "kid": kid, "typ": "JWT"}, claims=jwt_claims(vc))
    token.make_signed_token(key)
    from sqaaas.badges.keys import load_trusted_keys

    options = VerifyOptions(trusted=load_trusted_keys(trust), report=report, now=NOW)
    result = verify_token(token.serialize(), None, options)
    assert result.valid, failed_steps(result)
    assert result.level == "silver"
    assert result.claims.issuer == "https://other-issuer.example/issuer.json"
