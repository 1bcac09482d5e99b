"""Topic definitions shared by every adapter, the admin step and the AsyncAPI export."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class TopicSpec:
    name: str
    partitions: int
    retention_ms: int
    key: str
    description: str


_DAY_MS = 24 * 3600 * 1000

PILOT_EVENTS = TopicSpec(
    "pilot-events",
    partitions=6,
    # Forever: the log is the system of record; read models are rebuilt from it.
    retention_ms=-1,
    key="municipality (34xx code)",
    description="Validated, privacy-checked pilot events from the member municipalities.",
)
PROCUREMENT_RELEASES = TopicSpec(
    "procurement-releases",
    partitions=3,
    retention_ms=-1,
    key="ocid",
    description="OCDS 1.1 releases, personal data removed, keyed by contracting process.",
)
DEAD_LETTER = TopicSpec(
    "dead-letter",
    partitions=1,
    retention_ms=90 * _DAY_MS,
    key="original key",
    description="Refused messages: machine-readable reason, field paths and the original "
    "topic, partition and offset. Never the refused values.",
)
TOPICS = (PILOT_EVENTS, PROCUREMENT_RELEASES, DEAD_LETTER)
