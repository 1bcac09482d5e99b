"""Lessons, benefits, peers and diffusion on a fixed event set, against hand-computed answers."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from fastapi.testclient import TestClient

from alliance.bootstrap import Platform
from tests.support.insight_events import insight_events


@pytest.fixture
def loaded(client: TestClient, platform: Platform) -> TestClient:
    response = client.post("/v1/events", json=insight_events())
    assert response.status_code == 200, response.text
    platform.drain()
    return client


def _lessons(client: TestClient, **params: Any) -> list[dict[str, Any]]:
    response = client.get("/v1/lessons", params=params)
    assert response.status_code == 200, response.text
    return response.json()["lessons"]


def _titles(client: TestClient, **params: Any) -> list[str]:
    return [lesson["title"] for lesson in _lessons(client, **params)]


class TestLessonSearch:
    def test_all_lessons_newest_first_with_their_context(self, loaded: TestClient) -> None:
        body = loaded.get("/v1/lessons").json()
        assert body["total"] == 7
        assert [(lesson["pilot_id"], lesson["kind"]) for lesson in body["lessons"]] == [
            ("trysil-alarm", "conclusion"),
            ("trysil-alarm", "lesson"),
            ("elv-home", "lesson"),
            ("elv-alarm", "lesson"),
            ("hamar-alarm", "conclusion"),
            ("amot-alarm", "lesson"),
            ("hamar-alarm", "lesson"),
        ]
        hamar = body["lessons"][4]
        assert hamar["text"] == "Skalert opp til hele kommunen."
        assert hamar["outcome"] == "scaled_up"
        assert hamar["phase_at_time"] == "planning"  # the phase it was concluded from
        assert hamar["region"] == "hamarregionen"

    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            ("opplæring", ["Involver nattevaktene"]),
            ("training", ["Involver nattevaktene"]),  # English word, Norwegian lesson
            ("leverandør", ["Plan the supplier change"]),  # Norwegian word, English lesson
            ("supplier", ["Plan the supplier change"]),
            ("batteries", ["Alarmer og batterier"]),
            ("savings", ["Measure benefits from day one"]),
        ],
    )
    def test_finds_words_in_either_language(
        self, loaded: TestClient, query: str, expected: list[str]
    ) -> None:
        assert _titles(loaded, q=query) == expected

    def test_ranks_by_words_matched_then_relevance(self, loaded: TestClient) -> None:
        # "alarm" occurs in three lessons; Trysil's has it in its title, which counts double.
        assert _titles(loaded, q="alarmer")[0] == "Alarmer og batterier"
        assert set(_titles(loaded, q="alarms")) == {
            "Alarmer og batterier",
            "Involver nattevaktene",
            "Plan the supplier change",
        }
        # Both words beat one word, however strong.
        assert _titles(loaded, q="alarms opplæring")[0] == "Involver nattevaktene"

    def test_filters_combine(self, loaded: TestClient) -> None:
        assert set(_titles(loaded, q="alarms", region="sor-osterdal")) == {
            "Alarmer og batterier",
            "Involver nattevaktene",
        }
        assert [(x["pilot_id"], x["kind"]) for x in _lessons(loaded, outcome="discontinued")] == [
            ("trysil-alarm", "conclusion"),
            ("trysil-alarm", "lesson"),
        ]
        assert set(_titles(loaded, phase="piloting")) == {
            "Involver nattevaktene",
            "Test dekning før utrulling",
        }
        assert _titles(loaded, technology="digital-home-follow-up") == ["Measure benefits from day one"]
        assert _titles(loaded, tag="supplier", municipality="3403") == ["Plan the supplier change"]
        assert _titles(loaded, tag="supplier", municipality="0403") == [
            "Plan the supplier change"
        ]  # pre-2020 code
        assert _titles(loaded, q="alarms", technology="digital-home-follow-up") == []

    def test_paging_and_csv(self, loaded: TestClient) -> None:
        page = loaded.get("/v1/lessons", params={"limit": 2, "offset": 2}).json()
        assert page["total"] == 7 and len(page["lessons"]) == 2
        response = loaded.get("/v1/lessons", params={"q": "supplier", "format": "csv"})
        assert response.headers["content-type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(response.text)))
        assert rows[0]["tags"] == "supplier|risk" and rows[0]["municipality"] == "3403"

    def test_refuses_bad_parameters_naming_them(self, loaded: TestClient) -> None:
        response = loaded.get("/v1/lessons", params={"technology": "teleporter"})
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"].endswith("technology")
        assert loaded.get("/v1/lessons", params={"municipality": "9999"}).status_code == 404


class TestBenefits:
    def test_totals_and_series_use_the_latest_correction(self, loaded: TestClient) -> None:
        body = loaded.get("/v1/benefits").json()
        assert body["alliance"]["totals"] == {"hours_saved": 20.25, "cost_nok": 2000, "avoided_visits": 39}
        assert body["alliance"]["series"] == [
            {"period": "2019-06", "hours_saved": 15.25, "cost_nok": 1500, "avoided_visits": 29},
            {"period": "2019-07", "hours_saved": 5, "cost_nok": 500, "avoided_visits": 10},
        ]
        assert body["alliance"]["pilots"] == 2
        assert [t["technology"] for t in body["technologies"]] == ["safety-alarm"]
        assert [r["region"] for r in body["regions"]] == ["sor-osterdal"]

    def test_filters(self, loaded: TestClient) -> None:
        later = loaded.get("/v1/benefits", params={"period_from": "2019-07"}).json()
        assert later["alliance"]["totals"] == {"hours_saved": 5, "cost_nok": 500, "avoided_visits": 10}
        amot = loaded.get("/v1/benefits", params={"municipality": "3422"}).json()
        assert amot["alliance"]["totals"] == {"hours_saved": 3, "cost_nok": 300, "avoided_visits": 4}
        none = loaded.get("/v1/benefits", params={"region": "hamarregionen"}).json()
        assert none["alliance"] == {
            "pilots": 0,
            "totals": {"hours_saved": 0, "cost_nok": 0, "avoided_visits": 0},
            "series": [],
        }
        assert loaded.get("/v1/benefits", params={"period_to": "2019-13"}).status_code == 422

    def test_csv(self, loaded: TestClient) -> None:
        rows = list(csv.DictReader(io.StringIO(loaded.get("/v1/benefits?format=csv").text)))
        total = next(r for r in rows if r["scope"] == "alliance" and r["period"] == "total")
        assert (total["hours_saved"], total["avoided_visits"]) == ("20.25", "39")


class TestPeers:
    def _peers(self, client: TestClient, code: str) -> list[tuple[str, str]]:
        response = client.get(f"/v1/municipalities/{code}/peers", params={"technology": "safety-alarm"})
        assert response.status_code == 200, response.text
        return [(p["municipality"], p["reason_code"]) for p in response.json()["peers"]]

    def test_higher_phase_same_region_first(self, loaded: TestClient) -> None:
        # Elverum pilots; Åmot and Hamar run it (Åmot is a neighbour); Trysil stopped,
        # Tynset plans, Rendalen is not a member.
        assert self._peers(loaded, "3420") == [("3422", "higher_phase"), ("3403", "higher_phase")]

    def test_longer_in_operation(self, loaded: TestClient) -> None:
        assert self._peers(loaded, "3422") == [("3403", "longer_in_operation")]
        assert self._peers(loaded, "3403") == []

    def test_not_started_sees_everyone_further_along(self, loaded: TestClient) -> None:
        assert self._peers(loaded, "3401") == [
            ("3403", "higher_phase"),
            ("3422", "higher_phase"),
            ("3420", "higher_phase"),
            ("3427", "higher_phase"),
        ]

    def test_each_peer_brings_pilots_lessons_and_a_reason(self, loaded: TestClient) -> None:
        body = loaded.get("/v1/municipalities/3420/peers", params={"technology": "safety-alarm"}).json()
        assert (body["phase"], body["phase_since"][:10]) == ("piloting", "2019-05-01")
        amot = body["peers"][0]
        assert amot["reason"] == "In operation since 2019-01-10, while you is in piloting (same region)"
        assert [p["pilot_id"] for p in amot["pilots"]] == ["amot-alarm"]
        assert [lesson["title"] for lesson in amot["lessons"]] == ["Test dekning før utrulling"]
        assert amot["months_in_phase"] == 94  # 2019-01-10 → 2026-11-30
        assert amot["suppliers"] == []

    def test_unknown_codes(self, loaded: TestClient) -> None:
        assert loaded.get("/v1/municipalities/9999/peers?technology=safety-alarm").status_code == 404
        assert loaded.get("/v1/municipalities/3420/peers").status_code == 422


class TestDiffusion:
    def test_members_reaching_each_phase_by_quarter(self, loaded: TestClient) -> None:
        body = loaded.get("/v1/technologies/safety-alarm/diffusion").json()
        assert body["members"] == 17
        by_quarter = {q["quarter"]: [q[p] for p in body["phases"]] for q in body["quarters"]}
        assert body["quarters"][0]["quarter"] == "2017Q1" and body["quarters"][-1]["quarter"] == "2026Q4"
        assert by_quarter["2017Q3"] == [0, 0, 0, 0]
        assert by_quarter["2017Q4"] == [1, 0, 0, 0]
        assert by_quarter["2018Q1"] == [2, 1, 0, 0]
        assert by_quarter["2018Q2"] == [2, 2, 1, 1]
        assert by_quarter["2018Q3"] == [2, 2, 2, 1]
        assert by_quarter["2019Q1"] == [3, 2, 2, 2]
        assert by_quarter["2019Q2"] == [3, 3, 2, 2]
        assert by_quarter["2020Q1"] == [4, 3, 2, 2]
        assert by_quarter["2021Q1"] == [5, 3, 2, 2]
        assert by_quarter["2026Q4"] == [5, 3, 2, 2]

    def test_csv_and_unknown(self, loaded: TestClient) -> None:
        rows = list(
            csv.DictReader(io.StringIO(loaded.get("/v1/technologies/safety-alarm/diffusion?format=csv").text))
        )
        assert rows[-1] == {
            "quarter": "2026Q4",
            "last_day": "2026-12-31",
            "planning": "5",
            "piloting": "3",
            "implementing": "2",
            "operation": "2",
        }
        assert loaded.get("/v1/technologies/teleporter/diffusion").status_code == 404
