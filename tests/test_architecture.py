"""The layering is a checked contract (pyproject.toml [tool.importlinter], docs/architecture.md).

``lint-imports`` must pass on the tree, and each contract must catch the break it is there for
(a copy of the package with one bad import added). Reading the catalogue must stay light: the
commands that only read criteria/ import no probe, container, TLS or web module.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.badge_support import report_for

REPO_ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
#: modules a catalogue reader must never load: probes, the container engine, TLS, the web app
HEAVY = ("sqaaas.probes", "sqaaas.platform.containers", "sqaaas.facts.service.tls", "sqaaas.web",
         "sqaaas.tools", "sqaaas.sandbox", "fastapi", "uvicorn")


def _lint(root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(root), "COLUMNS": "200"}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=root, env=env, capture_output=True, text=True,
        timeout=120,
    )


def test_the_import_contracts_hold():
    result = _lint(REPO_ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


BREAKS = {
    "a floor imports one above it": (
        "sqaaas/core/catalogue.py", "import sqaaas.probes.software\n", "Floors"),
    "the ground floor imports a floor": (
        "sqaaas/repofs.py", "import sqaaas.core.outcomes\n", "The ground floor"),
    "an import circle hidden in a function": (
        "sqaaas/core/outcomes.py", "\n\ndef _dodge():\n    import sqaaas.core.scoring\n",
        "No import circles"),
    "a probe module borrows from another": (
        "sqaaas/probes/software/style.py", "import sqaaas.probes.software.licence\n",
        "Probe modules never import each other"),
}


@pytest.mark.parametrize("module, added, contract", BREAKS.values(), ids=BREAKS.keys())
def test_each_contract_catches_its_break(tmp_path, module, added, contract):
    shutil.copytree(REPO_ROOT / "sqaaas", tmp_path / "sqaaas",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO_ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    with (tmp_path / module).open("a", encoding="utf-8") as source:
        source.write(added)
    result = _lint(tmp_path)
    assert result.returncode != 0, result.stdout
    broken = [line for line in result.stdout.splitlines() if line.endswith("BROKEN")]
    assert any(line.startswith(contract) for line in broken), result.stdout


def _loaded_by(argv: list[str]) -> list[str]:
    """The modules `sqaaas ARGV` leaves in sys.modules (run in a fresh interpreter)."""
    code = (
        "import json, sys\n"
        "from sqaaas.cli import main\n"
        "try:\n"
        f"    main({argv!r}, standalone_mode=False)\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, cwd=REPO_ROOT)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.splitlines()[-1])


def _heavy(modules: list[str]) -> list[str]:
    return [m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY)]


def test_listing_the_criteria_loads_no_probe_container_tls_or_web_module():
    loaded = _loaded_by(["criteria", "--format", "json"])
    assert "sqaaas.core.catalogue" in loaded  # it did read the catalogue
    assert _heavy(loaded) == []


def test_verifying_a_badge_loads_no_probe_container_tls_or_web_module(run_cli, tmp_path):
    report = tmp_path / "report.json"
    report.write_text(json.dumps(report_for("silver")))
    keydir = tmp_path / "keys"
    assert run_cli("keys", "generate", "--dir", str(keydir)).returncode == 0
    badge = tmp_path / "badge.svg"
    issued = run_cli("badge", "issue", str(report), "--key", str(keydir), "--issuer",
                     "https://issuer.example", "--out", str(badge))
    assert issued.returncode == 0, issued.stderr
    loaded = _loaded_by(["badge", "verify", str(badge), "--trust",
                         str(tmp_path / "public" / "issuer.jwks.json"), "--report", str(report)])
    assert "sqaaas.core.catalogue" in loaded and "sqaaas.badges.verify" in loaded
    assert _heavy(loaded) == []


def test_assessing_loads_the_probes_the_catalogue_reader_leaves_out():
    """The check above can fail: the full assessment path does load what it must not."""
    code = "import sys, sqaaas.subjects.repository; print(sorted(sys.modules))"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, cwd=REPO_ROOT)
    assert proc.returncode == 0, proc.stderr
    assert "sqaaas.probes.software.licence" in proc.stdout
