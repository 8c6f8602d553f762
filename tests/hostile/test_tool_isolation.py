"""The host trusts nothing from an assessed repository (issue 13, points 1 and 3).

A repository ships modules named like the tools or their dependencies (``pylint.py``,
``yaml.py``...), tool configurations that load plugins, write files on the host, read host
files or fetch URLs. None of it may take effect: no canary file appears on the host, no
secret of a host file reaches the report, the loopback listener gets no connection, the
tools still run (an imported hostile module would crash them), and each refused option is
named in the report.

Both places tools run are checked: the tools container (the default), and in place
(``SQAAAS_TOOLS_IN_PLACE=1``, as inside the tools image), where only the isolation of each
Python tool (``python -I``) and the sanitised configurations stand in the way.

The import audit runs ``python -m sqaaas assess .`` inside the repository with an audit hook
(a ``sitecustomize`` on PYTHONPATH) recording every import, module execution and compile
of a file of the assessed tree by the host process: there must be none.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from sqaaas.core.outcomes import Outcome
from tests.conftest import assess_repo
from tests.containers_support import in_containers
from tests.hostile.loopback import LoopbackServer

SECRET = "marker-SECRET-7f3a"
IMPORT_MARKER = "HOSTILE-IMPORT-MARKER"
#: modules the tools (or sqaaas) import: a file of that name must never be imported
SHADOWS = ("bandit", "pylint", "yamllint", "yaml", "radon", "rstcheck", "docutils",
           "pymarkdown", "detect_secrets", "lizard", "astroid", "typer", "click", "git",
           "sitecustomize", "usercustomize", "csv")
TOOL_SUBCRITERIA = {"QC.Sty": "QC.Sty01", "QC.Sec": "QC.Sec02", "QC.Doc": "QC.Doc02.2"}


def _answer(conn: socket.socket) -> None:
    conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\na,b\r\n")


@pytest.fixture
def listener() -> Iterator[LoopbackServer]:
    """A loopback HTTP server that counts every connection (there must be none)."""
    found = LoopbackServer(_answer)
    yield found
    found.close()


def _leaves_canary(host: Path, name: str) -> str:
    return textwrap.dedent(f'''\
        """Hostile: imported or run, it leaves a canary on the host."""
        import pathlib

        pathlib.Path({str(host / f"canary-{name}")!r}).write_text("pwned")
        print({IMPORT_MARKER!r})
        ''')


def hostile_files(host: Path, listener: LoopbackServer) -> dict[str, str]:
    """Everything a repository can try through the tools and their configuration."""
    (host / "secret.toml").write_text(f"{SECRET} = [\n")
    (host / "secret.yaml").write_text(f"rules:\n  {SECRET}: enable\n")
    files = {f"{name}.py": _leaves_canary(host, f"import-{name}") for name in SHADOWS}
    files |= {
        "evil_plugin.py": _leaves_canary(host, "pylint-plugin"),
        "evil_rule.py": _leaves_canary(host, "pymarkdown-plugin"),
        "pyproject.toml": textwrap.dedent(f"""\
            [tool.pylint.main]
            load-plugins = ["evil_plugin"]
            init-hook = "open({str(host / 'canary-init-hook')!r}, 'w').write('x')"
            [tool.pylint."messages control"]
            disable = ["missing-module-docstring"]
            """),
        ".pymarkdown": json.dumps({
            "plugins": {"additional_paths": "evil_rule.py", "md041": {"enabled": False}},
            "log": {"file": str(host / "canary-pymarkdown-log")},
        }),
        "docutils.conf": (f"[general]\nwarning_stream: {host / 'canary-docutils-warnings'}\n"
                          f"record_dependencies: {host / 'canary-docutils-deps'}\n"),
        "radon.cfg": f"[radon]\noutput_file = {host / 'canary-radon'}\n",
        "ruff.toml": f'extend = "{host / "secret.toml"}"\nline-length = 120\n',
        ".yamllint": (f"extends: {host / 'secret.yaml'}\nignore-from-file: "
                      f"{host / 'secret.yaml'}\nrules:\n  line-length: disable\n"),
        ".shellcheckrc": "external-sources=true\nsource-path=/\ndisable=SC2034\n",
        ".hadolint.yaml": "format: tty\nignored: [DL3006]\n",
        "docs/guide.rst": textwrap.dedent(f"""\
            Guide
            =====

            .. raw:: html
               :url: {listener.url('/raw.html')}

            .. csv-table:: Data
               :url: {listener.url('/data.csv')}

            .. include:: {host / "secret.yaml"}
            """),
        "notes.md": "# Notes\n\nSome text.\n",
        "conf.yml": "a: 1\n",
        "run.sh": "#!/bin/sh\necho hello\n",
        "Dockerfile": 'FROM debian:12.5\nCMD ["true"]\n',
    }
    return files


EXPECTED_REFUSALS = (
    "pyproject.toml [tool.pylint.main] load-plugins refused: loads code",
    "pyproject.toml [tool.pylint.main] init-hook refused: runs code",
    ".pymarkdown plugins.additional_paths refused: loads code",
    ".pymarkdown log.file refused: writes a file",
    "docutils.conf (whole file) refused",
    "radon.cfg [radon] output_file refused: writes a file",
    "ruff.toml extend = ",
    ".yamllint extends ",
    ".yamllint ignore-from-file ",
    ".shellcheckrc external-sources refused",
)


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and ".git/" not in p.relative_to(root).as_posix() + "/"}


def _assess_hostile(repo_factory, tmp_path: Path, listener: LoopbackServer) -> None:
    host = tmp_path / "host"
    host.mkdir()
    repo = repo_factory(hostile_files(host, listener))
    before = _tree(repo)
    # strict: every tool runs, the evidence-only ones (Pylint, Ruff, Radon) included
    report = assess_repo(repo, list(TOOL_SUBCRITERIA), profile="strict")
    text = report.model_dump_json()
    canaries = sorted(p.name for p in host.iterdir() if p.name.startswith("canary-"))
    assert canaries == [], f"hostile code ran on the host: {canaries}"
    assert SECRET not in text, "a host file's content reached the report"
    assert IMPORT_MARKER not in text, "a hostile module was imported by a tool"
    assert listener.connections == 0, "a directive fetched a URL"
    assert _tree(repo) == before, "the repository was written to"
    evidence = []
    for criterion, sub in TOOL_SUBCRITERIA.items():
        result = report.criteria[criterion].subcriteria[sub]
        assert result.outcome is not Outcome.ERROR, [e.message for e in result.evidence]
        evidence += [e.message for e in result.evidence]
    for refusal in EXPECTED_REFUSALS:
        assert any(refusal in message for message in evidence), (refusal, evidence)


@in_containers(timeout=300)
def test_hostile_repository_in_the_tools_container(repo_factory, tmp_path, listener):
    _assess_hostile(repo_factory, tmp_path, listener)


def test_hostile_repository_with_the_tools_in_place(repo_factory, tmp_path, listener,
                                                    monkeypatch):
    """Without the container, isolation and sanitised configurations alone hold."""
    monkeypatch.setenv("SQAAAS_TOOLS_IN_PLACE", "1")
    _assess_hostile(repo_factory, tmp_path, listener)


def test_without_engine_or_image_the_tool_checks_are_errors_naming_setup(
    repo_factory, tmp_path, monkeypatch
):
    """No fallback to the host: an error (never a pass) with the command that fixes it."""
    from sqaaas.tools import executor

    monkeypatch.setattr(executor.images, "tools_image", lambda: "localhost/sqaaas-tools:none")
    monkeypatch.setattr(executor, "_ready", {})
    host = tmp_path / "host"
    host.mkdir()
    repo = repo_factory({"mod.py": _leaves_canary(host, "no-engine"), "conf.yml": "a: 1\n"})
    report = assess_repo(repo, ["QC.Sty", "QC.Sec"])
    for criterion, sub in (("QC.Sty", "QC.Sty01"), ("QC.Sec", "QC.Sec02")):
        result = report.criteria[criterion].subcriteria[sub]
        assert result.outcome is Outcome.ERROR
        assert "sqaaas setup" in (result.hint or "")
    assert list(host.iterdir()) == []


# --- the import audit ------------------------------------------------------------------------

AUDIT_HOOK = textwrap.dedent('''\
    """Test-only sitecustomize: record what the host process imports or runs from a tree."""
    import json
    import os
    import sys
    import threading

    _TREE = os.path.realpath(os.environ["SQAAAS_AUDIT_TREE"]) + os.sep
    _LOG = os.environ["SQAAAS_AUDIT_LOG"]
    _LOCK = threading.Lock()


    def _inside(path):
        """An absolute path in the tree (names like "<frozen os>" or "<string>" are not)."""
        try:
            return (isinstance(path, str) and os.path.isabs(path)
                    and os.path.realpath(path).startswith(_TREE))
        except Exception:
            return False


    def _record(kind, detail):
        with _LOCK, open(_LOG, "a", encoding="utf-8") as log:
            log.write(json.dumps([kind, str(detail)]) + "\\n")


    def _hook(event, args):
        if event == "import":
            module, filename, path = args[0], args[1], args[2]
            if _inside(filename):
                _record("import", f"{module} from {filename}")
            elif path and any(_inside(os.path.abspath(p or ".")) for p in path):
                _record("import with the tree on sys.path", module)
        elif event == "exec":
            code = args[0]
            if _inside(getattr(code, "co_filename", None)):
                _record("exec", code.co_filename)
        elif event == "compile":
            if _inside(args[1] if len(args) > 1 else None):
                _record("compile", args[1])
        elif event in ("os.exec", "os.posix_spawn", "subprocess.Popen"):
            if _inside(os.fsdecode(args[0]) if args[0] is not None else None):
                _record("run", args[0])


    sys.addaudithook(_hook)
    ''')


def audited(
    repo_factory, tmp_path: Path, listener: LoopbackServer
) -> tuple[Path, Path, Path, dict[str, str]]:
    """A hostile repository, and an environment whose sitecustomize logs every import or
    exec of a file inside it: (host folder of the canaries, repository, log, environment)."""
    host = tmp_path / "host"
    host.mkdir()
    repo = repo_factory(hostile_files(host, listener))
    hook_dir = tmp_path / "audit"
    hook_dir.mkdir()
    (hook_dir / "sitecustomize.py").write_text(AUDIT_HOOK)
    log = tmp_path / "audit.log"
    env = {
        **os.environ,
        "PYTHONPATH": str(hook_dir),
        "SQAAAS_AUDIT_TREE": str(repo),
        "SQAAAS_AUDIT_LOG": str(log),
        "SQAAAS_CACHE_DIR": str(tmp_path / "cache"),
    }
    return host, repo, log, env


@in_containers(timeout=300)
def test_the_host_process_imports_nothing_from_the_assessed_tree(repo_factory, tmp_path,
                                                                 listener):
    host, repo, log, env = audited(repo_factory, tmp_path, listener)
    out = tmp_path / "report.json"
    proc = subprocess.run(  # the most exposed way: `python -m` inside the repository
        [sys.executable, "-m", "sqaaas", "assess", ".", "--format", "json", "-o", str(out),
         "--quiet"],
        cwd=repo, env=env, capture_output=True, text=True, timeout=280,
        stdin=subprocess.DEVNULL,
    )
    events = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
    assert events == [], f"the host imported or ran files of the assessed tree: {events[:10]}"
    assert out.is_file(), proc.stderr[-2000:]
    assert sorted(p.name for p in host.iterdir() if p.name.startswith("canary-")) == []
    assert IMPORT_MARKER not in proc.stdout + proc.stderr


def test_the_import_audit_sees_an_import_from_the_tree(repo_factory, tmp_path, listener):
    """The audit is not blind: ``python -c`` in the repository does import its yaml.py."""
    _, repo, log, env = audited(repo_factory, tmp_path, listener)
    subprocess.run([sys.executable, "-c", "import yaml"], cwd=repo, env=env, timeout=60,
                   capture_output=True, check=False)
    events = log.read_text(encoding="utf-8")
    assert "yaml" in events and "exec" in events
