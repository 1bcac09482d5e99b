"""``alliance export-schemas``: the events' JSON Schemas and the AsyncAPI document."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from alliance.cli.console import console


def export_schemas(
    check: Annotated[bool, typer.Option("--check", help="Fail if the committed exports are stale")] = False,
) -> None:
    """Write the JSON Schemas of the events and the AsyncAPI document to schemas/export."""
    from schemas.export import EXPORT_DIR, rendered_exports, write_exports

    if check:
        stale = [
            p
            for p, text in rendered_exports().items()
            if not (EXPORT_DIR / p).exists() or (EXPORT_DIR / p).read_text(encoding="utf-8") != text
        ]
        if stale:
            console.print(f"[red]Stale exports:[/red] {', '.join(stale)} — run `alliance export-schemas`")
            raise typer.Exit(1)
        console.print("Exports are current.")
        return
    for path in write_exports():
        console.print(f"wrote {os.path.relpath(path)}")
