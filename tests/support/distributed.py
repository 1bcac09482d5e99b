"""Start the distributed shape as real processes (API and workers) against the test servers."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(check: Callable[[], Any], timeout: float, every: float = 0.5, what: str = "condition") -> Any:
    """Poll ``check`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        try:
            last = check()
        except (httpx.HTTPError, OSError):
            last = None
        if last:
            return last
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


class Distributed:
    """One isolated deployment: its own topic prefix and database on the shared servers."""

    def __init__(self, kafka: str, mongo: str, workdir: Path) -> None:
        name = f"t{uuid.uuid4().hex[:10]}"
        self.env = {
            **os.environ,
            "ALLIANCE_SHAPE": "distributed",
            "ALLIANCE_KAFKA_BOOTSTRAP": kafka,
            "ALLIANCE_MONGO_URI": mongo,
            "ALLIANCE_MONGO_DATABASE": name,
            "ALLIANCE_TOPIC_PREFIX": f"{name}-",
            "ALLIANCE_CACHE_SECONDS": "0",
            # Any free port for a worker's /metrics and probes unless a test picks one.
            "ALLIANCE_WORKER_PORT": "0",
            "PYTHONPATH": str(ROOT),
            # The API's own token issuer lives in its data directory; client() signs with it.
            "ALLIANCE_DATA_DIR": str(workdir / "api-data"),
        }
        self.prefix = f"{name}-"
        self.workdir = workdir
        self.port = free_port()
        self.api: subprocess.Popen[bytes] | None = None
        self.workers: dict[str, subprocess.Popen[bytes]] = {}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _spawn(self, name: str, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
        log = (self.workdir / f"{name}.log").open("ab")
        return subprocess.Popen(
            [sys.executable, "-m", "alliance.cli", *args],
            cwd=ROOT,
            env={**self.env, **(env or {})},
            stdout=log,
            stderr=log,
        )

    def start_api(self) -> None:
        self.api = self._spawn("api", "up", "--port", str(self.port))
        wait_until(
            lambda: httpx.get(f"{self.url}/readyz", timeout=2).status_code == 200, 60, what="API ready"
        )

    def start_worker(
        self, service: str = "adoption", name: str | None = None, ops_port: int | None = None
    ) -> subprocess.Popen[bytes]:
        """Start ``alliance worker service`` (``name`` tells several of one service apart)."""
        name = name or service
        env = {"ALLIANCE_WORKER_PORT": str(ops_port)} if ops_port is not None else None
        self.workers[name] = self._spawn(f"worker-{name}", "worker", service, env=env)
        return self.workers[name]

    def kill_worker(self, name: str = "adoption") -> None:
        process = self.workers.pop(name)
        process.send_signal(signal.SIGKILL)
        process.wait(10)

    def terminate_worker(self, name: str = "adoption", timeout: float = 30) -> float:
        """SIGTERM a worker; return the seconds it took to exit."""
        process = self.workers.pop(name)
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        process.wait(timeout)
        return time.monotonic() - started

    def run(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "alliance.cli", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def client(self) -> httpx.Client:
        """An API client that signs each request as the party a real client would be."""
        from alliance.settings import Settings
        from tests.support.auth import PlatformTokens, SigningAuth

        tokens = PlatformTokens(Settings(data_dir=Path(self.env["ALLIANCE_DATA_DIR"])))
        return httpx.Client(base_url=self.url, timeout=60, auth=SigningAuth(tokens))

    def platform(self) -> Any:
        """A platform on this deployment's topics and database, built in this process."""
        from alliance.bootstrap import build_platform
        from alliance.settings import Settings

        names = ("SHAPE", "KAFKA_BOOTSTRAP", "MONGO_URI", "MONGO_DATABASE", "TOPIC_PREFIX", "DATA_DIR")
        values = {name.lower(): self.env[f"ALLIANCE_{name}"] for name in names}
        return build_platform(Settings(**values, cache_seconds=0))

    def log_tail(self, name: str, lines: int = 40) -> str:
        path = self.workdir / f"{name}.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""

    def stop(self) -> None:
        for process in [*self.workers.values(), *([self.api] if self.api else [])]:
            if process.poll() is None:
                process.terminate()
        for process in [*self.workers.values(), *([self.api] if self.api else [])]:
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
        self.workers.clear()
        self.api = None
