"""What the pages and the REST API both do, written once: compose pipelines, queue
assessments and onboardings, read reports, issue and revoke the service's badges.

The issuer of the service's badges is the service itself: its keys live in the data dir
(made on first start), its public files in a publish folder beside them, served as they are
under ``<base URL>/issuer/``. A new base URL (another port, or --public-url) makes it another
issuer with the same keys: the former issuer's files are kept for the badges that name it.

What the service shows of a badge (its image, its level on the pages and in the API) is read
from the badge's signed credential, verified with the service's own keys, never from the
database columns alone: a row edited behind the service's back cannot make a picture lie.
"""

from __future__ import annotations

import io
import json
import logging
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

from pydantic import ValidationError

from sqaaas.acquire import check_ref
from sqaaas.badges.issue import baked_image, issue_badge, publish
from sqaaas.badges.issuer import Issuer, issuer_folder, retire
from sqaaas.badges.jws import JwsCheckError, parse_compact, payload_object
from sqaaas.badges.keys import (
    ED25519_FILE,
    JWKS_FILE,
    generate_keys,
    load_signing_keys,
    load_trusted_keys,
)
from sqaaas.badges.revocation import revoke
from sqaaas.badges.verify import VerifyOptions, verify_token
from sqaaas.config import RepoConfig
from sqaaas.core.catalogue import default_catalogue
from sqaaas.core.model import Report
from sqaaas.errors import SqaaasError
from sqaaas.pipelines.render import render
from sqaaas.pipelines.spec import PipelineSpec
from sqaaas.web.netcheck import InvalidField, RefusedURL, check_repository_url
from sqaaas.web.onboarding import OnboardingInput, check_request
from sqaaas.web.settings import WebSettings
from sqaaas.web.sharedissuer import SharedIssuer
from sqaaas.web.store import BadgeRecord, Job, Store

log = logging.getLogger("sqaaas.web")

ISSUER_PATH = "/issuer"
ISSUER_NAME = "sqaaas"  # the name badges give their issuer
#: the badge schemes the service issues: the quality badge of each baseline it runs
ISSUED_SCHEMES = ("software", "service")
_ZIP_DATE = (2020, 1, 1, 0, 0, 0)  # fixed timestamps: the same spec gives the same ZIP bytes


class NotFound(SqaaasError):
    """No such job, report or badge (HTTP 404)."""


class NotReady(SqaaasError):
    """The assessment has not finished yet (HTTP 409)."""


class UnverifiedBadge(SqaaasError):
    """A stored badge whose signed credential does not verify with the service's keys."""


def pipeline_files(spec: PipelineSpec, target: str) -> dict[str, str]:
    """The files ``sqaaas pipeline generate --target TARGET`` writes for ``spec``."""
    return render(spec, target)


