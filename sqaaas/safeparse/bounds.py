"""The limits every parse of untrusted text obeys, the one error it raises, and the checks
shared by the formats (size before parsing, depth and size of a parsed tree after it).

Why limits at all: a repository or a user controls these files. A 'billion laughs' YAML
loads in microseconds (PyYAML shares aliased nodes) and then takes minutes and gigabytes
when anything walks it; a deeply nested document overflows recursive parsers and walkers;
a 5,000-digit integer makes ``int()`` raise (or, unbounded, take seconds). Each limit sits
far above any real configuration file and far below what could hurt the host.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqaaas.errors import SqaaasError


@dataclass(frozen=True)
class Limits:
    """Bounds of one parse; callers reading bigger legitimate files (test reports, API
    descriptions) raise ``max_bytes``/``max_nodes`` for those alone."""

    max_bytes: int = 2 * 1024 * 1024
    #: nested collections (mappings/lists/tables/elements); the root one is level 1
    max_depth: int = 200
    #: every value, counted as a walker sees it (YAML aliases count each time they are used)
    max_nodes: int = 250_000
    #: values created by YAML aliases alone: real files reuse a block a few hundred times
    max_alias_nodes: int = 50_000
    #: digits of one integer: Python's own default bound (sys.int_info.default_max_str_digits)
    max_int_digits: int = 4300


DEFAULT_LIMITS = Limits()


class ParseError(SqaaasError):
    """A document that cannot be used: invalid syntax, a value Python refuses, or a limit.

    ``problem`` is the message without the file, ``line`` (1-based) where the parser said.
    """

    def __init__(self, source: str, problem: str, line: int | None = None) -> None:
        self.source = source
        self.problem = problem
        self.line = line
        where = f"line {line}: " if line else ""
        super().__init__(f"{source}: {where}{problem}")

    def __reduce__(self) -> tuple[object, ...]:  # the web jobs pickle errors across processes
        return (type(self), (self.source, self.problem, self.line))


class ParseLimitError(ParseError):
    """The document exceeds a bound (size, nesting, aliases, values, integer digits): it is
    not read, so nothing can be concluded from it. ``limit`` is the bound that was hit."""

    def __init__(self, source: str, problem: str, limit: int, line: int | None = None) -> None:
        self.limit = limit
        super().__init__(source, problem, line)

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.source, self.problem, self.limit, self.line))


def check_size(
    data: str | bytes, *, source: str, kind: str, limits: Limits, size: int | None = None
) -> None:
    """Refuse a document over ``limits.max_bytes`` before parsing it.

    ``size`` is the file's real size when only its first bytes were read (a capped read).
    """
    measured = max(size or 0, len(data))
    if isinstance(data, str) and measured <= limits.max_bytes < 4 * measured:
        measured = max(measured, len(data.encode("utf-8", "surrogatepass")))
    if measured > limits.max_bytes:
        raise ParseLimitError(
            source, f"{kind} document larger than {limits.max_bytes} bytes; not parsed",
            limits.max_bytes,
        )


def too_deep(source: str, kind: str, limits: Limits) -> ParseLimitError:
    return ParseLimitError(
        source, f"{kind} nested too deeply (over {limits.max_depth} levels)", limits.max_depth
    )


def too_many(source: str, kind: str, limits: Limits) -> ParseLimitError:
    return ParseLimitError(
        source, f"{kind} document with more than {limits.max_nodes} values", limits.max_nodes
    )


def integer_too_long(source: str, kind: str, limits: Limits) -> ParseLimitError:
    return ParseLimitError(
        source, f"{kind} integer longer than {limits.max_int_digits} digits",
        limits.max_int_digits,
    )


def check_tree(data: object, *, source: str, kind: str, limits: Limits) -> None:
    """Depth and number of values of parsed JSON/TOML, walked without recursion (the
    document may be nested deeper than Python's recursion limit allows a walker)."""
    stack: list[tuple[object, int]] = [(data, 1)]
    nodes = 0
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children: list[object] = list(value.values())
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limits.max_depth:
            raise too_deep(source, kind, limits)
        nodes += len(children)
        if nodes > limits.max_nodes:
            raise too_many(source, kind, limits)
        stack.extend((child, depth + 1) for child in children)
