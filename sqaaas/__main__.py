"""``python -m sqaaas``: the same as the ``sqaaas`` command."""

from sqaaas.cli import main

main()
