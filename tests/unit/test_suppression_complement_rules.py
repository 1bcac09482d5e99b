"""Complementary suppression: a positive complement first, repeated until every group holds."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from services.governance.suppression import (
    ANONYMOUS,
    CELL_GROUPS,
    COORDINATOR,
    is_small,
    suppress_table,
)

TWO_WAYS = {"a": lambda row: row["a"], "b": lambda row: row["b"]}


def _rows(*cells: tuple[int, int, int]) -> list[dict]:
    return [{"municipality": "3420", "a": a, "b": b, "users_active": v} for a, b, v in cells]


def test_a_zero_is_the_complement_only_when_no_positive_value_is_left():
    rows = [
        {"municipality": "3401", "technology": "gps", "users_active": 3},
        {"municipality": "3403", "technology": "gps", "users_active": 0},
        {"municipality": "3411", "technology": "gps", "users_active": 9},
    ]
    groups = {"technology": CELL_GROUPS["technology"]}
    table = suppress_table(rows, ANONYMOUS, fields=("users_active",), groups=groups)
    assert [r["users_active"] for r in table.rows] == [None, 0, None]
    only_zero = suppress_table(rows[:2], ANONYMOUS, fields=("users_active",), groups=groups)
    assert [r["users_active"] for r in only_zero.rows] == [None, None]


def test_complements_are_repeated_until_every_group_holds():
    # The complements the b-groups need (10 and 20) leave a-groups 2 and 3 with one hidden
    # value each, after those groups were already looked at: a second round hides 30 and 40.
    rows = _rows((1, 1, 3), (1, 2, 2), (2, 1, 10), (3, 2, 20), (2, 3, 30), (3, 3, 40))
    table = suppress_table(rows, ANONYMOUS, fields=("users_active",), groups=TWO_WAYS)
    assert [r["users_active"] for r in table.rows] == [None] * 6


_cell = st.tuples(st.integers(0, 2), st.integers(0, 2), st.integers(0, 12))


@settings(max_examples=200, deadline=None, database=None)
@given(st.lists(_cell, max_size=8))
def test_no_group_is_left_with_one_hidden_value_it_could_protect(cells):
    rows = _rows(*cells)
    table = suppress_table(rows, ANONYMOUS, fields=("users_active",), groups=TWO_WAYS)
    hidden = {i for i, row in enumerate(table.rows) if row["users_active"] is None}
    assert {i for i, row in enumerate(rows) if is_small(row["users_active"])} <= hidden
    for of in TWO_WAYS.values():
        for key in {of(row) for row in rows}:
            members = [i for i, row in enumerate(rows) if of(row) == key]
            if sum(1 for i in members if i in hidden) == 1:
                assert all(i in hidden for i in members)  # nothing left to hide with it


def test_a_coordinator_sees_every_figure_and_every_total():
    rows = _rows((1, 1, 3), (1, 2, 2), (2, 1, 10))
    table = suppress_table(rows, COORDINATOR, fields=("users_active",), groups=TWO_WAYS)
    assert [r["users_active"] for r in table.rows] == [3, 2, 10]
    assert all("suppressed" not in r for r in table.rows)
    assert table.total("users_active", "a", 1) == 5
    assert table.total("users_active", "b", 1) == 13
