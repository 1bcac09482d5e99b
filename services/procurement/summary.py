"""Read-model summaries of compiled releases, and the renewal-radar test.

Status vocabulary (derived, most advanced stage wins):

``planning``       only planning information, or tender status planning/planned
``tender``         a tender is open or complete, with no award yet
``award``          an award is active or pending, with no contract yet
``contract``       a contract is pending or active, no implementation data yet
``implementation`` an active contract with transactions or milestones
``terminated``     every contract has ended (OCDS "terminated" covers both natural
                   completion and early termination), none merely cancelled
``cancelled``      the tender was cancelled/withdrawn, or every award/contract cancelled
``unsuccessful``   the tender or every award was unsuccessful
``unknown``        nothing to go on
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from .parties import Organisation, buyer_organisations, supplier_organisations
from .validation import parse_date_time

Status = Literal[
    "planning",
    "tender",
    "award",
    "contract",
    "implementation",
    "terminated",
    "cancelled",
    "unsuccessful",
    "unknown",
]

PREFERRED_CURRENCY = "NOK"
_LIVE_CONTRACT_STATUSES = frozenset({None, "pending", "active"})


@dataclass(frozen=True)
class OrganisationSummary:
    """A buyer or supplier as shown in read models."""

    id: str | None
    name: str | None
    org_number: str | None


@dataclass(frozen=True)
class ContractPeriod:
    """Period and status of one contract; dates are the release's date-time strings."""

    contract_id: str | None
    status: str | None
    start_date: str | None
    end_date: str | None


@dataclass(frozen=True)
class Money:
    """A total value; ``source`` says whether contracts or awards were summed.

    ``amount`` is an int when the total is whole, otherwise a float.
    """

    amount: int | float
    currency: str
    source: Literal["contracts", "awards"]


