"""The ``alliance`` command: start the platform, import files, rebuild views, export contracts."""

from __future__ import annotations

import typer

from alliance.cli import dead_letters, imports, rebuild, schemas, serve, tokens, topics, worker

app = typer.Typer(
    help="Innovation alliance platform for welfare technology (Innlandet).", no_args_is_help=True
)
app.command()(serve.up)
app.command("import")(imports.import_events)
app.command("import-alarms")(imports.import_alarms)
app.command("import-ocds")(imports.import_ocds)
app.command()(rebuild.rebuild)
app.command()(worker.worker)
app.command("export-schemas")(schemas.export_schemas)
app.add_typer(dead_letters.app, name="dead-letters")
app.add_typer(tokens.app, name="token")
app.add_typer(topics.app, name="topics")
