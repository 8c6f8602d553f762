"""The ``sqaaas`` command line. Commands only: the work is done by the library modules."""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from sqaaas import __version__
from sqaaas.console import FittingConsole, stdout_console
from sqaaas.errors import SqaaasError
from sqaaas.pipelines import DEFAULT_SPEC_FILE

if TYPE_CHECKING:
    from sqaaas.core.model import Report

LEVELS = ("bronze", "silver", "gold")


def _fail(message: str, code: int = 2) -> None:
    click.echo(f"sqaaas: error: {message}", err=True)
    sys.exit(code)


def _interrupted() -> None:
    """Ctrl-C: stop the work still running in threads (child processes, containers, volumes)
    and exit 130 within a second, without waiting for those threads to wind down.

    Only the main thread gets the SIGINT; nothing is written before the work is done, and
    written files are replaced atomically, so there is nothing half-written to remove.
    """
    import threading

    from sqaaas import interrupt

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not stop the cleanup
    interrupt.stop_all()
    interrupt.exit_soon(130)
    _fail("interrupted", 130)


class _Group(click.Group):
    """Turns every sqaaas error into one line on stderr and exit 2 (never a traceback)."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except SqaaasError as exc:
            _fail(str(exc))
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
            _fail(
                f"internal error: {type(exc).__name__}: {exc} (set SQAAAS_DEBUG=1 for details)", 3
            )
        return None


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


def _say(prefix: str) -> Callable[[str], None]:
    """A progress callback printing ``prefix: message`` lines on stderr."""
    return lambda message: click.echo(f"{prefix}: {message}", err=True)


def _write(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    from sqaaas.fileio import write_atomic

    write_atomic(output, text.encode("utf-8"))


def _emit(report: Report, fmt: str, output: Path | None, *, quiet: bool, verbose: bool) -> None:
    """Print or write a report (assess and onboard share the formats and the terminal view)."""
    from sqaaas.report.formats import renderer

    if fmt == "text" and output is None:
        from sqaaas.report.terminal import render_to

        render_to(stdout_console(), report, verbose=verbose)
        return
    _write(renderer(fmt)(report), output)
    if output is not None and not quiet:
        click.echo(f"report written to {output} (badge: {report.badge.level})", err=True)


def _fuji_options(command: Callable[..., None]) -> Callable[..., None]:
    """--fuji-url and --fuji-timeout (credentials: environment or config file, never argv)."""
    command = click.option(
        "--fuji-timeout", type=click.FloatRange(min=0, min_open=True, max=86400),
        help="Seconds to wait for F-UJI's answer [default: 300].",
    )(command)
    return click.option(
        "--fuji-url", envvar="SQAAAS_FUJI_URL", show_envvar=True, metavar="URL",
        help="F-UJI API base URL, e.g. http://127.0.0.1:1071/fuji/api/v1; credentials from "
        "SQAAAS_FUJI_USERNAME/SQAAAS_FUJI_PASSWORD or fuji.yml (docs/fair.md).",
    )(command)


@main.command()
@click.argument("target", default=".")
@click.option(
    "--branch", help="Branch to assess (cloned repositories, or a private clone of a local one)."
)
@click.option("--commit", help="Commit or tag to assess.")
@click.option(
    "--format",
    "fmt",
    default="text",
    show_default=True,
    type=click.Choice(["text", "json", "markdown", "sarif", "sqaaas-v1"]),
    help="Report format.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report to FILE.",
)
@click.option(
    "--criteria",
    "criteria",
    multiple=True,
    metavar="QC.X",
    help="Only these criteria (repeatable).",
)
@click.option(
    "--fail-under",
    type=click.Choice(LEVELS),
    help="Exit 1 unless at least this badge level is reached.",
)
@click.option(
    "--cache-dir", type=click.Path(file_okay=False, path_type=Path), help="Where clones are cached."
)
@click.option(
    "--timeout", default=300.0, show_default=True, help="Seconds allowed for cloning/fetching."
)
@click.option("-q", "--quiet", is_flag=True, help="No progress output.")
@click.option("-v", "--verbose", is_flag=True, help="Show evidence of every subcriterion.")
@_fuji_options
def assess(
    target: str,
    branch: str | None,
    commit: str | None,
    fmt: str,
    output: Path | None,
    criteria: tuple[str, ...],
    fail_under: str | None,
    cache_dir: Path | None,
    timeout: float,
    quiet: bool,
    verbose: bool,
    fuji_url: str | None,
    fuji_timeout: float | None,
) -> None:
    """Assess TARGET (a local repository folder or a git URL) against the software baseline.

    With --fuji-url, an F-UJI server also evaluates the repository's public URL with the
    FAIR software metrics (report section QC.FAIR.F-UJI).
    """
    from sqaaas.acquire import acquire
    from sqaaas.progress import Progress
    from sqaaas.subjects.repository import assess as run_assessment

    fuji = None
    if fuji_url:
        from sqaaas.fuji.settings import load_settings

        fuji = load_settings(fuji_url, read_timeout=fuji_timeout)
    with Progress(enabled=not quiet) as progress:
        checkout = acquire(
            target,
            branch=branch,
            commit=commit,
            cache_dir=cache_dir,
            timeout=timeout,
            progress=progress.clone_step,
            require_commit=True,
        )
        report = run_assessment(
            checkout,
            criteria=criteria or None,
            fuji=fuji,
            progress=progress.probe_step,
            notify=progress.note,
            say=None if quiet else _say("sqaaas"),
        )
    _emit(report, fmt, output, quiet=quiet, verbose=verbose)
    if fail_under and LEVELS.index(fail_under) > (
        LEVELS.index(report.badge.level) if report.badge.level in LEVELS else -1
    ):
        if not quiet:
            click.echo(
                f"sqaaas: badge {report.badge.level} is below --fail-under {fail_under}", err=True
            )
        sys.exit(1)


@main.command("fair")
@click.argument("identifier", metavar="PID-OR-URL")
@_fuji_options
@click.option(
    "--metric-set", default="data", show_default=True, type=click.Choice(["data", "software"]),
    help="F-UJI metrics: data (metrics_v0.8) or software (metrics_v0.7_software).",
)
@click.option(
    "--format", "fmt", default="text", show_default=True, type=click.Choice(["text", "json"])
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report to FILE.",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress lines on stderr.")
def fair_cmd(
    identifier: str,
    fuji_url: str | None,
    fuji_timeout: float | None,
    metric_set: str,
    fmt: str,
    output: Path | None,
    quiet: bool,
) -> None:
    """Evaluate a data object (a PID or URL) on an F-UJI server; exit 2 when it cannot.

    The report (docs/fair.md) is written even when the evaluation failed or F-UJI could not
    resolve the object; the exit code says which: 0 evaluated, 2 not.
    """
    from sqaaas.fuji.objectreport import (
        METRIC_SETS,
        evaluate_report,
        render_plain,
        render_to,
    )
    from sqaaas.fuji.run import check_identifier
    from sqaaas.fuji.settings import load_settings

    settings = load_settings(fuji_url, read_timeout=fuji_timeout)
    report = evaluate_report(
        check_identifier(identifier),
        METRIC_SETS[metric_set],
        settings,
        say=None if quiet else _say("sqaaas fair"),
    )
    if fmt == "json":
        _write(report.to_json(), output)
    elif output is None:
        render_to(stdout_console(), report)
    else:
        _write(render_plain(report), output)
    if not report.ok:
        _fail(report.summary.error or "F-UJI evaluation failed")


@main.command("criteria")
@click.option(
    "--format",
    "fmt",
    default="text",
    show_default=True,
    type=click.Choice(["text", "json", "markdown"]),
)
@click.option("--baseline", default=None, help="Only this baseline (e.g. software).")
def criteria_cmd(fmt: str, baseline: str | None) -> None:
    """List what is assessed, at which requirement level, and how."""
    from sqaaas.core.catalogue import default_catalogue
    from sqaaas.report.criteria_docs import assessment, to_json, to_markdown

    catalogue = default_catalogue()
    if baseline is not None and baseline not in catalogue.baselines:
        known = ", ".join(sorted(catalogue.baselines))
        raise SqaaasError(f"--baseline {baseline}: no such baseline (known: {known})")
    if fmt == "markdown":
        sys.stdout.write(to_markdown(catalogue))
        return
    if fmt == "json":
        sys.stdout.write(to_json(catalogue))
        return
    from rich.table import Table

    console = stdout_console()
    for base in catalogue.baselines.values():
        if baseline and base.id != baseline:
            continue
        console.print(f"[bold]{base.title}[/] v{base.version}  <{base.url}>")
        for criterion in catalogue.of_baseline(base.id):
            table = Table(
                title=f"{criterion.id} {criterion.title}", title_justify="left", expand=True
            )
            table.add_column("subcriterion", no_wrap=True)
            table.add_column("level", no_wrap=True)
            table.add_column("requirement")
            table.add_column("how it is assessed")
            for sub in criterion.subcriteria:
                table.add_row(
                    sub.id,
                    sub.requirement_level.value,
                    sub.description,
                    assessment(sub),
                )
            console.print(table)
    for name, scheme in catalogue.badges.items():
        levels = "; ".join(
            f"{lvl.name}: {', '.join(scheme.required_for(lvl.name))}" for lvl in scheme.levels
        )
        kind = f", metric groups met in {scheme.section}" if scheme.section else ""
        console.print(f"[bold]badges ({name}{kind})[/]: {levels}")


@main.command()
@click.option(
    "--format",
    "fmt",
    default="text",
    show_default=True,
    type=click.Choice(["text", "json"]),
    help="'json' prints a summary of what was checked and changed on stdout.",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress lines on stderr.")
@click.option(
    "--dev",
    is_flag=True,
    help="Also install what sqaaas's own test suite needs (Chromium, DejaVu fonts).",
)
def setup(fmt: str, quiet: bool, dev: bool) -> None:
    """Install and configure the container engine and build the images tests run in.

    Idempotent: it says what it changes before changing it, and does nothing when all is
    in place.
    """
    import json

    from sqaaas.platform.provision import setup as run_setup

    def say(line: str) -> None:
        if not quiet:
            click.echo(f"sqaaas setup: {line}", err=True)

    report = run_setup(say=say, dev=dev)
    if fmt == "json":
        sys.stdout.write(json.dumps(report.to_dict(), indent=2) + "\n")
    elif not quiet:
        state = "done" if report.changed else "nothing to change"
        click.echo(f"sqaaas setup: {state} ({report.seconds:.1f} s)", err=True)


@main.group()
def pipeline() -> None:
    """CI pipelines from one spec: derive it, render it for a CI system, run its checks."""


@pipeline.command("init")
@click.argument("repo", default=".")
@click.option(
    "-o",
    "--output",
    default=DEFAULT_SPEC_FILE,
    show_default=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the spec.",
)
@click.option("--force", is_flag=True, help="Overwrite an existing spec.")
def pipeline_init(repo: str, output: Path, force: bool) -> None:
    """Write a pipeline spec with the checks 'sqaaas assess' makes on REPO (a folder)."""
    from sqaaas.acquire import acquire, looks_like_url
    from sqaaas.pipelines.init import derive_spec
    from sqaaas.pipelines.render import write_files
    from sqaaas.pipelines.spec import dump_spec

    if looks_like_url(repo):
        raise SqaaasError(f"{repo}: give the repository's local folder (clone it first)")
    spec = derive_spec(acquire(repo))
    written = write_files({output.name: dump_spec(spec)}, output.parent, force=force)
    click.echo(f"wrote {written[0]} ({sum(len(s) for s in spec.criteria.values())} steps)")


@pipeline.command("generate")
@click.option(
    "--target",
    required=True,
    type=click.Choice(["jenkins", "github-actions", "gitlab-ci"]),
    help="CI system to write files for.",
)
@click.option(
    "--spec",
    "spec_path",
    default=DEFAULT_SPEC_FILE,
    show_default=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The pipeline spec (YAML or JSON).",
)
@click.option(
    "-o",
    "--output",
    default=".",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write the files under (usually the repository's root).",
)
@click.option("--force", is_flag=True, help="Overwrite existing files.")
@click.option(
    "--format", "fmt", default="text", show_default=True, type=click.Choice(["text", "json"])
)
def pipeline_generate(target: str, spec_path: Path, output: Path, force: bool, fmt: str) -> None:
    """Render the spec's pipeline for TARGET and list the files written."""
    import json

    from sqaaas.pipelines.render import render, write_files
    from sqaaas.pipelines.spec import load_spec

    files = render(load_spec(spec_path), target)
    written = write_files(files, output, force=force)
    if fmt == "json":
        sys.stdout.write(json.dumps({"target": target, "files": [str(p) for p in written]}) + "\n")
    else:
        for path in written:
            click.echo(str(path))


