"""YAML from untrusted files, composed under budgets so that bombs stop before they cost.

libyaml (when PyYAML has it) scans and parses the text into events. Composing those events
into the node graph is done here rather than by PyYAML, because that is the step which
decides what every later walk costs: each value is counted once per use of an alias, the
nesting an alias brings along is measured, an anchor used inside itself (an endless
structure) is refused, and composing stops at the first bound exceeded, having built at
most ``max_nodes`` nodes. Construction is PyYAML's safe constructor, integers bounded.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml
from yaml.composer import ComposerError
from yaml.constructor import SafeConstructor
from yaml.events import (
    AliasEvent,
    MappingEndEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import Resolver
from yaml.scanner import Scanner

from sqaaas.safeparse.bounds import (
    DEFAULT_LIMITS,
    Limits,
    ParseError,
    ParseLimitError,
    check_size,
    integer_too_long,
    too_deep,
    too_many,
)

_KIND = "YAML"


class _PythonEvents(Reader, Scanner, Parser):
    """PyYAML's pure-Python event source, for a PyYAML built without libyaml."""

    def __init__(self, stream: str) -> None:
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)


try:
    from yaml._yaml import CParser as _Events
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    _Events = _PythonEvents  # type: ignore[misc,assignment]


class BoundedLoader(_Events, SafeConstructor, Resolver):  # type: ignore[misc,valid-type]
    """Events (libyaml), tag resolution and the safe constructor with integers bounded.

    Composing is :class:`_Composer`'s job. Subclass this to add constructors (CITATION.cff
    keeps dates as the text the schema expects).
    """

    def __init__(self, text: str, limits: Limits = DEFAULT_LIMITS, source: str = "YAML") -> None:
        _Events.__init__(self, text)
        SafeConstructor.__init__(self)
        Resolver.__init__(self)
        self.limits = limits
        self.source = source

    def construct_yaml_int(self, node: ScalarNode) -> int:
        """Integers of any base refused past ``max_int_digits``, before ``int()`` sees them
        (a huge integer also breaks ``str()`` of it later)."""
        if len(node.value) > self.limits.max_int_digits:
            raise integer_too_long(self.source, _KIND, self.limits)
        return super().construct_yaml_int(node)


BoundedLoader.add_constructor("tag:yaml.org,2002:int", BoundedLoader.construct_yaml_int)


@dataclass(frozen=True, slots=True)
class _Anchored:
    """An anchored node and what using it again costs: its values (aliases inside counted),
    its scalar characters, and how many levels it reaches below the place it is used."""

    node: Node
    nodes: int
    chars: int
    height: int


