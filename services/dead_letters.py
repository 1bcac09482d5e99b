"""Dead-lettering: refused messages go to ``dead-letter`` with a reason and where they came from."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

import orjson

from schemas.events import DeadLetter
from schemas.parsing import FieldError
from schemas.topics import DEAD_LETTER
from services.ports import EventLog, LogEntry, LogRecord


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
