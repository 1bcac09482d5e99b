"""Reference data shipped with the platform: municipalities, regions, technologies, phases.

The files live in ``schemas/data/reference`` with their sources in ``SOURCES.md``.
Everything here is static; alliance *membership* is run-time data (see
``services.governance.membership``) and only its default comes from here.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).parent / "data" / "reference"

_REGION_SLUGS = {
    "Fjellregionen (Nord-Østerdal)": "fjellregionen",
    "Sør-Østerdal": "sor-osterdal",
    "Kongsvingerregionen (Glåmdal)": "kongsvingerregionen",
    "Hamarregionen": "hamarregionen",
}


@dataclass(frozen=True, slots=True)
class Region:
    code: str
    name: str
    name_en: str


@dataclass(frozen=True, slots=True)
class Municipality:
    code: str
    code_pre2020: str
    name: str
    region: str
    org_number: str
    population_2013: int
    population_2019: int | None


@dataclass(frozen=True, slots=True)
class Technology:
    code: str
    name_nb: str
    name_en: str
    recommended: int


@dataclass(frozen=True, slots=True)
class Phase:
    code: str
    rank: int
    name_nb: str
    name_en: str


@dataclass(frozen=True, slots=True)
class MembershipDefault:
    source: str
    as_of: str
    members: tuple[str, ...]


class Reference:
    """Lookups over the shipped reference data."""

    def __init__(
        self,
        municipalities: list[Municipality],
        regions: list[Region],
        technologies: list[Technology],
        phases: list[Phase],
    ) -> None:
        self.municipalities = municipalities
        self.regions = regions
        self.technologies = technologies
        self.phases = phases
        self._by_code = {m.code: m for m in municipalities}
        self._canonical = {m.code: m.code for m in municipalities} | {
            m.code_pre2020: m.code for m in municipalities
        }
        self._by_org = {m.org_number: m for m in municipalities}
        self.region_codes = frozenset(r.code for r in regions)
        self.technology_codes = frozenset(t.code for t in technologies)
        self.phase_rank = {p.code: p.rank for p in phases}

    def canonical_code(self, code: str) -> str | None:
        """The 34xx code for a 34xx or pre-2020 04xx code, or None when unknown."""
        return self._canonical.get(code.strip())

    def municipality(self, code: str) -> Municipality | None:
        canonical = self.canonical_code(code)
        return self._by_code.get(canonical) if canonical else None

    def municipality_by_org(self, org_number: str) -> Municipality | None:
        return self._by_org.get(org_number)

    def region_of(self, code: str) -> str:
        return self._by_code[code].region

    def technology(self, code: str) -> Technology | None:
        return next((t for t in self.technologies if t.code == code), None)

    def region(self, code: str) -> Region | None:
        return next((r for r in self.regions if r.code == code), None)


def _load_municipalities() -> list[Municipality]:
    with (DATA_DIR / "hedmark_municipalities.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return [
        Municipality(
            code=row["code_innlandet"],
            code_pre2020=row["code_pre2020"],
            name=row["name"],
            region=_REGION_SLUGS[row["region"]],
            org_number=row["org_number"],
            population_2013=int(row["population_2013_01_01"]),
            population_2019=int(row["population_2019_01_01"]) if row["population_2019_01_01"] else None,
        )
        for row in rows
    ]


def _load_regions() -> list[Region]:
    with (DATA_DIR / "regions.csv").open(encoding="utf-8") as handle:
        return [Region(**row) for row in csv.DictReader(handle)]


@cache
def reference() -> Reference:
    """The shipped reference data, loaded once."""
    technologies = json.loads((DATA_DIR / "technologies.json").read_text(encoding="utf-8"))
    phases = json.loads((DATA_DIR / "phases.json").read_text(encoding="utf-8"))
    return Reference(
        municipalities=_load_municipalities(),
        regions=_load_regions(),
        technologies=[Technology(**t) for t in technologies["technologies"]],
        phases=[Phase(**p) for p in phases["phases"]],
    )


def default_membership() -> MembershipDefault:
    """The illustrative default membership (17 municipalities) with its source and date."""
    raw = json.loads((DATA_DIR / "membership.json").read_text(encoding="utf-8"))
    return MembershipDefault(source=raw["source"], as_of=raw["as_of"], members=tuple(raw["members"]))
