"""``alliance import``, ``import-alarms`` and ``import-ocds``: run an importer, render its summary."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from alliance.cli.console import console, progress_bar
from alliance.cli.options import DataDir, opened_platform

if TYPE_CHECKING:
    from alliance.bootstrap import Platform
    from alliance.importers.base import Importer, Reason, Summary

OUTCOMES = ("accepted", "duplicate", "refused", "conflict")
REASONS_PER_EXAMPLE = 5


def import_events(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="JSON Lines or CSV of events")],
    data_dir: DataDir = None,
) -> None:
    """Import events from a file: progress bar, then a summary of what was accepted and refused."""
    from alliance.importers.events import EventImport

    with opened_platform(data_dir) as platform:
        summary = _run(EventImport(file, platform.ingest, platform.audit), platform)
    console.print(_outcomes(summary, f"Import of {file.name}", "events"))
    _show_refusals(summary, "field", "events")
    if summary.failed:
        raise typer.Exit(1)


def import_alarms(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="Monthly CSV export")],
    data_dir: DataDir = None,
) -> None:
    """Import an alarm platform's monthly CSV export (columns in the README); exit 1 on refusals."""
    from alliance.importers.alarms import AlarmImport, MissingColumns

    with opened_platform(data_dir) as platform:
        try:
            summary = _run(AlarmImport(file, platform.ingest, platform.audit), platform)
        except MissingColumns as missing:
            console.print(f"[red]Missing columns:[/red] {missing} — nothing was imported")
            raise typer.Exit(2) from None
    console.print(_outcomes(summary, f"Import of {file.name}", "rows"))
    _show_refusals(summary, "column", "rows")
    if summary.failed:
        raise typer.Exit(1)


def import_ocds(
    path: Annotated[
        Path,
        typer.Argument(
            exists=True, help="A release package (.json), a directory of them, or JSON Lines of releases"
        ),
    ],
    data_dir: DataDir = None,
) -> None:
    """Import OCDS releases: progress bar, then a summary; exit 1 if anything was refused."""
    from alliance.importers.ocds import OcdsImport

    with opened_platform(data_dir) as platform:
        summary = _run(OcdsImport(path, platform.procurement_ingest, platform.audit), platform)
        records = len(platform.procurement_queries.records())
    table = Table(title=f"OCDS import of {path.name}")
    table.add_column("")
    table.add_column("count", justify="right")
    for label, count in (
        ("files", summary.files),
        ("releases accepted", summary.counts["accepted"]),
        ("releases refused", summary.counts["refused"]),
        ("personal-data fields removed", summary.removed),
        ("procurement records now", records),
    ):
        table.add_row(label, str(count))
    console.print(table)
    _show_refusals(summary, "path", "refusals")
    if not summary.files:
        console.print("[red]No OCDS files found[/red] (.json, .jsonl or .ndjson)")
    if not summary.files or summary.failed:
        raise typer.Exit(1)


def _run(importer: Importer, platform: Platform) -> Summary:
    """Run ``importer`` behind a progress bar, then process what it published (embedded shape)."""
    description = f"Importing {importer.path.name}"
    in_bytes = importer.progress_unit == "bytes"
    with progress_bar(description, importer.progress_total(), in_bytes=in_bytes) as advance:
        summary = importer.run(advance)
    if platform.settings.shape == "embedded":
        platform.drain()
    return summary


def _outcomes(summary: Summary, title: str, unit: str) -> Table:
    """How many ``unit`` (events, rows) had each outcome."""
    table = Table(title=title)
    table.add_column("outcome")
    table.add_column(unit, justify="right")
    for outcome in OUTCOMES:
        table.add_row(outcome, str(summary.counts[outcome]))
    return table


def _show_refusals(summary: Summary, place: str, counted: str) -> None:
    """The refusals by ``place`` (field, column, path) and rule, then the first refused items."""
    if not summary.reasons:
        return
    table = Table(title=f"Refusals by {place} and rule")
    for column in (place, "rule", counted):
        table.add_column(column)
    for (where, rule), count in summary.reasons.most_common():
        table.add_row(where, rule, str(count))
    console.print(table)
    for location, reasons in summary.examples:
        console.print(f"  {location}: {_example(reasons)}")


def _example(reasons: list[Reason]) -> str:
    text = "; ".join(f"{r.where}: {r.rule}" for r in reasons[:REASONS_PER_EXAMPLE])
    return text + (" ..." if len(reasons) > REASONS_PER_EXAMPLE else "")
