"""A small validating parser of the Prometheus text exposition format (and OpenMetrics text).

Onboarding only needs to know whether a metrics endpoint speaks the format a Prometheus
server scrapes, and which metric families it exposes; a body that is not the format is
reported with the line where it stops being one. Format reference:
https://prometheus.io/docs/instrumenting/exposition_formats/
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
_NAME_RE = re.compile(_NAME)
_SAMPLE = re.compile(rf"^({_NAME})(\{{.*\}})?[ \t]+(\S+)(?:[ \t]+(\S+))?[ \t]*$")
_LABEL = re.compile(r'\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\\n]|\\[\\"n])*)"\s*(,|$)')
_VALUE = re.compile(
    r"^[+-]?(?:inf|nan|\d+(?:\.\d*)?(?:e[+-]?\d+)?|\.\d+(?:e[+-]?\d+)?)$", re.IGNORECASE
)
_TIMESTAMP = re.compile(r"^-?\d+(?:\.\d+)?$")
TYPES = frozenset(
    {"counter", "gauge", "histogram", "summary", "untyped",
     "unknown", "info", "stateset", "gaugehistogram"}  # the last four: OpenMetrics
)
_SUFFIXES = {
    "histogram": ("_bucket", "_sum", "_count", "_created"),
    "gaugehistogram": ("_bucket", "_gsum", "_gcount"),
    "summary": ("_sum", "_count", "_created"),
    "counter": ("_total", "_created"),
    "info": ("_info",),
}


class ExpositionError(ValueError):
    """The body is not in the exposition format; ``line`` is where it stops being one."""

    def __init__(self, line: int, problem: str, text: str) -> None:
        super().__init__(f"line {line}: {problem}: {text[:120]!r}")
        self.line = line
        self.problem = problem


@dataclass(frozen=True)
class Exposition:
    """What a scrape exposes: metric families with their type, and the number of samples."""

    families: dict[str, str]
    samples: int


def _labels(text: str) -> dict[str, str] | None:
    """The labels of ``{a="x",b="y"}``, or None when they are malformed."""
    inner = text[1:-1]
    labels: dict[str, str] = {}
    pos = 0
    while pos < len(inner):
        match = _LABEL.match(inner, pos)
        if match is None or match.group(1) in labels:
            return None
        labels[match.group(1)] = match.group(2)
        pos = match.end()
    return labels


class _Parser:
    def __init__(self) -> None:
        self.types: dict[str, str] = {}
        self.helped: set[str] = set()
        self.seen: set[str] = set()  # families that already have samples
        self.samples = 0

    def family_of(self, name: str) -> str:
        if name in self.types:
            return name
        for family, kind in self.types.items():
            if name.startswith(family) and name[len(family):] in _SUFFIXES.get(kind, ()):
                return family
        return name

    def comment(self, number: int, line: str) -> None:
        parts = line[1:].strip().split(None, 2)
        if not parts or parts[0] not in ("HELP", "TYPE"):
            return  # a free comment
        if len(parts) < 2 or not _NAME_RE.fullmatch(parts[1]):
            raise ExpositionError(number, f"{parts[0]} without a valid metric name", line)
        keyword, name = parts[0], parts[1]
        if keyword == "HELP":
            if name in self.helped:
                raise ExpositionError(number, f"second HELP for {name}", line)
            self.helped.add(name)
            return
        kind = parts[2].strip() if len(parts) > 2 else ""
        if kind not in TYPES:
            raise ExpositionError(number, f"unknown metric type {kind!r}", line)
        if name in self.types:
            raise ExpositionError(number, f"second TYPE for {name}", line)
        if name in self.seen:
            raise ExpositionError(number, f"TYPE for {name} after its samples", line)
        self.types[name] = kind

    def sample(self, number: int, line: str) -> None:
        match = _SAMPLE.match(line)
        if match is None:
            raise ExpositionError(
                number, "not a sample line (name{labels} value [timestamp])", line
            )
        name, labels, value, timestamp = match.groups()
        parsed = _labels(labels) if labels else {}
        if parsed is None:
            raise ExpositionError(number, "malformed labels", line)
        if not _VALUE.match(value):
            raise ExpositionError(number, f"value {value!r} is not a number", line)
        if timestamp is not None and not _TIMESTAMP.match(timestamp):
            raise ExpositionError(number, f"timestamp {timestamp!r} is not a number", line)
        family = self.family_of(name)
        if self.types.get(family) == "histogram" and name.endswith("_bucket") and (
            "le" not in parsed
        ):
            raise ExpositionError(number, "histogram bucket without an 'le' label", line)
        self.seen.add(family)
        self.samples += 1


def parse_exposition(text: str) -> Exposition:
    """Validate ``text``; ExpositionError names the first offending line."""
    parser = _Parser()
    ended = 0
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.rstrip("\r")
        if ended and line.strip():
            raise ExpositionError(number, f"content after '# EOF' (line {ended})", line)
        if not line.strip():
            continue
        if line.startswith("#"):
            if line.strip() == "# EOF":
                ended = number
            else:
                parser.comment(number, line)
            continue
        parser.sample(number, line)
    if parser.samples == 0:
        raise ExpositionError(1, "no samples", text[:120])
    families = {name: parser.types.get(name, "untyped") for name in sorted(parser.seen)}
    return Exposition(families=families, samples=parser.samples)
