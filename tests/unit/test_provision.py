"""The provisioning supervisor on a stand-in server (a small Python TCP listener).

No Kafka or FerretDB here: the stand-in shows the supervisor's guarantees (detached start,
pid-reuse guard, SIGTERM then SIGKILL, ports free afterwards, one start under concurrent
callers, clear errors with the log tail) in a second or two.
"""

from __future__ import annotations

import os
import socket
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from deploy.provision import FerretDB, Kafka, ManagedServer, ProvisionError, supervisor
from deploy.provision.definition import LoopbackServer, RunLayout
from deploy.provision.kafka import broker_registered
from deploy.provision.supervisor import port_accepts
from tests.support.distributed import free_port

# Listens on the port after its marker argument; "stubborn" ignores SIGTERM, "crash" exits at once.
STAND_IN = """
import signal, socket, sys, time
port, mode = int(sys.argv[2]), sys.argv[3]
if mode == "crash":
    print("stand-in gives up", file=sys.stderr)
    sys.exit(3)
if mode == "stubborn":
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
listener = socket.create_server(("127.0.0.1", port))
while True:
    connection, _ = listener.accept()
    connection.close()
"""


@dataclass(frozen=True)
class StandIn(LoopbackServer, pattern=r"provision-stand-in ", probe_interval=0.1):
    """A server definition for the stand-in listener."""

    mode: str = "serve"
    launches: list[int] = field(default_factory=list)

    def obtain(self) -> None:
        self.launches.append(self.port)

    def prepare(self) -> None:
        self.layout.data_dir.mkdir(parents=True, exist_ok=True)

    def command(self) -> list[str]:
        return [sys.executable, "-c", STAND_IN, "provision-stand-in", str(self.port), self.mode]

    def answers(self) -> bool:
        return port_accepts(self.port)


def stand_in(
    layout: RunLayout, port: int | None = None, mode: str = "serve", stop_timeout: float = 5.0
) -> ManagedServer:
    """A managed stand-in on ``port`` (a free one by default)."""
    definition = StandIn(
        cache_dir=layout.run_dir,
        layout=layout,
        port=port or free_port(),
        start_timeout=10.0,
        stop_timeout=stop_timeout,
        mode=mode,
    )
    return ManagedServer(definition)


@pytest.fixture
def layout(tmp_path: Path) -> RunLayout:
    return RunLayout.under(tmp_path / "run", "stand-in")


@pytest.fixture
def started(layout: RunLayout):
    """A running stand-in, stopped (or killed) afterwards."""
    server = stand_in(layout)
    server.start()
    yield server
    server.kill()


def _session_and_parent(pid: int) -> tuple[int, int]:
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return int(fields[3]), int(fields[2])  # session id, parent pid


def test_start_runs_the_server_detached_and_records_it(started: ManagedServer, layout: RunLayout) -> None:
    pid = started.status().pid
    assert pid is not None
    assert layout.pid_file.read_text().strip() == str(pid)
    session, parent = _session_and_parent(pid)
    assert session != os.getsid(0)
    assert parent != os.getpid()  # not our child: it outlives us and never lingers as our zombie
    assert layout.addr_file.read_text().strip() == started.definition.endpoint


def test_start_again_returns_the_address_without_a_second_launch(started: ManagedServer) -> None:
    pid = started.status().pid
    assert started.start() == started.definition.address
    assert started.status().pid == pid
    assert started.definition.launches == [started.definition.port]


def test_status_line_names_pid_and_address(started: ManagedServer) -> None:
    status = started.status()
    assert status.running and status.answering
    assert status.line == f"running pid {status.pid} address 127.0.0.1:{started.definition.port}"


def test_stop_ends_the_server_frees_its_port_and_forgets_the_pid(
    started: ManagedServer, layout: RunLayout
) -> None:
    started.stop()
    assert not started.is_running()
    assert not port_accepts(started.definition.port)
    assert not layout.pid_file.exists()
    assert started.status().line == "stopped"


def test_stop_escalates_to_sigkill_when_sigterm_is_ignored(layout: RunLayout) -> None:
    server = stand_in(layout, mode="stubborn", stop_timeout=1.0)
    server.start()
    server.stop()
    assert not server.is_running()
    assert not port_accepts(server.definition.port)


