"""Build the badge credentials from a sqaaas JSON report, and read back what one claims.

A badge attests: *this commit of this repository met this level of this baseline, as the
report with this digest shows*. So the credential names the repository URL (the subject),
the commit, the achievement (one per scheme and level, under the issuer's URL), the criteria
the level requires (as alignments), the baseline and its version, the validity window, and
evidence: the URL the issuer publishes the report at, ``<base>/reports/<sha256>.json``, whose
name is the report's SHA-256 (an evidence id must be a URL of a page for Open Badges 2.0).

The digest is over the *canonical* report JSON, so re-indenting a report does not change
it while any change of content does: ``json.dumps(obj, sort_keys=True,
separators=(",", ":"), ensure_ascii=False)`` encoded as UTF-8 (see docs/badges.md).

The level is always recomputed from the report's subcriterion outcomes with the badge
scheme shipped in criteria/badges.yml; the report's own ``valid`` and ``badge.level``
fields are never taken on trust. Which subcriteria decide each criterion is the profile's
(criteria/badges.yml): under the report's own profile, its ``gating`` flags (the record of
what decided when it was assessed, so a badge keeps verifying after the data changes);
under another profile asked for, flags derived from that profile. The credential names the
profile (a ``profile:<name>`` tag of the achievement, and its narratives), so a verifier
recomputes the level under the same one.

A report carries more than one badge: the quality badge of its baseline (the default) and
the FAIR badge, a metric scheme recomputed from the subcriteria of the scheme's section
(QC.FAIR, the offline indicators). An F-UJI section is
never used for a badge: a remote server's verdict cannot be re-derived from the report.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqaaas.badges.errors import BadgeIssueError, BadgeReportError
from sqaaas.badges.issuer import Issuer, embedded_profile
from sqaaas.badges.labels import scheme_title
from sqaaas.badges.vocab import (
    OB2_CONTEXT,
    OB3_CONTEXT,
    OB3_SCHEMA,
    OB3_TYPES,
    REVOCATION_STATUS_TYPE,
    VC2_CONTEXT,
)
from sqaaas.core.catalogue import BadgeScheme, default_catalogue
from sqaaas.core.model import BadgeResult, BaselineInfo, Report
from sqaaas.core.scoring import badge, measures, metric_badge, metric_met, rescore, revalidated
from sqaaas.fileio import read_bounded
from sqaaas.forges import web_url
from sqaaas.report.fairview import quality_criteria

MAX_REPORT_BYTES = 50_000_000
COMMIT_IDENTITY = "ext:gitCommit"
#: the achievement tag naming the profile a quality badge's level was computed under
PROFILE_TAG = "profile:"
SUBFOLDER_IDENTITY = "ext:subfolder"
_EVIDENCE_NAME = re.compile(r"/reports/([0-9a-f]{64})\.json$")


@dataclass(frozen=True)
class AssessedReport:
    """A validated report with what a badge needs from it, its level recomputed."""

    data: dict[str, Any]
    report: Report
    digest: str
    scheme: str
    badge: BadgeResult
    subject: str | None
    commit: str | None
    subfolder: str | None
    #: the profile the level was computed under (None for a metric scheme: no profile
    #: changes which FAIR indicators meet a metric group)
    profile: str | None = None

    @property
    def level(self) -> str:
        return self.badge.level

    @property
    def definition(self) -> BadgeScheme:
        return default_catalogue().badges[self.scheme]

    def required(self) -> list[str]:
        """The criteria, or for a metric scheme the metric groups, the level needs."""
        return self.definition.required_for(self.level)


def canonical_report_bytes(data: Any) -> bytes:
    """The bytes the report digest is computed over (keys sorted, no whitespace, UTF-8)."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )


def report_digest(data: Any) -> str:
    """Hex SHA-256 of the canonical report JSON."""
    return hashlib.sha256(canonical_report_bytes(data)).hexdigest()


def evidence_digest(url: str) -> str | None:
    """The hex SHA-256 an evidence URL (``.../reports/<sha256>.json``) names, else None."""
    found = _EVIDENCE_NAME.search(url)
    return found.group(1) if found else None


