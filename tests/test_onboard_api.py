"""SvcQC.Api/Fun/Sec02-03 against real loopback services: the OpenAPI document is found and
valid, the service keeps its contract, security is documented and enforced."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from sqaaas.core import registry
from sqaaas.core.outcomes import Evidence, Finding, Outcome
from sqaaas.facts.service.context import ServiceContext
from sqaaas.facts.service.contract import MAX_OPERATIONS
from sqaaas.facts.service.openapi import MAX_NODES, parse_document
from tests.service_servers import (  # noqa: F401  (fixtures)
    BAD_OPENAPI,
    GOOD_OPENAPI,
    TOKEN,
    Reply,
    RunningService,
    Site,
    api_site,
    bad_service_fixture,
    good_service_fixture,
    json_reply,
    service_context,
    service_factory_fixture,
    test_pki_fixture,
)

COUNT_SCHEMA = "#/paths/~1items/get/responses/200/content/application~1json/schema/properties/count"
Factory = Callable[..., RunningService]


def run(name: str, ctx: ServiceContext) -> Finding:
    return registry.get(name)(ctx)


def messages(finding: Finding) -> str:
    return "\n".join(f"{e.message} | {e.path}" for e in finding.evidence)


def evidence_with(finding: Finding, text: str) -> Evidence:
    return next(e for e in finding.evidence if text in e.message)


def good_ctx(service: RunningService, **kwargs: Any) -> ServiceContext:
    return service_context(service.url, ca_file=service.ca_file, **kwargs)


def minimal(paths: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": paths, **extra}


def get_op(schema: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    response: dict[str, Any] = {"description": "ok"}
    if schema is not None:
        response["content"] = {"application/json": {"schema": schema}}
    return {"get": {"responses": {"200": response}, **extra}}


# ---------------------------------------------------------------- the document


def test_openapi_valid_passes_on_good_document(good_service: RunningService) -> None:
    finding = run("svc.api.openapi_valid", good_ctx(good_service))
    assert finding.outcome is Outcome.PASS, messages(finding)
    assert finding.evidence[0].path == good_service.link("/openapi.json")
    assert finding.evidence[0].value == "3.0.3"
    assert "7 operation(s)" in finding.evidence[0].message


def test_openapi_valid_fails_with_the_invalid_location(service_factory: Factory) -> None:
    document = minimal({"/things": {"get": {"responses": {"200": {"content": {}}}}}})
    service = service_factory(api_site(document))
    finding = run("svc.api.openapi_valid", service_context(service.url))
    assert finding.outcome is Outcome.FAIL
    problem = finding.evidence[0]
    assert problem.path == service.link("/openapi.json") + "#/paths/~1things/get/responses/200"
    assert problem.message.startswith("invalid:")


def test_openapi_valid_fails_when_no_document_is_found(service_factory: Factory) -> None:
    service = service_factory(Site({"/": lambda _h: Reply(200, b"hello")}))
    finding = run("svc.api.openapi_valid", service_context(service.url))
    assert finding.outcome is Outcome.FAIL
    assert finding.evidence[0].message == "no OpenAPI document found at the usual paths"
    assert f"tried {service.link('/openapi.json')}: HTTP 404" in messages(finding)
    assert "--openapi" in (finding.hint or "")


def test_yaml_document_found_at_a_well_known_path(service_factory: Factory) -> None:
    yaml_doc = (
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\n"
        "paths:\n  /ping:\n    get:\n      responses:\n        '200': {description: pong}\n"
    )
    service = service_factory(api_site(yaml_doc, at="/openapi.yaml"))
    finding = run("svc.api.openapi_valid", service_context(service.url))
    assert finding.outcome is Outcome.PASS, messages(finding)
    assert finding.evidence[0].path == service.link("/openapi.yaml")


def test_named_document_is_the_only_one_tried(service_factory: Factory) -> None:
    service = service_factory(api_site(GOOD_OPENAPI, at="/spec/v1.json"))
    ctx = service_context(service.url, openapi_url=service.link("/spec/v1.json"))
    assert run("svc.api.openapi_valid", ctx).outcome is Outcome.PASS
    ctx = service_context(service.url, profile={"openapi": service.link("/nope.json")})
    finding = run("svc.api.openapi_valid", ctx)
    assert finding.outcome is Outcome.FAIL
    assert "at the named URL" in finding.evidence[0].message
    assert [p for _, p, _ in service.site.requests if p.startswith("/openapi")] == []


def test_external_references_are_never_followed(service_factory: Factory) -> None:
    """A document pointing at a local file or another URL: nothing is read or fetched."""
    bait = service_factory(Site({"/schema.json": lambda _h: json_reply({"type": "string"})}))
    document = minimal({
        "/a": get_op({"$ref": "file:///etc/passwd#/x"}),
        "/b": get_op({"$ref": bait.link("/schema.json")}),
    })

    def answer(_handler: object) -> Reply:
        return json_reply("text")

    service = service_factory(api_site(document, {"/a": answer, "/b": answer}))
    ctx = service_context(service.url)
    finding = run("svc.api.openapi_valid", ctx)
    assert finding.outcome is Outcome.ERROR
    assert "external reference not followed: file:///etc/passwd#/x" in messages(finding)
    assert "validation stopped: Unresolvable" in messages(finding)
    contract = run("svc.api.contract", ctx)
    assert contract.outcome is Outcome.PASS, messages(contract)
    unchecked = evidence_with(contract, f"GET {service.link('/a')}: body not checked")
    assert unchecked.path.endswith("#/paths/~1a/get/responses/200/content/application~1json/schema")
    assert "root:" not in messages(finding) + messages(contract)
    assert bait.site.requests == []


def test_yaml_alias_bomb_is_refused() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(8)
    ) + "openapi: 3.0.3\n"
    data, problem = parse_document(bomb.encode())
    assert data is None
    assert problem.startswith(f"more than {MAX_NODES} nodes once YAML aliases are expanded")


# ---------------------------------------------------------------- the contract


def test_contract_passes_on_good_service(good_service: RunningService) -> None:
    finding = run("svc.api.contract", good_ctx(good_service))
    assert finding.outcome is Outcome.PASS, messages(finding)
    kept = evidence_with(finding, f"GET {good_service.link('/items')} answered 200")
    assert kept.path == good_service.link("/items") and kept.value == 200
    assert evidence_with(finding, f"GET {good_service.link('/items/1')} answered 200")
    assert "needs credentials, none given" in evidence_with(finding, "GET /private").message
    assert "other methods than GET/HEAD not called" in messages(finding)


def test_contract_fails_on_bad_service_with_schema_path(bad_service: RunningService) -> None:
    finding = run("svc.api.contract", service_context(bad_service.url))
    assert finding.outcome is Outcome.FAIL
    doc = bad_service.link("/openapi.json")
    schema = evidence_with(finding, f"GET {bad_service.link('/items')}: body/count")
    assert schema.path == doc + COUNT_SCHEMA
    assert schema.value == '"three"'
    assert "is not of type 'integer'" in schema.message
    server_error = evidence_with(finding, "answered 500 (a server error)")
    assert server_error.path == doc + "#/paths/~1broken/get/responses"
    assert server_error.value == 500
    undocumented = evidence_with(finding, "which the document does not list")
    assert "(documented: 200)" in undocumented.message
    summary = finding.evidence[0]
    assert "1 schema violation(s)" in summary.message
    assert "1 undocumented status(es)" in summary.message
    assert "1 server error(s) (5xx)" in summary.message


def test_contract_locates_violations_inside_referenced_schemas(service_factory: Factory) -> None:
    site = api_site(GOOD_OPENAPI, {
        "/items": lambda _h: json_reply({"count": 1, "items": [{"id": "one", "name": "a"}]}),
        "/items/1": lambda _h: json_reply({"id": 1}),
    })
    service = service_factory(site)
    finding = run("svc.api.contract", service_context(service.url))
    assert finding.outcome is Outcome.FAIL
    doc = service.link("/openapi.json")
    wrong_type = evidence_with(finding, "body/items/0/id")
    assert wrong_type.path == doc + "#/components/schemas/Item/properties/id"
    missing = evidence_with(finding, "'name' is a required property")
    assert missing.path == doc + "#/components/schemas/Item"


def test_contract_accepts_nullable_and_checks_content_type(service_factory: Factory) -> None:
    site = api_site(GOOD_OPENAPI, {
        "/items": lambda _h: json_reply({"count": 0, "items": []}),
        "/items/1": lambda _h: json_reply({"id": 1, "name": "a", "note": None}),
        "/healthz": lambda _h: Reply(200, b"<p>ok</p>"),
        "/metrics": lambda _h: Reply(200, b"up 1\n", "text/plain"),
    })
    service = service_factory(site)
    finding = run("svc.api.contract", service_context(service.url))
    assert finding.outcome is Outcome.FAIL
    wrong = evidence_with(finding, "Content-Type text/html")
    assert "(documented: application/json)" in wrong.message
    assert wrong.path.endswith("#/paths/~1healthz/get/responses/200/content")
    # the null "note" of /items/1 is allowed (nullable: true): no violation reported for it
    assert not [e for e in finding.evidence if "/items/1" in e.message]


def test_contract_uses_credentials_only_when_given(service_factory: Factory,
                                                   good_service: RunningService) -> None:
    ctx = good_ctx(good_service, auth_header=TOKEN)
    before = len(good_service.site.requests)
    finding = run("svc.api.contract", ctx)
    assert finding.outcome is Outcome.PASS, messages(finding)
    assert evidence_with(finding, f"GET {good_service.link('/private')} answered 200")
    sent = good_service.site.requests[before:]
    with_token = [(m, p) for m, p, auth in sent if auth]
    assert with_token == [("GET", "/private")]


def test_contract_sends_only_get_and_head(good_service: RunningService) -> None:
    before = len(good_service.site.requests)
    run("svc.api.contract", good_ctx(good_service))
    methods = {m for m, _, _ in good_service.site.requests[before:]}
    assert methods <= {"GET", "HEAD"}
    assert "HEAD" in methods


def test_contract_is_bounded(service_factory: Factory) -> None:
    paths = {f"/op{i}": get_op() for i in range(MAX_OPERATIONS + 10)}
    routes = {f"/op{i}": (lambda _h: json_reply({})) for i in range(MAX_OPERATIONS + 10)}
    service = service_factory(api_site(minimal(paths), routes))
    finding = run("svc.api.contract", service_context(service.url))
    assert finding.outcome is Outcome.PASS, messages(finding)
    called = [p for _, p, _ in service.site.requests if p[3:].isdigit()]
    assert len(called) == MAX_OPERATIONS
    assert evidence_with(finding, f"beyond the limit of {MAX_OPERATIONS}")


def test_contract_skips_parameters_without_examples(service_factory: Factory) -> None:
    document = minimal({"/users/{user}": {
        "get": {
            "parameters": [{"name": "user", "in": "path", "required": True,
                            "schema": {"type": "string"}}],
            "responses": {"200": {"description": "a user"}},
        },
    }})
    service = service_factory(api_site(document))
    finding = run("svc.api.contract", service_context(service.url))
    assert finding.outcome is Outcome.NOT_APPLICABLE
    skipped = evidence_with(finding, "GET /users/{user}: not called")
    assert "required path parameter 'user' has no example" in skipped.message
    assert [p for _, p, _ in service.site.requests if p.startswith("/users")] == []


# ---------------------------------------------------------------- security


def test_protected_endpoints_answer_401(good_service: RunningService) -> None:
    before = len(good_service.site.requests)
    finding = run("svc.auth.protected_endpoints", good_ctx(good_service))
    assert finding.outcome is Outcome.PASS, messages(finding)
    refused = finding.evidence[0]
    assert refused.path == good_service.link("/private")
    assert refused.value == 401
    assert "WWW-Authenticate: Bearer" in refused.message
    assert all(auth is None for _, _, auth in good_service.site.requests[before:])


def test_protected_endpoint_open_to_anyone_fails(bad_service: RunningService) -> None:
    finding = run("svc.auth.protected_endpoints", service_context(bad_service.url))
    assert finding.outcome is Outcome.FAIL
    open_door = finding.evidence[0]
    assert open_door.path == bad_service.link("/admin")
    assert open_door.value == 200
    assert "without credentials although the document requires bearerAuth" in open_door.message


def test_protected_endpoints_not_applicable_without_security(service_factory: Factory) -> None:
    service = service_factory(api_site(minimal({"/ping": get_op()})))
    finding = run("svc.auth.protected_endpoints", service_context(service.url))
    assert finding.outcome is Outcome.NOT_APPLICABLE
    assert "marks no operation as requiring credentials" in finding.evidence[0].message


def test_security_documented_passes(good_service: RunningService) -> None:
    finding = run("svc.api.security_documented", good_ctx(good_service))
    assert finding.outcome is Outcome.PASS, messages(finding)
    assert finding.evidence[0].value == ["bearerAuth"]
    assert finding.evidence[0].path.endswith("/openapi.json#/components/securitySchemes")


def test_security_documented_fails_without_schemes(service_factory: Factory) -> None:
    service = service_factory(api_site(minimal({"/ping": get_op()})))
    finding = run("svc.api.security_documented", service_context(service.url))
    assert finding.outcome is Outcome.FAIL
    where = service.link("/openapi.json") + "#/components/securitySchemes"
    assert finding.evidence[0].path == where
    assert "declares no security scheme" in finding.evidence[0].message


def test_security_documented_fails_on_undeclared_scheme(service_factory: Factory) -> None:
    document = copy.deepcopy(BAD_OPENAPI)
    document["paths"]["/admin"]["get"]["security"] = [{"apiKey": []}]
    service = service_factory(api_site(document))
    finding = run("svc.api.security_documented", service_context(service.url))
    assert finding.outcome is Outcome.FAIL
    undeclared = finding.evidence[0]
    assert undeclared.value == "apiKey"
    assert undeclared.path == service.link("/openapi.json") + "#/paths/~1admin/get/security"


def test_swagger2_document_base_path_and_definitions(service_factory: Factory) -> None:
    document = {
        "swagger": "2.0",
        "info": {"title": "legacy", "version": "1"},
        "basePath": "/v1",
        "paths": {"/count": {"get": {
            "produces": ["application/json"],
            "responses": {"200": {"description": "n", "schema": {"$ref": "#/definitions/N"}}},
        }}},
        "definitions": {"N": {"type": "object", "properties": {"n": {"type": "integer"}}}},
    }
    service = service_factory(api_site(document, {"/v1/count": lambda _h: json_reply({"n": "2"})},
                                       at="/swagger.json"))
    ctx = service_context(service.url)
    assert run("svc.api.openapi_valid", ctx).outcome is Outcome.PASS
    finding = run("svc.api.contract", ctx)
    assert finding.outcome is Outcome.FAIL
    wrong = evidence_with(finding, f"GET {service.link('/v1/count')}: body/n")
    assert wrong.path == service.link("/swagger.json") + "#/definitions/N/properties/n"
