"""The parts of F-UJI's ``FAIRResults`` answer that sqaaas reads, validated before use.

The server is untrusted input: an answer whose results lack a metric id, a status or a score
is refused as "not an evaluation result" rather than half-mapped. Unknown fields are ignored
(F-UJI sends ``harvested_metadata``, which its own spec does not list).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sqaaas.errors import FujiError

NOT_RESOLVED = "not defined"  # F-UJI's resolved_url when it could not reach the object


def clean(text: object, limit: int = 300) -> str:
    """Server text made safe for one line: no control characters, bounded length."""
    flat = " ".join("".join(ch if ch.isprintable() else " " for ch in str(text)).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Points(_Lenient):
    earned: float = Field(default=0, ge=0)
    total: float = Field(default=0, ge=0)


class MetricTest(_Lenient):
    metric_test_name: str = Field(default="", max_length=2000)
    metric_test_score: Points | None = None
    metric_test_maturity: int | None = None
    metric_test_status: str = Field(default="fail", max_length=40)


class MetricResult(_Lenient):
    metric_identifier: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
    metric_name: str = Field(max_length=2000)
    test_status: Literal["pass", "fail", "indeterminate"]
    score: Points
    maturity: int | None = None
    metric_tests: dict[str, MetricTest] = Field(default_factory=dict, max_length=200)
    output: Any = None
    test_debug: list[str] | None = None


class FujiResults(_Lenient):
    resolved_url: str | None = None
    metric_version: str | None = None
    metric_specification: str | None = None
    software_version: str | None = None
    summary: dict[str, dict[str, float]] = Field(default_factory=dict)
    results: list[MetricResult] = Field(min_length=1, max_length=500)

    @model_validator(mode="after")
    def _unique_metrics(self) -> FujiResults:
        seen: set[str] = set()
        for result in self.results:
            if result.metric_identifier in seen:
                raise ValueError(f"metric {result.metric_identifier} is reported twice")
            seen.add(result.metric_identifier)
        return self

    @property
    def resolved(self) -> bool:
        """False when F-UJI says it could not reach the object (an absent field is not that)."""
        return self.resolved_url is None or self.resolved_url.strip() not in ("", NOT_RESOLVED)


def parse_results(data: object) -> FujiResults:
    """Validate a decoded JSON answer; a one-line FujiError says what is wrong with it."""
    try:
        return FujiResults.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "top level"
        raise FujiError(
            f"F-UJI's answer is not an evaluation result (FAIRResults): {where}: {first['msg']}"
        ) from None
