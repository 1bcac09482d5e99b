"""Identity numbers: paths name only the values that hold one, redaction only replaces those."""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from schemas.privacy import identity_number_paths, redact_identity_numbers, text_contains_identity_number
from tests.support.factories import FNR


def test_a_large_number_beside_an_identity_number_is_not_named():
    # The whole value is walked once the fast scan finds FNR; 15087549958 fails the check digits.
    assert identity_number_paths({"note": f"bruker {FNR}", "count": 15087549958}) == ["note"]


def test_an_identity_number_given_as_a_number_is_named():
    assert identity_number_paths({"note": "ok", "count": int(FNR)}) == ["count"]


def test_redaction_keeps_eleven_digits_that_fail_the_check():
    assert redact_identity_numbers(f"a 15087549958 b {FNR}") == "a 15087549958 b [removed]"


def test_a_value_that_is_not_plain_json_is_still_walked():
    # orjson refuses integers beyond 64 bits and sets; the walk must still find the number.
    assert identity_number_paths({"big": 2**70, "note": f"bruker {FNR}"}) == ["note"]
    assert identity_number_paths({"ids": {1, 2}, "x": [{"y": FNR}]}) == ["x[0].y"]
    assert identity_number_paths({"big": 2**70, "note": "ok"}) == []


def test_an_identity_number_of_exactly_eleven_characters_is_found_and_redacted():
    assert len(FNR) == 11
    assert identity_number_paths(FNR) == ["$"]
    assert identity_number_paths({FNR: 1}) == ["[removed]"]
    assert redact_identity_numbers(FNR) == "[removed]"


_around = st.text(alphabet=st.characters(max_codepoint=0x7F), max_size=3)


@given(_around, _around)
@example("\x01", "")  # serialised as \u0001, whose last digit joins the number
@example("a\x19", "\x00")
@example("\\u", "")  # a backslash and a "u" written by the client, not an escape
def test_an_identity_number_next_to_a_control_character_is_found(before: str, after: str):
    text = before + FNR + after
    expected = ["note"] if text_contains_identity_number(text) else []
    assert identity_number_paths({"note": text}) == expected
