"""Alarm and competence events through Kafka + FerretDB give the same views as the embedded shape."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from alliance.bootstrap import build_platform
from alliance.demo import demo_indicator_events
from alliance.settings import Settings
from tests.conftest import fixed_clock
from tests.support.auth import PlatformTokens, SigningAuth
from tests.support.distributed import wait_until
from tests.support.indicator_factories import alarms, competence

pytestmark = pytest.mark.integration

QUERIES = [
    ("/v1/alarms", {}),
    ("/v1/alarms", {"region": "sor-osterdal", "technology": "safety-alarm", "period_from": "2025-06"}),
    ("/v1/alarms", {"municipality": "3403", "target_s": 90}),
    ("/v1/competence", {}),
    ("/v1/competence", {"programme": "velferdsteknologiens-abc", "period_from": "2023", "period_to": "2025"}),
    ("/v1/competence", {"region": "hamarregionen"}),
]


def indicator_events() -> list[dict[str, Any]]:
    """The demo figures plus corrections (later and earlier than the original) and a reused id."""
    events = demo_indicator_events(seed=8)
    events += [
        alarms(
            "2025-03",
            municipality="3420",
            platform="sor-osterdal-felles-mottak",
            received=999,
            false=1,
            on_site=1,
            at="2026-05-01T00:00:00Z",
        ),
        alarms(
            "2025-03",
            municipality="3421",
            platform="sor-osterdal-felles-mottak",
            received=1,
            false=1,
            on_site=1,
            at="2020-01-01T00:00:00Z",
        ),  # older than the original: no effect
        competence(
            "2024",
            municipality="3403",
            programme="velferdsteknologiens-abc",
            enrolled=77,
            at="2026-02-01T00:00:00Z",
        ),
    ]
    return events


def shuffled_with_duplicates(events: list[dict], seed: int, duplicates: int) -> list[dict]:
    rng = random.Random(seed)
    out = list(events)
    rng.shuffle(out)
    return out + rng.sample(events, duplicates)


def embedded_views(events: list[dict], data_dir: Path) -> list[Any]:
    from fastapi.testclient import TestClient

    from api.app import create_app

    platform = build_platform(Settings(data_dir=data_dir, cache_seconds=0), clock=fixed_clock)
    with TestClient(create_app(platform, process=False)) as client:
        client.auth = SigningAuth(PlatformTokens(platform.settings))
        if events:
            assert client.post("/v1/events", json=events).status_code == 200
        platform.drain()
        views = [client.get(path, params=params).json() for path, params in QUERIES]
    platform.close()
    return views


def test_same_indicator_events_give_identical_views_in_both_shapes(distributed, tmp_path):
    events = shuffled_with_duplicates(indicator_events(), seed=4, duplicates=80)
    expected = embedded_views(events, tmp_path / "embedded")
    assert expected[0]["reports"] and expected[3]["reports"]

    # The API's token issuer lives in its data directory: create it first, to sign with it.
    api_dir = tmp_path / "api"
    distributed.env["ALLIANCE_DATA_DIR"] = str(api_dir)
    tokens = PlatformTokens(Settings(data_dir=api_dir))
    distributed.start_api()
    distributed.start_worker("indicators")
    with distributed.client() as client:
        client.auth = SigningAuth(tokens)
        for i in range(0, len(events), 250):
            response = client.post("/v1/events", json=events[i : i + 250])
            assert response.status_code == 200, response.text

        def current() -> list[Any]:
            return [client.get(path, params=params).json() for path, params in QUERIES]

        wait_until(
            lambda: current() == expected,
            180,
            what=f"equal indicator views; worker log:\n{distributed.log_tail('worker-indicators')}",
        )
        assert client.get(f"/v1/events/{events[0]['event_id']}").json()["status"] == "processed"

    # Rebuild replays the topic into fresh read models (workers stopped first).
    distributed.kill_worker("indicators")
    result = distributed.run("rebuild")
    assert result.returncode == 0, result.stdout + result.stderr
    with distributed.client() as client:
        client.auth = SigningAuth(tokens)
        assert [client.get(path, params=params).json() for path, params in QUERIES] == expected


SAMPLE = (
    Path(__file__).resolve().parents[1] / "fixtures" / "alarms" / "sor-osterdal-synthetic-2025-11_2026-10.csv"
)


def test_the_alarm_export_imports_the_same_in_both_shapes(distributed, tmp_path):
    from typer.testing import CliRunner

    from alliance.cli import app

    data_dir = tmp_path / "embedded"
    result = CliRunner().invoke(app, ["import-alarms", str(SAMPLE), "--data-dir", str(data_dir)])
    assert result.exit_code == 0, result.output
    expected = embedded_views([], data_dir)[:3]
    assert len(expected[0]["reports"]) == 108

    api_dir = tmp_path / "api"
    distributed.env["ALLIANCE_DATA_DIR"] = str(api_dir)
    tokens = PlatformTokens(Settings(data_dir=api_dir))
    distributed.start_api()
    distributed.start_worker("indicators")
    imported = distributed.run("import-alarms", str(SAMPLE))
    assert imported.returncode == 0, imported.stdout + imported.stderr
    with distributed.client() as client:
        client.auth = SigningAuth(tokens)
        wait_until(
            lambda: [client.get(path, params=params).json() for path, params in QUERIES[:3]] == expected,
            180,
            what=f"equal alarm views; worker log:\n{distributed.log_tail('worker-indicators')}",
        )
