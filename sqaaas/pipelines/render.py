"""Render a pipeline spec to CI files through the Jinja2 templates in ``pipelines/``.

Spec values are untrusted text (a branch name can hold quotes, newlines, ``${{ }}`` or
``$(...)``). Templates never place a raw value: every value goes through a filter that
quotes it for the file's syntax, so a value can only ever be one scalar and never adds
keys, steps or stages. The templates' own text is the only structure.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from sqaaas.datafiles import data_path
from sqaaas.errors import SqaaasError
from sqaaas.fileio import write_atomic
from sqaaas.pipelines import TARGETS  # the one list of targets (name, label)
from sqaaas.pipelines.spec import PipelineSpec
from sqaaas.pipelines.targets import github_actions, gitlab_ci, jenkins


class PipelineWriteError(SqaaasError):
    """Generated files could not be written (or would overwrite files without --force)."""


# --- quoting filters -------------------------------------------------------------------------


def _safe_char(ch: str) -> bool:
    """Characters YAML may carry raw in a double-quoted scalar without folding or rejecting
    them (C1 controls, NEL and the Unicode line/paragraph separators are escaped)."""
    code = ord(ch)
    if code < 0x7F:
        return True
    return code >= 0xA0 and ch not in "\u2028\u2029\ufeff\ufffe\uffff" and not (
        0xD800 <= code <= 0xDFFF
    )


def yaml_str(value: object) -> str:
    """A YAML double-quoted scalar: JSON string syntax is valid YAML and escapes quotes,
    newlines and control characters, so ``#``, ``: ``, ``{`` stay text; characters YAML
    would read as line breaks are escaped too."""
    text = json.dumps(str(value), ensure_ascii=False)
    return "".join(ch if _safe_char(ch) else f"\\u{ord(ch):04x}" for ch in text)


def gha_str(value: object) -> str:
    """A YAML scalar for a GitHub workflow: GitHub evaluates ``${{ ... }}`` anywhere in a
    value, so a literal ``${{`` is written as the expression ``${{ '${{' }}``."""
    return yaml_str(str(value).replace("${{", "${{ '${{' }}"))


def dollar_str(value: object) -> str:
    """A YAML scalar for files that interpolate ``$VAR`` themselves (GitLab variables,
    Compose): ``$`` is doubled, the documented escape of both."""
    return yaml_str(str(value).replace("$", "$$"))


def groovy_str(value: object) -> str:
    """A single-quoted Groovy string (never interpolated): backslash, quote and ``$``
    escaped, anything outside printable ASCII written as a ``\\u`` escape with four hex digits."""
    out = []
    for ch in str(value):
        if ch in "\\'$":
            out.append("\\" + ch)
        elif " " <= ch <= "~":
            out.append(ch)
        else:
            data = ch.encode("utf-16-be", "surrogatepass")
            out += [f"\\u{int.from_bytes(data[i : i + 2]):04x}" for i in range(0, len(data), 2)]
    return "'" + "".join(out) + "'"


def yaml_block(text: str, indent: int) -> str:
    """A literal block scalar for our own fixed scripts (never spec values): ``|-`` then
    every line indented, so no line can end the block."""
    pad = " " * indent
    lines = text.strip("\n").split("\n")
    if any(ch in text for ch in "\r\x85\u2028\u2029\t") or lines[0].startswith(" "):
        raise ValueError("yaml_block is for plain fixed scripts")
    return "|-\n" + "\n".join(pad + line if line else "" for line in lines)


@cache
def environment() -> Environment:
    """The templates' environment, built once: compiling the templates dominated the cost of
    a render (about 19 ms of 20), which the web service pays on every composer request.
    Nothing mutates it after this function, and Jinja renders thread-safely."""
    # The outputs are YAML and Groovy, not HTML: every value goes through an explicit
    # quoting filter (yaml_str, groovy_str), which is what keeps them from breaking out.
    env = Environment(  # nosec B701
        loader=FileSystemLoader(str(data_path("pipelines"))),
        undefined=StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        yaml_str=yaml_str,
        gha_str=gha_str,
        dollar_str=dollar_str,
        groovy_str=groovy_str,
        yaml_block=yaml_block,
    )
    return env


# --- targets -----------------------------------------------------------------------------------


def render(spec: PipelineSpec, target: str) -> dict[str, str]:
    """Files of ``target`` for ``spec``: relative path -> text."""
    renderers = {
        "jenkins": jenkins.render,
        "github-actions": github_actions.render,
        "gitlab-ci": gitlab_ci.render,
    }
    if target not in renderers:
        raise SqaaasError(f"unknown target {target!r} (one of {', '.join(TARGETS)})")
    return renderers[target](spec, environment())


def write_files(files: dict[str, str], output: Path, *, force: bool = False) -> list[Path]:
    """Write every file under ``output``; without ``force`` nothing is written when any of
    them exists already. Files are replaced atomically (a symlink is replaced, not
    followed)."""
    targets = [output / rel for rel in files]
    existing = [p for p in targets if p.exists() or p.is_symlink()]
    if existing and not force:
        raise PipelineWriteError(
            f"{existing[0]} exists (use --force to overwrite"
            + (f"; {len(existing) - 1} more file(s) too)" if len(existing) > 1 else ")")
        )
    written = []
    for path, text in zip(targets, files.values(), strict=True):
        write_atomic(path, text.encode("utf-8"), error=PipelineWriteError)
        written.append(path)
    return written
