"""Ports: what the service layer needs from the outside world, and nothing more.

Two ports, each with one contract test suite (``tests/contracts``) run against every adapter:

* :class:`EventLog` — topics of keyed records with offsets (embedded SQLite log, Kafka).
* :class:`DocumentStore` — read models as JSON documents keyed by ``_id`` (SQLite, MongoDB).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

Document = dict[str, Any]


class Unavailable(RuntimeError):
    """The backing server cannot be reached; the caller should retry later (HTTP 503)."""


@dataclass(frozen=True, slots=True)
class LogRecord:
    """A record to append: partitioning key and JSON bytes."""

    key: str | None
    value: bytes


@dataclass(frozen=True, slots=True)
class LogEntry:
    """A record read back, with where it lives."""

    topic: str
    partition: int
    offset: int
    key: str | None
    value: bytes


class EventLog(Protocol):
    """An append-only, partitioned log of records (Kafka semantics)."""

    def ensure_topics(self, topics: Mapping[str, int]) -> None:
        """Create the topics (name → partitions) that do not exist yet."""

    def append(self, topic: str, records: Sequence[LogRecord]) -> None:
        """Durably append records (all acknowledged on return) or raise :class:`Unavailable`."""

    def partitions(self, topic: str) -> list[int]:
        """The topic's partition numbers."""

    def read(self, topic: str, partition: int, offset: int, limit: int) -> list[LogEntry]:
        """Up to ``limit`` records at or after ``offset``, in offset order."""

    def end_offset(self, topic: str, partition: int) -> int:
        """The offset the next appended record will get."""

    def close(self) -> None:
        """Release connections."""


@dataclass(frozen=True, slots=True)
class Upsert:
    collection: str
    document: Document


@dataclass(frozen=True, slots=True)
class Delete:
    collection: str
    id: str


Write = Upsert | Delete
Where = Mapping[str, Any]


class DocumentStore(Protocol):
    """JSON documents keyed by ``_id``, grouped in collections.

    ``where`` is a mapping of top-level field → value (equality) or ``{"$in": [...]}``,
    the subset every MongoDB-wire server and SQLite's JSON functions agree on. Documents
    must not contain arrays of arrays (FerretDB v1 refuses them) nor NaN or infinities.
    """

    def ensure_indexes(self, collection: str, fields: Iterable[str]) -> None:
        """Index the fields used in ``where`` filters."""

    def get(self, collection: str, id: str) -> Document | None: ...

    def get_many(self, collection: str, ids: Iterable[str]) -> dict[str, Document]: ...

    def find(
        self,
        collection: str,
        where: Where | None = None,
        *,
        sort: str | None = None,
        limit: int | None = None,
        exclude: Sequence[str] = (),
    ) -> list[Document]:
        """Matching documents, sorted by ``sort`` (ascending, ``-field`` for descending)."""

    def count(self, collection: str, where: Where | None = None) -> int: ...

    def insert_new(self, collection: str, documents: Sequence[Document]) -> set[str]:
        """Insert documents whose ``_id`` is new; return the ids that already existed."""

    def write(self, writes: Sequence[Write]) -> None:
        """Apply writes in order, in one round trip per collection where possible.

        Atomic on backends that can (SQLite); elsewhere every write is idempotent and the
        caller puts its consumer position last, so a crash mid-way replays harmlessly.
        """

    def drop(self, collection: str) -> None: ...

    def close(self) -> None: ...


class ViewCache(Protocol):
    """Rendered read views kept while the store is unchanged (an adapter decides for how long)."""

    def get(self, key: Hashable, render: Callable[[], Any]) -> Any:
        """The value for ``key``, calling ``render`` when there is none fresh enough."""
