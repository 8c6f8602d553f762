"""Select criteria, run the probes they need concurrently, judge, and build the report.

The same steps for every subject (a repository, a live service): the subject builds its
context and its report's description (sqaaas.subjects); nothing here knows what it assesses.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from sqaaas import __version__
from sqaaas.config import RepoConfig
from sqaaas.context import FactCache
from sqaaas.core import registry
from sqaaas.core.catalogue import Catalogue, Criterion, Profile, Subcriterion
from sqaaas.core.model import (
    BaselineInfo,
    CriterionResult,
    FairSummary,
    Report,
    RepositoryInfo,
    Score,
    SubcriterionResult,
)
from sqaaas.core.outcomes import Evidence, Finding, Outcome, combine
from sqaaas.core.scoring import badge, criterion_result
from sqaaas.errors import SqaaasError

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
    unknown = sorted(names - registry.names())
    if unknown:  # the criteria data names a probe no imported probe package registered
        raise SqaaasError(f"criteria data names unknown probe(s): {', '.join(unknown)}")
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
    *,
    profile: Profile,
) -> dict[str, CriterionResult]:
    """Criterion results from the probes' findings, honouring the repository's skips.

    ``language``, the repository's main language, picks the criteria data's hint for it
    (no pytest hint for a C project) where the probe gave no specific one; ``profile``
    says which subcriteria decide each verdict (the others are reported as advisory).
    """
    results = {}
    for criterion in selected:
        gating = profile.decisive_ids(criterion)
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


def needed_probes(selected: list[Criterion], cfg: RepoConfig) -> set[str]:
    """The probes the selected criteria need, leaving out what ``cfg`` skips."""
    return {
        p
        for c in selected
        if not _skip_reason(cfg, c.id)
        for s in c.subcriteria
        if not _skip_reason(cfg, s.id)
        for p in s.probes
    }


def build_report(
    catalogue: Catalogue,
    baseline: str,
    results: dict[str, CriterionResult],
    *,
    subject: RepositoryInfo,
    started: float,
    config_source: str | None = None,
    languages: dict[str, int] | None = None,
    fair: dict[str, FairSummary] | None = None,
    profile: str | None = None,
) -> Report:
    """The report of ``results`` against ``baseline``: its badge, the baseline's description
    and the subject's (``started`` is the time.monotonic() the assessment began), naming
    the ``profile`` (None: the default) ``results`` were judged by."""
    scheme_name, scheme = next(
        (name, s) for name, s in catalogue.badges.items() if s.baseline == baseline
    )
    info = catalogue.baselines[baseline]
    return Report(
        tool={"name": "sqaaas", "version": __version__},
        baseline=BaselineInfo(id=info.id, title=info.title, url=info.url, version=info.version),
        repository=subject,
        config_source=config_source,
        profile=profile or catalogue.profiles.default,
        languages=languages or {},
        criteria=results,
        badge=badge(scheme_name, scheme, results),
        fair=fair or {},
        generated_at=datetime.now(UTC).isoformat(timespec="seconds"),
        duration_s=round(time.monotonic() - started, 3),
    )
