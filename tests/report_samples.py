"""Report objects built directly (no probes), covering every outcome, for renderer tests.

Built with the real scoring functions, so verdicts, coverage and the badge are the ones
the engine would compute for these outcomes.
"""

from __future__ import annotations

from sqaaas.core.catalogue import BadgeLevel, BadgeScheme
from sqaaas.core.fairscores import principle_scores
from sqaaas.core.model import (
    BaselineInfo,
    CriterionResult,
    FairSummary,
    Report,
    RepositoryInfo,
    Score,
    SubcriterionResult,
)
from sqaaas.core.outcomes import Evidence, Outcome
from sqaaas.core.scoring import badge, coverage, is_valid, metric_badge

SCHEME = BadgeScheme(
    baseline="software",
    levels=(
        BadgeLevel(name="bronze", criteria=("QC.Acc", "QC.Doc", "QC.Lic")),
        BadgeLevel(name="silver", criteria=("QC.Met", "QC.Ver")),
        BadgeLevel(name="gold", criteria=("QC.Sec", "QC.Sty", "QC.Uni")),
    ),
)
FAIR_SCHEME = BadgeScheme(
    baseline="fair",
    section="QC.FAIR",
    levels=(
        BadgeLevel(name="bronze", metrics=("FRSM-01", "FRSM-03", "FRSM-04", "FRSM-15")),
        BadgeLevel(name="silver", metrics=("FRSM-06", "FRSM-07", "FRSM-13", "FRSM-14", "FRSM-16")),
        BadgeLevel(name="gold", metrics=("FRSM-05", "FRSM-09", "FRSM-11", "FRSM-12", "FRSM-17")),
    ),
)
#: the offline indicators of criteria/fair/QC.FAIR.yml: id, requirement level, metric, points
FAIR_INDICATORS = (
    ("QC.FAIR01", "MUST", "FRSM-01-F1", 3),
    ("QC.FAIR02", "MUST", "FRSM-03-F1.2", 3),
    ("QC.FAIR03", "MUST", "FRSM-04-F2", 3),
    ("QC.FAIR04", "MUST", "FRSM-15-R1.1", 3),
    ("QC.FAIR05", "SHOULD", "FRSM-06-F2", 2),
    ("QC.FAIR06", "SHOULD", "FRSM-07-F3", 2),
    ("QC.FAIR07", "SHOULD", "FRSM-13-R1", 2),
    ("QC.FAIR08", "SHOULD", "FRSM-14-R1", 2),
    ("QC.FAIR09", "SHOULD", "FRSM-16-R1.1", 2),
    ("QC.FAIR10", "MAY", "FRSM-05-R1", 1),
    ("QC.FAIR11", "MAY", "FRSM-09-A1", 1),
    ("QC.FAIR12", "MAY", "FRSM-11-I1", 1),
    ("QC.FAIR13", "MAY", "FRSM-12-I2", 1),
    ("QC.FAIR14", "MAY", "FRSM-17-R1.2", 1),
)
FUJI_SPEC = "https://doi.org/10.5281/zenodo.10047401"
NASTY = "a | b\nnext line <script>alert(1)</script> `tick` [x](javascript:alert(1)) *em*"
COMMIT = "0123456789abcdef0123456789abcdef01234567"


def sub(
    outcome: Outcome,
    level: str = "MUST",
    *evidence: Evidence,
    gating: bool = True,
    hint: str = "Do the thing properly.",
    skipped: str | None = None,
) -> SubcriterionResult:
    return SubcriterionResult(
        outcome=outcome,
        requirement_level=level,
        description=f"A {level} requirement that ends up {outcome.value}.",
        hint=hint,
        evidence=list(evidence),
        probes=[] if outcome is Outcome.NOT_AUTOMATED else ["family.probe"],
        skipped_reason=skipped,
        gating=gating,
    )


