"""Checkstyle: sqaaas's Java community rule set (criteria/checkstyle.xml), never the
repository's own configuration file.

A Checkstyle configuration names Java classes to load (custom checks), files to read
(suppressions, headers, property files) and where to write a cache, so it is not passed on;
the report names the repository's file so a reader knows it was not used. Inline
suppressions in the code (``// CHECKSTYLE:OFF``, ``@SuppressWarnings("checkstyle:...")``)
are honoured by the rule set itself.
"""

from __future__ import annotations

from sqaaas.datafiles import data_path
from sqaaas.repofs import RepoFS
from sqaaas.tools.configs.base import ToolConfig, Where

RULES = "checkstyle.xml"
#: where Java projects keep their own Checkstyle configuration (Maven, Gradle, IDE plugins)
OWN_CONFIGS = ("checkstyle.xml", "config/checkstyle/checkstyle.xml",
               "config/checkstyle.xml", ".checkstyle", "checkstyle/checkstyle.xml",
               "src/main/config/checkstyle.xml", "build-tools/checkstyle.xml")


def checkstyle_config(fs: RepoFS, where: Where) -> ToolConfig:
    rules = (data_path("criteria") / RULES).read_text(encoding="utf-8")
    own = [name for name in OWN_CONFIGS if fs.is_file(name)]
    notes = [
        f"{name} not used: a Checkstyle configuration loads classes and reads other files, "
        "so sqaaas applies its Java community rule set (criteria/checkstyle.xml); inline "
        "suppressions (CHECKSTYLE:OFF, @SuppressWarnings(\"checkstyle:...\")) are honoured"
        for name in own
    ]
    return ToolConfig(args=["-c", f"{where.cfg}/{RULES}"], files={RULES: rules}, notes=notes)