@pipeline.command("schema")
def pipeline_schema() -> None:
    """Print the JSON Schema of the pipeline spec."""
    import json

    from sqaaas.pipelines.spec import PipelineSpec

    sys.stdout.write(json.dumps(PipelineSpec.model_json_schema(), indent=2) + "\n")


@pipeline.command("tool")
@click.argument("name")
@click.argument("repo", default=".")
@click.option("--criterion", required=True, metavar="QC.X", help="Criterion the tool checks.")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="JSON result file."
)
@click.option("--arg", "args", multiple=True, help="Extra argument for the tool (repeatable).")
def pipeline_tool(
    name: str, repo: str, criterion: str, output: Path | None, args: tuple[str, ...]
) -> None:
    """Run registry tool NAME on REPO as 'sqaaas assess' does; exit 1 unless it passes.

    A pipeline step with 'tool:' runs this, so CI judges the tool's output by sqaaas's rule.
    """
    import json

    from sqaaas.pipelines.checks import run_tool_check

    result = run_tool_check(name, repo, criterion, args)
    if output is not None:
        _write(json.dumps(result.data, indent=2) + "\n", output)
    for line in result.lines:
        click.echo(line)
    sys.exit(0 if result.passed else 1)


@pipeline.command("verdict")
@click.argument("report", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--criterion", required=True, metavar="QC.X")
def pipeline_verdict(report: Path, criterion: str) -> None:
    """Exit 1 unless CRITERION is valid in REPORT (a JSON report of 'sqaaas assess')."""
    from sqaaas.pipelines.checks import report_verdict

    result = report_verdict(report, criterion)
    for line in result.lines:
        click.echo(line)
    sys.exit(0 if result.passed else 1)


@main.command("run")
@click.argument("repo", default=".")
@click.option(
    "--spec",
    "spec_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Pipeline spec (YAML/JSON); default REPO/.sqaaas-pipeline.yml, else REPO/.sqa/config.yml.",
)
@click.option(
    "--jepl",
    "jepl_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A JePL .sqa/config.yml (its docker-compose.yml beside it gives the images).",
)
@click.option(
    "--branch", help="Branch name 'when' conditions compare with (default: the checkout's)."
)
@click.option(
    "--tag", "building_tag", is_flag=True,
    help="Treat this run as building a tag (default: when a tag points at HEAD).",
)
@click.option(
    "--format", "fmt", default="text", show_default=True, type=click.Choice(["text", "json"])
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
    help="Write the summary (text or JSON) to this file instead of stdout.",
)
@click.option(
    "--keep-going/--fail-fast", default=True, show_default=True,
    help="Run the remaining steps after a failure, or stop at the first one.",
)
@click.option("-q", "--quiet", is_flag=True, help="No live step status on stderr.")
def run_cmd(
    repo: str,
    spec_path: Path | None,
    jepl_path: Path | None,
    branch: str | None,
    building_tag: bool,
    fmt: str,
    output: Path | None,
    keep_going: bool,
    quiet: bool,
) -> None:
    """Run a pipeline's steps on REPO locally, one container per step; exit 1 if any fails.

    Each step gets REPO read-only, a scratch folder, no network unless it asks, its
    timeout and resource limits. Logs stay under the sqaaas cache (runs/<run id>/).
    """
    import io

    from sqaaas.acquire import acquire, check_ref
    from sqaaas.pipelines.display import StepDisplay
    from sqaaas.pipelines.results import render_summary
    from sqaaas.pipelines.run import RunOptions, load_pipeline, run_pipeline
    from sqaaas.pipelines.when import BuildRef, head_tag

    if spec_path is not None and jepl_path is not None:
        raise SqaaasError("give either --spec or --jepl, not both")
    if branch is not None:
        check_ref(branch, "branch")
    checkout = acquire(repo)
    spec, source, notes = load_pipeline(checkout, spec_path, jepl_path)
    tag = head_tag(checkout.root)
    ref = BuildRef(branch=branch or checkout.branch, building_tag=building_tag or tag is not None,
                   tag=tag)
    if not quiet:
        for note in notes:
            click.echo(f"sqaaas run: note: {note}", err=True)
    with StepDisplay(enabled=not quiet) as display:
        result = run_pipeline(
            spec, checkout, ref, source=source, notes=notes,
            options=RunOptions(keep_going=keep_going), listener=display.listener,
        )
    if fmt == "json":
        _write(result.model_dump_json(indent=2) + "\n", output)
    elif output is None:
        render_summary(stdout_console(), result)
    else:
        buffer = io.StringIO()
        render_summary(FittingConsole(file=buffer, width=160, no_color=True), result)
        _write(buffer.getvalue(), output)
    sys.exit(result.exit_code)


@main.group()
def keys() -> None:
    """The issuer's signing keys for badges (private files stay on this machine)."""


@keys.command("generate")
@click.option(
    "--dir", "keydir", required=True, type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the keys (created with mode 0700).",
)
@click.option("--force", is_flag=True, help="Replace existing keys (old badges stop verifying).")
def keys_generate(keydir: Path, force: bool) -> None:
    """Create an Ed25519 and an RSA-3072 keypair and the public JWK set issuer.jwks.json."""
    from sqaaas.badges.keys import JWKS_FILE, generate_keys

    written = generate_keys(keydir, force=force)
    click.echo(f"wrote {len(written) - 1} private keys (mode 0600) in {keydir}")
    click.echo(f"public JWK set: {keydir / JWKS_FILE} (give it to verifiers: --trust)")


@main.group()
def badge() -> None:
    """Signed Open Badges for an assessment: issue, verify offline, revoke."""


@badge.command("issue")
@click.argument("report", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--key", "keydir", required=True, type=click.Path(file_okay=False, path_type=Path),
    help="Key folder made by 'sqaaas keys generate'; the issuer files are written there too.",
)
@click.option(
    "--issuer", "issuer_url", required=True,
    help="Base https URL the issuer files are published under.",
)
@click.option("--issuer-name", help="Issuer name shown in badges (default: the URL's host).")
@click.option(
    "--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
    help="Badge file: .svg or .png (credentials baked in) or .jwt (the bare VC-JWT).",
)
@click.option("--valid-days", default=365, show_default=True, type=int, help="Validity period.")
@click.option(
    "--scheme",
    default=None,
    help="Badge scheme of criteria/badges.yml: 'fair' for the FAIR badge (from the offline "
    "FAIR indicators, QC.FAIR). Default: the quality badge of the report's baseline.",
)
@click.option(
    "--format", "fmt", default="text", show_default=True, type=click.Choice(["text", "json"])
)
def badge_issue(
    report: Path,
    keydir: Path,
    issuer_url: str,
    issuer_name: str | None,
    out: Path,
    valid_days: int,
    scheme: str | None,
    fmt: str,
) -> None:
    """Sign a badge for the level REPORT (from 'sqaaas assess --format json') reaches."""
    import json

    from sqaaas.badges.credential import load_report_file
    from sqaaas.badges.issue import badge_bytes, issue_badge, output_format, publish
    from sqaaas.badges.issuer import Issuer
    from sqaaas.badges.keys import load_signing_keys
    from sqaaas.fileio import write_atomic

    kind = output_format(out)
    issuer = Issuer.from_url(issuer_url, issuer_name)
    signing = load_signing_keys(keydir)
    issued = issue_badge(
        load_report_file(report), str(report), signing, issuer, scheme=scheme,
        valid_days=valid_days,
    )
    published = publish(keydir, issuer, signing, issued.scheme)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(out, badge_bytes(issued, kind))
    if fmt == "json":
        summary = {**issued.summary(), "output": str(out), "publish": [str(p) for p in published]}
        sys.stdout.write(json.dumps(summary, indent=2) + "\n")
        return
    click.echo(
        f"issued {issued.level} badge {issued.id} ({issued.credential['name']}) for "
        f"{issued.subject} at {issued.commit[:12]} (valid until "
        f"{issued.credential['validUntil']}) -> {out}"
    )
    click.echo(f"publish under {issuer.base}/: " + ", ".join(
        str(p.relative_to(keydir)) for p in published
    ))


@badge.command("verify")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--trust", required=True, type=click.Path(dir_okay=False, path_type=Path),
    help="The issuer's public JWK set (issuer.jwks.json) you trust; nothing else is trusted.",
)
@click.option(
    "--report", "report", type=click.Path(dir_okay=False, path_type=Path),
    help="The JSON report the badge was issued for: checks digest, level, repository, commit.",
)
@click.option(
    "--status-list", "--revocations", "status_list", metavar="FILE_OR_URL",
    help="The issuer's revocation list to check [default: the revocations.json beside --trust "
    "if it is the list the badge names, else the list fetched from the URL the badge names].",
)
@click.option(
    "--ca-file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="PEM CA certificates to trust when fetching the revocation list over https.",
)
@click.option(
    "--allow-unchecked-status", is_flag=True,
    help="Accept the badge (exit 0, with a note) when its revocation list cannot be read.",
)
@click.option("--issuer", "issuer_url", help="Require this issuer (its base URL).")
@click.option(
    "--format", "fmt", default="text", show_default=True, type=click.Choice(["text", "json"])
)
def badge_verify(
    file: Path,
    trust: Path,
    report: Path | None,
    status_list: str | None,
    ca_file: Path | None,
    allow_unchecked_status: bool,
    issuer_url: str | None,
    fmt: str,
) -> None:
    """Verify badge FILE (.svg, .png or .jwt); exit 0 valid, 1 invalid or revocation not
    checked, 2 usage. Revocation is checked against the list the badge names (docs/badges.md).
    """
    import json

    from sqaaas.badges.credential import load_report_file
    from sqaaas.badges.issuer import Issuer
    from sqaaas.badges.keys import load_trusted_keys
    from sqaaas.badges.revocation import load_list
    from sqaaas.badges.status import StatusLookup
    from sqaaas.badges.verify import MAX_BADGE_BYTES, VerifyOptions, verify_bytes
    from sqaaas.fileio import read_bounded

    if issuer_url is not None:
        Issuer.from_url(issuer_url)
    ca = str(ca_file) if ca_file else None
    options = VerifyOptions(
        trusted=load_trusted_keys(trust),
        report=load_report_file(report) if report is not None else None,
        report_source=str(report),
        revocations=load_list(status_list, ca_file=ca) if status_list else None,
        issuer=issuer_url,
        status_lookup=StatusLookup(trust, ca),
        require_status=not allow_unchecked_status,
    )
    result = verify_bytes(read_bounded(file, MAX_BADGE_BYTES, "badge", SqaaasError), options)
    if fmt == "json":
        sys.stdout.write(json.dumps(result.to_dict(), indent=2) + "\n")
    else:
        marks = {"pass": "ok  ", "fail": "FAIL", "skip": "skip"}
        for step in result.steps:
            click.echo(f"{marks[step.status]} {step.name}: {step.detail}")
        click.echo(result.verdict())
    sys.exit(0 if result.valid else 1)


