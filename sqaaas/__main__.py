"""``python -m sqaaas``: the same as the ``sqaaas`` command.

``python -m`` puts the working directory first on ``sys.path``. Run inside an assessed
repository, its ``yaml.py`` or ``git.py`` would then be imported by sqaaas itself in place
of the real module, so that entry goes before anything else is imported (the ``sqaaas``
console script never has it).
"""

import os
import sys

if sys.path and sys.path[0] in ("", os.getcwd()):
    del sys.path[0]

from sqaaas.cli import main

main()
