"""The revocation list a badge is checked against when the verifier names none: the one its
credential names (``credentialStatus``), found offline when possible.

A verification that skips the list would call a revoked badge valid, so ``badge verify``
looks for the list itself: first the ``revocations.json`` published beside the ``--trust``
key set (an issuer publishes its files together: sqaaas/badges/issuer.py), when that file
says it is the list the credential names; otherwise the list is fetched from the URL the
credential names, a bounded request (sqaaas/badges/fetch.py). Either way the answer is a
RevocationList, or RevocationListError saying why revocation could not be checked.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from sqaaas.badges.errors import RevocationListError
from sqaaas.badges.revocation import REVOCATIONS_FILE, RevocationList, load_list


@dataclass(frozen=True)
class StatusLookup:
    """Finds the list a credential names: beside ``trust``, else over the network."""

    trust: Path | None = None
    ca_file: str | None = None

    def __call__(self, list_url: str) -> RevocationList:
        return self.beside_trust(list_url) or load_list(list_url, ca_file=self.ca_file)

    def beside_trust(self, list_url: str) -> RevocationList | None:
        """The revocations.json next to the trusted key set, if it is the list named."""
        if self.trust is None:
            return None
        path = self.trust.parent / REVOCATIONS_FILE
        if not path.is_file():
            return None
        try:
            found = load_list(str(path))
        except RevocationListError:  # not a list: the network copy is the one to check
            return None
        if found.list_id != list_url:
            return None
        return replace(found, source=f"{path} (beside --trust)")
