"""Kill the embedded platform with SIGKILL at several points; the views must match an uninterrupted run."""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from alliance.bootstrap import build_platform
from alliance.demo import demo_events
from alliance.settings import Settings
from api.app import create_app
from tests.support.auth import PlatformTokens, SigningAuth
from tests.support.snapshots import differences, views

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(data_dir: Path, port: int) -> subprocess.Popen:
    env = {**os.environ, "ALLIANCE_CACHE_SECONDS": "0"}
    process = subprocess.Popen(
        [sys.executable, "-m", "alliance.cli", "up", "--data-dir", str(data_dir), "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise AssertionError("platform did not start")


def reference_views(events: list[dict], tmp_path: Path) -> tuple[dict, dict]:
    """The adoption table and every view of an uninterrupted run of the same events."""
    platform = build_platform(Settings(data_dir=tmp_path / "reference", cache_seconds=60))
    try:
        platform.ingest.submit(events, "api")
        platform.drain()
        with TestClient(create_app(platform, process=False)) as client:
            client.auth = SigningAuth(PlatformTokens(platform.settings))
            return client.get("/v1/adoption").json(), views(client)
    finally:
        platform.close()


def test_sigkill_at_three_points_gives_the_uninterrupted_views(tmp_path):
    rng = random.Random(7)
    events = demo_events()
    rng.shuffle(events)
    events += rng.sample(events, 500)  # duplicates on top of the out-of-order delivery
    expected_adoption, expected_views = reference_views(events, tmp_path)

    data_dir, port = tmp_path / "var", free_port()
    batches = [events[i : i + 500] for i in range(0, len(events), 500)]
    kill_after = set(rng.sample(range(1, len(batches) - 1), 3))
    process = start(data_dir, port)
    kills = 0
    try:
        # Signed as the platform's own issuer would sign: the server made its key in data_dir.
        auth = SigningAuth(PlatformTokens(Settings(data_dir=data_dir)))
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30, auth=auth) as client:
            for index, batch in enumerate(batches):
                retry_until = time.monotonic() + 120
                while True:
                    try:
                        response = client.post("/v1/events", json=batch)
                        assert response.status_code == 200
                        break
                    except httpx.HTTPError:
                        # The platform is restarting: retry like a client would, for a while.
                        assert time.monotonic() < retry_until, f"no answer for 120 s after kill {kills}"
                        time.sleep(0.2)
                if index in kill_after:
                    # Kill while the runner is busy with what was just accepted.
                    time.sleep(rng.uniform(0.0, 0.1))
                    process.send_signal(signal.SIGKILL)
                    process.wait()
                    kills += 1
                    process = start(data_dir, port)
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                if client.get("/v1/adoption").json() == expected_adoption:
                    break
                time.sleep(0.5)
            assert client.get("/v1/adoption").json() == expected_adoption
            assert differences(expected_views, views(client)) == []
    finally:
        process.kill()
        process.wait()
    assert kills == 3
