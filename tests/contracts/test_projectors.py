"""The projector contract run against the three projectors, each on the in-memory and the SQLite store."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import orjson
import pytest

from schemas.topics import PILOT_EVENTS, PROCUREMENT_RELEASES
from services.adoption.service import FACTS, AdoptionService
from services.core.ports import Document, LogRecord
from services.core.projector import Projector
from services.indicators.service import IndicatorsService
from services.procurement import sor_osterdal_safety_alarm_releases
from services.procurement.examples import EXAMPLE_OCID
from services.procurement.service import ProcurementService
from streams.adapters.stores.memory import MemoryDocumentStore
from streams.adapters.stores.sqlite import SqliteDocumentStore
from tests.contracts.projector import ProjectorContract
from tests.support.factories import concluded, lesson, metrics, phase, registered
from tests.support.indicator_factories import alarms, competence

MARKED = "5a1f0c3e-0000-4000-8000-00000000bad1"  # the event_id (or release id) the poison hits


class Poisoned(RuntimeError):
    """A bug that only the marked record meets."""


def _records(events: Iterable[dict[str, Any] | bytes], key: str = "municipality") -> list[LogRecord]:
    return [
        LogRecord("3420", e) if isinstance(e, bytes) else LogRecord(str(e[key]), orjson.dumps(e))
        for e in events
    ]


@dataclass(frozen=True)
class Subject:
    """A projector under contract: its class and topic, its batches, and the rule the poison breaks.

    ``rule`` names a function the service's module uses that is given lists of documents;
    the poison makes it raise on a list holding one whose ``mark`` is MARKED. ``read_at``
    names the fields, per collection, that say where in the log an event was read.
    """

    service: type[Projector[Any]]
    topic: str
    batches: Callable[[], list[list[LogRecord]]]
    rule: str
    mark: str
    read_at: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@cache
def _pilot_batches() -> list[list[LogRecord]]:
    intruder = phase("p3", "discontinued", municipality="3430", at="2021-06-01T00:00:00Z")
    first = registered("p1", municipality="3420", at="2020-01-01T00:00:00Z")
    return [
        _records(
            [
                first,
                registered(
                    "p2", municipality="3403", technology="digital-supervision", at="2020-02-01T00:00:00Z"
                ),
                metrics("p1", "2021-01", municipality="3420", users_active=12, at="2021-02-01T00:00:00Z"),
                b"{not json",
                registered("bad", technology="teleportation", municipality="3420"),
            ]
        ),
        _records(
            [
                registered("p3", municipality="3401", at="2020-03-01T00:00:00Z"),
                phase("p3", "piloting", municipality="3401", at="2020-09-01T00:00:00Z"),
                lesson("p3", municipality="3401", at="2021-01-01T00:00:00Z", event_id=MARKED),
                intruder,
                first,  # sent again
            ]
        ),
        _records(
            [
                phase("p1", "operation", municipality="3420", at="2021-03-01T00:00:00Z"),
                metrics("p1", "2021-01", municipality="3420", users_active=14, at="2021-04-01T00:00:00Z"),
                phase("p2", "piloting", municipality="3403", at="2021-03-01T00:00:00Z"),
                concluded("p2", "scaled_up", municipality="3403", at="2022-01-01T00:00:00Z"),
            ]
        ),
    ]


@cache
def _indicator_batches() -> list[list[LogRecord]]:
    january = alarms("2026-01", municipality="3420", received=100, at="2026-02-01T00:00:00Z")
    return [
        _records(
            [
                january,
                competence("2025", municipality="3420", enrolled=12, at="2026-01-05T00:00:00Z"),
                registered("p1", municipality="3420"),
                b"[1, 2]",
            ]
        ),
        _records(
            [
                alarms(
                    "2026-02", municipality="3421", received=80, at="2026-03-01T00:00:00Z", event_id=MARKED
                ),
                competence("2026", municipality="3403", enrolled=7, at="2026-06-01T00:00:00Z"),
                alarms("2026-01", municipality="3420", received=120, at="2026-02-10T00:00:00Z"),
            ]
        ),
        _records(
            [
                {**january, "payload": {**january["payload"], "alarms_received": 999}},  # its id reused
                alarms("2026-03", municipality="3420", received=90, at="2026-04-01T00:00:00Z"),
                competence("2025", municipality="3420", enrolled=10, at="2025-12-01T00:00:00Z"),  # older
            ]
        ),
    ]


@cache
def _release_batches() -> list[list[LogRecord]]:
    tender, award, contract, termination = sor_osterdal_safety_alarm_releases()
    award["id"] = MARKED
    other_ocid = EXAMPLE_OCID[:-1] + "9"
    tender_b, award_b, contract_b, _ = (
        orjson.loads(orjson.dumps(r).replace(EXAMPLE_OCID.encode(), other_ocid.encode()))
        for r in sor_osterdal_safety_alarm_releases()
    )
    return [
        _records([tender, tender_b, b"{not json", {"ocid": "not-a-release"}], key="ocid"),
        _records([award, award_b], key="ocid"),
        _records([contract, contract_b, termination], key="ocid"),
    ]


# Each poison hits after the batch has left a trace a replay must find: the adoption facts
# inserted, the indicator event ids registered.
ADOPTION = Subject(
    AdoptionService, PILOT_EVENTS.name, _pilot_batches, "advance_pilots", "id", {FACTS: ("src",)}
)
INDICATORS = Subject(IndicatorsService, PILOT_EVENTS.name, _indicator_batches, "current_reports", "event_id")
PROCUREMENT = Subject(ProcurementService, PROCUREMENT_RELEASES.name, _release_batches, "build_record", "id")


class TestProjectors(ProjectorContract):
    """Every projector on every local store."""

    @pytest.fixture(autouse=True, params=[ADOPTION, INDICATORS, PROCUREMENT], ids=lambda s: s.service.name)
    def _subject(self, request):
        self.subject: Subject = request.param
        self.topic = self.subject.topic

    @pytest.fixture(params=["memory", "sqlite"])
    def open_store(self, request, tmp_path):
        opened: list[SqliteDocumentStore] = []

        def open_sqlite() -> SqliteDocumentStore:
            opened.append(SqliteDocumentStore(tmp_path / f"views-{len(opened)}.db"))
            return opened[-1]

        yield MemoryDocumentStore if request.param == "memory" else open_sqlite
        for store in opened:
            store.close()

    def make(self, store, dead_letters):
        return self.subject.service(store, dead_letters)

    def batches(self):
        return self.subject.batches()

    def poison(self, monkeypatch):
        module, name = sys.modules[self.subject.service.__module__], self.subject.rule
        real = getattr(module, name)

        def marked(argument: Any) -> bool:
            return isinstance(argument, list) and any(d.get(self.subject.mark) == MARKED for d in argument)

        def rule(*args: Any) -> Any:
            if any(marked(argument) for argument in args):
                raise Poisoned("the marked record")
            return real(*args)

        monkeypatch.setattr(module, name, rule)

    def normalise(self, collection: str, document: Document) -> Document:
        volatile = self.subject.read_at.get(collection, ())
        return {k: v for k, v in document.items() if k not in volatile}
