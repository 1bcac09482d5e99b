"""The identity-number screen (``schemas/privacy.py``) against numbers written every way,
with python-stdnum as the oracle, and against the look-alikes that must pass.

Then through the platform: an event or an OCDS release holding a number in any written
form is refused or redacted, and nothing the test sent is found afterwards in the data
directory, the log or any response.
"""

from __future__ import annotations

import json
import logging
from urllib.parse import quote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from stdnum.no import fodselsnummer

from schemas.privacy import (
    identity_number_paths,
    number_is_identity_number,
    redact_identity_numbers,
    text_contains_identity_number,
)
from tests.support.factories import lesson
from tests.support.identity_numbers import (
    identity_numbers,
    look_alikes,
    texts_with_identity_numbers,
    written_forms,
)


@settings(max_examples=1000)
@given(case=texts_with_identity_numbers())
def test_every_written_form_is_found_and_redacted(case):
    text, number = case
    assert fodselsnummer.is_valid(number)
    assert text_contains_identity_number(text), ascii(text)
    redacted = redact_identity_numbers(text)
    assert not text_contains_identity_number(redacted), ascii(redacted)
    assert "[removed]" in redacted


@settings(max_examples=1000)
@given(text=look_alikes())
def test_look_alikes_pass(text):
    assert not text_contains_identity_number(text), ascii(text)
    assert redact_identity_numbers(text) == text


@settings(max_examples=300)
@given(number=identity_numbers())
def test_json_numbers_are_screened_as_integers_and_floats(number):
    assert number_is_identity_number(int(number)) and number_is_identity_number(float(number))
    assert identity_number_paths({"payload": {"cost_nok": float(number)}}) == ["payload.cost_nok"]
    assert not number_is_identity_number(int(number) + 0.5)


@settings(max_examples=300)
@given(number=identity_numbers(), data=st.data())
def test_member_names_and_nested_values_name_their_paths_without_the_value(number, data):
    form = data.draw(written_forms(number))
    paths = identity_number_paths({"a": [{"b": f"x {form} y"}], f"k {form}": 1})
    assert paths == ["a[0].b", "k [removed]"] and number not in json.dumps(paths)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=texts_with_identity_numbers())
def test_an_event_holding_one_is_refused_naming_the_field_only(client, case):
    text, number = case
    response = client.post("/v1/events", json=lesson("p1", text=text.strip() or "x", municipality="3420"))
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["rule"] == "identity_number"
    assert number not in response.text and text.strip() not in response.text


SERVER_LOGGERS = ("alliance", "api", "services", "streams", "uvicorn")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=texts_with_identity_numbers())
def test_nothing_sent_is_left_anywhere(client, platform, caplog, case):
    """Sent in a body, a path and a query: afterwards in no file, log line or answer."""
    text, number = case
    with caplog.at_level(logging.DEBUG):
        caplog.clear()
        answers = [
            client.post("/v1/events", json=lesson("p1", text=text.strip() or "x", municipality="3420")),
            client.get(f"/v1/events/{number}"),
            client.get(f"/v1/pilots/{quote(text.strip() or number, safe='')}"),
            client.get("/v1/lessons", params={"q": text}),
            client.put("/v1/membership", json={"members": ["3420"], "source": text, "as_of": "2026-01-01"}),
        ]
        platform.drain()
    assert [a.status_code for a in answers] == [422, 400, 400, 400, 422], [a.text for a in answers]
    assert answers[3].json()["errors"][0] == {
        "field": "query.q",
        "rule": "identity_number",
        "message": "Contains a Norwegian national identity number",
    }
    files = b"".join(p.read_bytes() for p in platform.settings.data_dir.rglob("*") if p.is_file())
    log = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith(SERVER_LOGGERS))
    for answer in answers:
        assert number not in answer.text
    assert number.encode() not in files and number not in log


@given(case=texts_with_identity_numbers())
def test_log_lines_are_redacted_whatever_a_caller_hands_the_logger(case):
    from streams.observability.log_format import JsonFormatter, RedactingTextFormatter

    text, _number = case
    record = logging.LogRecord("uvicorn.access", logging.INFO, "", 0, "GET /v1/x?q=%s", (text,), None)
    record.path = text
    for formatter in (JsonFormatter(), RedactingTextFormatter("%(message)s")):
        line = formatter.format(record)
        assert not text_contains_identity_number(
            json.loads(line)["message"] if line.startswith("{") else line
        )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=texts_with_identity_numbers())
def test_ocds_free_text_is_redacted_in_any_written_form(client, platform, case):
    from services.procurement.examples import sor_osterdal_safety_alarm_releases

    text, number = case
    releases = sor_osterdal_safety_alarm_releases()
    releases[0]["tender"]["description"] = f"Kontakt {text}"
    assert client.post("/v1/procurement/releases", json=releases).status_code == 200
    platform.drain()
    answer = client.get(f"/v1/procurement/records/{releases[0]['ocid']}")
    assert answer.status_code == 200 and number not in answer.text
    assert "[removed]" in answer.text


@settings(max_examples=500)
@given(
    text=texts_with_identity_numbers().map(lambda c: c[0]) | look_alikes(),
    number=st.integers(min_value=0, max_value=10**11) | st.floats(allow_nan=False),
    shape=st.integers(0, 2),
)
def test_the_serialised_shortcut_agrees_with_the_walk(text, number, shape):
    from schemas.privacy import _walk

    value = [{"t": text}, {"n": number}, {text[:20]: [number, "x"]}][shape]
    assert bool(identity_number_paths(value)) == bool(list(_walk(value, ())))
