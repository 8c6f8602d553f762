"""A pytest plugin: in CI (``CI`` set) a test that cannot run is a failure, not a skip, so a
missing tool never passes unnoticed. Only the skips of sqaaas's own sandbox stay skips
(``SQAAAS_SANDBOX=1``: no container engine there, see conftest.py)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Turn the report of a skipped test into a failure naming the skip's reason."""
    outcome = yield
    report = outcome.get_result()
    if (
        report.skipped
        and os.environ.get("CI")
        and os.environ.get("SQAAAS_SANDBOX") != "1"
        and not hasattr(report, "wasxfail")
    ):
        report.outcome = "failed"
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.longrepr = f"could not run in CI (CI is set, skips count as failures): {reason}"
