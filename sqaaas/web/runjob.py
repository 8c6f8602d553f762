"""One job, run in a child process of the service: ``python -m sqaaas.web.runjob``.

A child process can be killed on timeout (threads cannot), and a crash in it cannot take the
server down. It reads its request as JSON on stdin, reports progress as JSON lines on stdout
and writes the report JSON to the file the request names. The request's ``kind`` says what
to run: an assessment of a repository (``sqaaas assess``) or an onboarding of a live service
(``sqaaas onboard``, through the same driver the command uses).
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqaaas.acquire import acquire, clone_lock
from sqaaas.errors import SqaaasError
from sqaaas.fileio import write_atomic
from sqaaas.web.netcheck import check_repository_url, git_pins

if TYPE_CHECKING:
    from sqaaas.core.model import Report

#: the request carries an onboarding's profile and CA certificates (each size-capped at
#: submission), JSON-escaped: well under this
MAX_REQUEST_CHARS = 4_000_000


def _emit(**message: Any) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def _clone_step(stage: str, percent: float | None) -> None:
    _emit(progress=f"cloning: {stage.lower()}" + (f" {percent:.0f}%" if percent else ""))


def _probe_step(name: str, done: int, total: int) -> None:
    _emit(progress=f"checking {done}/{total}: {name}")


def _note(message: str) -> None:
    _emit(progress=message)


def _guard_network(url: str) -> None:
    """Check the host again now (DNS may have changed since submission), pin git's http(s)
    connections to the addresses just checked (a later DNS answer cannot move them), and
    forbid git from following redirects, which could lead the clone to a private address."""
    check_repository_url(url, allow_private=False)
    settings = [("http.followRedirects", "false")]
    settings += [("http.curloptResolve", pin) for pin in git_pins(url)]
    os.environ["GIT_CONFIG_COUNT"] = str(len(settings))
    for index, (key, value) in enumerate(settings):
        os.environ[f"GIT_CONFIG_KEY_{index}"] = key
        os.environ[f"GIT_CONFIG_VALUE_{index}"] = value


def _assessment(request: dict[str, Any]) -> tuple[Report, str | None]:
    """Clone and assess a repository: (report, commit)."""
    # imported here for start-up speed: a job process runs one kind of job and loads only
    # that subject's probes (the service subject adds ~100 modules an assessment never uses)
    from sqaaas.subjects.repository import assess, repository_config

    cache_dir = Path(request["cache_dir"])
    if not request.get("allow_private"):
        _guard_network(request["url"])
    with clone_lock(request["url"], cache_dir):
        checkout = acquire(
            request["url"],
            branch=request.get("branch"),
            cache_dir=cache_dir,
            timeout=float(request["clone_timeout"]),
            progress=_clone_step,
        )
        config = repository_config(checkout, request.get("subfolder"))
        report = assess(
            checkout,
            config=config,
            progress=_probe_step,
            notify=_note,
            profile=(request.get("params") or {}).get("profile"),
        )
    return report, checkout.commit


def _onboarding(request: dict[str, Any]) -> tuple[Report, str | None]:
    """Onboard a live service, as ``sqaaas onboard`` does: (report, deployment commit).

    The CA certificates travel as text and are handed to the driver as a file; no
    credentials are ever sent to the service.
    """
    # imported here for start-up speed: only an onboarding job loads the service subject
    from sqaaas.subjects.service import build_context, run_onboarding
    from sqaaas.web.onboarding import OnboardingInput

    wanted = OnboardingInput.from_params(request["url"], request.get("params"))
    cache_dir = Path(request["cache_dir"])
    deployment = wanted.deployment_repo
    if deployment and not request.get("allow_private"):
        _guard_network(deployment)
    with tempfile.TemporaryDirectory(prefix="sqaaas-onboard-") as tmp:
        ca_file = None
        if wanted.ca_pem:
            ca_file = Path(tmp) / "ca.pem"
            ca_file.write_text(wanted.ca_pem, encoding="utf-8")
        locked = clone_lock(deployment, cache_dir) if deployment else contextlib.nullcontext()
        with locked:
            ctx = build_context(
                wanted.service_url,
                profile=wanted.loaded_profile(),
                openapi_url=wanted.openapi_url,
                deployment_repo=deployment,
                ca_file=ca_file,
                allow_private=bool(request.get("allow_private")),
                clone_progress=_clone_step,
                notify=_note,
                cache_dir=cache_dir,
                clone_timeout=float(request["clone_timeout"]),
            )
            report = run_onboarding(ctx, progress=_probe_step)
    return report, report.repository.commit


RUNNERS = {"assessment": _assessment, "onboarding": _onboarding}


def run(request: dict[str, Any]) -> int:
    """Run the job, write the report; exit status 0 on success, 2 on a clear error."""
    runner = RUNNERS.get(request.get("kind") or "assessment")
    if runner is None:
        _emit(error=f"unknown job kind {request.get('kind')!r}")
        return 2
    try:
        report, commit = runner(request)
    except SqaaasError as exc:
        _emit(error=str(exc))
        return 2
    write_atomic(Path(request["output"]), report.to_json().encode("utf-8"))
    _emit(done=True, commit=commit, level=report.badge.level)
    return 0


def main() -> int:
    try:
        request = json.loads(sys.stdin.read(MAX_REQUEST_CHARS))
    except ValueError as exc:
        _emit(error=f"bad job request: {exc}")
        return 2
    return run(request)


if __name__ == "__main__":
    sys.exit(main())
