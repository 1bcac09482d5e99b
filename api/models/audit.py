"""``/v1/audit``: the entries of the append-only log of writes."""

from __future__ import annotations

from pydantic import BaseModel


class AuditItemOut(BaseModel):
    id: str | None = None
    outcome: str
    rules: list[str] | None = None


class AuditEntryOut(BaseModel):
    id: str
    at: str
    org_number: str | None
    role: str
    client_id: str | None = None
    token_id: str | None = None
    action: str
    status: int
    result: str
    counts: dict[str, int]
    items: list[AuditItemOut]
    reason: str | None = None
