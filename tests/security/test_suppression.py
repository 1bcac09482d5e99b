"""Small-count suppression: pure rules, complementary suppression, and every output format."""

from __future__ import annotations

import csv
import io

from hypothesis import given, settings
from hypothesis import strategies as st

from schemas.reference import reference
from services.governance.suppression import (
    ANONYMOUS,
    CELL_GROUPS,
    COORDINATOR,
    FLAG,
    Viewer,
    hidden_alarm_months,
    suppress_alarm_summary,
    suppress_alarm_view,
    suppress_cells,
    suppress_pilot,
    suppress_table,
)
from tests.support.auth import COORDINATOR_ORG, HOSPITAL_ORG, READ
from tests.support.factories import metrics, registered

CODES = [m.code for m in reference().municipalities]
TECHNOLOGIES = sorted(reference().technology_codes)[:4]


def cell(municipality: str, technology: str, users: int, devices: int = 10) -> dict:
    return {
        "municipality": municipality,
        "technology": technology,
        "users_active": users,
        "devices_deployed": devices,
    }


def test_small_counts_are_hidden_from_others_only():
    rows = [cell("3420", "safety-alarm", 3, 0), cell("3403", "safety-alarm", 7, 5)]
    anonymous = suppress_table(rows, ANONYMOUS, groups={}).rows
    assert anonymous[0]["users_active"] is None and anonymous[0][FLAG] == ["users_active"]
    assert anonymous[0]["devices_deployed"] == 0  # zero points at nobody
    assert anonymous[1] == rows[1]
    assert suppress_table(rows, Viewer("3420"), groups={}).rows == rows
    assert suppress_table(rows, COORDINATOR).rows == rows
    assert suppress_table(rows, Viewer("3403"), groups={}).rows[0]["users_active"] is None


def test_the_next_smallest_cell_is_hidden_too_so_the_total_gives_nothing_back():
    rows = [
        cell("3420", "safety-alarm", 3),
        cell("3403", "safety-alarm", 9),
        cell("3401", "safety-alarm", 40),
    ]
    table = suppress_table(rows, ANONYMOUS, groups={"technology": CELL_GROUPS["technology"]})
    assert [r["users_active"] for r in table.rows] == [None, None, 40]
    assert (
        table.total("users_active", "technology", "safety-alarm") == 52
    )  # 52 - 40 = 12 = 3 + 9: no single cell
    # The viewer's own cells do not protect: it knows them, so another cell is chosen.
    table = suppress_table(rows, Viewer("3403"), groups={"technology": CELL_GROUPS["technology"]})
    assert [r["users_active"] for r in table.rows] == [None, 9, None]


def test_without_any_complement_the_total_is_suppressed():
    rows = [cell("3420", "safety-alarm", 3), cell("3403", "safety-alarm", 9)]
    table = suppress_table(rows, Viewer("3403"), groups={"technology": CELL_GROUPS["technology"]})
    assert table.rows[0]["users_active"] is None
    assert table.total("users_active", "technology", "safety-alarm") is None


values = st.integers(min_value=0, max_value=12)


@st.composite
def tables(draw):
    municipalities = draw(st.lists(st.sampled_from(CODES), min_size=1, max_size=8, unique=True))
    technologies = draw(st.lists(st.sampled_from(TECHNOLOGIES), min_size=1, max_size=4, unique=True))
    rows = [
        cell(m, t, draw(values), draw(values))
        for m in municipalities
        for t in technologies
        if draw(st.booleans())
    ]
    viewer = draw(st.sampled_from([ANONYMOUS, Viewer(municipalities[0]), Viewer("3430")]))
    return rows, viewer


@settings(max_examples=150, deadline=None)
@given(tables())
def test_no_published_total_isolates_one_hidden_value(table_and_viewer):
    rows, viewer = table_and_viewer
    table = suppress_table(rows, viewer)
    for field in ("users_active", "devices_deployed"):
        for name, of in CELL_GROUPS.items():
            for key in {of(r) for r in rows}:
                members = [i for i, r in enumerate(rows) if of(r) == key]
                hidden = [i for i in members if table.rows[i][field] is None]
                total = table.total(field, name, key)
                # A published total minus what the viewer sees leaves a sum of 0 or ≥ 2 hidden values.
                assert total is None or len(hidden) != 1, (field, name, key)
                if total is not None:
                    seen = sum(table.rows[i][field] for i in members if i not in hidden)
                    assert total - seen == sum(rows[i][field] for i in hidden)
        for shown, raw in zip(table.rows, rows, strict=True):
            if viewer.sees(raw["municipality"]):
                assert shown[field] == raw[field]
            elif 1 <= raw[field] <= 4:
                assert shown[field] is None and field in shown[FLAG]
            if shown[field] is not None:
                assert shown[field] == raw[field]


