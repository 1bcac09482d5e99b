"""Small-count suppression, rule by rule: pilot views, alarm summaries, plain rows."""

from __future__ import annotations

import copy

from services.governance.suppression import (
    ANONYMOUS,
    CELL_GROUPS,
    FLAG,
    Viewer,
    suppress_alarm_summary,
    suppress_cells,
    suppress_pilot,
    suppress_rows,
    suppress_table,
)


def pilot(users: int, devices: int, **metrics: dict) -> dict:
    return {
        "pilot_id": "a",
        "municipality": "3420",
        "users_active": users,
        "devices_deployed": devices,
        "metrics": metrics,
    }


def test_a_pilot_missing_from_its_siblings_is_suppressed_with_them():
    view = suppress_pilot(
        pilot(30, 40), [{"pilot_id": "b", "users_active": 2, "devices_deployed": 50}], ANONYMOUS
    )
    # b's 2 users are hidden, so a's 30 must go too (the cell total would give b's back).
    assert view["users_active"] is None
    assert view["devices_deployed"] == 40
    assert view[FLAG] == ["users_active"]


def test_a_pilot_view_leaves_the_stored_pilot_untouched():
    stored = pilot(3, 40, **{"2026-01": {"users_active": 3}})
    before = copy.deepcopy(stored)
    view = suppress_pilot(stored, [{"pilot_id": "a", "users_active": 3, "devices_deployed": 40}], ANONYMOUS)
    assert view["metrics"]["2026-01"]["users_active"] is None
    assert stored == before


def test_a_pilot_without_small_counts_is_shown_as_it_is():
    stored = pilot(30, 40, **{"2026-01": {"users_active": 30}})
    view = suppress_pilot(stored, [{"pilot_id": "a", "users_active": 30, "devices_deployed": 40}], ANONYMOUS)
    assert view == stored
    assert FLAG not in view


def test_an_earlier_small_period_is_hidden_even_when_the_latest_is_shown():
    stored = pilot(30, 40, **{"2026-01": {"users_active": 2}, "2026-02": {"users_active": 30}})
    view = suppress_pilot(stored, [{"pilot_id": "a", "users_active": 30, "devices_deployed": 40}], ANONYMOUS)
    assert view["metrics"]["2026-01"] == {"users_active": None, FLAG: ["users_active"]}
    assert view["metrics"]["2026-02"] == {"users_active": 30}
    assert view["users_active"] == 30


HIDDEN = {("3420", "safety-alarm", "2026-10")}


def test_an_alarm_summary_hides_its_latest_total_with_a_flag():
    summary = {"last_period": "2026-10", "users_connected": 93}
    shown = suppress_alarm_summary(summary, HIDDEN, municipality="3420")
    assert shown == {"last_period": "2026-10", "users_connected": None, FLAG: ["users_connected"]}


def test_an_alarm_summary_of_another_technology_in_the_same_municipality_is_shown():
    summary = {"last_period": "2026-10", "users_connected": 93}
    assert suppress_alarm_summary(summary, HIDDEN, municipality="3420", technology="gps") == summary
    assert suppress_alarm_summary(summary, HIDDEN, municipality="3403", technology="safety-alarm") == summary


def test_a_missing_alarm_summary_stays_missing():
    assert suppress_alarm_summary(None, HIDDEN) is None
    assert suppress_alarm_summary({}, HIDDEN) == {}


def test_suppressed_rows_are_the_rows_of_the_suppressed_table():
    rows = [
        {"municipality": "3420", "technology": "safety-alarm", "users_active": 3, "devices_deployed": 2},
        {"municipality": "3403", "technology": "safety-alarm", "users_active": 9, "devices_deployed": 9},
    ]
    options = {"fields": ("users_active",), "groups": {}}
    shown = suppress_rows(rows, Viewer("3403"), **options)
    assert shown == suppress_table(rows, Viewer("3403"), **options).rows
    assert shown[0]["users_active"] is None and shown[0]["devices_deployed"] == 2


def test_the_complement_of_a_regional_total_comes_from_the_same_region():
    rows = [
        {"municipality": "3403", "technology": "safety-alarm", "users_active": 3},
        {"municipality": "3401", "technology": "safety-alarm", "users_active": 9},
        {"municipality": "3411", "technology": "safety-alarm", "users_active": 20},
    ]
    table = suppress_table(
        rows, ANONYMOUS, fields=("users_active",), groups={"region": CELL_GROUPS["region"]}
    )
    # Hamar and Ringsaker are in hamarregionen, Kongsvinger is not: its 9 protects nothing there.
    assert [r["users_active"] for r in table.rows] == [None, 9, None]
    assert table.total("users_active", "region", "hamarregionen") == 23
    assert table.total("users_active", "region", "kongsvingerregionen") == 9


def test_a_cell_with_hidden_users_and_a_hidden_alarm_month_flags_both():
    cells = [
        {
            "municipality": "3420",
            "technology": "safety-alarm",
            "users_active": 3,
            "devices_deployed": 0,
            "alarms": {"period": "2026-10", "users_connected": 2},
        }
    ]
    row = suppress_cells(cells, ANONYMOUS, alarm_hidden=HIDDEN).rows[0]
    assert row["alarms"] == {"period": "2026-10", "users_connected": None}
    assert row[FLAG] == ["users_active", "alarms.users_connected"]


def test_a_figure_not_reported_is_no_complement():
    rows = [
        {"municipality": "3420", "technology": "safety-alarm", "users_active": 3},
        {"municipality": "3403", "technology": "safety-alarm", "users_active": None},
    ]
    table = suppress_table(
        rows, ANONYMOUS, fields=("users_active",), groups={"technology": CELL_GROUPS["technology"]}
    )
    assert FLAG not in table.rows[1]
    assert table.total("users_active", "technology", "safety-alarm") is None


def by_technology(*cells: tuple[str, str, int]) -> list[dict]:
    return [{"municipality": m, "technology": t, "users_active": users} for m, t, users in cells]


def test_every_group_is_complemented_whatever_groups_come_before_it():
    rows = by_technology(
        ("3401", "gps", 20), ("3403", "gps", 30), ("3420", "safety-alarm", 3), ("3411", "safety-alarm", 9)
    )
    table = suppress_table(
        rows, ANONYMOUS, fields=("users_active",), groups={"technology": CELL_GROUPS["technology"]}
    )
    assert [r["users_active"] for r in table.rows] == [20, 30, None, None]


def test_a_group_without_a_complement_does_not_stop_the_others():
    rows = by_technology(("3420", "gps", 3), ("3403", "safety-alarm", 2), ("3411", "safety-alarm", 9))
    table = suppress_table(
        rows, ANONYMOUS, fields=("users_active",), groups={"technology": CELL_GROUPS["technology"]}
    )
    assert [r["users_active"] for r in table.rows] == [None, None, None]
    assert table.total("users_active", "technology", "gps") is None
    assert table.total("users_active", "technology", "safety-alarm") == 11
