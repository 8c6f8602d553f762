"""SvcQC.Doc/Pol/Sup: what the resource profile declares, and whether its links resolve.

The profile is the service's own description for the marketplace. Every check names the
profile field it read, so a missing privacy policy is reported as "privacy_policy".
"""

from __future__ import annotations

from sqaaas.core.outcomes import Evidence, Finding, Outcome, combine
from sqaaas.core.registry import probe
from sqaaas.facts.identifiers import ARK, DOI, DOI_SYNTAX, HANDLE, doi_problem, parse_pid
from sqaaas.facts.licences.data import licence_data
from sqaaas.facts.licences.spdx import canonical_id, family, licence_name, osi_approved
from sqaaas.facts.service import profile as profiles
from sqaaas.facts.service.context import ServiceContext
from sqaaas.facts.service.links import (
    NO_PROFILE_HINT,
    declared,
    link_finding,
    link_or_text,
    missing_field,
)
from sqaaas.facts.service.settings import onboarding_settings

#: where each PID scheme is resolved: named in the evidence, never contacted
RESOLVERS = {DOI: "doi.org", HANDLE: "hdl.handle.net", ARK: "n2t.net"}


@probe("svc.profile.complete")
def profile_complete(ctx: ServiceContext) -> Finding:
    """Every field a marketplace description needs is filled in (the schema's recommended list)."""
    if ctx.profile is None:
        return Finding.failed(
            "no resource profile given: the service's marketplace description is unknown",
            hint=NO_PROFILE_HINT.format(field="name, description, webpage", what="..."),
        )
    source = ctx.profile_source
    missing = profiles.missing_recommended(ctx.profile)
    notes = list(ctx.profile_problems)
    if not missing:
        count = len(profiles.recommended_fields())
        return Finding(
            outcome=Outcome.PASS,
            evidence=[Evidence(message=f"all {count} recommended fields are filled in",
                               path=source), *notes],
        )
    evidence = [
        Evidence(message=f"missing field {name}: {profiles.describe(name)}", path=source,
                 value=name)
        for name in missing
    ]
    return Finding(
        outcome=Outcome.FAIL,
        evidence=evidence + notes,
        hint=f"Fill in {', '.join(missing)} in the resource profile (docs/onboarding.md "
        "lists every field with an example).",
    )


@probe("svc.doc.online")
def doc_online(ctx: ServiceContext) -> Finding:
    """The documentation's URL, declared in the profile, answers."""
    return link_finding(ctx, "documentation", "where the documentation is online")


@probe("svc.doc.pid")
def doc_pid(ctx: ServiceContext) -> Finding:
    """A well-formed DOI, Handle or ARK; resolving it would contact a third-party resolver."""
    raw = declared(ctx, "documentation_pid")
    if raw is None:
        return missing_field(ctx, "documentation_pid", "the documentation's persistent identifier")
    value = str(raw).strip()
    lowered = value.lower()
    candidate = "https://hdl.handle.net/" + value[4:] if lowered.startswith("hdl:") else value
    pid = parse_pid(candidate)
    if pid is not None and pid[0] in RESOLVERS:
        scheme, normalised = pid
        return Finding.passed(
            f"documentation_pid is a well-formed {scheme}: {normalised}; not resolved, since "
            f"that would mean asking the resolver {RESOLVERS[scheme]}, a host onboarding does "
            "not contact",
            value=value,
        )
    if pid is not None:
        reason = "it identifies source code (Software Heritage), not documentation"
    elif lowered.startswith(("doi:", "10.")) or "doi.org/" in lowered:
        reason = doi_problem(value) or DOI_SYNTAX
    else:
        reason = f"expected a DOI ({DOI_SYNTAX}), hdl:PREFIX/SUFFIX or ark:/NAAN/NAME"
    return Finding.failed(
        f"documentation_pid {value!r} is not a well-formed DOI, Handle or ARK: {reason}",
        hint="Deposit the documentation (e.g. on Zenodo) and declare its DOI as "
        "documentation_pid, e.g. documentation_pid: 10.5281/zenodo.1234567",
        path=ctx.profile_source,
        value=value,
    )


