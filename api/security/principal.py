"""The caller of a request: organisation, role, scopes, and what that lets it see and write."""

from __future__ import annotations

from dataclasses import dataclass

from services.governance.audit import Actor
from services.governance.suppression import ANONYMOUS as ANONYMOUS_VIEWER
from services.governance.suppression import COORDINATOR as COORDINATOR_VIEWER
from services.governance.suppression import Viewer

SCOPE_READ = "alliance:read"
SCOPE_WRITE = "alliance:events.write"
SCOPE_ADMIN = "alliance:admin"


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


def writer_scope(principal: Principal) -> tuple[str | None, str | None]:
    """(municipality code, organisation number) a write is limited to; (None, None) for operators."""
    if principal.role == "municipality":
        return principal.municipality, principal.org_number
    return None, None
