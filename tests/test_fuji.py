"""The F-UJI client against a loopback server replaying real F-UJI 3.5.1 answers."""

from __future__ import annotations

import base64
import json
import socket
import time
from pathlib import Path

import pytest

from sqaaas.acquire import acquire
from sqaaas.core.fairsection import SOFTWARE_METRICS
from sqaaas.core.outcomes import Outcome
from sqaaas.core.validate import validate_report_json
from sqaaas.errors import FujiError
from sqaaas.fuji import DATA_METRICS, FUJI_SECTION
from sqaaas.fuji.mapping import metric_subcriterion
from sqaaas.fuji.results import MetricResult
from sqaaas.fuji.run import check_identifier, evaluate_object, repository_url
from sqaaas.fuji.settings import FujiSettings, load_settings
from tests.fuji_replay import (  # noqa: F401  (fixture)
    DATA,
    PASSWORD,
    USER,
    fuji_replay_fixture,
    recorded,
)

SOFTWARE_URL = "https://github.com/example-org/fair-tool"
DATASET = "http://127.0.0.1:8765/dataset/"
CREDENTIALS = {"SQAAAS_FUJI_USERNAME": USER, "SQAAAS_FUJI_PASSWORD": PASSWORD}


@pytest.fixture(autouse=True)
def no_ambient_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No credentials, URL or config file from the machine running the tests."""
    config = tmp_path / "config"
    config.mkdir()
    monkeypatch.setenv("SQAAAS_CONFIG_DIR", str(config))
    for name in ("SQAAAS_FUJI_URL", *CREDENTIALS):
        monkeypatch.delenv(name, raising=False)
    return config


def settings_for(replay, **changes: object) -> FujiSettings:
    values: dict[str, object] = {
        "base_url": replay.base_url,
        "username": USER,
        "password": PASSWORD,
        "credentials_from": "environment",
        "backoff": 0.01,
    }
    values.update(changes)
    return FujiSettings(**values)  # type: ignore[arg-type]


def error_message(section) -> str:
    assert list(section.subcriteria) == [FUJI_SECTION]
    sub = section.subcriteria[FUJI_SECTION]
    assert sub.outcome is Outcome.ERROR
    assert not section.valid
    return sub.evidence[0].message


# --- acceptance: the software metric set ---------------------------------------------------


def test_software_evaluation_maps_17_frsm_metrics_with_the_recorded_scores(fuji_replay):
    section, summary = evaluate_object(SOFTWARE_URL, SOFTWARE_METRICS, settings_for(fuji_replay))
    answer = recorded(SOFTWARE_METRICS)
    assert len(section.subcriteria) == 17
    assert list(section.subcriteria) == [r["metric_identifier"] for r in answer["results"]]
    for result in answer["results"]:
        sub = section.subcriteria[result["metric_identifier"]]
        assert sub.metric == result["metric_identifier"]
        assert sub.description == result["metric_name"]
        assert (sub.score.earned, sub.score.total) == (
            result["score"]["earned"],
            result["score"]["total"],
        )
        assert sub.maturity == result["maturity"]
        assert sub.outcome is Outcome.FAIL
        assert sub.requirement_level == "SHOULD" and sub.gating
        messages = [e.message for e in sub.evidence]
        for test_id, test in result["metric_tests"].items():
            assert any(m.startswith(f"{test_id} fail (0/") for m in messages), test_id
            assert test["metric_test_name"].rstrip(".") in sub.hint
    for key in ("F", "A", "I", "R", "FAIR"):
        score = summary.scores[key]
        assert score.earned == answer["summary"]["score_earned"][key]
        assert score.total == answer["summary"]["score_total"][key]
        assert score.percent == answer["summary"]["score_percent"][key]
        assert score.passed == answer["summary"]["status_passed"][key]
        assert score.assessed == answer["summary"]["status_total"][key]
    assert summary.scores["F"].total == 20 and summary.scores["FAIR"].total == 45
    assert summary.source == "f-uji" and summary.server_version == "3.5.1"
    assert summary.resolved is True and summary.error is None
    assert summary.metric_set == SOFTWARE_METRICS
    assert summary.metric_specification == "https://doi.org/10.5281/zenodo.10047401"
    assert summary.badge is not None and summary.badge.scheme == "fair"
    assert summary.badge.level == "none"
    assert not section.valid and section.coverage.passed == 0 and section.coverage.assessed == 17
    sent = fuji_replay.evaluations[0].json()
    assert sent["metric_version"] == SOFTWARE_METRICS and sent["use_github"] is True


def test_released_fuji_crash_on_the_software_set_is_an_error_not_a_score(fuji_replay):
    fuji_replay.crash_suffixed_sets = True  # what F-UJI 3.5.1 as released does
    section, summary = evaluate_object(SOFTWARE_URL, SOFTWARE_METRICS, settings_for(fuji_replay))
    message = error_message(section)
    assert message.startswith("F-UJI 3.5.1 fails on the software metric set metrics_v0.7_software")
    assert "known F-UJI bug: suffix version parsing" in message
    assert message.endswith("offline indicators still apply")
    assert summary.error == message and summary.scores == {} and summary.badge is None
    assert len(fuji_replay.evaluations) == 1  # a deterministic 500 is not retried


def test_other_500_names_the_server_problem_and_is_not_retried(fuji_replay):
    fuji_replay.fault("crash")
    section, summary = evaluate_object(DATASET, DATA_METRICS, settings_for(fuji_replay))
    message = error_message(section)
    assert "failed (HTTP 500) (Internal Server Error: The server encountered" in message
    assert summary.error == message
    assert len(fuji_replay.evaluations) == 1


# --- the data metric set and its quirks ----------------------------------------------------


def test_data_evaluation_keeps_fujis_fail_with_full_score_and_licence_flags(fuji_replay):
    section, summary = evaluate_object(DATASET, DATA_METRICS, settings_for(fuji_replay))
    assert len(section.subcriteria) == 17 and all(
        sid.startswith("FsF-") for sid in section.subcriteria
    )
    quirk = section.subcriteria["FsF-I1-01M"]
    assert quirk.outcome is Outcome.FAIL
    assert (quirk.score.earned, quirk.score.total, quirk.maturity) == (2, 2, 2)
    assert any("fail with a full score (2/2)" in e.message for e in quirk.evidence)
    assert "Parsable, structured metadata (RDF, JSON-LD) is accessible" in quirk.hint
    listed = next(e for e in quirk.evidence if e.message.startswith("F-UJI output"))
    assert listed.message == "F-UJI output (a list of 1)" and '"JSON-LD"' in listed.excerpt
    licence = section.subcriteria["FsF-R1.1-01M"]
    assert licence.outcome is Outcome.PASS
    assert any(
        e.message == "licence https://creativecommons.org/licenses/by/4.0/: OSI approved"
        for e in licence.evidence
    )
    uniqueness = section.subcriteria["FsF-F1-01MD"]
    assert any(e.message == "F-UJI output (an object)" for e in uniqueness.evidence)
    log = next(e for e in uniqueness.evidence if e.message.startswith("F-UJI debug log"))
    assert "SUCCESS: Unique identifier schemes found ['url']" in log.excerpt
    assert summary.scores["FAIR"].percent == 88.46 and summary.scores["FAIR"].passed == 14
    assert summary.badge is None  # the FAIR badge scheme is for software metrics
    assert summary.resolved_url == DATASET


def test_request_has_the_exact_headers_and_body(fuji_replay):
    evaluate_object(DATASET, DATA_METRICS, settings_for(fuji_replay))
    (seen,) = fuji_replay.evaluations
    assert seen.headers["Accept"] == "application/json"
    assert seen.headers["Content-Type"] == "application/json"
    token = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    assert seen.headers["Authorization"] == f"Basic {token}"
    assert seen.json() == {
        "object_identifier": DATASET,
        "test_debug": True,
        "metric_version": DATA_METRICS,
        "use_datacite": False,
        "use_github": False,
    }
    sample = json.loads((DATA / "sample-request.json").read_text())
    assert {k: sample[k] for k in seen.json()} == seen.json()  # as in the recorded session


def test_doi_asks_for_datacite_and_github_only_for_github(fuji_replay):
    evaluate_object("https://doi.org/10.5281/zenodo.1234", DATA_METRICS, settings_for(fuji_replay))
    evaluate_object("https://gitlab.com/group/tool", SOFTWARE_METRICS, settings_for(fuji_replay))
    doi, gitlab = (r.json() for r in fuji_replay.evaluations)
    assert (doi["use_datacite"], doi["use_github"]) == (True, False)
    assert (gitlab["use_datacite"], gitlab["use_github"]) == (False, False)


def test_unresolved_object_is_reported_as_not_resolved_not_as_low_scores(fuji_replay):
    fuji_replay.fault("unresolved")
    section, summary = evaluate_object(
        "http://127.0.0.1:9/gone", DATA_METRICS, settings_for(fuji_replay)
    )
    message = error_message(section)
    assert message == "F-UJI could not resolve http://127.0.0.1:9/gone: object not resolved"
    assert "landing page the F-UJI server can reach" in section.subcriteria[FUJI_SECTION].hint
    assert summary.resolved is False and summary.resolved_url == "not defined"
    assert summary.error == message and summary.scores == {}


def test_indeterminate_metric_is_a_fail_with_evidence_and_spec_licence_key_is_read():
    result = MetricResult.model_validate(
        {
            "metric_identifier": "FsF-R1.1-01M",
            "metric_name": "Metadata includes license information.",
            "test_status": "indeterminate",
            "score": {"earned": 0, "total": 1},
            "output": [{"license": "MIT", "OSI_approved": False}],
            "test_debug": ["INFO: Debugging disabled"],
        }
    )
    sub = metric_subcriterion(result, "F-UJI 3.5.1")
    assert sub.outcome is Outcome.FAIL
    messages = [e.message for e in sub.evidence]
    assert "F-UJI could not decide this metric (indeterminate): counted as not passed" in messages
    assert "licence MIT: not OSI approved" in messages
    assert not any("debug log" in m for m in messages)  # "Debugging disabled" is no evidence


# --- HTTP errors, timeouts, retries ------------------------------------------------------


def test_missing_credentials_give_a_401_message_that_says_how_to_set_them(fuji_replay):
    section, _ = evaluate_object(
        DATASET, DATA_METRICS, settings_for(fuji_replay, username=None, password=None,
                                            credentials_from=None)
    )
    message = error_message(section)
    assert "refused the request (HTTP 401) (Unauthorized: No authorization token provided)" in (
        message
    )
    assert "set SQAAAS_FUJI_USERNAME and SQAAAS_FUJI_PASSWORD" in message


def test_wrong_password_is_refused_without_showing_it(fuji_replay):
    section, summary = evaluate_object(
        DATASET, DATA_METRICS, settings_for(fuji_replay, password="not-the-password")
    )
    message = error_message(section)
    assert "HTTP 401" in message and "from environment were refused" in message
    assert "not-the-password" not in summary.model_dump_json() + section.model_dump_json()


def test_wrong_base_url_gives_a_404_message(fuji_replay):
    wrong = fuji_replay.base_url.replace("/v1", "/v2")
    section, _ = evaluate_object(DATASET, DATA_METRICS, settings_for(fuji_replay, base_url=wrong))
    message = error_message(section)
    assert message.startswith(f"F-UJI at {wrong}: /evaluate not found (HTTP 404)")
    assert "check --fuji-url" in message


def test_400_shows_connexions_detail(fuji_replay):
    fuji_replay.fault("reject")
    section, _ = evaluate_object(DATASET, DATA_METRICS, settings_for(fuji_replay))
    assert error_message(section) == (
        "F-UJI rejected the request (HTTP 400): Bad Request: "
        "'no' is not of type 'boolean' - 'use_datacite'"
    )


def test_slow_server_times_out_within_the_limit_without_retrying(fuji_replay):
    fuji_replay.fault("slow")
    started = time.monotonic()
    section, _ = evaluate_object(
        DATASET, DATA_METRICS, settings_for(fuji_replay, read_timeout=0.5)
    )
    assert time.monotonic() - started < 3
    assert error_message(section) == (
        f"F-UJI at {fuji_replay.base_url} did not answer within 0.5 s "
        "(raise it with --fuji-timeout)"
    )
    assert len(fuji_replay.evaluations) == 1


def test_malformed_json_and_non_results_are_errors(fuji_replay):
    fuji_replay.fault("malformed", "not_results")
    first, _ = evaluate_object(DATASET, DATA_METRICS, settings_for(fuji_replay))
    second, _ = evaluate_object(DATASET, DATA_METRICS, settings_for(fuji_replay))
    assert error_message(first).startswith("F-UJI answered HTTP 200 with malformed JSON (")
    assert error_message(second) == (
        "F-UJI's answer is not an evaluation result (FAIRResults): results: Field required"
    )


def test_503_is_retried_with_backoff_then_succeeds(fuji_replay):
    fuji_replay.fault("unavailable")
    said: list[str] = []
    section, summary = evaluate_object(
        DATASET, DATA_METRICS, settings_for(fuji_replay), say=said.append
    )
    assert summary.error is None and len(section.subcriteria) == 17
    assert len(fuji_replay.evaluations) == 2
    assert f"F-UJI: F-UJI at {fuji_replay.base_url} is unavailable (HTTP 503); retry 1/2 in " \
        "0.01 s" in said


def test_retries_are_bounded(fuji_replay):
    fuji_replay.fault("unavailable", "unavailable", "unavailable", "unavailable")
    section, _ = evaluate_object(DATASET, DATA_METRICS, settings_for(fuji_replay))
    assert error_message(section) == (
        f"F-UJI at {fuji_replay.base_url} is unavailable (HTTP 503) (gave up after 3 attempts)"
    )
    assert len(fuji_replay.evaluations) == 3


def test_connection_refused_is_retried_then_reported():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings = FujiSettings(base_url=f"http://127.0.0.1:{port}/fuji/api/v1", backoff=0.01)
    section, _ = evaluate_object(DATASET, DATA_METRICS, settings)
    assert error_message(section) == (
        f"cannot reach F-UJI at http://127.0.0.1:{port}/fuji/api/v1: Connection refused "
        "(gave up after 3 attempts)"
    )


def test_oversized_answer_is_refused(fuji_replay):
    section, _ = evaluate_object(
        DATASET, DATA_METRICS, settings_for(fuji_replay, max_bytes=10_000)
    )
    assert error_message(section).startswith("F-UJI's answer is larger than 10000 bytes")


def test_replay_checks_requests_as_fuji_does(fuji_replay):
    """The replay refuses what F-UJI refuses, so the client tests above can fail."""
    import requests

    auth = (USER, PASSWORD)
    url = f"{fuji_replay.base_url}/evaluate"
    body = {"object_identifier": DATASET}
    wrong_accept = requests.post(url, json=body, auth=auth, headers={"Accept": "text/html"})
    assert (wrong_accept.status_code, wrong_accept.content) == (400, b"")
    text = requests.post(url, data="x", auth=auth, headers={"Content-Type": "text/plain"})
    assert text.status_code == 415
    bad = requests.post(url, json={**body, "use_datacite": "no"}, auth=auth)
    assert bad.status_code == 400
    assert bad.json()["detail"] == "'no' is not of type 'boolean' - 'use_datacite'"
    assert requests.post(url, json=body).status_code == 401


# --- settings and credentials ------------------------------------------------------------


def test_url_with_credentials_is_refused_and_redacted():
    with pytest.raises(FujiError) as caught:
        load_settings("http://marvel:s3cret@127.0.0.1:1071/fuji/api/v1", env={})
    assert "credentials in the URL are refused" in str(caught.value)
    assert "SQAAAS_FUJI_USERNAME" in str(caught.value) and "s3cret" not in str(caught.value)
    with pytest.raises(FujiError, match="must be an http"):
        load_settings("ftp://127.0.0.1/fuji", env={})
    with pytest.raises(FujiError, match="no F-UJI server"):
        load_settings(None, env={})


def from_env_vars(user: str, password: str) -> dict[str, str]:
    return {"SQAAAS_FUJI_USERNAME": user, "SQAAAS_FUJI_PASSWORD": password}


def test_credentials_come_from_env_or_a_private_config_file(tmp_path):
    config = tmp_path / "conf"
    config.mkdir()
    path = config / "fuji.yml"
    path.write_text(f"username: {USER}\npassword: {PASSWORD}\n")
    path.chmod(0o644)
    with pytest.raises(FujiError, match=r"accessible to other users \(mode 0644\).*chmod 600"):
        load_settings("http://127.0.0.1:1/fuji/api/v1", env={}, config_dir=config)
    path.chmod(0o600)
    from_file = load_settings("http://127.0.0.1:1/fuji/api/v1/", env={}, config_dir=config)
    assert from_file.auth == (USER, PASSWORD) and from_file.credentials_from == str(path)
    assert from_file.base_url == "http://127.0.0.1:1/fuji/api/v1"
    assert PASSWORD not in repr(from_file)
    from_env = load_settings(
        None,
        env={"SQAAAS_FUJI_URL": "https://fuji.example.org/fuji/api/v1", **from_env_vars("u", "p")},
        config_dir=config,
    )
    assert from_env.auth == ("u", "p") and from_env.base_url.startswith("https://fuji.example")
    assert not from_env.cleartext_credentials and not from_file.cleartext_credentials  # loopback
    plain = load_settings("http://fuji.example.org/fuji/api/v1", env=from_env_vars("u", "p"))
    assert plain.cleartext_credentials
    with pytest.raises(FujiError, match="SQAAAS_FUJI_PASSWORD is not set"):
        load_settings("http://127.0.0.1:1", env={"SQAAAS_FUJI_USERNAME": "u"}, config_dir=config)


def test_identifier_is_checked():
    assert check_identifier(" 10.5281/zenodo.1 ") == "10.5281/zenodo.1"
    with pytest.raises(FujiError, match="user name or password"):
        check_identifier("https://u:p@example.org/x")
    with pytest.raises(FujiError, match="spaces or control"):
        check_identifier("a\nb")


# --- command line --------------------------------------------------------------------------


def test_fair_command_writes_the_data_report_and_never_shows_credentials(
    fuji_replay, run_cli, tmp_path, monkeypatch
):
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    out = tmp_path / "fair.json"
    done = run_cli(
        "fair", DATASET, "--fuji-url", fuji_replay.base_url, "--format", "json", "-o", str(out)
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(out.read_text())
    assert report["object"] == DATASET and report["schema_version"] == "1.0"
    assert report["summary"]["scores"]["FAIR"]["percent"] == 88.46
    quirk = report["section"]["subcriteria"]["FsF-I1-01M"]
    assert quirk["outcome"] == "fail" and quirk["score"] == {"earned": 2.0, "total": 2.0}
    assert f"sqaaas fair: F-UJI: evaluating {DATASET} with metrics_v0.8" in done.stderr
    assert PASSWORD not in done.stdout + done.stderr + out.read_text()
    assert fuji_replay.evaluations[0].json()["metric_version"] == DATA_METRICS

    text = run_cli("fair", DATASET, "--fuji-url", fuji_replay.base_url, "--quiet")
    assert text.returncode == 0 and text.stderr == ""
    assert "FAIR (total)" in text.stdout and "23/26" in text.stdout and "88.46 %" in text.stdout
    assert "FsF-I1-01M" in text.stdout and PASSWORD not in text.stdout


def test_fair_command_exits_2_on_error_but_still_writes_the_report(
    fuji_replay, run_cli, tmp_path, monkeypatch
):
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("SQAAAS_FUJI_URL", fuji_replay.base_url)
    fuji_replay.fault("unresolved")
    out = tmp_path / "fair.txt"
    done = run_cli("fair", "http://127.0.0.1:9/gone", "-o", str(out), "-q")
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "sqaaas: error: F-UJI could not resolve http://127.0.0.1:9/gone: object not resolved"
    )
    assert "object not resolved" in out.read_text()
    refused = run_cli("fair", DATASET, "--fuji-url", "http://marvel:hunter2@127.0.0.1:1/")
    assert refused.returncode == 2 and "hunter2" not in refused.stdout + refused.stderr
    assert "credentials in the URL are refused" in refused.stderr


def test_assess_adds_the_fuji_section_for_the_repositorys_forge_url(
    fuji_replay, run_cli, repo_factory, tmp_path, monkeypatch
):
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    repo = repo_factory({"README.md": "# tool\n"}, remote="git@github.com:example-org/tool.git")
    out = tmp_path / "report.json"
    done = run_cli(
        "assess", str(repo), "--criteria", "QC.Lic", "--format", "json", "-o", str(out),
        "--fuji-url", fuji_replay.base_url, "-q",
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(out.read_text())
    section = report["criteria"][FUJI_SECTION]
    assert len(section["subcriteria"]) == 17 and section["valid"] is False
    assert report["fair"][FUJI_SECTION]["scores"]["FAIR"]["total"] == 45
    assert report["fair"][FUJI_SECTION]["object_identifier"] == (
        "https://github.com/example-org/tool"
    )
    sent = fuji_replay.evaluations[0].json()
    assert sent["object_identifier"] == "https://github.com/example-org/tool"
    assert sent["use_github"] is True and sent["metric_version"] == SOFTWARE_METRICS
    assert PASSWORD not in out.read_text() + done.stderr
    assert validate_report_json(report) == []


def test_assess_of_a_repository_without_public_url_reports_an_error_section(
    fuji_replay, run_cli, repo_factory, tmp_path, monkeypatch
):
    repo = repo_factory({"README.md": "# tool\n"}, remote=None)
    out = tmp_path / "report.json"
    monkeypatch.setenv("SQAAAS_FUJI_URL", fuji_replay.base_url)
    done = run_cli(
        "assess", str(repo), "--criteria", "QC.Lic", "--format", "json", "-o", str(out), "-q"
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(out.read_text())
    sub = report["criteria"][FUJI_SECTION]["subcriteria"][FUJI_SECTION]
    assert sub["outcome"] == "error"
    assert sub["evidence"][0]["message"] == (
        f"no public URL for F-UJI to evaluate {repo.name}: it has no remote on a public forge"
    )
    assert report["fair"][FUJI_SECTION]["error"] == sub["evidence"][0]["message"]
    assert fuji_replay.evaluations == []
    assert validate_report_json(report) == []


def test_repository_url_prefers_the_forge_page(repo_factory):
    forge = repo_factory(remote="https://github.com/example-org/tool.git")
    assert repository_url(acquire(str(forge))) == "https://github.com/example-org/tool"
    private = repo_factory(remote="https://git.internal.example/group/tool.git")
    assert repository_url(acquire(str(private))) is None


def _self_signed(tmp_path: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 that no CA signed."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


def test_untrusted_certificate_is_one_clear_error(tmp_path):
    import http.server
    import ssl
    import threading

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*_self_signed(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"https://127.0.0.1:{server.server_address[1]}/fuji/api/v1"
    try:
        section, _ = evaluate_object(DATASET, DATA_METRICS, FujiSettings(base_url=base))
    finally:
        server.shutdown()
        server.server_close()
    message = error_message(section)
    assert message.startswith(f"TLS with F-UJI at {base} failed: certificate verify failed")
