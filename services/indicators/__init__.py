"""Indicators: alarm-reception statistics and staff competence, from aggregate events.

Pure domain in :mod:`.reports` (which report is current), :mod:`.alarms` and
:mod:`.competence` (rollups); :mod:`.service` consumes ``pilot-events`` and
:mod:`.queries` serves the views.
"""
