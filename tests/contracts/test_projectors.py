"""The projector contract run against the three projectors, each on the in-memory and the SQLite store."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cache
from typing import Any

import orjson
import pytest

import services.adoption.service as adoption_service
import services.indicators.service as indicators_service
import services.procurement.service as procurement_service
from schemas.topics import PILOT_EVENTS, PROCUREMENT_RELEASES
from services.adoption.service import FACTS, AdoptionService
from services.core.ports import Document, LogRecord
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


def _raising_on_marked(real: Callable[..., Any], marked: Callable[[Any], bool]) -> Callable[..., Any]:
    def rule(*args: Any) -> Any:
        if any(marked(arg) for arg in args):
            raise Poisoned("the marked record")
        return real(*args)

    return rule


class OnMemory:
    @pytest.fixture
    def open_store(self):
        return MemoryDocumentStore


class OnSqlite:
    @pytest.fixture
    def open_store(self, tmp_path):
        opened: list[SqliteDocumentStore] = []

        def open_store() -> SqliteDocumentStore:
            opened.append(SqliteDocumentStore(tmp_path / f"views-{len(opened)}.db"))
            return opened[-1]

        yield open_store
        for store in opened:
            store.close()


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


class AdoptionContract(ProjectorContract):
    topic = PILOT_EVENTS.name

    def make(self, store, dead_letters):
        return AdoptionService(store, dead_letters)

    def batches(self):
        return _pilot_batches()

    def poison(self, monkeypatch):
        # After the batch's facts are inserted: the replay finds them stored already.
        def has_marked(facts: Any) -> bool:
            return isinstance(facts, list) and any(f["id"] == MARKED for f in facts)

        real = adoption_service.advance_pilots
        monkeypatch.setattr(adoption_service, "advance_pilots", _raising_on_marked(real, has_marked))

    def normalise(self, collection: str, document: Document) -> Document:
        if collection == FACTS:
            return {k: v for k, v in document.items() if k != "src"}  # where in the log it was read
        return document


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


class IndicatorsContract(ProjectorContract):
    topic = PILOT_EVENTS.name

    def make(self, store, dead_letters):
        return IndicatorsService(store, dead_letters)

    def batches(self):
        return _indicator_batches()

    def poison(self, monkeypatch):
        # After the batch's event ids are registered: the replay finds them registered already.
        def has_marked(reports: Any) -> bool:
            return isinstance(reports, list) and any(r.get("event_id") == MARKED for r in reports)

        real = indicators_service.current_reports
        monkeypatch.setattr(indicators_service, "current_reports", _raising_on_marked(real, has_marked))


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


class ProcurementContract(ProjectorContract):
    topic = PROCUREMENT_RELEASES.name

    def make(self, store, dead_letters):
        return ProcurementService(store, dead_letters)

    def batches(self):
        return _release_batches()

    def poison(self, monkeypatch):
        def has_marked(releases: Any) -> bool:
            return isinstance(releases, list) and any(r.get("id") == MARKED for r in releases)

        real = procurement_service.build_record
        monkeypatch.setattr(procurement_service, "build_record", _raising_on_marked(real, has_marked))


class TestAdoptionOnMemory(OnMemory, AdoptionContract):
    pass


class TestAdoptionOnSqlite(OnSqlite, AdoptionContract):
    pass


class TestIndicatorsOnMemory(OnMemory, IndicatorsContract):
    pass


class TestIndicatorsOnSqlite(OnSqlite, IndicatorsContract):
    pass


class TestProcurementOnMemory(OnMemory, ProcurementContract):
    pass


class TestProcurementOnSqlite(OnSqlite, ProcurementContract):
    pass
