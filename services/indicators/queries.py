"""The read side of the indicators: ``/v1/alarms``, ``/v1/competence`` and the alarm figures
shown in municipality profiles, adoption cells and the technology view."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from services.core.ports import DocumentStore
from services.indicators.alarms import alarm_view, latest_month, summary
from services.indicators.competence import competence_view, in_range
from services.indicators.reports import ALARM_REPORTS, COMPETENCE_REPORTS, INDICATOR_EVENTS


def period_bounds(start: str | None, end: str | None) -> tuple[str | None, str | None]:
    """A range given in years or months as months: a year starts in January and ends in December."""
    return (
        f"{start}-01" if start and len(start) == 4 else start,
        f"{end}-12" if end and len(end) == 4 else end,
    )


class IndicatorQueries:
    """Read-only indicator views over the store."""

    def __init__(self, store: DocumentStore, alarm_target_s: float) -> None:
        self.store = store
        self.alarm_target_s = alarm_target_s

    def _find(self, collection: str, **filters: str | None) -> list[dict[str, Any]]:
        where = {k: v for k, v in filters.items() if v is not None}
        return self.store.find(collection, where or None)

    def alarms(
        self,
        members: Collection[str],
        *,
        municipality: str | None = None,
        region: str | None = None,
        technology: str | None = None,
        platform: str | None = None,
        period_from: str | None = None,
        period_to: str | None = None,
        target_s: float | None = None,
    ) -> dict[str, Any]:
        """Alarm reports in the filters, with summaries per municipality, region and alliance."""
        start, end = period_bounds(period_from, period_to)
        reports = self._find(
            ALARM_REPORTS, municipality=municipality, region=region, technology=technology, platform=platform
        )
        inside = [r for r in reports if in_range(r["period"], start, end)]
        return alarm_view(inside, members, self.alarm_target_s if target_s is None else target_s)

    def competence(
        self,
        members: Collection[str],
        *,
        municipality: str | None = None,
        region: str | None = None,
        programme: str | None = None,
        period_from: str | None = None,
        period_to: str | None = None,
    ) -> dict[str, Any]:
        """Competence reports in the filters, with totals per municipality, region and alliance."""
        start, end = period_bounds(period_from, period_to)
        reports = self._find(
            COMPETENCE_REPORTS, municipality=municipality, region=region, programme=programme
        )
        return competence_view(reports, members, start, end)

    def municipality_alarms(self, code: str) -> dict[str, Any] | None:
        """A municipality's alarm summary (with its monthly series), or None when it reports none."""
        reports = self._find(ALARM_REPORTS, municipality=code)
        return summary(reports, self.alarm_target_s) if reports else None

    def cell_alarms(self, municipality: str | None = None) -> dict[tuple[str, str], dict[str, Any]]:
        """(municipality, technology) → the latest reported month, for the adoption cells."""
        groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for report in self._find(ALARM_REPORTS, municipality=municipality):
            groups.setdefault((report["municipality"], report["technology"]), []).append(report)
        return {key: latest_month(group, self.alarm_target_s) or {} for key, group in groups.items()}

    def technology_alarms(self, technology: str) -> dict[str, Any] | None:
        """Alarm totals of a technology across municipalities (without the series), or None."""
        reports = self._find(ALARM_REPORTS, technology=technology)
        if not reports:
            return None
        totals = summary(reports, self.alarm_target_s)
        totals.pop("series")
        return {"municipalities_reporting": len({r["municipality"] for r in reports}), **totals}

    def event_status(self, event_id: str) -> dict[str, Any] | None:
        """``processed`` for an indicator event this service has applied, or None if unknown here.

        A report corrected by a later one is still processed; ``detail`` says it was corrected.
        """
        registration = self.store.get(INDICATOR_EVENTS, event_id)
        if registration is None:
            return None
        body: dict[str, Any] = {"event_id": event_id, "status": "processed"}
        current = self.store.get(registration["collection"], registration["key"])
        if current is not None and current["event_id"] != event_id:
            body["detail"] = f"corrected by the later report {current['event_id']}"
        return body
