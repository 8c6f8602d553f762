"""The badge issuer of a scaled-out service, shared through the database.

Every node keeps the issuer's files in its own data directory (its keys, the public files
and those of former issuers), where the badge code reads and writes them; the database
holds the copy they all agree on. The first web node to start makes the keys and stores
them; every other node (web or worker) takes those. A revocation or a badge's public
documents are stored at once, and a web node serving an issuer file reads it from the
database first, so any web node serves the current revocation list and any worker signs
with the same key.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path, PurePosixPath

from sqaaas.badges.issuer import Issuer, bound_issuer, previous_dir
from sqaaas.badges.keys import ED25519_FILE
from sqaaas.fileio import write_atomic
from sqaaas.web.settings import WebSettings
from sqaaas.web.store import Store

_PRIVATE_SUFFIX = ".pem"


class SharedIssuer:
    """The issuer files of a data directory (the key folder, the publish folder and the
    files of former issuers) kept equal to the database's copy."""

    def __init__(self, store: Store, settings: WebSettings) -> None:
        self.store = store
        self.root = settings.data_dir
        self.keys = settings.keys_dir
        self.public = settings.publish_dir
        self.folders = tuple(
            p.relative_to(self.root).as_posix()
            for p in (self.keys, self.public, previous_dir(self.public))
        )

    def relative(self, path: Path) -> str:
        """``path`` as the database names it (relative POSIX path under the data dir)."""
        return path.resolve().relative_to(self.root.resolve()).as_posix()

    def local(self) -> dict[str, bytes]:
        """Every issuer file of the data directory: relative POSIX path -> content."""
        found = {}
        for folder in self.folders:
            base = self.root / folder
            if base.is_dir():
                found |= {path.relative_to(self.root).as_posix(): path.read_bytes()
                          for path in sorted(base.rglob("*")) if path.is_file()}
        return found

    def _write(self, relative: str, content: bytes) -> None:
        parts = PurePosixPath(relative).parts
        if (not parts or ".." in parts or PurePosixPath(relative).is_absolute()
                or parts[0] not in self.folders or len(parts) < 2):
            return  # never outside the issuer's folders, whatever the database holds
        path = self.root.joinpath(*parts)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        write_atomic(path, content, mode=0o600 if relative.endswith(_PRIVATE_SUFFIX) else 0o644)

    def pull(self) -> bool:
        """Write the database's copy into the data directory; False when it holds none yet."""
        stored = self.store.issuer_files()
        for relative, content in stored.items():
            self._write(relative, content)
        return bool(stored)

    def push(self, paths: list[Path]) -> None:
        """Store these files (what one badge or revocation just wrote)."""
        for path in paths:
            if path.is_file():
                self.store.put_issuer_file(self.relative(path), path.read_bytes())

    def push_changed(self) -> None:
        """Store the issuer files that differ from the database's copy."""
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
        key = self.relative(self.keys / ED25519_FILE)
        if stored.get(key) != self.local().get(key):
            self.pull()  # another node stored its keys first: use those
            ensure_keys()
        self.push_changed()

    def signing_issuer(self, name: str) -> Issuer | None:
        """The issuer badges are signed as (the stored profile's URL, called ``name``);
        None before any web node made it."""
        if not (self.keys / ED25519_FILE).is_file() and not self.pull():
            return None
        profile_id = bound_issuer(self.public)
        found = Issuer.from_profile_id(profile_id) if profile_id else None
        return Issuer.from_url(found.base, name) if found else None
