"""Compilation rules: merge order, the choice among conflicting copies, refusals, warnings."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from services.procurement.compile import (
    CompileError,
    compile_by_ocid,
    compile_releases,
    prepare_releases,
)

OCID = "ocds-213czf-rules"


def _release(release_id: str, date: str, **fields: Any) -> dict[str, Any]:
    return {
        "ocid": OCID,
        "id": release_id,
        "date": date,
        "tag": ["tender"],
        "initiationType": "tender",
        **fields,
    }


def _canonical_text(release: dict[str, Any]) -> str:
    """The documented canonical form: sorted keys, no whitespace, non-ASCII kept as text."""
    return json.dumps(release, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def test_releases_at_one_instant_merge_in_the_order_of_their_date_text() -> None:
    # The same instant written in two offsets: the date text decides, not the id.
    utc = _release("b", "2022-01-01T00:00:00Z", tender={"id": "t", "title": "first"})
    oslo = _release("a", "2022-01-01T01:00:00+01:00", tender={"id": "t", "title": "second"})
    for order in ([utc, oslo], [oslo, utc]):
        result = compile_releases(order)
        assert result.release_ids == ("b", "a")
        assert result.compiled["tender"]["title"] == "second"


def test_releases_with_the_same_date_merge_in_the_order_of_their_id() -> None:
    # "b" has the smaller content (its awards sort before the id), so only the id puts "a" first.
    one = _release("a", "2022-01-01T00:00:00Z", awards=[{"id": "z"}], tender={"id": "t", "title": "A"})
    two = _release("b", "2022-01-01T00:00:00Z", awards=[{"id": "a"}], tender={"id": "t", "title": "B"})
    for order in ([one, two], [two, one]):
        result = compile_releases(order)
        assert result.release_ids == ("a", "b")
        assert result.compiled["tender"]["title"] == "B"


def test_copies_that_differ_only_in_key_order_are_duplicates_not_conflicts() -> None:
    one = _release("r1", "2022-01-01T00:00:00Z", tender={"id": "t", "title": "x"})
    two = dict(reversed(list(one.items())))
    two["tender"] = {"title": "x", "id": "t"}
    ordered, dropped, conflicts = prepare_releases([one, two])
    assert dropped == 1
    assert conflicts == ()
    assert ordered == [one]


_text = st.text(alphabet='aAzZ~09 æøåÆØÅé\\"', max_size=4)
_amount = st.integers(min_value=0, max_value=200)


@settings(max_examples=200, deadline=None, database=None)
@given(st.lists(st.tuples(_text, _amount), min_size=2, max_size=4))
@example([("z", 1), ("Å", 1)])  # a letter outside ASCII sorts after every ASCII one
@example([("t", 1), ("t", 12)])  # the amount 1 ends where 12 goes on
def test_among_conflicting_copies_the_smallest_canonical_json_wins(
    contents: list[tuple[str, int]],
) -> None:
    copies = [
        _release(
            "r1",
            "2022-01-01T00:00:00Z",
            tender={"id": "t", "title": t, "value": {"amount": a, "currency": "NOK"}},
        )
        for t, a in contents
    ]
    ordered, _, _ = prepare_releases(copies)
    assert ordered == [min(copies, key=_canonical_text)]
    assert compile_releases(list(reversed(copies))).compiled == compile_releases(copies).compiled


def test_a_release_without_a_valid_date_is_named_in_the_refusal() -> None:
    with pytest.raises(CompileError, match="release 'late-one' has no valid RFC 3339 date"):
        compile_releases([_release("late-one", "yesterday")])


@pytest.mark.parametrize("release", [["not", "an", "object"], "text", None])
def test_a_release_that_is_not_an_object_is_refused(release: Any) -> None:
    with pytest.raises(CompileError, match="every release must be a JSON object"):
        prepare_releases([release])


@pytest.mark.parametrize("ocid", ["", 42, None])
def test_grouping_refuses_a_release_without_a_usable_ocid(ocid: Any) -> None:
    good = _release("r1", "2022-01-01T00:00:00Z")
    bad = {**_release("r2", "2022-01-01T00:00:00Z"), "ocid": ocid}
    with pytest.raises(CompileError, match="every release needs an ocid"):
        compile_by_ocid([good, bad])


def test_merge_warnings_say_what_was_wrong() -> None:
    release = _release(
        "r1", "2022-01-01T00:00:00Z", parties=[{"id": "p1", "name": "A"}, {"id": "p1", "name": "B"}]
    )
    (warning,) = compile_releases([release]).warnings
    assert "'p1'" in warning
    assert "parties" in warning
