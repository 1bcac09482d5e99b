"""The ``alliance`` command: start the platform, import events, rebuild views, export contracts."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from alliance.settings import Settings
from alliance.token_cli import token_app

if TYPE_CHECKING:
    from alliance.bootstrap import Platform
    from services.governance.audit import AuditHook

app = typer.Typer(
    help="Innovation alliance platform for welfare technology (Innlandet).", no_args_is_help=True
)
console = Console()
IMPORT_BATCH = 1000


def _settings(data_dir: Path | None = None, **overrides: object) -> Settings:
    values = {k: v for k, v in overrides.items() if v is not None}
    if data_dir is not None:
        values["data_dir"] = data_dir
    try:
        return Settings(**values)  # type: ignore[arg-type]
    except Exception as error:  # pydantic's ValidationError: say which setting is wrong, then stop
        console.print(f"[red]Invalid configuration:[/red] {error}")
        raise typer.Exit(2) from None


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
    )


DataDir = Annotated[Path | None, typer.Option("--data-dir", help="Embedded data directory (default ./var)")]


@app.command()
def up(
    host: Annotated[str, typer.Option(help="Interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
    data_dir: DataDir = None,
    demo: Annotated[bool, typer.Option("--demo", help="Load the synthetic demo history first")] = False,
) -> None:
    """Start the API and the services in one process (embedded shape unless configured otherwise)."""
    import uvicorn

    from alliance.bootstrap import build_platform
    from api.app import create_app
    from streams.observability.log_format import configure_logging

    settings = _settings(data_dir, host=host, port=port)
    configure_logging(json_lines=settings.log_format == "json")
    platform = build_platform(settings)
    if not (settings.auth_jwks_file or settings.auth_jwks_url):
        from alliance.signing import local_issuer

        keys = local_issuer(settings.data_dir)  # created on first start
        console.print(f"Bearer tokens are checked against {keys.jwks_path}: `alliance token issue --org …`")
    if demo:
        from alliance.demo import demo_events
        from alliance.demo_indicators import demo_indicator_events
        from alliance.demo_procurement import demo_releases

        results = platform.ingest.submit(demo_events() + demo_indicator_events(), "import")
        platform.procurement_ingest.submit(demo_releases())
        counts = Counter(r.outcome for r in results)
        console.print(
            f"Demo history (synthetic): {counts['accepted']} new, {counts['duplicate']} already loaded"
        )
    console.print(
        f"Alliance platform ({settings.shape}) on http://{settings.host}:{settings.port}  — API docs at /docs"
    )
    # log_config=None: uvicorn keeps the JSON logging configured above.
    uvicorn.run(create_app(platform), host=settings.host, port=settings.port, log_config=None)


@app.command("import")
def import_events(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="JSON Lines or CSV of events")],
    data_dir: DataDir = None,
) -> None:
    """Import events from a file: progress bar, then a summary of what was accepted and refused."""
    from alliance.bootstrap import build_platform
    from alliance.importing import count_lines, read_events
    from schemas.parsing import FieldError
    from services.governance.audit import Actor, AuditItem
    from services.intake.events import IngestResult

    platform = build_platform(_settings(data_dir))
    outcomes: Counter[str] = Counter()
    reasons: Counter[tuple[str, str]] = Counter()
    examples: list[tuple[int, str]] = []

    # The import is a write like any other: audited, with the local operator as the actor.
    actor = Actor(None, "local-import", client_id=f"alliance import {file.name}"[:200])

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

    with _progress() as progress:
        task = progress.add_task(f"Importing {file.name}", total=count_lines(file))
        batch, lines = [], []
        for item in read_events(file):
            if item.error:
                tally([item.line], [IngestResult(0, "refused", None, [FieldError("$", item.error, "")])])
                progress.advance(task)
                continue
            batch.append(item.value)
            lines.append(item.line)
            if len(batch) >= IMPORT_BATCH:
                tally(lines, platform.ingest.submit(batch, "import"))
                progress.advance(task, len(batch))
                batch, lines = [], []
        if batch:
            tally(lines, platform.ingest.submit(batch, "import"))
            progress.advance(task, len(batch))
    if platform.settings.shape == "embedded":
        platform.drain()
    platform.close()

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


@app.command("import-alarms")
def import_alarms(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="Monthly CSV export")],
    data_dir: DataDir = None,
) -> None:
    """Import an alarm platform's monthly CSV export (columns in the README); exit 1 on refusals."""
    from alliance.alarm_import import MissingColumns, run
    from alliance.bootstrap import build_platform
    from alliance.importing import count_lines

    platform = build_platform(_settings(data_dir))
    try:
        with _progress() as progress:
            task = progress.add_task(f"Importing {file.name}", total=count_lines(file))
            job = run(
                file,
                platform.ingest,
                lambda rows: progress.advance(task, rows),
                _audit_hook(platform, "alarms.import", file),
            )
    except MissingColumns as missing:
        platform.close()
        console.print(f"[red]Missing columns:[/red] {missing} — nothing was imported")
        raise typer.Exit(2) from None
    if platform.settings.shape == "embedded":
        platform.drain()
    platform.close()
    for table in job.tables(file.name):
        console.print(table)
    for number, column, rule in job.refusals[:20]:
        console.print(f"  row {number}: {column}: {rule}")
    if job.counts["refused"] or job.counts["conflict"]:
        raise typer.Exit(1)


