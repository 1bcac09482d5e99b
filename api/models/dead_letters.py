"""``/v1/dead-letters``: refused messages, and replaying them."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field


class DeadLetterOut(BaseModel):
    """A refused message: reason, field paths and rules (never values), and where it came from."""

    id: str
    event_id: str | None = None
    reason: str
    errors: list[dict[str, str]]
    topic: str
    partition: int
    offset: int
    key: str | None = None
    source: str | None = None
    dead_lettered_at: str


class DeadLettersOut(BaseModel):
    count: int
    items: list[DeadLetterOut]


class ReplayIn(BaseModel):
    ids: list[Annotated[str, Field(max_length=40)]] = Field(min_length=1, max_length=1000)


class ReplayResultOut(BaseModel):
    id: str
    status: str
    event_id: str | None = None


class ReplayOut(BaseModel):
    replayed: int
    results: list[ReplayResultOut]
