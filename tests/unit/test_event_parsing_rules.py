"""Parsing rules: limits are inclusive, refusals read the same everywhere, log records round-trip."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schemas.bounds import MAX_AHEAD
from schemas.events import EVENT_TYPES, MAX_ENVELOPE_BYTES
from schemas.parsing import (
    EventRefused,
    FieldError,
    content_hash,
    load_recorded,
    parse_event,
    record_event,
)
from services.core.decoding import decode_entry
from services.core.ports import LogEntry
from tests.conftest import NOW
from tests.support.factories import FNR, lesson, registered


def _refusal(raw: Any, **kw: Any) -> list[FieldError]:
    with pytest.raises(EventRefused) as caught:
        parse_event(raw, now=kw.get("now", NOW))
    return caught.value.errors


def _padded(size: int) -> dict[str, Any]:
    """A valid event but for one extra field, padded to exactly ``size`` bytes of JSON."""
    raw = registered()
    raw["padding"] = ""
    raw["padding"] = "p" * (size - len(orjson.dumps(raw)))
    assert len(orjson.dumps(raw)) == size
    return raw


def test_an_event_of_exactly_the_size_limit_is_not_refused_for_its_size() -> None:
    at_limit = [(e.field, e.rule) for e in _refusal(_padded(MAX_ENVELOPE_BYTES))]
    assert at_limit == [("padding", "extra_forbidden")]
    (too_large,) = _refusal(_padded(MAX_ENVELOPE_BYTES + 1))
    assert (too_large.field, too_large.rule) == ("$", "envelope_too_large")
    assert too_large.message == f"An event may be at most {MAX_ENVELOPE_BYTES} bytes"


def test_an_event_exactly_the_allowed_time_ahead_is_accepted() -> None:
    limit = NOW + MAX_AHEAD
    assert parse_event(registered(at=limit.isoformat()), now=NOW).occurred_at == limit
    (late,) = _refusal(registered(at=(limit + timedelta(seconds=1)).isoformat()))
    assert (late.field, late.rule) == ("occurred_at", "occurred_in_future")
    assert late.message == "May be at most 24 h ahead"


def test_a_refusal_says_field_and_rule_of_every_error() -> None:
    refused = EventRefused([FieldError("a", "missing", "m"), FieldError("b.c", "too_long", "n")])
    assert str(refused) == "a: missing; b.c: too_long"


def test_the_parser_and_the_log_decoder_refuse_a_non_object_alike() -> None:
    (parsed,) = _refusal([1, 2])
    with pytest.raises(EventRefused) as caught:
        decode_entry(LogEntry(topic="t", partition=0, offset=0, key=None, value=b"[1, 2]"))
    assert [parsed] == caught.value.errors


def test_an_unknown_event_type_is_refused_without_repeating_it() -> None:
    raw = registered()
    raw["type"] = "pilot.secret-type"
    (error,) = _refusal(raw)
    assert (error.field, error.rule) == ("type", "unknown_event_type")
    assert "secret" not in error.message
    head, _, listed = error.message.partition("; expected one of ")
    assert head == "Unknown event type"
    assert tuple(listed.split(", ")) == EVENT_TYPES


def test_other_refusals_keep_their_own_message() -> None:
    raw = registered()
    del raw["event_id"]
    (error,) = _refusal(raw)
    assert (error.field, error.rule) == ("event_id", "missing")
    assert "event type" not in error.message


@settings(max_examples=50, deadline=None, database=None)
@given(st.permutations(list(registered())))
def test_the_content_hash_ignores_key_order_and_server_stamps(order: list[str]) -> None:
    document = registered(event_id="7d1b0e1c-0c5e-4c55-9d4f-2b1a6a1c9e01")
    reordered = {k: document[k] for k in order}
    stamped = {**reordered, "recorded_at": "2026-11-30T12:00:00+00:00", "source": "api"}
    assert content_hash(reordered) == content_hash(document) == content_hash(stamped)


def test_a_log_record_loads_back_with_its_stamps() -> None:
    recorded = record_event(parse_event(lesson("p1"), now=NOW), now=NOW, source="api")
    assert recorded.source == "api"
    record = recorded.to_record()
    assert (record["recorded_at"], record["source"]) == (NOW.isoformat(), "api")
    loaded = load_recorded(record)
    assert (loaded.recorded_at, loaded.source) == (NOW, "api")
    assert loaded.event_id == recorded.event_id
    assert loaded.content_hash == recorded.content_hash


def test_a_log_record_without_stamps_came_from_kafka_when_it_occurred() -> None:
    raw = lesson("p1")
    loaded = load_recorded(raw)
    assert loaded.source == "kafka"
    assert loaded.recorded_at == parse_event(raw, now=NOW).occurred_at


def test_a_log_record_with_an_identity_number_is_refused_like_an_incoming_event() -> None:
    raw = lesson("p1", text=f"Bruker {FNR} ringte")
    incoming = _refusal(raw)
    with pytest.raises(EventRefused) as caught:
        load_recorded({**raw, "recorded_at": NOW.isoformat(), "source": "import"})
    assert caught.value.errors == incoming
    assert [(e.field, e.rule, e.message) for e in incoming] == [
        ("payload.text", "identity_number", "Contains a Norwegian national identity number")
    ]
