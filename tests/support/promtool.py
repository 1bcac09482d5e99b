"""``promtool`` from tests: every /metrics output and the alert rules are checked by it."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest


def promtool() -> str:
    """Path of promtool; skipped when missing outside CI (``.ci/run`` installs it)."""
    found = shutil.which("promtool")
    if found is None:
        message = "promtool is not installed (Debian package 'prometheus'; .ci/run installs it)"
        if os.environ.get("CI", "").strip().lower() == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return found


def check_metrics(exposition: bytes | str) -> None:
    """Assert that ``promtool check metrics`` accepts a /metrics body (lint included)."""
    data = exposition.encode() if isinstance(exposition, str) else exposition
    result = subprocess.run(
        [promtool(), "check", "metrics"], input=data, capture_output=True, timeout=60, check=False
    )
    assert result.returncode == 0, (result.stdout + result.stderr).decode()