def test_alarm_figures_hide_every_rollup_that_includes_a_hidden_report():
    reports = [
        {
            "municipality": "3420",
            "region": "sor-osterdal",
            "technology": "safety-alarm",
            "period": "2026-10",
            "platform": "a",
            "users_connected": 3,
            "event_id": "r1",
        },
        {
            "municipality": "3420",
            "region": "sor-osterdal",
            "technology": "safety-alarm",
            "period": "2026-10",
            "platform": "b",
            "users_connected": 40,
            "event_id": "r2",
        },
        {
            "municipality": "3403",
            "region": "hamarregionen",
            "technology": "safety-alarm",
            "period": "2026-10",
            "platform": "a",
            "users_connected": 50,
            "event_id": "r3",
        },
        {
            "municipality": "3420",
            "region": "sor-osterdal",
            "technology": "safety-alarm",
            "period": "2026-09",
            "platform": "a",
            "users_connected": 30,
            "event_id": "r4",
        },
    ]
    hidden = hidden_alarm_months(reports, ANONYMOUS)
    assert hidden == {("3420", "safety-alarm", "2026-10")}
    assert hidden_alarm_months(reports, Viewer("3420")) == set()
    cells = [
        {**cell("3420", "safety-alarm", 30), "alarms": {"period": "2026-10", "users_connected": 43}},
        {**cell("3403", "safety-alarm", 30), "alarms": {"period": "2026-10", "users_connected": 50}},
    ]
    shown = suppress_cells(cells, ANONYMOUS, hidden).rows
    # 43 = 3 + 40: shown, it would give the 3 back next to the visible 40.
    assert shown[0]["alarms"] == {"period": "2026-10", "users_connected": None}
    assert shown[0][FLAG] == ["alarms.users_connected"]
    assert shown[1]["alarms"]["users_connected"] == 50
    month = {"period": "2026-10", "users_connected": 93}
    view = {
        "reports": reports,
        "municipalities": [
            {
                "municipality": "3420",
                "last_period": "2026-10",
                "users_connected": 43,
                "series": [{"period": "2026-09", "users_connected": 30}, {**month, "users_connected": 43}],
            }
        ],
        "regions": [
            {"region": "hamarregionen", "last_period": "2026-10", "users_connected": 50, "series": []},
            {"region": "sor-osterdal", "last_period": "2026-10", "users_connected": 43, "series": []},
        ],
        "alliance": {"last_period": "2026-10", "users_connected": 93, "series": [month]},
    }
    out = suppress_alarm_view(view, hidden, members=["3420", "3403"])
    assert [r["users_connected"] for r in out["reports"]] == [None, None, 50, 30]
    assert out["municipalities"][0]["users_connected"] is None
    assert [m["users_connected"] for m in out["municipalities"][0]["series"]] == [30, None]
    assert out["regions"][0]["users_connected"] == 50 and out["regions"][1]["users_connected"] is None
    assert out["alliance"]["users_connected"] is None and out["alliance"]["series"][0][FLAG] == [
        "users_connected"
    ]
    assert (
        suppress_alarm_summary(
            {"last_period": "2026-10", "users_connected": 93}, hidden, technology="safety-alarm"
        )["users_connected"]
        is None
    )


def test_a_pilot_is_suppressed_with_its_cell_siblings_and_in_every_period():
    pilot = {
        "pilot_id": "a",
        "municipality": "3420",
        "users_active": 8,
        "devices_deployed": 3,
        "metrics": {"2026-01": {"users_active": 2}, "2026-02": {"users_active": 8, "devices_deployed": 3}},
    }
    siblings = [
        {"pilot_id": "a", "users_active": 8, "devices_deployed": 3},
        {"pilot_id": "b", "users_active": 2, "devices_deployed": 20},
    ]
    view = suppress_pilot(pilot, siblings, ANONYMOUS)
    # b's 2 users are hidden, so a's 8 must be too (the cell shows 10); a's 3 devices are small.
    assert (view["users_active"], view["devices_deployed"]) == (None, None)
    assert view[FLAG] == ["users_active", "devices_deployed"]
    assert view["metrics"]["2026-01"]["users_active"] is None
    assert view["metrics"]["2026-02"] == {
        "users_active": None,
        "devices_deployed": None,
        FLAG: ["users_active", "devices_deployed"],
    }
    assert suppress_pilot(pilot, siblings, Viewer("3420")) == pilot


# -- through the API, in every output format ------------------------------------------------------


def _load(client, platform) -> None:
    events = [
        registered("elv", municipality="3420", at="2026-01-01T08:00:00Z"),
        metrics(
            "elv",
            "2026-10",
            municipality="3420",
            users_active=3,
            devices_deployed=4,
            at="2026-11-01T08:00:00Z",
        ),
        registered("ham", municipality="3403", at="2026-01-01T08:00:00Z"),
        metrics(
            "ham",
            "2026-10",
            municipality="3403",
            users_active=9,
            devices_deployed=9,
            at="2026-11-01T08:00:00Z",
        ),
        registered("kon", municipality="3401", at="2026-01-01T08:00:00Z"),
        metrics(
            "kon",
            "2026-10",
            municipality="3401",
            users_active=40,
            devices_deployed=41,
            at="2026-11-01T08:00:00Z",
        ),
    ]
    for event in events:
        assert client.post("/v1/events", json=event).status_code == 202
    platform.drain()


