"""Report objects built directly (no probes), covering every outcome, for renderer tests.

Built with the real scoring functions, so verdicts, coverage and the badge are the ones
the engine would compute for these outcomes.
"""

from __future__ import annotations

from sqaaas.criteria import BadgeLevel, BadgeScheme
from sqaaas.outcomes import Evidence, Outcome
from sqaaas.report.model import (
    BaselineInfo,
    CriterionResult,
    Report,
    RepositoryInfo,
    SubcriterionResult,
)
from sqaaas.scoring import badge, coverage, is_valid

SCHEME = BadgeScheme(
    baseline="software",
    levels=(
        BadgeLevel(name="bronze", criteria=("QC.Acc", "QC.Doc", "QC.Lic")),
        BadgeLevel(name="silver", criteria=("QC.Met", "QC.Ver")),
        BadgeLevel(name="gold", criteria=("QC.Sec", "QC.Sty", "QC.Uni")),
    ),
)
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


def criterion(title: str, subs: dict[str, SubcriterionResult], skipped: str | None = None):
    return CriterionResult(
        title=title,
        source_url=f"https://indigo-dc.github.io/sqa-baseline/#{title.lower().replace(' ', '-')}",
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
            id="software", title="Software baseline", url="https://indigo-dc.github.io/sqa-baseline/",
            version="4.1",
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
