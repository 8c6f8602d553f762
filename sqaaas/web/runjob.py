"""One assessment, run in a child process of the service: ``python -m sqaaas.web.runjob``.

A child process can be killed on timeout (threads cannot), and a crash in it cannot take the
server down. It reads its request as JSON on stdin, reports progress as JSON lines on stdout
and writes the report JSON to the file the request names.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from sqaaas.errors import SqaaasError


def _emit(**message: Any) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def _guard_network(url: str) -> None:
    """Check the host again now (DNS may have changed since submission) and forbid git
    from following redirects, which could lead the clone to a private address."""
    from sqaaas.web.netcheck import check_repository_url

    check_repository_url(url, allow_private=False)
    os.environ.update(
        GIT_CONFIG_COUNT="1",
        GIT_CONFIG_KEY_0="http.followRedirects",
        GIT_CONFIG_VALUE_0="false",
    )


def run(request: dict[str, Any]) -> int:
    """Clone, assess, write the report; exit status 0 on success, 2 on a clear error."""
    from sqaaas.acquire import acquire, clone_lock
    from sqaaas.config import load_config
    from sqaaas.engine import assess
    from sqaaas.fileio import write_atomic
    from sqaaas.repofs import RepoFS

    def clone_step(stage: str, percent: float | None) -> None:
        _emit(progress=f"cloning: {stage.lower()}" + (f" {percent:.0f}%" if percent else ""))

    def probe_step(name: str, done: int, total: int) -> None:
        _emit(progress=f"checking {done}/{total}: {name}")

    cache_dir = Path(request["cache_dir"])
    try:
        if not request.get("allow_private"):
            _guard_network(request["url"])
        with clone_lock(request["url"], cache_dir):
            checkout = acquire(
                request["url"],
                branch=request.get("branch"),
                cache_dir=cache_dir,
                timeout=float(request["clone_timeout"]),
                progress=clone_step,
            )
            config = load_config(RepoFS(checkout.root))
            if request.get("subfolder"):
                config = type(config).model_validate(
                    {**config.model_dump(), "subfolder": request["subfolder"]}
                )
            report = assess(
                checkout,
                config=config,
                progress=probe_step,
                notify=lambda message: _emit(progress=message),
            )
    except SqaaasError as exc:
        _emit(error=str(exc))
        return 2
    write_atomic(Path(request["output"]), report.to_json().encode("utf-8"))
    _emit(done=True, commit=checkout.commit, level=report.badge.level)
    return 0


def main() -> int:
    try:
        request = json.loads(sys.stdin.read(100_000))
    except ValueError as exc:
        _emit(error=f"bad job request: {exc}")
        return 2
    return run(request)


if __name__ == "__main__":
    sys.exit(main())
