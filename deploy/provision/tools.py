"""The machine's tools (java, mvn, go, patch) and running them with their output in a log file."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

from deploy.provision.supervisor import ProvisionError, log_tail

# Where a tool may live when it is not on PATH.
_FALLBACK_LOCATIONS: dict[str, tuple[str, ...]] = {
    "go": ("/usr/local/go/bin/go",),
}


def _executable(path: Path | str) -> bool:
    return os.path.isfile(path) and os.access(path, os.X_OK)


def find_tool(tool: str) -> str | None:
    """The path of ``tool``: java from ``JAVA_HOME`` first, then PATH, then known locations."""
    java_home = os.environ.get("JAVA_HOME")
    if tool == "java" and java_home and _executable(Path(java_home) / "bin" / "java"):
        return str(Path(java_home) / "bin" / "java")
    found = shutil.which(tool)
    if found:
        return found
    return next((path for path in _FALLBACK_LOCATIONS.get(tool, ()) if _executable(path)), None)


def require_tool(tool: str, needed_to: str) -> str:
    """The path of ``tool``, or a :class:`ProvisionError` saying what it is needed for."""
    found = find_tool(tool)
    if found is None:
        raise ProvisionError(f"'{tool}' not found on PATH (needed to {needed_to})")
    return found


def run_logged(
    command: Sequence[str],
    log_file: Path,
    *,
    failure: str,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    capture_stdout: bool = False,
) -> str:
    """Run ``command`` with its output appended to ``log_file``; return its stdout if captured.

    A non-zero exit raises :class:`ProvisionError` with ``failure`` and the end of the log.
    """
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with log_file.open("ab") as output:
        result = subprocess.run(
            list(command),
            cwd=cwd,
            env=None if env is None else dict(env),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE if capture_stdout else output,
            stderr=output,
            check=False,
        )
    if result.returncode != 0:
        raise ProvisionError(f"{failure} (exit status {result.returncode})" + log_tail(log_file))
    return result.stdout.decode(errors="replace") if capture_stdout else ""
