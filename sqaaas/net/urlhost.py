"""The host a URL names, read the way git (curl) and requests (urllib3) read it; or why not.

URL parsers disagree on odd corners: a backslash (a path separator to WHATWG parsers, part
of the user name to ``urlsplit``), several '@' (does the first or the last end the user
info?), an '@' right after a '?' or '#', IPv4 addresses spelt in decimal, octal or hex
(``2130706433``, ``0177.0.0.1``, ``0x7f.1`` all reach 127.0.0.1 through ``inet_aton``),
percent-encoded or non-ASCII host names, and tabs or newlines, which ``urlsplit`` silently
drops while git keeps them. A guard that checks the host one parser sees while git or
requests connects to the host another parser sees guards nothing, so a URL with any of these
is refused here, before any address is looked at.
"""

from __future__ import annotations

import ipaddress
import re

_LABEL = re.compile(r"^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$")
#: a last label that makes inet_aton (and WHATWG) read the whole host as an IPv4 address
_NUMERIC = re.compile(r"^(?:0x[0-9a-f]*|[0-9]+)$")
_DOTTED_QUAD = re.compile(r"^(?:(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\.){3}"
                          r"(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])$")


class AmbiguousURL(ValueError):
    """A URL whose host parsers could read differently, or that has no usable host."""


def url_host(url: str) -> str:
    """The host ``url`` names: lower case, an IPv6 address without its brackets.

    AmbiguousURL says why when git and requests might not agree on it (see the module
    docstring), or when there is no host at all.
    """
    if any(ord(ch) < 0x21 or ord(ch) == 0x7F for ch in url):
        raise AmbiguousURL("it contains spaces or control characters")
    if "\\" in url:
        raise AmbiguousURL("it contains a backslash (some parsers read it as '/', others not)")
    _, separator, rest = url.partition("://")
    if not separator:
        raise AmbiguousURL("it has no scheme://host part")
    end = next((i for i, ch in enumerate(rest) if ch in "/?#"), len(rest))
    authority, tail = rest[:end], rest[end:]
    if tail[:1] in ("?", "#") and "@" in tail.split("/", 1)[0]:
        raise AmbiguousURL("an '@' follows a '?' or '#' in the host part")
    if authority.count("@") > 1:
        raise AmbiguousURL("it has more than one '@' (which one ends the user name?)")
    hostport = authority.rpartition("@")[2]
    return _host(hostport)


def _host(hostport: str) -> str:
    if hostport.startswith("["):
        literal, bracket, port = hostport[1:].partition("]")
        if not bracket:
            raise AmbiguousURL("an IPv6 address without its closing ']'")
        _check_port(port)
        try:
            if "%" in literal:
                raise ValueError("zone")
            ipaddress.IPv6Address(literal)
        except ValueError:
            raise AmbiguousURL(f"'[{literal}]' is not an IPv6 address (or has a zone)") from None
        return literal.lower()
    host, colon, port = hostport.partition(":")
    if colon:
        _check_port(":" + port)
    return _name(host)


def _check_port(text: str) -> None:
    """Nothing, or ':' and a port number (empty: the default port, as curl reads it)."""
    if not text:
        return
    if not text.startswith(":") or not re.fullmatch(r"[0-9]{0,5}", text[1:]):
        raise AmbiguousURL(f"'{text}' is not a port")
    if text[1:] and not 0 < int(text[1:]) < 65536:
        raise AmbiguousURL(f"port {text[1:]} is out of range")


def _name(host: str) -> str:
    if not host:
        raise AmbiguousURL("it names no host")
    if not host.isascii():
        raise AmbiguousURL("the host name is not ASCII: give its xn-- (punycode) form")
    if "%" in host:
        raise AmbiguousURL("the host name is percent-encoded")
    host = host.lower()
    labels = host.removesuffix(".").split(".")
    if _NUMERIC.match(labels[-1]):
        if not _DOTTED_QUAD.match(host):
            raise AmbiguousURL(
                f"'{host}' spells an IPv4 address in a form parsers read differently "
                "(decimal, octal or hex parts): write it as four decimal numbers a.b.c.d"
            )
        return host
    if not all(_LABEL.match(label) for label in labels):
        raise AmbiguousURL(f"'{host}' is not a valid host name")
    return host
