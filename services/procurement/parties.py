"""Reading organisations out of an OCDS release: buyers, suppliers, org numbers.

Norwegian organisations are identified by their Brønnøysund organisation number,
scheme ``NO-BRC`` on org-id.guide. It may sit in ``identifier``, in
``additionalIdentifiers`` or, following the OCDS party-id convention, in the party
``id`` itself (``NO-BRC-952857991``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from stdnum.no import orgnr

ORG_NUMBER_SCHEME = "NO-BRC"
BUYER_ROLES: frozenset[str] = frozenset({"buyer", "procuringEntity"})


@dataclass(frozen=True)
class Organisation:
    """An organisation as referenced in a release.

    ``org_numbers`` are the valid, normalised (nine digits) NO-BRC numbers found for it.
    """

    party_id: str | None
    name: str | None
    roles: tuple[str, ...]
    org_numbers: tuple[str, ...]

    @property
    def org_number(self) -> str | None:
        """The first valid organisation number, if any."""
        return self.org_numbers[0] if self.org_numbers else None


def normalise_org_number(value: object) -> str | None:
    """Nine-digit organisation number from ``value``, or ``None`` if it is not a valid one.

    Tolerates spaces, dots and the VAT form ``NO 952 857 991 MVA``.
    """
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return None
    text = str(value).upper().strip()
    text = re.sub(r"^NO(?=[\s\d])", "", text)
    text = re.sub(r"MVA$", "", text.strip())
    digits = re.sub(r"[\s.\-]", "", text)
    if len(digits) != 9 or not digits.isdigit():
        return None
    return digits if orgnr.is_valid(digits) else None


def _scheme_is_brc(identifier: Mapping[str, Any]) -> bool:
    scheme = identifier.get("scheme")
    return isinstance(scheme, str) and scheme.strip().upper() == ORG_NUMBER_SCHEME


def org_numbers_of(party: Mapping[str, Any]) -> tuple[str, ...]:
    """All valid NO-BRC organisation numbers of a party or organisation reference."""
    found: list[str] = []
    identifiers: list[Any] = [party.get("identifier")]
    additional = party.get("additionalIdentifiers")
    if isinstance(additional, list):
        identifiers.extend(additional)
    for identifier in identifiers:
        if isinstance(identifier, Mapping) and _scheme_is_brc(identifier):
            number = normalise_org_number(identifier.get("id"))
            if number:
                found.append(number)
    party_id = party.get("id")
    prefix = ORG_NUMBER_SCHEME + "-"
    if isinstance(party_id, str) and party_id.upper().startswith(prefix):
        number = normalise_org_number(party_id[len(prefix) :])
        if number:
            found.append(number)
    return tuple(dict.fromkeys(found))


def _parties_by_id(release: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    parties = release.get("parties")
    out: dict[str, Mapping[str, Any]] = {}
    if isinstance(parties, list):
        for party in parties:
            if isinstance(party, Mapping) and party.get("id") is not None:
                out.setdefault(str(party["id"]), party)
    return out


def _roles(party: Mapping[str, Any]) -> tuple[str, ...]:
    roles = party.get("roles")
    return tuple(r for r in roles if isinstance(r, str)) if isinstance(roles, list) else ()


def _organisation(
    reference: Mapping[str, Any], parties: Mapping[str, Mapping[str, Any]], extra_role: str | None
) -> Organisation:
    party_id = reference.get("id")
    party = parties.get(str(party_id)) if party_id is not None else None
    roles = _roles(party) if party is not None else ()
    if extra_role and extra_role not in roles:
        roles = (*roles, extra_role)
    numbers = org_numbers_of(reference)
    if party is not None:
        numbers = tuple(dict.fromkeys((*org_numbers_of(party), *numbers)))
    name = (party.get("name") if party is not None else None) or reference.get("name")
    return Organisation(
        party_id=str(party_id) if party_id is not None else None,
        name=name if isinstance(name, str) else None,
        roles=roles,
        org_numbers=numbers,
    )


def _collect(
    references: list[tuple[Mapping[str, Any], str | None]],
    parties: Mapping[str, Mapping[str, Any]],
) -> list[Organisation]:
    merged: dict[str, Organisation] = {}
    for reference, role in references:
        org = _organisation(reference, parties, role)
        key = org.party_id or f"name:{org.name}"
        previous = merged.get(key)
        if previous is None:
            merged[key] = org
        else:
            merged[key] = Organisation(
                party_id=previous.party_id,
                name=previous.name or org.name,
                roles=tuple(dict.fromkeys((*previous.roles, *org.roles))),
                org_numbers=tuple(dict.fromkeys((*previous.org_numbers, *org.org_numbers))),
            )
    return list(merged.values())


def buyer_organisations(release: Mapping[str, Any]) -> list[Organisation]:
    """Buyers of a (compiled) release: ``buyer``, ``tender.procuringEntity`` and every
    party with role ``buyer`` or ``procuringEntity``, merged by party id, in that order.
    """
    parties = _parties_by_id(release)
    references: list[tuple[Mapping[str, Any], str | None]] = []
    buyer = release.get("buyer")
    if isinstance(buyer, Mapping):
        references.append((buyer, "buyer"))
    tender = release.get("tender")
    if isinstance(tender, Mapping) and isinstance(tender.get("procuringEntity"), Mapping):
        references.append((tender["procuringEntity"], "procuringEntity"))
    for party in parties.values():
        if BUYER_ROLES.intersection(_roles(party)):
            references.append((party, None))
    return _collect(references, parties)


def supplier_organisations(release: Mapping[str, Any]) -> list[Organisation]:
    """Suppliers named in ``awards[].suppliers`` of awards that were not cancelled or
    unsuccessful, resolved against ``parties`` for names and org numbers."""
    parties = _parties_by_id(release)
    references: list[tuple[Mapping[str, Any], str | None]] = []
    awards = release.get("awards")
    for award in awards if isinstance(awards, list) else []:
        if not isinstance(award, Mapping):
            continue
        if award.get("status") in {"cancelled", "unsuccessful"}:
            continue
        suppliers = award.get("suppliers")
        for supplier in suppliers if isinstance(suppliers, list) else []:
            if isinstance(supplier, Mapping):
                references.append((supplier, "supplier"))
    return _collect(references, parties)