@badge.command("revoke")
@click.argument("badge_id", metavar="ID")
@click.option(
    "--key", "keydir", required=True, type=click.Path(file_okay=False, path_type=Path),
    help="The key folder whose revocations.json lists the revoked badges.",
)
@click.option("--reason", help="Why the badge is revoked (published in the list).")
def badge_revoke(badge_id: str, keydir: Path, reason: str | None) -> None:
    """Revoke badge ID (urn:uuid:..., as 'badge issue' printed); publish revocations.json."""
    from sqaaas.badges.revocation import normalise_id, revoke

    path, added = revoke(keydir, badge_id, reason)
    if added:
        click.echo(f"revoked {normalise_id(badge_id)}: publish {path} again")
    else:
        click.echo(f"{normalise_id(badge_id)} was already revoked in {path}")


def _web_default(name: str) -> object:
    """The default of a WebSettings field, so that help texts and the service agree."""
    from sqaaas.web.settings import WebSettings

    return WebSettings.__dataclass_fields__[name].default


_data_dir_option = click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Database, keys and clone cache [default: $SQAAAS_DATA_DIR or ~/.local/share/sqaaas].",
)


@main.command()
@click.option(
    "--host", default=_web_default("host"), show_default=True, help="Address to listen on."
)
@click.option(
    "--port", default=_web_default("port"), show_default=True, type=click.IntRange(1, 65535)
)
@_data_dir_option
@click.option(
    "--public-url",
    envvar="SQAAAS_PUBLIC_URL",
    show_envvar=True,
    help="Base URL users reach the service at (behind a reverse proxy); badges name it "
    "as their issuer [default: http://HOST:PORT on a local address].",
)
@click.option(
    "--workers", default=_web_default("workers"), show_default=True, type=click.IntRange(1, 64),
    help="Assessments run at once.",
)
@click.option(
    "--job-timeout", default=_web_default("job_timeout_s"), show_default=True,
    type=click.FloatRange(1),
    help="Seconds one assessment may take before it is stopped and failed.",
)
@click.option(
    "--allow-private", is_flag=True,
    help="Assess repositories on loopback/private addresses (only on a trusted network).",
)
@click.option(
    "--rate-limit", default=_web_default("rate_limit_per_minute"), show_default=True,
    type=click.IntRange(0),
    help="Write requests per minute per client address (0: no limit).",
)
@click.option("-q", "--quiet", is_flag=True, help="Warnings only, no access log.")
def serve(
    host: str,
    port: int,
    data_dir: Path | None,
    public_url: str | None,
    workers: int,
    job_timeout: float,
    allow_private: bool,
    rate_limit: int,
    quiet: bool,
) -> None:
    """Run the web service: pipeline composer, assessments, badges and the REST API."""
    from sqaaas.web.server import serve as run_server
    from sqaaas.web.server import settings_for

    settings = settings_for(
        data_dir,
        host=host,
        port=port,
        public_url=public_url,
        workers=workers,
        job_timeout_s=job_timeout,
        allow_private=allow_private,
        rate_limit_per_minute=rate_limit,
    )
    run_server(settings, quiet=quiet)


