"""What route functions take from the running app (``api`` and ``pages`` import this).

Kept apart from ``app`` so that the routes stand below it: ``app`` imports the routers,
the routers import only this module.
"""

from __future__ import annotations

from fastapi import Request

from sqaaas.web.operations import Operations


def operations_of(request: Request) -> Operations:
    """The operations object of the app handling ``request`` (for route functions)."""
    return request.app.state.operations  # type: ignore[no-any-return]
