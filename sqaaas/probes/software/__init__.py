"""The software baseline's probes (QC.*, criteria/software/); importing registers them."""

from sqaaas.probes.software import (  # noqa: F401  (imported to register their probes)
    access,
    delivery,
    deployment,
    docs,
    docs_audiences,
    docs_readme,
    harness,
    licence,
    management,
    metadata,
    security,
    style,
    tools,
    unittests,
    versioning,
    workflow,
)
