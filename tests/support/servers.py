"""Real test servers (Kafka, FerretDB) on loopback, driven from Python.

Plain functions around ``deploy/provision/kafka.sh`` and
``deploy/provision/ferretdb.sh`` for integration tests. Starting is
idempotent: the first call fetches/builds and starts the server (this can take
a minute or more on a cold cache), later calls just check that it answers and
return its address. The servers keep running after the test session; stop
them with :func:`stop_all` or the scripts' ``stop`` subcommand.

Ports, cache and run directories come from the same environment variables the
scripts read (``KAFKA_PORT``, ``KAFKA_CONTROLLER_PORT``, ``FERRETDB_PORT``,
``ALLIANCE_CACHE_DIR``, ``ALLIANCE_RUN_DIR``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PROVISION_DIR = PROJECT_ROOT / "deploy" / "provision"
KAFKA_SCRIPT = PROVISION_DIR / "kafka.sh"
FERRETDB_SCRIPT = PROVISION_DIR / "ferretdb.sh"

#: Tools each server needs on the machine.
KAFKA_TOOLS: tuple[str, ...] = ("java", "mvn")
FERRETDB_TOOLS: tuple[str, ...] = ("go",)

# Generous limits: a cold start resolves jars or compiles FerretDB first.
_START_TIMEOUT_S = 1200
_STOP_TIMEOUT_S = 120

# Where a tool may live when it is not on PATH (matches the scripts' fallbacks).
_FALLBACK_LOCATIONS: dict[str, tuple[str, ...]] = {
    "go": ("/usr/local/go/bin/go",),
}


class ProvisionError(RuntimeError):
    """A provisioning script failed; the message carries its output."""


def _tool_path(tool: str) -> str | None:
    """Return the path of ``tool`` on PATH or at a known location, else None."""
    found = shutil.which(tool)
    if found:
        return found
    if tool == "java" and os.environ.get("JAVA_HOME"):
        candidate = Path(os.environ["JAVA_HOME"]) / "bin" / "java"
        if os.access(candidate, os.X_OK):
            return str(candidate)
    for candidate in _FALLBACK_LOCATIONS.get(tool, ()):
        if os.access(candidate, os.X_OK):
            return candidate
    return None


def require_toolchain(*tools: str) -> None:
    """Skip the calling test when one of ``tools`` (e.g. java, mvn, go) is missing.

    Under CI (``CI=true``) a missing tool is a setup error, so the test fails
    loudly instead of being skipped.
    """
    missing = [tool for tool in tools if _tool_path(tool) is None]
    if not missing:
        return
    message = (
        f"integration test needs {', '.join(missing)} to run real servers "
        f"(missing from PATH); see deploy/provision/"
    )
    if os.environ.get("CI", "").strip().lower() == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def _script_env() -> dict[str, str]:
    """Environment for the scripts: ours, plus this interpreter for readiness checks."""
    env = dict(os.environ)
    env.setdefault("ALLIANCE_PYTHON", sys.executable)
    return env


def _run(script: Path, *args: str, timeout: float) -> str:
    """Run a provisioning script and return the last line it printed on stdout."""
    try:
        proc = subprocess.run(
            ["bash", str(script), *args],
            cwd=PROJECT_ROOT,
            env=_script_env(),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise ProvisionError(f"{script.name} {' '.join(args)} did not finish within {timeout:.0f}s") from exc
    if proc.returncode != 0:
        raise ProvisionError(
            f"{script.name} {' '.join(args)} exited with {proc.returncode}:\n"
            f"{proc.stderr.strip()}\n{proc.stdout.strip()}".rstrip()
        )
    lines = proc.stdout.strip().splitlines()
    return lines[-1].strip() if lines else ""


def _status(script: Path) -> bool:
    """True when the script reports its server running."""
    proc = subprocess.run(
        ["bash", str(script), "status"],
        cwd=PROJECT_ROOT,
        env=_script_env(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return proc.returncode == 0


# --- Kafka --------------------------------------------------------------------


def start_kafka(clean: bool = False) -> str:
    """Start Kafka if it is not running (``clean`` wipes its data first).

    Returns the bootstrap address, e.g. ``127.0.0.1:19092``.
    """
    require_toolchain(*KAFKA_TOOLS)
    args = ("start", "--clean") if clean else ("start",)
    return _run(KAFKA_SCRIPT, *args, timeout=_START_TIMEOUT_S)


def kafka_bootstrap() -> str:
    """Bootstrap address of a running, answering Kafka broker (started if needed)."""
    return start_kafka()


def stop_kafka() -> None:
    """Stop Kafka gracefully (SIGTERM, then SIGKILL after the script's timeout)."""
    _run(KAFKA_SCRIPT, "stop", timeout=_STOP_TIMEOUT_S)


def kill_kafka() -> None:
    """Kill Kafka with SIGKILL, as a crash would (its data is kept)."""
    _run(KAFKA_SCRIPT, "kill", timeout=_STOP_TIMEOUT_S)


def restart_kafka() -> str:
    """Stop and start Kafka, keeping its data; returns the bootstrap address."""
    require_toolchain(*KAFKA_TOOLS)
    return _run(KAFKA_SCRIPT, "restart", timeout=_START_TIMEOUT_S + _STOP_TIMEOUT_S)


def kafka_running() -> bool:
    """True when the Kafka process started by the script is alive."""
    return _status(KAFKA_SCRIPT)


# --- FerretDB -----------------------------------------------------------------


def start_ferretdb(clean: bool = False) -> str:
    """Start FerretDB if it is not running (``clean`` wipes its data first).

    Returns the MongoDB URI, e.g. ``mongodb://127.0.0.1:27018/``.
    """
    require_toolchain(*FERRETDB_TOOLS)
    args = ("start", "--clean") if clean else ("start",)
    return _run(FERRETDB_SCRIPT, *args, timeout=_START_TIMEOUT_S)


def ferretdb_uri() -> str:
    """MongoDB URI of a running, answering FerretDB (started if needed)."""
    return start_ferretdb()


def stop_ferretdb() -> None:
    """Stop FerretDB gracefully (SIGTERM, then SIGKILL after the script's timeout)."""
    _run(FERRETDB_SCRIPT, "stop", timeout=_STOP_TIMEOUT_S)


def kill_ferretdb() -> None:
    """Kill FerretDB with SIGKILL, as a crash would (its data is kept)."""
    _run(FERRETDB_SCRIPT, "kill", timeout=_STOP_TIMEOUT_S)


def restart_ferretdb() -> str:
    """Stop and start FerretDB, keeping its data; returns the MongoDB URI."""
    require_toolchain(*FERRETDB_TOOLS)
    return _run(FERRETDB_SCRIPT, "restart", timeout=_START_TIMEOUT_S + _STOP_TIMEOUT_S)


def ferretdb_running() -> bool:
    """True when the FerretDB process started by the script is alive."""
    return _status(FERRETDB_SCRIPT)


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
