"""``/v1/membership``: which municipalities are members, since when, and on whose word."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field


class MembershipOut(BaseModel):
    members: list[str]
    source: str
    as_of: str
    default: bool


class MembershipIn(BaseModel):
    members: list[str] = Field(max_length=100, description="Municipality numbers (34xx or 04xx)")
    source: str = Field(min_length=1, max_length=1000, description="Where the list comes from")
    as_of: date = Field(description="Since when the list holds")
