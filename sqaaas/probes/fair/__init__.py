"""The offline FAIR indicators' probes (QC.FAIR, criteria/fair/); importing registers them."""

from sqaaas.probes.fair import (  # noqa: F401  (imported to register their probes)
    indicators,
    metadata,
    usage,
)
