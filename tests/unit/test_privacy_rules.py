"""Identity numbers: paths name only the values that hold one, redaction only replaces those."""

from __future__ import annotations

from schemas.privacy import identity_number_paths, redact_identity_numbers
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