def criterion(
    title: str,
    subs: dict[str, SubcriterionResult],
    skipped: str | None = None,
    source_url: str | None = None,
):
    return CriterionResult(
        title=title,
        source_url=source_url
        or f"https://indigo-dc.github.io/sqa-baseline/#{title.lower().replace(' ', '-')}",
        valid=skipped is None and is_valid(subs),
        coverage=coverage(subs),
        skipped_reason=skipped,
        subcriteria=subs,
    )


def make_report(
    criteria: dict[str, CriterionResult] | None = None,
    url: str | None = "https://github.com/example-org/example.git",
    subfolder: str | None = None,
) -> Report:
    criteria = sample_criteria() if criteria is None else criteria
    return Report(
        tool={"name": "sqaaas", "version": "0.1.0"},
        baseline=BaselineInfo(
            id="software", title="Software baseline",
            url="https://indigo-dc.github.io/sqa-baseline/", version="4.1",
        ),
        repository=RepositoryInfo(
            url=url, commit=COMMIT, branch="main", path="/tmp/checkout", subfolder=subfolder
        ),
        config_source=None,
        languages={"Python": 3},
        criteria=criteria,
        badge=badge("software", SCHEME, criteria),
        generated_at="2025-01-02T03:04:05+00:00",
        duration_s=0.42,
    )


def sample_criteria() -> dict[str, CriterionResult]:
    """QC.Acc fails a gating MUST, QC.Doc is valid, QC.Lic errors; every outcome appears."""
    return {
        "QC.Acc": criterion("Code Accessibility", {
            "QC.Acc01": sub(Outcome.PASS, "MUST", Evidence(
                message="remote origin is public", value="https://github.com/example-org/example",
                tool="git",
            )),
            "QC.Acc02": sub(Outcome.FAIL, "MUST", Evidence(
                message=NASTY, path="src/we|ird `name`.py", line=7, excerpt="x = `y` | z\nw",
            ), hint="Fix <b>it</b> | now"),
            "QC.Acc02.1": sub(Outcome.NOT_AUTOMATED, "RECOMMENDED", Evidence(
                message="needs knowledge of other repositories",
            ), gating=False),
            "QC.Acc03": sub(Outcome.NOT_APPLICABLE, "SHOULD", Evidence(
                message="skipped by .sqaaas.yml: internal project",
            ), gating=False, skipped="internal project"),
        }),
        "QC.Doc": criterion("Documentation", {
            "QC.Doc01": sub(Outcome.PASS, "MUST", Evidence(
                message="README found", path="README.md", line=1, excerpt="# Example",
            )),
            "QC.Doc02": sub(Outcome.FAIL, "SHOULD", Evidence(
                message="no CONTRIBUTING file", path="docs",
            ), gating=False, hint="Add CONTRIBUTING.md."),
        }),
        "QC.Lic": criterion("Licensing", {
            "QC.Lic01": sub(Outcome.ERROR, "MUST", Evidence(
                message="probe licence.file crashed: OSError: boom",
            )),
            "QC.Lic02": sub(Outcome.FAIL, "MUST", gating=True, hint="Pick an OSI licence."),
        }),
    }


def fair_offline(level: str) -> tuple[CriterionResult, FairSummary]:
    """The offline QC.FAIR section whose indicators reach exactly FAIR ``level``.

    Indicators of the metrics ``level`` needs pass; the others fail, except QC.FAIR12,
    which is not applicable (unscored), so the scores leave it out.
    """
    needed = FAIR_SCHEME.required_for(level) if level != "none" else []
    subs = {}
    for sid, req, metric, points in FAIR_INDICATORS:
        outcome = Outcome.PASS if metric.rsplit("-", 1)[0] in needed else Outcome.FAIL
        if sid == "QC.FAIR12" and outcome is Outcome.FAIL:
            outcome = Outcome.NOT_APPLICABLE
        evidence = Evidence(message=f"{sid} looked at CITATION.cff", path="CITATION.cff", line=2)
        subs[sid] = SubcriterionResult(
            outcome=outcome,
            requirement_level=req,
            description=f"Offline indicator approximating {metric}.",
            hint=f"Do what {metric} asks.",
            evidence=[evidence],
            probes=[f"fair.indicator_{sid[-2:]}"],
            gating=req == "MUST",
            metric=metric,
            score=Score(earned=points if outcome is Outcome.PASS else 0, total=points)
            if outcome.assessed else None,
        )
    section = criterion("FAIR software (offline indicators)", subs, source_url=FUJI_SPEC)
    summary = FairSummary(
        source="offline",
        metric_set="metrics_v0.7_software",
        metric_specification=FUJI_SPEC,
        scores=principle_scores(section),
        badge=metric_badge("fair", FAIR_SCHEME, section),
    )
    return section, summary


