"""Shared builders for the badge tests: reports per level, an issuer with fresh keys.

Reports are built with the real scoring functions (tests/report_samples.py), so the level a
report carries is the one the badge code recomputes. Keys are generated per test module in
a temporary folder: no test reads a key from the repository.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from sqaaas.badges.issue import IssuedBadge, issue_badge, publish
from sqaaas.badges.issuer import Issuer, default_publish_dir
from sqaaas.badges.keys import (
    JWKS_FILE,
    SigningKeys,
    TrustedKey,
    generate_keys,
    load_signing_keys,
    load_trusted_keys,
)
from sqaaas.badges.verify import Verification, VerifyOptions, verify_bytes
from sqaaas.core.outcomes import Evidence, Outcome
from tests.report_samples import criterion, make_report, sub, with_fair

ISSUER_URL = "https://issuer.example"
NOW = datetime(2025, 3, 1, 12, 0, 0, tzinfo=UTC)
TITLES = {
    "QC.Acc": "Code Accessibility",
    "QC.Doc": "Documentation",
    "QC.Lic": "Licensing",
    "QC.Met": "Code Metadata",
    "QC.Ver": "Versioning",
    "QC.Sec": "Security",
    "QC.Sty": "Code Style",
    "QC.Uni": "Unit Testing",
}
REQUIRED = {
    "none": (),
    "bronze": ("QC.Acc", "QC.Doc", "QC.Lic"),
    "silver": ("QC.Acc", "QC.Doc", "QC.Lic", "QC.Met", "QC.Ver"),
    "gold": tuple(TITLES),
}
LEVELS = ("bronze", "silver", "gold")


def report_model_for(level: str, url: str | None = "https://github.com/example-org/example.git"):
    """A report whose outcomes reach exactly quality ``level``."""
    criteria = {}
    for cid, title in TITLES.items():
        outcome = Outcome.PASS if cid in REQUIRED[level] else Outcome.FAIL
        evidence = Evidence(message=f"{cid} checked", path="README.md", line=1)
        criteria[cid] = criterion(title, {f"{cid}01": sub(outcome, "MUST", evidence)})
    return make_report(criteria, url=url)


def report_for(level: str, url: str | None = "https://github.com/example-org/example.git"):
    """A report (JSON object) whose outcomes reach exactly ``level``."""
    return json.loads(report_model_for(level, url).to_json())


def fair_report_for(fair_level: str, quality_level: str = "bronze") -> dict[str, Any]:
    """A report (JSON) at quality ``quality_level`` whose offline FAIR indicators reach
    ``fair_level``, with an F-UJI section beside them (which no badge is computed from)."""
    return json.loads(with_fair(report_model_for(quality_level), level=fair_level).to_json())


def fail_criterion(report: dict[str, Any], cid: str) -> dict[str, Any]:
    """A copy of ``report`` with ``cid``'s gating subcriterion failed, verdicts left as were."""
    edited = copy.deepcopy(report)
    edited["criteria"][cid]["subcriteria"][f"{cid}01"]["outcome"] = "fail"
    return edited


@dataclass(frozen=True)
class IssuerSetup:
    keydir: Path
    keys: SigningKeys
    issuer: Issuer

    @property
    def public(self) -> Path:
        """The publish folder: public/ beside the key folder, as `badge issue` defaults."""
        return default_publish_dir(self.keydir)

    @property
    def jwks(self) -> Path:
        """The published JWK set (kids are the keys' URLs)."""
        return self.public / JWKS_FILE

    def trusted(self) -> dict[str, TrustedKey]:
        return load_trusted_keys(self.jwks)

    def issue(self, report: dict[str, Any], **kwargs: Any) -> IssuedBadge:
        kwargs.setdefault("now", NOW)
        issued = issue_badge(report, "report.json", self.keys, self.issuer, **kwargs)
        publish(self.public, self.issuer, self.keys, issued.scheme, issued)
        return issued

    def verify(self, data: bytes, **kwargs: Any) -> Verification:
        kwargs.setdefault("now", NOW)
        return verify_bytes(data, VerifyOptions(trusted=self.trusted(), **kwargs))


def make_issuer(keydir: Path, url: str = ISSUER_URL) -> IssuerSetup:
    """Fresh keys in ``keydir`` and the issuer at ``url``, its files published beside them
    (so ``trusted()`` reads the published key set)."""
    generate_keys(keydir)
    setup = IssuerSetup(keydir, load_signing_keys(keydir), Issuer.from_url(url))
    publish(setup.public, setup.issuer, setup.keys, "software")
    return setup


@pytest.fixture(scope="module")
def issuer(tmp_path_factory: pytest.TempPathFactory) -> IssuerSetup:
    """An issuer with freshly generated keys, shared by the tests of one module."""
    return make_issuer(tmp_path_factory.mktemp("issuer") / "keys")


def failed_steps(result: Verification) -> dict[str, str]:
    return {s.name: s.detail for s in result.steps if s.status == "fail"}

