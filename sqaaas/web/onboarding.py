"""What the web service accepts as an onboarding request, checked before it is queued.

The worker runs the driver of ``sqaaas onboard`` with these values, so each one is checked
here the way the driver checks it (service URL, OpenAPI URL, resource profile, CA
certificates) and under the service's own rules: hosts with public addresses only unless the
operator allows private ones, a deployment repository the service may clone, bounded text
sizes, and no credentials of any kind (the web service never sends any to a service).
"""

from __future__ import annotations

import ssl
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlsplit

from sqaaas.errors import SqaaasError
from sqaaas.facts.service.profile import LoadedProfile, parse_profile
from sqaaas.facts.service.settings import onboarding_settings
from sqaaas.subjects.service import check_openapi_url, check_target
from sqaaas.web.netcheck import InvalidField, check_public_host, check_repository_url
from sqaaas.web.store import Job

#: how the profile is named in its validation errors and in the report (config_source)
PROFILE_SOURCE = "resource profile"
MAX_URL_CHARS = 2000
#: a few CA certificates in PEM; a whole system bundle is not what this field is for
MAX_CA_PEM_CHARS = 100_000
OPTIONAL = ("openapi_url", "profile", "deployment_repo", "ca_pem")


@dataclass(frozen=True)
class OnboardingInput:
    """The fields of an onboarding request; the optional ones are None when not given."""

    service_url: str
    openapi_url: str | None = None
    profile: str | None = None
    deployment_repo: str | None = None
    ca_pem: str | None = None

    def params(self) -> dict[str, str]:
        """What the job stores besides the service URL: the optional fields given."""
        return {k: v for k, v in asdict(self).items() if k != "service_url" and v}

    @classmethod
    def from_params(cls, service_url: str, params: dict[str, Any] | None) -> OnboardingInput:
        """The request back from what ``params`` stored (unknown keys are ignored)."""
        params = params or {}
        return cls(service_url, **{name: params.get(name) for name in OPTIONAL})

    @classmethod
    def of(cls, job: Job) -> OnboardingInput:
        """The request an onboarding job was queued with."""
        return cls.from_params(job.repo_url, job.params)

    def loaded_profile(self) -> LoadedProfile | None:
        """The parsed, validated profile (ProfileError when it is not valid)."""
        return parse_profile(self.profile, PROFILE_SOURCE) if self.profile else None


def check_request(request: OnboardingInput, *, allow_private: bool) -> OnboardingInput:
    """The request with its values normalised; InvalidField naming the field at fault."""
    return OnboardingInput(
        service_url=_service_url(request.service_url, allow_private),
        openapi_url=_openapi_url(request.openapi_url, allow_private),
        profile=_profile(request.profile),
        deployment_repo=_deployment_repo(request.deployment_repo, allow_private),
        ca_pem=_ca_pem(request.ca_pem),
    )


def _given(value: str | None) -> str | None:
    return value if value and value.strip() else None


def _url(value: str, field: str, what: str) -> str:
    url = value.strip()
    if len(url) > MAX_URL_CHARS:
        raise InvalidField(f"the {what} is longer than {MAX_URL_CHARS} characters", field)
    parts = urlsplit(url)
    if parts.username or parts.password:
        raise InvalidField(
            "credentials in the URL are not accepted: the web service never sends credentials",
            field,
        )
    return url


def _service_url(value: str, allow_private: bool) -> str:
    field = "service_url"
    if _given(value) is None:
        raise InvalidField("give the service's URL, e.g. https://service.example", field)
    try:
        url = check_target(_url(value, field, "service URL"))
    except SqaaasError as exc:
        raise InvalidField(str(exc), field) from None
    check_public_host(urlsplit(url).hostname or "", allow_private=allow_private, field=field)
    return url


def _openapi_url(value: str | None, allow_private: bool) -> str | None:
    field = "openapi_url"
    if (value := _given(value)) is None:
        return None
    try:
        url = check_openapi_url(_url(value, field, "OpenAPI URL"), option=None)
    except SqaaasError as exc:
        raise InvalidField(str(exc), field) from None
    check_public_host(urlsplit(url).hostname or "", allow_private=allow_private, field=field)
    return url


def _profile(text: str | None) -> str | None:
    if (text := _given(text)) is None:
        return None
    limit = onboarding_settings().profile.max_bytes
    if len(text.encode("utf-8", "surrogatepass")) > limit:
        raise InvalidField(
            f"the resource profile is larger than {limit} bytes; a profile is short", "profile"
        )
    try:
        parse_profile(text, PROFILE_SOURCE)
    except SqaaasError as exc:
        raise InvalidField(str(exc), "profile") from None
    return text


def _deployment_repo(value: str | None, allow_private: bool) -> str | None:
    if (value := _given(value)) is None:
        return None
    return check_repository_url(value, allow_private=allow_private, field="deployment_repo")


def _ca_pem(text: str | None) -> str | None:
    """PEM CA certificates that Python's ssl module accepts; never a private key."""
    field = "ca_pem"
    if (text := _given(text)) is None:
        return None
    if len(text) > MAX_CA_PEM_CHARS:
        raise InvalidField(
            f"the CA certificates are longer than {MAX_CA_PEM_CHARS} characters", field
        )
    if "PRIVATE KEY" in text:
        raise InvalidField(
            "this holds a private key: paste only the CA certificate(s), never a key", field
        )
    if "-----BEGIN CERTIFICATE-----" not in text:
        raise InvalidField(
            "not PEM: paste the CA certificate(s) from -----BEGIN CERTIFICATE----- to "
            "-----END CERTIFICATE-----",
            field,
        )
    try:
        ssl.create_default_context(cadata=text.strip() + "\n")
    except (ssl.SSLError, ValueError, TypeError) as exc:
        raise InvalidField(f"not usable as CA certificates: {exc}", field) from None
    return text.strip() + "\n"
