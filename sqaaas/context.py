"""The inputs probes share: files, git history, configuration, and memoised facts.

A fact (e.g. "which CI files exist") is a plain function of the context computed at most
once per assessment, however many probes ask for it, even when probes run in threads.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqaaas.acquire import Checkout
from sqaaas.config import RepoConfig, load_config
from sqaaas.errors import SqaaasError
from sqaaas.gitinfo import GitInfo
from sqaaas.repofs import RepoFS
from sqaaas.safeparse.bounds import ParseError

T = TypeVar("T")
C = TypeVar("C", bound="FactCache")


@dataclass
class FactCache:
    """Memoised facts of one assessment, shared by the probes that run in threads."""

    _facts: dict[Callable[..., object], object] = field(
        default_factory=dict, repr=False, kw_only=True
    )
    _locks: dict[Callable[..., object], threading.Lock] = field(
        default_factory=dict, repr=False, kw_only=True
    )
    _guard: threading.Lock = field(default_factory=threading.Lock, repr=False, kw_only=True)

    def fact(self: C, compute: Callable[[C], T]) -> T:
        """Return ``compute(self)``, computed once per context (thread-safe).

        A fact whose file cannot be parsed (sqaaas.safeparse.ParseError) is remembered as
        that error: every probe asking gets it (an ``error`` outcome) without parsing again.
        """
        with self._guard:
            if compute in self._facts:
                return _value(self._facts[compute])
            lock = self._locks.setdefault(compute, threading.Lock())
        with lock:
            if compute not in self._facts:
                try:
                    self._facts[compute] = compute(self)
                except ParseError as exc:
                    self._facts[compute] = _Refused(exc)
            return _value(self._facts[compute])


@dataclass(frozen=True)
class _Refused:
    """The memo of a fact that raised ParseError."""

    error: ParseError


def _value(stored: Any) -> Any:
    if isinstance(stored, _Refused):
        raise copy.copy(stored.error)  # a copy: probes in threads each raise their own
    return stored


@dataclass
class RepoContext(FactCache):
    checkout: Checkout
    fs: RepoFS
    git: GitInfo
    config: RepoConfig
    #: long steps (tool runs, container work) say what they are doing; silent by default
    notify: Callable[[str], None] = field(default=lambda message: None, repr=False)
    #: the probes this assessment runs (empty: not known), so that shared work can be
    #: planned once, e.g. one tools container for every tool they need
    probes: frozenset[str] = field(default=frozenset(), repr=False)
    #: whether tools whose findings decide nothing (Pylint, Ruff, Radon...) run for their
    #: evidence; a profile or --verbose asks for them (see Profile.evidence_tools)
    evidence_tools: bool = field(default=True, repr=False)


def make_context(
    checkout: Checkout,
    config: RepoConfig | None = None,
    notify: Callable[[str], None] | None = None,
) -> RepoContext:
    """Build the probes' context, applying the repository's own config and subfolder."""
    root_fs = RepoFS(checkout.root)
    config = config or load_config(root_fs)
    fs = root_fs
    if config.subfolder:
        if not root_fs.is_dir(config.subfolder):
            raise SqaaasError(f"subfolder '{config.subfolder}' (from {config.source}) not found")
        fs = RepoFS(root_fs.safe_target(config.subfolder))
    ctx = RepoContext(checkout=checkout, fs=fs, git=GitInfo(checkout.root), config=config)
    if notify is not None:
        ctx.notify = notify
    return ctx