@main.group()
def tokens() -> None:
    """API tokens of the web service (needed to create assessments and revoke badges)."""


@tokens.command("create")
@click.option("--name", default="api", show_default=True, help="What the token is for.")
@_data_dir_option
def tokens_create(name: str, data_dir: Path | None) -> None:
    """Create a token; the secret is printed once, on stdout (only its hash is stored)."""
    from sqaaas.web.server import settings_for
    from sqaaas.web.store import Store

    name = name.strip()
    if not name or len(name) > 100:
        raise SqaaasError("give a token name of 1 to 100 characters")
    store = Store(settings_for(data_dir).database)
    try:
        token_id, secret = store.create_token(name)
    finally:
        store.close()
    click.echo(secret)
    click.echo(
        f"token {token_id} ('{name}') created: keep the secret above, it cannot be shown again;"
        " send it as 'Authorization: Bearer <secret>'",
        err=True,
    )


@tokens.command("list")
@_data_dir_option
@click.option(
    "--format", "fmt", default="text", show_default=True, type=click.Choice(["text", "json"])
)
def tokens_list(data_dir: Path | None, fmt: str) -> None:
    """List tokens (ids, names, dates; never the secrets)."""
    import json
    from datetime import UTC, datetime

    from sqaaas.web.server import settings_for
    from sqaaas.web.store import Store

    store = Store(settings_for(data_dir).database)
    try:
        rows = store.tokens()
    finally:
        store.close()

    def stamp(seconds: float | None) -> str | None:
        if seconds is None:
            return None
        return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="seconds")

    listed = [
        {
            "id": r["id"],
            "name": r["name"],
            "created": stamp(r["created_at"]),
            "revoked": stamp(r["revoked_at"]),
        }
        for r in rows
    ]
    if fmt == "json":
        sys.stdout.write(json.dumps(listed, indent=2) + "\n")
        return
    if not listed:
        click.echo("no tokens: create one with 'sqaaas tokens create'")
    for t in listed:
        state = f"revoked {t['revoked']}" if t["revoked"] else "active"
        click.echo(f"{t['id']}  {t['created']}  {state:<33}  {t['name']}")


