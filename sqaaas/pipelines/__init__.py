"""CI pipelines: one typed spec, rendered to Jenkins (JePL), GitHub Actions and GitLab CI.

The names below are kept here, free of heavy imports, so the CLI and the web pages can name
them without loading the spec model or the templates.
"""

from dataclasses import dataclass

#: where `sqaaas pipeline init` writes the spec and `generate`/`run` look for it
DEFAULT_SPEC_FILE = ".sqaaas-pipeline.yml"


@dataclass(frozen=True)
class CiTarget:
    """A CI system a spec renders to (``pipelines/targets/<name>``)."""

    name: str  # what --target and the REST API take
    label: str  # how the web composer names it


#: the one list of CI targets: `pipeline generate --target`, the REST API's Target enum and
#: the composer's choices follow it, in this order
CI_TARGETS: tuple[CiTarget, ...] = (
    CiTarget("jenkins", "Jenkins (JePL)"),
    CiTarget("github-actions", "GitHub Actions"),
    CiTarget("gitlab-ci", "GitLab CI"),
)
TARGETS: tuple[str, ...] = tuple(t.name for t in CI_TARGETS)
TARGET_LABELS: dict[str, str] = {t.name: t.label for t in CI_TARGETS}
#: the target the web composer offers first (the most used CI system)
DEFAULT_TARGET = "github-actions"
