"""Run 1EdTech's Open Badges 2.0 validator (``openbadges`` 1.1.2) on Python 3.11, offline.

The validator fetches every document a badge names over HTTP. Here those requests are
answered by ``responses`` from a publish folder, exactly as a web server serving that folder
at the issuer URL would (``served``), plus the Open Badges 2.0 JSON-LD context, which the
validator ships itself. Nothing reaches the network.

Compatibility shim (the one change to the validator's behaviour): openbadges 1.1.2 turns the
issuer's PEM key into a pycryptodome ``RsaKey`` before handing it to python-jose; the
python-jose that installs on Python 3.11 uses the ``cryptography`` backend (sqaaas needs
``cryptography``), which takes the PEM text but not a pycryptodome object. So the shim hands
python-jose the PEM itself; the signature is still checked by python-jose.
"""

from __future__ import annotations

import io
import mimetypes
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import openbadges.verifier.tasks.crypto as ob_crypto
import responses
from openbadges import verify
from openbadges.verifier.openbadges_context import (
    OPENBADGES_CONTEXT_V2_DICT,
    OPENBADGES_CONTEXT_V2_URI,
)


class _PemToJose:
    """Stands in for ``Crypto.PublicKey.RSA`` in openbadges' crypto tasks."""

    @staticmethod
    def import_key(pem: str) -> str:
        return pem


ob_crypto.RSA = _PemToJose  # type: ignore[assignment]


@contextmanager
def served(public: Path, base: str) -> Iterator[responses.RequestsMock]:
    """Answer GET ``<base>/<path>`` with the file ``public/<path>`` (hidden files excepted),
    and the OB 2.0 context; every other request fails as a refused connection."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add(responses.GET, OPENBADGES_CONTEXT_V2_URI, json=OPENBADGES_CONTEXT_V2_DICT)
        for path in sorted(public.rglob("*")):
            relative = path.relative_to(public)
            if not path.is_file() or any(p.startswith(".") for p in relative.parts):
                continue
            media = "application/ld+json" if path.suffix == ".json" else (
                mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            )
            mock.add(responses.GET, f"{base}/{relative}", body=path.read_bytes(),
                     content_type=media)
        yield mock


def validate(badge: str | bytes) -> dict[str, Any]:
    """The validator's report for a badge: a JWS (text) or a baked image (bytes)."""
    data: Any = io.BytesIO(badge) if isinstance(badge, bytes) else badge
    return verify(data, use_cache=False)["report"]


def errors(report: dict[str, Any]) -> list[str]:
    return [f"{m['name']}: {m['result']}" for m in report["messages"]
            if m["messageLevel"] == "ERROR"]
