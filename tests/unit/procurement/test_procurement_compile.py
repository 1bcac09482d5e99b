"""Compilation: exact fixture outputs, and independence from order and duplicates."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.procurement.compile import (
    CompileError,
    compile_by_ocid,
    compile_releases,
    prepare_releases,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "ocds"


def _load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


FICTIONAL = _load("sample-data__fictional-1.1__release-package.json")["releases"]
FICTIONAL_EXPECTED = _load("sample-data__fictional-1.1__record-package.json")["records"][0]["compiledRelease"]
SIMPLE = _load("ocds-merge__1.1__simple.json")
SIMPLE_COMPILED = _load("ocds-merge__1.1__simple-compiled.json")
SIMPLE_VERSIONED = _load("ocds-merge__1.1__simple-versioned.json")


def test_fictional_package_compiles_exactly_to_record_package_compiled_release() -> None:
    result = compile_releases(FICTIONAL)
    assert result.compiled == FICTIONAL_EXPECTED
    # Key order too, so stored documents look like the published record.
    assert json.dumps(result.compiled) == json.dumps(FICTIONAL_EXPECTED)
    assert result.ocid == "ocds-213czf-000-00001"
    assert len(result.release_ids) == 6
    assert result.duplicates_dropped == 0
    assert result.conflicts == ()


def test_simple_fixture_compiles_and_versions_exactly() -> None:
    result = compile_releases(SIMPLE)
    assert json.dumps(result.compiled) == json.dumps(SIMPLE_COMPILED)
    assert json.dumps(result.versioned) == json.dumps(SIMPLE_VERSIONED)


def test_input_is_not_modified_and_output_shares_nothing() -> None:
    releases = copy.deepcopy(FICTIONAL)
    result = compile_releases(releases)
    assert releases == FICTIONAL
    result.compiled["parties"][0]["name"] = "changed"
    assert releases[0]["parties"][0]["name"] == "London Borough of Barnet"


def test_dates_are_ordered_by_instant_not_by_text() -> None:
    # 10:00+02:00 is 08:00Z, before 09:00Z, although its text sorts after it.
    earlier = {
        "ocid": "ocds-x-1",
        "id": "a",
        "date": "2022-01-01T10:00:00+02:00",
        "tag": ["tender"],
        "initiationType": "tender",
        "tender": {"id": "t", "title": "old"},
    }
    later = {
        "ocid": "ocds-x-1",
        "id": "b",
        "date": "2022-01-01T09:00:00Z",
        "tag": ["tenderUpdate"],
        "initiationType": "tender",
        "tender": {"id": "t", "title": "new"},
    }
    for order in ([earlier, later], [later, earlier]):
        result = compile_releases(order)
        assert result.compiled["tender"]["title"] == "new"
        assert result.release_ids == ("a", "b")


def test_same_id_and_date_with_different_content_is_reported_and_chosen_stably() -> None:
    base = {
        "ocid": "ocds-x-1",
        "id": "r1",
        "date": "2022-01-01T00:00:00Z",
        "tag": ["tender"],
        "initiationType": "tender",
    }
    one = {**base, "tender": {"id": "t", "title": "A"}}
    two = {**base, "tender": {"id": "t", "title": "B"}}
    first = compile_releases([one, two])
    second = compile_releases([two, one])
    assert first.compiled == second.compiled
    assert first.conflicts == ("r1",)
    assert first.duplicates_dropped == 1


def test_prepare_releases_drops_exact_duplicates() -> None:
    ordered, dropped, conflicts = prepare_releases(FICTIONAL + FICTIONAL[:2])
    assert [r["id"] for r in ordered] == [r["id"] for r in FICTIONAL]
    assert dropped == 2
    assert conflicts == ()


@pytest.mark.parametrize(
    ("releases", "reason"),
    [
        ([], "no releases"),
        ([SIMPLE[0], {**FICTIONAL[0]}], "one ocid"),
        ([{**SIMPLE[0], "date": "2014-01-01"}], "date"),
        ([{k: v for k, v in SIMPLE[0].items() if k != "date"}], "date"),
    ],
)
def test_uncompilable_input_raises(releases: list[dict[str, Any]], reason: str) -> None:
    with pytest.raises(CompileError, match=reason):
        compile_releases(releases)


def test_inconsistent_types_across_releases_raise_compile_error() -> None:
    # Validation refuses such releases; compile must still fail cleanly, not with a
    # TypeError from deep inside ocdsmerge.
    first = {**SIMPLE[0], "tender": "not an object"}
    second = SIMPLE[1]
    with pytest.raises(CompileError, match="cannot be merged"):
        compile_releases([first, second])


def test_compile_by_ocid_groups_and_sorts() -> None:
    result = compile_by_ocid(SIMPLE + FICTIONAL)
    assert list(result) == ["ocds-213czf-000-00001", "ocds-213czf-A"]
    assert result["ocds-213czf-A"].compiled == SIMPLE_COMPILED


def test_merge_warnings_are_reported() -> None:
    release = copy.deepcopy(SIMPLE[0])
    release["parties"] = [{"id": "p1", "name": "A"}, {"id": "p1", "name": "B"}]
    assert compile_releases([release]).warnings  # duplicate id in one array


def _shuffled_with_duplicates(
    releases: list[dict[str, Any]],
) -> st.SearchStrategy[list[dict[str, Any]]]:
    indexes = range(len(releases))
    return (
        st.lists(st.sampled_from(indexes), max_size=len(releases) * 2)
        .flatmap(lambda extra: st.permutations([*indexes, *extra]))
        .map(lambda order: [copy.deepcopy(releases[i]) for i in order])
    )


@settings(max_examples=60, deadline=None, database=None)
@given(_shuffled_with_duplicates(FICTIONAL))
def test_fictional_compilation_ignores_order_and_duplicates(releases: list[dict[str, Any]]) -> None:
    assert compile_releases(releases).compiled == FICTIONAL_EXPECTED


@settings(max_examples=60, deadline=None, database=None)
@given(_shuffled_with_duplicates(SIMPLE))
def test_simple_versioning_ignores_order_and_duplicates(releases: list[dict[str, Any]]) -> None:
    result = compile_releases(releases)
    assert result.compiled == SIMPLE_COMPILED
    assert result.versioned == SIMPLE_VERSIONED


# Generated processes: few ids, dates and values so that ties, same-instant dates in
# different offsets and same-id-same-date conflicts all occur often.
_DATES = [
    "2022-01-01T00:00:00Z",
    "2022-01-01T01:00:00+01:00",  # the same instant as the one above
    "2022-01-02T12:00:00Z",
    "2022-01-03T08:30:00-02:00",
]
_release = st.fixed_dictionaries(
    {
        "ocid": st.just("ocds-213czf-prop"),
        "id": st.sampled_from(["r1", "r2", "r3"]),
        "date": st.sampled_from(_DATES),
        "tag": st.sampled_from([["tender"], ["award"], ["contract"]]),
        "initiationType": st.just("tender"),
        "tender": st.fixed_dictionaries(
            {"id": st.just("t1")},
            optional={
                "title": st.sampled_from(["Trygghetsalarmer", "Digitalt tilsyn"]),
                "status": st.sampled_from(["active", "complete", "cancelled"]),
            },
        ),
    },
    optional={
        "awards": st.lists(
            st.fixed_dictionaries(
                {"id": st.sampled_from(["a1", "a2"])},
                optional={"status": st.sampled_from(["pending", "active"])},
            ),
            max_size=2,
            unique_by=lambda a: a["id"],
        ),
    },
)


@settings(max_examples=150, deadline=None, database=None)
@given(
    st.lists(_release, min_size=1, max_size=6).flatmap(
        lambda rs: st.tuples(st.just(rs), _shuffled_with_duplicates(rs))
    )
)
def test_generated_compilation_ignores_order_and_duplicates(
    pair: tuple[list[dict[str, Any]], list[dict[str, Any]]],
) -> None:
    original, shuffled = pair
    expected = compile_releases(original)
    actual = compile_releases(shuffled)
    assert actual.compiled == expected.compiled
    assert actual.versioned == expected.versioned
    assert actual.release_ids == expected.release_ids
    assert actual.conflicts == expected.conflicts
