"""Assess a git repository: the one entry point of ``sqaaas assess``, the web service's jobs
and (later) distributed workers, so all of them give the same report for the same commit.

Builds the repository's context (its own .sqaaas.yml, or a request's subfolder), registers
the software and FAIR probes, runs the engine, adds the offline FAIR section and, when an
F-UJI server is given, its evaluation of the repository's public URL.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

import sqaaas.probes.fair
import sqaaas.probes.software  # noqa: F401  (importing registers the probes this subject runs)
from sqaaas.acquire import Checkout
from sqaaas.config import RepoConfig, load_config
from sqaaas.context import make_context
from sqaaas.core.catalogue import Catalogue, default_catalogue
from sqaaas.core.engine import (
    ProbeProgress,
    build_report,
    evaluate,
    needed_probes,
    run_probes,
    select_criteria,
)
from sqaaas.core.fairsection import FAIR_BASELINE, offline_summary
from sqaaas.core.model import Report, RepositoryInfo
from sqaaas.fuji.client import Say
from sqaaas.fuji.run import assess_repository
from sqaaas.fuji.settings import FujiSettings
from sqaaas.languages import detect_languages, main_language
from sqaaas.repofs import RepoFS


def repository_config(checkout: Checkout, subfolder: str | None = None) -> RepoConfig:
    """The repository's own config, assessing ``subfolder`` instead when one is asked for."""
    config = load_config(RepoFS(checkout.root))
    return config.with_subfolder(subfolder) if subfolder else config


def assess(
    checkout: Checkout,
    *,
    criteria: Iterable[str] | None = None,
    baseline: str = "software",
    fair: bool = True,
    catalogue: Catalogue | None = None,
    config: RepoConfig | None = None,
    fuji: FujiSettings | None = None,
    progress: ProbeProgress | None = None,
    notify: Callable[[str], None] | None = None,
    say: Say | None = None,
    profile: str | None = None,
    verbose: bool = False,
) -> Report:
    """Assess a checked-out repository against ``baseline`` and return the report.

    With ``fair`` (the default for the software baseline) the offline FAIR indicators
    (criteria/fair/) are assessed too and reported as the QC.FAIR section; with ``fuji``
    an F-UJI server evaluates the repository's public URL (section QC.FAIR.F-UJI, its
    messages through ``say``). ``profile`` (a profile of criteria/badges.yml, None: the
    default) says which subcriteria decide each criterion's verdict, and whether the tools
    whose findings decide nothing run for their evidence (``verbose`` runs them anyway).
    """
    started = time.monotonic()
    catalogue = catalogue or default_catalogue()
    judged_by = catalogue.profile(profile)  # an unknown name fails before any work
    with_fair = fair and baseline == "software" and FAIR_BASELINE in catalogue.baselines
    selected = select_criteria(
        catalogue, [baseline, FAIR_BASELINE] if with_fair else [baseline], criteria
    )
    ctx = make_context(checkout, config, notify)
    cfg = ctx.config
    needed = needed_probes(selected, cfg)
    ctx.probes = frozenset(needed)
    ctx.evidence_tools = judged_by.evidence_tools or verbose
    findings = run_probes(ctx, needed, progress)
    languages = detect_languages(ctx.fs.files)
    results = evaluate(selected, findings, cfg, main_language(languages), profile=judged_by)
    fair_sections = {
        cid: offline_summary(result, catalogue)
        for cid, result in results.items()
        if catalogue.criteria[cid].baseline == FAIR_BASELINE
    }
    report = build_report(
        catalogue,
        baseline,
        results,
        subject=RepositoryInfo(
            url=checkout.url,
            commit=checkout.commit,
            branch=checkout.branch,
            path=str(checkout.root),
            subfolder=cfg.subfolder,
        ),
        started=started,
        config_source=cfg.source,
        languages=languages,
        fair=fair_sections,
        profile=profile,
    )
    if fuji is not None:
        assess_repository(report, checkout, fuji, say=say)
    return report
