"""Names and recipes of the local container images (built by ``sqaaas setup``).

Tags carry a content hash of their recipe: a changed recipe gives a new name, so setup
rebuilds exactly when something changed and is a no-op otherwise.
"""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path

from sqaaas.platform.images.source import current_source

IMAGES_DIR = Path(__file__).resolve().parent
PYTHON_CONTAINERFILE = IMAGES_DIR / "python.Containerfile"
NODE_CONTAINERFILE = IMAGES_DIR / "node.Containerfile"
TOOLS_CONTAINERFILE = IMAGES_DIR / "tools.Containerfile"
TOOLS_REPOSITORY = "localhost/sqaaas-tools"

#: The Debian root file system of every sqaaas image (mmdebstrap, no registry).
BASE_SUITE = "bookworm"
BASE_PACKAGES = ("python3", "python3-venv", "ca-certificates", "git")
BASE_CHANGES = ("ENV LANG=C.UTF-8", 'CMD ["/bin/bash"]')


def _hash(*parts: str | bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode() if isinstance(part, str) else part)
        digest.update(b"\0")
    return digest.hexdigest()[:12]


def mmdebstrap_command() -> list[str]:
    """The command writing the base root file system as a tar on stdout."""
    return [
        "mmdebstrap",
        "--variant=minbase",
        "--format=tar",
        f"--include={','.join(BASE_PACKAGES)}",
        "--dpkgopt=force-unsafe-io",
        "--aptopt=Acquire::Retries=3",
        BASE_SUITE,
        "-",
    ]


def base_image() -> str:
    recipe = json.dumps({"cmd": mmdebstrap_command(), "changes": BASE_CHANGES})
    return f"localhost/sqaaas-base:{_hash(recipe)}"


def python_image() -> str:
    return f"localhost/sqaaas-python:{_hash(PYTHON_CONTAINERFILE.read_bytes(), base_image())}"


def node_image() -> str:
    """The image JavaScript/TypeScript test suites run in (Node.js, npm, Yarn, pnpm)."""
    return f"localhost/sqaaas-node:{_hash(NODE_CONTAINERFILE.read_bytes(), base_image())}"


@functools.cache
def tools_image() -> str:
    """The image of ``sqaaas run`` steps: this sqaaas and its tools (see source.py)."""
    recipe = _hash(TOOLS_CONTAINERFILE.read_bytes(), base_image(), current_source().digest())
    return f"{TOOLS_REPOSITORY}:{recipe}"
