"""Cppcheck: which language a ``.h`` file is read in.

Cppcheck reads a ``.h`` file as C, so a C++ header (classes, templates, namespaces) in a
C++ project would be a "syntax error" that the code does not have. When the repository's
C/C++ code is C++ (a ``.cpp``, ``.cc``, ``.cxx``, ``.hpp``... file) every file is read as C++;
when it mixes C and C++ sources, the ``.h`` files are not given on their own but checked
through the sources that include them, in each source's language.
"""

from __future__ import annotations

from posixpath import splitext

from sqaaas.repofs import RepoFS
from sqaaas.tools.configs.base import ToolConfig, Where

CPP_SUFFIXES = frozenset({".cc", ".cpp", ".cxx", ".c++", ".hpp", ".hh", ".hxx", ".h++"})
C_SUFFIXES = frozenset({".c"})


def cppcheck_config(fs: RepoFS, where: Where) -> ToolConfig:
    suffixes = {splitext(entry.name)[1].lower() for entry in fs.files}
    if not suffixes & CPP_SUFFIXES or ".h" not in suffixes:
        return ToolConfig()
    if not suffixes & C_SUFFIXES:
        return ToolConfig(args=["--language=c++"],
                          notes=[".h files read as C++: the repository's C/C++ code is C++"])
    return ToolConfig(
        exclude=("*.h",),
        notes=[".h files checked through the C and C++ sources that include them, in each "
               "source's language (the repository mixes C and C++)"],
    )
