"""Bearer tokens for tests: signed by the platform's local issuer, chosen per request.

:class:`PlatformTokens` mints tokens for any party; :class:`SigningAuth` is an httpx auth
hook that signs each request as the party a real client would be: a write of events of
one municipality as that municipality, anything else (reads, mixed batches, procurement,
membership) as the alliance operator (coordinator with every scope). A request that
already carries an ``Authorization`` header is left alone; ``auth=None`` sends none.
"""

from __future__ import annotations

from collections.abc import Generator, Iterable
from pathlib import Path
from typing import Any

import httpx
import orjson

from alliance.settings import Settings
from api.security.local_issuer import LocalIssuer
from schemas.organisations import OrganisationRegistry
from schemas.reference import reference

READ = "alliance:read"
WRITE = "alliance:events.write"
ADMIN = "alliance:admin"
ALL_SCOPES = f"{READ} {WRITE} {ADMIN}"
REGISTRY = OrganisationRegistry()
COORDINATOR_ORG = REGISTRY.first("coordinator").org_number
HOSPITAL_ORG = REGISTRY.first("hospital").org_number


def org_of(municipality: str) -> str:
    """Organisation number of a municipality (34xx or 04xx)."""
    found = REGISTRY.for_municipality(municipality)
    assert found is not None, municipality
    return found.org_number


class PlatformTokens:
    """Mints (and caches) tokens that the platform with ``settings`` accepts."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.issuer = LocalIssuer(Path(settings.data_dir) / "keys").ensure()
        self._cache: dict[tuple[str, str], str] = {}

    def token(self, org_number: str, scopes: str = ALL_SCOPES, **claims: Any) -> str:
        """A token for ``org_number`` (cached when no extra claims are given)."""
        if claims:
            return self.issuer.issue(
                org_number, scopes, self.settings.auth_issuer, self.settings.auth_audience, **claims
            )
        key = (org_number, scopes)
        if key not in self._cache:
            self._cache[key] = self.issuer.issue(
                org_number, scopes, self.settings.auth_issuer, self.settings.auth_audience
            )
        return self._cache[key]

    def headers(self, org_number: str, scopes: str = ALL_SCOPES) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(org_number, scopes)}"}

    def municipality(self, code: str, scopes: str = f"{WRITE} {READ}") -> dict[str, str]:
        return self.headers(org_of(code), scopes)

    def operator(self) -> dict[str, str]:
        return self.headers(COORDINATOR_ORG, ALL_SCOPES)


def single_municipality(items: Iterable[Any]) -> str | None:
    """The one known municipality that all event-like items name, else None."""
    codes = set()
    for item in items:
        if isinstance(item, dict) and isinstance(item.get("municipality"), str):
            codes.add(reference().canonical_code(item["municipality"]))
    codes.discard(None)
    return codes.pop() if len(codes) == 1 else None


class SigningAuth(httpx.Auth):
    """Signs each request as the party that would send it (see the module docstring)."""

    def __init__(self, tokens: PlatformTokens) -> None:
        self.tokens = tokens

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if "authorization" not in request.headers:
            request.headers.update(self._headers(request))
        yield request

    def _headers(self, request: httpx.Request) -> dict[str, str]:
        if request.method == "POST" and request.url.path == "/v1/events":
            try:
                body = orjson.loads(request.content)
            except orjson.JSONDecodeError:
                body = None
            municipality = single_municipality(body if isinstance(body, list) else [body])
            if municipality is not None:
                return self.tokens.municipality(municipality)
        return self.tokens.operator()