def load_report_file(path: Path) -> dict[str, Any]:
    """Read a JSON report file (size-capped); errors are one-line BadgeReportErrors."""
    raw = read_bounded(path, MAX_REPORT_BYTES, "report", BadgeReportError)
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise BadgeReportError(
            f"{path}: not JSON ({exc}); use 'sqaaas assess --format json'"
        ) from None
    if not isinstance(data, dict):
        raise BadgeReportError(f"{path}: not a sqaaas JSON report")
    return data


def badge_scheme(report: Report, name: str | None = None) -> tuple[str, BadgeScheme]:
    """The scheme ``name``, by default the quality badge scheme of the report's baseline."""
    badges = default_catalogue().badges
    if name is None:
        found = [(n, s) for n, s in badges.items() if s.baseline == report.baseline.id]
        if not found:
            raise BadgeReportError(f"no badge scheme for baseline {report.baseline.id!r}")
        return found[0]
    if name not in badges:
        raise BadgeIssueError(f"unknown badge scheme {name!r} (known: {', '.join(badges)})")
    scheme = badges[name]
    if scheme.section is None and scheme.baseline != report.baseline.id:
        raise BadgeReportError(
            f"the {name} badge is for the {scheme.baseline} baseline; the report assessed "
            f"the {report.baseline.id} baseline"
        )
    return name, scheme


def report_profile(report: Report) -> str:
    """The profile ``report`` was judged by: the one it names, or for a report made before
    profiles, the one badges.yml says those were judged by."""
    return report.profile or default_catalogue().profiles.unnamed


def _known_profile(name: str) -> str:
    known = default_catalogue().profile_names
    if name not in known:
        raise BadgeReportError(f"unknown profile {name!r} (known: {', '.join(known)})")
    return name


def recompute_badge(
    report: Report, scheme_name: str | None = None, profile: str | None = None
) -> BadgeResult:
    """The badge from the subcriterion outcomes, ignoring the report's verdicts and levels,
    under ``profile`` (default: the report's own, see report_profile): the report's gating
    flags under its own profile, flags derived from the profile's data under another.

    A metric scheme (FAIR) is computed from the subcriteria of its section (QC.FAIR).
    """
    name, scheme = badge_scheme(report, scheme_name)
    if scheme.section is not None:
        section = report.criteria.get(scheme.section)
        if section is None:
            raise BadgeReportError(
                f"the report has no {scheme.section} section, which the {name} badge is "
                "computed from (assess the software baseline with all its criteria)"
            )
        return metric_badge(name, scheme, section)
    judged_by = _known_profile(profile or report_profile(report))
    if judged_by == report_profile(report):
        return badge(name, scheme, revalidated(report.criteria))
    catalogue = default_catalogue()
    return badge(name, scheme, rescore(report.criteria, catalogue, catalogue.profile(judged_by)))


def assess_report(
    data: dict[str, Any], source: str, scheme: str | None = None, profile: str | None = None
) -> AssessedReport:
    """Validate ``data`` against the report contract and recompute its ``scheme`` badge under
    ``profile`` (default: the report's own)."""
    # imported here for start-up speed: jsonschema (~30 ms) serves only a report being
    # checked, which `sqaaas badge verify` without --report never does
    from sqaaas.core.validate import validate_report_json

    errors = validate_report_json(data)
    if errors:
        more = f" (and {len(errors) - 1} more problems)" if len(errors) > 1 else ""
        raise BadgeReportError(f"{source} is not a valid sqaaas JSON report: {errors[0]}{more}")
    report = Report.model_validate(data)
    badge = recompute_badge(report, scheme, profile)
    judged_by = profile or report_profile(report)
    repo = report.repository
    return AssessedReport(
        data=data,
        report=report,
        digest=report_digest(data),
        scheme=badge.scheme,
        badge=badge,
        # a service (onboarding report) is named by its own URL; a repository by its web page
        subject=(
            repo.url if report.baseline.id == "service" else web_url(repo.url)
        ) if repo.url else None,
        commit=repo.commit,
        subfolder=repo.subfolder,
        profile=None if default_catalogue().badges[badge.scheme].section else judged_by,
    )


def _claimed_level(assessed: AssessedReport) -> str | None:
    """The level the report itself states for the scheme, if it states one (for a quality
    scheme, under the report's own profile)."""
    report, section = assessed.report, assessed.definition.section
    if section is not None:
        summary = report.fair.get(section)
        return summary.badge.level if summary and summary.badge else None
    return report.badge.level if report.badge.scheme == assessed.scheme else None


