"""Which remote URLs point at a public forge (used by QC.Acc01 and later by the web service)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

#: Public forges whose repositories are anonymously readable when public.
PUBLIC_FORGES = frozenset(
    {
        "github.com",
        "gitlab.com",
        "codeberg.org",
        "bitbucket.org",
        "sourceforge.net",
        "framagit.org",
        "salsa.debian.org",
        "gitlab.gnome.org",
        "invent.kde.org",
        "git.sr.ht",
        "gitee.com",
        "gitlab.eclipse.org",
        "gitlab.cern.ch",
        "gitlab.in2p3.fr",
        "gitlab.inria.fr",
        "gitlab.ebi.ac.uk",
        "code.europa.eu",
        "gitlab.eosc-synergy.eu",
    }
)
_SCP_LIKE = re.compile(r"^[^@/]+@(?P<host>[^:/]+):")


def host_of(url: str) -> str | None:
    if m := _SCP_LIKE.match(url):
        return m.group("host").lower()
    return (urlsplit(url).hostname or "").lower() or None


def is_https(url: str) -> bool:
    return urlsplit(url).scheme.lower() == "https"


def is_public_forge(host: str | None, extra: list[str] | tuple[str, ...] = ()) -> bool:
    return bool(host) and (host in PUBLIC_FORGES or host in {h.lower() for h in extra})


def web_url(url: str) -> str | None:
    """Browsable https URL of a forge remote (ssh/scp forms converted), without .git."""
    host = host_of(url)
    if not host:
        return None
    if m := _SCP_LIKE.match(url):
        path, scheme, port = url[m.end():], "https", None
    else:
        parts = urlsplit(url)
        path = parts.path
        # an http(s) remote keeps its scheme and port (a self-hosted forge on :8443 or
        # plain http inside a lab); ssh/git remotes are browsed over https on the default port
        scheme = parts.scheme if parts.scheme in ("http", "https") else "https"
        port = parts.port if parts.scheme in ("http", "https") else None
    path = path.strip("/").removesuffix(".git")
    netloc = f"{host}:{port}" if port else host
    return f"{scheme}://{netloc}/{path}" if path else None
