"""The service's OpenAPI document: found, parsed safely, validated, its operations listed.

The document comes from the service, so it is untrusted: JSON or YAML through
sqaaas.safeparse (values, alias expansion, nesting and integers bounded), and references are
resolved only inside the document — an external ``$ref`` (another URL, a local file) is
never fetched or opened.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

from sqaaas.facts.service.context import ServiceContext
from sqaaas.facts.service.settings import onboarding_settings
from sqaaas.net.http import RequestRefused
from sqaaas.safeparse import Limits, ParseError, ParseLimitError, load_json, load_yaml

#: where services usually publish their document, tried in order when none was named
WELL_KNOWN = (
    "/openapi.json",
    "/openapi.yaml",
    "/api/openapi.json",
    "/swagger.json",
    "/v3/api-docs",
    "/api-docs",
    "/swagger/v1/swagger.json",
)
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
MAX_NODES = 200_000
MAX_SPEC_ERRORS = 20
ACCEPT = "application/json, application/yaml;q=0.9, */*;q=0.1"


@dataclass(frozen=True)
class ApiDocument:
    """The parsed document and where it was found, or why none was found."""

    url: str | None
    data: dict[str, Any] | None
    problem: str | None = None
    tried: tuple[str, ...] = ()

    @property
    def version(self) -> str:
        if self.data is None:
            return ""
        return str(self.data.get("openapi") or self.data.get("swagger") or "")

    @property
    def swagger2(self) -> bool:
        return self.version.startswith("2")

    def at(self, pointer: str) -> str:
        """A URI for a location in the document: ``<document URL>#/paths/...``."""
        return f"{self.url}{pointer}"


@dataclass(frozen=True)
class Operation:
    """One documented operation with its parameters and effective security requirements."""

    method: str
    path: str
    spec: dict[str, Any]
    parameters: tuple[dict[str, Any], ...]
    security: tuple[dict[str, Any], ...]

    @property
    def pointer(self) -> str:
        return f"#/paths/{escape(self.path)}/{self.method}"

    @property
    def secured(self) -> bool:
        """Credentials required: some requirement, and no empty (anonymous) alternative."""
        return bool(self.security) and all(bool(req) for req in self.security)

    @property
    def label(self) -> str:
        return f"{self.method.upper()} {self.path}"


def escape(token: str) -> str:
    """JSON-pointer escaping of one reference token (RFC 6901)."""
    return token.replace("~", "~0").replace("/", "~1")


def unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def api_document(ctx: ServiceContext) -> ApiDocument:
    """Fetch the named document (--openapi, then the profile's ``openapi``) or a well-known one."""
    named = ctx.openapi_url or _profile_openapi(ctx)
    candidates = [urljoin(ctx.target + "/", named)] if named else [ctx.url(p) for p in WELL_KNOWN]
    tried: list[str] = []
    for url in candidates:
        try:
            page = ctx.http.get(url, headers={"Accept": ACCEPT})
        except RequestRefused as exc:
            tried.append(f"{url}: not requested ({exc})")
            continue
        if page.status is None:  # unreachable: the other paths would fail the same way
            tried.append(f"{url}: {page.error}")
            break
        if page.status != 200:
            tried.append(f"{url}: HTTP {page.status}")
            continue
        data, problem = parse_document(page.body)
        if data is None:
            tried.append(f"{page.url}: {problem}")
            continue
        return ApiDocument(page.url, data, None, tuple(tried))
    where = "at the named URL" if named else "at the usual paths"
    return ApiDocument(None, None, f"no OpenAPI document found {where}", tuple(tried))


def body_limits() -> Limits:
    """Parsing bounds of a document a service sends (its size is capped when it is read)."""
    return Limits(
        max_bytes=onboarding_settings().requests.max_body_bytes,
        max_nodes=MAX_NODES,
        max_alias_nodes=MAX_NODES,
    )


