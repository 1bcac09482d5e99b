"""The command line (Typer and rich): the one place in ``alliance`` that parses arguments and prints.

One module per command group; :mod:`.main` joins them into :data:`app`, the ``alliance``
console script (``python -m alliance.cli`` runs the same).
"""

from alliance.cli.main import app

__all__ = ["app"]
