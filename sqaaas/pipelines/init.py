"""Derive a starting pipeline spec from a repository (``sqaaas pipeline init``).

The selection is the one ``sqaaas assess`` makes: every criterion of the software baseline
with at least one automated subcriterion, minus the criteria the repository's own
configuration skips (with its reason). Each gets one step per registry tool that decides
it in CI and has files to check here, so the generated CI gives, for what those tools
decide, the verdicts ``sqaaas assess`` gives locally, without sqaaas installed.
"""

from __future__ import annotations

import re
from fnmatch import fnmatch
from pathlib import Path
from urllib.parse import unquote

from sqaaas.acquire import Checkout, redact_url
from sqaaas.context import make_context
from sqaaas.core.catalogue import default_catalogue
from sqaaas.errors import SqaaasError
from sqaaas.forges import web_url
from sqaaas.pipelines import toolci
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
    """One step per registry tool that decides a criterion ``sqaaas assess`` would assess
    here, in CI, and has files to check in this repository."""
    spec, _ = derive_spec_with_notes(checkout)
    return spec


def derive_spec_with_notes(checkout: Checkout) -> tuple[PipelineSpec, list[str]]:
    """The spec of :func:`derive_spec` and the criteria it cannot check without sqaaas."""
    ctx = make_context(checkout)
    names = [entry.name for entry in ctx.fs.files]
    criteria: dict[str, tuple[Step, ...]] = {}
    unchecked = []
    for criterion in default_catalogue().of_baseline("software"):
        if criterion.id in ctx.config.skip or not any(s.probes for s in criterion.subcriteria):
            continue
        steps = tuple(
            Step(name=f"{step_name(criterion.id)}_{tool.name}", tool=tool.name)
            for tool in toolci.tools_of(criterion.id)
            if any(fnmatch(name, pattern) for pattern in tool.include for name in names)
        )
        if steps:
            criteria[criterion.id] = steps
        else:
            unchecked.append(criterion.id)
    if not criteria:
        raise SqaaasError(
            f"{checkout.root}: no registry tool has files to check here; write the spec by hand "
            "(see 'sqaaas pipeline schema')"
        )
    notes = [
        f"{', '.join(unchecked)}: checked by sqaaas itself, not by a tool: CI checks them only "
        "when the spec's 'sqaaas_requirement' says how to install sqaaas (its sqaaas assess "
        "step checks every criterion)"
    ] if unchecked else []
    return PipelineSpec(repositories=(repository_of(checkout),), criteria=criteria), notes
