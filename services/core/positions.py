"""Consumer positions, stored in the read-model store next to the state they produced."""

from __future__ import annotations

from collections.abc import Sequence

from services.core.ports import LogEntry, Upsert

POSITIONS = "positions"


def position_id(consumer: str, topic: str, partition: int) -> str:
    return f"{consumer}:{topic}:{partition}"


def position_writes(consumer: str, entries: Sequence[LogEntry]) -> list[Upsert]:
    """The next offset to read per (topic, partition) after ``entries``: write these last."""
    last: dict[tuple[str, int], int] = {}
    for entry in entries:
        key = (entry.topic, entry.partition)
        last[key] = max(last.get(key, -1), entry.offset)
    return [
        Upsert(
            POSITIONS,
            {
                "_id": position_id(consumer, topic, partition),
                "consumer": consumer,
                "topic": topic,
                "partition": partition,
                "offset": offset + 1,
            },
        )
        for (topic, partition), offset in last.items()
    ]
