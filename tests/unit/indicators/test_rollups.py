"""The pure rollups against figures computed by hand on a fixed data set."""

from __future__ import annotations

from typing import Any

from services.indicators.alarms import alarm_view, summary
from services.indicators.competence import competence_view
from services.indicators.reports import ALARM_REPORTS, COMPETENCE_REPORTS, report_key

TARGET = 120.0


def _alarm(m: str, region: str, tech: str, platform: str, period: str, **figures: Any) -> dict[str, Any]:
    payload = {"technology": tech, "platform": platform, "period": period}
    report = {"_id": report_key(ALARM_REPORTS, payload, m), "municipality": m, "region": region, **payload}
    report.update(event_id=f"e-{m}-{tech}-{period}", at="2026-03-05T08:00:00.000000Z", **figures)
    return report


def _counts(users: int, received: int, false: int, on_site: int, p50: Any, p90: Any) -> dict[str, Any]:
    figures = dict(
        users_connected=users, alarms_received=received, alarms_false=false, responses_on_site=on_site
    )
    if p50 is not None:
        figures.update(response_time_p50_s=p50, response_time_p90_s=p90)
    return figures


# A: Elverum safety alarms January, B: Elverum digital supervision January,
# C: Elverum safety alarms February, D: Trysil January, E: Hamar February without response times.
A = _alarm("3420", "sor-osterdal", "safety-alarm", "felles", "2026-01", **_counts(100, 200, 50, 20, 30, 100))
B = _alarm(
    "3420", "sor-osterdal", "digital-supervision", "felles", "2026-01", **_counts(20, 50, 10, 5, 60, 200)
)
C = _alarm("3420", "sor-osterdal", "safety-alarm", "felles", "2026-02", **_counts(110, 100, 20, 10, 40, 130))
D = _alarm("3421", "sor-osterdal", "safety-alarm", "felles", "2026-01", **_counts(40, 100, 40, 30, 20, 80))
E = _alarm("3403", "hamarregionen", "safety-alarm", "hamar", "2026-02", **_counts(300, 0, 0, 0, None, None))


def _without_series(block: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in block.items() if k != "series"}


def test_municipality_summary_and_series_by_hand():
    view = alarm_view([E, D, C, B, A], members={"3420", "3403"}, target_s=TARGET)
    elverum = next(m for m in view["municipalities"] if m["municipality"] == "3420")
    # January: A+B; p50 = (30·200 + 60·50)/250 = 36, p90 = (100·200 + 200·50)/250 = 120 (= target).
    assert elverum["series"] == [
        {
            "period": "2026-01",
            "reports": 2,
            "users_connected": 120,
            "alarms_received": 250,
            "alarms_false": 60,
            "responses_on_site": 25,
            "false_alarm_share": 0.24,
            "on_site_share": 0.1,
            "response_time_p50_s": 36.0,
            "response_time_p90_s": 120.0,
            "within_target": True,
        },
        {
            "period": "2026-02",
            "reports": 1,
            "users_connected": 110,
            "alarms_received": 100,
            "alarms_false": 20,
            "responses_on_site": 10,
            "false_alarm_share": 0.2,
            "on_site_share": 0.1,
            "response_time_p50_s": 40.0,
            "response_time_p90_s": 130.0,
            "within_target": False,
        },
    ]
    # p50 = 13000/350 = 37.14, p90 = 43000/350 = 122.86; users are the latest month's.
    assert _without_series(elverum) == {
        "municipality": "3420",
        "region": "sor-osterdal",
        "reports": 3,
        "months": 2,
        "first_period": "2026-01",
        "last_period": "2026-02",
        "users_connected": 110,
        "alarms_received": 350,
        "alarms_false": 80,
        "responses_on_site": 35,
        "false_alarm_share": 0.2286,
        "on_site_share": 0.1,
        "response_time_p50_s": 37.1,
        "response_time_p90_s": 122.9,
        "months_with_response_time": 2,
        "months_within_target": 1,
        "share_within_target": 0.5,
    }


def test_region_and_alliance_rollups_by_hand():
    view = alarm_view([A, B, C, D, E], members={"3420", "3403"}, target_s=TARGET)
    regions = {r["region"]: r for r in view["regions"]}
    south = regions["sor-osterdal"]
    # January A+B+D: p50 = 11000/350 = 31.43, p90 = 38000/350 = 108.57.
    assert south["series"][0]["response_time_p50_s"] == 31.4
    assert south["series"][0]["response_time_p90_s"] == 108.6
    assert (south["series"][0]["false_alarm_share"], south["series"][0]["on_site_share"]) == (0.2857, 0.1571)
    assert _without_series(south) == {
        "region": "sor-osterdal",
        "municipalities_reporting": 2,
        "reports": 4,
        "months": 2,
        "first_period": "2026-01",
        "last_period": "2026-02",
        "users_connected": 110,
        "alarms_received": 450,
        "alarms_false": 120,
        "responses_on_site": 65,
        "false_alarm_share": 0.2667,
        "on_site_share": 0.1444,
        "response_time_p50_s": 33.3,
        "response_time_p90_s": 113.3,
        "months_with_response_time": 2,
        "months_within_target": 1,
        "share_within_target": 0.5,
    }
    hamar = regions["hamarregionen"]
    assert hamar["series"][0]["false_alarm_share"] is None  # no alarms: nothing to divide by
    assert (hamar["months_with_response_time"], hamar["share_within_target"]) == (0, None)

    # The alliance is its members only: Trysil (3421) is left out here.
    alliance = view["alliance"]
    assert alliance["members_reporting"] == 2
    assert (alliance["reports"], alliance["alarms_received"], alliance["users_connected"]) == (4, 350, 410)
    assert alliance["series"][1]["response_time_p90_s"] == 130.0  # Hamar gives none: C alone
    assert (alliance["response_time_p50_s"], alliance["response_time_p90_s"]) == (37.1, 122.9)


