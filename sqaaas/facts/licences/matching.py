"""Recognising which licence a text holds, offline.

The text is compared with the choosealicense.com texts bundled with `identify` (normalised,
then exact match, then ukkonen edit distance within 5 %, skipped when lengths differ by more
than that, as `identify.identify.license_id` does). That function opens paths itself, which
would bypass RepoFS (symlink refusal, size caps), so the matcher here takes text. Licences
the bundle lacks (CeCILL) are recognised by distinctive phrases kept in criteria/licences.yml.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

import ukkonen
from identify.vendor.licenses import LICENSES as BUNDLED_TEXTS

from sqaaas.facts.licences.data import licence_data
from sqaaas.facts.licences.text import normalise


@cache
def _corpus() -> tuple[tuple[str, str], ...]:
    return tuple((spdx, normalise(text)) for spdx, text in BUNDLED_TEXTS)


@dataclass(frozen=True)
class Match:
    """A licence recognised in a text, and how (shown as evidence)."""

    spdx: str
    how: str


def match_text(text: str) -> Match | None:
    """Recognise the licence a text holds: exact, edit distance, signature, then partial."""
    norm = normalise(text)
    if not norm:
        return None
    corpus = _corpus()
    for spdx, ref in corpus:
        if norm == ref:
            return Match(spdx, "exact text (after normalising whitespace and copyright lines)")
    data = licence_data()
    ratio = data.limits["edit_distance_ratio"]
    cutoff = math.ceil(ratio * len(norm))
    best: tuple[int, str] | None = None
    for spdx, ref in corpus:
        if abs(len(norm) - len(ref)) / len(norm) > ratio:
            continue  # lengths too different: the distance cannot be small
        distance = ukkonen.distance(norm, ref, cutoff)
        # pylint: disable-next=unsubscriptable-object  # a tuple once set; pylint loses it
        if distance < cutoff and (best is None or distance < best[0]):
            best = (distance, spdx)
    if best is not None:
        pct = 100 * best[0] / len(norm)
        return Match(best[1], f"edit distance {best[0]} characters ({pct:.1f} %) to its text")
    for sig in data.signatures:
        if all(p.search(norm) for p in sig.phrases):
            return Match(sig.spdx, f"signature: all {len(sig.phrases)} distinctive phrases of "
                         f"the {sig.language} text ({sig.source})")
    return _partial_match(norm, ratio, data.limits["partial_min_ratio"])


def _partial_match(norm: str, ratio: float, min_kept: float) -> Match | None:
    """A reference text followed by other text, or a reference text cut short at its end."""
    best: tuple[float, str, str] | None = None
    for spdx, ref in _corpus():
        if len(norm) > len(ref):
            ours, theirs = norm[: len(ref)], ref
            extra = len(norm) - len(ref)
            how = f"the file starts with this licence, then has {extra} more characters"
        elif len(norm) >= min_kept * len(ref):
            ours, theirs = norm, ref[: len(norm)]
            how = f"the file holds the first {100 * len(norm) / len(ref):.0f} % of this licence"
        else:
            continue
        cutoff = math.ceil(ratio * len(theirs))
        distance = ukkonen.distance(ours, theirs, cutoff)
        # pylint: disable-next=unsubscriptable-object  # a tuple once set; pylint loses it
        if distance < cutoff and (best is None or distance / len(theirs) < best[0]):
            best = (distance / len(theirs), spdx, how)
    if best is None:
        return None
    return Match(best[1], f"{best[2]} (edit distance {100 * best[0]:.1f} %)")

