"""Start, stop, kill, restart and report one server, given its definition.

A definition (:class:`~deploy.provision.definition.ServerDefinition`, e.g.
:class:`deploy.provision.kafka.Kafka`) says what the server is: its ports and address, how to
fetch or build what it runs from, how to prepare its configuration, its command line and how to
tell that it answers. :class:`ManagedServer` runs it through the
:class:`~deploy.provision.supervisor.Supervisor`, each step under the server's lock.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from deploy.provision.definition import ServerDefinition
from deploy.provision.supervisor import ProvisionError, Supervisor

log = logging.getLogger("deploy.provision")


@dataclass(frozen=True)
class Status:
    """What ``status`` found: a pid when the process runs, and whether it answers."""

    pid: int | None
    answering: bool
    line: str

    @property
    def running(self) -> bool:
        return self.pid is not None


class ManagedServer:
    """Start, stop, kill, restart and report one server (each step under the server's lock)."""

    def __init__(self, definition: ServerDefinition) -> None:
        self.definition = definition
        layout = definition.layout
        self.supervisor = Supervisor(
            name=definition.name,
            pattern=definition.pattern,
            pid_file=layout.pid_file,
            log_file=layout.log_file,
            lock_file=layout.lock_file,
            ports=definition.ports,
        )

    def fetch(self) -> None:
        """Fetch or build what the server runs from (nothing when the cache is up to date)."""
        self.definition.layout.state_dir.mkdir(parents=True, exist_ok=True)
        with self.supervisor.locked():
            self.definition.obtain()

    def start(self, clean: bool = False) -> str:
        """Start the server unless it runs (``clean`` wipes its data first); return its address."""
        with self.supervisor.locked():
            return self._start_locked(clean)

    def stop(self) -> None:
        """Stop the server: SIGTERM, then SIGKILL after the stop timeout."""
        with self.supervisor.locked():
            self.supervisor.stop(self.definition.stop_timeout)

    def kill(self) -> None:
        """Kill the server with SIGKILL, as a crash would (its data is kept)."""
        with self.supervisor.locked():
            self.supervisor.kill()

    def restart(self, clean: bool = False) -> str:
        """Stop and start the server in one hold of the lock; return its address."""
        with self.supervisor.locked():
            self.supervisor.stop(self.definition.stop_timeout)
            return self._start_locked(clean)

    def is_running(self) -> bool:
        """True when the server's process is alive (answering or still starting)."""
        return self.supervisor.is_running()

    def status(self) -> Status:
        """Whether the server runs and answers, with a one-line description."""
        definition = self.definition
        pid = self.supervisor.recorded_pid() if self.supervisor.is_running() else None
        if pid is None:
            return Status(None, False, "stopped")
        answering = definition.answers()
        where = f"pid {pid} {definition.label} {definition.address}"
        line = f"running {where}" if answering else f"starting {where} (not answering yet)"
        return Status(pid, answering, line)

    def _start_locked(self, clean: bool) -> str:
        definition, supervisor = self.definition, self.supervisor
        layout = definition.layout
        layout.state_dir.mkdir(parents=True, exist_ok=True)
        if supervisor.is_running():
            if not clean:
                return self._already_running()
            log.info("--clean given: stopping the running %s first", definition.name)
            supervisor.stop(definition.stop_timeout)
        layout.pid_file.unlink(missing_ok=True)
        if clean:
            log.info("--clean: deleting %s", layout.data_dir)
            definition.wipe_data()
        if not supervisor.ports_free():
            ports = " or ".join(str(port) for port in definition.ports)
            raise ProvisionError(
                f"port {ports} on 127.0.0.1 is in use by another process (set {definition.port_variables})"
            )
        definition.obtain()
        if layout.log_file.exists():
            layout.log_file.replace(layout.log_file.with_name(layout.log_file.name + ".1"))
        layout.log_file.write_bytes(b"")
        definition.prepare()
        log.info("starting %s on %s, log %s", definition.name, definition.listen_description, layout.log_file)
        started = time.monotonic()
        supervisor.launch(definition.command(), cwd=layout.state_dir)
        layout.addr_file.write_text(definition.listen_description + "\n")
        self._wait_until_ready()
        log.info(
            "%s ready after %.0fs (pid %s)",
            definition.name,
            time.monotonic() - started,
            supervisor.recorded_pid(),
        )
        return definition.address

    def _already_running(self) -> str:
        definition, layout = self.definition, self.definition.layout
        try:
            running_on = layout.addr_file.read_text().strip()
        except OSError:
            running_on = ""
        if running_on and running_on != definition.listen_description:
            raise ProvisionError(
                f"{definition.name} from {layout.run_dir} is already running on {running_on}; "
                "stop it first (or use another ALLIANCE_RUN_DIR)"
            )
        self._wait_until_ready()
        log.info("%s already running (pid %s)", definition.name, self.supervisor.recorded_pid())
        return definition.address

    def _wait_until_ready(self) -> None:
        definition = self.definition
        self.supervisor.wait_until_ready(
            definition.answers, definition.start_timeout, definition.probe_interval, definition.endpoint
        )
