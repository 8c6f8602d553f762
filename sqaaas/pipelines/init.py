"""Derive a starting pipeline spec from a repository (``sqaaas pipeline init``).

The selection is the one ``sqaaas assess`` makes: every criterion of the software baseline
with at least one automated subcriterion, minus the criteria the repository's own
configuration skips (with its reason). Each gets one default step, the sqaaas check of that
criterion, so the generated CI gives the verdicts ``sqaaas assess`` gives locally.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

from sqaaas.acquire import Checkout, redact_url
from sqaaas.context import make_context
from sqaaas.core.catalogue import default_catalogue
from sqaaas.forges import web_url
from sqaaas.pipelines.spec import PipelineSpec, Repository, Step

_NAME_CHARS = re.compile(r"[^A-Za-z0-9._-]+")


def step_name(criterion: str) -> str:
    """``QC.Sty`` -> ``qc_sty``."""
    return criterion.lower().replace(".", "_")


def repository_of(checkout: Checkout) -> Repository:
    """The checkout as a spec repository: the browsable https URL of a forge remote when
    known, else the remote as configured (credentials removed), else the local folder."""
    remote = checkout.url
    url = (web_url(remote) if remote else None) or (redact_url(remote) if remote else None)
    url = url or checkout.root.resolve().as_uri()
    name = repository_name(url, fallback=checkout.root.name)
    return Repository(name=name, url=url, branch=checkout.branch or "main")


def repository_name(url: str, fallback: str = "repository") -> str:
    """A spec name for the repository at ``url``: its last path part without ``.git``
    (``https://host/org/my-tool.git`` -> ``my-tool``), made safe as a folder name."""
    stem = unquote(Path(url.rstrip("/")).name).removesuffix(".git") or fallback
    return _NAME_CHARS.sub("-", stem).strip("-._")[:63] or "repository"


def derive_spec(checkout: Checkout) -> PipelineSpec:
    """One default sqaaas step per criterion that ``sqaaas assess`` would assess here."""
    config = make_context(checkout).config
    criteria = {
        criterion.id: (Step(name=step_name(criterion.id)),)
        for criterion in default_catalogue().of_baseline("software")
        if criterion.id not in config.skip and any(s.probes for s in criterion.subcriteria)
    }
    return PipelineSpec(repositories=(repository_of(checkout),), criteria=criteria)
