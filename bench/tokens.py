"""Bearer tokens for the benchmarks: the alliance operator, signed by the server's local issuer."""

from __future__ import annotations

from pathlib import Path

from alliance.settings import Settings
from api.security.local_issuer import local_issuer
from schemas.organisations import OrganisationRegistry

OPERATOR_SCOPES = "alliance:read alliance:events.write alliance:admin"


def operator_headers(data_dir: Path) -> dict[str, str]:
    """``Authorization`` for the coordinator organisation with every scope (mixed-municipality batches)."""
    settings = Settings(data_dir=data_dir)
    org = OrganisationRegistry(settings.coordinator_orgs).first("coordinator").org_number
    token = local_issuer(data_dir).issue(
        org, OPERATOR_SCOPES, settings.auth_issuer, settings.auth_audience, lifetime_seconds=86_400
    )
    return {"Authorization": f"Bearer {token}"}
