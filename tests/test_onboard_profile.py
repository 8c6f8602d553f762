"""The resource profile: safe loading and validation with the field named, completeness, and
the SvcQC.Doc/Pol/Sup probes that read it and check its links on real loopback services."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from sqaaas.core import registry
from sqaaas.core.outcomes import Finding, Outcome
from sqaaas.datafiles import data_path
from sqaaas.facts.service.context import ServiceContext
from sqaaas.facts.service.profile import (
    ProfileError,
    declared_hosts,
    declared_urls,
    load_profile,
    missing_recommended,
    parse_profile,
    recommended_fields,
)
from sqaaas.facts.service.settings import onboarding_settings
from tests.service_servers import (  # noqa: F401  (fixtures)
    Reply,
    RunningService,
    Site,
    bad_service_fixture,
    complete_profile,
    good_service_fixture,
    page,
    service_context,
    service_factory_fixture,
    test_pki_fixture,
    write_profile,
)

EXAMPLE = data_path("criteria") / "service" / "examples" / "resource-profile.yml"
Factory = Callable[..., RunningService]


def run(name: str, ctx: ServiceContext) -> Finding:
    return registry.get(name)(ctx)


def messages(finding: Finding) -> str:
    return "\n".join(e.message for e in finding.evidence)


def ctx_for(service: RunningService, profile: dict[str, Any] | None, **kw: Any) -> ServiceContext:
    ctx = service_context(service.url, ca_file=service.ca_file, profile=profile, **kw)
    ctx.profile_source = "profile.yml" if profile is not None else None
    return ctx


def without(service: RunningService, *fields: str) -> dict[str, Any]:
    return complete_profile(service, **dict.fromkeys(fields))


def test_the_shipped_example_is_valid_and_complete() -> None:
    loaded = load_profile(EXAMPLE)
    assert loaded.problems == []
    assert missing_recommended(loaded.data) == []
    assert loaded.data["name"]


def test_yaml_and_json_profiles_load_the_same(tmp_path: Path) -> None:
    data = {"name": "Svc", "trl": 6, "privacy_policy": "https://svc.example/privacy"}
    yml = tmp_path / "p.yaml"
    yml.write_text(yaml.safe_dump(data), encoding="utf-8")
    js = tmp_path / "p.json"
    js.write_text(json.dumps(data), encoding="utf-8")
    assert load_profile(yml).data == load_profile(js).data == data
    assert load_profile(js).source == str(js)


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("name: S\ntrl: 12\n", "field 'trl': 12 is greater than the maximum of 9"),
        ("name: S\ntrl: '7'\n", "field 'trl'"),
        ("name: S\nprivacy_policy: ftp://svc.example/p\n", "field 'privacy_policy'"),
        ("name: S\nwebpage: https://user:pw@svc.example/\n", "field 'webpage'"),
        ("name: S\nhelpdesk: call us\n", "field 'helpdesk'"),
        ("name: S\norder_type: free\n", "field 'order_type'"),
        ("name: S\ncategories: [Compute, 3]\n", "field 'categories[1]'"),
        ("name: S\nhealth_endpoint: healthz\n", "field 'health_endpoint'"),
        ("description: no name\n", "field 'name' is required"),
        ("- a list\n", "expected a mapping of fields, found a list"),
        ("", "empty"),
        ("name: [unclosed\n", "line 2 invalid YAML"),
        ("1: one\nname: S\n", "field names must be text"),
    ],
)
def test_invalid_profiles_are_refused_with_the_field_named(text: str, named: str) -> None:
    with pytest.raises(ProfileError, match=r"^profile\.yml") as caught:
        parse_profile(text, "profile.yml")
    assert named in str(caught.value)
    assert "\n" not in str(caught.value)


def test_invalid_json_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text('{"name": "S",\n "trl": }', encoding="utf-8")
    with pytest.raises(ProfileError, match="line 2: invalid JSON"):
        load_profile(path)


def test_unreadable_profiles_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match="no such file"):
        load_profile(tmp_path / "missing.yml")
    with pytest.raises(ProfileError, match="a folder"):
        load_profile(tmp_path)
    big = tmp_path / "big.yml"
    big.write_text("name: S\ndescription: " + "x" * onboarding_settings().profile.max_bytes)
    with pytest.raises(ProfileError, match="larger than"):
        load_profile(big)
    latin = tmp_path / "latin.yml"
    latin.write_bytes("name: Sévice\n".encode("latin-1"))
    with pytest.raises(ProfileError, match="not UTF-8"):
        load_profile(latin)


def test_deep_nesting_is_refused() -> None:
    with pytest.raises(ProfileError, match="nested too deeply"):
        parse_profile("name: S\nx: " + "[" * 20_000 + "]" * 20_000, "deep.yml")


def test_unknown_fields_are_noted_not_refused() -> None:
    loaded = parse_profile("name: S\ntags: [x]\n", "p.yml")
    assert loaded.data["tags"] == ["x"]
    assert [(e.value, e.path) for e in loaded.problems] == [("tags", "p.yml")]


def test_declared_urls_join_paths_and_leave_the_pid_resolver_out() -> None:
    profile = {
        "name": "S",
        "privacy_policy": "https://legal.example/privacy",
        "health_endpoint": "/healthz",
        "documentation_pid": "https://doi.org/10.5281/zenodo.1234567",
    }
    urls = declared_urls(profile, "https://svc.example/")
    assert urls == {
        "privacy_policy": "https://legal.example/privacy",
        "health_endpoint": "https://svc.example/healthz",
    }
    assert declared_hosts(profile, "https://svc.example") == {"legal.example", "svc.example"}


# ---------------------------------------------------------------- svc.profile.complete


def test_complete_profile_passes(good_service: RunningService) -> None:
    finding = run("svc.profile.complete", ctx_for(good_service, complete_profile(good_service)))
    assert finding.outcome is Outcome.PASS
    assert f"all {len(recommended_fields())} recommended fields" in messages(finding)


def test_profile_missing_its_privacy_policy_names_the_field(good_service: RunningService) -> None:
    ctx = ctx_for(good_service, without(good_service, "privacy_policy", "logo"))
    finding = run("svc.profile.complete", ctx)
    assert finding.outcome is Outcome.FAIL
    assert [e.value for e in finding.evidence] == ["logo", "privacy_policy"]
    assert "missing field privacy_policy" in messages(finding)
    assert all(e.path == "profile.yml" for e in finding.evidence)
    assert finding.hint is not None and "privacy_policy" in finding.hint


def test_without_a_profile_completeness_fails(good_service: RunningService) -> None:
    finding = run("svc.profile.complete", ctx_for(good_service, None))
    assert finding.outcome is Outcome.FAIL
    assert "no resource profile given" in messages(finding)
    assert finding.hint is not None and "--profile" in finding.hint


def test_unknown_fields_show_up_as_evidence(good_service: RunningService) -> None:
    ctx = ctx_for(good_service, complete_profile(good_service))
    ctx.profile_problems = parse_profile("name: S\ntags: [x]\n", "profile.yml").problems
    finding = run("svc.profile.complete", ctx)
    assert finding.outcome is Outcome.PASS
    assert "unknown field 'tags' ignored" in messages(finding)


# ---------------------------------------------------------------- links


def test_documentation_online_reports_field_url_and_status(good_service: RunningService) -> None:
    finding = run("svc.doc.online", ctx_for(good_service, complete_profile(good_service)))
    assert finding.outcome is Outcome.PASS
    evidence = finding.evidence[0]
    assert evidence.value == good_service.link("/docs")
    assert evidence.message.startswith("documentation ")
    assert "resolves: HTTP 200" in evidence.message


def test_documentation_that_answers_404_fails(good_service: RunningService) -> None:
    profile = complete_profile(good_service, documentation=good_service.link("/gone"))
    finding = run("svc.doc.online", ctx_for(good_service, profile))
    assert finding.outcome is Outcome.FAIL
    assert finding.evidence[0].value == good_service.link("/gone")
    assert "does not resolve: HTTP 404" in finding.evidence[0].message
    assert finding.hint is not None and "documentation" in finding.hint


def test_same_host_redirects_are_followed(service_factory: Factory) -> None:
    site = Site({
        "/old": lambda _h: Reply(301, headers=(("Location", "/new"),)),
        "/new": lambda _h: page("Docs", "here"),
    })
    service = service_factory(site)
    finding = run("svc.doc.online", ctx_for(service, {"documentation": service.link("/old")}))
    assert finding.outcome is Outcome.PASS
    assert "HTTP 200 after 1 redirect(s)" in finding.evidence[0].message


def test_redirects_to_other_hosts_are_not_followed(service_factory: Factory) -> None:
    site = Site({"/privacy": lambda _h: Reply(302, headers=(
        ("Location", "https://elsewhere.example/privacy"),))})
    service = service_factory(site)
    profile = {"privacy_policy": service.link("/privacy")}
    finding = run("svc.pol.privacy", ctx_for(service, profile))
    assert finding.outcome is Outcome.FAIL
    assert "not contacted: elsewhere.example is not one of the hosts" in messages(finding)
    assert finding.hint is not None and "final URL" in finding.hint


def test_each_link_is_fetched_once_per_run(service_factory: Factory) -> None:
    site = Site({"/guide": lambda _h: page("Guide", "all audiences")})
    service = service_factory(site)
    guide = service.link("/guide")
    ctx = ctx_for(service, {"admin_manual": guide, "user_manual": guide})
    for name in ("svc.doc.admin", "svc.doc.user", "svc.doc.audiences"):
        assert run(name, ctx).outcome is Outcome.PASS
    assert [r[1] for r in site.requests] == ["/guide"]


def test_a_spent_budget_is_an_error_not_a_fail(good_service: RunningService) -> None:
    ctx = ctx_for(good_service, complete_profile(good_service))
    ctx.http.budget = 0
    finding = run("svc.pol.privacy", ctx)
    assert finding.outcome is Outcome.ERROR
    assert "request budget of 0 spent" in messages(finding)


# ---------------------------------------------------------------- policies and support


def test_policies_pass_on_the_good_service(good_service: RunningService) -> None:
    ctx = ctx_for(good_service, complete_profile(good_service))
    for name, field in [("svc.pol.privacy", "privacy_policy"),
                        ("svc.pol.acceptable_use", "acceptable_use_policy"),
                        ("svc.pol.access", "access_policy")]:
        finding = run(name, ctx)
        assert finding.outcome is Outcome.PASS, name
        assert finding.evidence[0].message.startswith(field)


def test_missing_privacy_policy_is_reported_with_that_field(good_service: RunningService) -> None:
    finding = run("svc.pol.privacy", ctx_for(good_service, without(good_service, "privacy_policy")))
    assert finding.outcome is Outcome.FAIL
    assert finding.evidence[0].value == "privacy_policy"
    assert "has no privacy_policy field" in finding.evidence[0].message
    assert finding.hint is not None and finding.hint.startswith("Add privacy_policy")


def test_without_a_profile_policies_fail_naming_the_field(good_service: RunningService) -> None:
    finding = run("svc.pol.acceptable_use", ctx_for(good_service, None))
    assert finding.outcome is Outcome.FAIL
    assert "no acceptable_use_policy is declared" in messages(finding)
    assert finding.hint is not None and "--profile" in finding.hint


def test_access_policy_may_be_terms_of_use(good_service: RunningService) -> None:
    profile = without(good_service, "access_policy")
    finding = run("svc.pol.access", ctx_for(good_service, profile))
    assert finding.outcome is Outcome.PASS
    assert finding.evidence[0].message.startswith("terms_of_use")
    neither = without(good_service, "access_policy", "terms_of_use")
    finding = run("svc.pol.access", ctx_for(good_service, neither))
    assert finding.outcome is Outcome.FAIL
    assert "no access_policy field" in messages(finding)
    assert "nor a terms_of_use field" in messages(finding)


def test_acceptable_use_policy_that_fails_to_load(good_service: RunningService) -> None:
    profile = complete_profile(good_service, acceptable_use_policy=good_service.link("/aup.pdf"))
    finding = run("svc.pol.acceptable_use", ctx_for(good_service, profile))
    assert finding.outcome is Outcome.FAIL
    assert "acceptable_use_policy" in finding.evidence[0].message
    assert "HTTP 404" in finding.evidence[0].message


def test_helpdesk_url_or_email(good_service: RunningService) -> None:
    finding = run("svc.sup.helpdesk", ctx_for(good_service, complete_profile(good_service)))
    assert finding.outcome is Outcome.PASS
    assert finding.evidence[0].value == good_service.link("/helpdesk")
    mail = complete_profile(good_service, helpdesk="mailto:support@svc.example")
    finding = run("svc.sup.helpdesk", ctx_for(good_service, mail))
    assert finding.outcome is Outcome.PASS
    assert finding.evidence[0].value == "support@svc.example"
    assert "not verified" in finding.evidence[0].message


def test_missing_helpdesk_fails(good_service: RunningService) -> None:
    finding = run("svc.sup.helpdesk", ctx_for(good_service, without(good_service, "helpdesk")))
    assert finding.outcome is Outcome.FAIL
    assert finding.evidence[0].value == "helpdesk"


# ---------------------------------------------------------------- documentation


@pytest.mark.parametrize(
    ("pid", "scheme", "resolver"),
    [
        ("10.5281/zenodo.1234567", "DOI", "doi.org"),
        ("https://doi.org/10.5281/zenodo.1234567", "DOI", "doi.org"),
        ("hdl:20.500.12345/abc-1", "Handle", "hdl.handle.net"),
        ("ark:/12148/btv1b8449691v", "ARK", "n2t.net"),
    ],
)
def test_well_formed_pids_pass_without_contacting_resolvers(
    good_service: RunningService, pid: str, scheme: str, resolver: str
) -> None:
    ctx = ctx_for(good_service, complete_profile(good_service, documentation_pid=pid))
    finding = run("svc.doc.pid", ctx)
    assert finding.outcome is Outcome.PASS
    message = finding.evidence[0].message
    assert f"well-formed {scheme}" in message and f"resolver {resolver}" in message
    assert "not contact" in message
    assert ctx.http.spent == 0


@pytest.mark.parametrize(
    ("pid", "why"),
    [
        ("10.abc/x", "a DOI is 10."),
        ("doi:10.5281/zenodo.xxxx", "dummy value"),
        ("see our docs", "expected a DOI"),
        ("swh:1:dir:" + "a" * 40, "identifies source code"),
    ],
)
def test_malformed_pids_fail(good_service: RunningService, pid: str, why: str) -> None:
    finding = run("svc.doc.pid", ctx_for(good_service, complete_profile(
        good_service, documentation_pid=pid)))
    assert finding.outcome is Outcome.FAIL
    assert why in finding.evidence[0].message
    assert finding.evidence[0].value == pid


def test_missing_pid_fails_naming_the_field(good_service: RunningService) -> None:
    finding = run("svc.doc.pid", ctx_for(good_service, without(good_service, "documentation_pid")))
    assert finding.outcome is Outcome.FAIL
    assert finding.evidence[0].value == "documentation_pid"


@pytest.mark.parametrize("licence", ["CC-BY-4.0", "cc-by-sa-4.0", "CC0-1.0", "GFDL-1.3-or-later"])
def test_content_licences_pass(good_service: RunningService, licence: str) -> None:
    finding = run("svc.doc.licence", ctx_for(good_service, complete_profile(
        good_service, licence=licence)))
    assert finding.outcome is Outcome.PASS
    assert "content licence" in finding.evidence[0].message


@pytest.mark.parametrize(
    ("licence", "why"),
    [("MIT", "OSI-approved software licence"), ("Apache-2.0", "OSI-approved"),
     ("our own terms", "neither an SPDX licence id nor a URL")],
)
def test_software_or_unknown_licences_fail(
    good_service: RunningService, licence: str, why: str
) -> None:
    finding = run("svc.doc.licence", ctx_for(good_service, complete_profile(
        good_service, licence=licence)))
    assert finding.outcome is Outcome.FAIL
    assert why in finding.evidence[0].message
    assert finding.evidence[0].value == licence


def test_licence_url_must_resolve(good_service: RunningService) -> None:
    ok = complete_profile(good_service, licence=good_service.link("/terms"))
    assert run("svc.doc.licence", ctx_for(good_service, ok)).outcome is Outcome.PASS
    gone = complete_profile(good_service, licence=good_service.link("/licence"))
    finding = run("svc.doc.licence", ctx_for(good_service, gone))
    assert finding.outcome is Outcome.FAIL
    assert "licence" in finding.evidence[0].message and "HTTP 404" in finding.evidence[0].message


def test_documentation_for_every_audience(good_service: RunningService) -> None:
    finding = run("svc.doc.audiences", ctx_for(good_service, complete_profile(good_service)))
    assert finding.outcome is Outcome.PASS
    assert [e.message.split()[0] for e in finding.evidence] == [
        "admin_manual", "user_manual", "api_documentation"
    ]


def test_missing_admin_guide_fails_audiences(good_service: RunningService) -> None:
    ctx = ctx_for(good_service, without(good_service, "admin_manual"))
    for name in ("svc.doc.admin", "svc.doc.audiences"):
        finding = run(name, ctx)
        assert finding.outcome is Outcome.FAIL
        assert "has no admin_manual field" in messages(finding)
    assert run("svc.doc.user", ctx).outcome is Outcome.PASS


def test_an_api_needs_its_documentation(good_service: RunningService) -> None:
    ctx = ctx_for(good_service, without(good_service, "api_documentation"))
    finding = run("svc.doc.user", ctx)
    assert finding.outcome is Outcome.FAIL
    assert "has no api_documentation field" in messages(finding)
    no_api = without(good_service, "api_documentation", "openapi")
    finding = run("svc.doc.user", ctx_for(good_service, no_api))
    assert finding.outcome is Outcome.PASS
    assert "API documentation not required" in messages(finding)
