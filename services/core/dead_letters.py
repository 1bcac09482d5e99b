"""Dead-lettering: refused messages go to ``dead-letter`` with a reason and where they came from."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import orjson

from schemas.events import DeadLetter
from schemas.parsing import FieldError
from schemas.topics import DEAD_LETTER, PILOT_EVENTS, PROCUREMENT_RELEASES
from services.core.ports import EventLog, LogEntry, LogRecord


class DeadLetterSink:
    """Writes :class:`schemas.events.DeadLetter` records (field paths, never values)."""

    def __init__(self, log: EventLog, clock: Callable[[], datetime]) -> None:
        self.log = log
        self.clock = clock

    def letter(
        self,
        entry: LogEntry,
        reason: str,
        errors: Sequence[FieldError] = (),
        event_id: str | None = None,
        source: str | None = None,
    ) -> DeadLetter:
        return DeadLetter(
            event_id=event_id,
            reason=reason,
            errors=[e.as_dict() for e in errors],
            topic=entry.topic,
            partition=entry.partition,
            offset=entry.offset,
            key=entry.key,
            source=source,
            dead_lettered_at=self.clock(),
        )

    def send(self, letters: Sequence[DeadLetter]) -> None:
        if letters:
            self.log.append(
                DEAD_LETTER.name,
                [LogRecord(key=d.key, value=orjson.dumps(d.model_dump(mode="json"))) for d in letters],
            )


log = logging.getLogger(__name__)
REPLAYABLE_TOPICS = frozenset({PILOT_EVENTS.name, PROCUREMENT_RELEASES.name})
_READ_CHUNK = 5000


class UnknownDeadLetter(LookupError):
    """No dead letter has this id."""


@dataclass(frozen=True, slots=True)
class StoredLetter:
    """A dead letter as read back: its id (``partition-offset`` in ``dead-letter``) and content."""

    id: str
    letter: DeadLetter

    def as_dict(self) -> dict[str, object]:
        return {"id": self.id, **self.letter.model_dump(mode="json")}


@dataclass(frozen=True, slots=True)
class ReplayResult:
    id: str
    status: Literal["replayed", "unknown", "not_replayable", "original_missing"]
    event_id: str | None = None


class DeadLetterLog:
    """The read side of ``dead-letter``: list, show and replay refused messages.

    The topic is the record (retained 90 days); nothing else is stored. A batch replayed
    after a crash may have sent the same letter twice: letters for the same original
    message and reason are shown once (the first). Replay re-publishes the original bytes
    from their topic with their key, so an event keeps its ``event_id`` and a replay is
    applied at most once, however often it is done.
    """

    def __init__(self, log: EventLog) -> None:
        self.log = log

    def _all(self) -> list[StoredLetter]:
        letters: list[StoredLetter] = []
        seen: set[tuple[object, ...]] = set()
        for partition in self.log.partitions(DEAD_LETTER.name):
            offset = 0
            while entries := self.log.read(DEAD_LETTER.name, partition, offset, _READ_CHUNK):
                for entry in entries:
                    try:
                        letter = DeadLetter.model_validate_json(entry.value)
                    except ValueError:
                        continue  # not written by this platform: nothing to show or replay
                    identity = (letter.topic, letter.partition, letter.offset, letter.reason, letter.event_id)
                    if identity not in seen:
                        seen.add(identity)
                        letters.append(StoredLetter(f"{partition}-{entry.offset}", letter))
                offset = entries[-1].offset + 1
        return letters

    def find(
        self, reason: str | None = None, topic: str | None = None, limit: int | None = None
    ) -> list[StoredLetter]:
        """Dead letters, newest first, optionally filtered by reason and original topic."""
        found = [
            s
            for s in reversed(self._all())
            if (reason is None or s.letter.reason == reason) and (topic is None or s.letter.topic == topic)
        ]
        return found[:limit] if limit is not None else found

    def get(self, letter_id: str) -> StoredLetter:
        partition, _, offset = letter_id.partition("-")
        if not (partition.isdigit() and offset.isdigit()):
            raise UnknownDeadLetter(letter_id)
        entries = self.log.read(DEAD_LETTER.name, int(partition), int(offset), 1)
        if not entries or entries[0].offset != int(offset):
            raise UnknownDeadLetter(letter_id)
        try:
            return StoredLetter(letter_id, DeadLetter.model_validate_json(entries[0].value))
        except ValueError:
            raise UnknownDeadLetter(letter_id) from None

    def replay(self, letter_ids: Iterable[str]) -> list[ReplayResult]:
        """Re-publish the originals of the given letters to their topics, unchanged."""
        results: list[ReplayResult] = []
        batches: dict[str, list[LogRecord]] = {}
        for letter_id in dict.fromkeys(letter_ids):
            try:
                letter = self.get(letter_id).letter
            except UnknownDeadLetter:
                results.append(ReplayResult(letter_id, "unknown"))
                continue
            if letter.topic not in REPLAYABLE_TOPICS or letter.offset < 0:
                results.append(ReplayResult(letter_id, "not_replayable", letter.event_id))
                continue
            originals = self.log.read(letter.topic, letter.partition, letter.offset, 1)
            if not originals or originals[0].offset != letter.offset:
                results.append(ReplayResult(letter_id, "original_missing", letter.event_id))
                continue
            batches.setdefault(letter.topic, []).append(LogRecord(originals[0].key, originals[0].value))
            results.append(ReplayResult(letter_id, "replayed", letter.event_id))
        for topic, records in batches.items():
            self.log.append(topic, records)
        for result in results:
            log.info("replay %s", result.status, extra={"event_id": result.event_id, "letter": result.id})
        return results
