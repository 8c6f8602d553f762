"""GitHub Actions: ``.github/workflows/sqaaas.yml``.

One ``checks`` job (read-only token) checks out the whole history (versions, tags and
workflow verdicts read it), runs every step, keeps going past failures and fails at the end
if any check failed. With a ``sqaaas_requirement`` it also runs ``sqaaas assess`` (JSON and
SARIF in the ``sqaaas-reports`` artefact), and a ``code-scanning`` job, the only one with
``security-events: write``, uploads the SARIF. The first repository is the one the workflow
runs in (checked out at the pushed commit); further repositories are cloned into
``.sqaaas-repos/<name>`` after the main repository's checks, so they never become part of
its assessment.

Injection: spec values appear only as env values quoted by ``gha_str`` (which also
neutralises ``${{``); every ``run:`` script and every ``${{ }}`` expression is fixed text
from this module or the template.
"""

from __future__ import annotations

import hashlib
import math
import posixpath
from functools import cache

from jinja2 import Environment

from sqaaas import __version__
from sqaaas.datafiles import data_path, load_yaml
from sqaaas.pipelines import commands
from sqaaas.pipelines.plan import PlannedStep, clone_argv, plan, workspace_dir
from sqaaas.pipelines.spec import PipelineSpec

WORKFLOW = ".github/workflows/sqaaas.yml"

#: The workflow's only expressions: constants, never built from spec values.
EXPRESSIONS = {
    "group": "sqaaas-${{ github.workflow }}-${{ github.ref }}",
    "cache_key": "sqaaas-pip-${{ runner.os }}",
    "always": "${{ always() }}",
    "branch": "${{ github.head_ref || (github.ref_type == 'branch' && github.ref_name) || '' }}",
    "tag": "${{ github.ref_type == 'tag' && github.ref_name || '' }}",
    "same_repo": "${{ always() && (github.event_name != 'pull_request' || "
    "github.event.pull_request.head.repo.full_name == github.repository) }}",
}


@cache
def pinned_actions() -> dict[str, dict[str, str]]:
    """The SHA-pinned actions of pipelines/github-actions/actions.yml."""
    raw = load_yaml(data_path("pipelines") / "github-actions" / "actions.yml")
    assert isinstance(raw, dict)
    return raw


def _script(count: int, gate: bool) -> str:
    """Fixed shell text: the when-gate, then each SQAAAS_RUN_<n> line in its own sh."""
    runs = [f'sh -c "$SQAAAS_RUN_{n}"' for n in range(1, count + 1)]
    return "\n".join([commands.WHEN_GATE] * gate + runs)


def _item(
    name: str, workdir: str, lines: list[str] | tuple[str, ...], **extra: object
) -> dict[str, object]:
    """One workflow step: spec-derived text only in ``env``, a fixed ``script``."""
    when: dict[str, str] = extra.pop("when", {})  # type: ignore[assignment]
    runs = {f"SQAAAS_RUN_{n}": line for n, line in enumerate(lines, start=1)}
    fixed: dict[str, str] = extra.pop("fixed_env", {})  # type: ignore[assignment]
    return {
        "name": name,
        "workdir": workdir,
        "env": {**fixed, **when, **runs},
        "script": _script(len(lines), gate=bool(when)),
        "gate": bool(when),
        "id": None,
        "check": False,
        "always": False,
        **extra,
    }


def _check(step: PlannedStep, number: int) -> dict[str, object]:
    return _item(
        step.stage,
        step.workdir,
        step.lines,
        when=commands.when_env(step.step),
        id=f"check{number}",
        check=True,
        minutes=math.ceil(step.step.timeout / 60),
    )


def _install_lines(spec: PipelineSpec, steps: list[PlannedStep]) -> list[str]:
    lines = [line for s in steps for line in s.install] + commands.assess_install(spec, sudo=True)
    return list(dict.fromkeys(lines))


def render(spec: PipelineSpec, env: Environment) -> dict[str, str]:
    steps = plan(spec, workspace_dir, sudo=True)
    main = [s for s in steps if s.main]
    others = [s for s in steps if not s.main]
    install = _install_lines(spec, steps)
    main_dir = posixpath.normpath(posixpath.join(".", spec.main.subfolder or ""))
    back = posixpath.relpath(commands.REPORTS_DIR, main_dir)
    items = [_item("Install the tools", ".", install)] if install else []
    items += [_check(s, n) for n, s in enumerate(main, start=1)]
    if assess := commands.assess_lines(spec, back):
        items.append(_item("sqaaas assess", main_dir, assess, id=f"check{len(main) + 1}",
                           check=True, always=True, minutes=math.ceil(spec.timeout / 60),
                           fixed_env=commands.ASSESS_ENV))
    for repo in spec.repositories[1:]:
        if any(s.repository.name == repo.name for s in others):
            clone = commands.shell_line(clone_argv(repo))
            items.append(_item(f"Clone {repo.name}", ".", [clone]))
    first = len(main) + (2 if assess else 1)
    items += [_check(s, n) for n, s in enumerate(others, start=first)]
    check_ids = [str(i["id"]) for i in items if i["check"]]
    failed = " || ".join(f"steps.{i}.outcome == 'failure'" for i in check_ids)
    cache_key = hashlib.sha256("\n".join(install).encode()).hexdigest()[:16]
    text = env.get_template("github-actions/sqaaas.yml.j2").render(
        spec=spec,
        items=items,
        assess=bool(assess),
        check_ids=check_ids,
        failed_expr="${{ always() && (" + failed + ") }}",
        job_minutes=math.ceil(spec.timeout / 60),
        cache_key=cache_key,
        actions=pinned_actions(),
        expr=EXPRESSIONS,
        version=__version__,
    )
    return {WORKFLOW: text}
