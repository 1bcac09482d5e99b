"""Real test servers (Kafka, FerretDB) on loopback, for integration tests and benchmarks.

Plain functions around :mod:`deploy.provision`. Starting is idempotent: the first call
fetches/builds and starts the server (a minute or more on a cold cache), later calls check
that it answers and return its address. The servers keep running after the test session;
stop them with :func:`stop_all` or ``python -m deploy.provision kafka|ferretdb stop``.

Ports, cache and run directories come from the environment, read on every call
(``KAFKA_PORT``, ``KAFKA_CONTROLLER_PORT``, ``FERRETDB_PORT``, ``ALLIANCE_CACHE_DIR``,
``ALLIANCE_RUN_DIR``; see ``python -m deploy.provision --help``).
"""

from __future__ import annotations

import os

import pytest

from deploy.provision import FerretDB, Kafka, ManagedServer, ProvisionError, find_tool

#: Tools each server needs on the machine.
KAFKA_TOOLS: tuple[str, ...] = ("java", "mvn")
FERRETDB_TOOLS: tuple[str, ...] = ("go",)


def require_toolchain(*tools: str) -> None:
    """Skip the calling test when one of ``tools`` (e.g. java, mvn, go) is missing.

    Under CI (``CI=true``) a missing tool is a setup error, so the test fails
    loudly instead of being skipped.
    """
    missing = [tool for tool in tools if find_tool(tool) is None]
    if not missing:
        return
    message = (
        f"integration test needs {', '.join(missing)} to run real servers "
        f"(missing from PATH); see deploy/provision/"
    )
    if os.environ.get("CI", "").strip().lower() == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


class _TestServer:
    """One provisioned server as tests use it: its toolchain checked, then started on demand."""

    def __init__(self, definition: type[Kafka] | type[FerretDB], tools: tuple[str, ...]) -> None:
        self.definition = definition
        self.tools = tools

    def _managed(self) -> ManagedServer:
        # Read the environment on every call: ports and directories may differ per session.
        return ManagedServer(self.definition.from_env())

    def start(self, clean: bool = False) -> str:
        """Start the server unless it runs (``clean`` wipes its data first); return its address."""
        require_toolchain(*self.tools)
        return self._managed().start(clean)

    def address(self) -> str:
        """The address of the running, answering server (started if needed)."""
        return self.start()

    def stop(self) -> None:
        """Stop the server gracefully (SIGTERM, then SIGKILL after its stop timeout)."""
        self._managed().stop()

    def kill(self) -> None:
        """Kill the server with SIGKILL, as a crash would (its data is kept)."""
        self._managed().kill()

    def restart(self) -> str:
        """Stop and start the server, keeping its data; return its address."""
        require_toolchain(*self.tools)
        return self._managed().restart()

    def running(self) -> bool:
        """True when the provisioned server's process is alive."""
        return self._managed().is_running()


_kafka = _TestServer(Kafka, KAFKA_TOOLS)
_ferretdb = _TestServer(FerretDB, FERRETDB_TOOLS)

# Kafka's address is its bootstrap, e.g. ``127.0.0.1:19092``.
start_kafka, kafka_bootstrap, stop_kafka = _kafka.start, _kafka.address, _kafka.stop
kill_kafka, restart_kafka, kafka_running = _kafka.kill, _kafka.restart, _kafka.running

# FerretDB's address is its MongoDB URI, e.g. ``mongodb://127.0.0.1:27018/``.
start_ferretdb, ferretdb_uri, stop_ferretdb = _ferretdb.start, _ferretdb.address, _ferretdb.stop
kill_ferretdb, restart_ferretdb, ferretdb_running = _ferretdb.kill, _ferretdb.restart, _ferretdb.running


def stop_all() -> None:
    """Stop both servers (idempotent); e.g. for a session-finish hook or CI teardown."""
    errors: list[str] = []
    for stop in (stop_kafka, stop_ferretdb):
        try:
            stop()
        except ProvisionError as exc:
            errors.append(str(exc))
    if errors:
        raise ProvisionError("\n".join(errors))
