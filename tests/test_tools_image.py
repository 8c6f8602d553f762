"""The tools image's input: the running sqaaas as a wheel, and the hash that keys its tag."""

from __future__ import annotations

import base64
import hashlib
import importlib.metadata
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

from sqaaas.platform.images import source

ROOT = Path(__file__).resolve().parent.parent


def test_source_checkout_files_cover_package_and_data():
    src = source.current_source()
    assert src.project == ROOT
    rel = {p.relative_to(ROOT).as_posix() for p in src.files}
    assert "pyproject.toml" in rel
    assert "sqaaas/platform/images/tools.Containerfile" in rel
    assert "sqaaas/pipelines/run.py" in rel
    assert "criteria/software/QC.Lic.yml" in rel  # force-included into the wheel
    assert not any("__pycache__" in r or r.endswith(".pyc") for r in rel)
    assert not any(r.startswith("tests/") for r in rel)


def test_requirements_are_the_project_dependencies():
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert source.requirements() == data["project"]["dependencies"]


def test_digest_changes_with_content_and_names(tmp_path):
    a = tmp_path / "a.py"
    a.write_text("x = 1\n")
    first = source.Source(tmp_path, (a,)).digest()
    assert source.Source(tmp_path, (a,)).digest() == first
    a.write_text("x = 2\n")
    changed = source.Source(tmp_path, (a,)).digest()
    assert changed != first
    b = tmp_path / "b.py"
    a.rename(b)
    assert source.Source(tmp_path, (b,)).digest() != changed


def _installed(site: Path) -> importlib.metadata.Distribution:
    """A distribution installed the way pip leaves one (RECORD, INSTALLER, a script)."""
    files = {
        "demo/__init__.py": "VALUE = 42\n",
        "demo/_data/criteria/x.yml": "a: 1\n",
        "demo/__pycache__/__init__.cpython-311.pyc": "bytecode",
        "demo-1.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n",
        "demo-1.0.dist-info/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\n"
                                    "Tag: py3-none-any\n",
        "demo-1.0.dist-info/INSTALLER": "pip\n",
        "demo-1.0.dist-info/direct_url.json": "{}\n",
    }
    for rel, text in files.items():
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_text(text)
    record = [f"{rel},," for rel in files] + ["demo-1.0.dist-info/RECORD,,", "../../bin/demo,,"]
    (site / "demo-1.0.dist-info" / "RECORD").write_text("\n".join(record) + "\n")
    return importlib.metadata.PathDistribution(site / "demo-1.0.dist-info")


def test_installed_package_is_packed_again_into_an_installable_wheel(tmp_path):
    dist = _installed(tmp_path / "site")
    files = tuple(source._installed_files(dist))
    wheel = source.repack(dist, files, tmp_path / "out")
    assert wheel.name == "demo-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        assert names == {
            "demo/__init__.py", "demo/_data/criteria/x.yml", "demo-1.0.dist-info/METADATA",
            "demo-1.0.dist-info/WHEEL", "demo-1.0.dist-info/RECORD",
        }
        for line in archive.read("demo-1.0.dist-info/RECORD").decode().splitlines():
            name, digest, size = line.split(",")
            if name.endswith("RECORD"):
                continue
            data = archive.read(name)
            expected = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
            assert digest == "sha256=" + expected.decode() and int(size) == len(data)
    target = tmp_path / "target"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
         "--target", str(target), str(wheel)],
        check=True, capture_output=True, timeout=120,
    )
    assert (target / "demo" / "_data" / "criteria" / "x.yml").read_text() == "a: 1\n"
