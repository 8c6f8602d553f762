"""Shared fixture of the container tests: the engine and images, made ready once per session.

It calls the setup logic (a no-op taking well under a second when `sqaaas setup` already ran,
as CI does before pytest). Nothing is skipped: without an engine the tests fail and say why;
developers without one deselect them with ``-m "not containers"``.
"""

from __future__ import annotations

import pytest

from sqaaas.platform import images
from sqaaas.platform.containers import Engine, engine_for
from sqaaas.platform.provision import SetupError, setup


@pytest.fixture(scope="session", name="ready_engine")
def ready_engine_fixture() -> Engine:
    """The configured engine, with the base and Python test images built."""
    try:
        setup(install_packages=False)
    except SetupError as exc:
        pytest.fail(f"container tests need the engine and images ('sqaaas setup'): {exc}")
    return engine_for(images.python_image())


def in_containers(timeout: int = 120):  # type: ignore[no-untyped-def]
    """Marks a test that runs containers: marker, engine and images ready, a time limit."""

    def mark(func):  # type: ignore[no-untyped-def]
        for decorator in (
            pytest.mark.containers,
            pytest.mark.usefixtures("ready_engine"),
            pytest.mark.timeout(timeout),
        ):
            func = decorator(func)
        return func

    return mark
