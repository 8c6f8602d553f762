"""Issue -> verify round trips, what the credentials state, the issuer files, revocation."""

from __future__ import annotations

import copy
import functools
import hashlib
import http.server
import json
import threading
from datetime import timedelta

import pytest

from sqaaas.badges import artwork as images
from sqaaas.badges.credential import (
    assess_report,
    canonical_report_bytes,
    evidence_digest,
    report_digest,
)
from sqaaas.badges.errors import BadgeIssueError, BadgeReportError, RevocationListError
from sqaaas.badges.issue import badge_bytes, output_format
from sqaaas.badges.issuer import Issuer, check_publish_dir
from sqaaas.badges.revocation import load_list, normalise_id, revoke
from sqaaas.badges.verify import verify_token
from tests.badge_support import (
    LEVELS,
    NOW,
    REQUIRED,
    fail_criterion,
    failed_steps,
    issuer,  # noqa: F401  (module fixture)
    make_issuer,
    report_for,
)
from tests.report_samples import COMMIT


@pytest.mark.parametrize("fmt", ["svg", "png", "jwt"])
@pytest.mark.parametrize("level", LEVELS)
def test_round_trip_for_each_level_and_format(issuer, level, fmt):  # noqa: F811
    report = report_for(level)
    issued = issuer.issue(report)
    assert issued.level == level
    result = issuer.verify(badge_bytes(issued, fmt), report=report)
    assert result.valid, failed_steps(result)
    assert result.level == level and result.scheme == "software"
    assert result.claims.commit == COMMIT
    assert result.claims.subject == "https://github.com/example-org/example"
    statuses = {s.name: s.status for s in result.steps}
    for step in ("decode", "header", "key", "signature", "claims", "issuer", "validity",
                 "report digest", "report level", "report repository"):
        assert statuses[step] == "pass", step
    assert statuses["revocation"] == "skip"
    if fmt == "jwt":
        assert statuses["ob2"] == "skip"
    else:
        assert statuses["ob2 signature"] == "pass" and statuses["ob2 consistency"] == "pass"


def test_baked_images_are_the_level_templates_with_the_credentials(issuer):  # noqa: F811
    issued = issuer.issue(report_for("silver"))
    svg = badge_bytes(issued, "svg")
    baked = images.extract_from_svg(svg)
    assert (baked.ob3_jwt, baked.ob2_jws) == (issued.token, issued.ob2_jws)
    assert b"silver" in svg and b"<title" in svg
    png = images.extract_from_png(badge_bytes(issued, "png"))
    assert (png.ob3_jwt, png.ob2_jws) == (issued.token, issued.ob2_jws)
    assert badge_bytes(issued, "jwt") == (issued.token + "\n").encode()


