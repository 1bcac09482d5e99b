"""The route policies: who may call a route, each a dependency that hands the route its caller.

A policy reads the bearer token (:func:`authenticate`) and refuses with 401 or 403
(:mod:`api.security.refusals`). :func:`policy_of` names the policy a route declares, for
the authorisation tests and the OpenAPI document.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from api.platform import platform_of
from api.security.principal import ANONYMOUS_PRINCIPAL, SCOPE_ADMIN, SCOPE_READ, SCOPE_WRITE, Principal
from api.security.refusals import AuthError, insufficient_scope, invalid_request, invalid_token
from api.security.tokens import TokenVerifier
from api.writes import WRITE_METHODS, record_write


async def authenticate(request: Request) -> Principal | None:
    """The caller of a request with a bearer token; None without one; 401 for a bad one."""
    headers = request.headers.getlist("authorization")
    if not headers:
        return None
    if len(headers) > 1:
        # Which one counts would depend on the proxy in front; refuse rather than guess.
        raise invalid_request("send exactly one Authorization header")
    header = headers[0]
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise invalid_token("not a bearer token")
    verifier: TokenVerifier = request.app.state.token_verifier
    if verifier.remote:
        principal = await run_in_threadpool(verifier.verify, token.strip())
    else:  # a local signature check takes well under a millisecond: stay on the event loop
        principal = verifier.verify(token.strip())
    request.state.principal = principal
    return principal


def _require(principal: Principal | None) -> Principal:
    if principal is None:
        raise invalid_token("missing bearer token")
    return principal


async def public(request: Request) -> None:
    """Policy: anybody (health, contracts, dashboard); no token is read."""


async def reader(request: Request) -> Principal:
    """Policy: shared views, open or needing ``alliance:read`` as configured."""
    principal = await authenticate(request)
    if principal is None:
        if platform_of(request).settings.read_requires_token:
            raise invalid_token("missing bearer token")
        return ANONYMOUS_PRINCIPAL
    if SCOPE_READ not in principal.scopes:
        raise await _refused(request, principal, "reading needs the alliance:read scope", SCOPE_READ)
    return principal


async def coordinator(request: Request) -> Principal:
    """Policy: coordinators with ``alliance:read`` (dead letters, audit log, membership)."""
    principal = _require(await authenticate(request))
    if principal.role != "coordinator":
        raise await _refused(request, principal, "only the alliance coordinator may do this")
    if SCOPE_READ not in principal.scopes:
        raise await _refused(request, principal, "this needs the alliance:read scope", SCOPE_READ)
    return principal


async def municipality_writer(request: Request) -> Principal:
    """Policy: ``alliance:events.write`` from a municipality (for itself) or an admin operator."""
    principal = _require(await authenticate(request))
    if SCOPE_WRITE not in principal.scopes:
        raise await _refused(request, principal, "writing needs the alliance:events.write scope", SCOPE_WRITE)
    if principal.role == "municipality" or (principal.role == "coordinator" and principal.is_admin):
        return principal
    raise await _refused(request, principal, "only municipalities write events and procurements")


async def admin(request: Request) -> Principal:
    """Policy: ``alliance:admin`` held by the coordinator organisation (configuration)."""
    principal = _require(await authenticate(request))
    if principal.role != "coordinator" or not principal.is_admin:
        raise await _refused(request, principal, "this needs the alliance:admin scope", SCOPE_ADMIN)
    return principal


async def _refused(request: Request, principal: Principal, why: str, scope: str | None = None) -> AuthError:
    """403 for a known caller; a write refused so is audited too (who tried, on which path)."""
    refusal = insufficient_scope(why, scope)
    if request.method in WRITE_METHODS:
        action = f"{request.method} {request.url.path}"
        await record_write(request, principal, action, refusal.status_code, reason=refusal.detail)
    return refusal


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
