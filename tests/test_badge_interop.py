"""Interoperability: verifiers that share no code with sqaaas accept what it issues.

- jwcrypto, a JOSE library independent of the PyJWT we sign with, verifies the Open Badges
  3.0 VC-JWT as the specification's key discovery says: the header's ``kid`` is dereferenced
  to the issuer's JWK, fetched from the issuer's published files alone (served from the
  publish folder, tests/openbadges_support.py), no key set handed over;
- the credential conforms to 1EdTech's official Open Badges 3.0 JSON Schema (copied into
  tests/data/openbadges with its source and licence);
- and the other way round, the sqaaas verifier accepts a credential that jwcrypto signed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import requests
from jwcrypto import jwk, jws
from jwcrypto import jwt as jw_jwt
from jwcrypto.common import JWException
from jwt.utils import base64url_decode

from sqaaas.badges.credential import assess_report, build_credential, jwt_claims
from sqaaas.badges.issuer import Issuer
from sqaaas.badges.keys import public_jwk
from sqaaas.badges.verify import VerifyOptions, verify_token
from tests.badge_support import (
    ISSUER_URL,
    NOW,
    failed_steps,
    fair_report_for,
    issuer,  # noqa: F401  (module fixture)
    report_for,
)
from tests.openbadges_support import served

SCHEMA = Path(__file__).parent / "data" / "openbadges" / "ob_v3p0_achievementcredential_schema.json"


def _published_keyset(issuer_) -> jwk.JWKSet:
    return jwk.JWKSet.from_json(issuer_.jwks.read_text())


def _unverified(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    header, payload, _ = token.split(".")
    return json.loads(base64url_decode(header)), json.loads(base64url_decode(payload))


def discover_and_verify(token: str) -> dict[str, Any]:
    """An Open Badges 3.0 verifier holding only the token: dereference the header's kid
    (over HTTP), refuse a key that is not under the issuer the payload names, verify the
    signature and the registered claims with jwcrypto; the verified payload."""
    header, payload = _unverified(token)
    kid = header["kid"]
    base = payload["iss"].removesuffix("/issuer.json")
    if not kid.startswith(base + "/"):
        raise JWException(f"kid {kid} is not a key of the issuer {payload['iss']}")
    fetched = requests.get(kid, timeout=5)
    fetched.raise_for_status()
    key = jwk.JWK.from_json(fetched.text)
    checked = jw_jwt.JWT(
        jwt=token, key=key, algs=[header["alg"]],
        check_claims={"iss": payload["iss"], "jti": payload["jti"], "sub": payload["sub"]},
    )
    return json.loads(checked.claims)


@pytest.mark.parametrize("alg", ["RS256", "EdDSA"])
def test_jwcrypto_verifies_the_vc_jwt_from_the_published_files_alone(issuer, alg):  # noqa: F811
    issued = issuer.issue(report_for("gold"), alg=alg)
    header, _ = _unverified(issued.token)
    thumbprint = issuer.keys.thumbprint_for(alg)
    assert header == {
        "alg": alg, "kid": f"{ISSUER_URL}/keys/{thumbprint}.jwk.json", "typ": "JWT"
    }
    with served(issuer.public, ISSUER_URL):
        claims = discover_and_verify(issued.token)
    # the payload is the credential itself with the registered claims (OB 3.0, VC-JWT)
    assert {k: v for k, v in claims.items() if k not in ("iss", "jti", "sub", "nbf", "exp")} \
        == issued.credential
    assert claims["sub"] == "https://github.com/example-org/example"
    assert claims["nbf"] == int(NOW.timestamp()) and "vc" not in claims and "iat" not in claims


def test_key_discovery_rejects_a_changed_token_or_a_key_elsewhere(issuer):  # noqa: F811
    issued = issuer.issue(report_for("bronze"))
    _, payload = _unverified(issued.token)
    with served(issuer.public, ISSUER_URL) as mock:
        head, body, signature = issued.token.split(".")
        flipped = signature[:10] + ("A" if signature[10] != "A" else "B") + signature[11:]
        with pytest.raises(JWException):
            discover_and_verify(f"{head}.{body}.{flipped}")
        # an attacker's key, published on the attacker's site, named by the token's kid
        attacker = jwk.JWK.generate(kty="RSA", size=2048)
        evil_kid = "https://evil.example/keys/k.jwk.json"
        mock.add("GET", evil_kid, body=attacker.export_public())
        forged = jw_jwt.JWT(header={"alg": "RS256", "kid": evil_kid, "typ": "JWT"},
                            claims={**payload, "exp": payload["exp"] + 10**8})
        forged.make_signed_token(attacker)
        with pytest.raises(JWException, match="is not a key of the issuer"):
            discover_and_verify(forged.serialize())


def test_the_credential_passes_the_official_ob3_json_schema(issuer):  # noqa: F811
    schema = json.loads(SCHEMA.read_text())
    validator = jsonschema.Draft201909Validator(
        schema, format_checker=jsonschema.Draft201909Validator.FORMAT_CHECKER
    )
    for report, scheme in ((report_for("silver"), None), (fair_report_for("gold"), "fair")):
        issued = issuer.issue(report, scheme=scheme)
        _, payload = _unverified(issued.token)
        for document in (issued.credential, payload):
            assert [e.message for e in validator.iter_errors(document)] == []
    broken = {k: v for k, v in issued.credential.items() if k != "credentialSubject"}
    assert list(validator.iter_errors(broken))  # the schema does catch a missing member
    wrong_context = {**issued.credential, "@context": ["https://www.w3.org/2018/credentials/v1"]}
    assert list(validator.iter_errors(wrong_context))


def test_jwcrypto_verifies_the_ob2_signed_assertion(issuer):  # noqa: F811
    issued = issuer.issue(report_for("silver"))
    rsa_key = _published_keyset(issuer).get_key(issuer.issuer.jwk_url(issuer.keys.rsa_kid))
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
                   algs=["RS256"])


def test_our_verifier_accepts_a_credential_signed_by_jwcrypto(tmp_path):
    """An issuer using another library, publishing an ordinary JWK set, interoperates."""
    key = jwk.JWK.generate(kty="OKP", crv="Ed25519")
    kid = f"https://other-issuer.example/keys/{key.thumbprint()}.jwk.json"
    public = {**json.loads(key.export_public()), "kid": kid}
    assert public_jwk(key.get_op_key("verify"))["kid"] == key.thumbprint()
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
