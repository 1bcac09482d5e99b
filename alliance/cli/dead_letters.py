"""``alliance dead-letters list|show|replay``: why messages were refused, and replaying them."""

from __future__ import annotations

from typing import Annotated

import orjson
import typer
from rich.table import Table

from alliance.audit import LOCAL_OPERATOR, operator_audit
from alliance.cli.console import console
from alliance.cli.options import opened_platform

REPLAY_CLIENT = "alliance dead-letters replay"

app = typer.Typer(help="Refused messages: list them, see why, replay them after a fix.", no_args_is_help=True)


@app.command("list")
def list_letters(
    reason: Annotated[str | None, typer.Option(help="Only this reason, e.g. validation_failed")] = None,
    topic: Annotated[str | None, typer.Option(help="Only letters from this topic")] = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many, newest first")] = 50,
) -> None:
    """Dead letters, newest first: id, reason, the fields and rules that failed, where from."""
    with opened_platform() as platform:
        letters = platform.dead_letters.find(reason, topic, limit)
    table = Table(title=f"Dead letters ({len(letters)} shown)")
    for column in ("id", "reason", "fields", "event_id", "from", "when"):
        table.add_column(column)
    for stored in letters:
        letter = stored.letter
        fields = ", ".join(f"{e.get('field')}: {e.get('rule')}" for e in letter.errors) or "-"
        table.add_row(
            stored.id,
            letter.reason,
            fields,
            letter.event_id or "-",
            f"{letter.topic}/{letter.partition}@{letter.offset}",
            letter.dead_lettered_at.isoformat(timespec="seconds"),
        )
    console.print(table)


@app.command()
def show(letter_id: Annotated[str, typer.Argument(help="The id shown by `dead-letters list`")]) -> None:
    """One dead letter as JSON (field paths and rules, never the refused values)."""
    from services.core.dead_letters import UnknownDeadLetter

    with opened_platform() as platform:
        try:
            stored = platform.dead_letters.get(letter_id)
        except UnknownDeadLetter:
            console.print(f"[red]No dead letter {letter_id}[/red]")
            raise typer.Exit(1) from None
    console.print_json(orjson.dumps(stored.as_dict()).decode())


@app.command()
def replay(
    letter_ids: Annotated[list[str], typer.Argument(help="Ids from `dead-letters list`")],
) -> None:
    """Re-publish the original messages (their event_id is kept, so nothing counts twice)."""
    from services.governance.audit import replay_audit_items

    with opened_platform() as platform:
        results = platform.dead_letters.replay(letter_ids)
        audit = operator_audit(platform.audit, "dead_letters.replay", LOCAL_OPERATOR, REPLAY_CLIENT)
        audit(replay_audit_items(results))
    table = Table(title="Replay")
    for column in ("id", "status", "event_id"):
        table.add_column(column)
    for result in results:
        table.add_row(result.id, result.status, result.event_id or "-")
    console.print(table)
    if any(r.status != "replayed" for r in results):
        raise typer.Exit(1)
