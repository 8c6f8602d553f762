"""The running sqaaas as a wheel, for the tools image (no registry: it is built, not pulled).

From a source checkout (an editable install) the wheel is built with ``pip wheel`` from the
project, so the build backend's own rules decide what goes in; from an installed wheel the
installed files are packed again. Either way a hash of exactly those files keys the image
tag, so a changed sqaaas gets a new image and an unchanged one is reused.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.metadata
import os
import subprocess
import sys
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path

from sqaaas.errors import SqaaasError

DIST_NAME = "sqaaas"
PACKAGE_DIR = Path(__file__).resolve().parents[2]  # sqaaas/platform/images/source.py
_SKIP_PARTS = {"__pycache__"}
_SKIP_DIST_INFO = {"RECORD", "INSTALLER", "REQUESTED", "direct_url.json"}


class SourceError(SqaaasError):
    """The running sqaaas cannot be packed into a wheel for the tools image."""


@dataclass(frozen=True)
class Source:
    """Where the running sqaaas comes from: a project folder, or installed files."""

    project: Path | None
    files: tuple[Path, ...]

    def digest(self) -> str:
        """Hash of the files' relative names and contents (what ends up in the image)."""
        base = self.project or PACKAGE_DIR.parent
        digest = hashlib.sha256()
        for path in self.files:
            digest.update(path.relative_to(base).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
            digest.update(b"\0")
        return digest.hexdigest()


def _skipped(path: Path) -> bool:
    return bool(_SKIP_PARTS.intersection(path.parts)) or path.suffix in (".pyc", ".pyo")


def _walk(root: Path) -> list[Path]:
    if root.is_file():
        return [root]
    return [p for p in root.rglob("*") if p.is_file() and not _skipped(p)]


def _project_dir() -> Path | None:
    """The project folder when sqaaas runs from its source (pyproject.toml naming it)."""
    pyproject = PACKAGE_DIR.parent / "pyproject.toml"
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return None
    return PACKAGE_DIR.parent if data.get("project", {}).get("name") == DIST_NAME else None


def current_source() -> Source:
    """The files the wheel of the running sqaaas is made of."""
    project = _project_dir()
    if project is not None:
        data = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
        wheel = data.get("tool", {}).get("hatch", {}).get("build", {}).get("targets", {})
        extra = wheel.get("wheel", {}).get("force-include", {})
        readme = data.get("project", {}).get("readme")
        files = [project / "pyproject.toml", *_walk(PACKAGE_DIR)]
        files += [f for src in extra if (project / src).exists() for f in _walk(project / src)]
        if isinstance(readme, str) and (project / readme).is_file():
            files.append(project / readme)
        return Source(project, tuple(sorted(set(files))))
    return Source(None, tuple(sorted(_installed_files(_distribution()))))


def _distribution() -> importlib.metadata.Distribution:
    try:
        return importlib.metadata.distribution(DIST_NAME)
    except importlib.metadata.PackageNotFoundError:
        raise SourceError("sqaaas is not installed (no package metadata found)") from None


def _installed_files(dist: importlib.metadata.Distribution) -> list[Path]:
    """Installed files of ``dist`` inside site-packages (scripts outside it are left out)."""
    files = []
    for entry in dist.files or ():
        if ".." in entry.parts or _skipped(Path(*entry.parts)):
            continue
        if entry.parts[0].endswith(".dist-info") and entry.name in _SKIP_DIST_INFO:
            continue
        path = Path(str(dist.locate_file(entry)))
        if path.is_file():
            files.append(path)
    if not files:
        raise SourceError(f"the installed {dist.metadata['Name']} lists no files to pack")
    return files


def requirements() -> list[str]:
    """The running sqaaas' dependencies (not its extras), for the image's cached layer."""
    project = _project_dir()
    if project is not None:
        data = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
        return [str(r) for r in data.get("project", {}).get("dependencies", [])]
    from packaging.requirements import Requirement

    reqs = [Requirement(r) for r in importlib.metadata.requires(DIST_NAME) or []]
    return [str(r) for r in reqs if r.marker is None or r.marker.evaluate({"extra": ""})]


def build_wheel(dest: Path, source: Source, timeout: float = 600.0) -> Path:
    """Write the wheel of ``source`` into ``dest`` and return its path."""
    dest.mkdir(parents=True, exist_ok=True)
    if source.project is None:
        return repack(_distribution(), source.files, dest)
    cmd = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir",
           str(dest), str(source.project)]
    env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                              stdin=subprocess.DEVNULL, env=env)
    except subprocess.TimeoutExpired:
        raise SourceError(f"'pip wheel {source.project}' took over {timeout:.0f} s") from None
    wheels = sorted(dest.glob("*.whl"))
    if proc.returncode != 0 or not wheels:
        tail = " | ".join(proc.stderr.strip().splitlines()[-3:]) or "no wheel written"
        raise SourceError(f"building the sqaaas wheel from {source.project} failed: {tail}")
    return wheels[-1]


def _record_hash(data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
    return "sha256=" + digest.decode()


def repack(dist: importlib.metadata.Distribution, files: tuple[Path, ...], dest: Path) -> Path:
    """A wheel of installed files (package and dist-info) with a fresh RECORD."""
    site = Path(str(dist.locate_file("")))
    info_dirs = {p.relative_to(site).parts[0] for p in files
                 if p.relative_to(site).parts[0].endswith(".dist-info")}
    if len(info_dirs) != 1:
        raise SourceError("cannot find the installed sqaaas' .dist-info folder")
    info = info_dirs.pop()
    name = dist.metadata["Name"].replace("-", "_")
    dest.mkdir(parents=True, exist_ok=True)
    wheel = dest / f"{name}-{dist.version}-py3-none-any.whl"
    record = []
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            arcname = path.relative_to(site).as_posix()
            data = path.read_bytes()
            archive.writestr(arcname, data)
            record.append(f"{arcname},{_record_hash(data)},{len(data)}")
        record.append(f"{info}/RECORD,,")
        archive.writestr(f"{info}/RECORD", "\n".join(record) + "\n")
    return wheel
