"""Where the F-UJI server is and how to log in, without ever taking a password on argv.

The base URL comes from ``--fuji-url`` (or ``$SQAAAS_FUJI_URL``). Credentials come from
``$SQAAAS_FUJI_USERNAME``/``$SQAAAS_FUJI_PASSWORD`` or from ``fuji.yml`` in the sqaaas config
folder, which must not be readable by other users (it holds a password, like ~/.netrc).
A URL carrying ``user:password@`` is refused: it would show in process lists and logs.
"""

from __future__ import annotations

import ipaddress
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sqaaas.acquire import redact_url
from sqaaas.errors import FujiError
from sqaaas.fileio import read_bounded
from sqaaas.paths import default_config_dir
from sqaaas.safeparse import Limits, ParseError, ParseLimitError, load_yaml

URL_ENV = "SQAAAS_FUJI_URL"
USER_ENV = "SQAAAS_FUJI_USERNAME"
PASSWORD_ENV = "SQAAAS_FUJI_PASSWORD"  # nosec B105 (the variable's name, not a password)
CONFIG_FILE = "fuji.yml"
EXAMPLE_URL = "http://127.0.0.1:1071/fuji/api/v1"
_CONFIG_LIMIT = 64 * 1024


@dataclass(frozen=True)
class FujiSettings:
    """A validated server URL, optional Basic credentials and the client's limits."""

    base_url: str
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    credentials_from: str | None = None  # "environment" or the config file, for messages
    connect_timeout: float = 10.0
    read_timeout: float = 300.0
    retries: int = 2  # extra attempts after the first, for transient failures only
    backoff: float = 1.0  # seconds before the first retry, doubled each time
    max_bytes: int = 20 * 1024 * 1024  # largest response accepted

    @property
    def auth(self) -> tuple[str, str] | None:
        if self.username is None or self.password is None:
            return None
        return self.username, self.password

    @property
    def cleartext_credentials(self) -> bool:
        """Whether Basic credentials would cross the network unencrypted (http, not loopback)."""
        parts = urlsplit(self.base_url)
        return self.auth is not None and parts.scheme == "http" and not _loopback(parts.hostname)


class _ConfigFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=256)
    password: str = Field(min_length=1, max_length=1024)


def _loopback(host: str | None) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host or "").is_loopback
    except ValueError:
        return False


def check_base_url(url: str) -> str:
    """The F-UJI API base URL without a trailing slash; refuses anything but plain http(s)."""
    url = url.strip()
    shown = redact_url(url)
    example = f"such as {EXAMPLE_URL}"
    if not url or any(ch.isspace() or ord(ch) < 32 for ch in url):
        raise FujiError(f"F-UJI URL {shown!r} is empty or contains spaces or control characters")
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise FujiError(f"F-UJI URL {shown!r} must be an http(s) URL {example}")
    if parts.username is not None or parts.password is not None:
        raise FujiError(
            f"F-UJI URL {shown!r}: credentials in the URL are refused (they would show in "
            f"process lists and logs); set {USER_ENV} and {PASSWORD_ENV} instead"
        )
    if parts.query or parts.fragment:
        raise FujiError(f"F-UJI URL {shown!r} must not have a query or fragment ({example})")
    try:
        parts.port  # noqa: B018 (validates the port)
    except ValueError:
        raise FujiError(f"F-UJI URL {shown!r} has an invalid port") from None
    return parts._replace(path=parts.path.rstrip("/")).geturl()


def config_path(config_dir: Path | None = None) -> Path:
    return Path(config_dir or default_config_dir()) / CONFIG_FILE


def _read_config(path: Path) -> _ConfigFile | None:
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise FujiError(f"cannot read {path}: {exc.strerror or exc}") from None
    if mode & 0o077:
        raise FujiError(
            f"{path} is accessible to other users (mode {stat.S_IMODE(mode):04o}) and holds the "
            f"F-UJI password: run 'chmod 600 {path}'"
        )
    raw = read_bounded(path, _CONFIG_LIMIT, "F-UJI config", FujiError)
    try:
        data = load_yaml(
            raw.decode("utf-8"), source=str(path), limits=Limits(max_bytes=_CONFIG_LIMIT)
        )
        return _ConfigFile.model_validate(data)
    except ParseLimitError as exc:
        raise FujiError(str(exc)) from None
    except (ParseError, UnicodeDecodeError):
        raise FujiError(f"{path}: not a YAML file") from None
    except ValidationError as exc:
        where = ".".join(str(p) for p in exc.errors()[0]["loc"]) or "top level"
        raise FujiError(
            f"{path}: {where}: {exc.errors()[0]['msg']} (expected 'username:' and 'password:')"
        ) from None


def _credentials(
    env: Mapping[str, str], config_dir: Path | None
) -> tuple[str | None, str | None, str | None]:
    user, password = env.get(USER_ENV) or None, env.get(PASSWORD_ENV) or None
    if user or password:
        if not (user and password):
            missing = PASSWORD_ENV if user else USER_ENV
            raise FujiError(f"{missing} is not set: set both {USER_ENV} and {PASSWORD_ENV}")
        return user, password, "environment"
    path = config_path(config_dir)
    found = _read_config(path)
    if found is None:
        return None, None, None
    return found.username, found.password, str(path)


def load_settings(
    url: str | None,
    *,
    read_timeout: float | None = None,
    env: Mapping[str, str] | None = None,
    config_dir: Path | None = None,
) -> FujiSettings:
    """Settings from the command line's URL (or $SQAAAS_FUJI_URL) and the stored credentials."""
    env = os.environ if env is None else env
    url = url or env.get(URL_ENV)
    if not url:
        raise FujiError(f"no F-UJI server: give --fuji-url ({EXAMPLE_URL}) or set {URL_ENV}")
    if read_timeout is not None and not 0 < read_timeout <= 86400:
        raise FujiError(f"--fuji-timeout {read_timeout:g}: give seconds between 0 and 86400")
    user, password, source = _credentials(env, config_dir)
    return FujiSettings(
        base_url=check_base_url(url),
        username=user,
        password=password,
        credentials_from=source,
        **({"read_timeout": read_timeout} if read_timeout is not None else {}),
    )


def credentials_hint(settings: FujiSettings) -> str:
    """What to do about a 401: where credentials come from, and which ones were refused."""
    if settings.credentials_from is None:
        return (
            f"no credentials were given: set {USER_ENV} and {PASSWORD_ENV}, or write "
            f"'username:' and 'password:' to {config_path()} (mode 0600)"
        )
    return f"the user name and password from {settings.credentials_from} were refused"
