"""The FAIR summary of the offline indicators section (QC.FAIR) of a report."""

from __future__ import annotations

from sqaaas.criteria import BadgeScheme, Catalogue
from sqaaas.fair import SOFTWARE_METRICS
from sqaaas.fair.scores import principle_scores
from sqaaas.report.model import CriterionResult, FairSummary
from sqaaas.scoring import metric_badge

FAIR_BASELINE = "fair"


def fair_scheme(catalogue: Catalogue) -> tuple[str, BadgeScheme] | None:
    """(name, scheme) of the metric badge scheme for FAIR, if criteria/badges.yml has one."""
    for name, scheme in catalogue.badges.items():
        if scheme.baseline == FAIR_BASELINE and scheme.by_metrics:
            return name, scheme
    return None


def offline_summary(section: CriterionResult, catalogue: Catalogue) -> FairSummary:
    """Scores per principle and the FAIR badge level of the offline indicators."""
    found = fair_scheme(catalogue)
    info = catalogue.baselines[FAIR_BASELINE]
    return FairSummary(
        source="offline",
        metric_set=SOFTWARE_METRICS,
        metric_specification=info.url,
        scores=principle_scores(section),
        badge=metric_badge(found[0], found[1], section) if found else None,
    )
