"""Checking a bearer token: signature, lifetime, audience, issuer; the organisation's role."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

import jwt

from api.platform import ApiSettings
from api.security.local_issuer import ORG_ID_PREFIX, local_issuer
from api.security.principal import Principal
from api.security.refusals import AuthError, insufficient_scope, invalid_token
from schemas.organisations import Organisation, OrganisationRegistry

ALGORITHMS = ["ES256", "ES384", "RS256", "RS384", "RS512", "PS256"]  # asymmetric only: never none/HS*
KEY_CHECK_SECONDS = 1.0
MAX_CACHED_TOKENS = 10_000


class TokenVerifier:
    """Checks signature, lifetime, audience and issuer; maps the organisation to a role."""

    def __init__(self, settings: ApiSettings, registry: OrganisationRegistry | None = None) -> None:
        self.settings = settings
        self.registry = registry or OrganisationRegistry(settings.coordinator_orgs)
        self._client = jwt.PyJWKClient(settings.auth_jwks_url) if settings.auth_jwks_url else None
        self._file = None if self._client else jwks_path(settings)
        self._keys: dict[str, Any] = {}
        self._mtime = -1.0
        self._lock = threading.Lock()
        # Verified tokens → (principal, expiry): a client sends the same token many times, and
        # a signature check costs more than the rest of a cached read. Cleared on key changes.
        self._verified: dict[str, tuple[Principal, float]] = {}
        self._checked_keys_at = 0.0

    @property
    def remote(self) -> bool:
        """Whether a key lookup may go over the network (then run it off the event loop)."""
        return self._client is not None

    def _key(self, token: str) -> Any:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError:  # not a JWS, or a kid/crit of the wrong type
            raise invalid_token("malformed token") from None
        if header.get("alg") not in ALGORITHMS:
            raise invalid_token("unsupported signing algorithm")
        if "crit" in header:
            # RFC 7515 §4.1.11: a token that needs an extension the verifier does not know
            # must be refused; the platform knows none.
            raise invalid_token("unsupported critical header")
        kid = header.get("kid")
        if not isinstance(kid, str):
            raise invalid_token("missing key id")
        if self._client is not None:
            try:
                return self._client.get_signing_key_from_jwt(token).key
            except jwt.PyJWKClientConnectionError:
                raise AuthError(
                    503, "temporarily_unavailable", "the token issuer's keys cannot be fetched"
                ) from None
            except jwt.PyJWKClientError:
                raise invalid_token("unknown key") from None
        self._reload()
        key = self._keys.get(kid)
        if key is None:
            raise invalid_token("unknown key")
        return key

    def _reload(self) -> None:
        # Re-read the JWKS file when it changes: keys can be rotated without a restart.
        assert self._file is not None
        mtime = self._file.stat().st_mtime
        if mtime == self._mtime:
            return
        with self._lock:
            try:
                keys = jwt.PyJWKSet.from_dict(json.loads(self._file.read_text(encoding="utf-8"))).keys
            except jwt.PyJWKSetError:  # no usable key in the set: every token is refused
                keys = []
            self._keys = {k.key_id: k.key for k in keys}
            self._mtime = mtime
            self._verified.clear()

    def verify(self, token: str) -> Principal:
        """The principal of a valid token, or :class:`AuthError` saying why not."""
        now = time.time()
        if self._file is not None and now - self._checked_keys_at >= KEY_CHECK_SECONDS:
            self._checked_keys_at = now
            self._reload()  # notices a rotated or withdrawn key within a second
        cached = self._verified.get(token)
        if cached is not None and now < cached[1]:
            return cached[0]
        principal, expires = self._verify(token)
        if len(self._verified) >= MAX_CACHED_TOKENS:
            self._verified.clear()
        self._verified[token] = (principal, expires)
        return principal

    def _verify(self, token: str) -> tuple[Principal, float]:
        key = self._key(token)
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=ALGORITHMS,
                audience=self.settings.auth_audience,
                issuer=self.settings.auth_issuer,
                leeway=self.settings.auth_leeway_seconds,
                options={"require": ["exp", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError:
            raise invalid_token("token expired") from None
        except jwt.ImmatureSignatureError:
            raise invalid_token("token not yet valid") from None
        except jwt.InvalidAudienceError:
            raise invalid_token("wrong audience") from None
        except jwt.InvalidIssuerError:
            raise invalid_token("wrong issuer") from None
        except jwt.InvalidSignatureError:
            raise invalid_token("bad signature") from None
        except jwt.MissingRequiredClaimError as error:
            raise invalid_token(f"missing claim {error.claim}") from None
        except jwt.InvalidTokenError:
            raise invalid_token("malformed token") from None
        organisation = self._organisation(claims)
        scopes = claims.get("scope", "")
        principal = Principal(
            org_number=organisation.org_number,
            role=organisation.role,
            municipality=organisation.municipality,
            scopes=frozenset(scopes.split()) if isinstance(scopes, str) else frozenset(),
            client_id=str(claims.get("client_id"))[:200] if claims.get("client_id") else None,
            token_id=str(claims.get("jti"))[:200] if claims.get("jti") else None,
        )
        return principal, float(claims["exp"]) + self.settings.auth_leeway_seconds

    def _organisation(self, claims: dict[str, Any]) -> Organisation:
        consumer = claims.get("consumer")
        identifier = consumer.get("ID") if isinstance(consumer, dict) else None
        if not isinstance(identifier, str) or not identifier.startswith(ORG_ID_PREFIX):
            raise invalid_token("missing consumer organisation")
        organisation = self.registry.get(identifier.removeprefix(ORG_ID_PREFIX))
        if organisation is None:
            raise insufficient_scope("the organisation is not a party of the alliance")
        return organisation


def jwks_path(settings: ApiSettings) -> Path:
    """The JWKS file to trust: configured, else the local issuer's (created on first use)."""
    if settings.auth_jwks_file is not None:
        return settings.auth_jwks_file
    return local_issuer(settings.data_dir).jwks_path
