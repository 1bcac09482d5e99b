"""``/v1/events``: what became of a submitted event, alone or in a batch."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from api.models.common import FieldErrorOut


class EventAcceptedOut(BaseModel):
    event_id: str
    status: Literal["accepted", "duplicate"]


class EventRefusedOut(BaseModel):
    event_id: str | None = None
    status: Literal["refused", "conflict"]
    detail: str
    errors: list[FieldErrorOut]


class BatchItemOut(BaseModel):
    index: int
    event_id: str | None = None
    status: Literal["accepted", "duplicate", "refused", "conflict"]
    errors: list[FieldErrorOut] | None = None


class BatchOut(BaseModel):
    results: list[BatchItemOut]
    accepted: int
    duplicate: int
    refused: int
    conflict: int


class EventStatusOut(BaseModel):
    event_id: str
    status: Literal["accepted", "processed", "rejected"]
    reason: str | None = None
    detail: str | None = None
    errors: list[FieldErrorOut] | None = None
