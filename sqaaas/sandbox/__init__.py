"""Running an assessed repository's test suite in containers and reading its results.

Assessed code never runs on the host: see ``base`` (what every run shares: options, tree
identity, result cache), ``runner`` (the steps of a Python run), ``node`` with
``node_plan`` and ``node_results`` (a JavaScript/TypeScript package's own test script and
what its tools report), ``scratch`` (its size-limited tmpfs areas), ``steps`` (what each
container sees), ``install`` (downloads with the network on, builds offline), ``plan`` and
``requirements`` (what to install, read from the repository's files), ``results``
(junit/coverage parsing, safe against hostile output files) and ``driver`` (the script
inside the containers).
"""

from sqaaas.sandbox.results import RunStatus, TestRun
from sqaaas.sandbox.runner import SandboxOptions, SandboxUnavailable, run_python_tests

__all__ = ["RunStatus", "SandboxOptions", "SandboxUnavailable", "TestRun", "run_python_tests"]
