"""The read views: adoption (JSON and CSV), municipalities, technologies, pilots, membership."""

from __future__ import annotations

import csv
import io

import pytest

from tests.support.factories import concluded, lesson, metrics, phase, registered


@pytest.fixture
def loaded(client, platform):
    events = [
        registered("elv-alarm", municipality="3420", at="2019-01-01T08:00:00Z", partners=["HelseINN"]),
        phase("elv-alarm", "operation", municipality="3420", at="2020-01-01T08:00:00Z"),
        metrics(
            "elv-alarm",
            "2020-01",
            municipality="3420",
            users_active=40,
            devices_deployed=41,
            hours_saved=10.5,
            avoided_visits=20,
            cost_nok=1000,
            at="2020-02-01T08:00:00Z",
        ),
        lesson("elv-alarm", municipality="3420", at="2020-03-01T08:00:00Z"),
        registered("ham-gps", technology="location-gps", municipality="3403", at="2021-01-01T08:00:00Z"),
        registered(
            "try-tilsyn", technology="digital-supervision", municipality="3421", at="2021-01-01T08:00:00Z"
        ),
        concluded("try-tilsyn", "discontinued", municipality="3421", at="2022-01-01T08:00:00Z"),
    ]
    assert client.post("/v1/events", json=events).json()["accepted"] == len(events)
    platform.drain()
    return events


def test_adoption_json_has_the_documented_fields(client, loaded):
    body = client.get("/v1/adoption").json()
    assert body["as_of"] == "2022-01-01T08:00:00.000000Z"
    cells = {(c["municipality"], c["technology"]): c for c in body["cells"]}
    assert set(cells) == {("3420", "safety-alarm"), ("3403", "location-gps"), ("3421", "digital-supervision")}
    assert cells[("3420", "safety-alarm")] == {
        "municipality": "3420",
        "technology": "safety-alarm",
        "phase": "operation",
        "phase_since": "2020-01-01T08:00:00.000000Z",
        "pilots": 1,
        "users_active": 40,
        "devices_deployed": 41,
        "hours_saved": 10.5,
        "avoided_visits": 20,
        "cost_nok": 1000.0,
        "updated_at": "2020-03-01T08:00:00.000000Z",
        "suppliers": [],
        "contract_value_nok": 0,
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("region=sor-osterdal", {"3420", "3421"}),
        ("technology=location-gps", {"3403"}),
        ("phase=discontinued", {"3421"}),
        ("region=sor-osterdal&phase=operation", {"3420"}),
        ("region=fjellregionen", set()),
    ],
)
def test_adoption_filters_combine(client, loaded, query, expected):
    assert {c["municipality"] for c in client.get(f"/v1/adoption?{query}").json()["cells"]} == expected


def test_adoption_rejects_unknown_filter_values(client):
    response = client.get("/v1/adoption?technology=robot")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "technology"


def test_adoption_as_csv(client, loaded):
    response = client.get("/v1/adoption?technology=safety-alarm", headers={"Accept": "text/csv"})
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert rows == [
        {
            "municipality": "3420",
            "technology": "safety-alarm",
            "phase": "operation",
            "phase_since": "2020-01-01T08:00:00.000000Z",
            "pilots": "1",
            "users_active": "40",
            "devices_deployed": "41",
            "hours_saved": "10.5",
            "avoided_visits": "20",
            "cost_nok": "1000.0",
            "updated_at": "2020-03-01T08:00:00.000000Z",
            "suppressed": "",
        }
    ]
    assert client.get("/v1/adoption?format=csv").text.startswith("municipality,technology,phase")


def test_municipalities_and_profile(client, loaded):
    listing = client.get("/v1/municipalities").json()
    assert len(listing) == 22
    assert sum(m["member"] for m in listing) == 17
    by_old_code = client.get("/v1/municipalities/0427").json()
    assert by_old_code["code"] == "3420" and by_old_code["name"] == "Elverum" and by_old_code["member"]
    assert [p["pilot_id"] for p in by_old_code["pilots"]] == ["elv-alarm"]
    assert by_old_code["cells"][0]["phase"] == "operation"
    missing = client.get("/v1/municipalities/0301")
    assert missing.status_code == 404 and "0301" in missing.json()["detail"]


def test_technologies_and_technology_view(client, loaded):
    assert len(client.get("/v1/technologies").json()) == 8
    view = client.get("/v1/technologies/safety-alarm").json()
    assert view["phases"]["operation"] == 1
    assert view["members_adopting"] == 1
    assert view["adoption_rate"] == round(1 / 17, 4)
    assert client.get("/v1/technologies/robot").status_code == 404


def test_pilot_view(client, loaded):
    pilot = client.get("/v1/pilots/elv-alarm").json()
    assert [s["phase"] for s in pilot["phase_history"]] == ["planning", "operation"]
    assert pilot["metrics"]["2020-01"]["users_active"] == 40
    assert len(pilot["lessons"]) == 1
    assert "facts" not in pilot and "statuses" not in pilot
    assert client.get("/v1/pilots/nope").status_code == 404


def test_membership_is_data_changeable_at_run_time(client, loaded):
    current = client.get("/v1/membership").json()
    assert (
        current["default"] is True and len(current["members"]) == 17 and "Illustrative" in current["source"]
    )
    new = {"members": ["0427", "3421", "3403"], "source": "Styringsgruppemøte 2026-11", "as_of": "2026-11-01"}
    assert client.put("/v1/membership", json=new).json()["members"] == ["3403", "3420", "3421"]
    assert client.get("/v1/technologies/safety-alarm").json()["adoption_rate"] == round(1 / 3, 4)
    bad = client.put("/v1/membership", json={**new, "members": ["9999"]})
    assert bad.status_code == 422 and bad.json()["errors"][0]["rule"] == "unknown_municipality"


def test_health_and_contracts(client):
    assert client.get("/healthz").json()["status"] == "ok"
    assert client.get("/readyz").status_code == 200
    assert client.get("/asyncapi.json").json()["asyncapi"].startswith("3.0")
    spec = client.get("/openapi.json").json()
    assert "PilotEvent" in spec["components"]["schemas"]
    assert "/v1/adoption" in spec["paths"]
