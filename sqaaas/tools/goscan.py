"""sqaaas's Go security scan: gosec's rules (criteria/go-security.yml) on tree-sitter-go's
syntax tree, run like any static tool in the tools container
(``python -I -m sqaaas.tools.goscan FILE...``; JSON on stdout, parsed by ``goscan_json``).

Why not gosec: it is on none of the registries an assessment installs from (Debian, PyPI,
npm), and Semgrep's engine would add 267 MB to the image. Each rule names the package a
call or type comes from, and a name counts only when the file imports that package (an
alias too), so ``md5.Sum`` of another ``md5`` package is not a finding.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any

import tree_sitter_go
from tree_sitter import Language, Node, Parser

from sqaaas.datafiles import data_path, load_yaml

MAX_FILE_BYTES = 2_000_000  # as for every tool (sqaaas/tools/runner.py)
_SUPPRESS = re.compile(r"#nosec\b|//\s*nolint:[\w,]*gosec")
_VERSION_SUFFIX = re.compile(r"^v\d+$")


@dataclass(frozen=True)
class Hit:
    path: str
    line: int
    column: int
    code: str
    message: str
    severity: str
    confidence: str


def load_rules() -> dict[str, dict[str, Any]]:
    data = load_yaml(data_path("criteria") / "go-security.yml") or {}
    return dict(data.get("rules") or {})


def _text(node: Node | None) -> str:
    return node.text.decode("utf-8", "replace") if node is not None and node.text else ""


def _walk(node: Node) -> Iterator[Node]:
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(current.named_children))


def imports(root: Node) -> dict[str, str]:
    """Local name -> import path (``h "crypto/md5"`` -> ``h``; ``math/rand/v2`` -> ``rand``)."""
    names: dict[str, str] = {}
    for spec in (n for n in _walk(root) if n.type == "import_spec"):
        path = _text(spec.child_by_field_name("path")).strip('"`')
        alias = spec.child_by_field_name("name")
        if alias is not None and alias.type == "package_identifier":
            names[_text(alias)] = path
        elif alias is None and path:
            parts = path.split("/")
            last = parts[-2] if len(parts) > 1 and _VERSION_SUFFIX.match(parts[-1]) else parts[-1]
            names[last] = path
    return names


class _File:
    """One parsed file and the names it imported."""

    def __init__(self, root: Node) -> None:
        self.root = root
        self.imports = imports(root)

    def package_of(self, node: Node | None) -> str | None:
        """The import path of ``pkg`` in ``pkg.Name`` (selector or qualified type)."""
        if node is None or node.type not in ("identifier", "package_identifier"):
            return None
        return self.imports.get(_text(node))

    def calls(self, package: str | None, functions: list[str]) -> Iterator[tuple[Node, list[Node]]]:
        """Calls ``pkg.F(...)`` of ``package`` (any receiver when None) and their arguments."""
        for node in _walk(self.root):
            if node.type != "call_expression":
                continue
            function = node.child_by_field_name("function")
            if function is None or function.type != "selector_expression":
                continue
            if _text(function.child_by_field_name("field")) not in functions:
                continue
            if package is not None and self.package_of(
                function.child_by_field_name("operand")
            ) != package:
                continue
            arguments = node.child_by_field_name("arguments")
            yield node, list(arguments.named_children) if arguments is not None else []


def _is_string(node: Node) -> bool:
    return node.type in ("interpreted_string_literal", "raw_string_literal")


def _built(file: _File, node: Node) -> bool:
    """A string made by fmt.Sprintf or by ``+`` with something that is not a literal."""
    if node.type == "call_expression":
        function = node.child_by_field_name("function")
        return (function is not None and function.type == "selector_expression"
                and file.package_of(function.child_by_field_name("operand")) == "fmt"
                and _text(function.child_by_field_name("field")).startswith("Sprint"))
    if node.type == "binary_expression" and _text(node.child_by_field_name("operator")) == "+":
        sides = [node.child_by_field_name("left"), node.child_by_field_name("right")]
        return any(side is not None and not _is_string(side) for side in sides)
    return False


def _field_hits(file: _File, rule: dict[str, Any]) -> Iterator[Node]:
    package, _, type_name = str(rule["type"]).rpartition(".")
    if package not in file.imports.values():
        return
    values = {str(v) for v in rule["values"]}
    short = {v.rpartition(".")[2] for v in values if "." in v}

    def matches(value: Node | None) -> bool:
        if value is None:
            return False
        if value.type == "literal_element" and value.named_child_count == 1:
            value = value.named_children[0]
        if value.type == "selector_expression":
            return (file.package_of(value.child_by_field_name("operand")) == package
                    and _text(value.child_by_field_name("field")) in short)
        return _text(value) in values

    for node in _walk(file.root):
        if node.type == "composite_literal":
            kind = node.child_by_field_name("type")
            if kind is None or kind.type != "qualified_type":
                continue
            if (file.package_of(kind.child_by_field_name("package")) != package
                    or _text(kind.child_by_field_name("name")) != type_name):
                continue
            body = node.child_by_field_name("body")
            for element in body.named_children if body is not None else []:
                if element.type == "keyed_element" and element.named_child_count == 2:
                    key, value = element.named_children
                    if _text(key) == rule["field"] and matches(value):
                        yield element
        elif node.type == "assignment_statement":  # cfg.InsecureSkipVerify = true
            left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
            targets = left.named_children if left is not None else []
            values_ = right.named_children if right is not None else []
            for target, value in zip(targets, values_, strict=False):
                if (target.type == "selector_expression"
                        and _text(target.child_by_field_name("field")) == rule["field"]
                        and matches(value)):
                    yield node


def _rule_hits(file: _File, rule: dict[str, Any]) -> Iterator[Node]:
    kind = rule["kind"]
    if kind == "field":
        yield from _field_hits(file, rule)
        return
    if kind == "method_arg_built":
        for call, args in file.calls(None, list(rule["methods"])):
            at = int(rule["arg"])
            if any(_built(file, a) for a in args[at:at + 2]):
                yield call
        return
    for call, args in file.calls(str(rule["package"]), list(rule["functions"])):
        at = int(rule.get("arg", 0))
        if kind == "call" or (len(args) > at and _argument_matches(kind, args[at], rule)):
            yield call


def _argument_matches(kind: str, arg: Node, rule: dict[str, Any]) -> bool:
    if kind == "call_arg_not_literal":
        return not _is_string(arg)
    if kind == "call_arg_below":
        text = _text(arg)
        return arg.type == "int_literal" and text.isdigit() and int(text) < int(rule["below"])
    if kind == "call_arg_prefix":
        return _is_string(arg) and _text(arg).strip('"`').startswith(str(rule["prefix"]))
    return False


def _suppressed(lines: list[str], row: int) -> bool:
    """``// #nosec`` (or ``//nolint:gosec``) on the line, or alone on the line above."""
    if row < len(lines) and _SUPPRESS.search(lines[row]):
        return True
    above = lines[row - 1].strip() if 0 < row <= len(lines) else ""
    return above.startswith("//") and bool(_SUPPRESS.search(above))


