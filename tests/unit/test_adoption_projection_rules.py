"""Batch projection: new facts, copies and reused ids; the periods a batch touches."""

from __future__ import annotations

from services.adoption.projection import split_new, touched_periods
from services.adoption.records import Fact


def _fact(event_id: str, event_type: str = "pilot.metrics_reported", pilot: str = "p1", **payload) -> Fact:
    return Fact(event_id, event_type, "3403", "2021-02-01T00:00:00Z", {"pilot_id": pilot, **payload})


def test_only_metrics_facts_touch_periods():
    facts = [
        _fact("a", period="2021-01"),
        _fact("b", pilot="p2", period="2021-01"),
        _fact("c", period="2021-01"),
        _fact("d", "pilot.registered"),
        _fact("e", "pilot.phase_changed", phase="operation"),
    ]
    assert touched_periods(facts) == {"p1|2021-01", "p2|2021-01"}
    assert touched_periods([_fact("d", "pilot.registered")]) == set()


def test_copies_are_counted_and_reused_ids_kept_apart():
    known = {"a": _fact("a", period="2021-01")}
    split = split_new(
        known,
        [
            _fact("a", period="2021-01"),  # a copy of a known fact
            _fact("a", period="2021-02"),  # a known id with other content
            _fact("b", period="2021-01"),
            _fact("b", period="2021-01"),  # a copy within the batch
            _fact("b", period="2021-03"),  # a reuse within the batch
        ],
    )
    assert [f.event_id for f in split.new] == ["b"]
    assert split.duplicates == 2
    conflicts = [(f.event_id, f.payload["period"]) for f in split.conflicts]
    assert conflicts == [("a", "2021-02"), ("b", "2021-03")]
