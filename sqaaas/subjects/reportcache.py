"""Whole-report cache: re-assessing an unchanged repository answers from disk.

Keyed by everything a verdict depends on, so that a hit is the report a fresh run would
write: the tree (the commit of a clean work tree, else a hash of its files), the refs (tags
decide QC.Ver, branches QC.Wor), where the checkout is and what it was cloned from, the
request (criteria, baseline, FAIR, profile, verbose), the ``SQAAAS_*`` settings,
and the two image tags, which hash sqaaas' own source, its criteria data, its locked tool
versions and the images' recipes (see sqaaas/platform/images). Only reports without an
``error`` outcome are kept: an error may be the machine's (no container engine yet), and a
second run should try again. This module stays light (no probe, tool or web import), so a
hit costs a few git calls and one JSON read.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass

from sqaaas import gitsafe, resultcache
from sqaaas.acquire import Checkout
from sqaaas.core.model import Report
from sqaaas.core.outcomes import Outcome
from sqaaas.gitsafe import GitError, GitRepo
from sqaaas.platform import images
from sqaaas.sandbox.runner import tree_identity

NAMESPACE = "reports"
#: Settings that say where files go or how progress shows, not what a verdict is.
_NOT_VERDICTS = {
    "SQAAAS_CACHE_DIR", "SQAAAS_CONFIG_DIR", "SQAAAS_DATA_DIR", "SQAAAS_PROGRESS_INTERVAL",
    "SQAAAS_DEBUG",
}


@dataclass(frozen=True)
class Request:
    """What was asked of an assessment, besides the repository itself."""

    criteria: tuple[str, ...] | None
    baseline: str
    fair: bool
    profile: str | None
    verbose: bool = False  # runs the evidence-only tools: more evidence in the report

    def describe(self) -> dict[str, object]:
        return {
            "criteria": sorted(self.criteria) if self.criteria else None,
            "baseline": self.baseline,
            "fair": self.fair,
            "profile": self.profile,
            "verbose": self.verbose,
        }


def _refs(checkout: Checkout) -> str | None:
    """Every ref and the commit it names (None: git could not tell, so no caching)."""
    try:
        repo = GitRepo.find(checkout.root)
        if repo is None:
            return None
        done = gitsafe.run(
            repo.root, ["for-each-ref", "--format=%(objectname) %(refname)"], repo.settings,
            timeout=30,
        )
    except (OSError, GitError):
        return None
    if done.returncode != 0:
        return None
    return hashlib.sha256(done.stdout).hexdigest()


def _settings() -> list[tuple[str, str]]:
    return sorted(
        (name, value) for name, value in os.environ.items()
        if name.startswith("SQAAAS_") and name not in _NOT_VERDICTS
    )


def report_key(checkout: Checkout, request: Request) -> str | None:
    """The cache key of this assessment, or None when its inputs cannot be pinned down."""
    refs = _refs(checkout)
    if refs is None or checkout.commit is None:
        return None
    return resultcache.make_key(
        json.dumps({
            "tree": tree_identity(checkout.root),
            "refs": refs,
            "checkout": [str(checkout.root), checkout.url, checkout.commit, checkout.branch],
            "request": request.describe(),
            "settings": _settings(),
            "images": [images.tools_image(), images.python_image()],
        }, sort_keys=True)
    )


def _outcomes(report: Report) -> Iterable[Outcome]:
    for criterion in report.criteria.values():
        for sub in criterion.subcriteria.values():
            yield sub.outcome


def cacheable(report: Report) -> bool:
    """Reports with an error are never kept: the next run should try again."""
    return all(outcome != Outcome.ERROR for outcome in _outcomes(report))


def load(key: str) -> Report | None:
    """The report stored under ``key``; None when absent or unreadable (a miss)."""
    data = resultcache.load(NAMESPACE, key)
    if data is None:
        return None
    try:
        return Report.model_validate(data)
    except ValueError:
        return None


def store(key: str, report: Report) -> None:
    if cacheable(report):
        resultcache.store(NAMESPACE, key, report.model_dump(mode="json"))
