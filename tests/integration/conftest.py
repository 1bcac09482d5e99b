"""Session fixtures for the integration tests: real Kafka and FerretDB on loopback.

Each server is started on first use (the test is skipped when its toolchain is missing,
and fails under ``CI=true``). At the end of the session a server is stopped only if it
was not running when the first integration test started, i.e. if this session started
it (here or through ``tests.support.servers`` directly); servers that were already running,
e.g. for a developer's local work, are left running.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from tests.support import servers

if TYPE_CHECKING:
    from tests.support.distributed import Distributed


@pytest.fixture(scope="session", autouse=True)
def _stop_servers_this_session_started() -> Iterator[None]:
    """Note which servers already run; afterwards stop those this session started."""
    kafka_was_running = servers.kafka_running()
    ferretdb_was_running = servers.ferretdb_running()
    yield
    if not kafka_was_running and servers.kafka_running():
        with contextlib.suppress(servers.ProvisionError):
            servers.stop_kafka()
    if not ferretdb_was_running and servers.ferretdb_running():
        with contextlib.suppress(servers.ProvisionError):
            servers.stop_ferretdb()


@pytest.fixture(scope="session")
def kafka_bootstrap() -> str:
    """Bootstrap address of the test Kafka broker (``127.0.0.1:19092`` by default)."""
    servers.require_toolchain(*servers.KAFKA_TOOLS)
    return servers.kafka_bootstrap()


@pytest.fixture(scope="session")
def ferretdb_uri() -> str:
    """MongoDB URI of the test FerretDB (``mongodb://127.0.0.1:27018/`` by default)."""
    servers.require_toolchain(*servers.FERRETDB_TOOLS)
    return servers.ferretdb_uri()


@pytest.fixture
def distributed(kafka_bootstrap: str, ferretdb_uri: str, tmp_path) -> Iterator[Distributed]:
    """An isolated distributed deployment (own topic prefix and database); stopped afterwards."""
    from tests.support.distributed import Distributed

    deployment = Distributed(kafka_bootstrap, ferretdb_uri, tmp_path)
    yield deployment
    deployment.stop()
    import pymongo

    with contextlib.suppress(Exception):
        pymongo.MongoClient(ferretdb_uri, serverSelectionTimeoutMS=2000).drop_database(
            deployment.env["ALLIANCE_MONGO_DATABASE"]
        )
