"""The adoption rules of the domain, each on a small hand-made event set."""

from __future__ import annotations

from tests.support.factories import concluded, lesson, metrics, phase, registered
from tests.unit.adoption_fold import fold


def cell(views, key="3420:safety-alarm"):
    return views.public_cells()[key]


def test_registration_creates_a_planning_cell():
    views = fold([registered("p1", at="2020-01-01T00:00:00Z")])
    c = cell(views)
    assert (c["phase"], c["pilots"], c["phase_since"]) == ("planning", 1, "2020-01-01T00:00:00.000000Z")


def test_latest_phase_by_occurred_at_wins_whatever_the_arrival_order():
    events = [
        registered("p1", at="2020-01-01T00:00:00Z"),
        phase("p1", "operation", at="2022-01-01T00:00:00Z"),
        phase("p1", "piloting", at="2021-01-01T00:00:00Z"),
    ]
    assert cell(fold(events))["phase"] == "operation"
    assert cell(fold(events[::-1]))["phase"] == "operation"
    assert cell(fold([events[0]], [events[1]], [events[2]]))["phase_since"] == "2022-01-01T00:00:00.000000Z"


def test_ties_on_occurred_at_are_broken_by_the_larger_event_id():
    at = "2021-06-01T00:00:00Z"
    a = phase("p1", "piloting", at=at, event_id="00000000-0000-4000-8000-000000000001")
    b = phase("p1", "implementing", at=at, event_id="00000000-0000-4000-8000-000000000002")
    for order in ([a, b], [b, a]):
        assert cell(fold([registered("p1", at="2020-01-01T00:00:00Z"), *order]))["phase"] == "implementing"


def test_conclusion_outcomes_set_the_phase():
    base = [registered("p1", at="2020-01-01T00:00:00Z"), phase("p1", "piloting", at="2020-06-01T00:00:00Z")]
    assert (
        cell(fold([*base, concluded("p1", "scaled_up", at="2021-01-01T00:00:00Z")]))["phase"] == "operation"
    )
    assert (
        cell(fold([*base, concluded("p1", "discontinued", at="2021-01-01T00:00:00Z")]))["phase"]
        == "discontinued"
    )
    assert cell(fold([*base, concluded("p1", "continued", at="2021-01-01T00:00:00Z")]))["phase"] == "piloting"


def test_restart_after_discontinuation_is_allowed():
    events = [
        registered("p1", at="2020-01-01T00:00:00Z"),
        phase("p1", "discontinued", at="2020-06-01T00:00:00Z"),
        phase("p1", "piloting", at="2021-01-01T00:00:00Z"),
    ]
    assert cell(fold(events))["phase"] == "piloting"


def test_pilot_of_another_municipality_is_rejected_with_reason():
    reg = registered("p1", municipality="3420", at="2020-01-01T00:00:00Z")
    foreign = phase("p1", "operation", municipality="3421", at="2021-01-01T00:00:00Z")
    for batches in ([[reg, foreign]], [[foreign], [reg]]):
        views = fold(*batches)
        assert cell(views)["phase"] == "planning"
        assert views.statuses[foreign["event_id"]] == ("rejected", "pilot_owned_by_other_municipality")
        assert "3421:safety-alarm" not in views.cells


def test_events_before_registration_wait_and_then_count():
    early = metrics("p1", "2020-02", users_active=5, hours_saved=2, at="2020-03-01T00:00:00Z")
    views = fold([early])
    assert views.cells == {}
    assert views.statuses[early["event_id"]] == ("accepted", None)
    views.apply([registered("p1", at="2020-01-01T00:00:00Z")])
    assert cell(views)["users_active"] == 5
    assert views.statuses[early["event_id"]] == ("processed", None)


def test_earliest_registration_owns_the_pilot():
    late_claim = registered("p1", municipality="3421", at="2021-01-01T00:00:00Z")
    true_owner = registered("p1", municipality="3420", at="2020-01-01T00:00:00Z")
    views = fold([late_claim], [true_owner])
    assert set(views.cells) == {"3420:safety-alarm"}
    assert views.statuses[late_claim["event_id"]][0] == "rejected"


def test_metrics_corrections_latest_report_per_period_wins():
    events = [
        registered("p1", at="2020-01-01T00:00:00Z"),
        metrics("p1", "2021-01", users_active=10, hours_saved=5, at="2021-02-01T00:00:00Z"),
        metrics("p1", "2021-01", users_active=12, hours_saved=4, at="2021-02-10T00:00:00Z"),
        metrics("p1", "2021-02", hours_saved=3, avoided_visits=7, cost_nok=100.5, at="2021-03-01T00:00:00Z"),
    ]
    for order in (events, events[::-1]):
        c = cell(fold(order))
        # users: the latest period that reports it (2021-01, corrected to 12); hours: all periods summed
        assert (c["users_active"], c["hours_saved"], c["avoided_visits"], c["cost_nok"]) == (
            12,
            7.0,
            7,
            100.5,
        )


