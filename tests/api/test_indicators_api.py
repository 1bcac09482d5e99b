"""``/v1/alarms`` and ``/v1/competence`` (JSON and CSV), event status, and alarm figures in other views."""

from __future__ import annotations

import csv
import io

import pytest

from tests.support.factories import FNR, registered
from tests.support.indicator_factories import alarms, competence


@pytest.fixture
def loaded(client, platform):
    events = [
        registered("elv-alarm", municipality="3420", at="2025-01-01T08:00:00Z"),
        alarms(
            "2026-01",
            municipality="3420",
            received=200,
            false=50,
            on_site=20,
            users=100,
            p50=30,
            p90=100,
            at="2026-02-05T08:00:00Z",
        ),
        alarms(
            "2026-02",
            municipality="3420",
            received=100,
            false=20,
            on_site=10,
            users=110,
            p50=40,
            p90=130,
            at="2026-03-05T08:00:00Z",
        ),
        alarms(
            "2026-01",
            municipality="3420",
            technology="digital-supervision",
            received=50,
            false=10,
            on_site=5,
            users=20,
            p50=60,
            p90=200,
            at="2026-02-05T08:00:00Z",
        ),
        alarms(
            "2026-01",
            municipality="0428",
            platform="trysil-mottak",
            received=100,
            false=40,
            on_site=30,
            users=40,
            p50=20,
            p90=80,
            at="2026-02-06T08:00:00Z",
        ),
        alarms(
            "2026-02",
            municipality="3403",
            platform="hamar-mottak",
            received=10,
            false=1,
            on_site=1,
            users=30,
            p50=None,
            p90=None,
            at="2026-03-06T08:00:00Z",
        ),
        competence(
            "2025", municipality="3420", enrolled=10, completed=4, hours=120.5, at="2026-01-10T08:00:00Z"
        ),
        competence(
            "2025-03", municipality="3420", enrolled=3, completed=0, hours=20, at="2025-04-10T08:00:00Z"
        ),
        competence(
            "2026-02",
            municipality="3421",
            programme="velferdsteknologiens-abc",
            enrolled=8,
            completed=2,
            hours=40,
            at="2026-03-10T08:00:00Z",
        ),
        competence(
            "2026",
            municipality="3403",
            programme="other",
            label="Kurs i varsling",
            enrolled=5,
            completed=5,
            hours=10.25,
            at="2026-03-10T08:00:00Z",
        ),
    ]
    body = client.post("/v1/events", json=events).json()
    assert body["accepted"] == len(events), body
    platform.drain()
    return events


def test_alarms_view_and_filters(client, loaded):
    body = client.get("/v1/alarms").json()
    assert body["target_p90_s"] == 120.0
    assert len(body["reports"]) == 5
    assert [r["region"] for r in body["regions"]] == ["hamarregionen", "sor-osterdal"]
    elverum = next(m for m in body["municipalities"] if m["municipality"] == "3420")
    assert (elverum["alarms_received"], elverum["response_time_p90_s"], elverum["share_within_target"]) == (
        350,
        122.9,
        0.5,
    )
    assert body["alliance"]["members_reporting"] == 3

    only = client.get("/v1/alarms", params={"municipality": "0428"}).json()  # pre-2020 number
    assert [r["municipality"] for r in only["reports"]] == ["3421"]
    south = client.get("/v1/alarms", params={"region": "sor-osterdal", "technology": "safety-alarm"}).json()
    assert {(r["municipality"], r["period"]) for r in south["reports"]} == {
        ("3420", "2026-01"),
        ("3420", "2026-02"),
        ("3421", "2026-01"),
    }
    hamar = client.get("/v1/alarms", params={"platform": "hamar-mottak"}).json()
    assert [r["municipality"] for r in hamar["reports"]] == ["3403"]
    february = client.get("/v1/alarms", params={"period_from": "2026-02", "period_to": "2026-02"}).json()
    assert {r["period"] for r in february["reports"]} == {"2026-02"}
    year = client.get("/v1/alarms", params={"period_from": "2026", "period_to": "2026"}).json()
    assert len(year["reports"]) == 5
    strict = client.get("/v1/alarms", params={"municipality": "3420", "target_s": 100}).json()
    assert strict["target_p90_s"] == 100.0
    assert strict["municipalities"][0]["months_within_target"] == 0  # January's p90 is 120


