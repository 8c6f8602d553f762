"""SvcQC.Api/Fun/Sec02-03: the service's OpenAPI document holds, and so does the service.

The document is valid, its safe operations answer as documented (status and response
schema), it declares and uses security schemes, and the operations it marks as needing
credentials refuse a request without them.
"""

from __future__ import annotations

from sqaaas.core.outcomes import Evidence, Finding, Outcome
from sqaaas.core.registry import probe
from sqaaas.facts.service.context import ServiceContext
from sqaaas.facts.service.contract import (
    MAX_OPERATIONS,
    UNCHECKED,
    Call,
    Plan,
    Planned,
    Violation,
    anonymous_calls,
    check_call,
    contract_calls,
    plan,
)
from sqaaas.facts.service.openapi import (
    ApiDocument,
    api_document,
    external_refs,
    operations,
    security_schemes,
    spec_problems,
)

PUBLISH_HINT = (
    "Publish the OpenAPI document (e.g. at /openapi.json), name it in the resource profile's "
    "'openapi' field, or pass --openapi URL."
)


@probe("svc.api.openapi_valid")
def openapi_valid(ctx: ServiceContext) -> Finding:
    """An OpenAPI (or Swagger 2.0) document is reachable and valid against its specification."""
    doc = ctx.fact(api_document)
    if missing := _missing(doc):
        return missing
    data = doc.data or {}
    problems, stopped = spec_problems(data)
    evidence = [
        Evidence(message=f"invalid: {message}", path=doc.at(pointer))
        for pointer, message in problems
    ]
    evidence.extend(
        Evidence(message=f"external reference not followed: {ref}", path=doc.url)
        for ref in external_refs(data)
    )
    if problems:
        return Finding(
            outcome=Outcome.FAIL,
            evidence=evidence,
            hint="Fix the document where shown; check it with openapi-spec-validator "
            "(or your framework's schema test) in CI.",
        )
    if stopped:
        return Finding(
            outcome=Outcome.ERROR, evidence=[*evidence, Evidence(message=stopped, path=doc.url)]
        )
    count = len(operations(data))
    evidence.insert(0, Evidence(
        message=f"OpenAPI {doc.version} document is valid ({count} operation(s))",
        path=doc.url, value=doc.version,
    ))
    return Finding(outcome=Outcome.PASS, evidence=evidence)


@probe("svc.api.contract")
def contract(ctx: ServiceContext) -> Finding:
    """Documented GET/HEAD operations answer a documented status, no 5xx, bodies match schemas."""
    doc = ctx.fact(api_document)
    if missing := _missing(doc):
        return missing
    calls, left_out = contract_calls(ctx)
    scope = _scope_evidence(ctx.fact(plan), doc, left_out)
    if not calls:
        return Finding(
            outcome=Outcome.NOT_APPLICABLE,
            evidence=[
                Evidence(message="no documented operation could be called safely", path=doc.url),
                *scope,
            ],
            hint="Document GET operations with examples for their required parameters so they "
            "can be checked without side effects.",
        )
    found = [v for call in calls for v in check_call(doc, call)]
    problems = [v for v in found if v.kind != UNCHECKED]
    scope.extend(_violation_evidence(doc, v) for v in found if v.kind == UNCHECKED)
    counts = {kind: sum(1 for v in problems if v.kind == kind) for kind in _KINDS}
    summary = Evidence(
        message=f"{len(calls)} operation(s) called (limit {MAX_OPERATIONS}): "
        + ", ".join(f"{n} {label}" for kind, label in _KINDS.items() if (n := counts[kind]))
        if problems else f"{len(calls)} operation(s) called (limit {MAX_OPERATIONS}): all as "
        "documented",
        path=doc.url,
        value=len(calls),
    )
    if problems:
        return Finding(
            outcome=Outcome.FAIL,
            evidence=[summary, *(_violation_evidence(doc, v) for v in problems), *scope],
            hint="Make the service answer what its OpenAPI document says (or correct the "
            "document), and run contract tests against the document in CI (e.g. schemathesis).",
        )
    kept = [
        Evidence(
            message=f"{c.operation.method.upper()} {c.url} answered {_status(c)} as documented",
            path=c.url,
            value=_status(c),
        )
        for c in calls
    ]
    return Finding(outcome=Outcome.PASS, evidence=[summary, *kept, *scope])


@probe("svc.api.security_documented")
def security_documented(ctx: ServiceContext) -> Finding:
    """Security schemes are declared and operations require them (and only declared ones)."""
    doc = ctx.fact(api_document)
    if missing := _missing(doc):
        return missing
    data = doc.data or {}
    declared = security_schemes(data)
    where = "#/securityDefinitions" if doc.swagger2 else "#/components/securitySchemes"
    ops = operations(data)
    undeclared = [
        Evidence(
            message=f"{op.label} requires the undeclared security scheme '{name}'",
            path=doc.at(op.pointer + "/security"),
            value=name,
        )
        for op in ops
        for req in op.security
        for name in req
        if name not in declared
    ]
    if undeclared:
        return Finding(
            outcome=Outcome.FAIL,
            evidence=undeclared,
            hint=f"Declare every scheme named in a security requirement under {where}.",
        )
    if not declared:
        return Finding.failed(
            "the document declares no security scheme: how clients authenticate is undocumented",
            hint=f"Declare the authentication (e.g. bearer token, OAuth2/OIDC) under {where} and "
            "require it with 'security' on the protected operations.",
            path=doc.at(where),
        )
    secured = [op for op in ops if op.security]
    kinds = ", ".join(f"{name} ({_kind(spec)})" for name, spec in declared.items())
    if not secured:
        return Finding.failed(
            f"schemes declared ({kinds}) but no operation requires any of them",
            hint="Add 'security' to the operations (or globally) that need credentials.",
            path=doc.at(where),
        )
    return Finding.passed(
        f"schemes declared: {kinds}; required by {len(secured)} of {len(ops)} operation(s)",
        path=doc.at(where),
        value=sorted(declared),
    )


