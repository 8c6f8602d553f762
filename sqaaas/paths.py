"""Where sqaaas keeps its files on this machine: the one place that knows it.

Each kind of directory has a ``$SQAAAS_*_DIR`` override, else follows the XDG base
directory variables, else their documented defaults under the home directory:

========  =====================  ====================  ==============================
kind      override               XDG variable          default
========  =====================  ====================  ==============================
cache     ``$SQAAAS_CACHE_DIR``  ``$XDG_CACHE_HOME``   ``~/.cache/sqaaas``
config    ``$SQAAAS_CONFIG_DIR`` ``$XDG_CONFIG_HOME``  ``~/.config/sqaaas``
data      ``$SQAAAS_DATA_DIR``   ``$XDG_DATA_HOME``    ``~/.local/share/sqaaas``
========  =====================  ====================  ==============================

What goes in them (each named by the module that owns it):

- cache (safe to delete): ``repos/`` clones (``acquire``), ``runs/`` logs and scratch of
  ``sqaaas run`` (``pipelines.run``), ``sandbox/`` test runs (``sandbox.runner``), and the
  ``resultcache`` namespaces (``tool-results/``, ``cff/``).
- config: ``engine.json``, the container engine settings detected by ``sqaaas setup``
  (``platform.containers``), and ``fuji.yml``, the F-UJI credentials (``fuji.settings``).
- data (``sqaaas serve`` and ``sqaaas tokens``): ``sqaaas.sqlite3``, ``keys/`` (the
  service's badge issuer) and ``clones/`` (its clone cache), laid out by ``web.settings``.

Every function reads the environment when called, not at import: tests and the web
service's job processes set these variables at run time. A caller told a directory
explicitly (``--cache-dir``, ``--data-dir``) uses that one instead.
"""

from __future__ import annotations

import os
from pathlib import Path

APP = "sqaaas"


def _user_dir(override: str, xdg: str, *fallback: str) -> Path:
    """``$override`` as is, else ``$xdg/sqaaas``, else ``~/<fallback>/sqaaas``."""
    if env := os.environ.get(override):
        return Path(env)
    base = os.environ.get(xdg) or os.path.join(Path.home(), *fallback)
    return Path(base) / APP


def default_cache_dir() -> Path:
    """Clones, run logs and cached results: ``$SQAAAS_CACHE_DIR``, else ``~/.cache/sqaaas``."""
    return _user_dir("SQAAAS_CACHE_DIR", "XDG_CACHE_HOME", ".cache")


def default_config_dir() -> Path:
    """Per-machine settings: ``$SQAAAS_CONFIG_DIR``, else ``$XDG_CONFIG_HOME/sqaaas``
    (``~/.config/sqaaas``)."""
    return _user_dir("SQAAAS_CONFIG_DIR", "XDG_CONFIG_HOME", ".config")


def default_data_dir() -> Path:
    """Where the database, reports and issuer keys live ($SQAAAS_DATA_DIR or XDG data home)."""
    return _user_dir("SQAAAS_DATA_DIR", "XDG_DATA_HOME", ".local", "share")


def dev_tools_dir() -> Path:
    """npm tools of sqaaas's own test suite (``sqaaas setup --dev``), under the data dir."""
    return default_data_dir() / "dev-tools"