def test_the_credential_states_repository_commit_level_standard_dates_and_digest(
    issuer,  # noqa: F811
):
    report = report_for("gold")
    issued = issuer.issue(report, valid_days=30)
    vc = issued.credential
    assert vc["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert vc["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert vc["id"] == issued.id and vc["id"].startswith("urn:uuid:")
    assert vc["issuer"]["id"] == "https://issuer.example/issuer.json"
    assert vc["validFrom"] == "2025-03-01T12:00:00Z"
    assert vc["validUntil"] == "2025-03-31T12:00:00Z"
    subject = vc["credentialSubject"]
    assert subject["id"] == "https://github.com/example-org/example"
    assert {"type": "IdentityObject", "identityType": "ext:gitCommit", "hashed": False,
            "identityHash": COMMIT} in subject["identifier"]
    achievement = subject["achievement"]
    assert achievement["id"] == "https://issuer.example/achievements/software/gold.json"
    assert achievement["name"] == "Software quality: gold"
    assert "Software baseline v4.1" in achievement["criteria"]["narrative"]
    codes = [a["targetCode"] for a in achievement["alignment"]]
    assert codes == ["software", *REQUIRED["gold"]]
    assert achievement["alignment"][0]["targetFramework"] == "Software baseline v4.1"
    (evidence,) = vc["evidence"]
    assert evidence["id"] == f"https://issuer.example/reports/{report_digest(report)}.json"
    assert evidence_digest(evidence["id"]) == report_digest(report)
    published = issuer.public / "reports" / f"{report_digest(report)}.json"
    assert hashlib.sha256(published.read_bytes()).hexdigest() == report_digest(report)
    assert report_digest(report) in evidence["narrative"]
    assert vc["credentialStatus"] == {
        "id": "https://issuer.example/revocations.json", "type": "1EdTechRevocationList"
    }


def test_the_ob2_assertion_says_the_same_as_the_credential(issuer):  # noqa: F811
    from jwt.utils import base64url_decode

    issued = issuer.issue(report_for("bronze"))
    assertion = json.loads(base64url_decode(issued.ob2_jws.split(".")[1]))
    assert assertion["@context"] == "https://w3id.org/openbadges/v2"
    assert assertion["type"] == "Assertion" and assertion["id"] == issued.id
    assert assertion["recipient"] == {
        "type": "url", "hashed": False, "identity": "https://github.com/example-org/example"
    }
    assert assertion["badge"] == "https://issuer.example/achievements/software/bronze.json"
    badge_class = json.loads(
        (issuer.public / "achievements" / "software" / "bronze.json").read_text()
    )
    assert badge_class["type"] == "BadgeClass" and badge_class["id"] == assertion["badge"]
    assert badge_class["image"] == "https://issuer.example/achievements/software-bronze.svg"
    assert badge_class["issuer"] == "https://issuer.example/issuer.json"
    assert assertion["verification"] == {
        "type": "SignedBadge",
        "creator": f"https://issuer.example/keys/{issuer.keys.rsa_kid}.json",
    }
    assert assertion["issuedOn"] == "2025-03-01T12:00:00Z"
    assert COMMIT in assertion["narrative"]


def test_canonical_digest_ignores_layout_but_not_content():
    report = report_for("gold")
    reindented = json.loads(json.dumps(report, indent=7))
    reordered = dict(reversed(list(report.items())))
    assert report_digest(report) == report_digest(reindented) == report_digest(reordered)
    assert canonical_report_bytes({"b": "é", "a": [1, 2]}) == '{"a":[1,2],"b":"é"}'.encode()
    edited = copy.deepcopy(report)
    edited["duration_s"] += 1
    assert report_digest(edited) != report_digest(report)


def test_no_badge_for_level_none(issuer):  # noqa: F811
    with pytest.raises(BadgeIssueError, match="no badge for level none"):
        issuer.issue(report_for("none"))


def test_a_report_whose_verdicts_were_edited_is_refused(issuer):  # noqa: F811
    report = fail_criterion(report_for("gold"), "QC.Sty")  # outcomes give silver, says gold
    with pytest.raises(BadgeReportError, match="claims level gold but its outcomes give silver"):
        issuer.issue(report)


def test_level_is_recomputed_from_outcomes_not_from_valid_flags():
    report = fail_criterion(report_for("gold"), "QC.Lic")
    assert report["criteria"]["QC.Lic"]["valid"] is True  # left claiming valid
    assert assess_report(report, "r").level == "none"


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda r: r.pop("badge"), "not a valid sqaaas JSON report"),
        (lambda r: r["repository"].update(url=None), "names no repository URL"),
        (lambda r: r["repository"].update(url="/srv/git/example"), "names no repository URL"),
        (lambda r: r["repository"].update(commit=None), "names no commit"),
    ],
)
def test_reports_a_badge_cannot_be_issued_for(issuer, edit, message):  # noqa: F811
    report = report_for("bronze")
    edit(report)
    with pytest.raises((BadgeReportError, BadgeIssueError), match=message):
        issuer.issue(report)


