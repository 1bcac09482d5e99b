"""Who is calling, and may they: bearer tokens checked against a JWKS, and route policies.

Tokens follow Maskinporten: a signed JWT with ``scope`` (space-separated) and the client
organisation in ``consumer.ID`` as ``0192:<organisation number>``. The organisation
number decides the role (:mod:`schemas.organisations`). A route declares its policy with
one parameter, which also hands it the caller::

    def route(principal: Reader): ...         # shared views (open or alliance:read, by configuration)
    def route(principal: Coordinator): ...    # coordinators only
    def route(principal: MunicipalityWriter): ...  # alliance:events.write, own municipality
    def route(principal: Admin): ...          # alliance:admin
    @router.get(..., dependencies=[PUBLIC])   # health, contracts, dashboard

Refusals: 401 with ``WWW-Authenticate: Bearer error="invalid_token", error_description=...``
naming why (missing, expired, not yet valid, bad signature, wrong audience or issuer,
unknown key, malformed); 403 with ``error="insufficient_scope"`` when the token is good
but the role or scope is not enough.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import jwt
from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from alliance.settings import Settings
from schemas.organisations import Organisation, OrganisationRegistry
from services.governance.audit import Actor
from services.governance.suppression import ANONYMOUS as ANONYMOUS_VIEWER
from services.governance.suppression import COORDINATOR as COORDINATOR_VIEWER
from services.governance.suppression import Viewer

SCOPE_READ = "alliance:read"
SCOPE_WRITE = "alliance:events.write"
SCOPE_ADMIN = "alliance:admin"
ORG_ID_PREFIX = "0192:"
ALGORITHMS = ["ES256", "ES384", "RS256", "RS384", "RS512", "PS256"]  # asymmetric only: never none/HS*
REALM = "alliance"
KEY_CHECK_SECONDS = 1.0
MAX_CACHED_TOKENS = 10_000


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller: organisation, role, municipality (if one), scopes, client and token ids."""

    org_number: str | None
    role: str  # municipality | coordinator | hospital | anonymous
    municipality: str | None = None
    scopes: frozenset[str] = frozenset()
    client_id: str | None = None
    token_id: str | None = None

    @property
    def is_admin(self) -> bool:
        return SCOPE_ADMIN in self.scopes

    @property
    def viewer(self) -> Viewer:
        """How much of the small counts this caller may see."""
        if self.role == "coordinator":
            return COORDINATOR_VIEWER
        if self.role == "municipality":
            return Viewer(municipality=self.municipality)
        return ANONYMOUS_VIEWER

    @property
    def actor(self) -> Actor:
        """For the audit log."""
        return Actor(self.org_number, self.role, self.client_id, self.token_id)


ANONYMOUS_PRINCIPAL = Principal(org_number=None, role="anonymous")


class AuthError(HTTPException):
    """401/403 with the RFC 6750 ``WWW-Authenticate`` header saying why."""

    def __init__(self, status: int, error: str, description: str, scope: str | None = None) -> None:
        challenge = f'Bearer realm="{REALM}", error="{error}", error_description="{description}"'
        if scope:
            challenge += f', scope="{scope}"'
        super().__init__(status, description, headers={"WWW-Authenticate": challenge})


def _invalid(description: str) -> AuthError:
    return AuthError(401, "invalid_token", description)


def _forbidden(description: str, scope: str | None = None) -> AuthError:
    return AuthError(403, "insufficient_scope", description, scope)


