"""The 401 and 403 answers of access control, with the RFC 6750 challenge saying why."""

from __future__ import annotations

from starlette.exceptions import HTTPException

REALM = "alliance"


class AuthError(HTTPException):
    """401/403 with the RFC 6750 ``WWW-Authenticate`` header saying why."""

    def __init__(self, status: int, error: str, description: str, scope: str | None = None) -> None:
        challenge = f'Bearer realm="{REALM}", error="{error}", error_description="{description}"'
        if scope:
            challenge += f', scope="{scope}"'
        super().__init__(status, description, headers={"WWW-Authenticate": challenge})


def invalid_token(description: str) -> AuthError:
    """401: no usable token (missing, expired, bad signature …)."""
    return AuthError(401, "invalid_token", description)


def invalid_request(description: str) -> AuthError:
    """400: a request RFC 6750 calls malformed (e.g. more than one set of credentials)."""
    return AuthError(400, "invalid_request", description)


def insufficient_scope(description: str, scope: str | None = None) -> AuthError:
    """403: a good token whose organisation, role or scope is not enough."""
    return AuthError(403, "insufficient_scope", description, scope)
