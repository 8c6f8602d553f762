"""Errors of the badge subsystem; the CLI shows them as one line and exits with code 2."""

from sqaaas.errors import SqaaasError


class BadgeFormatError(SqaaasError):
    """A badge image cannot be made or read: bad level or text, unsafe input, re-baking."""


class BadgeKeyError(SqaaasError):
    """A key folder or trusted key set is missing, unreadable, unsafe or malformed."""


class BadgeIssueError(SqaaasError):
    """A badge cannot be issued: the report is invalid or inconsistent, or its level is none."""


class RevocationListError(SqaaasError):
    """A revocation list cannot be read, fetched or updated."""


class BadgeReportError(SqaaasError):
    """A report given to issue or check a badge is unreadable, invalid or inconsistent."""
