"""Bounded, total parsers for the YAML, TOML, JSON and XML that sqaaas does not control.

Every file of an assessed repository, every uploaded spec or profile and every document a
service sends is read through these loaders: each checks the size first, bounds nesting,
values, YAML alias expansion and integer length, and turns every failure into one
:class:`ParseError` (:class:`ParseLimitError` when a bound was hit) whose message names the
file and the limit. A probe that meets one reports an ``error`` outcome with that message;
the parse itself takes at most seconds and a bounded amount of memory.

sqaaas' own data files (criteria/, via sqaaas.datafiles) keep PyYAML's fast loader.
"""

from sqaaas.safeparse.bounds import DEFAULT_LIMITS, Limits, ParseError, ParseLimitError
from sqaaas.safeparse.files import read_document
from sqaaas.safeparse.jsondoc import load_json
from sqaaas.safeparse.tomldoc import load_toml
from sqaaas.safeparse.xmldoc import load_xml
from sqaaas.safeparse.yamldoc import BoundedLoader, load_yaml, load_yaml_document

__all__ = [
    "DEFAULT_LIMITS",
    "BoundedLoader",
    "Limits",
    "ParseError",
    "ParseLimitError",
    "load_json",
    "load_toml",
    "load_xml",
    "load_yaml",
    "load_yaml_document",
    "read_document",
]
