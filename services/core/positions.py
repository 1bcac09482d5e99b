"""Consumer positions, stored in the read-model store next to the state they produced."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from services.core.ports import DocumentStore, LogEntry, Upsert

POSITIONS = "positions"

Partition = tuple[str, int]  # (topic, partition)


def position_id(consumer: str, topic: str, partition: int) -> str:
    return f"{consumer}:{topic}:{partition}"


def read_positions(
    store: DocumentStore, consumer: str, partitions: Iterable[Partition]
) -> dict[Partition, int]:
    """The stored next offset of ``consumer`` per (topic, partition), 0 where none is stored, in one read."""
    ids = {key: position_id(consumer, *key) for key in partitions}
    stored = store.get_many(POSITIONS, ids.values())
    return {key: int(stored[id_]["offset"]) if id_ in stored else 0 for key, id_ in ids.items()}


def position_writes(consumer: str, entries: Sequence[LogEntry]) -> list[Upsert]:
    """The next offset to read per (topic, partition) after ``entries``: write these last."""
    last: dict[Partition, int] = {}
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
