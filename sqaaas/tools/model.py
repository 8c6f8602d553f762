"""What one tool run is planned as on the host, and what it came to."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqaaas.tools.configs import ToolConfig
from sqaaas.tools.parsers import ToolFinding
from sqaaas.tools.spec import ToolSpec


@dataclass
class ToolRun:
    """What happened when a tool ran: ok (with findings), error, or missing."""

    tool: str
    status: str  # ok | error | missing
    version: str | None = None
    findings: list[ToolFinding] = field(default_factory=list)
    score: float | None = None
    files: int = 0
    duration_s: float = 0.0
    cached: bool = False
    message: str = ""
    config_files: list[str] = field(default_factory=list)
    #: refused configuration options and files left out, each a sentence for the report
    notes: list[str] = field(default_factory=list)
    #: files left out because the tools' unprivileged user cannot read them
    unreadable: int = 0
    #: findings suppressed inline by the repository and honoured by the tool (# nosec)
    suppressed: int = 0
    #: the same per file, where the tool says (kept by the per-file cache)
    suppressed_in: dict[str, int] = field(default_factory=dict)


@dataclass
class Plan:
    """A tool about to run: its files, its sanitised configuration, its cache key."""

    spec: ToolSpec
    files: list[str]
    config: ToolConfig
    key: str
    notes: list[str] = field(default_factory=list)
    unreadable: int = 0
    #: file -> its own cache key, for tools whose findings are per file (ToolSpec.per_file)
    file_keys: dict[str, str] = field(default_factory=dict)
