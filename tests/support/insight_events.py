"""A fixed set of pilot events with hand-computed lessons, benefits, peers and diffusion.

Safety alarms (safety-alarm) in five members and one non-member:

| municipality | phases (UTC dates) | notes |
|---|---|---|
| 3403 Hamar | planning 2017-11-20, operation 2018-06-30 (concluded scaled_up) | English lesson |
| 3422 Åmot | planning 2018-01-15, piloting 03-01, implementing 09-01, operation 2019-01-10 | |
| 3420 Elverum | planning 2019-02-10, piloting 2019-05-01 | corrected metrics |
| 3421 Trysil | planning 2020-03-01, concluded discontinued 2020-09-01 | |
| 3427 Tynset | planning 2021-01-05 | |
| 3424 Rendalen | planning 2016-05-01, operation 2016-06-01 | not a member |

Plus Elverum's digital home follow-up (planning 2020-01-01) with one English lesson.
"""

from __future__ import annotations

from typing import Any

from tests.support.factories import concluded, lesson, metrics, phase, registered


def _at(day: str) -> str:
    return f"{day}T08:00:00Z"


def insight_events() -> list[dict[str, Any]]:
    """The events above, in a shuffled-looking (not time) order, with one duplicate."""
    elv = {"municipality": "3420"}
    events = [
        phase("elv-alarm", "piloting", at=_at("2019-05-01"), **elv),
        registered("elv-alarm", at=_at("2019-02-10"), **elv),
        lesson(
            "elv-alarm",
            title="Involver nattevaktene",
            text="Opplæring av nattevakter før oppstart ga færre falske alarmer.",
            tags=["opplæring"],
            at=_at("2019-06-15"),
            **elv,
        ),
        metrics(
            "elv-alarm",
            "2019-06",
            hours_saved=12.25,
            avoided_visits=25,
            cost_nok=1200,
            at=_at("2019-07-05"),
            **elv,
        ),
        metrics(
            "elv-alarm",
            "2019-06",
            hours_saved=10.5,
            avoided_visits=20,
            cost_nok=1000,
            at=_at("2019-07-01"),
            **elv,
        ),
        metrics(
            "elv-alarm",
            "2019-07",
            hours_saved=5,
            avoided_visits=10,
            cost_nok=500,
            at=_at("2019-08-01"),
            **elv,
        ),
        registered("amot-alarm", municipality="3422", at=_at("2018-01-15")),
        phase("amot-alarm", "piloting", municipality="3422", at=_at("2018-03-01")),
        phase("amot-alarm", "implementing", municipality="3422", at=_at("2018-09-01")),
        phase("amot-alarm", "operation", municipality="3422", at=_at("2019-01-10")),
        lesson(
            "amot-alarm",
            municipality="3422",
            title="Test dekning før utrulling",
            text="Mobildekningen i grisgrendte strøk var dårligere enn antatt.",
            tags=["dekning"],
            at=_at("2018-04-01"),
        ),
        metrics("amot-alarm", "2019-06", municipality="3422", hours_saved=3, avoided_visits=4, cost_nok=300),
        registered("hamar-alarm", municipality="3403", at=_at("2017-11-20")),
        concluded(
            "hamar-alarm",
            "scaled_up",
            summary="Skalert opp til hele kommunen.",
            municipality="3403",
            at=_at("2018-06-30"),
        ),
        lesson(
            "hamar-alarm",
            municipality="3403",
            title="Plan the supplier change",
            text="When we changed supplier, alarms lost contact. Run both platforms in parallel.",
            tags=["supplier", "risk"],
            at=_at("2018-02-01"),
        ),
        registered("trysil-alarm", municipality="3421", at=_at("2020-03-01")),
        lesson(
            "trysil-alarm",
            municipality="3421",
            title="Alarmer og batterier",
            text="Batteriene i alarmene varte kortere enn lovet.",
            at=_at("2020-08-01"),
        ),
        concluded(
            "trysil-alarm",
            "discontinued",
            summary="Avsluttet: for dyrt.",
            municipality="3421",
            at=_at("2020-09-01"),
        ),
        registered("tynset-alarm", municipality="3427", at=_at("2021-01-05")),
        registered("rendalen-alarm", municipality="3424", at=_at("2016-05-01")),
        phase("rendalen-alarm", "operation", municipality="3424", at=_at("2016-06-01")),
        registered("elv-home", technology="digital-home-follow-up", at=_at("2020-01-01"), **elv),
        lesson(
            "elv-home",
            title="Measure benefits from day one",
            text="Without a baseline of home visits we could not show the savings.",
            tags=["benefits"],
            at=_at("2020-06-01"),
            **elv,
        ),
    ]
    # metrics() without at= uses the factory default (2021-01-01), after every correction above.
    return [*events, events[0]]