@tokens.command("revoke")
@click.argument("token_id", metavar="ID")
@_data_dir_option
def tokens_revoke(token_id: str, data_dir: Path | None) -> None:
    """Revoke token ID (as 'tokens list' shows it): requests with it are refused at once."""
    from sqaaas.web.server import settings_for
    from sqaaas.web.store import Store

    store = Store(settings_for(data_dir).database)
    try:
        known = any(t["id"] == token_id for t in store.tokens())
        revoked = known and store.revoke_token(token_id)
    finally:
        store.close()
    if not known:
        raise SqaaasError(f"no token {token_id} (see 'sqaaas tokens list')")
    click.echo(f"revoked token {token_id}" if revoked else f"token {token_id} was already revoked")


@main.command()
@click.argument("url")
@click.option(
    "--profile", "profile_file", type=click.Path(dir_okay=False, path_type=Path),
    help="The service's resource profile (YAML or JSON, see docs/onboarding.md).",
)
@click.option("--openapi", "openapi_url", metavar="URL", help="URL of the OpenAPI document.")
@click.option(
    "--deployment-repo", metavar="PATH-or-URL",
    help="Repository with the service's deployment code (IaC), a folder or a git URL.",
)
@click.option(
    "--ca-file", type=click.Path(dir_okay=False, path_type=Path),
    help="PEM file of CA certificates to trust instead of the system store.",
)
@click.option(
    "--allow-private", is_flag=True,
    help="Allow hosts that resolve to loopback/private addresses (test deployments).",
)
@click.option(
    "--time-cap", type=click.FloatRange(1, 3600), metavar="SECONDS",
    help="Wall-clock time all requests of the run may take; a response still arriving then "
    "is cut [default: 120, criteria/onboarding.yml].",
)
@click.option(
    "--auth-header-env", metavar="VAR",
    help="Environment variable holding an Authorization header value to send to the service.",
)
@click.option("--criteria", "criteria", multiple=True, metavar="SvcQC.X",
              help="Only these criteria (repeatable).")
