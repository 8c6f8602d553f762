"""The baselines, badge levels and profiles as typed, validated data loaded from criteria/.

Nothing about what is assessed lives in code: this module only reads and checks the data.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sqaaas.datafiles import data_path, load_yaml
from sqaaas.errors import CriteriaDataError
from sqaaas.languages import known_languages

_M = TypeVar("_M", bound=BaseModel)

#: the level of a badge that reached none of its scheme's levels (a word of the report
#: model, never a level name in criteria/badges.yml: load_catalogue refuses it there)
NO_LEVEL = "none"
#: what a profile of badges.yml may be called (a CLI choice, a form value and a badge tag)
PROFILE_NAME = re.compile(r"[a-z][a-z0-9-]{0,31}")
#: the key of badges.yml holding the profiles (every other key is a badge scheme)
PROFILES_KEY = "profiles"


class RequirementLevel(StrEnum):
    """RFC 2119 keywords as the baselines use them (UNSPECIFIED: listed without a keyword)."""

    MUST = "MUST"
    MUST_NOT = "MUST NOT"
    SHOULD = "SHOULD"
    SHOULD_NOT = "SHOULD NOT"
    RECOMMENDED = "RECOMMENDED"
    MAY = "MAY"
    UNSPECIFIED = "UNSPECIFIED"

    @property
    def strength(self) -> int:
        """Ordering used to decide which subcriteria gate a criterion (RFC 2119 equivalences)."""
        return {
            "MUST": 3,
            "MUST NOT": 3,
            "SHOULD": 2,
            "SHOULD NOT": 2,
            "RECOMMENDED": 2,
            "MAY": 1,
            "UNSPECIFIED": 0,
        }[self.value]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Baseline(_Strict):
    """Where a set of criteria comes from."""

    id: str
    title: str
    url: str
    version: str
    license: str | None = None
    criteria: tuple[str, ...] = Field(min_length=1, description="criterion ids in report order")


class Subcriterion(_Strict):
    """One requirement of the baseline and how (or whether) sqaaas assesses it."""

    id: str = Field(pattern=r"^[A-Za-z]+\.[A-Za-z]+[0-9]+(\.[0-9]+)*$")
    requirement_level: RequirementLevel
    description: str = Field(min_length=10)
    hint: str = Field(min_length=10)
    hints_by_language: dict[str, str] = Field(
        default_factory=dict,
        description="hint for repositories whose main language is the key (linguist name, "
        "as in criteria/languages.yml); 'hint' stays the language-neutral fallback",
    )
    probes: tuple[str, ...] = ()
    not_automated: str | None = None
    metric: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z]+-[0-9]{2}-[A-Z][0-9.]*$",
        description="external metric this subcriterion measures or approximates (FRSM-01-F1)",
    )
    points: int | None = Field(
        default=None, ge=1, description="weight in a scored section such as QC.FAIR"
    )

    @model_validator(mode="after")
    def _assessed_or_explained(self) -> Subcriterion:
        if bool(self.probes) == bool(self.not_automated):
            raise ValueError(
                "give either 'probes' (how it is assessed) or 'not_automated' (why not)"
            )
        return self

    @model_validator(mode="after")
    def _hints_name_known_languages(self) -> Subcriterion:
        """A misspelt language key would silently never match: refuse it at load time."""
        unknown = sorted(set(self.hints_by_language) - known_languages())
        if unknown:
            raise ValueError(f"hints_by_language: unknown language(s) {', '.join(unknown)}")
        short = [lang for lang, text in self.hints_by_language.items() if len(text.strip()) < 10]
        if short:
            raise ValueError(f"hints_by_language: hint too short for {', '.join(short)}")
        return self

    def hint_for(self, language: str | None) -> str:
        """The hint for a repository whose main language is ``language`` (None: unknown)."""
        return self.hints_by_language.get(language, self.hint) if language else self.hint


class Criterion(_Strict):
    """A baseline criterion (e.g. QC.Lic) with its subcriteria."""

    id: str = Field(pattern=r"^[A-Za-z]+\.[A-Za-z]+$")
    title: str
    baseline: str
    source_url: str = Field(pattern=r"^https://")
    description: str = Field(min_length=10)
    subcriteria: tuple[Subcriterion, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _subcriteria_belong(self) -> Criterion:
        seen: set[str] = set()
        for sub in self.subcriteria:
            if not sub.id.startswith(self.id):
                raise ValueError(f"subcriterion {sub.id} does not belong to {self.id}")
            if sub.id in seen:
                raise ValueError(f"subcriterion {sub.id} is listed twice")
            seen.add(sub.id)
        return self

    @property
    def gating_strength(self) -> int:
        """Strongest requirement level present: those subcriteria decide the verdict."""
        return max(sub.requirement_level.strength for sub in self.subcriteria)


class BadgeLevel(_Strict):
    """One level: the criteria (or, for metric schemes, the metric groups) it adds."""

    name: str
    criteria: tuple[str, ...] = ()
    metrics: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _criteria_or_metrics(self) -> BadgeLevel:
        if bool(self.criteria) == bool(self.metrics):
            raise ValueError("a level lists either 'criteria' or 'metrics' (not both, not none)")
        return self

    @property
    def requirements(self) -> tuple[str, ...]:
        return self.criteria or self.metrics


class BadgeScheme(_Strict):
    """Cumulative badge levels: each level needs its own requirements plus all lower levels'.

    A criteria scheme counts valid criteria; a metric scheme (``section`` set) counts the
    metrics, such as FRSM-01, met by the subcriteria of the report section ``section``.
    """

    baseline: str
    section: str | None = Field(
        default=None, description="criterion whose subcriteria carry the metrics (metric schemes)"
    )
    levels: tuple[BadgeLevel, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _one_kind(self) -> BadgeScheme:
        by_metrics = {bool(lvl.metrics) for lvl in self.levels}
        if len(by_metrics) > 1:
            raise ValueError("levels mix 'criteria' and 'metrics'")
        if by_metrics == {True} and not self.section:
            raise ValueError("a metric scheme needs 'section' (the criterion holding the metrics)")
        return self

    @property
    def by_metrics(self) -> bool:
        return self.section is not None

    def required_for(self, level: str) -> list[str]:
        required: list[str] = []
        for lvl in self.levels:
            required.extend(lvl.requirements)
            if lvl.name == level:
                return required
        raise KeyError(level)


class UnlistedRule(StrEnum):
    """What is decisive for a criterion a profile does not list."""

    #: its subcriteria at its strongest requirement level (Criterion.gating_strength)
    STRONGEST_LEVEL = "strongest-level"


class Profile(_Strict):
    """Which assessed subcriteria are decisive (decide their criterion's verdict); every
    other subcriterion is still assessed and reported, as advisory."""

    title: str = Field(min_length=1)
    description: str = Field(min_length=10)
    decisive: dict[str, tuple[str, ...]] = Field(
        default_factory=dict, description="criterion id -> its decisive subcriteria"
    )
    unlisted: UnlistedRule = Field(
        description="what is decisive for a criterion 'decisive' does not list"
    )
    evidence_tools: bool = Field(
        default=True,
        description="run the tools whose findings decide no subcriterion (Pylint, Ruff, "
        "Radon...) for their evidence; --verbose always runs them",
    )

    def decisive_ids(self, criterion: Criterion) -> set[str]:
        """The subcriteria of ``criterion`` that decide its verdict under this profile."""
        listed = self.decisive.get(criterion.id)
        if listed is not None:
            return set(listed)
        strongest = criterion.gating_strength
        return {s.id for s in criterion.subcriteria if s.requirement_level.strength == strongest}


class Profiles(_Strict):
    """The profiles of badges.yml, the one a report gets by default, and the one reports
    made before profiles existed were judged by."""

    default: str
    unnamed: str = Field(description="the profile of a report that names none")
    rules: dict[str, Profile] = Field(min_length=1)

    @model_validator(mode="after")
    def _names(self) -> Profiles:
        for name in self.rules:
            if not PROFILE_NAME.fullmatch(name):
                raise ValueError(f"profile name {name!r} is not lower-case letters, digits, '-'")
        for role in ("default", "unnamed"):
            if getattr(self, role) not in self.rules:
                raise ValueError(f"{role}: unknown profile {getattr(self, role)!r}")
        return self


class Catalogue(BaseModel):
    """Everything loaded from criteria/: baselines, criteria in order, badge schemes and
    the profiles that say which subcriteria decide a criterion."""

    model_config = ConfigDict(frozen=True)

    baselines: dict[str, Baseline]
    criteria: dict[str, Criterion]
    badges: dict[str, BadgeScheme]
    profiles: Profiles

    @property
    def profile_names(self) -> tuple[str, ...]:
        """The profiles' names, the default first: the one list --profile and forms offer."""
        rest = [name for name in self.profiles.rules if name != self.profiles.default]
        return (self.profiles.default, *rest)

    def profile(self, name: str | None = None) -> Profile:
        """The profile ``name`` (None: the default); CriteriaDataError names the known ones."""
        chosen = name or self.profiles.default
        if chosen not in self.profiles.rules:
            raise CriteriaDataError(
                f"unknown profile {chosen!r} (known: {', '.join(self.profile_names)})"
            )
        return self.profiles.rules[chosen]

    def subcriterion(self, sub_id: str) -> Subcriterion:
        for criterion in self.criteria.values():
            for sub in criterion.subcriteria:
                if sub.id == sub_id:
                    return sub
        raise KeyError(sub_id)

    def of_baseline(self, baseline: str) -> list[Criterion]:
        return [c for c in self.criteria.values() if c.baseline == baseline]

    def probe_names(self) -> set[str]:
        return {p for c in self.criteria.values() for s in c.subcriteria for p in s.probes}

    @property
    def level_names(self) -> tuple[str, ...]:
        """The badge levels, lowest first: the one list of level names (every scheme of
        badges.yml climbs the same levels, checked at load), which ``--fail-under``, the
        report schema and the colour and style tables of the levels follow."""
        first = next(iter(self.badges.values()), None)
        return tuple(lvl.name for lvl in first.levels) if first else ()

    def reaches(self, level: str, wanted: str) -> bool:
        """Whether a badge at ``level`` (a level name or NO_LEVEL) is at least ``wanted``."""
        names = self.level_names
        return (names.index(level) if level in names else -1) >= names.index(wanted)

    def check_level_table(self, levels: Iterable[str], where: str) -> None:
        """A table keyed by level (colours, styles) must name NO_LEVEL and exactly the levels
        of badges.yml: a level added there without its entry fails loudly, not as a grey
        badge."""
        known = {NO_LEVEL, *self.level_names}
        given = set(levels)
        missing, unknown = sorted(known - given), sorted(given - known)
        if missing or unknown:
            problems = [f"no entry for level(s) {', '.join(missing)}"] if missing else []
            problems += [f"unknown level(s) {', '.join(unknown)}"] if unknown else []
            raise CriteriaDataError(
                f"{where}: {'; '.join(problems)} (the levels are {NO_LEVEL} and those of "
                f"criteria/badges.yml: {', '.join(self.level_names)})"
            )


def _read_yaml(path: Path) -> object:
    try:
        return load_yaml(path)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise CriteriaDataError(f"{path}: cannot read criteria data: {exc}") from exc


def _describe(exc: ValidationError, raw: object) -> str:
    """Name the entry (criterion/subcriterion id) a validation error is about."""
    first = exc.errors()[0]
    loc = first["loc"]
    entry = raw.get("id", "?") if isinstance(raw, dict) else "?"
    if isinstance(raw, dict) and len(loc) >= 2 and loc[0] in ("subcriteria", "levels"):
        items = raw.get(loc[0]) or []
        if isinstance(loc[1], int) and loc[1] < len(items) and isinstance(items[loc[1]], dict):
            entry = items[loc[1]].get("id") or items[loc[1]].get("name") or f"{loc[0]}[{loc[1]}]"
    where = ".".join(str(p) for p in loc) or "(top level)"
    return f"entry {entry} ({where}): {first['msg']}"


def _parse(model: type[_M], raw: object, path: Path) -> _M:
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise CriteriaDataError(f"{path}: {_describe(exc, raw)}") from exc


def load_catalogue(
    root: Path | None = None, known_probes: Iterable[str] | None = None
) -> Catalogue:
    """Load and validate criteria/ (baselines, one file per criterion, badges.yml).

    With ``known_probes`` every probe named by the data must exist, so a typo in the
    data fails at load time with the file and entry named.
    """
    root = root or data_path("criteria")
    if not root.is_dir():
        raise CriteriaDataError(f"{root}: criteria directory not found")
    baselines: dict[str, Baseline] = {}
    criteria: dict[str, Criterion] = {}
    for baseline_dir in sorted(p for p in root.iterdir() if p.is_dir()):
        meta = baseline_dir / "baseline.yml"
        if not meta.is_file():
            continue
        baseline = _parse(Baseline, _read_yaml(meta), meta)
        baselines[baseline.id] = baseline
        for path in sorted(baseline_dir.glob("*.yml")):
            if path.name == "baseline.yml":
                continue
            raw = _read_yaml(path)
            criterion = _parse(Criterion, raw, path)
            if criterion.baseline != baseline.id:
                raise CriteriaDataError(
                    f"{path}: entry {criterion.id}: baseline '{criterion.baseline}' "
                    f"but the file is under {baseline_dir.name}/ ('{baseline.id}')"
                )
            if criterion.id in criteria:
                raise CriteriaDataError(f"{path}: entry {criterion.id}: criterion defined twice")
            if known_probes is not None:
                for sub in criterion.subcriteria:
                    unknown = [p for p in sub.probes if p not in set(known_probes)]
                    if unknown:
                        raise CriteriaDataError(
                            f"{path}: entry {sub.id}: unknown probe(s) {', '.join(unknown)}"
                        )
            criteria[criterion.id] = criterion
        listed = set(baseline.criteria)
        found = {cid for cid, c in criteria.items() if c.baseline == baseline.id}
        if listed != found:
            missing = ", ".join(sorted(listed - found)) or "-"
            extra = ", ".join(sorted(found - listed)) or "-"
            raise CriteriaDataError(
                f"{meta}: entry {baseline.id}.criteria: listed but without a file: {missing}; "
                f"files not listed: {extra}"
            )
    order = {cid: i for b in baselines.values() for i, cid in enumerate(b.criteria)}
    criteria = dict(sorted(criteria.items(), key=lambda item: order[item[0]]))
    badges_file = root / "badges.yml"
    raw_badges = _read_yaml(badges_file)
    if not isinstance(raw_badges, dict) or PROFILES_KEY not in raw_badges:
        raise CriteriaDataError(
            f"{badges_file}: expected a mapping of badge schemes and '{PROFILES_KEY}'"
        )
    profiles = _parse(Profiles, raw_badges[PROFILES_KEY], badges_file)
    _check_profiles(profiles, criteria, badges_file)
    badges = {
        name: _parse(BadgeScheme, spec, badges_file)
        for name, spec in raw_badges.items()
        if name != PROFILES_KEY
    }
    _check_one_ladder(badges, badges_file)
    for name, scheme in badges.items():
        if scheme.section is not None and scheme.section not in criteria:
            raise CriteriaDataError(
                f"{badges_file}: entry {name}.section: unknown criterion {scheme.section}"
            )
        measured = (
            {s.metric for s in criteria[scheme.section].subcriteria if s.metric}
            if scheme.section
            else set()
        )
        for level in scheme.levels:
            for metric in level.metrics:
                if not any(m == metric or m.startswith(metric + "-") for m in measured):
                    raise CriteriaDataError(
                        f"{badges_file}: entry {name}.{level.name}: no subcriterion of "
                        f"{scheme.section} measures metric {metric}"
                    )
            for cid in level.criteria:
                if cid not in criteria:
                    raise CriteriaDataError(
                        f"{badges_file}: entry {name}.{level.name}: unknown criterion {cid}"
                    )
    return Catalogue(baselines=baselines, criteria=criteria, badges=badges, profiles=profiles)


def _check_profiles(profiles: Profiles, criteria: dict[str, Criterion], badges_file: Path) -> None:
    """A profile lists known criteria, each with subcriteria of its own that sqaaas assesses:
    a decisive subcriterion that is never assessed would leave its criterion never valid."""
    for name, profile in profiles.rules.items():
        for cid, decisive in profile.decisive.items():
            where = f"{badges_file}: entry {PROFILES_KEY}.{name}.decisive.{cid}"
            if cid not in criteria:
                raise CriteriaDataError(f"{where}: unknown criterion {cid}")
            subs = {sub.id: sub for sub in criteria[cid].subcriteria}
            if not decisive or len(set(decisive)) != len(decisive):
                raise CriteriaDataError(f"{where}: list each decisive subcriterion once")
            for sid in decisive:
                if sid not in subs:
                    raise CriteriaDataError(f"{where}: {sid} is not a subcriterion of {cid}")
                if not subs[sid].probes:
                    raise CriteriaDataError(
                        f"{where}: {sid} is not automated, so it could never decide"
                    )


def _check_one_ladder(badges: dict[str, BadgeScheme], badges_file: Path) -> None:
    """Every scheme climbs the same levels in the same order: the level names are one list
    (Catalogue.level_names) that colours, styles, --fail-under and the schema follow."""
    ladders = {name: [lvl.name for lvl in scheme.levels] for name, scheme in badges.items()}
    first_name, first = next(iter(ladders.items()), ("", []))
    for name, ladder in ladders.items():
        if NO_LEVEL in ladder:
            raise CriteriaDataError(
                f"{badges_file}: entry {name}.levels: '{NO_LEVEL}' is the word for no level "
                "reached, not a level name"
            )
        if len(set(ladder)) != len(ladder):
            raise CriteriaDataError(f"{badges_file}: entry {name}.levels: a level is listed twice")
        if ladder != first:
            raise CriteriaDataError(
                f"{badges_file}: entry {name}.levels: {', '.join(ladder)} differ from "
                f"{first_name}'s {', '.join(first)} (every badge scheme climbs the same levels)"
            )


@cache
def default_catalogue() -> Catalogue:
    """The shipped criteria (loaded once). No probe module is imported: reading the catalogue
    (``sqaaas criteria``, badge verification, web pages) stays light; tests check that every
    probe the data names is registered by the probe packages."""
    return load_catalogue()