@dataclass(frozen=True)
class ProcurementSummary:
    """What read models need to show and filter one contracting process."""

    ocid: str | None
    title: str | None
    status: Status
    buyers: tuple[OrganisationSummary, ...]
    suppliers: tuple[OrganisationSummary, ...]
    contract_periods: tuple[ContractPeriod, ...]
    total_value: Money | None
    last_updated: str | None

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form for JSON documents."""
        return asdict(self)


def _as_list(value: Any) -> list[Any]:
    return [v for v in value if isinstance(v, Mapping)] if isinstance(value, list) else []


def _org(org: Organisation) -> OrganisationSummary:
    return OrganisationSummary(id=org.party_id, name=org.name, org_number=org.org_number)


def derive_status(release: Mapping[str, Any]) -> Status:
    """The stage a compiled release has reached (vocabulary in the module docstring)."""
    contracts = _as_list(release.get("contracts"))
    if contracts:
        statuses = [c.get("status") for c in contracts]
        live = [c for c in contracts if c.get("status") in _LIVE_CONTRACT_STATUSES]
        if live:
            implemented = any(
                isinstance(c.get("implementation"), Mapping)
                and (c["implementation"].get("transactions") or c["implementation"].get("milestones"))
                for c in live
                if c.get("status") == "active"
            )
            return "implementation" if implemented else "contract"
        return "terminated" if "terminated" in statuses else "cancelled"

    tender = release.get("tender")
    tender_status = tender.get("status") if isinstance(tender, Mapping) else None
    if tender_status in {"cancelled", "withdrawn"}:
        return "cancelled"

    awards = _as_list(release.get("awards"))
    if awards:
        award_statuses = {a.get("status") for a in awards}
        if award_statuses & {"active", "pending", None}:
            return "award"
        if award_statuses == {"cancelled"}:
            return "cancelled"
        return "unsuccessful"

    if tender_status == "unsuccessful":
        return "unsuccessful"
    if tender_status in {"planning", "planned"}:
        return "planning"
    if isinstance(tender, Mapping) and (tender_status or len(set(tender) - {"id"}) > 0):
        return "tender"
    if isinstance(release.get("planning"), Mapping):
        return "planning"
    return "unknown"


def _sum_values(blocks: list[Mapping[str, Any]]) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = {}
    for block in blocks:
        value = block.get("value")
        if not isinstance(value, Mapping):
            continue
        amount, currency = value.get("amount"), value.get("currency")
        if isinstance(amount, bool) or not isinstance(amount, (int, float)):
            continue
        if not isinstance(currency, str) or not currency:
            continue
        try:
            totals[currency] = totals.get(currency, Decimal(0)) + Decimal(str(amount))
        except InvalidOperation:
            continue
    return totals


def _pick(totals: dict[str, Decimal], source: Literal["contracts", "awards"]) -> Money | None:
    if not totals:
        return None
    # NOK when present; otherwise a stable choice rather than dict order.
    currency = PREFERRED_CURRENCY if PREFERRED_CURRENCY in totals else min(totals)
    total = totals[currency]
    amount: int | float = int(total) if total == total.to_integral_value() else float(total)
    return Money(amount=amount, currency=currency, source=source)


def total_value(release: Mapping[str, Any]) -> Money | None:
    """Sum of contract values (cancelled contracts excluded), in NOK when any are NOK.

    Falls back to award values (cancelled/unsuccessful awards excluded) when no
    contract has a value. Amounts in other currencies are not converted or mixed in.
    """
    contracts = [c for c in _as_list(release.get("contracts")) if c.get("status") != "cancelled"]
    money = _pick(_sum_values(contracts), "contracts")
    if money is not None:
        return money
    awards = [
        a for a in _as_list(release.get("awards")) if a.get("status") not in {"cancelled", "unsuccessful"}
    ]
    return _pick(_sum_values(awards), "awards")


def contract_periods(release: Mapping[str, Any]) -> tuple[ContractPeriod, ...]:
    """Period and status of every contract, in release order."""
    periods = []
    for contract in _as_list(release.get("contracts")):
        period = contract.get("period") if isinstance(contract.get("period"), Mapping) else {}
        contract_id = contract.get("id")
        periods.append(
            ContractPeriod(
                contract_id=str(contract_id) if contract_id is not None else None,
                status=contract.get("status"),
                start_date=period.get("startDate"),
                end_date=period.get("endDate"),
            )
        )
    return tuple(periods)


def summarise(release: Mapping[str, Any]) -> ProcurementSummary:
    """Summary of a compiled release for read models."""
    tender = release.get("tender") if isinstance(release.get("tender"), Mapping) else {}
    title = tender.get("title")
    if not title:
        titles = [c.get("title") for c in _as_list(release.get("contracts")) if c.get("title")]
        titles += [a.get("title") for a in _as_list(release.get("awards")) if a.get("title")]
        title = titles[0] if titles else None
    return ProcurementSummary(
        ocid=release.get("ocid"),
        title=title,
        status=derive_status(release),
        buyers=tuple(_org(o) for o in buyer_organisations(release)),
        suppliers=tuple(_org(o) for o in supplier_organisations(release)),
        contract_periods=contract_periods(release),
        total_value=total_value(release),
        last_updated=release.get("date"),
    )


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months, clamped to the end of shorter months."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def ending_within(summary: ProcurementSummary, today: date, months: int) -> bool:
    """True when a live contract (pending, active or without status) ends between
    ``today`` and ``today`` + ``months`` months, both inclusive.

    Terminated and cancelled contracts are ignored: there is nothing left to renew.
    End dates are compared on their calendar date in their own time zone.
    """
    if months < 0:
        raise ValueError("months must not be negative")
    horizon = add_months(today, months)
    for period in summary.contract_periods:
        if period.status not in _LIVE_CONTRACT_STATUSES or not period.end_date:
            continue
        end = parse_date_time(period.end_date)
        if end is not None and today <= end.date() <= horizon:
            return True
    return False
