"""The event contracts: every rule of the envelope and payloads, and how refusals read."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from schemas.parsing import EventRefused, parse_event
from tests.conftest import NOW
from tests.support.factories import concluded, lesson, metrics, phase, registered


def refusal(raw: Any) -> list[tuple[str, str]]:
    with pytest.raises(EventRefused) as caught:
        parse_event(raw, now=NOW)
    return [(e.field, e.rule) for e in caught.value.errors]


def test_valid_events_of_every_type_parse():
    for raw in (
        registered(
            partners=["952 857 991", "HelseINN"], started_on="2020-02-01", target_group="Hjemmeboende eldre"
        ),
        phase("p1", "piloting"),
        metrics("p1", "2021-03", users_active=3, hours_saved=1.5),
        lesson("p1", tags=["Opplæring"]),
        concluded("p1", "scaled_up"),
    ):
        parsed = parse_event(raw, now=NOW)
        assert parsed.type == raw["type"]


def test_pre2020_municipality_code_is_normalised():
    assert parse_event(registered(municipality="0427"), now=NOW).municipality == "3420"


def test_partner_org_numbers_are_compacted_and_checked():
    parsed = parse_event(registered(partners=["952 857 991"]), now=NOW)
    assert parsed.payload.partners == ["952857991"]
    assert refusal(registered(partners=["952857992"])) == [("payload.partners[0]", "invalid_org_number")]


def test_tags_are_lowercased():
    assert parse_event(lesson("p1", tags=["Opplæring"]), now=NOW).payload.tags == ["opplæring"]


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda e: e.pop("event_id"), ("event_id", "missing")),
        (lambda e: e.update(event_id="not-a-uuid"), ("event_id", "uuid_parsing")),
        (lambda e: e.update(type="pilot.unknown"), ("type", "unknown_event_type")),
        (lambda e: e.pop("type"), ("type", "missing")),
        (lambda e: e.update(schema_version=2), ("schema_version", "literal_error")),
        (lambda e: e.update(municipality="9999"), ("municipality", "unknown_municipality")),
        (lambda e: e.update(municipality="0301"), ("municipality", "unknown_municipality")),
        (lambda e: e.update(occurred_at="2021-01-01T08:00:00"), ("occurred_at", "timezone_aware")),
        (lambda e: e.update(occurred_at="yesterday"), ("occurred_at", "datetime_from_date_parsing")),
        (lambda e: e.update(extra="x"), ("extra", "extra_forbidden")),
        (lambda e: e.update(recorded_at="2021-01-01T08:00:00Z"), ("recorded_at", "extra_forbidden")),
        (lambda e: e["payload"].update(technology="robot"), ("payload.technology", "literal_error")),
        (lambda e: e["payload"].update(title="x" * 201), ("payload.title", "string_too_long")),
        (lambda e: e["payload"].update(title=""), ("payload.title", "string_too_short")),
        (lambda e: e["payload"].update(title="a\x07b"), ("payload.title", "control_characters")),
        (lambda e: e["payload"].update(title="two\nlines"), ("payload.title", "single_line")),
        (
            lambda e: e["payload"].update(pilot_id="has space"),
            ("payload.pilot_id", "string_pattern_mismatch"),
        ),
        (lambda e: e["payload"].update(unknown=1), ("payload.unknown", "extra_forbidden")),
        (
            lambda e: e["payload"].update(started_on="2020-13-01"),
            ("payload.started_on", "date_from_datetime_parsing"),
        ),
        (lambda e: e["payload"].update(partners=["p"] * 51), ("payload.partners", "too_long")),
    ],
)
def test_registered_refusals_name_field_and_rule(mutate, expected):
    raw = registered()
    mutate(raw)
    assert expected in refusal(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (phase("p1", "done"), ("payload.phase", "literal_error")),
        (metrics("p1", "2021-13", users_active=1), ("payload.period", "string_pattern_mismatch")),
        (metrics("p1", "2021-1", users_active=1), ("payload.period", "string_pattern_mismatch")),
        (metrics("p1", "2021-01", users_active=-1), ("payload.users_active", "greater_than_equal")),
        (metrics("p1", "2021-01", cost_nok=-0.5), ("payload.cost_nok", "greater_than_equal")),
        (metrics("p1", "2021-01", hours_saved=float("nan")), ("payload.hours_saved", "finite_number")),
        (metrics("p1", "2021-01", users_active="many"), ("payload.users_active", "int_parsing")),
        (metrics("p1", "2021-01"), ("payload", "metrics_missing")),
        (lesson("p1", text="x" * 10_001), ("payload.text", "string_too_long")),
        (lesson("p1", tags=["t"] * 21), ("payload.tags", "too_long")),
        (concluded("p1", "abandoned"), ("payload.outcome", "literal_error")),
        (concluded("p1", "continued", summary=""), ("payload.summary", "string_too_short")),
    ],
)
def test_payload_refusals(raw, expected):
    assert expected in refusal(raw)


def test_occurred_at_at_most_24_hours_ahead():
    ok = registered(at=(NOW + timedelta(hours=23)).isoformat())
    parse_event(ok, now=NOW)
    late = registered(at=(NOW + timedelta(hours=25)).isoformat())
    assert refusal(late) == [("occurred_at", "occurred_in_future")]


def test_envelope_size_limit():
    raw = lesson("p1", text="x" * 9000)
    raw["payload"]["tags"] = ["y" * 50] * 20
    parse_event(raw, now=NOW)
    huge = lesson("p1", text="é" * 10_000)
    huge["payload"]["title"] = "x" * 200
    huge["padding"] = "p" * 70_000
    assert refusal(huge) == [("$", "envelope_too_large")]


def test_not_an_object():
    assert refusal([1, 2]) == [("$", "type")]
    assert refusal("event") == [("$", "type")]


def test_messages_never_echo_the_input():
    raw = registered(title="x" * 201)
    with pytest.raises(EventRefused) as caught:
        parse_event(raw, now=NOW)
    assert all("xxxx" not in e.message for e in caught.value.errors)
