"""``python -m alliance.cli``: the ``alliance`` command."""

from alliance.cli.main import app

app()