def parse_document(body: bytes) -> tuple[dict[str, Any] | None, str | None]:
    """The document as a mapping, or why it is not a usable OpenAPI/Swagger document."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return None, "not UTF-8 text"
    limits = body_limits()
    try:
        data = load_json(text, source="OpenAPI document", limits=limits)
    except ParseLimitError as exc:
        return None, exc.problem
    except ParseError:
        try:
            data = load_yaml(text, source="OpenAPI document", limits=limits)
        except ParseLimitError as exc:
            return None, exc.problem
        except ParseError as exc:
            return None, f"neither JSON nor YAML ({exc.problem})"
    if not isinstance(data, dict):
        return None, "not an OpenAPI document (not a mapping)"
    if not isinstance(data.get("openapi") or data.get("swagger"), str):
        return None, "not an OpenAPI document (no 'openapi' or 'swagger' version field)"
    return data, None


def spec_problems(data: dict[str, Any]) -> tuple[list[tuple[str, str]], str | None]:
    """(pointer, message) for each validation error, and why validation stopped early if it did.

    openapi-spec-validator checks the document against the OpenAPI 2.0/3.0/3.1 schemas plus
    the rules a schema cannot express (unique operationIds, declared path parameters...).
    """
    # imported here for start-up speed: the OpenAPI validator stack loads only when a document
    # is validated
    from jsonschema_path import SchemaPath
    from openapi_spec_validator.shortcuts import get_validator_cls
    from openapi_spec_validator.validation.exceptions import ValidatorDetectError

    try:
        validator_cls = get_validator_cls(data)
    except ValidatorDetectError:
        return [], f"unsupported OpenAPI version {data.get('openapi') or data.get('swagger')!r}"
    found: list[tuple[str, str]] = []
    spec = SchemaPath.from_dict(data, handlers=NoRetrieval())
    try:
        for error in validator_cls(spec).iter_errors():
            where = "#" + "".join(f"/{escape(str(step))}" for step in getattr(error, "path", ()))
            found.append((where, str(error.message).splitlines()[0][:300]))
            if len(found) >= MAX_SPEC_ERRORS:
                break
    except Exception as exc:  # the validator has many failure types; each stops it the same way
        return found, f"validation stopped: {type(exc).__name__}: {str(exc)[:200]}"
    return found, None


class NoRetrieval(dict):  # type: ignore[type-arg]
    """Resolver handlers for every URI scheme, each refusing: nothing outside the document."""

    def __contains__(self, scheme: object) -> bool:
        return True

    def __getitem__(self, scheme: str) -> Any:
        def refuse(uri: str) -> Any:
            raise ValueError(f"external reference {uri} not followed")

        return refuse


def external_refs(data: Any) -> list[str]:
    """Every ``$ref`` that points outside the document (a URL or another file)."""
    return sorted({ref for ref in _refs(data) if not ref.startswith("#")})


def resolve(data: dict[str, Any], obj: Any, pointer: str) -> tuple[Any, str]:
    """Follow local ``$ref`` chains from ``obj`` (found at ``pointer``): (target, its pointer)."""
    for _ in range(32):
        ref = obj.get("$ref") if isinstance(obj, dict) else None
        if not isinstance(ref, str) or not ref.startswith("#"):
            return obj, pointer
        target = lookup(data, ref)
        if target is None:
            return obj, pointer
        obj, pointer = target, ref
    return obj, pointer


def lookup(data: Any, pointer: str) -> Any:
    """The value at a local JSON pointer (``#/a/b``), or None."""
    node = data
    for token in pointer.lstrip("#").split("/")[1:]:
        key = unescape(token)
        if isinstance(node, dict) and key in node:
            node = node[key]
        elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
            node = node[int(key)]
        else:
            return None
    return node


def operations(data: dict[str, Any]) -> list[Operation]:
    """The documented operations, in document order, with inherited parameters and security."""
    paths = data.get("paths")
    default_security = _requirements(data.get("security"))
    found: list[Operation] = []
    if not isinstance(paths, dict):
        return found
    for path, item in paths.items():
        item = resolve(data, item, f"#/paths/{escape(str(path))}")[0]
        if not isinstance(item, dict):
            continue
        shared = _parameters(data, item.get("parameters"))
        for method in METHODS:
            spec = item.get(method)
            if not isinstance(spec, dict):
                continue
            own = _parameters(data, spec.get("parameters"))
            merged = {(p.get("name"), p.get("in")): p for p in (*shared, *own)}
            security = (
                _requirements(spec["security"]) if "security" in spec else default_security
            )
            found.append(Operation(method, str(path), spec, tuple(merged.values()), security))
    return found


def security_schemes(data: dict[str, Any]) -> dict[str, Any]:
    """Declared schemes: components.securitySchemes (3.x) or securityDefinitions (2.0)."""
    components = data.get("components")
    declared = components.get("securitySchemes") if isinstance(components, dict) else None
    if declared is None:
        declared = data.get("securityDefinitions")
    return declared if isinstance(declared, dict) else {}


def _profile_openapi(ctx: ServiceContext) -> str | None:
    value = (ctx.profile or {}).get("openapi")
    return value.strip() if isinstance(value, str) and value.strip() else None


def _parameters(data: dict[str, Any], raw: Any) -> list[dict[str, Any]]:
    if not isinstance(raw, list):
        return []
    resolved = (resolve(data, p, "")[0] for p in raw)
    return [p for p in resolved if isinstance(p, dict)]


def _requirements(raw: Any) -> tuple[dict[str, Any], ...]:
    if not isinstance(raw, list):
        return ()
    return tuple(req for req in raw if isinstance(req, dict))


def _refs(node: Any) -> Iterator[str]:
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            ref = current.get("$ref")
            if isinstance(ref, str):
                yield ref
            stack.extend(current.values())
        elif isinstance(current, list):
            stack.extend(current)