class _Composer:
    """PyYAML's composer, rewritten to enforce every budget of :class:`Limits` as it goes."""

    def __init__(self, events: BoundedLoader, limits: Limits, source: str) -> None:
        self.events = events
        self.limits = limits
        self.source = source
        self.anchors: dict[str, _Anchored] = {}
        self.open: set[str] = set()  # anchors being composed: an alias to one is a loop
        self.nodes = 0  # values as a walker sees them
        self.chars = 0  # scalar characters as a walker sees them
        self.alias_nodes = 0
        self.alias_chars = 0
        self.depth = 0  # nesting of the collection being composed
        self.deepest = 0  # deepest level reached below the node being composed

    def single_node(self) -> Node | None:
        """The root node of the only document of the stream (None for an empty stream)."""
        events = self.events
        events.get_event()  # stream start
        node = None
        if not events.check_event(StreamEndEvent):
            events.get_event()  # document start
            node = self.node()
            events.get_event()  # document end
        if not events.check_event(StreamEndEvent):
            raise ComposerError(
                None, None, "expected a single document, but found another",
                events.get_event().start_mark,
            )
        return node

    def node(self) -> Node:
        events = self.events
        if events.check_event(AliasEvent):
            return self._alias(events.get_event())
        anchor = events.peek_event().anchor
        if anchor is not None:
            self.open.add(anchor)
        nodes, chars, outer_deepest = self.nodes, self.chars, self.deepest
        self.deepest = self.depth
        if events.check_event(ScalarEvent):
            node: Node = self._scalar(events.get_event())
        elif events.check_event(SequenceStartEvent):
            node = self._collection(SequenceNode, SequenceEndEvent)
        else:
            node = self._collection(MappingNode, MappingEndEvent)
        height = self.deepest - self.depth
        self.deepest = max(outer_deepest, self.deepest)
        if anchor is not None:
            self.open.discard(anchor)
            self.anchors[anchor] = _Anchored(node, self.nodes - nodes, self.chars - chars, height)
        return node

    def _count(self, nodes: int, chars: int) -> None:
        self.nodes += nodes
        self.chars += chars
        if self.nodes > self.limits.max_nodes:
            raise too_many(self.source, _KIND, self.limits)

    def _alias(self, event: AliasEvent) -> Node:
        limits, anchor = self.limits, str(event.anchor)
        if anchor in self.open:
            raise ParseLimitError(
                self.source, f"the alias *{anchor} is used inside its own anchor (an endless "
                "structure)", limits.max_alias_nodes, event.start_mark.line + 1,
            )
        found = self.anchors.get(anchor)
        if found is None:
            raise ComposerError(None, None, f"found undefined alias {anchor!r}", event.start_mark)
        self.alias_nodes += found.nodes
        self.alias_chars += found.chars
        if self.alias_nodes > limits.max_alias_nodes:
            raise ParseLimitError(
                self.source, f"more than {limits.max_alias_nodes} nodes once YAML aliases are "
                "expanded (a 'billion laughs' bomb?)", limits.max_alias_nodes,
            )
        if self.alias_chars > limits.max_bytes:
            raise ParseLimitError(
                self.source, f"YAML aliases expand to more than {limits.max_bytes} characters "
                "(a 'billion laughs' bomb?)", limits.max_bytes,
            )
        if self.depth + found.height > limits.max_depth:
            raise too_deep(self.source, _KIND, limits)
        self.deepest = max(self.deepest, self.depth + found.height)
        self._count(found.nodes, found.chars)
        return found.node

    def _scalar(self, event: ScalarEvent) -> ScalarNode:
        self._count(1, len(event.value))
        tag = event.tag
        if tag is None or tag == "!":
            tag = self.events.resolve(ScalarNode, event.value, event.implicit)
        return ScalarNode(tag, event.value, event.start_mark, event.end_mark, style=event.style)

    def _collection(self, kind: type[SequenceNode | MappingNode], end: type[object]) -> Node:
        events = self.events
        start = events.get_event()
        self._count(1, 0)
        self.depth += 1
        if self.depth > self.limits.max_depth:
            raise too_deep(self.source, _KIND, self.limits)
        self.deepest = max(self.deepest, self.depth)
        tag = start.tag
        if tag is None or tag == "!":
            tag = events.resolve(kind, None, start.implicit)
        node = kind(tag, [], start.start_mark, None, flow_style=start.flow_style)
        while not events.check_event(end):
            if kind is SequenceNode:
                node.value.append(self.node())
            else:
                key = self.node()
                node.value.append((key, self.node()))
        node.end_mark = events.get_event().end_mark
        self.depth -= 1
        return node


def _syntax_error(exc: yaml.YAMLError, source: str, limits: Limits) -> ParseError:
    """A YAML error as a ParseError with the line, the problem and where its context began."""
    mark = getattr(exc, "problem_mark", None)
    line = mark.line + 1 if mark is not None else None
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0] or "syntax error"
    context, started = getattr(exc, "context", None), getattr(exc, "context_mark", None)
    if context and started is not None:
        problem += f" ({context} at line {started.line + 1})"
    if "nesting depth" in problem:  # libyaml's own bound (1000), met when scanning ahead
        bound = too_deep(source, _KIND, limits)
        return ParseLimitError(source, bound.problem, bound.limit, line)
    return ParseError(source, f"invalid YAML: {problem}", line)


def load_yaml_document(
    text: str,
    *,
    source: str,
    limits: Limits = DEFAULT_LIMITS,
    size: int | None = None,
    loader: type[BoundedLoader] = BoundedLoader,
) -> tuple[Node | None, Any]:
    """(root node, data) of a single-document YAML text; (None, None) when it is empty.

    The node gives the lines to report problems at. ``size`` is the file's real size when
    ``text`` is a capped read. Raises ParseError (ParseLimitError for a bound) naming
    ``source``; never one of PyYAML's exceptions or a RecursionError.
    """
    check_size(text, source=source, kind=_KIND, limits=limits, size=size)
    events = loader(text, limits, source)
    try:
        node = _Composer(events, limits, source).single_node()
        if node is None:
            return None, None
        return node, events.construct_document(node)
    except yaml.YAMLError as exc:
        raise _syntax_error(exc, source, limits) from None
    except RecursionError:
        raise too_deep(source, _KIND, limits) from None
    except (ValueError, TypeError, OverflowError) as exc:  # e.g. the date 2024-13-45
        raise ParseError(source, f"invalid value: {exc}") from None
    finally:
        events.dispose()


def load_yaml(
    text: str, *, source: str, limits: Limits = DEFAULT_LIMITS, size: int | None = None
) -> Any:
    """The data of a single-document YAML text (None when empty), bounded; see
    :func:`load_yaml_document`."""
    return load_yaml_document(text, source=source, limits=limits, size=size)[1]