def scan(path: str, source: bytes, rules: dict[str, dict[str, Any]],
         parser: Parser) -> tuple[list[Hit], int]:
    """The rules' findings in one file, and how many were suppressed inline."""
    file = _File(parser.parse(source).root_node)
    lines = source.decode("utf-8", "replace").splitlines()
    hits, suppressed, seen = [], 0, set()
    for code, rule in rules.items():
        for node in _rule_hits(file, rule):
            row, column = node.start_point
            if (code, row, column) in seen:
                continue
            seen.add((code, row, column))
            if _suppressed(lines, row):
                suppressed += 1
                continue
            hits.append(Hit(path, row + 1, column + 1, code, str(rule["message"]),
                            str(rule["severity"]), str(rule["confidence"])))
    return sorted(hits, key=lambda h: (h.line, h.column, h.code)), suppressed


def main(argv: list[str]) -> int:
    rules = load_rules()
    parser = Parser(Language(tree_sitter_go.language()))
    findings, suppressed, errors = [], 0, []
    for path in argv[1:]:
        try:
            with open(path, "rb") as handle:
                source = handle.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            errors.append(f"{path}: {exc.strerror}")
            continue
        if len(source) > MAX_FILE_BYTES:
            continue
        hits, hidden = scan(path, source, rules, parser)
        findings += [asdict(h) for h in hits]
        suppressed += hidden
    json.dump({"findings": findings, "suppressed": suppressed, "errors": errors}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
