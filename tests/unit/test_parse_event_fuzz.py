"""Property-based fuzzing of the event parser: any JSON in, a valid event or named refusals out.

Properties: ``parse_event`` never raises anything but :class:`EventRefused`; every refusal
names a field and a rule and never repeats an identity number; an identity number planted
anywhere (any field, any format, in a member name too) always refuses the event; mutations
of a valid event either still validate or are refused, never crash.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schemas.parsing import EventRefused, parse_event
from tests.conftest import NOW
from tests.support.factories import D_NUMBER, FNR, H_NUMBER, concluded, lesson, metrics, phase, registered

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
IDENTITY_TEXTS = [
    FNR,
    f"{FNR[:6]} {FNR[6:]}",
    f"{FNR[:6]}-{FNR[6:]}",
    D_NUMBER,
    H_NUMBER,
    f"tekst {D_NUMBER[:6]}-{D_NUMBER[6:]} tekst",
]
SECRET_DIGITS = [FNR[6:], D_NUMBER[6:], H_NUMBER[6:]]

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=50)
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=20), children, max_size=5)
    ),
    max_leaves=30,
)
valid_events = st.sampled_from(
    [
        lambda: registered("p1", partners=["HelseINN"], target_group="hjemmeboende"),
        lambda: phase("p1", "operation"),
        lambda: metrics("p1", "2021-03", users_active=12, devices_deployed=13, hours_saved=2.5, cost_nok=100),
        lambda: lesson("p1", tags=["opplæring"]),
        lambda: concluded("p1", "scaled_up"),
    ]
).map(lambda build: build())


def _outcome(raw: Any) -> list[tuple[str, str]] | None:
    """None when valid; else the (field, rule) pairs. Anything else escaping is a failure."""
    try:
        parse_event(raw, now=NOW)
    except EventRefused as refused:
        assert refused.errors
        for error in refused.errors:
            assert error.field and error.rule and error.message
            for digits in SECRET_DIGITS:
                assert digits not in error.field and digits not in error.message
        return [(e.field, e.rule) for e in refused.errors]
    return None


@SETTINGS
@given(json_values)
def test_any_json_value_is_parsed_or_refused_with_named_rules(value):
    _outcome(value)


@SETTINGS
@given(valid_events, st.data())
def test_mutated_events_never_crash_the_parser(event, data):
    paths = [(k,) for k in event] + [("payload", k) for k in event["payload"]]
    path = data.draw(st.sampled_from(paths))
    target = event if len(path) == 1 else event["payload"]
    if data.draw(st.booleans()):
        target[path[-1]] = data.draw(json_values)
    else:
        del target[path[-1]]
    _outcome(event)


@SETTINGS
@given(valid_events, st.data())
def test_an_identity_number_anywhere_refuses_the_event(event, data):
    secret = data.draw(st.sampled_from(IDENTITY_TEXTS))
    where = data.draw(st.sampled_from(["value", "key", "list", "number"]))
    key = data.draw(st.sampled_from(sorted(event["payload"])))
    if where == "value":
        event["payload"][key] = secret
    elif where == "key":
        event["payload"][secret] = 1
    elif where == "list":
        event["payload"][key] = ["ok", secret]
    else:
        event["payload"][key] = int(FNR)
    outcome = _outcome(event)
    assert outcome is not None and any(rule == "identity_number" for _, rule in outcome)


@SETTINGS
@given(valid_events, st.text(min_size=1, max_size=40))
def test_valid_events_with_any_title_or_text_are_accepted_or_refused_cleanly(event, text):
    for field in ("title", "text", "summary"):
        if field in event["payload"]:
            event["payload"][field] = text
    outcome = _outcome(event)
    if outcome is not None:
        assert {f for f, _ in outcome} <= {"payload.title", "payload.text", "payload.summary"}