class TokenVerifier:
    """Checks signature, lifetime, audience and issuer; maps the organisation to a role."""

    def __init__(self, settings: Settings, registry: OrganisationRegistry | None = None) -> None:
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
        except jwt.DecodeError:
            raise _invalid("malformed token") from None
        if header.get("alg") not in ALGORITHMS:
            raise _invalid("unsupported signing algorithm")
        kid = header.get("kid")
        if self._client is not None:
            try:
                return self._client.get_signing_key_from_jwt(token).key
            except jwt.PyJWKClientConnectionError:
                raise AuthError(
                    503, "temporarily_unavailable", "the token issuer's keys cannot be fetched"
                ) from None
            except jwt.PyJWKClientError:
                raise _invalid("unknown key") from None
        self._reload()
        key = self._keys.get(kid)
        if key is None:
            raise _invalid("unknown key")
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
            raise _invalid("token expired") from None
        except jwt.ImmatureSignatureError:
            raise _invalid("token not yet valid") from None
        except jwt.InvalidAudienceError:
            raise _invalid("wrong audience") from None
        except jwt.InvalidIssuerError:
            raise _invalid("wrong issuer") from None
        except jwt.InvalidSignatureError:
            raise _invalid("bad signature") from None
        except jwt.MissingRequiredClaimError as error:
            raise _invalid(f"missing claim {error.claim}") from None
        except jwt.InvalidTokenError:
            raise _invalid("malformed token") from None
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
            raise _invalid("missing consumer organisation")
        organisation = self.registry.get(identifier.removeprefix(ORG_ID_PREFIX))
        if organisation is None:
            raise _forbidden("the organisation is not a party of the alliance")
        return organisation


def jwks_path(settings: Settings) -> Path:
    """The JWKS file to trust: configured, else the local issuer's (created on first use)."""
    if settings.auth_jwks_file is not None:
        return settings.auth_jwks_file
    from alliance.signing import local_issuer

    return local_issuer(settings.data_dir).jwks_path


def _verifier(request: Request) -> TokenVerifier:
    state = request.app.state
    verifier = getattr(state, "token_verifier", None)
    if verifier is None:
        verifier = state.token_verifier = TokenVerifier(state.platform.settings)
    return verifier


async def authenticate(request: Request) -> Principal | None:
    """The caller of a request with a bearer token; None without one; 401 for a bad one."""
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _invalid("not a bearer token")
    verifier = _verifier(request)
    if verifier.remote:
        principal = await run_in_threadpool(verifier.verify, token.strip())
    else:  # a local signature check takes well under a millisecond: stay on the event loop
        principal = verifier.verify(token.strip())
    request.state.principal = principal
    return principal


def _require(principal: Principal | None) -> Principal:
    if principal is None:
        raise _invalid("missing bearer token")
    return principal


async def public(request: Request) -> None:
    """Policy: anybody (health, contracts, dashboard); no token is read."""


async def reader(request: Request) -> Principal:
    """Policy: shared views, open or needing ``alliance:read`` as configured."""
    principal = await authenticate(request)
    if principal is None:
        if request.app.state.platform.settings.read_requires_token:
            raise _invalid("missing bearer token")
        return ANONYMOUS_PRINCIPAL
    if SCOPE_READ not in principal.scopes:
        raise _forbidden("reading needs the alliance:read scope", SCOPE_READ)
    return principal


async def coordinator(request: Request) -> Principal:
    """Policy: coordinators with ``alliance:read`` (dead letters, audit log, membership)."""
    principal = _require(await authenticate(request))
    if principal.role != "coordinator":
        raise _forbidden("only the alliance coordinator may do this")
    if SCOPE_READ not in principal.scopes:
        raise _forbidden("this needs the alliance:read scope", SCOPE_READ)
    return principal


async def municipality_writer(request: Request) -> Principal:
    """Policy: ``alliance:events.write`` from a municipality (for itself) or an admin operator."""
    principal = _require(await authenticate(request))
    if SCOPE_WRITE not in principal.scopes:
        refusal = _forbidden("writing needs the alliance:events.write scope", SCOPE_WRITE)
        await _audit_refusal(request, principal, refusal)
        raise refusal
    if principal.role == "municipality" or (principal.role == "coordinator" and principal.is_admin):
        return principal
    refusal = _forbidden("only municipalities write events and procurements")
    await _audit_refusal(request, principal, refusal)
    raise refusal


