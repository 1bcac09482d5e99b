"""Bearer tokens: every reason a token is refused is named in WWW-Authenticate."""

from __future__ import annotations

import json
import os
import stat
import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from typer.testing import CliRunner

from alliance.cli import app as cli
from api.security.local_issuer import ORG_ID_PREFIX, LocalIssuer
from tests.support.auth import COORDINATOR_ORG, HOSPITAL_ORG, READ, WRITE, org_of
from tests.support.factories import registered

ADOPTION = "/v1/adoption"


def _challenge(response) -> str:
    return response.headers.get("www-authenticate", "")


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_no_token_for_a_write_is_401_missing(client):
    response = client.post("/v1/events", json=registered("p1"), auth=None)
    assert response.status_code == 401
    assert 'error="invalid_token"' in _challenge(response)
    assert 'error_description="missing bearer token"' in _challenge(response)


@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        ({"exp": int(time.time()) - 3600, "iat": int(time.time()) - 7200}, "token expired"),
        ({"nbf": int(time.time()) + 3600}, "token not yet valid"),
        ({"aud": "someone-else"}, "wrong audience"),
        ({"iss": "https://elsewhere.example"}, "wrong issuer"),
    ],
)
def test_invalid_claims_are_named(client, tokens, claims, reason):
    token = tokens.issuer.issue(
        COORDINATOR_ORG, READ, tokens.settings.auth_issuer, tokens.settings.auth_audience, **claims
    )
    response = client.get(ADOPTION, headers=_bearer(token))
    assert response.status_code == 401
    assert f'error_description="{reason}"' in _challenge(response)


def test_bad_signature_unknown_key_and_malformed(client, tokens, tmp_path):
    good = tokens.token(COORDINATOR_ORG, READ)
    head, _body, signature = good.split(".")
    tampered_body = jwt.utils.base64url_encode(
        json.dumps(
            {**jwt.decode(good, options={"verify_signature": False}), "scope": "alliance:admin"}
        ).encode()
    ).decode()
    forged = f"{head}.{tampered_body}.{signature}"
    assert 'error_description="bad signature"' in _challenge(client.get(ADOPTION, headers=_bearer(forged)))

    stranger = LocalIssuer(tmp_path / "other-keys").ensure()
    foreign = stranger.issue(
        COORDINATOR_ORG, READ, tokens.settings.auth_issuer, tokens.settings.auth_audience
    )
    assert 'error_description="unknown key"' in _challenge(client.get(ADOPTION, headers=_bearer(foreign)))

    # Same kid as the platform's key, other private key: the signature does not hold.
    other_key = ec.generate_private_key(ec.SECP256R1())
    claims = jwt.decode(good, options={"verify_signature": False})
    same_kid = jwt.encode(claims, other_key, algorithm="ES256", headers={"kid": tokens.issuer.kid})
    assert 'error_description="bad signature"' in _challenge(client.get(ADOPTION, headers=_bearer(same_kid)))

    for junk in ("not-a-jwt", "a.b.c", good + "x"):
        response = client.get(ADOPTION, headers=_bearer(junk))
        assert response.status_code == 401, junk
    assert client.get(ADOPTION, headers={"Authorization": "Basic dXNlcjpwYXNz"}).status_code == 401


def test_symmetric_and_unsigned_tokens_are_refused(client, tokens):
    claims = jwt.decode(tokens.token(COORDINATOR_ORG, READ), options={"verify_signature": False})
    unsigned = jwt.encode(claims, key=None, algorithm="none")
    hmac = jwt.encode(claims, key="x" * 32, algorithm="HS256", headers={"kid": tokens.issuer.kid})
    for token in (unsigned, hmac):
        response = client.get(ADOPTION, headers=_bearer(token))
        assert response.status_code == 401
        assert "unsupported signing algorithm" in _challenge(response)


def test_unknown_organisation_and_missing_scope_are_403(client, tokens):
    stranger = tokens.headers("974760673", READ)  # a valid organisation number, no party of the alliance
    response = client.get(ADOPTION, headers=stranger)
    assert response.status_code == 403
    assert 'error="insufficient_scope"' in _challenge(response)
    no_write = tokens.municipality("3420", READ)
    response = client.post("/v1/events", json=registered("p1"), headers=no_write)
    assert response.status_code == 403
    assert 'scope="alliance:events.write"' in _challenge(response)
    hospital_write = tokens.headers(HOSPITAL_ORG, f"{WRITE} {READ}")
    assert client.post("/v1/events", json=registered("p1"), headers=hospital_write).status_code == 403


def test_missing_consumer_claim_is_401(client, tokens):
    token = tokens.issuer.issue(
        COORDINATOR_ORG, READ, tokens.settings.auth_issuer, tokens.settings.auth_audience, consumer=None
    )
    response = client.get(ADOPTION, headers=_bearer(token))
    assert response.status_code == 401
    assert "missing consumer organisation" in _challenge(response)