def test_alarms_csv(client, loaded):
    response = client.get("/v1/alarms", params={"technology": "safety-alarm"}, headers={"Accept": "text/csv"})
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 4
    first = rows[0]
    assert (first["period"], first["municipality"], first["false_alarm_share"]) == ("2026-01", "3420", "0.25")
    hamar = next(r for r in rows if r["municipality"] == "3403")
    assert hamar["response_time_p90_s"] == "" and hamar["within_target"] == ""


def test_bad_filters_name_the_field_and_rule(client, loaded):
    response = client.get(
        "/v1/alarms",
        params={"municipality": "9999", "period_from": "2026-13", "region": "oslo", "target_s": 0},
    )
    assert response.status_code == 422
    rules = {(e["field"], e["rule"]) for e in response.json()["errors"]}
    assert rules == {
        ("municipality", "unknown_municipality"),
        ("period_from", "string_pattern_mismatch"),
        ("region", "literal_error"),
        ("target_s", "greater_than"),
    }
    response = client.get("/v1/competence", params={"programme": "knitting"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "programme"


def test_competence_view_filters_and_csv(client, loaded):
    body = client.get("/v1/competence").json()
    counted = {(r["municipality"], r["period"]): r["counted"] for r in body["reports"]}
    assert counted == {
        ("3420", "2025"): True,
        ("3420", "2025-03"): False,
        ("3421", "2026-02"): True,
        ("3403", "2026"): True,
    }
    municipalities = {m["municipality"]: m for m in body["municipalities"]}
    assert (municipalities["3420"]["staff_enrolled"], municipalities["3420"]["hours"]) == (10, 120.5)
    regions = {r["region"]: r for r in body["regions"]}
    assert (regions["sor-osterdal"]["staff_enrolled"], regions["sor-osterdal"]["hours"]) == (18, 160.5)
    assert (body["alliance"]["staff_completed"], body["alliance"]["hours"]) == (11, 170.75)
    assert regions["hamarregionen"]["programmes"] == [
        {
            "programme": "other",
            "label": "Kurs i varsling",
            "reports": 1,
            "staff_enrolled": 5,
            "staff_completed": 5,
            "hours": 10.25,
        }
    ]

    spring = client.get("/v1/competence", params={"period_from": "2025-01", "period_to": "2025-06"}).json()
    assert [(r["period"], r["counted"]) for r in spring["reports"]] == [("2025-03", True)]
    phd = client.get("/v1/competence", params={"programme": "velferdsteknologiens-abc"}).json()
    assert [m["municipality"] for m in phd["municipalities"]] == ["3421"]
    south = client.get("/v1/competence", params={"region": "hamarregionen"}).json()
    assert [m["municipality"] for m in south["municipalities"]] == ["3403"]

    rows = list(csv.DictReader(io.StringIO(client.get("/v1/competence?format=csv").text)))
    assert {r["period"] for r in rows} == {"2025", "2025-03", "2026-02", "2026"}
    assert next(r for r in rows if r["period"] == "2025-03")["counted"] == "False"


def test_event_status_is_processed_and_says_when_corrected(client, platform, loaded):
    first = loaded[1]
    assert client.get(f"/v1/events/{first['event_id']}").json() == {
        "event_id": first["event_id"],
        "status": "processed",
    }
    correction = alarms(
        "2026-01", municipality="3420", received=210, false=50, on_site=20, at="2026-02-20T08:00:00Z"
    )
    assert client.post("/v1/events", json=correction).status_code == 202
    assert client.get(f"/v1/events/{correction['event_id']}").json()["status"] == "accepted"
    platform.drain()
    status = client.get(f"/v1/events/{first['event_id']}").json()
    assert status["status"] == "processed"
    assert status["detail"] == f"corrected by the later report {correction['event_id']}"
    assert (
        client.get("/v1/alarms", params={"municipality": "3420", "period_to": "2026-01"}).json()[
            "municipalities"
        ][0]["alarms_received"]
        == 260
    )


def test_refusals_name_field_and_rule(client):
    cases = [
        (alarms(received=5, false=6, on_site=1), "payload.alarms_false", "exceeds_alarms_received"),
        (alarms(p50=90, p90=30), "payload.response_time_p90_s", "below_p50"),
        (alarms(platform="Felles Mottak"), "payload.platform", "string_pattern_mismatch"),
        (competence(programme="other"), "payload.label", "label_required"),
        (competence(label="Kurs"), "payload.label", "label_not_allowed"),
        (competence(period="2026-00"), "payload.period", "string_pattern_mismatch"),
        (competence(programme="other", label=f"Kurs for {FNR}"), "payload.label", "identity_number"),
    ]
    for event, field, rule in cases:
        response = client.post("/v1/events", json=event)
        assert response.status_code == 422, (field, response.text)
        assert {"field": field, "rule": rule} in [
            {"field": e["field"], "rule": e["rule"]} for e in response.json()["errors"]
        ], response.text
        assert FNR not in response.text


def test_profile_cells_and_technology_view_show_alarm_figures(client, loaded):
    profile = client.get("/v1/municipalities/3420").json()
    assert profile["alarms"]["alarms_received"] == 350
    assert [m["period"] for m in profile["alarms"]["series"]] == ["2026-01", "2026-02"]
    (cell,) = profile["cells"]
    assert cell["alarms"]["period"] == "2026-02"  # the latest reported month of the cell
    assert (cell["alarms"]["alarms_received"], cell["alarms"]["response_time_p90_s"]) == (100, 130.0)
    assert client.get("/v1/municipalities/3422").json()["alarms"] is None

    cells = client.get("/v1/adoption").json()["cells"]
    assert cells[0]["alarms"]["users_connected"] == 110

    technology = client.get("/v1/technologies/safety-alarm").json()
    assert technology["alarms"]["municipalities_reporting"] == 3
    assert technology["alarms"]["alarms_received"] == 410
    assert client.get("/v1/technologies/nurse-call").json()["alarms"] is None


def test_openapi_documents_the_indicator_views(client):
    spec = client.get("/openapi.json").json()
    assert {"/v1/alarms", "/v1/competence"} <= set(spec["paths"])
    assert "AlarmsOut" in spec["components"]["schemas"] and "CompetenceOut" in spec["components"]["schemas"]
    assert "AlarmsPeriodReported" in spec["components"]["schemas"]


def test_dashboard_has_alarm_and_competence_sections(client, loaded):
    page = client.get("/", params={"lang": "en"}).text
    assert 'id="alarms"' in page and 'id="competence"' in page
    assert "Target: p90 ≤ 120 s" in page
    assert "Kurs i varsling" in page and "Innovation management" in page
    norwegian = client.get("/").text
    assert "Alarmmottak" in norwegian and "Kompetanse" in norwegian


def test_dashboard_without_indicator_figures(client):
    page = client.get("/", params={"lang": "en"}).text
    assert "No alarm figures reported yet." in page and "No competence figures yet." in page


def test_an_invalid_indicator_event_on_the_log_is_rejected_once(client, platform):
    import orjson

    from schemas.topics import DEAD_LETTER, PILOT_EVENTS
    from services.core.ports import LogRecord

    # A producer writing to the topic directly is not screened by the API: the services are.
    bad = alarms("2026-01", received=5, false=9, on_site=1)
    platform.log.append(PILOT_EVENTS.name, [LogRecord("3420", orjson.dumps(bad))])
    platform.drain()
    status = client.get(f"/v1/events/{bad['event_id']}").json()
    assert (status["status"], status["reason"]) == ("rejected", "validation_failed")
    assert status["errors"][0]["field"] == "payload.alarms_false"
    letters = [orjson.loads(e.value) for e in platform.log.read(DEAD_LETTER.name, 0, 0, 100)]
    assert [(d["event_id"], d["reason"]) for d in letters] == [(bad["event_id"], "validation_failed")]
    assert client.get("/v1/alarms").json()["reports"] == []