@probe("svc.auth.protected_endpoints")
def protected_endpoints(ctx: ServiceContext) -> Finding:
    """Operations documented as needing credentials answer 401/403 to a request without them."""
    doc = ctx.fact(api_document)
    if doc.data is None:
        return Finding.not_applicable(
            f"no OpenAPI document, so no documented protected operation ({doc.problem})",
            path=ctx.target,
        )
    secured = [op for op in operations(doc.data) if op.secured]
    if not secured:
        return Finding.not_applicable(
            "the document marks no operation as requiring credentials", path=doc.url
        )
    calls = [c for c in ctx.fact(anonymous_calls) if c.operation.secured]
    if not calls:
        reasons = [
            Evidence(message=f"{p.operation.label}: not called ({p.skipped})", path=doc.url)
            for p in ctx.fact(plan).planned
            if p.operation.secured and p.skipped
        ]
        unsafe = [op.label for op in secured if op.method not in ("get", "head")]
        if unsafe:
            reasons.append(Evidence(
                message=f"not called: only GET/HEAD are sent ({', '.join(unsafe[:10])})",
                path=doc.url,
            ))
        return Finding(outcome=Outcome.NOT_APPLICABLE, evidence=reasons)
    verdicts = [_protection(call) for call in calls]
    evidence = [e for _, e in verdicts]
    states = {state for state, _ in verdicts}
    if "open" in states:
        return Finding(
            outcome=Outcome.FAIL,
            evidence=evidence,
            hint="Require credentials on every operation the document marks with 'security' "
            "(answer 401 without them, 403 when they do not allow it), or correct the document.",
        )
    outcome = Outcome.PASS if "protected" in states else Outcome.ERROR
    return Finding(outcome=outcome, evidence=evidence)


_KINDS = {
    "schema": "schema violation(s)",
    "undocumented_status": "undocumented status(es)",
    "server_error": "server error(s) (5xx)",
    "content_type": "undocumented content type(s)",
    "no_answer": "operation(s) without an answer",
}


def _missing(doc: ApiDocument) -> Finding | None:
    if doc.data is not None:
        return None
    tried = [Evidence(message=f"tried {line}") for line in doc.tried]
    return Finding(
        outcome=Outcome.FAIL,
        evidence=[Evidence(message=doc.problem or "no OpenAPI document"), *tried],
        hint=PUBLISH_HINT,
    )


def _status(call: Call) -> int | None:
    return call.fetched.status if call.fetched else None


def _violation_evidence(doc: ApiDocument, violation: Violation) -> Evidence:
    return Evidence(
        message=violation.message, path=doc.at(violation.pointer), value=violation.value
    )


def _scope_evidence(current: Plan, doc: ApiDocument, left_out: list[Planned]) -> list[Evidence]:
    notes: list[Evidence] = []
    if current.note:
        notes.append(Evidence(message=current.note, path=doc.url))
    notes.extend(
        Evidence(message=f"{p.operation.label}: not called ({p.skipped})", path=doc.url)
        for p in current.planned
        if p.skipped
    )
    if left_out:
        labels = ", ".join(p.operation.label for p in left_out[:10])
        notes.append(Evidence(
            message=f"needs credentials, none given (see --auth-header-env): {labels}",
            path=doc.url,
        ))
    if current.unsafe:
        notes.append(Evidence(
            message=f"{current.unsafe} operation(s) with other methods than GET/HEAD not called",
            path=doc.url,
        ))
    return notes


def _kind(spec: object) -> str:
    if not isinstance(spec, dict):
        return "?"
    kind = str(spec.get("type", "?"))
    return f"{kind} {spec['scheme']}" if isinstance(spec.get("scheme"), str) else kind


def _protection(call: Call) -> tuple[str, Evidence]:
    """'protected' (401/403), 'open' (2xx) or 'unclear' for one anonymous call."""
    label = f"{call.operation.method.upper()} {call.url}"
    fetched = call.fetched
    if fetched is None or fetched.status is None:
        reason = call.refused or (fetched.error if fetched else "not sent")
        return "unclear", Evidence(message=f"{label}: no answer ({reason})", path=call.url)
    status = fetched.status
    if status in (401, 403):
        challenge = fetched.header("www-authenticate")
        extra = f"; WWW-Authenticate: {challenge}" if challenge else ""
        return "protected", Evidence(
            message=f"{label} without credentials answered {status}{extra}",
            path=call.url, value=status,
        )
    if 200 <= status < 300:
        return "open", Evidence(
            message=f"{label} answered {status} without credentials although the document "
            f"requires {', '.join(sorted({n for r in call.operation.security for n in r}))}",
            path=call.url, value=status,
        )
    return "unclear", Evidence(
        message=f"{label} without credentials answered {status}: neither refused (401/403) "
        "nor served",
        path=call.url, value=status,
    )