async def _audit_refusal(request: Request, principal: Principal, refusal: AuthError) -> None:
    """A write refused for its token is audited too (who tried, on which path)."""
    audit = getattr(request.app.state.platform, "audit", None)
    if audit is not None:
        action = f"{request.method} {request.url.path}"[:200]
        status = refusal.status_code
        await run_in_threadpool(audit.record, principal.actor, action, status, (), refusal.detail)


async def admin(request: Request) -> Principal:
    """Policy: ``alliance:admin`` held by the coordinator organisation (configuration)."""
    principal = _require(await authenticate(request))
    if principal.role != "coordinator" or not principal.is_admin:
        raise _forbidden("this needs the alliance:admin scope", SCOPE_ADMIN)
    return principal


Reader = Annotated[Principal, Depends(reader)]
Coordinator = Annotated[Principal, Depends(coordinator)]
MunicipalityWriter = Annotated[Principal, Depends(municipality_writer)]
Admin = Annotated[Principal, Depends(admin)]
PUBLIC = Depends(public)
# Router-wide forms, for routers whose routes do not need the caller themselves.
READER = Depends(reader)
COORDINATOR = Depends(coordinator)

POLICIES: dict[Callable[..., Any], str] = {
    public: "public",
    reader: "reader",
    coordinator: "coordinator",
    municipality_writer: "municipality_writer",
    admin: "admin",
}


def policy_of(route: Any) -> str | None:
    """The policy a route declares (the first policy dependency found), or None."""
    pending = [route.dependant]
    while pending:
        dependant = pending.pop()
        if dependant.call in POLICIES:
            return POLICIES[dependant.call]
        pending.extend(dependant.dependencies)
    return None


def writer_scope(principal: Principal) -> tuple[str | None, str | None]:
    """(municipality code, organisation number) a write is limited to; (None, None) for operators."""
    if principal.role == "municipality":
        return principal.municipality, principal.org_number
    return None, None


_ERROR_REF = {"$ref": "#/components/schemas/ErrorOut"}
_AUTH_RESPONSES = {
    "401": "No valid bearer token (WWW-Authenticate says why: missing, expired, bad signature …)",
    "403": "The token's organisation, role or scope does not allow this",
}


def document_policies(schema: dict[str, Any], routes: Any) -> None:
    """Add the 401/403 answers of each route's policy, and the real 422 shape, to an OpenAPI document.

    FastAPI documents its own validation-error shape; this API answers every refusal as
    ``{detail, errors: [{field, rule, message}]}`` (api/errors.py), so the component is
    replaced by that shape.
    """
    from fastapi.routing import APIRoute, iter_route_contexts

    components = schema.setdefault("components", {}).setdefault("schemas", {})
    if "ErrorOut" in components:
        components["HTTPValidationError"] = components["ErrorOut"]
    for context in iter_route_contexts(routes):
        route = context.route
        if not isinstance(route, APIRoute) or policy_of(route) in (None, "public"):
            continue
        for method in route.methods:
            operation = schema.get("paths", {}).get(route.path_format, {}).get(method.lower())
            if operation is None:
                continue
            responses = operation.setdefault("responses", {})
            if "requestBody" in operation and "400" not in responses:
                responses["400"] = {
                    "description": "The body could not be read (not UTF-8 JSON)",
                    "content": {"application/json": {"schema": _ERROR_REF}},
                }
            for code, description in _AUTH_RESPONSES.items():
                documented = responses.get(code)
                if documented is None:
                    responses[code] = {
                        "description": description,
                        "content": {"application/json": {"schema": _ERROR_REF}},
                    }
                    continue
                # A route's own 401/403 body (e.g. per-item refusals) or the policy's plain one.
                content = documented.setdefault("content", {}).setdefault("application/json", {})
                own = content.get("schema")
                content["schema"] = {"anyOf": [own, _ERROR_REF]} if own and own != _ERROR_REF else _ERROR_REF
