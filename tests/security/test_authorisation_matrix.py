"""Every endpoint × role × own/other municipality, with the status each must get.

The routes are enumerated from the application itself: a route without a declared
expectation below fails the test, so no endpoint can be added without deciding who may
call it. "Own" requests act on Elverum (3420) data: an Elverum token is the owner, a
Hamar (3403) token the other municipality.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from api.security.policies import policy_of
from services.procurement import sor_osterdal_safety_alarm_releases
from tests.support.auth import ADMIN, COORDINATOR_ORG, HOSPITAL_ORG, READ, WRITE
from tests.support.factories import registered
from tests.support.routes import declared_routes

# (method, path) → the policy the route must declare.
EXPECTED: dict[tuple[str, str], str] = {
    ("POST", "/v1/events"): "municipality_writer",
    ("GET", "/v1/events/{event_id}"): "reader",
    ("GET", "/v1/adoption"): "reader",
    ("GET", "/v1/municipalities"): "reader",
    ("GET", "/v1/municipalities/{code}"): "reader",
    ("GET", "/v1/technologies"): "reader",
    ("GET", "/v1/technologies/{code}"): "reader",
    ("GET", "/v1/pilots/{pilot_id}"): "reader",
    ("GET", "/v1/lessons"): "reader",
    ("GET", "/v1/benefits"): "reader",
    ("GET", "/v1/municipalities/{code}/peers"): "reader",
    ("GET", "/v1/technologies/{code}/diffusion"): "reader",
    ("GET", "/"): "reader",
    ("POST", "/v1/procurement/releases"): "municipality_writer",
    ("GET", "/v1/procurement/records"): "reader",
    ("GET", "/v1/procurement/records/{ocid:path}"): "reader",
    ("GET", "/v1/procurement/radar"): "reader",
    ("GET", "/v1/procurement/record-package"): "reader",
    ("GET", "/v1/suppliers"): "reader",
    ("GET", "/v1/suppliers/{supplier_id:path}"): "reader",
    ("GET", "/v1/alarms"): "reader",
    ("GET", "/v1/competence"): "reader",
    ("GET", "/healthz"): "public",
    ("GET", "/readyz"): "public",
    ("GET", "/asyncapi.json"): "public",
    ("GET", "/metrics"): "public",
    ("GET", "/v1/membership"): "reader",
    ("PUT", "/v1/membership"): "coordinator",
    ("GET", "/v1/dead-letters"): "coordinator",
    ("GET", "/v1/dead-letters/{letter_id}"): "coordinator",
    ("POST", "/v1/dead-letters/replay"): "coordinator",
    ("GET", "/v1/audit"): "coordinator",
}
# Framework routes (not APIRoutes): contracts, docs and the dashboard's static files, public.
PUBLIC_FRAMEWORK = {"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc", "/static"}

ROLES = ("anonymous", "municipality_own", "municipality_other", "hospital", "coordinator", "admin")
OK = "ok"  # neither 401 nor 403, and no server error
# policy → role → expected status (with shared views open to anybody)
OUTCOMES: dict[str, dict[str, int | str]] = {
    "public": dict.fromkeys(ROLES, OK),
    "reader": dict.fromkeys(ROLES, OK),
    "coordinator": {
        "anonymous": 401,
        "municipality_own": 403,
        "municipality_other": 403,
        "hospital": 403,
        "coordinator": OK,
        "admin": OK,
    },
    "municipality_writer": {
        "anonymous": 401,
        "municipality_own": OK,
        "municipality_other": 403,
        "hospital": 403,
        "coordinator": 403,
        "admin": OK,
    },
    "admin": {**dict.fromkeys(ROLES, 403), "anonymous": 401, "admin": OK},
}
PATH_VALUES = {
    "/v1/technologies/{code}": {"code": "safety-alarm"},
    "/v1/technologies/{code}/diffusion": {"code": "safety-alarm"},
}
DEFAULT_VALUES = {"code": "3420", "pilot_id": "elv-alarm", "ocid": "ocds-213czf-soe-2022-001"}
QUERIES = {"/v1/municipalities/{code}/peers": {"technology": "safety-alarm"}}


def headers_for(role: str, tokens: Any) -> dict[str, str]:
    if role == "anonymous":
        return {}
    return {
        "municipality_own": lambda: tokens.municipality("3420", f"{WRITE} {READ}"),
        "municipality_other": lambda: tokens.municipality("3403", f"{WRITE} {READ}"),
        "hospital": lambda: tokens.headers(HOSPITAL_ORG, READ),
        "coordinator": lambda: tokens.headers(COORDINATOR_ORG, READ),
        "admin": lambda: tokens.headers(COORDINATOR_ORG, f"{READ} {WRITE} {ADMIN}"),
    }[role]()


def body_for(method: str, path: str) -> Any:
    if path == "/v1/events":
        return registered("matrix-pilot", municipality="3420")
    if path == "/v1/procurement/releases":
        return {"releases": [sor_osterdal_safety_alarm_releases()[0]]}
    if path == "/v1/membership":
        return {"members": ["3420", "3403"], "source": "authorisation test", "as_of": "2026-01-01"}
    if path == "/v1/dead-letters/replay":
        return {"ids": ["0"]}
    return {} if method in ("POST", "PUT", "PATCH") else None


def url_for(path: str, event_id: str) -> str:
    values = {**DEFAULT_VALUES, "event_id": event_id, **PATH_VALUES.get(path, {})}
    return re.sub(r"\{(\w+)(:\w+)?\}", lambda m: values.get(m.group(1), "x"), path)


def test_every_route_has_a_declared_expectation_and_policy(client):
    problems = []
    served = set()
    for method, path, route in declared_routes(client.app):
        if method == "*":
            if path not in PUBLIC_FRAMEWORK:
                problems.append(f"{path}: framework route without a declared expectation")
            continue
        served.add((method, path))
        if (method, path) not in EXPECTED:
            problems.append(f"{method} {path}: no expectation declared in this test")
        elif policy_of(route) != EXPECTED[(method, path)]:
            problems.append(
                f"{method} {path}: declares {policy_of(route)}, expected {EXPECTED[(method, path)]}"
            )
    problems += [f"{m} {p}: expected but not served" for m, p in EXPECTED if (m, p) not in served]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("read_requires_token", [False, True], ids=["open-reads", "token-reads"])
def test_matrix_of_routes_roles_and_municipalities(client, platform, tokens, read_requires_token):
    seed = registered("elv-alarm", municipality="3420")
    assert client.post("/v1/events", json=seed).status_code == 202
    platform.drain()
    platform.settings.read_requires_token = read_requires_token
    mismatches = []
    checked = 0
    for method, path, _ in declared_routes(client.app):
        if method == "*":
            continue
        policy = EXPECTED.get((method, path))
        if policy is None:
            continue  # reported by the test above
        for role in ROLES:
            expected = OUTCOMES[policy][role]
            if read_requires_token and policy == "reader" and role == "anonymous":
                expected = 401
            headers = headers_for(role, tokens)
            response = client.request(
                method,
                url_for(path, seed["event_id"]),
                params=QUERIES.get(path),
                json=body_for(method, path),
                headers=headers,
                auth=None,
            )
            checked += 1
            status = response.status_code
            good = status not in (401, 403) and status < 500 if expected == OK else status == expected
            if not good:
                mismatches.append(f"{method} {path} as {role}: got {status}, expected {expected}")
            if status == 401:
                assert response.headers["www-authenticate"].startswith("Bearer "), (method, path, role)
    assert not mismatches, "\n".join(mismatches)
    assert checked == len(EXPECTED) * len(ROLES)


def test_own_and_other_municipality_writes(client, platform, tokens):
    own, other = tokens.municipality("3420"), tokens.municipality("3403")
    event = registered("own-pilot", municipality="3420")
    refused = client.post("/v1/events", json=event, headers=other, auth=None)
    assert refused.status_code == 403
    assert refused.json()["errors"] == [
        {
            "field": "municipality",
            "rule": "not_permitted",
            "message": "This organisation may write events only for 3403",
        }
    ]
    # The pre-2020 number of one's own municipality is one's own.
    assert (
        client.post("/v1/events", json={**event, "municipality": "0427"}, headers=own, auth=None).status_code
        == 202
    )
    mixed = [registered("a", municipality="3420"), registered("b", municipality="3403")]
    body = client.post("/v1/events", json=mixed, headers=own, auth=None).json()
    assert [r["status"] for r in body["results"]] == ["accepted", "refused"]
    assert body["results"][1]["errors"][0]["rule"] == "not_permitted"
    releases = {"releases": [sor_osterdal_safety_alarm_releases()[0]]}
    assert client.post("/v1/procurement/releases", json=releases, headers=other, auth=None).status_code == 403
    assert client.post("/v1/procurement/releases", json=releases, headers=own, auth=None).status_code == 200