@pytest.mark.parametrize(
    "url",
    ["http://issuer.example", "ftp://issuer.example", "https://issuer.example/?a=1",
     "https://user@issuer.example", "https://issuer.example/#x", "issuer.example"],
)
def test_issuer_urls_must_be_plain_https(url):
    with pytest.raises(BadgeIssueError):
        Issuer.from_url(url)


def test_issuer_ids_derive_from_the_base_url():
    issuer_ = Issuer.from_url("https://example.org/sqaaas/", "Example QA")
    assert issuer_.profile_id == "https://example.org/sqaaas/issuer.json"
    assert issuer_.achievement_id("software", "gold") == (
        "https://example.org/sqaaas/achievements/software/gold.json"
    )
    assert Issuer.from_profile_id(issuer_.profile_id) == Issuer(
        "https://example.org/sqaaas", "example.org"
    )
    assert Issuer.from_profile_id("https://example.org/profile") is None
    assert Issuer.from_url("http://localhost:8000").base == "http://localhost:8000"


def test_published_issuer_files(issuer):  # noqa: F811
    issuer.issue(report_for("bronze"))
    public = issuer.public
    assert public.parent == issuer.keydir.parent and public != issuer.keydir
    profile = json.loads((public / "issuer.json").read_text())
    assert profile["id"] == "https://issuer.example/issuer.json"
    assert profile["revocationList"] == "https://issuer.example/revocations.json"
    key_url = f"https://issuer.example/keys/{issuer.keys.rsa_kid}.json"
    assert profile["publicKey"] == key_url  # an IRI, dereferenced by 2.0 verifiers
    key_doc = json.loads((public / "keys" / f"{issuer.keys.rsa_kid}.json").read_text())
    assert key_doc["type"] == "CryptographicKey" and key_doc["owner"] == profile["id"]
    assert key_doc["id"] == key_url and key_doc["publicKeyPem"] == issuer.keys.rsa_public_pem()
    jwks = json.loads((public / "issuer.jwks.json").read_text())
    for jwk in jwks["keys"]:  # each kid is the URL of that key's own JWK document
        relative = jwk["kid"].removeprefix("https://issuer.example/")
        assert json.loads((public / relative).read_text()) == jwk
    revocations = json.loads((public / "revocations.json").read_text())
    assert revocations["type"] == "RevocationList" and "revokedAssertions" in revocations
    for level in LEVELS:
        svg = (public / "achievements" / f"software-{level}.svg").read_bytes()
        assert images.extract_from_svg(svg).ob3_jwt is None  # published un-baked
    assert not list(public.rglob("*.pem"))
    assert "PRIVATE" not in "".join(p.read_text() for p in public.rglob("*.json"))


def test_one_publish_folder_serves_one_issuer(tmp_path):
    setup = make_issuer(tmp_path / "keys")
    setup.issue(report_for("bronze"))
    other = type(setup)(setup.keydir, setup.keys, Issuer.from_url("https://other.example"))
    with pytest.raises(BadgeIssueError, match=r"publishes issuer https://issuer\.example/issuer"):
        other.issue(report_for("bronze"))


@pytest.mark.parametrize("where", ["same", "inside", "around"])
def test_the_publish_folder_is_never_the_key_folder(tmp_path, where):
    keydir = tmp_path / "keys"
    public = {"same": keydir, "inside": keydir / "public", "around": tmp_path}[where]
    with pytest.raises(BadgeIssueError, match="must be apart from the key folder"):
        check_publish_dir(public, keydir)
    check_publish_dir(tmp_path / "public", keydir)  # beside it: fine


def test_validity_window_with_clock_skew(issuer):  # noqa: F811
    data = badge_bytes(issuer.issue(report_for("bronze"), valid_days=10), "jwt")
    assert issuer.verify(data, now=NOW - timedelta(seconds=30)).valid  # within the skew
    early = issuer.verify(data, now=NOW - timedelta(minutes=5))
    assert "not valid before 2025-03-01T12:00:00+00:00" in failed_steps(early)["validity"]
    assert issuer.verify(data, now=NOW + timedelta(days=10)).valid
    late = issuer.verify(data, now=NOW + timedelta(days=10, minutes=5))
    assert "expired on 2025-03-11T12:00:00+00:00" in failed_steps(late)["validity"]