def fuji_metric(outcome: Outcome, earned: float, total: float, maturity: int,
                *evidence: Evidence) -> SubcriterionResult:
    """One F-UJI metric result, keyed (by the caller) and labelled by its metric id."""
    return SubcriterionResult(
        outcome=outcome,
        requirement_level="SHOULD",
        description="Does the software have a globally unique and persistent identifier?",
        hint="See the F-UJI metric's tests.",
        evidence=list(evidence),
        gating=True,
        score=Score(earned=earned, total=total) if outcome in (Outcome.PASS, Outcome.FAIL)
        else None,
        maturity=maturity if outcome in (Outcome.PASS, Outcome.FAIL) else None,
    )


def fair_fuji(resolved: bool = True, error: str | None = None
              ) -> tuple[CriterionResult, FairSummary]:
    """A QC.FAIR.F-UJI section as an F-UJI 3.5.1 server's software evaluation gives it."""
    subs = {
        "FRSM-01-F1": fuji_metric(Outcome.FAIL, 0, 3, 0, Evidence(
            message="FRSM-01-F1-1 fail (0/1): The software has a unique identifier.",
            tool="F-UJI")),
        "FRSM-04-F2": fuji_metric(Outcome.PASS, 2, 2, 3, Evidence(
            message="FRSM-04-F2-1 pass (2/2): descriptive metadata found", tool="F-UJI")),
        "FsF-R1.1-01M": fuji_metric(Outcome.PASS, 1, 2, 1, Evidence(
            message="FsF-R1.1-01M-1 pass (1/1): licence found", tool="F-UJI")),
    }
    subs = {sid: s.model_copy(update={"metric": sid}) for sid, s in subs.items()}
    if error:  # as sqaaas.fuji.mapping words a failed evaluation: one section-wide error
        subs = {"QC.FAIR.F-UJI": fuji_metric(Outcome.ERROR, 0, 0, 0, Evidence(message=error))}
    section = criterion("FAIR evaluation by an F-UJI server", subs, source_url=FUJI_SPEC)
    summary = FairSummary(
        source="f-uji",
        metric_set="metrics_v0.7_software",
        metric_specification=FUJI_SPEC,
        object_identifier="https://github.com/example-org/example",
        resolved_url="https://github.com/example-org/example" if resolved else "not defined",
        resolved=resolved,
        server_version="3.5.1",
        error=error,
        scores={} if error else principle_scores(section),
        badge=None if error else metric_badge("fair", FAIR_SCHEME, section),
    )
    return section, summary


def with_fair(report: Report, level: str = "silver", fuji: bool = True, **fuji_args) -> Report:
    """``report`` with the offline FAIR section at ``level`` and, with ``fuji``, F-UJI's."""
    sections = {"QC.FAIR": fair_offline(level)}
    if fuji:
        sections["QC.FAIR.F-UJI"] = fair_fuji(**fuji_args)
    return report.model_copy(update={
        "criteria": {**report.criteria, **{cid: s[0] for cid, s in sections.items()}},
        "fair": {cid: s[1] for cid, s in sections.items()},
    })
