"""Issuer keys: generation, file modes, thumbprint kids, and what a trust file may hold."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
from jwcrypto import jwk as jw_jwk
from jwt.algorithms import OKPAlgorithm, RSAAlgorithm

from sqaaas.badges.errors import BadgeKeyError
from sqaaas.badges.keys import (
    ED25519_FILE,
    JWKS_FILE,
    RSA_FILE,
    generate_keys,
    load_signing_keys,
    load_trusted_keys,
    public_jwk,
    thumbprint,
)
from sqaaas.errors import SqaaasError
from sqaaas.fileio import write_atomic


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_generate_writes_private_keys_0600_and_a_public_jwks(tmp_path):
    keydir = tmp_path / "keys"
    written = generate_keys(keydir)
    assert [p.name for p in written] == [ED25519_FILE, RSA_FILE, JWKS_FILE]
    assert _mode(keydir) == 0o700
    assert _mode(keydir / ED25519_FILE) == 0o600
    assert _mode(keydir / RSA_FILE) == 0o600
    assert _mode(keydir / JWKS_FILE) == 0o644
    assert "*.private.pem" in (keydir / ".gitignore").read_text()
    assert not [p for p in keydir.iterdir() if p.name.endswith(".tmp")]
    keys = load_signing_keys(keydir)
    assert isinstance(keys.ed25519, ed25519.Ed25519PrivateKey)
    assert isinstance(keys.rsa, rsa.RSAPrivateKey) and keys.rsa.key_size == 3072
    jwks = json.loads((keydir / JWKS_FILE).read_text())
    by_kty = {k["kty"]: k for k in jwks["keys"]}
    assert by_kty["OKP"] == {**by_kty["OKP"], "crv": "Ed25519", "alg": "EdDSA", "use": "sig"}
    assert by_kty["RSA"]["alg"] == "RS256"
    assert by_kty["OKP"]["kid"] == keys.ed25519_kid and by_kty["RSA"]["kid"] == keys.rsa_kid
    for key in jwks["keys"]:
        assert not {"d", "p", "q", "dp", "dq", "qi"} & set(key), "a private member was published"


def test_kids_are_rfc7638_thumbprints_as_an_independent_library_computes_them(tmp_path):
    generate_keys(tmp_path / "keys")
    for key in json.loads((tmp_path / "keys" / JWKS_FILE).read_text())["keys"]:
        independent = jw_jwk.JWK(**{k: v for k, v in key.items() if k not in ("alg", "use")})
        assert key["kid"] == independent.thumbprint()


def test_thumbprint_of_the_rfc7638_example_key():
    # RFC 7638 section 3.1: the example RSA key and its thumbprint.
    n = (
        # pragma: allowlist nextline secret
        "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_"
        # pragma: allowlist nextline secret
        "BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0"
        # pragma: allowlist nextline secret
        "_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWh"
        # pragma: allowlist nextline secret
        "AI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"
    )
    key = {"kty": "RSA", "n": n, "e": "AQAB", "alg": "RS256", "kid": "2011-04-29"}
    # pragma: allowlist nextline secret
    assert thumbprint(key) == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"


def test_existing_keys_are_not_replaced_without_force(tmp_path):
    keydir = tmp_path / "keys"
    generate_keys(keydir)
    before = (keydir / ED25519_FILE).read_bytes()
    with pytest.raises(BadgeKeyError, match=r"already holds issuer keys.*--force"):
        generate_keys(keydir)
    assert (keydir / ED25519_FILE).read_bytes() == before
    generate_keys(keydir, force=True)
    assert (keydir / ED25519_FILE).read_bytes() != before
    assert _mode(keydir / ED25519_FILE) == 0o600


def test_a_private_key_readable_by_others_is_refused(tmp_path):
    keydir = tmp_path / "keys"
    generate_keys(keydir)
    (keydir / RSA_FILE).chmod(0o644)
    with pytest.raises(BadgeKeyError, match=r"readable by other users.*chmod 600"):
        load_signing_keys(keydir)


def test_a_garbled_private_key_is_named_without_quoting_it(tmp_path):
    keydir = tmp_path / "keys"
    generate_keys(keydir)
    garbled = (keydir / ED25519_FILE).read_text().replace("A", "*", 3)
    (keydir / ED25519_FILE).write_text(garbled)
    with pytest.raises(BadgeKeyError) as caught:
        load_signing_keys(keydir)
    assert str(caught.value) == f"{keydir / ED25519_FILE} is not an unencrypted PEM private key"


def test_swapped_key_files_are_refused(tmp_path):
    keydir = tmp_path / "keys"
    generate_keys(keydir)
    (keydir / "x").write_bytes((keydir / RSA_FILE).read_bytes())
    (keydir / RSA_FILE).write_bytes((keydir / ED25519_FILE).read_bytes())
    (keydir / ED25519_FILE).write_bytes((keydir / "x").read_bytes())
    with pytest.raises(BadgeKeyError, match="does not hold an Ed25519 key"):
        load_signing_keys(keydir)


def test_missing_keys_say_how_to_make_them(tmp_path):
    with pytest.raises(BadgeKeyError, match="sqaaas keys generate"):
        load_signing_keys(tmp_path)


def _jwks_file(tmp_path: Path, *keys: dict) -> Path:
    path = tmp_path / "trust.json"
    path.write_text(json.dumps({"keys": list(keys)}))
    return path


def _ed_jwk() -> dict:
    return public_jwk(ed25519.Ed25519PrivateKey.generate().public_key())


def test_trusted_keys_are_pinned_to_one_algorithm_each(tmp_path):
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    rsa_key = public_jwk(private.public_key())
    ed_key = _ed_jwk()
    trusted = load_trusted_keys(_jwks_file(tmp_path, ed_key, rsa_key))
    assert trusted[ed_key["kid"]].alg == "EdDSA"
    assert trusted[rsa_key["kid"]].alg == "RS256"


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda k: {"kty": "oct", "k": "c2VjcmV0", "kid": "hmac"}, "symmetric 'oct' keys"),
        (lambda k: {**k, "alg": "HS256"}, "used with EdDSA only"),
        (lambda k: {key: v for key, v in k.items() if key != "kid"}, "needs a 'kid'"),
        (lambda k: {**k, "crv": "X25519"}, "not an Ed25519 key"),
        (lambda k: {**k, "x": "not-a-key"}, "not a valid OKP public JWK"),
        (lambda k: {**k, "d": "c2VjcmV0"}, "holds a private key"),
    ],
)
def test_unusable_trusted_keys_are_refused(tmp_path, edit, message):
    with pytest.raises(BadgeKeyError, match=message):
        load_trusted_keys(_jwks_file(tmp_path, edit(_ed_jwk())))


def test_short_rsa_keys_and_duplicate_kids_are_refused(tmp_path):
    short = rsa.generate_private_key(public_exponent=65537, key_size=1024).public_key()
    with pytest.raises(BadgeKeyError, match="shorter than 2048 bits"):
        load_trusted_keys(_jwks_file(tmp_path, RSAAlgorithm.to_jwk(short, as_dict=True) | {
            "kid": "short"
        }))
    key = _ed_jwk()
    with pytest.raises(BadgeKeyError, match="appears twice"):
        load_trusted_keys(_jwks_file(tmp_path, key, key))


@pytest.mark.parametrize("text", ["", "[]", '{"keys": []}', '{"keys": "x"}', "not json"])
def test_a_file_that_is_not_a_jwk_set_is_refused(tmp_path, text):
    path = tmp_path / "trust.json"
    path.write_text(text)
    with pytest.raises(BadgeKeyError):
        load_trusted_keys(path)


def test_public_jwk_round_trips_through_the_jose_library():
    key = ed25519.Ed25519PrivateKey.generate().public_key()
    back = OKPAlgorithm.from_jwk(public_jwk(key))
    raw = serialization.Encoding.Raw, serialization.PublicFormat.Raw
    assert back.public_bytes(*raw) == key.public_bytes(*raw)


def test_write_atomic_without_replace_keeps_the_existing_file(tmp_path):
    path = tmp_path / "f"
    write_atomic(path, b"first", replace=False)
    with pytest.raises(SqaaasError, match="already exists"):
        write_atomic(path, b"second", replace=False)
    assert path.read_bytes() == b"first"
    assert [p.name for p in tmp_path.iterdir()] == ["f"]


def test_cli_keys_generate_prints_no_private_material(run_cli, tmp_path):
    keydir = tmp_path / "k"
    done = run_cli("keys", "generate", "--dir", str(keydir))
    assert done.returncode == 0, done.stderr
    output = done.stdout + done.stderr
    assert "PRIVATE" not in output
    for name in (ED25519_FILE, RSA_FILE):
        body = "".join((keydir / name).read_text().splitlines()[1:-1])
        assert body[:40] not in output.replace("\n", "")
    again = run_cli("keys", "generate", "--dir", str(keydir))
    assert again.returncode == 2
    assert again.stderr.count("\n") == 1 and "--force" in again.stderr