def test_reads_can_require_a_token(platform, client):
    platform.settings.read_requires_token = True
    response = client.get(ADOPTION, auth=None)
    assert response.status_code == 401
    assert client.get(ADOPTION).status_code == 200
    assert client.get("/healthz", auth=None).status_code == 200


def test_key_rotation_is_picked_up_without_a_restart(client, tokens):
    assert client.get(ADOPTION).status_code == 200
    path = tokens.issuer.jwks_path
    path.write_text(json.dumps({"keys": []}), encoding="utf-8")
    later = time.time() + 5
    os.utime(path, (later, later))
    assert client.get(ADOPTION, headers=tokens.headers(COORDINATOR_ORG, READ)).status_code == 401


def test_cli_issues_tokens_the_api_accepts(platform, client, tmp_path):
    data_dir = platform.settings.data_dir
    result = CliRunner().invoke(
        cli,
        [
            "token",
            "issue",
            "--org",
            org_of("3420"),
            "--scope",
            f"{WRITE} {READ}",
            "--data-dir",
            str(data_dir),
        ],
    )
    assert result.exit_code == 0, result.output
    token = result.stdout.strip().splitlines()[-1]
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["consumer"]["ID"] == f"{ORG_ID_PREFIX}{org_of('3420')}"
    assert claims["scope"] == f"{WRITE} {READ}"
    response = client.post("/v1/events", json=registered("p1"), headers=_bearer(token))
    assert response.status_code == 202
    key = data_dir / "keys" / "signing-key.pem"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    refused = CliRunner().invoke(cli, ["token", "issue", "--org", "974760673", "--data-dir", str(tmp_path)])
    assert refused.exit_code == 2


def test_an_external_issuer_with_rs256_keys_as_maskinporten_uses(tmp_path):
    from cryptography.hazmat.primitives.asymmetric import rsa
    from fastapi.testclient import TestClient

    from alliance.bootstrap import build_platform
    from alliance.settings import Settings
    from api.app import create_app
    from tests.conftest import fixed_clock

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    jwks = tmp_path / "maskinporten-jwks.json"
    jwks.write_text(json.dumps({"keys": [{**jwk, "kid": "mp-1", "alg": "RS256", "use": "sig"}]}))
    settings = Settings(
        data_dir=tmp_path / "var",
        auth_jwks_file=jwks,
        auth_issuer="https://test.maskinporten.no/",
        auth_audience="https://alliance.example/api",
    )
    platform = build_platform(settings, clock=fixed_clock)
    now = int(time.time())
    claims = {
        "iss": "https://test.maskinporten.no/",
        "aud": "https://alliance.example/api",
        "iat": now,
        "exp": now + 120,
        "scope": "alliance:read",
        "consumer": {"authority": "iso6523-actorid-upis", "ID": f"0192:{COORDINATOR_ORG}"},
        "client_id": "0a1b2c3d",
    }
    token = jwt.encode(claims, key, algorithm="RS256", headers={"kid": "mp-1"})
    try:
        with TestClient(create_app(platform, process=False)) as client:
            assert client.get("/v1/audit", headers=_bearer(token)).status_code == 200
            # The local development key is not trusted once an issuer is configured.
            local = LocalIssuer(tmp_path / "var" / "keys").ensure()
            dev = local.issue(COORDINATOR_ORG, READ, settings.auth_issuer, settings.auth_audience)
            response = client.get("/v1/audit", headers=_bearer(dev))
            assert response.status_code == 401 and "unknown key" in _challenge(response)
    finally:
        platform.close()


def test_a_cached_token_is_refused_once_it_expires(platform, tokens):
    from api.security.refusals import AuthError
    from api.security.tokens import TokenVerifier

    settings = platform.settings.model_copy(update={"auth_leeway_seconds": 0})
    verifier = TokenVerifier(settings)
    now = time.time()
    token = tokens.issuer.issue(
        COORDINATOR_ORG, READ, settings.auth_issuer, settings.auth_audience, now=now, lifetime_seconds=60
    )
    assert verifier.verify(token).role == "coordinator"
    assert verifier.verify(token).role == "coordinator"  # from the cache
    # Valid for at least two seconds (exp is whole seconds): the first check cannot race it.
    expires = int(now) + 3
    short = tokens.issuer.issue(
        COORDINATOR_ORG, READ, settings.auth_issuer, settings.auth_audience, exp=expires
    )
    assert verifier.verify(short).org_number == COORDINATOR_ORG
    time.sleep(max(0.0, expires + 0.2 - time.time()))
    assert time.time() > expires
    with pytest.raises(AuthError, match="token expired"):
        verifier.verify(short)
