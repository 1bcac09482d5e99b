"""A JWT fuzzer: tokens of every header and claim shape, signed by the platform's real key.

Whatever a token holds, the answer is 200 (a good token), 401 or 403 with an RFC 6750
challenge naming the reason — never a server error. The tokens are built by hand (not by
PyJWT's encoder, which refuses some of these shapes) so that the verifier meets them.
"""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jwt.algorithms import ECAlgorithm

from api.security.local_issuer import ORG_ID_PREFIX
from tests.support.auth import ALL_SCOPES, COORDINATOR_ORG

ADOPTION = "/v1/adoption"
EXAMPLES = 300

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def raw_token(header: dict[str, Any], claims: Any, private_key: Any) -> str:
    """A compact JWS of any header and payload, signed with ES256 whatever the header says."""
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
    signature = ECAlgorithm(ECAlgorithm.SHA256).sign(signing_input.encode(), private_key)
    return f"{signing_input}.{_b64(signature)}"


def _valid_claims(settings_: Any) -> dict[str, Any]:
    now = int(time.time())
    return {
        "iss": settings_.auth_issuer,
        "aud": settings_.auth_audience,
        "iat": now,
        "nbf": now,
        "exp": now + 600,
        "jti": "fuzz",
        "scope": ALL_SCOPES,
        "client_id": "fuzz",
        "consumer": {"authority": "iso6523-actorid-upis", "ID": f"{ORG_ID_PREFIX}{COORDINATOR_ORG}"},
    }


HEADER_NAMES = ("alg", "kid", "typ", "crit", "b64", "jku", "jwk", "x5u", "cty", "zip", "enc")
CLAIM_NAMES = ("iss", "aud", "iat", "nbf", "exp", "jti", "scope", "client_id", "consumer")


@st.composite
def token_shapes(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any], set[str], set[str]]:
    """(header changes, claim changes, headers dropped, claims dropped)."""
    header = draw(st.dictionaries(st.sampled_from(HEADER_NAMES), json_values | st.just("ES256"), max_size=3))
    claims = draw(st.dictionaries(st.sampled_from(CLAIM_NAMES), json_values, max_size=3))
    drop_headers = draw(st.sets(st.sampled_from(("alg", "kid")), max_size=1))
    drop_claims = draw(st.sets(st.sampled_from(CLAIM_NAMES), max_size=2))
    return header, claims, drop_headers, drop_claims


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(shape=token_shapes())
def test_no_token_shape_causes_a_server_error(client, tokens, shape):
    header_changes, claim_changes, drop_headers, drop_claims = shape
    header = {"alg": "ES256", "typ": "JWT", "kid": tokens.issuer.kid, **header_changes}
    claims = {**_valid_claims(tokens.settings), **claim_changes}
    for name in drop_headers:
        header.pop(name, None)
    for name in drop_claims:
        claims.pop(name, None)
    token = raw_token(header, claims, tokens.issuer._private_key())
    response = client.get(ADOPTION, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code in (200, 401, 403), (response.status_code, response.text, header, claims)
    if response.status_code != 200:
        assert 'error="' in response.headers["www-authenticate"]
    if "crit" in header:
        assert response.status_code == 401, "a critical header extension the platform does not know"


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payload=json_values, header=json_values)
def test_any_json_in_header_and_payload_is_refused_cleanly(client, tokens, payload, header):
    token = raw_token(
        header if isinstance(header, dict) else {"x": header}, payload, tokens.issuer._private_key()
    )
    response = client.get(ADOPTION, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code in (401, 403), (response.status_code, response.text)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(garbage=st.binary(max_size=60) | st.text(max_size=60))
def test_garbage_bearer_values_are_401(client, garbage):
    value = garbage if isinstance(garbage, str) else _b64(garbage) + "." + _b64(orjson.dumps({}))
    response = client.get(ADOPTION, headers={"Authorization": f"Bearer {value}".encode("utf-8", "replace")})
    assert response.status_code == 401, (response.status_code, response.text)


def test_two_authorization_headers_are_refused(client, tokens):
    good = tokens.operator()["Authorization"]
    response = client.get(ADOPTION, headers=[("Authorization", good), ("Authorization", "Bearer x")])
    assert response.status_code == 400
    assert "one Authorization header" in response.text
    assert 'error="invalid_request"' in response.headers["www-authenticate"]
    response = client.get(ADOPTION, headers=[("Authorization", good), ("Authorization", good)])
    assert response.status_code == 400