def _viewers(tokens) -> dict[str, dict[str, str]]:
    return {
        "anonymous": {},
        "hospital": tokens.headers(HOSPITAL_ORG, READ),
        "other municipality": tokens.municipality("3403"),
        "own municipality": tokens.municipality("3420"),
        "coordinator": tokens.headers(COORDINATOR_ORG, READ),
    }


def test_suppression_holds_in_json_csv_profiles_and_pilots(client, platform, tokens):
    _load(client, platform)
    for name, headers in _viewers(tokens).items():
        sees_elverum = name in ("own municipality", "coordinator")
        sees_hamar = name in ("other municipality", "coordinator")

        def get(url, headers=headers, name=name):
            response = client.get(url, headers=headers, auth=None)
            assert response.status_code == 200, (name, url, response.text)
            return response

        cells = {c["municipality"]: c for c in get("/v1/adoption").json()["cells"]}
        rows = {
            r["municipality"]: r for r in csv.DictReader(io.StringIO(get("/v1/adoption?format=csv").text))
        }
        filtered = {c["municipality"]: c for c in get("/v1/adoption?region=sor-osterdal").json()["cells"]}
        profile = get("/v1/municipalities/3420").json()["cells"][0]
        pilot = get("/v1/pilots/elv").json()
        if sees_elverum:
            assert cells["3420"]["users_active"] == 3 and FLAG not in cells["3420"], name
            assert rows["3420"]["users_active"] == "3" and rows["3420"][FLAG] == ""
            assert filtered["3420"]["users_active"] == 3
            assert (profile["users_active"], pilot["users_active"]) == (3, 3)
            assert pilot["metrics"]["2026-10"]["users_active"] == 3
        else:
            assert cells["3420"]["users_active"] is None, name
            assert cells["3420"][FLAG] == ["users_active", "devices_deployed"]
            assert (
                rows["3420"]["users_active"] == "" and rows["3420"][FLAG] == "users_active|devices_deployed"
            )
            assert filtered["3420"]["users_active"] is None  # decided on the whole table, then filtered
            assert profile["users_active"] is None and profile[FLAG] == ["users_active", "devices_deployed"]
            assert pilot["users_active"] is None and pilot["metrics"]["2026-10"]["users_active"] is None
            # The complement: Hamar's 9 is the next-smallest, hidden unless the viewer is Hamar.
            expected = 9 if sees_hamar else None
            assert cells["3403"]["users_active"] == expected, name
            # Hamar knows its own 9, so Kongsvinger's 40 is the complement Hamar cannot see.
            assert cells["3401"]["users_active"] == (None if sees_hamar else 40), name


def test_alarm_users_are_suppressed_in_every_alarm_output(client, platform, tokens):
    from tests.support.indicator_factories import alarms

    reports = [
        alarms("2026-10", users=3, municipality="3420", at="2026-11-01T08:00:00Z"),
        alarms("2026-10", users=60, municipality="3403", at="2026-11-01T08:00:00Z"),
    ]
    for report in reports:
        assert client.post("/v1/events", json=report).status_code == 202
    assert client.post("/v1/events", json=registered("elv", municipality="3420")).status_code == 202
    platform.drain()
    for name, headers in _viewers(tokens).items():
        sees = name in ("own municipality", "coordinator")

        def get(url, headers=headers):
            response = client.get(url, headers=headers, auth=None)
            assert response.status_code == 200, (url, response.text)
            return response

        view = get("/v1/alarms").json()
        rows = {r["municipality"]: r for r in view["reports"]}
        csv_rows = {
            r["municipality"]: r for r in csv.DictReader(io.StringIO(get("/v1/alarms?format=csv").text))
        }
        technology = get("/v1/technologies/safety-alarm").json()["alarms"]
        profile = get("/v1/municipalities/3420").json()["alarms"]
        cell = {c["municipality"]: c for c in get("/v1/adoption").json()["cells"]}.get("3420")
        if sees:
            assert rows["3420"]["users_connected"] == 3 and csv_rows["3420"]["users_connected"] == "3", name
            assert view["alliance"]["users_connected"] == 63 and profile["users_connected"] == 3
            if name == "coordinator":
                assert technology["users_connected"] == 63
        else:
            assert rows["3420"]["users_connected"] is None and rows["3420"][FLAG] == ["users_connected"], name
            assert csv_rows["3420"]["users_connected"] == "" and csv_rows["3420"][FLAG] == "users_connected"
            assert rows["3403"]["users_connected"] == 60
            # Every total that includes the hidden 3 is hidden: 63 - 60 would give it back.
            assert view["alliance"]["users_connected"] is None
            assert technology["users_connected"] is None
            assert profile["users_connected"] is None
            assert all(m["users_connected"] is None for m in profile["series"])
            if cell is not None and cell.get("alarms"):
                assert cell["alarms"]["users_connected"] is None