def _own_level(assessed: AssessedReport) -> str:
    """The level the report's outcomes give for the scheme under its own profile (what it
    should claim), whichever profile the badge is computed with."""
    if assessed.profile is None or assessed.profile == report_profile(assessed.report):
        return assessed.level
    return recompute_badge(assessed.report, assessed.scheme).level


def check_issuable(assessed: AssessedReport, source: str) -> None:
    """Refuse reports a badge must not be issued for, with the reason in one line."""
    claimed, own = _claimed_level(assessed), _own_level(assessed)
    if claimed is not None and claimed != own:
        raise BadgeReportError(
            f"{source} claims level {claimed} but its outcomes give {own} for the "
            f"{assessed.scheme} badge (was it edited?)"
        )
    if assessed.level == "none":
        badge = assessed.badge
        missing = "; ".join(f"{m.criterion}: {m.reason}" for m in badge.missing_for_next)
        raise BadgeIssueError(
            f"no badge for level none: {source} does not reach any level of the "
            f"{scheme_title(assessed.scheme)} badge ({assessed.scheme}); "
            f"{badge.next_level} needs {missing}"
        )
    if assessed.subject is None:
        raise BadgeReportError(
            f"{source} names no repository URL a badge could name (assess a clone of a "
            "published repository, or a checkout whose 'origin' remote points at it)"
        )
    if assessed.commit is None:
        raise BadgeReportError(f"{source} names no commit")


