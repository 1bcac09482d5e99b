"""``alliance rebuild`` from nothing: every view comes back from the log alone.

The demo history (pilots, indicators, procurement, plus refused and conflicting events) is
loaded and processed; every view is read through the API. Then the views are destroyed —
dropped, or corrupted with wrong documents and consumer positions moved to the end of the
log, so that a rebuild that neither drops nor replays would leave them wrong — and
``alliance rebuild`` must give back every view exactly.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from alliance.bootstrap import build_platform
from alliance.cli import app as cli
from alliance.demo import demo_events, demo_indicator_events, demo_releases
from alliance.settings import Settings
from api.app import create_app
from schemas.topics import PILOT_EVENTS, PROCUREMENT_RELEASES
from tests.conftest import fixed_clock
from tests.support.auth import PlatformTokens, SigningAuth
from tests.support.factories import metrics, registered
from tests.support.snapshots import corrupt_views, differences, drop_views, views


def _settings(data_dir: Path, cache_seconds: float = 0) -> Settings:
    return Settings(data_dir=data_dir, cache_seconds=cache_seconds, rate_limit_per_second=0)


def _all_views(data_dir: Path, event_ids: list[str]) -> dict:
    # Nothing writes while the views are read: each view is rendered once per reading.
    platform = build_platform(_settings(data_dir, cache_seconds=60), clock=fixed_clock)
    try:
        with TestClient(create_app(platform, process=False)) as client:
            client.auth = SigningAuth(PlatformTokens(platform.settings))
            return views(client, event_ids)
    finally:
        platform.close()


def _load_history(data_dir: Path) -> list[str]:
    """The demo history plus a conflict and a foreign event; returns ids to ask the status of."""
    platform = build_platform(_settings(data_dir), clock=fixed_clock)
    try:
        events = demo_events()[:1500] + demo_indicator_events()[:200]
        foreign = registered(events[0]["payload"]["pilot_id"], municipality="3403")
        corrected = metrics(
            events[0]["payload"]["pilot_id"], "2019-01", users_active=9, at="2019-02-01T00:00:00Z"
        )
        results = platform.ingest.submit([*events, foreign, corrected], "import")
        assert sum(r.outcome == "accepted" for r in results) == len(events) + 2
        platform.procurement_ingest.submit(demo_releases())
        platform.drain()
        return [events[0]["event_id"], events[1]["event_id"], foreign["event_id"], corrected["event_id"]]
    finally:
        platform.close()


@pytest.mark.parametrize("destroy", [drop_views, corrupt_views], ids=["dropped", "corrupted"])
def test_rebuild_from_destroyed_views_gives_back_every_view(tmp_path: Path, destroy: Callable) -> None:
    data_dir = tmp_path / "var"
    asked = _load_history(data_dir)
    live = _all_views(data_dir, asked)
    assert live["/v1/adoption"]["cells"] and live["/v1/procurement/records"] and live["/v1/alarms"]["reports"]

    platform = build_platform(_settings(data_dir), clock=fixed_clock)
    destroy(platform)
    topics = (PILOT_EVENTS.name, PROCUREMENT_RELEASES.name)
    in_log = {t: sum(platform.log.end_offset(t, p) for p in platform.log.partitions(t)) for t in topics}
    platform.close()
    try:
        destroyed = bool(differences(live, _all_views(data_dir, asked)))
    except Exception:  # corrupted documents may not even render
        destroyed = True
    assert destroyed, "the views were not destroyed"

    result = CliRunner().invoke(cli, ["rebuild", "--data-dir", str(data_dir)], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert f"Rebuilt views from {in_log[PILOT_EVENTS.name]} events" in result.output
    assert f"{in_log[PROCUREMENT_RELEASES.name]} releases" in result.output
    assert differences(live, _all_views(data_dir, asked)) == []
