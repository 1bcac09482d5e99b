"""Query parameters and headers that several routes take, declared once."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Header, Query

RegionCode = Literal["fjellregionen", "sor-osterdal", "kongsvingerregionen", "hamarregionen"]
Format = Annotated[Literal["json", "csv"] | None, Query(description="Overrides Accept")]
AcceptHeader = Annotated[str | None, Header()]
MunicipalityNumber = Annotated[str | None, Query(pattern=r"^\d{4}$")]