def test_kill_is_a_crash_and_a_restart_brings_it_back(started: ManagedServer) -> None:
    first = started.status().pid
    started.kill()
    assert not started.is_running()
    assert not port_accepts(started.definition.port)
    assert started.restart() == started.definition.address
    assert started.status().pid not in (None, first)


def test_a_reused_pid_is_not_taken_for_the_server(layout: RunLayout) -> None:
    server = stand_in(layout)
    layout.state_dir.mkdir(parents=True)
    layout.pid_file.write_text(f"{os.getpid()}\n")  # a live process, but not the stand-in
    assert not server.is_running()
    server.stop()  # nothing to stop; the stale pid file is forgotten
    assert not layout.pid_file.exists()


def test_concurrent_starts_launch_one_server(layout: RunLayout) -> None:
    server = stand_in(layout)
    addresses: list[str] = []
    callers = [threading.Thread(target=lambda: addresses.append(server.start())) for _ in range(4)]
    try:
        for caller in callers:
            caller.start()
        for caller in callers:
            caller.join(30)
        assert addresses == [server.definition.address] * 4
        assert server.definition.launches == [server.definition.port]
    finally:
        server.kill()


def test_a_server_that_exits_during_start_up_fails_with_its_log(layout: RunLayout) -> None:
    server = stand_in(layout, mode="crash")
    with pytest.raises(ProvisionError, match=r"exited during start-up(.|\n)*stand-in gives up"):
        server.start()


def test_a_busy_port_is_refused_with_the_variable_to_set(layout: RunLayout, monkeypatch) -> None:
    monkeypatch.setattr(supervisor, "PORTS_FREE_TIMEOUT_S", 0.5)
    with socket.create_server(("127.0.0.1", 0)) as squatter:
        port = squatter.getsockname()[1]
        server = stand_in(layout, port)
        with pytest.raises(ProvisionError, match=rf"port {port} .* in use .*STANDIN_PORT"):
            server.start()


def test_a_server_running_on_another_address_is_not_reused(started: ManagedServer, layout: RunLayout) -> None:
    elsewhere = stand_in(layout)  # same run directory, other port
    with pytest.raises(ProvisionError, match="already running on"):
        elsewhere.start()


def test_kafka_probe_of_a_silent_listener_says_no_and_leaves_no_thread() -> None:
    with socket.create_server(("127.0.0.1", 0)) as silent:
        threads = threading.active_count()
        assert not broker_registered(f"127.0.0.1:{silent.getsockname()[1]}")
        assert threading.active_count() == threads


def test_settings_come_from_their_variables_with_the_defaults_kept(tmp_path: Path) -> None:
    kafka = Kafka.from_env(
        {
            "ALLIANCE_CACHE_DIR": str(tmp_path / "cache"),
            "ALLIANCE_RUN_DIR": str(tmp_path / "run"),
            "KAFKA_PORT": "29092",
            "KAFKA_CONTROLLER_PORT": "29093",
            "KAFKA_STOP_TIMEOUT": "5",
            "KAFKA_VERSION": "",  # empty keeps the default, as in the shell
        }
    )
    assert (kafka.address, kafka.ports, kafka.version) == ("127.0.0.1:29092", (29092, 29093), "4.4.0")
    assert (kafka.start_timeout, kafka.stop_timeout) == (90.0, 5.0)
    assert kafka.listen_description == "127.0.0.1:29092 (controller 127.0.0.1:29093)"
    assert kafka.layout.pid_file == tmp_path / "run" / "kafka" / "kafka.pid"
    assert kafka.lib_dir == tmp_path / "cache" / "kafka" / "4.4.0" / "libs"
    assert kafka.port_variables == "KAFKA_PORT / KAFKA_CONTROLLER_PORT"

    ferretdb = FerretDB.from_env({"FERRETDB_PORT": "27028", "FERRETDB_LOG_LEVEL": "debug"})
    assert (ferretdb.address, ferretdb.log_level) == ("mongodb://127.0.0.1:27028/", "debug")
    assert ferretdb.layout.lock_file.name == "ferretdb.lock"


def test_a_malformed_setting_is_named_in_the_error() -> None:
    with pytest.raises(ProvisionError, match="KAFKA_PORT='nineteen' is not a TCP port"):
        Kafka.from_env({"KAFKA_PORT": "nineteen"})
    with pytest.raises(ProvisionError, match="FERRETDB_START_TIMEOUT='soon' is not a number"):
        FerretDB.from_env({"FERRETDB_START_TIMEOUT": "soon"})
