"""The probe registry: a probe is a named function from a context to a Finding.

Repository probes take a RepoContext; service probes (SvcQC.*) take a ServiceContext.

criteria/ refers to probes by name; the engine refuses to run a name nobody registered, and a
test checks that every name in criteria/ is registered by the probe packages.
A probe whose input could not be parsed (sqaaas.safeparse.ParseError, raised by the facts
it reads: a YAML bomb, nesting, a huge integer...) answers ``error`` naming the file and
the bound, however it is called, instead of raising.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from sqaaas.core.outcomes import Finding
from sqaaas.safeparse import ParseError, ParseLimitError

Probe = Callable[[Any], Finding]
_PROBES: dict[str, Probe] = {}


def probe(name: str) -> Callable[[Probe], Probe]:
    """Register the decorated function under ``name`` (e.g. ``lic.osi_approved``)."""

    def register(func: Probe) -> Probe:
        if name in _PROBES and _PROBES[name].__wrapped__ is not func:  # type: ignore[attr-defined]
            raise ValueError(f"probe {name} registered twice")

        @functools.wraps(func)
        def guarded(ctx: Any) -> Finding:
            try:
                return func(ctx)
            except ParseError as exc:
                return unparsed(exc)

        _PROBES[name] = guarded
        return guarded

    return register


def unparsed(exc: ParseError) -> Finding:
    """The ``error`` finding of a probe that could not read a file: the message names the
    file and the bound (the limit, also the evidence's value)."""
    limit = exc.limit if isinstance(exc, ParseLimitError) else None
    finding = Finding.error(str(exc), path=exc.source, value=limit)
    what = "over sqaaas' parsing bounds" if limit is not None else "not valid"
    return finding.model_copy(update={
        "hint": f"{exc.source} is {what}, so nothing could be concluded from it: make it an "
        "ordinary file (bounds: size, nesting, YAML alias expansion, integer digits).",
    })


def get(name: str) -> Probe:
    """The probe registered as ``name``; KeyError if no imported probe module registered it."""
    return _PROBES[name]


def names() -> set[str]:
    """The names registered so far (by the probe packages imported: sqaaas.probes.*)."""
    return set(_PROBES)
