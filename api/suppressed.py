"""Shared figures as a viewer may see them: the adoption table and alarm months, suppressed.

For the views, the indicator routes and the dashboard alike::

    from api.suppressed import adoption_table
    from services.governance.suppression import ANONYMOUS

    table = adoption_table(platform, ANONYMOUS)           # the dashboard's viewer is anonymous
    table.rows                                            # cells: 1–4 → None, named in "suppressed"
    table.total("users_active", "region", "hamarregionen")  # a rollup safe to show, or None
"""

from __future__ import annotations

from api.platform import ApiPlatform
from services.governance.suppression import (
    AlarmMonth,
    SuppressedTable,
    Viewer,
    hidden_alarm_months,
    suppress_cells,
)


def alarm_hidden(platform: ApiPlatform, viewer: Viewer) -> set[AlarmMonth]:
    """The alarm months holding a count hidden from ``viewer``, over every report."""
    if viewer.sees_all or platform.indicator_queries is None:
        return set()
    reports = platform.indicator_queries.alarms(platform.membership.members())["reports"]
    return hidden_alarm_months(reports, viewer)


def adoption_table(platform: ApiPlatform, viewer: Viewer) -> SuppressedTable:
    """Every adoption cell as ``viewer`` may see it (filter ``.rows`` afterwards, never before)."""
    return suppress_cells(platform.queries.adoption()["cells"], viewer, alarm_hidden(platform, viewer))
