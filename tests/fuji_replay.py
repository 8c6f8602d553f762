"""A loopback stand-in for an F-UJI 3.5.1 server that replays responses recorded from a real one.

It checks requests the way F-UJI (connexion) does, per tests/data/fuji/SOURCE.md: HTTP Basic
auth (marvel/wonderwoman) else 401 problem+json; ``Accept`` exactly application/json or */*
else 400 with an empty body; a JSON Content-Type else 415; body field types else 400 with a
connexion-like detail. ``POST /evaluate`` answers with the recorded response of the requested
metric set, echoing the request as F-UJI does. Every request is recorded.

Faults, queued with :meth:`FujiReplay.fault` and used one per ``POST /evaluate``:
``crash`` (500 problem+json, as F-UJI's unhandled exceptions), ``unavailable`` (503),
``slow`` (waits ``slow_s`` before answering), ``malformed`` (200, truncated JSON),
``not_results`` (200, JSON that is no FAIRResults), ``reject`` (400 connexion detail),
``unresolved`` (200, the recorded answer as for an unreachable object: ``resolved_url``
"not defined", nothing scored). Otherwise ``resolved_url`` is the requested identifier, as it
was for the recorded landing pages. ``crash_suffixed_sets`` makes every metric set with a
``_suffix`` crash with 500, as released F-UJI 3.5.1 does; the recording was made on a server
with that fault corrected.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import http.server
import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

DATA = Path(__file__).parent / "data" / "fuji"
USER = "marvel"
PASSWORD = "wonderwoman"  # pragma: allowlist secret (F-UJI's shipped demo user)
PREFIX = "/fuji/api/v1"
RECORDED = {
    "metrics_v0.8": "sample-response.json",
    "metrics_v0.7_software": "sample-response-software.json",
}
DEFAULT_SET = "metrics_v0.8"
BOOLEAN_FIELDS = ("test_debug", "use_datacite", "use_github")
STRING_FIELDS = (
    "object_identifier",
    "metric_version",
    "metadata_service_endpoint",
    "metadata_service_type",
    "auth_token",
    "auth_token_type",
    "oaipmh_endpoint",
)
INTERNAL_ERROR = (
    "The server encountered an internal error and was unable to complete your request. "
    "Either the server is overloaded or there is an error in the application."
)


def recorded(metric_set: str) -> dict[str, Any]:
    """The response F-UJI 3.5.1 gave for ``metric_set`` (see tests/data/fuji/SOURCE.md)."""
    return json.loads((DATA / RECORDED[metric_set]).read_text(encoding="utf-8"))


def unresolved(response: dict[str, Any]) -> dict[str, Any]:
    """``response`` as F-UJI answers for an object it cannot reach: nothing found, no scores."""
    answer = copy.deepcopy(response)
    answer["resolved_url"] = "not defined"
    for result in answer["results"]:
        result.update(test_status="fail", maturity=0, output={})
        result["score"]["earned"] = 0
        for test in result["metric_tests"].values():
            test.update(metric_test_status="fail", metric_test_maturity=0)
            test["metric_test_score"]["earned"] = 0
    for measure in ("score_earned", "score_percent", "status_passed", "maturity"):
        answer["summary"][measure] = dict.fromkeys(answer["summary"][measure], 0)
    return answer


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def _problem(status: int, title: str, detail: str) -> bytes:
    return json.dumps(
        {"detail": detail, "status": status, "title": title, "type": "about:blank"}
    ).encode()


def _body_problem(body: object) -> str | None:
    """connexion's (jsonschema's) message for a body that does not fit the spec's schema."""
    if not isinstance(body, dict):
        return f"{body!r} is not of type 'object'"
    if "object_identifier" not in body:
        return "'object_identifier' is a required property"
    for name in BOOLEAN_FIELDS:
        if name in body and not isinstance(body[name], bool):
            return f"{body[name]!r} is not of type 'boolean' - '{name}'"
    for name in STRING_FIELDS:
        if name in body and not isinstance(body[name], str):
            return f"{body[name]!r} is not of type 'string' - '{name}'"
    return None


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that gave up (timeout tests) is expected: no traceback on stderr."""


class FujiReplay:
    """The server, its recorded requests and its queued faults."""

    def __init__(self) -> None:
        self.requests: list[Seen] = []
        self.faults: list[str] = []
        self.crash_suffixed_sets = False
        self.slow_s = 5.0
        self._release = threading.Event()
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}{PREFIX}"

    @property
    def evaluations(self) -> list[Seen]:
        return [r for r in self.requests if r.method == "POST" and r.path.endswith("/evaluate")]

    def fault(self, *kinds: str) -> None:
        self.faults.extend(kinds)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._release.set()
        self._server.shutdown()
        self._server.server_close()

    def _next_fault(self) -> str | None:
        with self._lock:
            return self.faults.pop(0) if self.faults else None

    def answer(self, headers: dict[str, str], raw: bytes) -> tuple[int, str, bytes]:
        """(status, content type, body) for ``POST /evaluate``."""
        if headers.get("Authorization") != "Basic " + base64.b64encode(
            f"{USER}:{PASSWORD}".encode()
        ).decode():
            detail = (
                "Provided authorization is not valid"
                if "Authorization" in headers
                else "No authorization token provided"
            )
            return 401, "application/problem+json", _problem(401, "Unauthorized", detail)
        if headers.get("Accept", "*/*") not in ("application/json", "*/*"):
            return 400, "text/html", b""
        ctype = headers.get("Content-Type", "")
        if ctype.split(";")[0].strip() != "application/json":
            detail = f"Invalid Content-type ({ctype}), expected JSON data"
            return 415, "application/problem+json", _problem(415, "Unsupported Media Type", detail)
        try:
            body = json.loads(raw)
        except ValueError:
            return 400, "application/problem+json", _problem(400, "Bad Request", "Invalid JSON")
        if problem := _body_problem(body):
            return 400, "application/problem+json", _problem(400, "Bad Request", problem)
        return self._evaluate(body)

    def _evaluate(self, body: dict[str, Any]) -> tuple[int, str, bytes]:
        fault = self._next_fault()
        metric_set = body.get("metric_version", DEFAULT_SET)
        crash = fault == "crash" or (
            self.crash_suffixed_sets and re.match(r"^metrics_v[0-9.]+_[a-z]+", metric_set)
        )
        if crash or metric_set not in RECORDED:
            error = _problem(500, "Internal Server Error", INTERNAL_ERROR)
            return 500, "application/problem+json", error
        if fault == "unavailable":
            return 503, "text/html", b"<html><body>503 Service Unavailable</body></html>"
        if fault == "reject":
            detail = "'no' is not of type 'boolean' - 'use_datacite'"
            return 400, "application/problem+json", _problem(400, "Bad Request", detail)
        if fault == "slow":
            self._release.wait(self.slow_s)
        response = recorded(metric_set)
        if fault == "unresolved":
            response = unresolved(response)
        response["request"] = body
        if response["resolved_url"] != "not defined":  # reached, as the recorded pages were
            response["resolved_url"] = body["object_identifier"]
        response["test_id"] = hashlib.sha1(body["object_identifier"].encode()).hexdigest()
        text = json.dumps(response)
        if fault == "malformed":
            text = text[: len(text) // 2]
        if fault == "not_results":
            text = json.dumps({"message": "evaluation queued", "request": body})
        return 200, "application/json", text.encode()

    def _handler(self) -> type[http.server.BaseHTTPRequestHandler]:
        replay = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                """Quiet: tests read ``replay.requests`` instead."""

            def _record(self) -> tuple[dict[str, str], bytes]:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                headers = dict(self.headers.items())
                replay.requests.append(Seen(self.command, self.path, headers, raw))
                return headers, raw

            def _send(self, status: int, ctype: str, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                if status == 401:
                    self.send_header("WWW-Authenticate", 'Basic realm="basic auth"')
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:
                headers, raw = self._record()
                if self.path == f"{PREFIX}/evaluate":
                    self._send(*replay.answer(headers, raw))
                else:
                    self._not_found()

            def do_GET(self) -> None:
                self._record()
                if self.path == f"{PREFIX}/openapi.json":
                    spec = yaml.safe_load((DATA / "openapi.yaml").read_text(encoding="utf-8"))
                    self._send(200, "application/json", json.dumps(spec, default=str).encode())
                else:
                    self._not_found()

            def _not_found(self) -> None:
                detail = (
                    "The requested URL was not found on the server. If you entered the URL "
                    "manually please check your spelling and try again."
                )
                self._send(404, "application/problem+json", _problem(404, "Not Found", detail))

        return Handler


@pytest.fixture(name="fuji_replay")
def fuji_replay_fixture() -> Iterator[FujiReplay]:
    """A running replay server; ``fuji_replay.base_url`` is its F-UJI API base URL."""
    replay = FujiReplay()
    replay.start()
    yield replay
    replay.stop()
