"""``python -m scanner`` is the ``cylinder-scan`` command."""

from scanner.cli import main

main()
