"""The ``sqaaas`` command line: the group, its commands' table and the error -> exit code map.

Each command lives in a module of this package (``assess``, ``catalogue``, ``pipeline``...)
that imports its libraries at top level; the group imports a module only when its command
runs or shows its own help (click's lazy-loading group pattern), so ``sqaaas --help`` and
``sqaaas criteria`` never load the web stack, the probes or the container engine. The
commands only call library functions and format what they return.
"""

from __future__ import annotations

import importlib
import os
import signal
import sys
import threading
from typing import NoReturn

import click

from sqaaas import __version__, interrupt
from sqaaas.errors import SqaaasError

#: command -> ("module:attribute" in this package, the summary `sqaaas --help` lists; it is
#: the first sentence of the command's docstring, which tests/test_cli.py keeps equal)
COMMANDS: dict[str, tuple[str, str]] = {
    "assess": (
        "assess:assess",
        "Assess TARGET (a local repository folder or a git URL) against the software baseline.",
    ),
    "badge": (
        "badge:badge",
        "Signed Open Badges for an assessment: issue, verify offline, revoke.",
    ),
    "criteria": (
        "catalogue:criteria",
        "List what is assessed, at which requirement level, and how.",
    ),
    "db": (
        "scale:db",
        "The service's database: bring its schema to this version (migrations).",
    ),
    "fair": (
        "fair:fair",
        "Evaluate a data object (a PID or URL) on an F-UJI server; exit 2 when it cannot.",
    ),
    "keys": (
        "badge:keys",
        "The issuer's signing keys for badges (private files stay on this machine).",
    ),
    "onboard": (
        "onboard:onboard",
        "Check the live service at URL against the service baseline (SvcQC.*).",
    ),
    "pipeline": (
        "pipeline:pipeline",
        "CI pipelines from one spec: derive it, render it for a CI system, run its checks.",
    ),
    "run": (
        "run:run",
        "Run a pipeline's steps on REPO locally, one container per step; exit 1 if any fails.",
    ),
    "serve": (
        "serve:serve",
        "Run the web service: pipeline composer, assessments, badges and the REST API.",
    ),
    "setup": (
        "environment:setup",
        "Install and configure the container engine and build the images tests run in.",
    ),
    "tokens": (
        "serve:tokens",
        "API tokens of the web service (needed to create assessments and revoke badges).",
    ),
    "worker": (
        "scale:worker",
        "Run the assessments and onboardings a scaled-out 'sqaaas serve' queues.",
    ),
}


def fail(message: str, code: int = 2) -> NoReturn:
    """One line on stderr, then exit ``code``: how every error ends a command."""
    click.echo(f"sqaaas: error: {message}", err=True)
    sys.exit(code)


def _interrupted() -> NoReturn:
    """Ctrl-C: stop the work still running in threads (child processes, containers, volumes)
    and exit 130 within a second, without waiting for those threads to wind down.

    Only the main thread gets the SIGINT; nothing is written before the work is done, and
    written files are replaced atomically, so there is nothing half-written to remove.
    """
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not stop the cleanup
    interrupt.stop_all()
    interrupt.exit_soon(130)
    fail("interrupted", 130)


class _Group(click.Group):
    """The top-level group: loads a command's module on first use (from COMMANDS) and turns
    every sqaaas error into one line on stderr and exit 2 (never a traceback)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return super().get_command(ctx, cmd_name)
        module, attribute = COMMANDS[cmd_name][0].split(":")
        command = getattr(importlib.import_module(f"{__name__}.{module}"), attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"{module}:{attribute} is not a click command")
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list from the summaries in COMMANDS: `sqaaas --help` imports no
        command module (click's own listing would import every one for its docstring)."""
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = [
            (name, click.Command(name, help=COMMANDS[name][1]).get_short_help_str(limit))
            if name in COMMANDS
            else (name, self.commands[name].get_short_help_str(limit))
            for name in names
        ]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except SqaaasError as exc:
            fail(str(exc))
        except KeyboardInterrupt:
            _interrupted()
        except BrokenPipeError:  # `sqaaas criteria | head`: the reader left, nothing to say
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())  # so the exit flush cannot fail again
            sys.exit(141)  # 128 + SIGPIPE, as a shell reports a process the pipe ended
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except Exception as exc:  # a bug: still one line, traceback on request
            if os.environ.get("SQAAAS_DEBUG"):
                raise
            fail(f"internal error: {type(exc).__name__}: {exc} (set SQAAAS_DEBUG=1 for details)", 3)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="sqaaas")
def main() -> None:
    """Quality assurance for research software against the EOSC quality baselines."""
    _listen_for_ctrl_c()


def _listen_for_ctrl_c() -> None:
    """Ctrl-C (SIGINT) stops sqaaas even when it was started with SIGINT ignored, as a
    non-interactive shell does for '&' jobs (CI runners, nohup scripts): Python then never
    installs its KeyboardInterrupt handler, and an explicit SIGINT would be lost."""
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
