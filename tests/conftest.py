"""Shared fixtures: an embedded platform in a temporary directory with a fixed clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from alliance.bootstrap import Platform, build_platform
from alliance.settings import Settings
from api.app import create_app
from tests.support.auth import PlatformTokens, SigningAuth

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def fixed_clock() -> datetime:
    return NOW


@pytest.fixture
def platform(tmp_path: Path) -> Iterator[Platform]:
    """An embedded platform on fresh SQLite files; no background thread (tests drain)."""
    built = build_platform(Settings(data_dir=tmp_path / "var", cache_seconds=0), clock=fixed_clock)
    yield built
    built.close()


@pytest.fixture
def client(platform: Platform) -> Iterator[TestClient]:
    """The API over ``platform``; call ``platform.drain()`` to process what was posted.

    Requests are signed transparently (``tests.support.auth.SigningAuth``): events of one
    municipality as that municipality, everything else as the alliance operator.
    """
    with TestClient(create_app(platform, process=False)) as test_client:
        test_client.auth = SigningAuth(PlatformTokens(platform.settings))
        yield test_client


@pytest.fixture
def tokens(platform: Platform) -> PlatformTokens:
    """Tokens the ``platform`` accepts, for any party and scopes."""
    return PlatformTokens(platform.settings)
