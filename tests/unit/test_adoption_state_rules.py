"""Incremental pilot state: which report counts for a period, and the latest figures."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.adoption.pilots import PENDING, REJECTED, WRONG_OWNER
from services.adoption.records import Fact, LatestFigure, PilotState
from services.adoption.state import NeedsRebuild, advance, period_id, rebuild, summary, winner

OWNER, OTHER = "3403", "3405"


def _metrics(event_id: str, at: str, period: str, municipality: str = OWNER, **values) -> Fact:
    payload = {"pilot_id": "p1", "period": period, **values}
    return Fact(event_id, "pilot.metrics_reported", municipality, at, payload)


def _registered(at: str = "2021-01-01T00:00:00Z") -> Fact:
    return Fact("reg", "pilot.registered", OWNER, at, {"pilot_id": "p1", "technology": "alarm"})


@given(st.permutations(range(4)))
def test_the_owners_latest_report_counts_for_a_period(order):
    reports = [
        _metrics("b", "2021-02-01T00:00:00Z", "2021-01", users_active=1),
        _metrics("a", "2021-03-01T00:00:00Z", "2021-01", users_active=2),
        _metrics("c", "2021-03-01T00:00:00Z", "2021-01", users_active=3),  # same instant, larger id
        _metrics("z", "2021-09-01T00:00:00Z", "2021-01", OTHER, users_active=9),
    ]
    best = winner([reports[i] for i in order], OWNER)
    assert best is not None
    assert (best.period, best.order, dict(best.values)) == (
        "2021-01",
        ("2021-03-01T00:00:00Z", "c"),
        {"users_active": 3},
    )


def test_no_report_counts_without_one_from_the_owner():
    assert winner([_metrics("z", "2021-09-01T00:00:00Z", "2021-01", OTHER, users_active=9)], OWNER) is None
    assert winner([], OWNER) is None


def test_a_correction_without_the_latest_figure_falls_back_to_the_latest_period_reporting_it():
    facts = [
        _registered(),
        _metrics("m3", "2021-02-01T00:00:00Z", "2021-01", users_active=3),
        _metrics("m5", "2021-03-01T00:00:00Z", "2021-03", users_active=5),
        _metrics("m4", "2021-04-01T00:00:00Z", "2021-02", users_active=4),
        # corrects 2021-03 and no longer reports users: 2021-02 is now the latest with users
        _metrics("m5b", "2021-05-01T00:00:00Z", "2021-03", devices_deployed=1),
    ]
    state = rebuild("p1", facts).state
    assert state.latest["users_active"] == LatestFigure("2021-02", 4)
    assert state.latest["devices_deployed"] == LatestFigure("2021-03", 1)


def test_a_correction_that_withdraws_the_only_figure_leaves_none():
    facts = [
        _registered(),
        _metrics("m3", "2021-02-01T00:00:00Z", "2021-01", users_active=3),
        _metrics("m3b", "2021-03-01T00:00:00Z", "2021-01", devices_deployed=2),
    ]
    state = rebuild("p1", facts).state
    assert "users_active" not in state.latest
    assert state.latest["devices_deployed"] == LatestFigure("2021-01", 2)


def test_facts_of_an_unregistered_pilot_wait_for_its_registration():
    facts = [_metrics("m1", "2021-02-01T00:00:00Z", "2021-01", users_active=3)]
    result = advance(PilotState("p1"), {}, facts)
    assert [(j.fact, j.status) for j in result.judged] == [(facts[0], PENDING)]
    assert not result.changed


def test_a_later_registration_by_another_municipality_is_rejected_not_rebuilt():
    state = rebuild("p1", [_registered()]).state
    foreign = Fact("reg2", "pilot.registered", OTHER, "2021-06-01T00:00:00Z", {"pilot_id": "p1"})
    result = advance(state, {}, [foreign])
    assert [(j.status, j.reason) for j in result.judged] == [(REJECTED, WRONG_OWNER)]
    earlier = Fact("reg0", "pilot.registered", OTHER, "2020-06-01T00:00:00Z", {"pilot_id": "p1"})
    with pytest.raises(NeedsRebuild):
        advance(state, {}, [earlier])


def test_a_correction_replaces_the_stored_report_of_its_period():
    first = _metrics(
        "m1",
        "2021-02-01T00:00:00Z",
        "2021-01",
        users_active=3,
        cost_nok=100.5,
        avoided_visits=4,
    )
    state = rebuild("p1", [_registered(), first]).state
    correction = _metrics("m2", "2021-03-01T00:00:00Z", "2021-01", users_active=5, cost_nok=20)
    result = advance(state, {period_id("p1", "2021-01"): [first]}, [correction])
    assert result.state.sums == {"hours_saved": 0, "cost_nok": 2000, "avoided_visits": 0}
    assert result.state.latest["users_active"] == LatestFigure("2021-01", 5)
    report = result.periods[period_id("p1", "2021-01")]
    assert (report.order, dict(report.values)) == (correction.order, {"users_active": 5, "cost_nok": 20})
    # The stored state is left as it was.
    assert state.sums["cost_nok"] == 10050


def test_a_discontinued_pilot_counts_no_current_users_or_devices():
    registration = Fact(
        "reg",
        "pilot.registered",
        OWNER,
        "2021-01-01T00:00:00Z",
        {"pilot_id": "p1", "started_on": "2021-01-01"},
    )
    figures = _metrics(
        "m1", "2021-02-01T00:00:00Z", "2021-01", users_active=3, devices_deployed=2, avoided_visits=4
    )
    running = summary(rebuild("p1", [registration, figures]).state)
    assert (running["started_on"], running["users_active"], running["devices_deployed"]) == (
        "2021-01-01",
        3,
        2,
    )
    stop = Fact(
        "end", "pilot.concluded", OWNER, "2021-03-01T00:00:00Z", {"pilot_id": "p1", "outcome": "stopped"}
    )
    stopped = summary(rebuild("p1", [registration, figures, stop]).state)
    assert (stopped["phase"], stopped["phase_since"]) == ("discontinued", "2021-03-01T00:00:00Z")
    assert (stopped["users_active"], stopped["devices_deployed"], stopped["avoided_visits"]) == (0, 0, 4)
