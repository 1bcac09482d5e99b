"""A small supervisor for one detached server process: pid file, log file, signals, lock.

What the test servers rely on:

* a server starts detached (a session of its own, stdin from ``/dev/null``, output appended
  to its log file) and outlives its caller; its pid is kept in a pid file;
* a pid file counts only while ``/proc/PID/cmdline`` matches the server's pattern, so a pid
  the kernel reused for another process after a crash is not taken for the server;
* a server counts as exited only after two looks apart: its cmdline reads empty for an
  instant while the launcher execs into it;
* stopping sends SIGTERM, then SIGKILL after a timeout; stopping and killing both wait until
  the server's ports are free, since a killed JVM can hold its sockets for a moment;
* callers that start, stop or build the same server are serialised by an ``flock`` on a lock
  file, across processes and across threads of one process (each holder opens the file anew).
"""

from __future__ import annotations

import fcntl
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("deploy.provision")

LOCK_TIMEOUT_S = 900.0
PORTS_FREE_TIMEOUT_S = 15.0
KILL_TIMEOUT_S = 60.0
# How long a server may read as gone before it counts as exited (see has_exited).
SECOND_LOOK_DELAY_S = 0.3
LOG_TAIL_LINES = 40
LOOPBACK = "127.0.0.1"

_DETACH = Path(__file__).with_name("detach.py")


class ProvisionError(RuntimeError):
    """Provisioning failed: a tool is missing, a fetch or build broke, a server did not come up."""


@contextmanager
def file_lock(path: Path, timeout: float = LOCK_TIMEOUT_S) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``path`` (created if missing) for the ``with`` block."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise ProvisionError(f"timed out waiting for {path}") from None
                time.sleep(0.2)
        yield
    finally:
        os.close(descriptor)  # closing the descriptor releases the lock


def port_accepts(port: int, host: str = LOOPBACK) -> bool:
    """True when something accepts TCP connections on ``host:port``."""
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def wait_ports_free(ports: Sequence[int], timeout: float = PORTS_FREE_TIMEOUT_S) -> bool:
    """Wait until nothing accepts connections on any of ``ports``; False if they stay busy."""
    deadline = time.monotonic() + timeout
    while any(port_accepts(port) for port in ports):
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.2)
    return True


def log_tail(path: Path, lines: int = LOG_TAIL_LINES) -> str:
    """The last ``lines`` lines of ``path`` under a heading, or ``""`` when it has none."""
    try:
        with path.open("rb") as handle:
            handle.seek(0, os.SEEK_END)
            handle.seek(max(0, handle.tell() - 256 * lines))
            text = handle.read().decode(errors="replace")
    except OSError:
        return ""
    tail = text.splitlines()[-lines:]
    return f"\nlast {len(tail)} lines of {path}:\n" + "\n".join(tail) if tail else ""


def process_matches(pid: int, pattern: str) -> bool:
    """True when ``pid`` is a live, non-zombie process whose command line matches ``pattern``."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    if not re.search(pattern, cmdline.replace(b"\0", b" ").decode(errors="replace")):
        return False
    # The state follows the parenthesised command name, which may itself hold spaces.
    fields = stat.rpartition(")")[2].split()
    return bool(fields) and fields[0] != "Z"


@dataclass(frozen=True)
class Supervisor:
    """One server process, known by its pid file and recognised by its command line."""

    name: str
    #: Regular expression that the server's /proc/PID/cmdline (NULs read as spaces) matches.
    pattern: str
    pid_file: Path
    log_file: Path
    lock_file: Path
    ports: tuple[int, ...]

    def locked(self) -> AbstractContextManager[None]:
        """Serialise with every other caller that starts, stops or builds this server."""
        return file_lock(self.lock_file)

    def recorded_pid(self) -> int | None:
        """The pid in the pid file, unchecked; None without a readable one."""
        try:
            return int(self.pid_file.read_text().strip())
        except (OSError, ValueError):
            return None

    def is_running(self) -> bool:
        """True when the pid file names a live process of this server (pid reuse guarded)."""
        pid = self.recorded_pid()
        return pid is not None and process_matches(pid, self.pattern)

    def has_exited(self) -> bool:
        """True when the server is gone on two looks apart (not merely between launcher and exec)."""
        if self.is_running():
            return False
        time.sleep(SECOND_LOOK_DELAY_S)
        return not self.is_running()

    def running_pid(self) -> int | None:
        """The running server's pid; otherwise forget the pid file, say so and return None."""
        if self.is_running():
            return self.recorded_pid()
        self.pid_file.unlink(missing_ok=True)
        log.info("%s is not running", self.name)
        return None

    def launch(self, command: Sequence[str], cwd: Path) -> int:
        """Start ``command`` detached, output appended to the log file; return its pid."""
        self.pid_file.unlink(missing_ok=True)
        with self.log_file.open("ab") as output:
            launcher = subprocess.Popen(
                [sys.executable, "-I", str(_DETACH), str(self.pid_file), *command],
                cwd=cwd,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            status = launcher.wait(timeout=30)
        except subprocess.TimeoutExpired:
            launcher.kill()
            launcher.wait()
            status = None
        pid = self.recorded_pid()
        if status != 0 or pid is None:
            raise ProvisionError(f"could not launch {self.name} (launcher status {status})" + self.tail())
        return pid

    def wait_until_ready(
        self, answers: Callable[[], bool], timeout: float, interval: float, where: str
    ) -> None:
        """Wait until ``answers()`` is true; fail with the log tail if the server exits or stays silent."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.has_exited():
                raise ProvisionError(f"{self.name} exited during start-up" + self.tail())
            if answers():
                return
            time.sleep(interval)
        raise ProvisionError(
            f"{self.name} did not answer on {where} within {timeout:.0f}s "
            f"(still running, pid {self.recorded_pid()})" + self.tail()
        )

    def stop(self, timeout: float) -> None:
        """SIGTERM the server, SIGKILL it after ``timeout`` seconds; then wait until its ports are free."""
        pid = self.running_pid()
        if pid is None:
            return
        log.info("stopping %s (pid %d)", self.name, pid)
        if self._signal_and_wait(pid, signal.SIGTERM, timeout):
            self._forget()
            log.info("%s stopped", self.name)
        else:
            log.info("%s did not stop within %.0fs; sending SIGKILL", self.name, timeout)
            self._kill(pid)

    def kill(self) -> None:
        """SIGKILL the server, as a crash would; then wait until its ports are free."""
        pid = self.running_pid()
        if pid is not None:
            self._kill(pid)

    def ports_free(self) -> bool:
        """Wait a moment for the server's ports to be free; False when something still holds one."""
        return wait_ports_free(self.ports, PORTS_FREE_TIMEOUT_S)

    def tail(self) -> str:
        """The end of the server's log, for error messages."""
        return log_tail(self.log_file)

    def _kill(self, pid: int) -> None:
        log.info("killing %s (pid %d) with SIGKILL", self.name, pid)
        if not self._signal_and_wait(pid, signal.SIGKILL, KILL_TIMEOUT_S):
            raise ProvisionError(f"{self.name} (pid {pid}) still runs {KILL_TIMEOUT_S:.0f}s after SIGKILL")
        self._forget()

    def _signal_and_wait(self, pid: int, signum: signal.Signals, timeout: float) -> bool:
        """Send ``signum``; True once the server is gone, False if it still runs after ``timeout``."""
        with suppress(ProcessLookupError):
            os.kill(pid, signum)
        deadline = time.monotonic() + timeout
        while self.is_running():
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.2)
        return True

    def _forget(self) -> None:
        self.ports_free()
        self.pid_file.unlink(missing_ok=True)
