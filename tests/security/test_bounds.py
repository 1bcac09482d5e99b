"""The bounds gate (``schemas/bounds.py``) against instants, periods and numbers it did not choose.

Generated over the whole ``datetime`` range and every period a pattern admits: accepted
exactly when the rule says so, and the stored keys of accepted instants sort as the
instants do. Every count and amount refuses a JSON boolean.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schemas.bounds import EARLIEST, MAX_AHEAD
from schemas.parsing import EventRefused, load_recorded, parse_event
from services.core.instants import utc_key
from tests.conftest import NOW
from tests.support.factories import metrics, registered
from tests.support.indicator_factories import alarms, competence

zones = st.integers(min_value=-14 * 60, max_value=14 * 60).map(lambda m: timezone(timedelta(minutes=m)))
# Naive bounds ± a day, so that the zone cannot push the instant out of datetime's range.
instants = st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=zones)
periods = st.builds(
    lambda year, month: f"{year:04d}-{month:02d}",
    st.integers(min_value=1, max_value=9999),
    st.integers(min_value=1, max_value=12),
)


def _rules(event: dict) -> set[tuple[str, str]]:
    try:
        parse_event(event, now=NOW)
    except EventRefused as refused:
        return {(e.field, e.rule) for e in refused.errors}
    return set()


@settings(max_examples=500)
@given(moment=instants)
def test_an_instant_enters_only_between_2000_and_a_day_ahead(moment):
    rules = _rules(registered("p1", at=moment.isoformat()))
    if moment < EARLIEST:
        assert rules == {("occurred_at", "instant_too_early")}
    elif moment > NOW + MAX_AHEAD:
        assert rules == {("occurred_at", "occurred_in_future")}
    else:
        assert rules == set()


@settings(max_examples=300)
@given(a=instants, b=instants)
def test_stored_instant_keys_sort_as_the_instants(a, b):
    assert (utc_key(a) < utc_key(b)) == (a < b)
    assert len(utc_key(a)) == len(utc_key(b)) == len("2024-01-01T00:00:00.000000Z")


@settings(max_examples=500)
@given(period=periods)
def test_a_period_enters_only_from_2000_and_once_it_has_begun(period):
    monthly = _rules(metrics("p1", period, users_active=1, at="2026-11-30T08:00:00Z"))
    alarm = _rules(alarms(period=period, at="2026-11-30T08:00:00Z"))
    yearly = _rules(competence(period=period[:4], at="2026-11-30T08:00:00Z"))
    current = (NOW + MAX_AHEAD).strftime("%Y-%m")
    if not 2000 <= int(period[:4]) <= 2999:  # outside the pattern
        assert ("payload.period", "string_pattern_mismatch") in monthly & alarm
        assert ("payload.period", "string_pattern_mismatch") in yearly
    elif period > current:
        assert monthly == alarm == {("payload.period", "period_in_future")}
        expected = {("payload.period", "period_in_future")} if period[:4] > current[:4] else set()
        assert yearly == expected
    else:
        assert monthly == alarm == yearly == set()


def test_a_record_written_past_the_api_meets_the_same_clock_rules():
    record = {**metrics("p1", "2099-12", users_active=1), "recorded_at": NOW.isoformat(), "source": "kafka"}
    with pytest.raises(EventRefused) as refused:
        load_recorded(record)
    assert [(e.field, e.rule) for e in refused.value.errors] == [("payload.period", "period_in_future")]
    # Replays of what the platform accepted long ago still load.
    old = {**metrics("p1", "2021-01", users_active=1), "recorded_at": "2021-02-01T00:00:00+00:00"}
    assert load_recorded(old).event.payload.period == "2021-01"


COUNT_FIELDS = {
    "metrics": ("users_active", "devices_deployed", "avoided_visits", "hours_saved", "cost_nok"),
    "alarms": (
        "users_connected",
        "alarms_received",
        "alarms_false",
        "responses_on_site",
        "response_time_p50_s",
    ),
    "competence": ("staff_enrolled", "staff_completed", "hours"),
}
BUILDERS = {
    "metrics": lambda: metrics("p1", "2026-10", users_active=1, at="2026-11-01T08:00:00Z"),
    "alarms": lambda: alarms(at="2026-11-01T08:00:00Z"),
    "competence": lambda: competence(at="2026-11-01T08:00:00Z"),
}


@pytest.mark.parametrize(
    ("kind", "field"), [(kind, field) for kind, fields in COUNT_FIELDS.items() for field in fields]
)
@given(value=st.booleans())
def test_a_boolean_is_never_a_count_or_an_amount(kind, field, value):
    event = BUILDERS[kind]()
    event["payload"][field] = value
    assert ("payload." + field, "boolean_not_a_number") in _rules(event)


@given(day=st.dates())
def test_a_start_date_lies_between_2000_and_2100(day):
    rules = _rules(registered("p1", started_on=day.isoformat(), at="2026-11-01T08:00:00Z"))
    assert (rules == set()) == (2000 <= day.year <= 2100)