def zip_bytes(files: dict[str, str]) -> bytes:
    """A ZIP of ``files`` (relative path -> text) with fixed dates and sorted entries."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, files[name].encode("utf-8"))
    return buffer.getvalue()


class Dispatch(Protocol):
    """Who runs queued jobs: the embedded worker pool, or the broker of a scaled-out one."""

    def queued(self, job: Job) -> None:
        """``job`` was just queued in the database."""


@dataclass
class Operations:
    """The state a running web service shares between requests and workers."""

    settings: WebSettings
    store: Store
    pool: Dispatch | None = None
    shared: SharedIssuer | None = None  # scaled out: the issuer files kept in the database
    broker_problem: Callable[[], str | None] | None = None  # scaled out: None when it answers

    # assessments

    def submit(
        self,
        repo_url: str,
        branch: str | None = None,
        subfolder: str | None = None,
        profile: str | None = None,
    ) -> tuple[Job, bool]:
        """Validate and queue an assessment under ``profile`` (criteria/badges.yml; None or
        empty: the default); (job, created). Raises RefusedURL, QueueFull."""
        url = check_repository_url(repo_url, allow_private=self.settings.allow_private)
        branch = (branch or "").strip() or None
        subfolder = (subfolder or "").strip().strip("/") or None
        catalogue = default_catalogue()
        profile = (profile or "").strip() or catalogue.profiles.default
        if profile not in catalogue.profile_names:
            raise InvalidField(
                f"unknown profile '{profile}': choose {', '.join(catalogue.profile_names)}",
                field="profile",
            )
        if branch:
            try:
                check_ref(branch, "branch")
            except SqaaasError as exc:
                raise RefusedURL(str(exc), field="branch") from None
        if subfolder:
            try:
                RepoConfig.model_validate({"subfolder": subfolder})
            except ValidationError:
                raise RefusedURL(
                    f"refused subfolder '{subfolder}': give a path inside the repository",
                    field="subfolder",
                ) from None
        job, created = self.store.submit(
            url, branch, subfolder, self.settings.max_queued, params={"profile": profile}
        )
        return self._queued(job, created)

    def submit_onboarding(self, request: OnboardingInput) -> tuple[Job, bool]:
        """Validate and queue an onboarding (``sqaaas onboard`` run by a worker); (job,
        created). Raises InvalidField naming the field at fault, QueueFull."""
        checked = check_request(request, allow_private=self.settings.allow_private)
        job, created = self.store.submit(
            checked.service_url,
            None,
            None,
            self.settings.max_queued,
            kind="onboarding",
            params=checked.params(),
        )
        return self._queued(job, created)

    def _queued(self, job: Job, created: bool) -> tuple[Job, bool]:
        if created and self.pool is not None:
            self.pool.queued(job)
        return job, created

    def job(self, job_id: str, kind: str = "assessment") -> Job:
        """The job ``job_id`` if it is of ``kind`` (an onboarding is no assessment)."""
        job = self.store.job(job_id)
        if job is None or job.kind != kind:
            raise NotFound(f"no {kind} {job_id}")
        return job

    def report(self, job_id: str, kind: str = "assessment") -> Report:
        job = self.job(job_id, kind)
        if job.state != "done":
            raise NotReady(f"{kind} {job_id} is {job.state}")
        text = self.store.report(job_id)
        if text is None:
            raise NotFound(f"{kind} {job_id} has no report")
        return Report.model_validate_json(text)

    # badges

    @property
    def issuer_url(self) -> str:
        return self.settings.base_url + ISSUER_PATH

    def ensure_keys(self) -> None:
        """Make the issuer keys and public files on first start (with the achievement images
        of both badges it issues: software quality and service quality).

        A changed base URL never stops the start: the former issuer's files are moved aside
        (``retire``) and the operator is told once, by the start that notices the change.
        """
        keydir, public = self.settings.keys_dir, self.settings.publish_dir
        if not (keydir / ED25519_FILE).is_file():
            generate_keys(keydir)
        issuer = Issuer.from_url(self.issuer_url, ISSUER_NAME)
        retired = retire(public, issuer)
        if retired is not None:
            former, folder = retired
            log.warning(
                "badge issuer changed from %s to %s: badges issued before name the former "
                "and still verify with the same keys (issuer.jwks.json); its files are kept "
                "in %s, to publish at its URL if badge holders fetch them there",
                former,
                issuer.base,
                folder,
            )
        keys = load_signing_keys(keydir)
        for scheme in ISSUED_SCHEMES:
            publish(public, issuer, keys, scheme)

    def sign_badge(
        self, job: Job, report_json: str, issuer: Issuer | None = None
    ) -> BadgeRecord | None:
        """The badge a finished assessment earned, signed by ``issuer`` (default: this
        service at its URL) but not stored; None for level none."""
        data: dict[str, Any] = json.loads(report_json)
        if data.get("badge", {}).get("level", "none") == "none":
            return None
        keys = load_signing_keys(self.settings.keys_dir)
        issuer = issuer or Issuer.from_url(self.issuer_url, ISSUER_NAME)
        if self.shared is not None:  # the current public files (revocations) first
            self.shared.pull()
        issued = issue_badge(data, f"{job.kind} {job.id}", keys, issuer)
        written = publish(self.settings.publish_dir, issuer, keys, issued.scheme, issued)
        if self.shared is not None:  # its BadgeClass and report, for every web node to serve
            self.shared.push(written)
        return BadgeRecord(issued.id, job.id, issued.scheme, issued.level, issued.token,
                           issued.ob2_jws, time.time(), None, None)  # fmt: skip

    def issue_badge(self, job: Job, report_json: str) -> BadgeRecord | None:
        """Sign and store the badge a finished assessment earned (none for level none)."""
        record = self.sign_badge(job, report_json)
        if record is None:
            return None
        self.store.add_badge(
            record.id, job.id, record.scheme, record.level, record.token, record.ob2_jws
        )
        return self.store.badge(record.id)

    def on_job_done(self, job: Job, report_json: str) -> None:
        """Worker callback: a failure to sign is logged, the report stays available."""
        try:
            self.issue_badge(job, report_json)
        except SqaaasError as exc:
            log.warning("assessment %s: no badge issued: %s", job.id, exc)

    def badge(self, badge_id: str) -> BadgeRecord:
        """The badge ``badge_id``, its scheme and level as its signed credential states."""
        record = self.store.badge(badge_id)
        if record is None:
            raise NotFound(f"no badge {badge_id}")
        return self.signed(record)

    def badges_of(self, job_id: str) -> list[BadgeRecord]:
        """The badges of a job, each as its signed credential states it."""
        return [self.signed(r) for r in self.store.badges_of(job_id)]

    def signed(self, record: BadgeRecord) -> BadgeRecord:
        """``record`` with the scheme and level of its credential, verified with the
        service's keys (UnverifiedBadge when it does not verify, or disagrees with the
        database: the service never shows a level it did not sign)."""
        trusted = load_trusted_keys(self.settings.keys_dir / JWKS_FILE)
        checked = verify_token(record.token, None, VerifyOptions(trusted=trusted))
        if checked.scheme is None or checked.level is None:
            failed = [s.detail for s in checked.steps if s.status == "fail"]
            raise UnverifiedBadge(
                f"badge {record.id}: its credential does not verify ({'; '.join(failed)})"
            )
        if (checked.scheme, checked.level) != (record.scheme, record.level):
            log.warning(
                "badge %s: the database says %s %s, its signed credential %s %s; showing "
                "the signed one", record.id, record.scheme, record.level, checked.scheme,
                checked.level,
            )
        return replace(record, scheme=checked.scheme, level=checked.level)

    def badge_image(self, badge_id: str, fmt: str = "svg") -> bytes:
        """The badge image with both credentials baked in (as ``sqaaas badge issue`` writes)."""
        record = self.badge(badge_id)
        return baked_image(record.scheme, record.level, record.token, record.ob2_jws, fmt)

    def issuer_of(self, record: BadgeRecord) -> Issuer:
        """The issuer a badge names: the service's current one, or the one it was before
        its URL changed (read from the service's own signed token, so not re-verified)."""
        try:
            named = payload_object(parse_compact(record.token)).get("iss")
        except JwsCheckError:
            named = None
        issuer = Issuer.from_profile_id(named) if isinstance(named, str) else None
        return issuer or Issuer.from_url(self.issuer_url, ISSUER_NAME)

    def revoke_badge(self, badge_id: str, reason: str | None) -> bool:
        """Revoke in the revocation list of the badge's issuer (the current one, or a former
        one kept under previous/) and in the database; False if already."""
        record = self.badge(badge_id)
        public = self.settings.publish_dir
        if self.shared is not None:  # the list every node serves, not a stale local copy
            self.shared.pull()
        folder = issuer_folder(public, self.issuer_of(record).profile_id)
        listed, added = revoke(folder or public, badge_id, reason)
        if self.shared is not None:  # every web node serves the new list at once
            self.shared.push([listed])
        changed = self.store.revoke_badge(badge_id, reason)
        return added or changed

    def issuer_file(self, relative: str) -> Path:
        """A file of the publish folder by its path under the issuer URL: exactly that tree
        (no hidden file, nothing outside it; the private keys live elsewhere). Scaled out,
        the database's copy is taken first (a revocation made on another node)."""
        root = self.settings.publish_dir.resolve()
        path = (root / relative).resolve()
        hidden = any(part.startswith(".") for part in path.relative_to(root).parts) if (
            root in path.parents
        ) else True
        if not hidden and self.shared is not None:
            self.shared.refresh(self.shared.relative(path))
        if hidden or not path.is_file():
            raise NotFound(f"no issuer file {relative}")
        return path