@click.option(
    "--format", "fmt", default="text", show_default=True,
    type=click.Choice(["text", "json", "markdown", "sarif"]), help="Report format.",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the report to FILE.")
@click.option("-q", "--quiet", is_flag=True, help="No progress output.")
@click.option("-v", "--verbose", is_flag=True, help="Show evidence of every subcriterion.")
def onboard(
    url: str,
    profile_file: Path | None,
    openapi_url: str | None,
    deployment_repo: str | None,
    ca_file: Path | None,
    allow_private: bool,
    time_cap: float | None,
    auth_header_env: str | None,
    criteria: tuple[str, ...],
    fmt: str,
    output: Path | None,
    quiet: bool,
    verbose: bool,
) -> None:
    """Check the live service at URL against the service baseline (SvcQC.*).

    Only the service's host, the OpenAPI document's host and the hosts named in the profile
    are contacted, with a fixed request budget and time cap (docs/onboarding.md).
    """
    from sqaaas.progress import Progress
    from sqaaas.subjects.service import build_context, read_auth_header, run_onboarding

    auth_header = read_auth_header(auth_header_env) if auth_header_env else None
    with Progress(enabled=not quiet) as progress:
        ctx = build_context(
            url,
            profile=profile_file,
            openapi_url=openapi_url,
            deployment_repo=deployment_repo,
            ca_file=ca_file,
            allow_private=allow_private,
            auth_header=auth_header,
            clone_progress=progress.clone_step,
            notify=progress.note,
            time_cap_s=time_cap,
        )
        if not quiet:
            hosts = ", ".join(sorted(ctx.http.allowed_hosts))
            click.echo(f"sqaaas onboard: {ctx.target}: requests only to {hosts}", err=True)
        report = run_onboarding(ctx, criteria=criteria or None, progress=progress.probe_step)
    _emit(report, fmt, output, quiet=quiet, verbose=verbose)