def stamp(moment: datetime) -> str:
    """RFC 3339 UTC time to the second, as validFrom/validUntil carry it."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _framework(assessed: AssessedReport) -> BaselineInfo:
    """The standard the level is measured against: the report's baseline, or the scheme's."""
    if assessed.definition.section is None:
        return assessed.report.baseline
    base = default_catalogue().baselines[assessed.definition.baseline]
    return BaselineInfo(id=base.id, title=base.title, url=base.url, version=base.version)


def _criteria_narrative(assessed: AssessedReport) -> str:
    base = _framework(assessed)
    required = ", ".join(assessed.required())
    if assessed.definition.section is not None:
        return (
            f"An automated sqaaas assessment of the repository at the named commit found every "
            f"metric group the {assessed.level} level of the {scheme_title(assessed.scheme)} "
            f"badge requires met by the indicators of section {assessed.definition.section}, "
            f"measured against the {base.title} v{base.version} ({base.url}): {required}. A "
            "metric group is met when an indicator measuring it was assessed and all passed."
        )
    return (
        f"An automated sqaaas assessment of the repository at the named commit found every "
        f"criterion the {assessed.level} level requires valid under the {base.title} "
        f"v{base.version} ({base.url}): {required}. {_profile_sentence(assessed)}"
    )


def _profile_sentence(assessed: AssessedReport) -> str:
    """Which profile decided the criteria, in words (empty for a metric scheme)."""
    if assessed.profile is None:
        return ""
    title = default_catalogue().profile(assessed.profile).title
    return (
        f"Which subcriteria decide each criterion is set by the {assessed.profile} profile "
        f"({title}) of the sqaaas criteria data."
    )


def _tags(assessed: AssessedReport) -> list[str]:
    """sqaaas, the scheme, the level and, for a quality badge, profile:<name>."""
    profile = [PROFILE_TAG + assessed.profile] if assessed.profile else []
    return ["sqaaas", assessed.scheme, assessed.level, *profile]


def _achievement_description(assessed: AssessedReport) -> str:
    """What the achievement (one per scheme and level) stands for; the same for every badge."""
    section = assessed.definition.section
    if section is not None:
        return (
            f"Awarded to a source code repository that reached the {assessed.level} level of "
            f"the sqaaas {scheme_title(assessed.scheme)} badge: its FAIR indicators "
            f"({section}) met the metric groups {', '.join(assessed.required())}."
        )
    return (
        f"Awarded to a source code repository that reached the {assessed.level} "
        f"level of the sqaaas {assessed.scheme} quality badge."
    )


def _metric_alignments(assessed: AssessedReport, base: BaselineInfo) -> list[dict[str, str]]:
    """One alignment per metric group, naming the indicators of the report that met it."""
    framework = f"{base.title} v{base.version}"
    section = assessed.report.criteria[str(assessed.definition.section)]
    found = []
    for group in assessed.required():
        subs = {sid: s for sid, s in section.subcriteria.items() if measures(s, group)}
        found.append({
            "targetName": f"{group} ({', '.join(subs)})",
            "targetUrl": base.url,
            "targetCode": group,
            "targetFramework": framework,
            "targetDescription": " ".join(s.description for s in subs.values()),
        })
    return found


def _alignments(assessed: AssessedReport) -> list[dict[str, str]]:
    base = _framework(assessed)
    framework = f"{base.title} v{base.version}"
    found = [{
        "targetName": framework,
        "targetUrl": base.url,
        "targetCode": base.id,
        "targetFramework": framework,
        "targetDescription": f"The {base.title}, version {base.version}.",
    }]
    if assessed.definition.section is not None:
        return found + _metric_alignments(assessed, base)
    for cid in assessed.required():
        result = assessed.report.criteria[cid]
        found.append({
            "targetName": f"{cid} {result.title}",
            "targetUrl": result.source_url,
            "targetCode": cid,
            "targetFramework": framework,
        })
    return found


def _met(assessed: AssessedReport) -> str:
    """What the report met: valid criteria, or for a metric scheme the metric groups met."""
    section = assessed.definition.section
    if section is not None:
        result = assessed.report.criteria[section]
        groups = [m for lvl in assessed.definition.levels for m in lvl.metrics]
        return "metric groups met in " + section + ": " + ", ".join(
            m for m in groups if metric_met(m, result)
        )

    return "valid criteria: " + ", ".join(
        cid for cid, c in quality_criteria(assessed.report).items() if c.valid
    )


def _evidence_narrative(assessed: AssessedReport) -> str:
    tool = assessed.report.tool
    return (
        f"{tool.get('name', 'sqaaas')} {tool.get('version', '')} assessed commit "
        f"{assessed.commit} of {assessed.subject}"
        + (f" (folder {assessed.subfolder})" if assessed.subfolder else "")
        + f" at {assessed.report.generated_at}; {_met(assessed)}"
        + (f" (profile {assessed.profile})" if assessed.profile else "")
        + ". "
        f"SHA-256 of the report's canonical JSON: {assessed.digest}."
    )


def _identifiers(assessed: AssessedReport) -> list[dict[str, Any]]:
    found = [{
        "type": "IdentityObject",
        "identityType": COMMIT_IDENTITY,
        "hashed": False,
        "identityHash": assessed.commit,
    }]
    if assessed.subfolder:
        found.append({
            "type": "IdentityObject",
            "identityType": SUBFOLDER_IDENTITY,
            "hashed": False,
            "identityHash": assessed.subfolder,
        })
    return found


def build_credential(
    assessed: AssessedReport,
    issuer: Issuer,
    credential_id: str,
    valid_from: datetime,
    valid_until: datetime,
) -> dict[str, Any]:
    """The Open Badges 3.0 OpenBadgeCredential (unsigned) for an issuable report."""
    name = f"{scheme_title(assessed.scheme)}: {assessed.level}"
    return {
        "@context": [VC2_CONTEXT, OB3_CONTEXT],
        "id": credential_id,
        "type": list(OB3_TYPES),
        "issuer": embedded_profile(issuer),
        "validFrom": stamp(valid_from),
        "validUntil": stamp(valid_until),
        "name": name,
        "credentialSubject": {
            "id": assessed.subject,
            "type": ["AchievementSubject"],
            "identifier": _identifiers(assessed),
            "achievement": {
                "id": issuer.achievement_id(assessed.scheme, assessed.level),
                "type": ["Achievement"],
                "achievementType": "Badge",
                "name": name,
                "description": _achievement_description(assessed),
                "criteria": {"narrative": _criteria_narrative(assessed)},
                "image": {
                    "id": issuer.achievement_image(assessed.scheme, assessed.level),
                    "type": "Image",
                    "caption": name,
                },
                "alignment": [{"type": ["Alignment"], **a} for a in _alignments(assessed)],
                "tag": _tags(assessed),
            },
        },
        "evidence": [{
            "id": issuer.evidence_url(assessed.digest),
            "type": ["Evidence"],
            "name": "sqaaas assessment report",
            "description": f"SHA-256 of the report's canonical JSON: {assessed.digest}",
            "genre": "Assessment report",
            "narrative": _evidence_narrative(assessed),
        }],
        "credentialStatus": {"id": issuer.revocations_url, "type": REVOCATION_STATUS_TYPE},
        "credentialSchema": [{"id": OB3_SCHEMA, "type": "1EdTechJsonSchemaValidator2019"}],
    }


#: the registered JWT claims Open Badges 3.0 adds to the credential in a VC-JWT payload
JWT_CLAIMS = ("iss", "jti", "sub", "nbf", "exp")


def jwt_claims(vc: dict[str, Any]) -> dict[str, Any]:
    """The VC-JWT payload as Open Badges 3.0 shapes it: the credential itself, with the
    registered claims iss, jti, sub, nbf and exp mirroring its issuer, id, subject and dates."""
    return {
        **vc,
        "iss": vc["issuer"]["id"],
        "jti": vc["id"],
        "sub": vc["credentialSubject"]["id"],
        "nbf": int(datetime.fromisoformat(vc["validFrom"]).timestamp()),
        "exp": int(datetime.fromisoformat(vc["validUntil"]).timestamp()),
    }


def credential_of(payload: dict[str, Any]) -> dict[str, Any]:
    """The credential a VC-JWT payload carries: the payload less the registered claims."""
    return {k: v for k, v in payload.items() if k not in JWT_CLAIMS}


def badge_class(vc: dict[str, Any], assessed: AssessedReport, issuer: Issuer) -> dict[str, Any]:
    """The Open Badges 2.0 BadgeClass document of the credential's achievement, published at
    its id (2.0 verifiers dereference it)."""
    achievement = vc["credentialSubject"]["achievement"]
    return {
        "@context": OB2_CONTEXT,
        "type": "BadgeClass",
        "id": achievement["id"],
        "name": achievement["name"],
        "description": achievement["description"],
        "image": achievement["image"]["id"],
        "criteria": {"narrative": achievement["criteria"]["narrative"]},
        "issuer": issuer.profile_id,
        "alignment": _alignments(assessed),
        "tags": achievement["tag"],
    }


def build_assertion(vc: dict[str, Any], assessed: AssessedReport, key_url: str) -> dict[str, Any]:
    """The Open Badges 2.0 Assertion saying what ``vc`` says, for 2.0-only consumers; its
    BadgeClass is named by IRI (the published document, see badge_class)."""
    evidence = vc["evidence"][0]
    return {
        "@context": OB2_CONTEXT,
        "type": "Assertion",
        "id": vc["id"],
        "recipient": {"type": "url", "hashed": False, "identity": vc["credentialSubject"]["id"]},
        "badge": vc["credentialSubject"]["achievement"]["id"],
        "verification": {"type": "SignedBadge", "creator": key_url},
        "issuedOn": vc["validFrom"],
        "expires": vc["validUntil"],
        "narrative": f"Commit {assessed.commit} of {assessed.subject}.",
        "evidence": [{
            "id": evidence["id"],
            "name": evidence["name"],
            "description": evidence["description"],
            "genre": evidence["genre"],
            "narrative": evidence["narrative"],
        }],
    }


class ClaimError(ValueError):
    """A signed credential lacks, or garbles, something a sqaaas badge always states."""


@dataclass(frozen=True)
class ClaimedBadge:
    """What a (signature-checked) credential claims, as the verifier compares it."""

    id: str
    issuer: str
    subject: str
    commit: str
    subfolder: str | None
    achievement: str
    digest: str
    #: the evidence URL the digest was read from (must be the issuer's, checked later)
    evidence: str
    valid_from: datetime
    valid_until: datetime
    #: the revocation list the credential names (credentialStatus.id), if it names one
    status_list: str | None = None
    #: the profile the level was computed under (a profile:<name> tag of the achievement);
    #: None when the credential names none (a FAIR badge, or one issued before profiles)
    profile: str | None = None


def _get(obj: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(obj, dict) or key not in obj:
            raise ClaimError(f"the credential has no {'.'.join(path)}")
        obj = obj[key]
    return obj


def _text(obj: Any, *path: str) -> str:
    value = _get(obj, *path)
    if not isinstance(value, str) or not value:
        raise ClaimError(f"the credential's {'.'.join(path)} is not a string")
    return value


def _time(obj: Any, name: str) -> datetime:
    text = _text(obj, name)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ClaimError(f"the credential's {name} {text!r} is not a date-time") from None
    if moment.tzinfo is None:
        raise ClaimError(f"the credential's {name} {text!r} has no time zone")
    return moment


def _identity(subject: Any, identity_type: str) -> str | None:
    found = [
        i.get("identityHash")
        for i in subject.get("identifier", []) if isinstance(i, dict)
        and i.get("identityType") == identity_type and i.get("hashed") is False
    ]
    if len(found) > 1 or (found and not isinstance(found[0], str)):
        raise ClaimError(f"the credential names {identity_type} ambiguously")
    return found[0] if found else None


def read_claims(vc: Any) -> ClaimedBadge:
    """Pick out what the verifier checks; ClaimError when the credential is not one of ours."""
    types = _get(vc, "type")
    if not isinstance(types, list) or not all(t in types for t in OB3_TYPES):
        raise ClaimError(f"the credential's type is not {list(OB3_TYPES)}")
    contexts = _get(vc, "@context")
    if not (isinstance(contexts, list) and contexts[:1] == [VC2_CONTEXT]
            and OB3_CONTEXT in contexts):
        raise ClaimError("the credential's @context is not VC 2.0 + Open Badges 3.0")
    issuer = vc.get("issuer")
    issuer_id = issuer if isinstance(issuer, str) else _text(vc, "issuer", "id")
    subject = _get(vc, "credentialSubject")
    if not isinstance(subject, dict):
        raise ClaimError("the credential's credentialSubject is not an object")
    commit = _identity(subject, COMMIT_IDENTITY)
    if commit is None:
        raise ClaimError("the credential names no commit")
    evidence = _get(vc, "evidence")
    digests = [
        (d, e["id"]) for e in (evidence if isinstance(evidence, list) else [])
        if isinstance(e, dict) and isinstance(e.get("id"), str)
        and (d := evidence_digest(e["id"])) is not None
    ]
    if len(digests) != 1:
        raise ClaimError("the credential's evidence does not name exactly one report")
    return ClaimedBadge(
        id=_text(vc, "id"),
        issuer=issuer_id,
        subject=_text(subject, "id"),
        commit=commit,
        subfolder=_identity(subject, SUBFOLDER_IDENTITY),
        achievement=_text(subject, "achievement", "id"),
        digest=digests[0][0],
        evidence=digests[0][1],
        valid_from=_time(vc, "validFrom"),
        valid_until=_time(vc, "validUntil"),
        status_list=_status_list(vc),
        profile=_profile(subject),
    )


def _profile(subject: dict[str, Any]) -> str | None:
    """The profile a ``profile:<name>`` tag of the achievement names, if one does."""
    achievement = subject.get("achievement")
    tags = achievement.get("tag") if isinstance(achievement, dict) else None
    if tags is None:
        return None
    if not isinstance(tags, list):
        raise ClaimError("the credential's achievement.tag is not a list")
    named = [t[len(PROFILE_TAG):] for t in tags if isinstance(t, str) and t.startswith(PROFILE_TAG)]
    if len(named) > 1 or (named and not named[0]):
        raise ClaimError("the credential names its profile ambiguously")
    return named[0] if named else None


def _status_list(vc: dict[str, Any]) -> str | None:
    """The URL of the revocation list ``credentialStatus`` names (None: it names none)."""
    if "credentialStatus" not in vc:
        return None
    status = vc["credentialStatus"]
    if (
        not isinstance(status, dict)
        or status.get("type") != REVOCATION_STATUS_TYPE
        or not isinstance(status.get("id"), str)
    ):
        raise ClaimError(
            f"the credential's credentialStatus is not a {REVOCATION_STATUS_TYPE} with an id"
        )
    return str(status["id"])


def level_of(achievement_id: str, issuer: Issuer) -> tuple[str, str] | None:
    """(scheme, level) whose achievement id under ``issuer`` is ``achievement_id``."""
    for name, scheme in default_catalogue().badges.items():
        for level in scheme.levels:
            if issuer.achievement_id(name, level.name) == achievement_id:
                return name, level.name
    return None
