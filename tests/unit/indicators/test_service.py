"""The indicators service: corrections, out-of-order and duplicate delivery, crashes, id reuse."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.core.dead_letters import DeadLetterSink
from services.core.ports import LogRecord
from services.indicators.reports import ALARM_REPORTS, COMPETENCE_REPORTS
from services.indicators.service import IndicatorsService
from streams.adapters.logs.memory import MemoryEventLog
from streams.adapters.stores.memory import MemoryDocumentStore
from tests.conftest import fixed_clock
from tests.support.factories import metrics, registered
from tests.support.indicator_factories import alarms, competence


class Indicators:
    """The real service on in-memory adapters; :meth:`apply` appends a batch and handles it."""

    def __init__(self) -> None:
        self.log = MemoryEventLog()
        self.store = MemoryDocumentStore()
        self.service = IndicatorsService(self.store, DeadLetterSink(self.log, fixed_clock))

    def apply(self, raw: Iterable[dict[str, Any] | bytes]) -> None:
        start = self.log.end_offset("pilot-events", 0)
        values = [r if isinstance(r, bytes) else orjson.dumps(r) for r in raw]
        self.log.append("pilot-events", [LogRecord("3420", v) for v in values])
        entries = self.log.read("pilot-events", 0, start, 100_000)
        if entries:
            self.service.handle(entries)

    def current(self) -> dict[str, dict[str, tuple[str, Any]]]:
        """Key → (event_id, figures) of the current reports."""
        return {
            collection: {k: (d["event_id"], d) for k, d in self.store.snapshot(collection).items()}
            for collection in (ALARM_REPORTS, COMPETENCE_REPORTS)
        }

    def letters(self) -> list[dict[str, Any]]:
        return [orjson.loads(e.value) for e in self.log.read("dead-letter", 0, 0, 1000)]


def test_a_later_report_corrects_an_earlier_one_whatever_the_arrival_order():
    first = alarms("2026-01", received=100, at="2026-02-02T08:00:00Z")
    correction = alarms("2026-01", received=120, at="2026-02-10T08:00:00Z")
    for order in ([first, correction], [correction, first], [correction], [first, correction, first]):
        views = Indicators()
        for event in order:
            views.apply([event])
        (report,) = views.store.snapshot(ALARM_REPORTS).values()
        assert (report["event_id"], report["alarms_received"]) == (correction["event_id"], 120)


def test_ties_in_time_are_decided_by_the_larger_event_id():
    a = competence(
        "2026", enrolled=1, at="2026-03-01T00:00:00Z", event_id="00000000-0000-4000-8000-000000000001"
    )
    b = competence(
        "2026", enrolled=2, at="2026-03-01T00:00:00Z", event_id="00000000-0000-4000-8000-000000000002"
    )
    for order in ([a, b], [b, a]):
        views = Indicators()
        views.apply(order)
        (report,) = views.store.snapshot(COMPETENCE_REPORTS).values()
        assert report["staff_enrolled"] == 2


def test_other_keys_are_kept_apart_and_pilot_events_are_skipped():
    views = Indicators()
    views.apply(
        [
            registered("p1"),
            metrics("p1", "2026-01", users_active=3),
            alarms("2026-01", platform="a"),
            alarms("2026-01", platform="b"),
            alarms("2026-01", technology="digital-supervision"),
            alarms("2026-02"),
            competence("2026", programme="other", label="Kurs A"),
            competence("2026", programme="other", label="Kurs B"),
            competence("2026-01"),
        ]
    )
    current = views.current()
    assert len(current[ALARM_REPORTS]) == 4 and len(current[COMPETENCE_REPORTS]) == 3
    assert views.store.snapshot("positions")["indicators:pilot-events:0"]["offset"] == 9


def test_refused_entries_are_left_to_the_adoption_service():
    views = Indicators()
    broken = alarms("2026-01", received=1, false=2)  # more false alarms than alarms
    views.apply([b"not json", broken, alarms("2026-02")])
    assert len(views.store.snapshot(ALARM_REPORTS)) == 1
    assert views.letters() == []  # the adoption service dead-letters these, once


def test_an_event_id_reused_for_other_content_is_dead_lettered():
    original = alarms("2026-01", received=100, at="2026-02-02T08:00:00Z")
    reuse = {
        **alarms("2026-03", received=5, false=1, on_site=1, at="2026-04-02T08:00:00Z"),
        "event_id": original["event_id"],
    }
    views = Indicators()
    views.apply([original])
    views.apply([reuse])
    assert [r["period"] for r in views.store.snapshot(ALARM_REPORTS).values()] == ["2026-01"]
    assert [(d["event_id"], d["reason"]) for d in views.letters()] == [
        (original["event_id"], "conflicting_event_id")
    ]
    # In one batch too: the first occurrence counts.
    views = Indicators()
    views.apply([original, reuse])
    assert [r["period"] for r in views.store.snapshot(ALARM_REPORTS).values()] == ["2026-01"]
    assert len(views.letters()) == 1


class Crash(RuntimeError):
    pass


def test_a_crash_after_registering_the_ids_is_repaired_on_redelivery(monkeypatch):
    batch = [alarms("2026-01"), competence("2026")]
    views = Indicators()

    def crash(_writes):
        raise Crash("power cut")

    real_write = views.store.write
    monkeypatch.setattr(views.store, "write", crash)
    with pytest.raises(Crash):
        views.apply(batch)
    monkeypatch.setattr(views.store, "write", real_write)
    assert views.store.count("indicator_events") == 2 and views.store.count(ALARM_REPORTS) == 0

    # A new process gets the same entries again: registered ids with the same content apply.
    views.service = IndicatorsService(views.store, DeadLetterSink(views.log, fixed_clock))
    views.service.handle(views.log.read("pilot-events", 0, 0, 100))
    assert views.store.count(ALARM_REPORTS) == 1 and views.store.count(COMPETENCE_REPORTS) == 1
    assert views.letters() == []


def test_redelivery_below_the_stored_position_changes_nothing():
    views = Indicators()
    views.apply([alarms("2026-01", received=10, at="2026-02-01T00:00:00Z")])
    views.apply([alarms("2026-01", received=20, at="2026-03-01T00:00:00Z")])
    before = views.current()
    views.service.handle(views.log.read("pilot-events", 0, 0, 100))  # both again, from offset 0
    assert views.current() == before


FIXED = [
    alarms("2026-01", received=100, at="2026-02-01T00:00:00Z"),
    alarms("2026-01", received=110, at="2026-02-15T00:00:00Z"),
    alarms("2026-01", received=90, at="2026-02-15T00:00:00Z"),
    alarms("2026-02", received=80, municipality="3421", at="2026-03-01T00:00:00Z"),
    alarms("2026-02", received=85, municipality="3421", at="2026-03-02T00:00:00Z"),
    competence("2025", enrolled=3, at="2026-01-01T00:00:00Z"),
    competence("2025", enrolled=4, at="2026-01-02T00:00:00Z"),
    competence("2025-06", programme="other", label="Kurs", enrolled=1, at="2025-07-01T00:00:00Z"),
]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    order=st.permutations(FIXED),
    duplicates=st.lists(st.sampled_from(FIXED), max_size=6),
    cuts=st.lists(st.integers(min_value=0, max_value=14), max_size=4),
)
def test_any_order_batching_and_duplicates_give_the_same_reports(order, duplicates, cuts):
    expected = Indicators()
    expected.apply(FIXED)
    stream = [*order, *duplicates]
    views = Indicators()
    bounds = sorted({0, *[c for c in cuts if c < len(stream)], len(stream)})
    for start, end in itertools.pairwise(bounds):
        views.apply(stream[start:end])
    assert views.current() == expected.current()
    assert views.letters() == []
