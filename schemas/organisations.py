"""Who an organisation number is: a member municipality, the coordinator or the hospital trust.

Tokens name the client organisation (Maskinporten ``consumer.ID`` ``0192:<org number>``);
this module maps that number to a role. Municipalities come from the municipality
reference file, the others from ``organisations.csv`` (sources in ``SOURCES.md``).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Literal

from schemas.reference import DATA_DIR, reference

Role = Literal["municipality", "coordinator", "hospital"]
ROLES: tuple[Role, ...] = ("municipality", "coordinator", "hospital")


@dataclass(frozen=True, slots=True)
class Organisation:
    """A party of the alliance: its organisation number, name, role and municipality code if any."""

    org_number: str
    name: str
    role: Role
    municipality: str | None = None


@cache
def _shipped() -> dict[str, Organisation]:
    known = {
        m.org_number: Organisation(m.org_number, m.name, "municipality", m.code)
        for m in reference().municipalities
    }
    with (DATA_DIR / "organisations.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            known[row["org_number"]] = Organisation(row["org_number"], row["name"], row["role"])  # type: ignore[arg-type]
    return known


class OrganisationRegistry:
    """Organisation number → :class:`Organisation`, plus coordinators added by configuration."""

    def __init__(self, extra_coordinators: Iterable[str] = ()) -> None:
        self._known = dict(_shipped())
        for number in extra_coordinators:
            self._known[number] = Organisation(number, f"Coordinator {number}", "coordinator")

    def get(self, org_number: str) -> Organisation | None:
        """The organisation with this number, or None when it is no party of the alliance."""
        return self._known.get(org_number)

    def for_municipality(self, code: str) -> Organisation | None:
        """The organisation of a municipality (34xx or pre-2020 04xx code)."""
        municipality = reference().municipality(code)
        return self._known.get(municipality.org_number) if municipality else None

    def first(self, role: Role) -> Organisation:
        """An organisation with this role (development tokens and tests)."""
        return next(o for o in self._known.values() if o.role == role)
