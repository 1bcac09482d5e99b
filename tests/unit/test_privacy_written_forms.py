"""Identity numbers written in other digits, with hidden characters, in groups, as numbers."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from schemas.privacy import (
    identity_number_paths,
    number_is_identity_number,
    redact_identity_numbers,
    text_contains_identity_number,
)
from tests.support.factories import D_NUMBER, FNR

BORN_ON_THE_FIRST = "01018012371"  # as a JSON number it loses its leading zero: ten digits


def _in_digits(number: str, zero: str) -> str:
    return "".join(chr(ord(zero) + int(d)) for d in number)


def test_digits_of_other_scripts_are_read_as_digits():
    for zero in ("\u0660", "\uff10"):  # Arabic-Indic, full-width
        written = _in_digits(FNR, zero)
        assert text_contains_identity_number(f"bruker {written}")
        assert redact_identity_numbers(f"a {written} b") == "a [removed] b"


def test_characters_that_normalise_to_digits_are_found_alone_or_not():
    # Superscript digits become digits under NFKC; whether the text also holds other
    # digits must not decide whether the number is found.
    superscripts = FNR.translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))
    assert text_contains_identity_number(superscripts)
    assert text_contains_identity_number(f"{superscripts} og 12345678901")
    assert redact_identity_numbers(f"a {superscripts} b") == "a [removed] b"
    # Circled numbers: ten characters, eleven digits.
    assert text_contains_identity_number("⑮⓪⑧⑦⑤④⑨⑨⑤⑦")
    assert identity_number_paths({"note": "⑮⓪⑧⑦⑤④⑨⑨⑤⑦"}) == ["note"]
    assert not text_contains_identity_number("⑮⓪⑧⑦⑤④⑨⑨⑤")


@given(st.sampled_from(["\u00ad", "\u200b", "\u2060", "\ufeff"]), st.integers(1, 10))
def test_a_format_character_inside_the_number_does_not_hide_it(hidden, cut):
    written = FNR[:cut] + hidden + FNR[cut:]
    assert text_contains_identity_number(f"bruker {written} æ")
    assert redact_identity_numbers(f"ø {written} ø") == "ø [removed] ø"
    assert identity_number_paths({"note": written}) == ["note"]


def test_a_number_after_shorter_digit_groups_is_found():
    assert text_contains_identity_number(f"tel 12 {FNR}")
    assert redact_identity_numbers(f"tel 12 {FNR}") == "tel 12 [removed]"
    assert redact_identity_numbers(f"1234 {FNR[:6]} {FNR[6:]}") == "1234 [removed]"


def test_a_digit_of_another_kind_makes_a_longer_number():
    # U+1369 (Ethiopic digit one) is a digit but not a decimal one; it joins the run.
    assert not text_contains_identity_number(f"\u1369{FNR} x")
    assert not text_contains_identity_number(f"x {FNR}\u1369")
    assert not text_contains_identity_number(f"x \u1369{FNR} x")
    # ... and a skipped run does not stop the search.
    assert redact_identity_numbers(f"\u1369{FNR} og {D_NUMBER}") == f"\u1369{FNR} og [removed]"


def test_every_number_in_a_text_is_redacted():
    text = f"a {FNR} b {D_NUMBER} c {FNR}"
    assert redact_identity_numbers(text) == "a [removed] b [removed] c [removed]"
    assert redact_identity_numbers(f"{FNR} {D_NUMBER}".replace(" ", "    ")) == "[removed]    [removed]"


def test_separators_that_json_escapes_do_not_hide_a_number():
    for separator in ("\n", "\t", "\r", "\f"):
        written = FNR[:6] + separator + FNR[6:]
        assert identity_number_paths({"note": written}) == ["note"]
        assert identity_number_paths([{"x": 1}, written]) == ["[1]"]


def test_json_numbers_are_identity_numbers_only_when_written_as_one():
    assert number_is_identity_number(int(FNR)) and number_is_identity_number(float(FNR))
    assert number_is_identity_number(int(BORN_ON_THE_FIRST))
    assert number_is_identity_number(float(BORN_ON_THE_FIRST))
    assert identity_number_paths({"n": int(BORN_ON_THE_FIRST)}) == ["n"]
    assert not number_is_identity_number(int(FNR) + 0.5)
    for not_a_number in (FNR, BORN_ON_THE_FIRST, None, [int(FNR)], True):
        assert not number_is_identity_number(not_a_number)
