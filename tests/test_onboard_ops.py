"""SvcQC.Mon/Met/Per on real loopback services, and SvcQC.Dep/Sec07 on real deployment
repositories (git repositories built in the test)."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sqaaas.acquire import acquire
from sqaaas.context import make_context
from sqaaas.core import registry
from sqaaas.core.outcomes import Finding, Outcome
from sqaaas.facts.service.context import ServiceContext
from sqaaas.facts.service.prometheus import ExpositionError, parse_exposition
from sqaaas.facts.service.settings import onboarding_settings
from sqaaas.probes.service import ops as svc_ops
from sqaaas.probes.service.ops import nearest_rank
from tests.containers_support import in_containers
from tests.service_servers import (  # noqa: F401  (fixtures)
    METRICS,
    TOKEN,
    Reply,
    RunningService,
    Site,
    complete_profile,
    good_service_fixture,
    json_reply,
    page,
    service_context,
    service_factory_fixture,
    test_pki_fixture,
)

Factory = Callable[..., RunningService]
COMPOSE = """\
services:
  web:
    image: registry.example/analysis:1.4.2
    ports: ["443:8443"]
"""
MOLECULE = """\
driver:
  name: docker
platforms:
  - name: instance
    image: debian:12
"""
SCENARIO = "roles/web/molecule/default/molecule.yml"


def role_with_molecule(molecule: str = MOLECULE) -> dict[str, str]:
    """An Ansible role with a Molecule scenario: deployment code whose tests can check
    idempotence (SvcQC.Dep03.1)."""
    task = "- name: install\n  ansible.builtin.package: {name: nginx}\n"
    return {"roles/web/tasks/main.yml": task, SCENARIO: molecule}


def run(name: str, ctx: ServiceContext) -> Finding:
    return registry.get(name)(ctx)


def messages(finding: Finding) -> str:
    return "\n".join(e.message for e in finding.evidence)


def ctx_for(service: RunningService, profile: dict[str, Any] | None = None,
            **kw: Any) -> ServiceContext:
    return service_context(service.url, ca_file=service.ca_file, profile=profile, **kw)


# ---------------------------------------------------------------- Prometheus format


def test_exposition_with_types_labels_and_timestamps_parses() -> None:
    text = METRICS + (
        "# TYPE latency_seconds histogram\n"
        'latency_seconds_bucket{le="0.1"} 3\n'
        'latency_seconds_bucket{le="+Inf"} 5\n'
        "latency_seconds_sum 0.7\n"
        "latency_seconds_count 5\n"
        'escaped{path="C:\\\\dir",msg="say \\"hi\\"\\n"} NaN 1395066363000\n'
        "# EOF\n"
    )
    parsed = parse_exposition(text)
    assert parsed.families == {
        "escaped": "untyped",
        "http_requests_total": "counter",
        "latency_seconds": "histogram",
        "process_start_time_seconds": "gauge",
    }
    assert parsed.samples == 7


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        ("<!doctype html><html></html>", 1, "not a sample line"),
        ('{"requests": 42}', 1, "not a sample line"),
        ("up 1_000", 1, "is not a number"),
        ("up 1\n# TYPE up gauge", 2, "TYPE for up after its samples"),
        ("# TYPE up gauge\n# TYPE up counter\nup 1", 2, "second TYPE"),
        ("# TYPE up meter\nup 1", 1, "unknown metric type"),
        ('up{job=x} 1', 1, "malformed labels"),
        ('up{a="1",a="2"} 1', 1, "malformed labels"),
        ("# TYPE h histogram\nh_bucket 1", 2, "without an 'le' label"),
        ("up 1 yesterday", 1, "timestamp"),
        ("up 1\n# EOF\nup 2", 3, "after '# EOF'"),
        ("# just a comment\n", 1, "no samples"),
    ],
)
def test_malformed_expositions_name_the_line(text: str, line: int, problem: str) -> None:
    with pytest.raises(ExpositionError) as caught:
        parse_exposition(text)
    assert caught.value.line == line
    assert problem in str(caught.value)


# ---------------------------------------------------------------- health


def test_declared_health_endpoint_passes(good_service: RunningService) -> None:
    finding = run("svc.mon.health", ctx_for(good_service, complete_profile(good_service)))
    assert finding.outcome is Outcome.PASS
    assert finding.evidence[0].value == good_service.link("/healthz")
    assert "declared health_endpoint" in finding.evidence[0].message
    assert finding.evidence[0].excerpt == '{"status": "ok"}'


def test_well_known_health_path_is_found(service_factory: Factory) -> None:
    site = Site({"/health": lambda _h: json_reply({"status": "UP"})})
    service = service_factory(site)
    finding = run("svc.mon.health", ctx_for(service))
    assert finding.outcome is Outcome.PASS
    assert finding.evidence[0].value == service.link("/health")
    assert [p for _m, p, _a in site.requests] == ["/healthz", "/health"]


def test_no_health_endpoint_fails_listing_what_was_tried(service_factory: Factory) -> None:
    site = Site({"/": lambda _h: page("Home", "no health here")})
    service = service_factory(site)
    finding = run("svc.mon.health", ctx_for(service))
    assert finding.outcome is Outcome.FAIL
    tried = [e.value for e in finding.evidence[1:]]
    assert tried == [service.link(p) for p in onboarding_settings().health.paths]
    assert all("HTTP 404" in e.message for e in finding.evidence[1:])
    assert finding.hint is not None and "health_endpoint" in finding.hint


def test_health_document_reporting_down_fails(service_factory: Factory) -> None:
    site = Site({"/healthz": lambda _h: json_reply({"status": "DOWN", "db": "unreachable"})})
    service = service_factory(site)
    finding = run("svc.mon.health", ctx_for(service))
    assert finding.outcome is Outcome.FAIL
    assert "reports status 'DOWN'" in finding.evidence[0].message
    assert finding.evidence[0].value == service.link("/healthz")


def test_declared_health_endpoint_is_not_replaced_by_guesses(service_factory: Factory) -> None:
    site = Site({"/healthz": lambda _h: json_reply({"status": "ok"}),
                 "/ready": lambda _h: Reply(503, b"starting", "text/plain")})
    service = service_factory(site)
    finding = run("svc.mon.health", ctx_for(service, {"health_endpoint": "/ready"}))
    assert finding.outcome is Outcome.FAIL
    assert f"{service.link('/ready')}: HTTP 503" in messages(finding)
    assert [p for _m, p, _a in site.requests] == ["/ready"]


# ---------------------------------------------------------------- metrics


def test_metrics_in_prometheus_format_pass(good_service: RunningService) -> None:
    finding = run("svc.met.metrics", ctx_for(good_service, complete_profile(good_service)))
    assert finding.outcome is Outcome.PASS
    assert finding.evidence[0].value == good_service.link("/metrics")
    assert "2 metric families, 2 samples" in finding.evidence[0].message
    assert finding.evidence[0].excerpt == "http_requests_total, process_start_time_seconds"


def test_metrics_page_in_html_fails_at_its_line(service_factory: Factory) -> None:
    site = Site({"/metrics": lambda _h: page("Metrics", "42 requests today")})
    service = service_factory(site)
    finding = run("svc.met.metrics", ctx_for(service))
    assert finding.outcome is Outcome.FAIL
    evidence = finding.evidence[0]
    assert "not in the Prometheus text format" in evidence.message
    assert evidence.line == 1 and evidence.excerpt is not None
    assert evidence.excerpt.startswith("<!doctype html>")


def test_no_metrics_endpoint_fails_with_a_hint(service_factory: Factory) -> None:
    service = service_factory(Site({}))
    finding = run("svc.met.metrics", ctx_for(service))
    assert finding.outcome is Outcome.FAIL
    assert "no metrics endpoint declared (metrics_endpoint)" in finding.evidence[0].message
    assert f"{service.link('/metrics')}: HTTP 404" in messages(finding)
    assert finding.hint is not None and "Prometheus" in finding.hint


def test_protected_metrics_are_read_with_the_given_credentials(service_factory: Factory) -> None:
    def metrics(handler: Any) -> Reply:
        if handler.headers.get("Authorization") != TOKEN:
            return Reply(401, b"", "text/plain")
        return Reply(200, METRICS.encode(), "text/plain; version=0.0.4")

    site = Site({"/metrics": metrics})
    service = service_factory(site)
    anonymous = run("svc.met.metrics", ctx_for(service))
    assert anonymous.outcome is Outcome.FAIL
    assert "HTTP 401" in messages(anonymous)
    assert [a for _m, _p, a in site.requests] == [None]
    site.requests.clear()
    with_token = run("svc.met.metrics", ctx_for(service, auth_header=TOKEN))
    assert with_token.outcome is Outcome.PASS
    assert [a for _m, _p, a in site.requests] == [None, TOKEN]  # credentials only on the retry


# ---------------------------------------------------------------- latency


def test_nearest_rank_percentiles() -> None:
    values = [float(v) for v in range(1, 21)]
    assert nearest_rank(values, 50) == 10.0
    assert nearest_rank(values, 95) == 19.0
    assert nearest_rank([7.0], 95) == 7.0


def test_latency_of_the_health_endpoint_passes(good_service: RunningService) -> None:
    ctx = ctx_for(good_service, complete_profile(good_service))
    ctx.latency_requests = 8
    finding = run("svc.per.latency", ctx)
    assert finding.outcome is Outcome.PASS
    assert finding.evidence[0].value == good_service.link("/healthz")
    assert "8 of 8 sequential GETs" in finding.evidence[0].message
    p50, p95 = finding.evidence[1], finding.evidence[2]
    assert p50.message.startswith("p50") and isinstance(p50.value, float)
    assert p95.message.startswith("p95") and isinstance(p95.value, float)
    assert p95.value <= onboarding_settings().latency.p95_max_ms


def test_latency_falls_back_to_the_landing_page_and_counts_5xx(service_factory: Factory) -> None:
    site = Site({"/": lambda _h: Reply(500, b"boom", "text/plain")})
    service = service_factory(site)
    ctx = ctx_for(service)
    ctx.latency_requests = 6
    finding = run("svc.per.latency", ctx)
    assert finding.outcome is Outcome.FAIL
    assert finding.evidence[0].value == service.url
    assert "0 answered, 6 failed" in finding.evidence[0].message
    assert f"{service.url}: HTTP 500" in messages(finding)


def test_latency_above_the_threshold_fails(
    service_factory: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    def slow(_h: Any) -> Reply:
        time.sleep(0.03)
        return json_reply({"status": "ok"})

    service = service_factory(Site({"/healthz": slow}))
    settings = onboarding_settings()
    strict = settings.model_copy(
        update={"latency": settings.latency.model_copy(update={"p95_max_ms": 5.0})}
    )
    monkeypatch.setattr(svc_ops, "onboarding_settings", lambda: strict)
    ctx = ctx_for(service)
    ctx.latency_requests = 5
    finding = run("svc.per.latency", ctx)
    assert finding.outcome is Outcome.FAIL
    p95 = finding.evidence[2]
    assert "threshold 5 ms" in p95.message and isinstance(p95.value, float) and p95.value >= 30
    assert finding.hint is not None and "95th percentile" in finding.hint


def test_latency_within_a_spent_time_cap_is_too_little_to_judge(
    good_service: RunningService,
) -> None:
    ctx = ctx_for(good_service)
    ctx.latency_cap_s = 0.0
    finding = run("svc.per.latency", ctx)
    assert finding.outcome is Outcome.FAIL
    assert "time cap of 0 s reached" in finding.evidence[0].message
    assert finding.hint is not None and "Fewer than" in finding.hint


# ---------------------------------------------------------------- deployment repository


def deploy_ctx(repo: Path | None) -> ServiceContext:
    ctx = service_context("https://svc.example")
    ctx.repo = make_context(acquire(str(repo))) if repo else None
    return ctx


DEPLOY_PROBES = ("svc.dep.iac", "svc.dep.iac_lint", "svc.dep.iac_idempotence",
                 "svc.sec.world_writable", "svc.sec.passwords")


@pytest.mark.parametrize("name", DEPLOY_PROBES)
def test_without_a_deployment_repo_the_checks_do_not_apply(name: str) -> None:
    finding = run(name, deploy_ctx(None))
    assert finding.outcome is Outcome.NOT_APPLICABLE
    assert "no deployment repository given" in messages(finding)
    assert finding.hint is not None and "--deployment-repo" in finding.hint


def test_iac_found_in_the_deployment_repo(repo_factory: Callable[..., Path]) -> None:
    finding = run("svc.dep.iac", deploy_ctx(repo_factory({"compose.yaml": COMPOSE})))
    assert finding.outcome is Outcome.PASS
    assert finding.evidence[0].path == "compose.yaml"
    assert "SvcQC.Dep03" in finding.evidence[-1].message


def test_deployment_repo_without_iac_fails(repo_factory: Callable[..., Path]) -> None:
    finding = run("svc.dep.iac", deploy_ctx(repo_factory({"README.md": "# deploy by hand\n"})))
    assert finding.outcome is Outcome.FAIL
    assert finding.hint is not None and "compose.yaml" in finding.hint


@in_containers(timeout=300)  # the static tools run in the tools container
def test_clean_iac_lints(repo_factory: Callable[..., Path]) -> None:
    files = {"compose.yaml": COMPOSE, "infra/main.tf": 'resource "null_resource" "x" {}\n',
             "notes.yml": "a: 1\na: 2\n"}  # not IaC: its duplicate key is not counted here
    finding = run("svc.dep.iac_lint", deploy_ctx(repo_factory(files)))
    assert finding.outcome is Outcome.PASS
    assert "yamllint" in messages(finding) and "1 file(s)" in messages(finding)
    unlinted = [e.path for e in finding.evidence if "not linted" in e.message]
    assert unlinted == ["infra/main.tf"]


@in_containers(timeout=300)  # the static tools run in the tools container
def test_broken_iac_fails_lint_at_its_line(repo_factory: Callable[..., Path]) -> None:
    broken = COMPOSE + "  web:\n    image: again\n"  # duplicate key
    finding = run("svc.dep.iac_lint", deploy_ctx(repo_factory({"compose.yaml": broken})))
    assert finding.outcome is Outcome.FAIL
    located = [e for e in finding.evidence if e.path == "compose.yaml"]
    assert located and located[0].line == 5
    assert "duplicate" in located[0].message


def test_iac_without_a_linter_is_not_automated(repo_factory: Callable[..., Path]) -> None:
    repo = repo_factory({"main.tf": 'resource "null_resource" "x" {}\n'})
    finding = run("svc.dep.iac_lint", deploy_ctx(repo))
    assert finding.outcome is Outcome.NOT_AUTOMATED
    assert finding.evidence[0].path == "main.tf"


@pytest.mark.parametrize(
    ("molecule", "outcome", "message"),
    [
        (MOLECULE, Outcome.PASS, "includes idempotence"),
        (MOLECULE + "scenario:\n  test_sequence: [create, converge, verify, destroy]\n",
         Outcome.FAIL, "leaves out idempotence"),
    ],
)
def test_molecule_scenarios_must_keep_idempotence(
    repo_factory: Callable[..., Path], molecule: str, outcome: Outcome, message: str
) -> None:
    finding = run("svc.dep.iac_idempotence", deploy_ctx(repo_factory(role_with_molecule(molecule))))
    assert finding.outcome is outcome
    assert finding.evidence[0].path == SCENARIO
    assert message in finding.evidence[0].message


def test_ci_reapplying_the_deployment_counts(repo_factory: Callable[..., Path]) -> None:
    workflow = (
        "on: [push]\njobs:\n  iac:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: terraform apply -auto-approve\n"
        "      - run: terraform plan -detailed-exitcode\n"
    )
    repo = repo_factory({"main.tf": "", ".github/workflows/iac.yml": workflow})
    finding = run("svc.dep.iac_idempotence", deploy_ctx(repo))
    assert finding.outcome is Outcome.PASS
    hit = finding.evidence[0]
    assert hit.path == ".github/workflows/iac.yml" and hit.line == 7
    assert "-detailed-exitcode" in (hit.excerpt or "")


def test_iac_without_idempotence_tests_fails(repo_factory: Callable[..., Path]) -> None:
    finding = run("svc.dep.iac_idempotence", deploy_ctx(repo_factory({"compose.yaml": COMPOSE})))
    assert finding.outcome is Outcome.FAIL
    assert "no IaC test checks idempotence" in finding.evidence[0].message
    assert finding.hint is not None and "molecule test" in finding.hint


def test_world_writable_files_in_the_deployment_repo(repo_factory: Callable[..., Path]) -> None:
    repo = repo_factory({"compose.yaml": COMPOSE, "env/app.env": "LOG_LEVEL=info\n"})
    assert run("svc.sec.world_writable", deploy_ctx(repo)).outcome is Outcome.PASS
    os.chmod(repo / "env" / "app.env", 0o666)
    finding = run("svc.sec.world_writable", deploy_ctx(repo))
    assert finding.outcome is Outcome.FAIL
    assert finding.evidence[0].path == "env/app.env"
    assert finding.evidence[0].value == "0o666"


@in_containers(timeout=300)  # the static tools run in the tools container
def test_passwords_in_world_readable_files_fail(repo_factory: Callable[..., Path]) -> None:
    secret = "services:\n  db:\n    environment:\n      password: 'n0t-So-s3cret-Passw0rd!'\n"
    repo = repo_factory({"compose.yaml": COMPOSE, "db/compose.yaml": secret})
    finding = run("svc.sec.passwords", deploy_ctx(repo))
    assert finding.outcome is Outcome.FAIL
    located = [e for e in finding.evidence if e.path == "db/compose.yaml"]
    assert located and located[0].line == 4
    assert "value not shown" in located[0].message
    assert "n0t-So" not in json.dumps([e.model_dump() for e in finding.evidence])
    assert finding.hint is not None and "secret store" in finding.hint


@in_containers(timeout=300)  # the static tools run in the tools container
def test_secrets_only_others_cannot_read_are_not_counted(
    repo_factory: Callable[..., Path],
) -> None:
    secret = "password: 'n0t-So-s3cret-Passw0rd!'\n"
    repo = repo_factory({"compose.yaml": COMPOSE, "vault/secrets.yml": secret})
    os.chmod(repo / "vault" / "secrets.yml", 0o600)
    finding = run("svc.sec.passwords", deploy_ctx(repo))
    assert finding.outcome is Outcome.PASS
    # the tools run as an unprivileged user, who cannot read the file: it is not scanned
    assert "1 file(s) others cannot read not scanned" in finding.evidence[0].message


@in_containers(timeout=300)  # the static tools run in the tools container
def test_clean_deployment_repo_has_no_passwords(repo_factory: Callable[..., Path]) -> None:
    finding = run("svc.sec.passwords", deploy_ctx(repo_factory({"compose.yaml": COMPOSE})))
    assert finding.outcome is Outcome.PASS
    assert "world-readable" in finding.evidence[0].message
