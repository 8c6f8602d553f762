"""Exceptions that the CLI turns into a one-line message and exit code 2."""


class SqaaasError(Exception):
    """A user-facing error: bad input, unreachable repository, broken data or config."""


class CriteriaDataError(SqaaasError):
    """The criteria data shipped in criteria/ (or a user's override) is invalid."""


class ConfigError(SqaaasError):
    """The assessed repository's .sqaaas.yml or [tool.sqaaas] is invalid."""


class AcquireError(SqaaasError):
    """The repository could not be read or cloned, or the request was refused as unsafe."""


class FujiError(SqaaasError):
    """An F-UJI server could not be used: settings, credentials, HTTP or response errors."""