@app.command("import-ocds")
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
    from alliance.bootstrap import build_platform
    from alliance.ocds_files import find_files
    from alliance.ocds_import import OcdsImport

    platform = build_platform(_settings(data_dir))
    job = OcdsImport(platform.procurement_ingest, _audit_hook(platform, "procurement.import", path))
    files = find_files(path)
    with _byte_progress() as progress:
        task = progress.add_task(f"Importing {path.name}", total=sum(f.stat().st_size for f in files))
        for file in files:
            for size in job.run(file):
                progress.advance(task, size)
    if platform.settings.shape == "embedded":
        platform.drain()
    records = len(platform.procurement_queries.records())
    platform.close()
    for table in job.tables(path.name, len(files), records):
        console.print(table)
    for label, text in job.examples:
        console.print(f"  {label}: {text}")
    if not files:
        console.print("[red]No OCDS files found[/red] (.json, .jsonl or .ndjson)")
    if not files or job.counts["refused"]:
        raise typer.Exit(1)


def _byte_progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=console,
    )


def _replay_procurement(platform: Platform) -> None:
    """Replay ``procurement-releases`` into the (dropped) procurement views."""
    from schemas.topics import PROCUREMENT_RELEASES

    topic = PROCUREMENT_RELEASES.name
    total = sum(platform.log.end_offset(topic, p) for p in platform.log.partitions(topic))
    with _progress() as progress:
        task = progress.add_task(f"Replaying {topic}", total=total)
        for pump in platform.pumps:
            if pump.topic == topic:
                while handled := pump.pump_once():
                    progress.advance(task, handled)
    console.print(f"Rebuilt procurement views from {total} releases.")


@app.command()
def rebuild(data_dir: DataDir = None) -> None:
    """Replay the event log from the start into fresh views."""
    from alliance.bootstrap import build_platform
    from schemas.topics import PILOT_EVENTS
    from services.adoption.service import VIEW_COLLECTIONS
    from services.core.positions import POSITIONS
    from services.indicators.reports import COLLECTIONS as INDICATOR_COLLECTIONS
    from services.procurement.records import COLLECTIONS as PROCUREMENT_COLLECTIONS

    platform = build_platform(_settings(data_dir))
    for collection in (*VIEW_COLLECTIONS, POSITIONS):
        platform.store.drop(collection)
    for collection in (*PROCUREMENT_COLLECTIONS, *INDICATOR_COLLECTIONS):
        platform.store.drop(collection)
    platform = build_platform(platform.settings, log=platform.log, store=platform.store)
    _replay_procurement(platform)
    total = sum(
        platform.log.end_offset(PILOT_EVENTS.name, p) for p in platform.log.partitions(PILOT_EVENTS.name)
    )
    with _progress() as progress:
        # Adoption and indicators both read pilot-events: every event is handled by each.
        readers = sum(1 for p in platform.pumps if p.topic == PILOT_EVENTS.name)
        task = progress.add_task("Replaying pilot-events", total=total * readers)
        while handled := sum(p.pump_once() for p in platform.pumps):
            progress.advance(task, handled)
    console.print(f"Rebuilt views from {total} events.")
    platform.close()


@app.command()
def worker(
    service: Annotated[str, typer.Argument(help="Which service: adoption, procurement or indicators")],
) -> None:
    """Run one service as a Faust worker on Kafka (distributed shape; scale by partitions)."""
    from dataclasses import replace

    from alliance.bootstrap import build_platform
    from schemas.topics import TOPICS
    from streams.adapters.logs.kafka import create_topics
    from streams.runners.faust_worker import SERVICE_TOPICS, build_worker_app

    settings = _settings()
    if settings.shape != "distributed":
        console.print(
            "[red]`alliance worker` needs ALLIANCE_SHAPE=distributed[/red] (the embedded shape "
            "processes inside `alliance up`)."
        )
        raise typer.Exit(2)
    if service not in SERVICE_TOPICS:
        console.print(f"[red]Unknown service {service!r}[/red]; choose one of {', '.join(SERVICE_TOPICS)}")
        raise typer.Exit(2)
    import faust

    from streams.observability.log_format import configure_logging
    from streams.observability.ops_server import OpsServer, WorkerHealth

    configure_logging(json_lines=settings.log_format == "json")
    platform = build_platform(settings, process=f"worker-{service}")
    create_topics(
        settings.kafka_bootstrap or "", [replace(t, name=settings.topic_prefix + t.name) for t in TOPICS]
    )
    monitor = platform.monitor_lag((service,))
    health = WorkerHealth(platform.metrics, [("store unreachable", lambda: monitor.store_ok)])
    ops = OpsServer(health, settings.host, settings.worker_port).start()
    console.print(f"Worker {service}: /metrics, /healthz, /readyz on http://{settings.host}:{ops.port}")
    topic = SERVICE_TOPICS[service].name
    faust_app = build_worker_app(
        settings,
        platform.consumers[service],
        health,
        platform.metrics,
        work_waiting=lambda partitions: monitor.work_waiting(service, topic, partitions),
    )
    # Logging is configured above (JSON lines); Faust must not replace it.
    faust.Worker(faust_app, loglevel="info", quiet=True, override_logging=False).execute_from_commandline()


@app.command("export-schemas")
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


def _add_subcommands() -> None:
    from alliance.dead_letters_cli import app as dead_letters

    app.add_typer(dead_letters, name="dead-letters")


_add_subcommands()

app.add_typer(token_app, name="token")

if __name__ == "__main__":
    app()