def test_report_rows_and_target_override():
    view = alarm_view([A, D], members=set(), target_s=100.0)
    rows = {r["municipality"]: r for r in view["reports"]}
    assert rows["3420"]["within_target"] is True and rows["3421"]["within_target"] is True
    assert rows["3420"]["false_alarm_share"] == 0.25
    assert alarm_view([A], members=set(), target_s=99.0)["reports"][0]["within_target"] is False
    assert view["alliance"]["reports"] == 0 and view["alliance"]["series"] == []


def test_percentiles_without_alarms_are_a_plain_mean():
    quiet = [
        _alarm("3420", "sor-osterdal", "safety-alarm", "a", "2026-01", **_counts(5, 0, 0, 0, 10, 20)),
        _alarm("3420", "sor-osterdal", "safety-alarm", "b", "2026-01", **_counts(5, 0, 0, 0, 20, 40)),
    ]
    assert summary(quiet, TARGET)["series"][0]["response_time_p50_s"] == 15.0


def _competence(
    m: str,
    region: str,
    programme: str,
    period: str,
    enrolled: int,
    completed: int,
    hours: float,
    label: str | None = None,
) -> dict[str, Any]:
    payload = {"programme": programme, "period": period, **({"label": label} if label else {})}
    return {
        "_id": report_key(COMPETENCE_REPORTS, payload, m),
        "municipality": m,
        "region": region,
        **payload,
        "staff_enrolled": enrolled,
        "staff_completed": completed,
        "hours": hours,
        "event_id": f"c-{m}-{programme}-{period}",
        "at": "2026-02-01T08:00:00.000000Z",
    }


R1 = _competence("3420", "sor-osterdal", "innovation-management", "2025", 10, 4, 120.5)
R2 = _competence("3420", "sor-osterdal", "innovation-management", "2025-03", 3, 0, 20)
R3 = _competence("3420", "sor-osterdal", "other", "2025-05", 5, 5, 10.25, label="Kurs i varsling")
R4 = _competence("3421", "sor-osterdal", "velferdsteknologiens-abc", "2026-02", 8, 2, 40)
R5 = _competence("3424", "fjellregionen", "public-sector-phd", "2025", 1, 0, 800)
R6 = _competence("3420", "sor-osterdal", "innovation-management", "2026-01", 2, 1, 15)
ALL = [R6, R5, R4, R3, R2, R1]


def test_competence_rollups_by_hand():
    view = competence_view(ALL, members={"3420", "3421"})
    # The yearly 2025 report of innovation management stands for 2025: its March report is left out.
    counted = {r["event_id"]: r["counted"] for r in view["reports"]}
    assert counted == {
        R1["event_id"]: True,
        R2["event_id"]: False,
        R3["event_id"]: True,
        R4["event_id"]: True,
        R5["event_id"]: True,
        R6["event_id"]: True,
    }
    elverum = view["municipalities"][0]
    assert elverum == {
        "municipality": "3420",
        "region": "sor-osterdal",
        "reports": 3,
        "staff_enrolled": 17,
        "staff_completed": 10,
        "hours": 145.75,
        "programmes": [
            {
                "programme": "innovation-management",
                "label": None,
                "reports": 2,
                "staff_enrolled": 12,
                "staff_completed": 5,
                "hours": 135.5,
            },
            {
                "programme": "other",
                "label": "Kurs i varsling",
                "reports": 1,
                "staff_enrolled": 5,
                "staff_completed": 5,
                "hours": 10.25,
            },
        ],
    }
    regions = {r["region"]: r for r in view["regions"]}
    south = regions["sor-osterdal"]
    assert (south["municipalities_reporting"], south["reports"]) == (2, 4)
    assert (south["staff_enrolled"], south["staff_completed"], south["hours"]) == (25, 12, 185.75)
    assert [p["programme"] for p in south["programmes"]] == [
        "innovation-management",
        "other",
        "velferdsteknologiens-abc",
    ]
    assert (regions["fjellregionen"]["staff_enrolled"], regions["fjellregionen"]["hours"]) == (1, 800.0)
    alliance = view["alliance"]  # Rendalen (3424) is not a member here
    assert (alliance["members_reporting"], alliance["staff_enrolled"], alliance["hours"]) == (2, 25, 185.75)


def test_competence_period_range():
    # First half of 2025: the yearly reports do not fit, so the months count.
    half = competence_view(ALL, members={"3420"}, start="2025-01", end="2025-06")
    assert [r["event_id"] for r in half["reports"]] == [R2["event_id"], R3["event_id"]]
    assert (half["alliance"]["staff_enrolled"], half["alliance"]["hours"]) == (8, 30.25)
    year = competence_view(ALL, members={"3420"}, start="2025-01", end="2025-12")
    assert {r["event_id"] for r in year["reports"]} == {
        R1["event_id"],
        R2["event_id"],
        R3["event_id"],
        R5["event_id"],
    }
    assert (year["alliance"]["staff_enrolled"], year["alliance"]["hours"]) == (15, 130.75)
