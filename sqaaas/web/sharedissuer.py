"""The badge issuer of a scaled-out service, shared through the database.

Every node keeps the issuer's files in its own data directory, where the badge code reads
and writes them; the database holds the copy they all agree on. The first web node to start
makes the keys and stores them; every other node (web or worker) takes those. A revocation
is stored at once, and a web node serving an issuer file reads it from the database first,
so any web node serves the current revocation list and any worker signs with the same key.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path, PurePosixPath

from sqaaas.badges.issuer import Issuer, bound_issuer
from sqaaas.badges.keys import ED25519_FILE
from sqaaas.fileio import write_atomic
from sqaaas.web.store import Store

_PRIVATE_SUFFIX = ".pem"


class SharedIssuer:
    """The issuer files under ``keydir`` kept equal to the database's copy."""

    def __init__(self, store: Store, keydir: Path) -> None:
        self.store = store
        self.keydir = keydir

    def local(self) -> dict[str, bytes]:
        """Every file of the key folder: relative POSIX path -> content."""
        if not self.keydir.is_dir():
            return {}
        return {
            path.relative_to(self.keydir).as_posix(): path.read_bytes()
            for path in sorted(self.keydir.rglob("*"))
            if path.is_file()
        }

    def _write(self, relative: str, content: bytes) -> None:
        parts = PurePosixPath(relative).parts
        if not parts or ".." in parts or PurePosixPath(relative).is_absolute():
            return  # never outside the key folder, whatever the database holds
        path = self.keydir.joinpath(*parts)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        write_atomic(path, content, mode=0o600 if relative.endswith(_PRIVATE_SUFFIX) else 0o644)

    def pull(self) -> bool:
        """Write the database's copy into the key folder; False when it holds none yet."""
        stored = self.store.issuer_files()
        for relative, content in stored.items():
            self._write(relative, content)
        return bool(stored)

    def push_changed(self) -> None:
        """Store the files of the key folder that differ from the database's copy."""
        stored = self.store.issuer_files()
        for relative, content in self.local().items():
            if stored.get(relative) != content:
                self.store.put_issuer_file(relative, content)

    def refresh(self, relative: str) -> None:
        """Take one file from the database (before a web node serves it)."""
        content = self.store.issuer_files().get(relative)
        if content is not None:
            self._write(relative, content)

    def start_web(self, ensure_keys: Callable[[], None]) -> None:
        """At a web node's start: take the stored issuer, or make and store it if none is
        (``ensure_keys`` publishes the files for this node's URL); a node that lost the race
        to make it takes the winner's."""
        self.pull()
        ensure_keys()
        if self.store.offer_issuer_files(self.local()):
            return
        stored = self.store.issuer_files()
        if stored.get(ED25519_FILE) != self.local().get(ED25519_FILE):
            self.pull()  # another node stored its keys first: use those
            ensure_keys()
        self.push_changed()

    def signing_issuer(self, name: str) -> Issuer | None:
        """The issuer badges are signed as (the stored profile's URL, called ``name``);
        None before any web node made it."""
        if not (self.keydir / ED25519_FILE).is_file() and not self.pull():
            return None
        profile_id = bound_issuer(self.keydir)
        found = Issuer.from_profile_id(profile_id) if profile_id else None
        return Issuer.from_url(found.base, name) if found else None
