"""rstcheck: its ignore lists from ``.rstcheck.cfg``, pyproject.toml or setup.cfg, and a
docutils configuration of our own.

docutils reads ``docutils.conf`` from the working directory, whose settings can name files
to write (``warning_stream``, ``record_dependencies``...); its ``raw``, ``include`` and
``csv-table`` directives read files and fetch URLs. The repository's docutils.conf is
therefore never read (``DOCUTILSCONFIG`` names ours) and ours turns file insertion off.
"""

from __future__ import annotations

import configparser
import io

from sqaaas.repofs import RepoFS
from sqaaas.tools.configs.base import (
    NOT_ALLOWED,
    READS_FILES,
    ToolConfig,
    Where,
    as_list,
    ini_section,
    tool_table,
)

ALLOWED = frozenset({"report_level", "ignore_directives", "ignore_roles", "ignore_substitutions",
                     "ignore_languages", "ignore_messages", "warn_unknown_settings"})
REFUSED = {"sphinx_source_dir": READS_FILES}
#: no file or URL is read by a directive: raw/include/csv-table with :file: or :url: warn
DOCUTILS_CONF = "[general]\nfile_insertion_enabled: no\n"


def _found(fs: RepoFS) -> tuple[str, dict[str, object]] | None:
    """The configuration rstcheck itself would pick in the repository's root, in its order."""
    if (section := ini_section(fs, ".rstcheck.cfg", "rstcheck")) is not None:
        return ".rstcheck.cfg [rstcheck]", dict(section)
    if (table := tool_table(fs, "rstcheck")) is not None:
        return "pyproject.toml [tool.rstcheck]", table
    if (section := ini_section(fs, "setup.cfg", "rstcheck")) is not None:
        return "setup.cfg [rstcheck]", dict(section)
    return None


def rstcheck_config(fs: RepoFS, where: Where) -> ToolConfig:
    config = ToolConfig(
        args=["--config", f"{where.cfg}/rstcheck.cfg"],
        env={"DOCUTILSCONFIG": f"{where.cfg}/docutils.conf"},
    )
    config.files["docutils.conf"] = DOCUTILS_CONF
    if fs.is_file("docutils.conf"):
        config.refuse("docutils.conf", "(whole file)", "docutils settings can name files to "
                      "write and read; sqaaas checks with its own")
    ini = configparser.ConfigParser(interpolation=None)
    ini["rstcheck"] = {}
    if (found := _found(fs)) is not None:
        label, options = found
        config.used(label.split(" ")[0])
        for key, value in options.items():
            name = key.replace("-", "_")
            if name in REFUSED:
                config.refuse(label, key, REFUSED[name])
            elif name not in ALLOWED:
                config.refuse(label, key, NOT_ALLOWED)
            elif isinstance(value, list):
                ini["rstcheck"][name] = ",".join(as_list(value))
            else:
                ini["rstcheck"][name] = str(value)
    buffer = io.StringIO()
    ini.write(buffer)
    config.files["rstcheck.cfg"] = buffer.getvalue()
    return config
