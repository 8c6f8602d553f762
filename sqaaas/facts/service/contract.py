"""Safe contract checks: documented GET/HEAD operations called and their answers compared
with the OpenAPI document (status documented? body valid against the response schema?).

Only GET and HEAD are ever sent, at most MAX_OPERATIONS of them, each only when every
required parameter has an example or default in the document. Operations that need
credentials are called without them (what svc.auth.protected_endpoints judges) and, when the
user gave credentials, once more with them (what the contract check judges).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode, urljoin, urlsplit

from sqaaas.facts.service.context import ServiceContext
from sqaaas.facts.service.openapi import (
    ApiDocument,
    Operation,
    api_document,
    body_limits,
    escape,
    lookup,
    resolve,
)
from sqaaas.facts.service.openapi import operations as documented_operations
from sqaaas.net.http import Fetched, RequestRefused
from sqaaas.safeparse import ParseError, ParseLimitError, load_json

MAX_OPERATIONS = 30
SAFE_METHODS = ("get", "head")
MAX_VIOLATIONS_PER_CALL = 5
SCALAR = (str, int, float, bool)
#: a response schema that could not be evaluated (external $ref...): noted, not a violation
UNCHECKED = "unchecked"


@dataclass(frozen=True)
class Planned:
    """A safe operation and the URL to call, or why it is not called."""

    operation: Operation
    url: str | None
    headers: tuple[tuple[str, str], ...] = ()
    skipped: str | None = None


@dataclass(frozen=True)
class Call:
    planned: Planned
    with_auth: bool
    fetched: Fetched | None
    refused: str | None = None

    @property
    def operation(self) -> Operation:
        return self.planned.operation

    @property
    def url(self) -> str:
        return self.planned.url or ""


@dataclass(frozen=True)
class Violation:
    """One way an answer breaks the contract; ``pointer`` locates the rule in the document."""

    kind: str  # schema | undocumented_status | server_error | content_type | no_answer | UNCHECKED
    message: str
    pointer: str
    value: str | int | None = None


@dataclass(frozen=True)
class Plan:
    base: str | None
    note: str | None
    planned: tuple[Planned, ...]
    unsafe: int  # documented operations never sent (not GET/HEAD)


def plan(ctx: ServiceContext) -> Plan:
    """Which safe operations are called, and at which URLs (memoise with ctx.fact)."""
    doc = ctx.fact(api_document)
    if doc.data is None or doc.url is None:
        return Plan(None, None, (), 0)
    base, note = _base_url(ctx, doc)
    all_ops = documented_operations(doc.data)
    safe = [op for op in all_ops if op.method in SAFE_METHODS]
    planned: list[Planned] = []
    for op in safe:
        if sum(1 for p in planned if p.url) >= MAX_OPERATIONS:
            planned.append(Planned(op, None, skipped=f"beyond the limit of {MAX_OPERATIONS}"))
            continue
        planned.append(_plan_one(base, op))
    return Plan(base, note, tuple(planned), len(all_ops) - len(safe))


def anonymous_calls(ctx: ServiceContext) -> tuple[Call, ...]:
    """Every planned operation called once without credentials."""
    return tuple(_call(ctx, p, with_auth=False) for p in ctx.fact(plan).planned if p.url)


def authenticated_calls(ctx: ServiceContext) -> tuple[Call, ...]:
    """Operations needing credentials called with the user's, when the user gave some."""
    if not ctx.http.auth_header:
        return ()
    chosen = [p for p in ctx.fact(plan).planned if p.url and p.operation.secured]
    return tuple(_call(ctx, p, with_auth=True) for p in chosen)


def contract_calls(ctx: ServiceContext) -> tuple[list[Call], list[Planned]]:
    """(calls the contract is judged on, secured operations left out for lack of credentials)."""
    anonymous = [c for c in ctx.fact(anonymous_calls) if not c.operation.secured]
    authenticated = list(ctx.fact(authenticated_calls))
    left_out = [] if ctx.http.auth_header else [
        p for p in ctx.fact(plan).planned if p.url and p.operation.secured
    ]
    return anonymous + authenticated, left_out


def check_call(doc: ApiDocument, call: Call) -> list[Violation]:
    """How one answer breaks the documented contract (empty when it keeps it)."""
    op = call.operation
    fetched = call.fetched
    if doc.data is None:
        return []
    if fetched is None or fetched.status is None:
        reason = call.refused or (fetched.error if fetched else "not sent")
        return [Violation("no_answer", f"{op.method.upper()} {call.url}: {reason}", op.pointer)]
    status = fetched.status
    found: list[Violation] = []
    if status >= 500:
        found.append(Violation(
            "server_error",
            f"{op.method.upper()} {call.url} answered {status} (a server error)",
            f"{op.pointer}/responses", status,
        ))
    response, pointer = _documented_response(doc.data, op, status)
    if response is None:
        listed = ", ".join(_response_keys(op)) or "none"
        found.append(Violation(
            "undocumented_status",
            f"{op.method.upper()} {call.url} answered {status}, which the document does not "
            f"list (documented: {listed})",
            f"{op.pointer}/responses", status,
        ))
        return found
    if op.method == "head" or not fetched.body:
        return found
    body = _body_violations(doc, doc.data, call, fetched, response, pointer)
    found.extend(body[:MAX_VIOLATIONS_PER_CALL])
    return found


