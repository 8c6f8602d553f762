"""The service baseline's probes (SvcQC.*, criteria/service/), run on a live service;
importing this package registers them."""

from sqaaas.probes.service import (  # noqa: F401  (imported to register their probes)
    api,
    deploy,
    headers,
    ops,
    profile,
    tls,
)
