"""Which report is current: the latest correction per key wins, whatever the arrival order.

A report is the stored form of an ``alarms.period_reported`` or ``competence.reported``
event. Reports with the same key (municipality, platform, technology, period for alarms;
municipality, programme, label, period for competence) correct each other: the one with
the largest ``(occurred_at, event_id)`` is current. Taking a maximum is order-independent
and idempotent, so redelivery, duplicates and out-of-order delivery cannot change the
result. No I/O and no clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from schemas.reference import reference
from services.core.instants import utc_key

ALARM_REPORTS = "alarm_reports"
COMPETENCE_REPORTS = "competence_reports"
INDICATOR_EVENTS = "indicator_events"
COLLECTIONS = (ALARM_REPORTS, COMPETENCE_REPORTS, INDICATOR_EVENTS)
KIND_OF_TYPE = {"alarms.period_reported": ALARM_REPORTS, "competence.reported": COMPETENCE_REPORTS}

Report = dict[str, Any]


def report_key(collection: str, payload: Mapping[str, Any], municipality: str) -> str:
    """The correction key as a document id; the free-text part comes last, so it is unambiguous."""
    if collection == ALARM_REPORTS:
        return f"{municipality}|{payload['technology']}|{payload['period']}|{payload['platform']}"
    return f"{municipality}|{payload['programme']}|{payload['period']}|{payload.get('label') or ''}"


def report_from_event(event: Any) -> tuple[str, Report]:
    """The collection and stored document of a validated indicator event."""
    collection = KIND_OF_TYPE[event.type]
    payload = event.payload.model_dump(mode="json", exclude_none=True)
    municipality = event.municipality
    return collection, {
        "_id": report_key(collection, payload, municipality),
        "event_id": str(event.event_id),
        "at": utc_key(event.occurred_at),
        "municipality": municipality,
        "region": reference().region_of(municipality),
        **payload,
    }


def _order(report: Report) -> tuple[str, str]:
    return report["at"], report["event_id"]


def current_reports(stored: Mapping[str, Report], incoming: Iterable[Report]) -> dict[str, Report]:
    """The reports that replace stored ones (or are new): the latest per key.

    ``stored`` maps key → the current report as stored; only changed keys are returned.
    """
    best: dict[str, Report] = {}
    for report in incoming:
        key = report["_id"]
        rival = best.get(key) or stored.get(key)
        if rival is None or _order(report) > _order(rival):
            best[key] = report
    return {k: r for k, r in best.items() if stored.get(k) is None or _order(r) > _order(stored[k])}
