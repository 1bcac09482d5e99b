"""Alarm rollup rules: shares on each row, response times to one decimal, empty groups, the view."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from services.indicators.alarms import alarm_view, latest_month, report_row, summary
from services.indicators.reports import ALARM_REPORTS, report_key

TARGET = 120.0


def _alarm(m: str, period: str, platform: str = "felles", at: str = "2026-03-05T08:00:00Z", **figures: Any):
    payload = {"technology": "safety-alarm", "platform": platform, "period": period}
    report = {"_id": report_key(ALARM_REPORTS, payload, m), "municipality": m, "region": "sor-osterdal"}
    figures = {
        "users_connected": 10,
        "alarms_received": 0,
        "alarms_false": 0,
        "responses_on_site": 0,
        **figures,
    }
    return {**report, **payload, "event_id": f"e-{m}-{platform}-{period}", "at": at, **figures}


def test_a_report_row_gives_the_on_site_share_of_alarms_received() -> None:
    row = report_row(
        _alarm("3420", "2026-01", alarms_received=40, alarms_false=4, responses_on_site=10), TARGET
    )
    assert (row["false_alarm_share"], row["on_site_share"]) == (0.1, 0.25)
    assert report_row(_alarm("3420", "2026-01"), TARGET)["on_site_share"] is None


@settings(max_examples=100, deadline=None, database=None)
@given(st.lists(st.integers(min_value=0, max_value=100_000), min_size=1, max_size=5))
def test_without_alarms_a_response_time_is_the_plain_mean_to_one_decimal(hundredths: list[int]) -> None:
    reports = [
        _alarm("3420", "2026-01", platform=f"p{i}", response_time_p50_s=h / 100, response_time_p90_s=h / 100)
        for i, h in enumerate(hundredths)
    ]
    mean = Fraction(sum(hundredths), 100 * len(hundredths))
    result = summary(reports, TARGET)
    for value in (result["response_time_p50_s"], result["series"][0]["response_time_p90_s"]):
        assert value == round(value, 1)
        assert abs(Fraction(value) - mean) <= Fraction(1, 20) + Fraction(1, 10**9)


def test_a_plain_mean_keeps_its_tenths() -> None:
    reports = [
        _alarm("3420", "2026-01", platform="a", response_time_p50_s=10.0, response_time_p90_s=20.0),
        _alarm("3420", "2026-01", platform="b", response_time_p50_s=10.25, response_time_p90_s=20.5),
    ]
    month = summary(reports, TARGET)["series"][0]
    assert (month["response_time_p50_s"], month["response_time_p90_s"]) == (10.1, 20.2)


def test_a_group_without_reports_has_no_users_connected() -> None:
    empty = summary([], TARGET)
    assert empty["users_connected"] == 0
    assert empty["reports"] == empty["months"] == 0
    assert (
        alarm_view([_alarm("3420", "2026-01")], members={"3421"}, target_s=TARGET)["alliance"][
            "users_connected"
        ]
        == 0
    )


def test_the_view_states_its_target_and_the_time_of_its_latest_report() -> None:
    reports = [
        _alarm("3420", "2026-02", at="2026-03-01T08:00:00Z"),
        _alarm("3421", "2026-01", at="2026-03-09T08:00:00Z"),
        _alarm("3420", "2026-01", at="2026-02-01T08:00:00Z"),
    ]
    view = alarm_view(reports, members={"3420"}, target_s=90.0)
    assert view["as_of"] == "2026-03-09T08:00:00Z"
    assert view["target_p90_s"] == 90.0
    assert alarm_view([], members={"3420"}, target_s=90.0)["as_of"] is None


def test_the_latest_month_of_a_group_is_its_last_reported_period() -> None:
    reports = [
        _alarm("3420", "2026-02", users_connected=12, alarms_received=5),
        _alarm("3420", "2026-01", users_connected=10, alarms_received=3),
    ]
    month = latest_month(reports, TARGET)
    assert month is not None
    assert (month["period"], month["users_connected"], month["alarms_received"]) == ("2026-02", 12, 5)
    assert latest_month([], TARGET) is None
