"""Identity numbers are refused anywhere in an event, in every format, and never echoed."""

from __future__ import annotations

import pytest

from schemas.parsing import EventRefused, parse_event
from schemas.privacy import identity_number_paths, redact_identity_numbers, text_contains_identity_number
from tests.conftest import NOW
from tests.support.factories import D_NUMBER, FNR, H_NUMBER, concluded, lesson, metrics, registered

NUMBERS = [FNR, D_NUMBER, H_NUMBER]


def formats(number: str) -> list[str]:
    return [number, f"{number[:6]} {number[6:]}", f"{number[:6]}-{number[6:]}"]


@pytest.mark.parametrize("written", [f for n in NUMBERS for f in formats(n)])
def test_every_format_is_detected_in_free_text(written):
    assert text_contains_identity_number(f"Bruker {written} fikk alarm")
    assert text_contains_identity_number(written)


@pytest.mark.parametrize(
    "text",
    [
        "15087549958",
        "1508754995",
        "150875499577",
        "tel 22 33 44 55",
        "orgnr 952857991",
        "2021-01-01",
    ],
)
def test_near_misses_are_not_identity_numbers(text):
    # wrong check digit, too short, inside a longer digit run, phone, org number, date, wrong split
    assert not text_contains_identity_number(text)


def test_redaction_keeps_the_rest():
    assert redact_identity_numbers(f"a {FNR} b") == "a [removed] b"


def test_paths_cover_nested_structures_keys_and_numbers():
    value = {"a": [{"b": f"x {FNR}"}], FNR: 1, "n": int(FNR), "ok": "fine"}
    # A key that holds one is named by its position only: the path never repeats the number.
    assert sorted(identity_number_paths(value)) == sorted(["a[0].b", "[removed]", "n"])


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda n: registered(title=f"Pilot for {n}"), "payload.title"),
        (lambda n: registered(target_group=n), "payload.target_group"),
        (lambda n: registered(partners=["HelseINN", n]), "payload.partners[1]"),
        (lambda n: registered(pilot_id=n), "payload.pilot_id"),
        (lambda n: lesson("p1", text=f"Brukeren ({n}) falt."), "payload.text"),
        (lambda n: lesson("p1", tags=[n]), "payload.tags[0]"),
        (lambda n: concluded("p1", "continued", summary=n), "payload.summary"),
        (lambda n: {**metrics("p1", "2021-01", users_active=1), "note": n}, "note"),
        (lambda n: {**registered(), "event_id": n}, "event_id"),
    ],
)
@pytest.mark.parametrize("number", NUMBERS)
def test_identity_number_in_any_field_refuses_the_event(build, field, number):
    with pytest.raises(EventRefused) as caught:
        parse_event(build(number), now=NOW)
    errors = caught.value.errors
    assert [(e.field, e.rule) for e in errors] == [(field, "identity_number")]
    assert all(number not in e.message and number not in e.field for e in errors)
