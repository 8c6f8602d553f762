"""The inputs probes share: files, git history, configuration, and memoised facts.

A fact (e.g. "which CI files exist") is a plain function of the context computed at most
once per assessment, however many probes ask for it, even when probes run in threads.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from sqaaas.acquire import Checkout
from sqaaas.config import RepoConfig
from sqaaas.gitinfo import GitInfo
from sqaaas.repofs import RepoFS

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
        """Return ``compute(self)``, computed once per context (thread-safe)."""
        with self._guard:
            if compute in self._facts:
                return self._facts[compute]  # type: ignore[return-value]
            lock = self._locks.setdefault(compute, threading.Lock())
        with lock:
            if compute not in self._facts:
                self._facts[compute] = compute(self)
            return self._facts[compute]  # type: ignore[return-value]


@dataclass
class RepoContext(FactCache):
    checkout: Checkout
    fs: RepoFS
    git: GitInfo
    config: RepoConfig
    #: long steps (tool runs, container work) say what they are doing; silent by default
    notify: Callable[[str], None] = field(default=lambda message: None, repr=False)
