"""The shapes every part of the API shares: refusals and health answers."""

from __future__ import annotations

from pydantic import BaseModel, Field


class FieldErrorOut(BaseModel):
    field: str = Field(description="Path of the refused field, e.g. payload.title")
    rule: str = Field(description="Machine-readable rule, e.g. string_too_long, identity_number")
    message: str


class ErrorOut(BaseModel):
    detail: str
    errors: list[FieldErrorOut] | None = None


class HealthOut(BaseModel):
    status: str
    detail: str | None = None
