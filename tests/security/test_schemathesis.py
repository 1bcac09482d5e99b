"""Schemathesis against /openapi.json, in-process (ASGI), with a valid token of each role.

No response may be a server error, and every response must match what the document says
(status codes, content types, bodies). Few examples per operation keep it under two minutes.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from alliance.bootstrap import build_platform
from alliance.settings import Settings
from api.app import create_app
from tests.conftest import fixed_clock
from tests.support.auth import ADMIN, COORDINATOR_ORG, HOSPITAL_ORG, READ, WRITE, PlatformTokens
from tests.support.factories import lesson, metrics, registered

# Built at import: schemathesis reads the document when the tests are collected.
_DIR = Path(tempfile.mkdtemp(prefix="schemathesis-"))
PLATFORM = build_platform(Settings(data_dir=_DIR / "var", cache_seconds=0), clock=fixed_clock)
atexit.register(lambda: (PLATFORM.close(), shutil.rmtree(_DIR, ignore_errors=True)))
PLATFORM.ingest.submit(
    [
        registered("elv-alarm", municipality="3420"),
        metrics("elv-alarm", "2021-01", municipality="3420", users_active=3, devices_deployed=7),
        lesson("elv-alarm", municipality="3420"),
        registered("ham-gps", technology="location-gps", municipality="3403"),
    ],
    "api",
)
PLATFORM.drain()
APP = create_app(PLATFORM, process=False)
APP.state.platform = PLATFORM  # what the lifespan would set; no background processing
TOKENS = PlatformTokens(PLATFORM.settings)
ROLES = {
    "municipality": TOKENS.municipality("3420", f"{WRITE} {READ}"),
    "coordinator": TOKENS.headers(COORDINATOR_ORG, READ),
    "hospital": TOKENS.headers(HOSPITAL_ORG, READ),
    "admin": TOKENS.headers(COORDINATOR_ORG, f"{READ} {WRITE} {ADMIN}"),
    "anonymous": {},
}
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)
# What the responses must do. (Whether the API refuses every request the document calls
# invalid, or accepts every one it calls valid, is a question of input strictness that the
# hostile-input corpus answers case by case.)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


@schema.parametrize()
@settings(max_examples=4, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_no_server_errors_and_responses_match_the_document(case):
    for role, headers in ROLES.items():
        try:
            case.call_and_validate(headers=headers, checks=CHECKS)
        except Exception as error:
            error.add_note(f"as {role}")
            raise
