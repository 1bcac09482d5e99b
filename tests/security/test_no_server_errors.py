"""No request produces a server error: every route × every role × hostile paths, queries,
bodies, content types and headers, generated.

Refusals must be 4xx; a 5xx is only for a real outage, and no server is down here. The
platform's server log (the ``alliance`` loggers) must hold no unhandled exception either.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import quote

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.auth import ADMIN, COORDINATOR_ORG, HOSPITAL_ORG, READ, WRITE
from tests.support.factories import identity_number, registered
from tests.support.routes import declared_routes

EXAMPLES = 700

segments = (
    st.text(max_size=30)
    | st.sampled_from(["3420", "0427", "9999", "elv-alarm", "ocds-213czf-1", "..", "%00", "a" * 300])
    | st.just(identity_number())
    | st.integers().map(str)
)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)
bodies = (
    json_values.map(orjson.dumps)
    | st.binary(max_size=200)
    | st.just(b"[" * 5000 + b"]" * 5000)
    | st.just(b'{"a":' * 2000 + b"1" + b"}" * 2000)
    | st.builds(lambda e: orjson.dumps(e), st.just(registered("p1")))
    | st.just(b"")
)
content_types = st.sampled_from(
    [
        None,
        "application/json",
        "APPLICATION/JSON",
        "application/json; charset=latin-1",
        "text/plain",
        "application/xml",
        "multipart/form-data; boundary=x",
        "application/x-www-form-urlencoded",
        "application/merge-patch+json",
        "",
        "\u00e6/\u00f8".encode("latin-1"),
    ]
)
ROLES = ("anonymous", "municipality", "coordinator", "hospital", "admin", "garbage", "two")


def _headers(role: str, tokens) -> list[tuple[str, str]]:
    if role == "anonymous":
        return []
    if role == "garbage":
        return [("Authorization", "Bearer not.a.token")]
    token = {
        "municipality": lambda: tokens.municipality("3420", f"{WRITE} {READ}"),
        "coordinator": lambda: tokens.headers(COORDINATOR_ORG, READ),
        "hospital": lambda: tokens.headers(HOSPITAL_ORG, READ),
        "admin": lambda: tokens.headers(COORDINATOR_ORG, f"{READ} {WRITE} {ADMIN}"),
        "two": lambda: tokens.operator(),
    }[role]()["Authorization"]
    return [("Authorization", token)] * (2 if role == "two" else 1)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_no_route_answers_a_server_error(client, platform, tokens, caplog, data):
    routes = [(m, p) for m, p, _ in declared_routes(client.app) if m not in ("*", "?", "HEAD")]
    method, path = data.draw(st.sampled_from(sorted(routes)), label="route")
    url = re.sub(r"\{(\w+)(:\w+)?\}", lambda _m: quote(data.draw(segments, label="segment"), safe=""), path)
    params = data.draw(st.dictionaries(st.text(max_size=10), st.text(max_size=20), max_size=3), label="query")
    role = data.draw(st.sampled_from(ROLES), label="role")
    headers = _headers(role, tokens)
    body = None
    if method in ("POST", "PUT", "PATCH"):
        body = data.draw(bodies, label="body")
        content_type = data.draw(content_types, label="content type")
        if content_type is not None:
            headers.append(("Content-Type", content_type))
    caplog.clear()
    with caplog.at_level(logging.ERROR):
        response = client.request(
            method,
            url.replace("#", "%23").replace("?", "%3F"),
            params=params,
            content=body,
            headers=headers,
            auth=None,
        )
    assert response.status_code < 500, (method, url, role, response.status_code, response.text[:300])
    assert not [r for r in caplog.records if r.exc_info], "an unhandled exception was logged"
    platform.drain()
