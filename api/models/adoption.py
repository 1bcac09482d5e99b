"""``/v1/adoption``: one cell per municipality × technology, with the contracts behind it."""

from __future__ import annotations

from pydantic import BaseModel, Field

from api.models.indicators import AlarmMonthOut
from api.models.procurement import CellSupplierOut


class PilotFiguresOut(BaseModel):
    """The figures of a pilot, or summed over the pilots of a cell, small counts suppressed."""

    users_active: int | None = Field(description="null when suppressed (1–4, see `suppressed`)")
    devices_deployed: int | None = Field(description="null when suppressed (1–4, see `suppressed`)")
    hours_saved: float
    avoided_visits: int
    cost_nok: float
    updated_at: str
    suppressed: list[str] | None = Field(
        None, description="Small counts (1–4) hidden from this caller; absent when none"
    )


class CellOut(PilotFiguresOut):
    municipality: str
    technology: str
    phase: str
    phase_since: str | None
    pilots: int
    alarms: AlarmMonthOut | None = Field(None, description="Latest reported alarm month, if any")


class ProcurementCellOut(CellOut):
    suppliers: list[CellSupplierOut] = Field(default_factory=list)
    contract_value_nok: int | float = Field(
        0, description="NOK value of the municipality's procurements here"
    )


class AdoptionWithContractsOut(BaseModel):
    """``GET /v1/adoption``: the cells with the contracts behind them, where known."""

    as_of: str | None = Field(description="occurred_at of the newest fact in these cells")
    cells: list[ProcurementCellOut]