def _base_url(ctx: ServiceContext, doc: ApiDocument) -> tuple[str, str | None]:
    """The server URL operations are relative to; the target when the documented one is off
    the allowed hosts (a document naming http://localhost:8000 is common)."""
    data = doc.data or {}
    doc_url = doc.url or ctx.target
    if doc.swagger2:
        schemes = data.get("schemes") if isinstance(data.get("schemes"), list) else []
        scheme = "https" if "https" in schemes else (schemes[0] if schemes else None)
        parts = urlsplit(doc_url)
        host = data.get("host") if isinstance(data.get("host"), str) else parts.netloc
        base_path = data.get("basePath") if isinstance(data.get("basePath"), str) else ""
        documented = f"{scheme or parts.scheme}://{host}{base_path}"
    else:
        documented = urljoin(doc_url, _server_url(data))
    try:
        ctx.http.check_host(documented)
    except RequestRefused as exc:
        fallback = ctx.target.rstrip("/") + urlsplit(documented).path
        return fallback, f"documented server {documented} not used ({exc}); using {fallback}"
    return documented, None


def _server_url(data: dict[str, Any]) -> str:
    servers = data.get("servers")
    first = servers[0] if isinstance(servers, list) and servers else None
    if not isinstance(first, dict) or not isinstance(first.get("url"), str):
        return "/"
    url = first["url"]
    variables = first.get("variables") if isinstance(first.get("variables"), dict) else {}
    for name, spec in variables.items():
        if isinstance(spec, dict) and isinstance(spec.get("default"), SCALAR):
            url = url.replace("{" + str(name) + "}", str(spec["default"]))
    return url


def _plan_one(base: str, op: Operation) -> Planned:
    path = op.path
    query: list[tuple[str, str]] = []
    headers: list[tuple[str, str]] = []
    for param in op.parameters:
        name, where = str(param.get("name")), param.get("in")
        required = where == "path" or param.get("required") is True
        if not required:
            continue
        value = _example(param)
        if value is None:
            return Planned(op, None, skipped=f"required {where} parameter '{name}' has no example")
        if where == "path":
            path = path.replace("{" + name + "}", quote(value, safe=""))
        elif where == "query":
            query.append((name, value))
        elif where == "header":
            headers.append((name, value))
        else:
            return Planned(op, None, skipped=f"required {where} parameter '{name}'")
    if re.search(r"\{[^}]*\}", path):
        return Planned(op, None, skipped="path template not fully described by parameters")
    url = base.rstrip("/") + "/" + path.lstrip("/")
    if query:
        url += "?" + urlencode(query)
    return Planned(op, url, tuple(headers))


def _example(param: dict[str, Any]) -> str | None:
    """A documented value for a parameter: example(s), then the schema's example/default/enum."""
    schema = param.get("schema") if isinstance(param.get("schema"), dict) else param
    examples = param.get("examples")
    candidates: list[Any] = [param.get("example"), param.get("x-example")]
    if isinstance(examples, dict):
        candidates.extend(e.get("value") for e in examples.values() if isinstance(e, dict))
    candidates.extend([schema.get("example"), schema.get("default")])
    enum = schema.get("enum")
    if isinstance(enum, list) and enum:
        candidates.append(enum[0])
    for value in candidates:
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, SCALAR):
            return str(value)
    return None


def _call(ctx: ServiceContext, planned: Planned, *, with_auth: bool) -> Call:
    try:
        fetched = ctx.http.request(
            planned.operation.method.upper(),
            planned.url or ctx.target,
            with_auth=with_auth,
            headers={"Accept": "application/json, */*;q=0.5", **dict(planned.headers)},
        )
    except RequestRefused as exc:
        return Call(planned, with_auth, None, f"not requested: {exc}")
    return Call(planned, with_auth, fetched)


def _response_keys(op: Operation) -> list[str]:
    responses = op.spec.get("responses")
    return [str(key) for key in responses] if isinstance(responses, dict) else []


def _documented_response(
    data: dict[str, Any], op: Operation, status: int
) -> tuple[dict[str, Any] | None, str]:
    """The response object for ``status`` (exact code, then 5XX-style range, then default)."""
    responses = op.spec.get("responses")
    if not isinstance(responses, dict):
        return None, ""
    by_key = {str(key).upper(): key for key in responses}
    for wanted in (str(status), f"{status // 100}XX", "DEFAULT"):
        if wanted in by_key:
            key = by_key[wanted]
            pointer = f"{op.pointer}/responses/{escape(str(key))}"
            response, pointer = resolve(data, responses[key], pointer)
            return (response if isinstance(response, dict) else {}), pointer
    return None, ""


