"""``alliance import``, ``import-alarms`` and ``import-ocds``: import a file, print a summary."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from alliance.cli.console import console, progress_bar
from alliance.cli.options import DataDir, opened_platform

if TYPE_CHECKING:
    from alliance.bootstrap import Platform
    from services.governance.audit import AuditHook

IMPORT_BATCH = 1000


def import_events(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="JSON Lines or CSV of events")],
    data_dir: DataDir = None,
) -> None:
    """Import events from a file: progress bar, then a summary of what was accepted and refused."""
    from alliance.importing import count_lines, read_events
    from schemas.parsing import FieldError
    from services.governance.audit import Actor, AuditItem
    from services.intake.events import IngestResult

    outcomes: Counter[str] = Counter()
    reasons: Counter[tuple[str, str]] = Counter()
    examples: list[tuple[int, str]] = []

    # The import is a write like any other: audited, with the local operator as the actor.
    actor = Actor(None, "local-import", client_id=f"alliance import {file.name}"[:200])

    with opened_platform(data_dir) as platform:

        def tally(lines: list[int], results: list[IngestResult]) -> None:
            items = [AuditItem(r.event_id, r.outcome, tuple(e.rule for e in r.errors)) for r in results]
            if platform.audit is not None:
                platform.audit.record(actor, "events.import", 200, items)
            for line, result in zip(lines, results, strict=True):
                outcomes[result.outcome] += 1
                for error in result.errors:
                    reasons[(error.field, error.rule)] += 1
                if result.errors and len(examples) < 20:
                    examples.append((line, "; ".join(f"{e.field}: {e.rule}" for e in result.errors)))

        with progress_bar(f"Importing {file.name}", count_lines(file)) as advance:
            batch, lines = [], []
            for item in read_events(file):
                if item.error:
                    tally([item.line], [IngestResult(0, "refused", None, [FieldError("$", item.error, "")])])
                    advance(1)
                    continue
                batch.append(item.value)
                lines.append(item.line)
                if len(batch) >= IMPORT_BATCH:
                    tally(lines, platform.ingest.submit(batch, "import"))
                    advance(len(batch))
                    batch, lines = [], []
            if batch:
                tally(lines, platform.ingest.submit(batch, "import"))
                advance(len(batch))
        if platform.settings.shape == "embedded":
            platform.drain()

    table = Table(title=f"Import of {file.name}")
    table.add_column("outcome")
    table.add_column("events", justify="right")
    for outcome in ("accepted", "duplicate", "refused", "conflict"):
        table.add_row(outcome, str(outcomes[outcome]))
    console.print(table)
    if reasons:
        why = Table(title="Refusals by field and rule")
        for column in ("field", "rule", "events"):
            why.add_column(column)
        for (field, rule), count in reasons.most_common():
            why.add_row(field, rule, str(count))
        console.print(why)
        for line, text in examples:
            console.print(f"  line {line}: {text}")
    if outcomes["refused"] or outcomes["conflict"]:
        raise typer.Exit(1)


def _audit_hook(platform: Platform, action: str, path: Path) -> AuditHook:
    """Audits a file import batch by batch, with the local operator as the actor."""
    from services.governance.audit import Actor, AuditItem

    actor = Actor(None, "local-import", client_id=f"alliance import {path.name}"[:200])

    def record(items: list[AuditItem]) -> None:
        if platform.audit is not None and items:
            platform.audit.record(actor, action, 200, items)

    return record


def import_alarms(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="Monthly CSV export")],
    data_dir: DataDir = None,
) -> None:
    """Import an alarm platform's monthly CSV export (columns in the README); exit 1 on refusals."""
    from alliance.alarm_import import MissingColumns, run
    from alliance.importing import count_lines

    with opened_platform(data_dir) as platform:
        try:
            with progress_bar(f"Importing {file.name}", count_lines(file)) as advance:
                job = run(file, platform.ingest, advance, _audit_hook(platform, "alarms.import", file))
        except MissingColumns as missing:
            console.print(f"[red]Missing columns:[/red] {missing} — nothing was imported")
            raise typer.Exit(2) from None
        if platform.settings.shape == "embedded":
            platform.drain()
    for table in job.tables(file.name):
        console.print(table)
    for number, column, rule in job.refusals[:20]:
        console.print(f"  row {number}: {column}: {rule}")
    if job.counts["refused"] or job.counts["conflict"]:
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
    from alliance.ocds_files import find_files
    from alliance.ocds_import import OcdsImport

    with opened_platform(data_dir) as platform:
        job = OcdsImport(platform.procurement_ingest, _audit_hook(platform, "procurement.import", path))
        files = find_files(path)
        total = sum(f.stat().st_size for f in files)
        with progress_bar(f"Importing {path.name}", total, in_bytes=True) as advance:
            for file in files:
                for size in job.run(file):
                    advance(size)
        if platform.settings.shape == "embedded":
            platform.drain()
        records = len(platform.procurement_queries.records())
    for table in job.tables(path.name, len(files), records):
        console.print(table)
    for label, text in job.examples:
        console.print(f"  {label}: {text}")
    if not files:
        console.print("[red]No OCDS files found[/red] (.json, .jsonl or .ndjson)")
    if not files or job.counts["refused"]:
        raise typer.Exit(1)
