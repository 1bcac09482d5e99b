"""Suppliers across contracting processes: a stable id, and each one's share of a process.

A supplier is identified across processes by its organisation number
(``NO-BRC-923456708``) when it has one, else by its party identifier
(``scheme-id``, the OCDS organisation-id convention), else by its party ``id``.
Its share of a process is the value of the live contracts of the awards naming it
(the award value when those contracts carry none), in NOK only: other currencies are
neither converted nor mixed in. A consortium award counts in full for every member.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from .parties import ORG_NUMBER_SCHEME, org_numbers_of

NOK = "NOK"
_DEAD = frozenset({"cancelled", "unsuccessful"})


@dataclass(frozen=True)
class SupplierShare:
    """One supplier of one process, with its NOK share (``None`` when nothing is in NOK)."""

    id: str
    name: str | None
    org_number: str | None
    value_nok: int | float | None


def _mappings(value: Any) -> list[Mapping[str, Any]]:
    return [v for v in value if isinstance(v, Mapping)] if isinstance(value, list) else []


def _number(amount: Decimal) -> int | float:
    return int(amount) if amount == amount.to_integral_value() else float(amount)


def _nok(block: Mapping[str, Any]) -> Decimal | None:
    value = block.get("value")
    if not isinstance(value, Mapping) or value.get("currency") != NOK:
        return None
    amount = value.get("amount")
    if isinstance(amount, bool) or not isinstance(amount, (int, float)):
        return None
    try:
        return Decimal(str(amount))
    except InvalidOperation:
        return None


def supplier_key(reference: Mapping[str, Any], party: Mapping[str, Any] | None) -> str | None:
    """The cross-process id of a supplier reference (resolved against its party, if any)."""
    numbers = (*org_numbers_of(party or {}), *org_numbers_of(reference))
    if numbers:
        return f"{ORG_NUMBER_SCHEME}-{numbers[0]}"
    for source in (party or {}, reference):
        identifier = source.get("identifier")
        if isinstance(identifier, Mapping):
            scheme, local = identifier.get("scheme"), identifier.get("id")
            if isinstance(scheme, str) and scheme and isinstance(local, (str, int)) and str(local):
                return f"{scheme}-{local}"
    party_id = reference.get("id")
    return str(party_id) if party_id is not None and str(party_id) else None


def _award_value(award: Mapping[str, Any], contracts: list[Mapping[str, Any]]) -> Decimal | None:
    live = [c for c in contracts if c.get("awardID") == award.get("id") and c.get("status") != "cancelled"]
    values = [v for v in (_nok(c) for c in live) if v is not None]
    if values:
        return sum(values, Decimal(0))
    return _nok(award)


def supplier_shares(release: Mapping[str, Any]) -> list[SupplierShare]:
    """Suppliers of a compiled release (awards not cancelled or unsuccessful), sorted by id."""
    parties = {str(p["id"]): p for p in _mappings(release.get("parties")) if p.get("id") is not None}
    contracts = _mappings(release.get("contracts"))
    found: dict[str, tuple[str | None, str | None, Decimal | None]] = {}
    for award in _mappings(release.get("awards")):
        if award.get("status") in _DEAD:
            continue
        value = _award_value(award, contracts)
        for reference in _mappings(award.get("suppliers")):
            party = parties.get(str(reference.get("id")))
            key = supplier_key(reference, party)
            if key is None:
                continue
            name = (party or {}).get("name") or reference.get("name")
            numbers = (*org_numbers_of(party or {}), *org_numbers_of(reference))
            previous = found.get(key, (None, None, None))
            total = previous[2] if value is None else (previous[2] or Decimal(0)) + value
            found[key] = (
                previous[0] or (name if isinstance(name, str) else None),
                previous[1] or (numbers[0] if numbers else None),
                total,
            )
    return [
        SupplierShare(key, name, org, None if value is None else _number(value))
        for key, (name, org, value) in sorted(found.items())
    ]


def supplier_document(supplier_id: str, links: Iterable[Mapping[str, Any]]) -> dict[str, Any] | None:
    """The ``suppliers`` read model of one supplier from its ``supplier`` links (``None``: none left)."""
    mine = sorted((link for link in links if link.get("value") == supplier_id), key=lambda link: link["ocid"])
    if not mine:
        return None
    # The name used in the most recent process; ties broken by the name itself.
    latest = max(mine, key=lambda link: (link.get("last_updated_at") or "", link.get("name") or ""))
    values = [Decimal(str(link["value_nok"])) for link in mine if link.get("value_nok") is not None]
    return {
        "_id": supplier_id,
        "id": supplier_id,
        "name": latest.get("name"),
        "org_number": next((link["org_number"] for link in mine if link.get("org_number")), None),
        "ocids": [link["ocid"] for link in mine],
        "processes": len(mine),
        "municipalities": sorted({m for link in mine for m in link.get("municipalities", [])}),
        "technologies": sorted({t for link in mine for t in link.get("technologies", [])}),
        "total_value_nok": _number(sum(values, Decimal(0))) if values else None,
    }