def _is_json(media: str) -> bool:
    base = media.split(";", 1)[0].strip().lower()
    return base == "application/json" or base.endswith("+json")


def _response_schema(
    doc: ApiDocument, response: dict[str, Any], pointer: str, media: str
) -> tuple[Any, str, str | None]:
    """(schema, its pointer, problem) for the answer's media type."""
    if doc.swagger2:
        schema = response.get("schema")
        return schema, f"{pointer}/schema", None
    content = response.get("content")
    if not isinstance(content, dict) or not content:
        return None, "", None
    base = media.split(";", 1)[0].strip().lower()
    keys = {str(k).lower(): str(k) for k in content}
    chosen = keys.get(base)
    if chosen is None and _is_json(base):
        chosen = next((orig for low, orig in keys.items() if _is_json(low)), None)
    if chosen is None:
        chosen = keys.get(f"{base.split('/')[0]}/*") or keys.get("*/*")
    if chosen is None:
        listed = ", ".join(keys.values())
        problem = f"Content-Type {base or 'missing'} (documented: {listed})"
        return None, f"{pointer}/content", problem
    entry = content[chosen]
    schema = entry.get("schema") if isinstance(entry, dict) else None
    return schema, f"{pointer}/content/{escape(chosen)}/schema", None


def _body_violations(
    doc: ApiDocument,
    data: dict[str, Any],
    call: Call,
    fetched: Fetched,
    response: dict[str, Any],
    pointer: str,
) -> list[Violation]:
    media = fetched.header("content-type") or ""
    schema, schema_pointer, problem = _response_schema(doc, response, pointer, media)
    label = f"{call.operation.method.upper()} {call.url}"
    if problem:
        return [Violation("content_type", f"{label}: {problem}", pointer.rstrip("/") + "/content")]
    if schema is None or not _is_json(media):
        return []
    try:
        body = load_json(fetched.body, source=label, limits=body_limits())
    except ParseLimitError as exc:  # not checked, which is not a violation
        reason = exc.problem
        return [Violation(UNCHECKED, f"{label}: body not checked ({reason})", schema_pointer)]
    except ParseError:
        return [Violation("schema", f"{label}: the body is not valid JSON", schema_pointer)]
    # imported here for start-up speed: the JSON Schema stack loads only when a body is checked
    from jsonschema.exceptions import SchemaError
    from referencing.exceptions import Unresolvable

    try:
        errors = sorted(
            _validator(doc, schema_pointer).iter_errors(body), key=lambda e: list(map(str, e.path))
        )
    except (Unresolvable, SchemaError, re.error, TypeError, ValueError) as exc:
        reason = f"{type(exc).__name__}: {str(exc)[:200]}"
        return [Violation(UNCHECKED, f"{label}: body not checked ({reason})", schema_pointer)]
    found = []
    for error in errors:
        at = "/" + "/".join(escape(str(step)) for step in error.absolute_path)
        found.append(Violation(
            "schema",
            f"{label}: body{at if at != '/' else ''} {_short(error.instance)} breaks the "
            f"schema: {error.message[:200]}",
            _schema_location(data, schema_pointer, list(error.schema_path), error.validator),
            _short(error.instance),
        ))
    return found


def _validator(doc: ApiDocument, schema_pointer: str) -> Any:
    """An OpenAPI-flavoured JSON Schema validator (nullable, 3.1 dialect...) resolving $refs
    inside the document only."""
    # imported here for start-up speed: needed only when a body is checked
    from openapi_schema_validator import (
        OAS30Validator,
        OAS31Validator,
        oas30_format_checker,
        oas31_format_checker,
    )
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT4, DRAFT202012

    v31 = doc.version.startswith("3.1")
    spec = DRAFT202012 if v31 else DRAFT4
    uri = "urn:sqaaas:openapi-document"
    registry: Registry[Any] = Registry().with_resource(uri, Resource(doc.data, spec))
    cls, checker = (OAS31Validator, oas31_format_checker) if v31 else (
        OAS30Validator, oas30_format_checker
    )
    return cls({"$ref": uri + schema_pointer}, registry=registry, format_checker=checker)


def _schema_location(data: Any, base: str, schema_path: list[Any], keyword: Any) -> str:
    """The pointer of the (sub)schema whose ``keyword`` failed, following local $refs."""
    pointer, node = base, lookup(data, base)
    steps = list(schema_path)
    for index, step in enumerate(steps):
        key = str(step)
        for _ in range(32):
            if isinstance(node, dict) and key not in node and isinstance(node.get("$ref"), str):
                target = lookup(data, node["$ref"]) if node["$ref"].startswith("#") else None
                if target is None:
                    break
                pointer, node = node["$ref"], target
            else:
                break
        if index == len(steps) - 1 and step == keyword:
            break
        if isinstance(node, dict) and key in node:
            node = node[key]
        elif isinstance(node, list) and isinstance(step, int) and step < len(node):
            node = node[step]
        else:
            node = None
        pointer = f"{pointer}/{escape(key)}"
    return pointer


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 80 else text[:77] + "..."
