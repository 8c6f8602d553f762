"""The FAIR summary of the offline indicators section (QC.FAIR) of a report."""

from __future__ import annotations

from sqaaas.core.catalogue import BadgeScheme, Catalogue
from sqaaas.core.fairscores import principle_scores
from sqaaas.core.model import CriterionResult, FairSummary
from sqaaas.core.scoring import metric_badge

FAIR_BASELINE = "fair"
#: the FAIR metric set the offline indicators follow (FAIR4RS FRSM), as F-UJI names it
SOFTWARE_METRICS = "metrics_v0.7_software"


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
