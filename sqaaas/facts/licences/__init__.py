"""Which licences a repository carries, found offline from text (QC.Lic).

Licence files are recognised from their TEXT, never from their names (:mod:`.matching`).
Also gathered: REUSE ``LICENSES/<id>.txt`` files and ``SPDX-License-Identifier`` headers in
a bounded sample of files (:mod:`.sources`), and the licence declared in package metadata
(:mod:`.declarations`), so that a licence file contradicting the metadata is caught. SPDX
ids and expressions are handled in :mod:`.spdx`, the data of criteria/licences.yml in
:mod:`.data`. Everything is computed once per assessment (:func:`licence_facts`, used
through ``ctx.fact``).
"""

from sqaaas.facts.licences.data import LicenceData, Signature, licence_data
from sqaaas.facts.licences.declarations import Declaration, declared_licences
from sqaaas.facts.licences.facts import Conflict, LicenceFacts, licence_facts
from sqaaas.facts.licences.matching import Match, match_text
from sqaaas.facts.licences.sources import (
    Detection,
    HeaderScan,
    LicenceFile,
    detection_evidence,
    is_licence_name,
)
from sqaaas.facts.licences.spdx import (
    agrees,
    canonical_id,
    expression_terms,
    family,
    is_custom,
    licence_name,
    osi_approved,
    osi_source,
)
from sqaaas.facts.licences.text import normalise

__all__ = [
    "Conflict",
    "Declaration",
    "Detection",
    "HeaderScan",
    "LicenceData",
    "LicenceFacts",
    "LicenceFile",
    "Match",
    "Signature",
    "agrees",
    "canonical_id",
    "declared_licences",
    "detection_evidence",
    "expression_terms",
    "family",
    "is_custom",
    "is_licence_name",
    "licence_data",
    "licence_facts",
    "licence_name",
    "match_text",
    "normalise",
    "osi_approved",
    "osi_source",
]
