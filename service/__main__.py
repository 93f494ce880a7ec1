"""``python -m service`` is the ``cylinders`` command."""

from service.cli import main

main()
