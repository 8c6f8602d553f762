"""The tampering matrix through the installed CLI: every forged or stale badge is INVALID,
exit 1, with its reason, and the untouched badge beside them VALID, exit 0.

The badges are made as an issuer makes them (`keys generate`, `badge issue`); the forgeries
as an attacker could: edits of the file, tokens signed with other keys or none, headers
that point at keys elsewhere, a picture that says gold around a bronze credential.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from sqaaas.badges import artwork
from sqaaas.badges.issue import badge_bytes, issue_badge
from sqaaas.badges.issuer import Issuer
from sqaaas.badges.keys import generate_keys, load_signing_keys
from tests.badge_support import report_for

ISSUER = "https://issuer.example"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _segment(obj: object) -> str:
    return _b64(json.dumps(obj, separators=(",", ":")).encode())


@dataclass(frozen=True)
class Issued:
    tmp: Path
    keydir: Path
    public: Path
    svg: Path
    badge_id: str

    @property
    def trust(self) -> str:
        return str(self.public / "issuer.jwks.json")

    def token(self) -> str:
        baked = artwork.extract_from_svg(self.svg.read_bytes())
        assert baked.ob3_jwt is not None
        return baked.ob3_jwt

    def payload(self) -> dict:
        return json.loads(base64.urlsafe_b64decode(self.token().split(".")[1] + "=="))


@pytest.fixture
def issued(run_cli, tmp_path) -> Issued:
    report = tmp_path / "report.json"
    report.write_text(json.dumps(report_for("bronze")))
    keydir = tmp_path / "keys"
    assert run_cli("keys", "generate", "--dir", str(keydir)).returncode == 0
    svg = tmp_path / "badge.svg"
    done = run_cli("badge", "issue", str(report), "--key", str(keydir), "--issuer", ISSUER,
                   "--out", str(svg), "--format", "json")
    assert done.returncode == 0, done.stderr
    return Issued(tmp_path, keydir, tmp_path / "public", svg, json.loads(done.stdout)["id"])


def _file(issued: Issued, name: str, data: bytes | str) -> Path:
    path = issued.tmp / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def _verify(run_cli, issued: Issued, path: Path) -> tuple[int, str]:
    done = run_cli("badge", "verify", str(path), "--trust", issued.trust)
    assert "Traceback" not in done.stderr
    return done.returncode, done.stdout


def _flip(text: str, index: int) -> str:
    return text[:index] + ("A" if text[index] != "A" else "B") + text[index + 1:]


def test_the_untouched_badge_is_valid(run_cli, issued):
    code, out = _verify(run_cli, issued, issued.svg)
    assert code == 0, out
    assert "VALID: bronze badge" in out and "ok   image: the SVG shows" in out


def _forgeries(issued: Issued) -> dict[str, tuple[Path, str]]:
    """case -> (forged file, the reason `badge verify` must give)."""
    token = issued.token()
    header, body, signature = token.split(".")
    svg = issued.svg.read_text()
    claims = issued.payload()
    keys = load_signing_keys(issued.keydir)
    kid = f"{ISSUER}/keys/{keys.rsa_kid}.jwk.json"
    attacker = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    gold = {**claims, "credentialSubject": {
        **claims["credentialSubject"],
        "achievement": {**claims["credentialSubject"]["achievement"],
                        "id": f"{ISSUER}/achievements/software/gold.json"},
    }}
    hs_input = f"{_segment({'alg': 'HS256', 'kid': kid, 'typ': 'JWT'})}.{_segment(gold)}"
    hs_mac = hmac.new(keys.rsa_public_pem().encode(), hs_input.encode(), hashlib.sha256).digest()
    past = issue_badge(report_for("bronze"), "r", keys, Issuer.from_url(ISSUER),
                       now=datetime.now(UTC) - timedelta(days=400), valid_days=30)
    other_dir = issued.tmp / "other"
    generate_keys(other_dir)
    foreign = issue_badge(report_for("bronze"), "r", load_signing_keys(other_dir),
                          Issuer.from_url("https://other.example"))

    def jwt_file(name: str, text: str) -> Path:
        return _file(issued, name, text + "\n")

    def signed_elsewhere(**header_extra: str) -> str:
        return jwt.encode(gold, attacker, algorithm="RS256",
                          headers={"typ": "JWT", **header_extra})

    spot = svg.index(body) + len(body) // 2
    return {
        "payload": (_file(issued, "payload.svg", _flip(svg, spot)),
                    "the signature does not verify"),
        "signature": (jwt_file("signature.jwt", f"{header}.{body}.{_flip(signature, 20)}"),
                      "the signature does not verify"),
        "alg none": (jwt_file("none.jwt", f"{_segment({'alg': 'none', 'kid': kid})}."
                              f"{_segment(gold)}."),
                     "alg 'none' (an unsigned token) is never accepted"),
        "HS256 keyed with the public key": (jwt_file("hs256.jwt", f"{hs_input}.{_b64(hs_mac)}"),
                                            "HMAC with a shared secret"),
        "kid pointing elsewhere": (
            jwt_file("kid.jwt", signed_elsewhere(kid="https://evil.example/keys/k.jwk.json")),
            "is not in the trusted key set"),
        "jku pointing elsewhere": (
            jwt_file("jku.jwt", signed_elsewhere(kid=kid, jku="https://evil.example/jwks")),
            "the signature does not verify"),
        "x5u pointing elsewhere": (
            jwt_file("x5u.jwt", signed_elsewhere(kid=kid, x5u="https://evil.example/c.pem")),
            "the signature does not verify"),
        "visible text": (_file(issued, "gold.svg", svg.replace(">bronze<", ">gold<")),
                         "the image does not show what the signed credential states "
                         "('sqaaas | bronze'): it reads 'sqaaas | gold'"),
        "visible colour": (_file(issued, "colour.svg", svg.replace("#cd7f32", "#ffd700")),
                           "the image does not show what the signed credential states"),
        "visible pixels": (_file(issued, "gold.png", artwork.bake_png(
            artwork.render_png("gold"), token, ob2_jws=artwork.extract_from_svg(svg).ob2_jws)),
            "the image does not show what the signed credential states"),
        "a badge of another issuer": (_file(issued, "foreign.svg", badge_bytes(foreign, "svg")),
                                      "is not in the trusted key set"),
        "expired": (_file(issued, "expired.svg", badge_bytes(past, "svg")), "expired on"),
    }


CASES = [
    "payload", "signature", "alg none", "HS256 keyed with the public key",
    "kid pointing elsewhere", "jku pointing elsewhere", "x5u pointing elsewhere",
    "visible text", "visible colour", "visible pixels", "a badge of another issuer", "expired",
]


def test_every_forgery_is_invalid_with_its_reason(run_cli, issued):
    forgeries = _forgeries(issued)
    assert sorted(forgeries) == sorted(CASES)
    for case, (path, reason) in forgeries.items():
        code, out = _verify(run_cli, issued, path)
        assert code == 1, (case, out)
        verdict = out.strip().splitlines()[-1]
        assert verdict.startswith("INVALID: "), (case, out)
        assert reason in out, (case, out)


def test_a_revoked_badge_is_invalid(run_cli, issued):
    done = run_cli("badge", "revoke", issued.badge_id, "--key", str(issued.keydir),
                   "--reason", "report was for a fork")
    assert done.returncode == 0, done.stderr
    code, out = _verify(run_cli, issued, issued.svg)
    assert code == 1
    assert out.strip().splitlines()[-1] == "INVALID: revoked: report was for a fork"
