"""QC.Lic: is there an open-source licence, in a file at the root, meeting the OSD, popular?

All four probes read one memoised fact (sqaaas.facts.licences.licence_facts): the licence files are
read and matched once per assessment. ``lic.file_at_root`` also serves QC.Doc06.4. Vendored
third-party files (sqaaas.facts.scope) are judged apart: their licences are reported as left
out, never counted as the project's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqaaas.context import RepoContext
from sqaaas.core.outcomes import Evidence, Finding, Outcome
from sqaaas.core.registry import probe
from sqaaas.facts.licences import (
    LicenceFacts,
    LicenceFile,
    detection_evidence,
    family,
    is_custom,
    licence_data,
    licence_facts,
    licence_name,
    osi_approved,
    osi_source,
)

_ADD_LICENCE = (
    "Add a LICENSE file at the repository root holding the unmodified full text of an "
    "OSI-approved licence (e.g. https://choosealicense.com/licenses/mit/ or "
    "https://spdx.org/licenses/), or with REUSE: `reuse download MIT` for LICENSES/MIT.txt."
)
_PROBLEMS = {  # refused/unreadable files carry their reason in LicenceFile.note
    "unrecognised": "its text is not one of the licences known offline (the choosealicense.com "
    "texts bundled with `identify`, plus the signatures in criteria/licences.yml)",
    "empty": "the file is empty",
}


def _where(lf: LicenceFile) -> str:
    return f" ({lf.note})" if lf.note else ""


def _file_problem(lf: LicenceFile) -> Evidence:
    reason = _PROBLEMS.get(lf.status)
    message = f"{lf.path}: {reason}{_where(lf)}" if reason else f"{lf.path}: {lf.note}"
    return Evidence(message=message, path=lf.path, value=lf.status)


def _vendored(facts: LicenceFacts) -> list[Evidence]:
    """The vendored third-party files left out, said once per probe that judges licences."""
    note = facts.headers.vendored_evidence()
    return [note] if note is not None else []


def _nothing_found(facts: LicenceFacts) -> Evidence:
    return Evidence(
        message="no licence found: no LICENSE/LICENCE/COPYING file at the root, no REUSE "
        f"{licence_data().reuse_dir}/ directory, and no SPDX-License-Identifier in the "
        f"{facts.headers.sampled} sampled files"
    )


@probe("lic.detected")
def detected(ctx: RepoContext) -> Finding:
    """QC.Lic01: a licence with an SPDX id is recognised and the metadata does not contradict it."""
    facts = ctx.fact(licence_facts)
    evidence = [detection_evidence(d) for d in facts.detections]
    reuse_named = {d.path for d in facts.file_detections}  # REUSE files known by their name
    evidence += [_file_problem(lf) for lf in (*facts.root_files, *facts.reuse_files)
                 if lf.status != "matched" and lf.path not in reuse_named]
    evidence += [Evidence(message=f"invalid SPDX-License-Identifier {expr!r}: no SPDX id in it",
                          path=path) for path, expr in facts.headers.invalid[:5]]
    conflicted = {(c.path, c.value) for c in facts.conflicts}
    for decl in facts.declarations:
        if decl.unknown and not decl.terms:
            evidence.append(Evidence(
                message=f"{decl.path} ({decl.field}) {decl.raw!r} names no SPDX licence id: "
                "not compared", path=decl.path, value=decl.raw))
        elif decl.terms and (decl.path, decl.raw) not in conflicted and facts.detections:
            evidence.append(Evidence(
                message=f"{decl.path} ({decl.field}) declares {decl.raw!r}: agrees with the "
                "licence found", path=decl.path, value=decl.raw, failing=False))
    evidence += [Evidence(message=c.message, path=c.path, value=c.value) for c in facts.conflicts]
    evidence += _vendored(facts)
    if facts.conflicts:
        return Finding(
            outcome=Outcome.FAIL, evidence=evidence,
            hint="Make the licence files and the metadata name the same licence: fix the licence "
            "field (an SPDX expression such as 'MIT' or 'Apache-2.0') or the licence file.",
        )
    if any(not is_custom(d.spdx) for d in facts.detections):
        return Finding(outcome=Outcome.PASS, evidence=evidence)
    if not any(e.failing is not False for e in evidence):
        evidence.insert(0, _nothing_found(facts))
    hint = _ADD_LICENCE
    unrecognised = [lf.path for lf in facts.root_files if lf.status == "unrecognised"]
    if unrecognised:
        hint = (f"Put the unmodified text of a standard open-source licence in "
                f"{', '.join(unrecognised)} (https://choosealicense.com, "
                "https://spdx.org/licenses/); if the text was changed on purpose, add a line "
                "`SPDX-License-Identifier: <SPDX id>` naming the licence it follows.")
    return Finding(outcome=Outcome.FAIL, evidence=evidence, hint=hint)


@probe("lic.file_at_root")
def file_at_root(ctx: RepoContext) -> Finding:
    """QC.Lic01.1 and QC.Doc06.4: a licence file (or a REUSE LICENSES/ directory) at the root."""
    facts = ctx.fact(licence_facts)
    usable = ("matched", "unrecognised")
    evidence: list[Evidence] = []
    for lf in facts.root_files:
        if lf.status in usable:
            what = ", ".join(m.spdx for m in lf.matches) or "text not recognised, see QC.Lic01"
            evidence.append(Evidence(
                message=f"licence file at the repository root: {lf.path} ({what}){_where(lf)}",
                path=lf.path, value=lf.path))
    reuse = [lf.path for lf in facts.reuse_files if lf.status in usable]
    if reuse:
        evidence.append(Evidence(
            message=f"REUSE {licence_data().reuse_dir}/ directory at the repository root with "
            f"{len(reuse)} licence file(s)", path=licence_data().reuse_dir, value=reuse))
    ok = bool(evidence)
    evidence += [_file_problem(lf) for lf in (*facts.root_files, *facts.reuse_files)
                 if lf.status not in usable]
    if ok:
        return Finding(outcome=Outcome.PASS, evidence=evidence)
    evidence += [Evidence(message=f"{path} looks like a licence file but is not at the repository "
                          "root, where forges and tools look for it", path=path)
                 for path in facts.elsewhere]
    if not evidence:
        evidence.append(Evidence(
            message="no licence file at the repository root (looked for LICENSE, LICENCE, "
            "COPYING, UNLICENSE with or without .md/.txt/.rst, and a "
            f"{licence_data().reuse_dir}/ directory)"))
    return Finding(outcome=Outcome.FAIL, evidence=evidence, hint=_ADD_LICENCE)


def _named(spdx: str) -> str:
    name = licence_name(spdx)
    return spdx if name == spdx else f"{spdx} ({name})"


@dataclass(frozen=True)
class _Verdict:
    options: tuple[str, ...]
    paths: tuple[str, ...]
    accepted: tuple[str, ...]  # the options meeting the rule
    excused: bool  # a documentation/data licence next to an accepted code licence


def _judge(facts: LicenceFacts, rule: Callable[[str], bool]) -> list[_Verdict]:
    """Apply ``rule`` to every licence found (an OR choice passes when one option does)."""
    grouped: dict[tuple[str, ...], list[str]] = {}
    for d in facts.detections:
        paths = grouped.setdefault(d.options, [])
        if d.path not in paths:
            paths.append(d.path)
    non_code = licence_data().non_code
    code_ok = any(
        rule(o) and family(o) not in non_code for options in grouped for o in options
    )
    verdicts = []
    for options, paths in grouped.items():
        accepted = tuple(o for o in options if rule(o))
        excused = not accepted and code_ok and all(family(o) in non_code for o in options)
        verdicts.append(_Verdict(options, tuple(paths), accepted, excused))
    return verdicts


def _rule_finding(
    facts: LicenceFacts, rule: Callable[[str], bool], yes: str, no: str, source: str, hint: str
) -> Finding:
    if not facts.detections:
        return Finding.failed(
            "no licence detected, so none can be checked (see QC.Lic01)", hint=_ADD_LICENCE
        )
    evidence = []
    failed = False
    for v in _judge(facts, rule):
        shown = " OR ".join(_named(o) for o in v.options)
        if v.accepted:
            verdict = yes
        elif v.excused:
            verdict = f"{no}, but it is a documentation/data licence used next to an accepted " \
                "code licence: not counted"
        else:
            verdict = "a custom licence, not on the SPDX list" if all(
                is_custom(o) for o in v.options) else no
            failed = True
        evidence.append(Evidence(
            message=f"{shown} is {verdict}; found in {', '.join(v.paths)}; source: {source}",
            path=v.paths[0], value=list(v.options) if len(v.options) > 1 else v.options[0]))
    evidence += _vendored(facts)
    if failed:
        return Finding(outcome=Outcome.FAIL, evidence=evidence, hint=hint)
    return Finding(outcome=Outcome.PASS, evidence=evidence)


@probe("lic.osi_approved")
def osi(ctx: RepoContext) -> Finding:
    """QC.Lic02: every licence found is OSI approved (SPDX list flag, offline)."""
    return _rule_finding(
        ctx.fact(licence_facts), osi_approved, "OSI approved", "not OSI approved", osi_source(),
        hint="Release the code under an OSI-approved licence (https://opensource.org/licenses), "
        "replace the licence file with its text, and update the metadata to match.",
    )


@probe("lic.osi_popular")
def popular(ctx: RepoContext) -> Finding:
    """QC.Lic02.1: every licence found is in the OSI's popular / strong-community list."""
    data = licence_data()
    return _rule_finding(
        ctx.fact(licence_facts), lambda spdx: family(spdx) in data.popular,
        "in the OSI popular list", "not in the OSI popular list", data.popular_source,
        hint="Unless your community needs another licence, prefer a widely used one: "
        + ", ".join(data.popular_ids) + ".",
    )
