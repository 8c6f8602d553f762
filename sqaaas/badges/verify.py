"""Verify a badge offline, step by step, against keys the verifier chose to trust.

Order (each step reported with pass/fail/skip and a reason): extract the credentials from
the file -> decode -> header (algorithm allowed) -> key (kid names a trusted key, algorithm
pinned to its type) -> signature -> claims (iss/jti/sub/nbf/exp agree with the credential)
-> issuer (the key, the achievement and the evidence are the signing issuer's) -> image (what
an SVG or PNG shows is what the credential states, sqaaas/badges/picture.py) -> validity
window -> revocation -> with a report: digest, recomputed level, repository -> the Open
Badges 2.0 assertion, when one is baked in, must verify too and say the same.

A failure of decoding, header, key or signature ends the verification: nothing a forged or
garbled token claims is looked at.

Revocation is checked against the list given (``revocations``), else against the list the
credential names, found by ``status_lookup`` (only once the signature is known good: no
forged token makes the verifier fetch anything). When neither can be had, revocation is
"not checked": a failed step when ``require_status`` is set (``badge verify`` sets it unless
told ``--allow-unchecked-status``), a skipped one otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from sqaaas.badges import artwork, picture
from sqaaas.badges.credential import (
    ClaimedBadge,
    ClaimError,
    assess_report,
    credential_of,
    evidence_digest,
    level_of,
    load_report_file,
    read_claims,
    report_digest,
)
from sqaaas.badges.errors import BadgeFormatError, BadgeReportError, RevocationListError
from sqaaas.badges.issuer import Issuer
from sqaaas.badges.jws import (
    JwsCheckError,
    check_header,
    check_signature,
    parse_compact,
    payload_object,
    select_key,
)
from sqaaas.badges.keys import TrustedKey, load_trusted_keys
from sqaaas.badges.revocation import RevocationList, load_list
from sqaaas.badges.status import StatusLookup
from sqaaas.errors import SqaaasError
from sqaaas.fileio import read_bounded

CLOCK_SKEW = timedelta(seconds=60)
MAX_BADGE_BYTES = 10_000_000
Status = Literal["pass", "fail", "skip"]
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True)
class Step:
    name: str
    status: Status
    detail: str


@dataclass(frozen=True)
class VerifyOptions:
    """What the verifier trusts and compares with; ``now`` is injectable for tests."""

    trusted: dict[str, TrustedKey]
    report: dict[str, Any] | None = None
    report_source: str = "report"
    revocations: RevocationList | None = None
    issuer: str | None = None
    now: datetime | None = None
    skew: timedelta = CLOCK_SKEW
    #: finds the list a credential names (its URL given) when ``revocations`` is None
    status_lookup: Callable[[str], RevocationList] | None = None
    #: revocation that cannot be checked fails the verification (else it is skipped)
    require_status: bool = False


@dataclass
class Verification:
    steps: list[Step] = field(default_factory=list)
    claims: ClaimedBadge | None = None
    scheme: str | None = None
    level: str | None = None
    unchecked: str | None = None  # why revocation could not be checked, if it could not
    #: the trusted key each verified token named by its kid: {step prefix: (kid, key)}
    keys: dict[str, tuple[str, TrustedKey]] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return self.claims is not None and all(s.status != "fail" for s in self.steps)

    def verdict(self) -> str:
        """The answer in one line: VALID (with a note when revocation was not checked),
        NOT VERIFIED when only the revocation check could not be made, else INVALID."""
        claims = self.claims
        if self.valid and claims is not None:
            note = f" (revocation not checked: {self.unchecked})" if self.unchecked else ""
            profile = f", profile {claims.profile}" if claims.profile else ""
            return (
                f"VALID: {self.level} badge for {claims.subject} at {claims.commit[:12]}, "
                f"issued by {claims.issuer} (scheme {self.scheme}{profile}){note}"
            )
        failed = [s for s in self.steps if s.status == "fail"]
        if self.unchecked and [s.name for s in failed] == ["revocation"]:
            return (
                f"NOT VERIFIED: {failed[0].detail}; give --status-list FILE_OR_URL, or "
                "--allow-unchecked-status to accept the badge without that check"
            )
        return f"INVALID: {failed[0].detail if failed else 'no credential'}"

    def add(self, name: str, status: Status, detail: str) -> bool:
        self.steps.append(Step(name, status, detail))
        return status != "fail"

    def check(self, name: str, ok: bool, passed: str, failed: str) -> bool:
        return self.add(name, "pass" if ok else "fail", passed if ok else failed)

    def to_dict(self) -> dict[str, Any]:
        claims = self.claims
        return {
            "valid": self.valid,
            "badge": None if claims is None else {
                "id": claims.id,
                "issuer": claims.issuer,
                "repository": claims.subject,
                "commit": claims.commit,
                "subfolder": claims.subfolder,
                "scheme": self.scheme,
                "profile": claims.profile,
                "level": self.level,
                "valid_from": claims.valid_from.isoformat(),
                "valid_until": claims.valid_until.isoformat(),
                "report_sha256": claims.digest,
                "status_list": claims.status_list,
            },
            "revocation_checked": self.claims is not None and self.unchecked is None,
            "steps": [{"name": s.name, "status": s.status, "detail": s.detail} for s in self.steps],
        }


def extract(data: bytes) -> tuple[str | None, str | None, str]:
    """(OB 3.0 JWT, OB 2.0 JWS, kind) from a PNG, an SVG or a bare JWT file."""
    if data.startswith(_PNG_SIGNATURE):
        baked = artwork.extract_from_png(data)
        return baked.ob3_jwt, baked.ob2_jws, "PNG"
    if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        baked = artwork.extract_from_svg(data)
        return baked.ob3_jwt, baked.ob2_jws, "SVG"
    try:
        return data.decode("ascii").strip(), None, "JWT"
    except UnicodeDecodeError:
        raise BadgeFormatError("not a PNG, an SVG or a JWT") from None


def verify_bytes(data: bytes, options: VerifyOptions) -> Verification:
    """Verify the badge file ``data``: see the module docstring for the steps."""
    result = Verification()
    try:
        token, ob2, kind = extract(data)
    except BadgeFormatError as exc:
        result.add("extract", "fail", str(exc))
        return result
    if not token:
        result.add("extract", "fail", f"the {kind} carries no Open Badges 3.0 credential")
        return result
    extra = " and an Open Badges 2.0 assertion" if ob2 else ""
    result.add("extract", "pass", f"{kind} with an Open Badges 3.0 credential{extra}")
    verify_token(token, ob2, options, result, image=(kind, data))
    return result


def _verified_payload(
    token: str, options: VerifyOptions, result: Verification, prefix: str, typ: str | None
) -> dict[str, Any] | None:
    """Run decode/header/key/signature; the payload object when all pass, else None."""
    try:
        parsed = parse_compact(token)
        result.add(prefix + "decode", "pass", "three canonical base64url parts, JSON header")
        notes = check_header(parsed.header, typ)
        result.add(prefix + "header", "pass", "; ".join([f"alg {parsed.header['alg']}", *notes]))
        key = select_key(parsed.header, options.trusted)
        result.add(prefix + "key", "pass", f"trusted key {key.kid} ({key.alg})")
        check_signature(parsed, key)
        result.add(prefix + "signature", "pass", f"valid {key.alg} signature")
        result.keys[prefix] = (str(parsed.header["kid"]), key)
        return payload_object(parsed)
    except JwsCheckError as exc:
        result.add(prefix + exc.step, "fail", exc.reason)
        return None


def verify_token(
    token: str,
    ob2: str | None,
    options: VerifyOptions,
    result: Verification | None = None,
    image: tuple[str, bytes] | None = None,
) -> Verification:
    """Verify an OB 3.0 VC-JWT (and the OB 2.0 JWS baked beside it, when given); ``image``
    is the (kind, bytes) of the picture they were baked in, which must show the same."""
    result = result if result is not None else Verification()
    payload = _verified_payload(token, options, result, "", "JWT")
    if payload is None:
        return result
    claims = _check_claims(payload, result)
    if claims is None:
        return result
    if not _check_issuer(claims, options, result):
        return result
    result.claims = claims
    _check_picture(image, result)
    _check_window(claims, options, result)
    _check_revocation(claims, options, result)
    if options.report is not None:
        _check_report(claims, result.level, options, result)
    else:
        result.add("report", "skip", "no report given (--report checks digest, level, commit)")
    if ob2 is None:
        result.add("ob2", "skip", "no Open Badges 2.0 assertion in this file")
    else:
        _check_ob2(ob2, claims, options, result)
    return result


def _check_claims(payload: dict[str, Any], result: Verification) -> ClaimedBadge | None:
    try:
        claims = read_claims(credential_of(payload))
    except ClaimError as exc:
        result.add("claims", "fail", str(exc))
        return None
    registered = {
        "iss": claims.issuer,
        "jti": claims.id,
        "sub": claims.subject,
        "nbf": int(claims.valid_from.timestamp()),
        "exp": int(claims.valid_until.timestamp()),
    }
    wrong = [name for name, value in registered.items() if payload.get(name) != value]
    if wrong:
        result.add("claims", "fail", f"JWT claims {', '.join(wrong)} disagree with the credential")
        return None
    result.add("claims", "pass", "iss, jti, sub, nbf and exp match the credential")
    return claims


def _check_issuer(claims: ClaimedBadge, options: VerifyOptions, result: Verification) -> bool:
    issuer = Issuer.from_profile_id(claims.issuer)
    if issuer is None:
        return result.add("issuer", "fail", f"issuer id {claims.issuer} is not <base>/issuer.json")
    if options.issuer is not None and Issuer.from_url(options.issuer).profile_id != claims.issuer:
        return result.add(
            "issuer", "fail", f"issued by {claims.issuer}, not by the expected {options.issuer}"
        )
    kid, key = result.keys[""]
    if kid != issuer.jwk_url(key.thumbprint):
        return result.add(
            "issuer", "fail", f"the token's kid {kid} is not the issuer's key URL "
            f"{issuer.jwk_url(key.thumbprint)}"
        )
    found = level_of(claims.achievement, issuer)
    if found is None:
        return result.add(
            "issuer", "fail", f"achievement {claims.achievement} is not a level of {issuer.base}"
        )
    if issuer.digest_of_evidence(claims.evidence) != claims.digest:
        return result.add(
            "issuer", "fail", f"evidence {claims.evidence} is not a report {issuer.base} publishes"
        )
    result.scheme, result.level = found
    return result.add("issuer", "pass", f"{found[0]} {found[1]} achievement of {issuer.base}")


def _check_picture(image: tuple[str, bytes] | None, result: Verification) -> None:
    """What the image shows must be what was verified (scheme and level)."""
    if image is None or image[0] not in ("SVG", "PNG"):
        result.add("image", "skip", "no image: nothing shown to compare")
        return
    kind, data = image
    problem = picture.mismatch(data, kind, str(result.scheme), str(result.level))
    result.check(
        "image", problem is None,
        f"the {kind} shows the {result.scheme} {result.level} badge the credential states",
        str(problem),
    )


def _check_window(claims: ClaimedBadge, options: VerifyOptions, result: Verification) -> None:
    now = options.now or datetime.now(UTC)
    if now + options.skew < claims.valid_from:
        result.add("validity", "fail", f"not valid before {claims.valid_from.isoformat()}")
    elif now - options.skew > claims.valid_until:
        result.add("validity", "fail", f"expired on {claims.valid_until.isoformat()}")
    else:
        result.add(
            "validity", "pass",
            f"valid from {claims.valid_from.isoformat()} until {claims.valid_until.isoformat()}",
        )


def _status_list(
    claims: ClaimedBadge, options: VerifyOptions, result: Verification
) -> RevocationList | None:
    """The list to check: the one given, else the one the credential names (None when there
    is none to check, the step then added)."""
    if options.revocations is not None:
        return options.revocations
    if claims.status_list is None:
        result.add("revocation", "skip", "the credential names no status list")
        return None
    issuer = Issuer.from_profile_id(claims.issuer)
    if issuer is not None and claims.status_list != issuer.revocations_url:
        result.add(
            "revocation", "fail",
            f"the credential names status list {claims.status_list}, not its issuer's "
            f"{issuer.revocations_url}",
        )
        return None
    if options.status_lookup is None:
        _unchecked(result, options, f"no status list given ({claims.status_list})")
        return None
    try:
        return options.status_lookup(claims.status_list)
    except RevocationListError as exc:
        _unchecked(result, options, str(exc))
        return None


def _unchecked(result: Verification, options: VerifyOptions, reason: str) -> None:
    result.unchecked = reason
    status: Status = "fail" if options.require_status else "skip"
    result.add("revocation", status, f"revocation not checked: {reason}")


def _check_revocation(claims: ClaimedBadge, options: VerifyOptions, result: Verification) -> None:
    revocations = _status_list(claims, options, result)
    if revocations is None:
        return
    if revocations.issuer not in (None, claims.issuer):
        result.add(
            "revocation", "fail", f"{revocations.source} is the list of {revocations.issuer}"
        )
    elif claims.id in revocations:
        reason = revocations.revoked[claims.id]
        result.add("revocation", "fail", f"revoked{f': {reason}' if reason else ''}")
    else:
        result.add("revocation", "pass", f"not in {revocations.source}")


def _check_report(
    claims: ClaimedBadge, level: str | None, options: VerifyOptions, result: Verification
) -> None:
    report = options.report or {}
    digest = report_digest(report)
    result.check(
        "report digest", digest == claims.digest,
        f"SHA-256 {digest} matches the credential's evidence",
        f"the report's SHA-256 {digest} is not the {claims.digest} the badge was issued for",
    )
    try:
        # under the profile the badge names (else the report's own): a level computed
        # with one profile is checked with the same one
        assessed = assess_report(report, options.report_source, result.scheme, claims.profile)
    except BadgeReportError as exc:
        result.add("report level", "fail", str(exc))
        return
    result.check(
        "report level", assessed.level == level,
        f"the report's outcomes give {assessed.level}, as claimed",
        f"the report's outcomes give {assessed.level}, the badge claims {level}",
    )
    actual = (assessed.subject, assessed.commit, assessed.subfolder)
    claimed = (claims.subject, claims.commit, claims.subfolder)
    result.check(
        "report repository", actual == claimed,
        f"{claims.subject} at {claims.commit}",
        f"the report is about {actual[0]} at {actual[1]}, the badge about "
        f"{claimed[0]} at {claimed[1]}",
    )


def _check_ob2(
    ob2: str, claims: ClaimedBadge, options: VerifyOptions, result: Verification
) -> None:
    assertion = _verified_payload(ob2, options, result, "ob2 ", None)
    if assertion is None:
        return
    issuer = Issuer.from_profile_id(claims.issuer)
    kid, key = result.keys["ob2 "]
    recipient = assertion.get("recipient") if isinstance(assertion.get("recipient"), dict) else {}
    evidence = assertion.get("evidence")
    evidence_ids = [e.get("id") for e in evidence if isinstance(e, dict)] if isinstance(
        evidence, list) else []
    verification = assertion.get("verification")
    creator = verification.get("creator") if isinstance(verification, dict) else None
    stated = {
        "id": assertion.get("id") == claims.id,
        "type": assertion.get("type") == "Assertion",
        "recipient": recipient.get("identity") == claims.subject,
        "badge": assertion.get("badge") == claims.achievement,
        "key": issuer is not None and kid == issuer.jwk_url(key.thumbprint)
        and creator == issuer.key_url(key.thumbprint),
        "issuedOn": _same_time(assertion.get("issuedOn"), claims.valid_from),
        "expires": _same_time(assertion.get("expires"), claims.valid_until),
        "evidence": evidence_ids == [claims.evidence]
        and evidence_digest(claims.evidence) == claims.digest,
    }
    wrong = [name for name, ok in stated.items() if not ok]
    result.check(
        "ob2 consistency", not wrong,
        "the Open Badges 2.0 assertion states the same badge",
        f"the Open Badges 2.0 assertion disagrees on {', '.join(wrong)}",
    )


def _same_time(text: Any, moment: datetime) -> bool:
    if not isinstance(text, str):
        return False
    try:
        return datetime.fromisoformat(text) == moment
    except ValueError:
        return False


def verify_file(
    path: Path,
    trust: Path,
    *,
    report: Path | None = None,
    status_list: str | None = None,
    ca_file: Path | None = None,
    allow_unchecked_status: bool = False,
    issuer: str | None = None,
) -> Verification:
    """``sqaaas badge verify``: verify the badge file ``path`` trusting only the JWK set
    ``trust``. Revocation is checked against ``status_list`` (a file or URL) when given,
    else against the list the badge names (beside ``trust``, or fetched); a list that cannot
    be read fails the verification unless ``allow_unchecked_status``."""
    if issuer is not None:
        Issuer.from_url(issuer)
    ca = str(ca_file) if ca_file else None
    options = VerifyOptions(
        trusted=load_trusted_keys(trust),
        report=load_report_file(report) if report is not None else None,
        report_source=str(report),
        revocations=load_list(status_list, ca_file=ca) if status_list else None,
        issuer=issuer,
        status_lookup=StatusLookup(trust, ca),
        require_status=not allow_unchecked_status,
    )
    return verify_bytes(read_bounded(path, MAX_BADGE_BYTES, "badge", SqaaasError), options)
