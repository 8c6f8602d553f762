"""Run the probes a selection of criteria needs, concurrently, and build the report."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from sqaaas import __version__
from sqaaas.acquire import Checkout
from sqaaas.config import RepoConfig, load_config
from sqaaas.context import FactCache, RepoContext
from sqaaas.criteria import Catalogue, Criterion, Subcriterion, default_catalogue
from sqaaas.errors import SqaaasError
from sqaaas.fair.offline import FAIR_BASELINE, offline_summary
from sqaaas.gitinfo import GitInfo
from sqaaas.languages import detect_languages, main_language
from sqaaas.outcomes import Evidence, Finding, Outcome, combine
from sqaaas.probes import registry
from sqaaas.repofs import RepoFS
from sqaaas.report.model import (
    BaselineInfo,
    CriterionResult,
    Report,
    RepositoryInfo,
    Score,
    SubcriterionResult,
)
from sqaaas.scoring import badge, criterion_result, gating_ids

ProbeProgress = Callable[[str, int, int], None]  # probe name, done, total


def select_criteria(
    catalogue: Catalogue, baselines: list[str], wanted: Iterable[str] | None
) -> list[Criterion]:
    """Criteria of ``baselines`` in data order, filtered by ids like ``QC.Lic``."""
    criteria = [c for b in baselines for c in catalogue.of_baseline(b)]
    if not wanted:
        return criteria
    wanted = list(wanted)
    known = {c.id for c in criteria}
    unknown = [w for w in wanted if w not in known]
    if unknown:
        raise SqaaasError(f"unknown criterion {', '.join(unknown)} (see 'sqaaas criteria')")
    return [c for c in criteria if c.id in wanted]


def make_context(
    checkout: Checkout,
    config: RepoConfig | None = None,
    notify: Callable[[str], None] | None = None,
) -> RepoContext:
    """Build the probes' context, applying the repository's own config and subfolder."""
    root_fs = RepoFS(checkout.root)
    config = config or load_config(root_fs)
    fs = root_fs
    if config.subfolder:
        if not root_fs.is_dir(config.subfolder):
            raise SqaaasError(f"subfolder '{config.subfolder}' (from {config.source}) not found")
        fs = RepoFS(root_fs.safe_target(config.subfolder))
    ctx = RepoContext(checkout=checkout, fs=fs, git=GitInfo(checkout.root), config=config)
    if notify is not None:
        ctx.notify = notify
    return ctx


def _run_probe(name: str, ctx: FactCache) -> Finding:
    try:
        return registry.get(name)(ctx)
    except Exception as exc:  # a crashing probe is an error verdict, never a pass
        return Finding(
            outcome=Outcome.ERROR,
            evidence=[Evidence(message=f"probe {name} crashed: {type(exc).__name__}: {exc}")],
        )


def run_probes(
    ctx: FactCache, names: set[str], progress: ProbeProgress | None = None, workers: int = 8
) -> dict[str, Finding]:
    """Run the named probes on ``ctx`` (a RepoContext, or a ServiceContext for services)."""
    results: dict[str, Finding] = {}
    if not names:
        return results
    ordered = sorted(names)
    if progress:  # the start, as a "0 done": the first probe to finish may take minutes
        progress("starting", 0, len(ordered))
    pool = ThreadPoolExecutor(max_workers=max(1, min(workers, len(ordered))))
    try:
        futures = {name: pool.submit(_run_probe, name, ctx) for name in ordered}
        for done, (name, future) in enumerate(futures.items(), start=1):
            results[name] = future.result()
            if progress:
                progress(name, done, len(ordered))
    except BaseException:
        # Ctrl-C: never wait here for probes still running (a test suite takes minutes);
        # the caller stops their work (sqaaas.interrupt.stop_all).
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()
    return results


def _skip_reason(config: RepoConfig, *ids: str) -> str | None:
    for key in ids:
        if key in config.skip:
            return config.skip[key]
    return None


def _subcriterion_result(
    sub: Subcriterion, finding: Finding, skip: str | None, gating: set[str], language: str | None
) -> SubcriterionResult:
    score = None
    if sub.points is not None and finding.outcome.assessed:
        earned = sub.points if finding.outcome is Outcome.PASS else 0
        score = Score(earned=earned, total=sub.points)
    return SubcriterionResult(
        outcome=finding.outcome,
        requirement_level=sub.requirement_level.value,
        description=sub.description,
        hint=finding.hint or sub.hint_for(language),
        evidence=finding.evidence,
        probes=list(sub.probes),
        skipped_reason=skip,
        gating=sub.id in gating,
        metric=sub.metric,
        score=score,
    )


def evaluate(
    selected: list[Criterion],
    findings: dict[str, Finding],
    cfg: RepoConfig,
    language: str | None = None,
) -> dict[str, CriterionResult]:
    """Criterion results from the probes' findings, honouring the repository's skips.

    ``language``, the repository's main language, picks the criteria data's hint for it
    (no pytest hint for a C project) where the probe gave no specific one.
    """
    results = {}
    for criterion in selected:
        gating = gating_ids(criterion)
        criterion_skip = _skip_reason(cfg, criterion.id)
        subs: dict[str, SubcriterionResult] = {}
        for sub in criterion.subcriteria:
            skip = criterion_skip or _skip_reason(cfg, sub.id)
            if skip:
                finding = Finding.not_applicable(f"skipped by {cfg.source}: {skip}")
            elif sub.not_automated:
                finding = Finding(
                    outcome=Outcome.NOT_AUTOMATED,
                    evidence=[Evidence(message=sub.not_automated, failing=False)],
                )
            else:
                finding = combine([findings[p] for p in sub.probes])
            subs[sub.id] = _subcriterion_result(sub, finding, skip, gating, language)
        results[criterion.id] = criterion_result(criterion, subs, criterion_skip)
    return results


def assess(
    checkout: Checkout,
    *,
    criteria: Iterable[str] | None = None,
    baseline: str = "software",
    fair: bool = True,
    catalogue: Catalogue | None = None,
    config: RepoConfig | None = None,
    progress: ProbeProgress | None = None,
    notify: Callable[[str], None] | None = None,
) -> Report:
    """Assess a checked-out repository against ``baseline`` and return the report.

    With ``fair`` (the default for the software baseline) the offline FAIR indicators
    (criteria/fair/) are assessed too and reported as the QC.FAIR section.
    """
    started = time.monotonic()
    catalogue = catalogue or default_catalogue()
    with_fair = fair and baseline == "software" and FAIR_BASELINE in catalogue.baselines
    selected = select_criteria(
        catalogue, [baseline, FAIR_BASELINE] if with_fair else [baseline], criteria
    )
    ctx = make_context(checkout, config, notify)
    cfg = ctx.config

    needed = {
        p
        for c in selected
        if not _skip_reason(cfg, c.id)
        for s in c.subcriteria
        if not _skip_reason(cfg, s.id)
        for p in s.probes
    }
    ctx.probes = frozenset(needed)
    findings = run_probes(ctx, needed, progress)
    languages = detect_languages(ctx.fs.files)
    results = evaluate(selected, findings, cfg, main_language(languages))

    scheme_name, scheme = next(
        (name, s) for name, s in catalogue.badges.items() if s.baseline == baseline
    )
    info = catalogue.baselines[baseline]
    fair_sections = {
        cid: offline_summary(result, catalogue)
        for cid, result in results.items()
        if catalogue.criteria[cid].baseline == FAIR_BASELINE
    }
    return Report(
        tool={"name": "sqaaas", "version": __version__},
        baseline=BaselineInfo(id=info.id, title=info.title, url=info.url, version=info.version),
        repository=RepositoryInfo(
            url=checkout.url,
            commit=checkout.commit,
            branch=checkout.branch,
            path=str(checkout.root),
            subfolder=cfg.subfolder,
        ),
        config_source=cfg.source,
        languages=languages,
        criteria=results,
        badge=badge(scheme_name, scheme, results),
        fair=fair_sections,
        generated_at=datetime.now(UTC).isoformat(timespec="seconds"),
        duration_s=round(time.monotonic() - started, 3),
    )