@pytest.mark.parametrize("days", [0, -1, 3651])
def test_valid_days_is_bounded(issuer, days):  # noqa: F811
    with pytest.raises(BadgeIssueError, match="--valid-days"):
        issuer.issue(report_for("bronze"), valid_days=days)


def test_revoked_badges_fail_and_others_pass(tmp_path):
    setup = make_issuer(tmp_path / "keys")
    first, second = setup.issue(report_for("gold")), setup.issue(report_for("gold"))
    path, added = revoke(setup.public, first.id, "report was for a fork")
    assert added and path == setup.public / "revocations.json"
    assert revoke(setup.public, first.id.upper().replace("URN:UUID:", ""), None) == (path, False)
    revoked = load_list(str(path))
    result = setup.verify(badge_bytes(first, "svg"), revocations=revoked)
    assert failed_steps(result) == {"revocation": "revoked: report was for a fork"}
    assert setup.verify(badge_bytes(second, "svg"), revocations=revoked).valid
    entries = json.loads(path.read_text())["revokedAssertions"]
    assert entries == [{"id": first.id, "revocationReason": "report was for a fork"}]


def test_a_revocation_list_of_another_issuer_is_not_accepted(tmp_path):
    setup = make_issuer(tmp_path / "a" / "keys")
    issued = setup.issue(report_for("bronze"))
    other = make_issuer(tmp_path / "b" / "keys", "https://other.example")
    other.issue(report_for("bronze"))
    result = setup.verify(
        badge_bytes(issued, "jwt"), revocations=load_list(str(other.public / "revocations.json"))
    )
    assert "is the list of https://other.example/issuer.json" in failed_steps(result)["revocation"]


def test_revoke_refuses_bad_ids_and_folders_without_a_list(tmp_path):
    with pytest.raises(RevocationListError, match="not a badge id"):
        normalise_id("badge-42")
    with pytest.raises(RevocationListError, match="no badge was published in this folder"):
        revoke(tmp_path, "urn:uuid:12345678-1234-5678-1234-567812345678")


@pytest.fixture
def served(tmp_path):
    """A real HTTP server on localhost serving tmp_path/www."""
    root = tmp_path / "www"
    root.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *a: None  # type: ignore[attr-defined]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_revocation_list_fetched_from_a_url(tmp_path, served):
    root, base = served
    setup = make_issuer(tmp_path / "keys")
    issued = setup.issue(report_for("silver"))
    revoke(setup.public, issued.id, "withdrawn")
    (root / "revocations.json").write_bytes((setup.public / "revocations.json").read_bytes())
    revoked = load_list(f"{base}/revocations.json", timeout=5)
    assert issued.id in revoked
    assert not setup.verify(badge_bytes(issued, "png"), revocations=revoked).valid
    with pytest.raises(RevocationListError, match="HTTP 404"):
        load_list(f"{base}/missing.json", timeout=5)
    with pytest.raises(RevocationListError, match="over https"):
        load_list("http://revocations.example/list.json")


def test_unknown_output_suffix_is_refused(tmp_path):
    with pytest.raises(BadgeIssueError, match=r"must end in \.svg, \.png, \.jwt"):
        output_format(tmp_path / "badge.gif")


def test_verify_token_directly_reports_the_claims(issuer):  # noqa: F811
    issued = issuer.issue(report_for("silver"))
    from sqaaas.badges.verify import VerifyOptions

    result = verify_token(issued.token, None, VerifyOptions(trusted=issuer.trusted(), now=NOW))
    assert result.valid
    summary = result.to_dict()
    assert summary["badge"]["level"] == "silver" and summary["badge"]["id"] == issued.id
    assert summary["badge"]["report_sha256"] == report_digest(report_for("silver"))
