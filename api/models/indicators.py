"""``/v1/alarms`` and ``/v1/competence``: alarm reception and staff competence, rolled up."""

from __future__ import annotations

from pydantic import BaseModel, Field

Share = float | None
Seconds = float | None


class AlarmFiguresOut(BaseModel):
    """What every alarm figure carries: the counts summed, shares and percentiles derived."""

    alarms_received: int
    alarms_false: int
    responses_on_site: int
    false_alarm_share: Share = Field(description="alarms_false / alarms_received")
    on_site_share: Share = Field(description="responses_on_site / alarms_received")
    response_time_p50_s: Seconds = Field(description="Alarm-weighted mean of the reported medians")
    response_time_p90_s: Seconds = Field(description="Alarm-weighted mean of the reported 90th percentiles")
    suppressed: list[str] | None = Field(None, description="Counts hidden from this caller (1–4)")


class AlarmMonthOut(AlarmFiguresOut):
    """One month of a group of reports."""

    period: str
    reports: int
    users_connected: int | None = Field(description="null when suppressed for this caller (1–4)")
    within_target: bool | None = Field(description="p90 at most the target (null without a p90)")


class AlarmReportOut(AlarmFiguresOut):
    """The current report for one municipality, technology, platform and month."""

    period: str
    municipality: str
    region: str
    technology: str
    platform: str
    users_connected: int | None = Field(description="null when suppressed for this caller (1–4)")
    within_target: bool | None
    event_id: str
    at: str = Field(description="occurred_at of the report (UTC)")


class AlarmTotalsOut(AlarmFiguresOut):
    reports: int
    months: int
    first_period: str | None
    last_period: str | None
    users_connected: int | None = Field(
        description="Connected users in the latest month; null when suppressed for this caller (1–4)"
    )
    months_with_response_time: int
    months_within_target: int
    share_within_target: Share = Field(description="Share of months (with a p90) within the target")


class AlarmSummaryOut(AlarmTotalsOut):
    series: list[AlarmMonthOut]


class AlarmMunicipalityOut(AlarmSummaryOut):
    municipality: str
    region: str


class AlarmRegionOut(AlarmSummaryOut):
    region: str
    municipalities_reporting: int


class AlarmAllianceOut(AlarmSummaryOut):
    members_reporting: int = Field(description="Member municipalities among the reports")


class AlarmsOut(BaseModel):
    as_of: str | None = Field(description="occurred_at of the newest report in the view")
    target_p90_s: float = Field(description="Response-time target the months are measured against")
    reports: list[AlarmReportOut]
    municipalities: list[AlarmMunicipalityOut]
    regions: list[AlarmRegionOut]
    alliance: AlarmAllianceOut


class TechnologyAlarmsOut(AlarmTotalsOut):
    municipalities_reporting: int


class CompetenceReportOut(BaseModel):
    """The current report for one municipality, programme (and label) and period."""

    period: str = Field(description="YYYY or YYYY-MM")
    municipality: str
    region: str
    programme: str
    label: str | None
    staff_enrolled: int
    staff_completed: int
    hours: float
    counted: bool = Field(description="False when a yearly report in the range stands for this month")
    event_id: str
    at: str


class ProgrammeTotalsOut(BaseModel):
    programme: str
    label: str | None
    reports: int
    staff_enrolled: int
    staff_completed: int
    hours: float


class CompetenceTotalsOut(BaseModel):
    reports: int
    staff_enrolled: int
    staff_completed: int
    hours: float
    programmes: list[ProgrammeTotalsOut]


class CompetenceMunicipalityOut(CompetenceTotalsOut):
    municipality: str
    region: str


class CompetenceRegionOut(CompetenceTotalsOut):
    region: str
    municipalities_reporting: int


class CompetenceAllianceOut(CompetenceTotalsOut):
    members_reporting: int


class CompetenceOut(BaseModel):
    as_of: str | None
    reports: list[CompetenceReportOut]
    municipalities: list[CompetenceMunicipalityOut]
    regions: list[CompetenceRegionOut]
    alliance: CompetenceAllianceOut