def _content_licence(spdx: str) -> bool:
    prefixes = onboarding_settings().documentation_licence.content_prefixes
    return family(spdx) in licence_data().non_code or spdx.lower().startswith(
        tuple(p.lower() for p in prefixes)
    )


@probe("svc.doc.licence")
def doc_licence(ctx: ServiceContext) -> Finding:
    """A documentation licence that is not a software licence: a content SPDX id or a URL."""
    value = link_or_text(ctx, "licence", "the documentation's licence")
    if isinstance(value, Finding):
        return value
    spdx = canonical_id(value)
    where = {"path": ctx.profile_source, "value": value}
    if spdx is None:
        return Finding.failed(
            f"licence {value!r} is neither an SPDX licence id nor a URL",
            hint="Declare the documentation's licence as an SPDX id, e.g. licence: CC-BY-4.0, "
            "or as the URL of its text.",
            **where,
        )
    if _content_licence(spdx):
        return Finding.passed(
            f"licence {spdx} ({licence_name(spdx)}) is a content licence, fit for documentation",
            **where,
        )
    kind = "an OSI-approved software licence" if osi_approved(spdx) else "not a content licence"
    return Finding.failed(
        f"licence {spdx} ({licence_name(spdx)}) is {kind}; documentation needs a non-software "
        "licence",
        hint="Licence the documentation with a content licence such as CC-BY-4.0 or "
        "CC-BY-SA-4.0 and declare it as licence in the resource profile.",
        **where,
    )


def _has_api(ctx: ServiceContext) -> bool:
    return bool(ctx.openapi_url or declared(ctx, "openapi") or declared(ctx, "api_documentation"))


@probe("svc.doc.admin")
def doc_admin(ctx: ServiceContext) -> Finding:
    """Operators' documentation (deployment, administration, reference card) is online."""
    return link_finding(ctx, "admin_manual", "the deployment and administration guide")


@probe("svc.doc.user")
def doc_user(ctx: ServiceContext) -> Finding:
    """Users' documentation is online, and the API's documentation when there is an API."""
    found = [link_finding(ctx, "user_manual", "the user guide")]
    if _has_api(ctx):
        found.append(link_finding(ctx, "api_documentation", "the documentation of the API"))
    else:
        found[0].evidence.append(
            Evidence(message="no API declared (no --openapi, openapi or api_documentation): "
                     "API documentation not required")
        )
    return combine(found)


@probe("svc.doc.audiences")
def doc_audiences(ctx: ServiceContext) -> Finding:
    """Each audience has its documentation: operators (Doc07.1) and users/API (Doc07.2)."""
    return combine([doc_admin(ctx), doc_user(ctx)])


@probe("svc.pol.acceptable_use")
def pol_acceptable_use(ctx: ServiceContext) -> Finding:
    return link_finding(ctx, "acceptable_use_policy", "the acceptable use policy")


@probe("svc.pol.privacy")
def pol_privacy(ctx: ServiceContext) -> Finding:
    return link_finding(ctx, "privacy_policy", "the privacy policy")


@probe("svc.pol.access")
def pol_access(ctx: ServiceContext) -> Finding:
    """An access policy or terms of use: either field will do, each declared one must resolve."""
    names = [n for n in ("access_policy", "terms_of_use") if declared(ctx, n) is not None]
    if not names:
        finding = missing_field(ctx, "access_policy", "the access policy or terms of use")
        finding.evidence[0].message += "; nor a terms_of_use field"
        return finding
    return combine([link_finding(ctx, n, "the access policy or terms of use") for n in names])


@probe("svc.sup.helpdesk")
def sup_helpdesk(ctx: ServiceContext) -> Finding:
    """A helpdesk URL that resolves, or a support e-mail address."""
    value = link_or_text(ctx, "helpdesk", "where users report problems")
    if isinstance(value, Finding):
        return value
    address = value.removeprefix("mailto:")
    return Finding.passed(
        f"helpdesk is the e-mail address {address} (well-formed; not verified, which would "
        "mean sending mail)",
        path=ctx.profile_source,
        value=address,
    )
