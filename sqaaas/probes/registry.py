"""The probe registry: a probe is a named function from a context to a Finding.

Repository probes take a RepoContext; service probes (SvcQC.*) take a ServiceContext.

criteria/ refers to probes by name; loading the data checks every name exists here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqaaas.outcomes import Finding

Probe = Callable[[Any], Finding]
_PROBES: dict[str, Probe] = {}


def probe(name: str) -> Callable[[Probe], Probe]:
    """Register the decorated function under ``name`` (e.g. ``lic.osi_approved``)."""

    def register(func: Probe) -> Probe:
        if name in _PROBES and _PROBES[name] is not func:
            raise ValueError(f"probe {name} registered twice")
        _PROBES[name] = func
        return func

    return register


def get(name: str) -> Probe:
    _load_all()
    return _PROBES[name]


def names() -> set[str]:
    _load_all()
    return set(_PROBES)


def _load_all() -> None:
    import sqaaas.probes  # noqa: F401  (importing the package registers every probe module)