def test_cell_phase_is_highest_live_phase_and_counts_all_pilots():
    events = [
        registered("p1", at="2020-01-01T00:00:00Z"),
        registered("p2", at="2020-02-01T00:00:00Z"),
        registered("p3", at="2020-03-01T00:00:00Z"),
        phase("p1", "operation", at="2021-01-01T00:00:00Z"),
        metrics(
            "p1", "2021-01", users_active=10, devices_deployed=11, hours_saved=1, at="2021-02-01T00:00:00Z"
        ),
        phase("p2", "implementing", at="2021-01-01T00:00:00Z"),
        metrics("p2", "2021-01", users_active=3, at="2021-02-01T00:00:00Z"),
        concluded("p1", "discontinued", at="2022-01-01T00:00:00Z"),
        metrics("p3", "2021-05", users_active=1, hours_saved=2, at="2021-06-01T00:00:00Z"),
    ]
    c = cell(fold(events))
    assert c["phase"] == "implementing"
    assert c["pilots"] == 3
    assert c["users_active"] == 4  # p1 is discontinued: its users no longer count
    assert c["devices_deployed"] == 0
    assert c["hours_saved"] == 3.0  # cumulative figures keep the discontinued pilot's history


def test_all_discontinued_cell_is_discontinued():
    events = [
        registered("p1", at="2020-01-01T00:00:00Z"),
        concluded("p1", "discontinued", at="2021-01-01T00:00:00Z"),
    ]
    assert cell(fold(events))["phase"] == "discontinued"


def test_technology_correction_moves_the_pilot_to_another_cell():
    first = registered("p1", at="2020-01-01T00:00:00Z")
    fix = registered("p1", technology="digital-supervision", at="2020-01-02T00:00:00Z")
    views = fold([first], [fix])
    assert set(views.cells) == {"3420:digital-supervision"}
    assert views.public_pilots()["p1"]["phase_history"][0]["phase"] == "planning"


def test_duplicates_are_ignored():
    reg = registered("p1", at="2020-01-01T00:00:00Z")
    m = metrics("p1", "2021-01", hours_saved=2, at="2021-02-01T00:00:00Z")
    assert cell(fold([reg, m, m], [m]))["hours_saved"] == 2.0


def test_pilot_view_keeps_history_metrics_and_lessons():
    views = fold(
        [
            registered("p1", at="2020-01-01T00:00:00Z", partners=["HelseINN"]),
            phase("p1", "piloting", at="2020-05-01T00:00:00Z"),
            lesson("p1", title="Test dekning", at="2020-07-01T00:00:00Z"),
            metrics("p1", "2020-06", users_active=4, at="2020-07-01T00:00:00Z"),
        ]
    )
    pilot = views.public_pilots()["p1"]
    assert [s["phase"] for s in pilot["phase_history"]] == ["planning", "piloting"]
    assert list(pilot["metrics"]) == ["2020-06"]
    assert pilot["lessons"][0]["title"] == "Test dekning"
    assert pilot["partners"] == ["HelseINN"]


def test_correction_that_withdraws_the_latest_figure_falls_back_to_the_previous_period():
    reg = registered("p1", at="2020-01-01T00:00:00Z")
    jan = metrics("p1", "2021-01", users_active=5, at="2021-02-01T00:00:00Z")
    feb = metrics("p1", "2021-02", users_active=9, at="2021-03-01T00:00:00Z")
    feb_fixed = metrics("p1", "2021-02", hours_saved=1, at="2021-03-05T00:00:00Z")
    assert cell(fold([reg, jan, feb], [feb_fixed]))["users_active"] == 5
    assert cell(fold([feb_fixed], [reg, feb, jan]))["users_active"] == 5


def test_late_earlier_registration_takes_the_pilot_and_rejects_what_was_applied():
    squatter = registered("p1", municipality="3421", at="2021-01-01T00:00:00Z")
    squatter_phase = phase("p1", "operation", municipality="3421", at="2021-02-01T00:00:00Z")
    owner_metrics = metrics("p1", "2021-03", municipality="3420", users_active=7, at="2021-04-01T00:00:00Z")
    owner = registered("p1", municipality="3420", at="2020-01-01T00:00:00Z")
    views = fold([squatter, squatter_phase, owner_metrics])
    assert set(views.cells) == {"3421:safety-alarm"}
    views.apply([owner])
    assert set(views.cells) == {"3420:safety-alarm"}
    assert cell(views)["users_active"] == 7 and cell(views)["phase"] == "planning"
    assert views.statuses[squatter_phase["event_id"]] == ("rejected", "pilot_owned_by_other_municipality")
    assert views.statuses[owner_metrics["event_id"]] == ("processed", None)
