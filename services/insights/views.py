"""The read side: views for the API and the dashboard, straight from the read-model store."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from schemas.reference import reference
from services.adoption.documents import fact_of
from services.adoption.pilots import derive_pilot, fact_status
from services.adoption.service import CELLS, FACTS, PILOTS, REJECTIONS
from services.core.errors import NotFound
from services.core.ports import DocumentStore
from services.governance.membership import MembershipService
from services.intake.events import PUBLISHED_EVENT_IDS

if TYPE_CHECKING:
    from services.indicators.queries import IndicatorQueries
    from services.procurement.queries import ProcurementQueries

CELL_FIELDS = (
    "municipality",
    "technology",
    "phase",
    "phase_since",
    "pilots",
    "users_active",
    "devices_deployed",
    "hours_saved",
    "avoided_visits",
    "cost_nok",
    "updated_at",
)
PILOT_SUMMARY_FIELDS = ("pilot_id", "technology", "title", "phase", "phase_since", "started_on")


_NO_CONTRACTS: dict[str, Any] = {"suppliers": [], "contract_value_nok": 0}


def _cell(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: doc[k] for k in CELL_FIELDS}


def _public_pilot(pilot_id: str, facts: list[dict[str, Any]]) -> dict[str, Any]:
    view = derive_pilot(pilot_id, {f.event_id: f for f in map(fact_of, facts)})
    return {k: v for k, v in view.items() if k not in ("statuses", "registered", "units")}


class Queries:
    """Read-only views over the store."""

    def __init__(
        self,
        store: DocumentStore,
        membership: MembershipService,
        procurement: ProcurementQueries | None = None,
        *,
        indicators: IndicatorQueries | None = None,
    ) -> None:
        self.store = store
        self.membership = membership
        self.ref = reference()
        self.procurement = procurement
        self.indicators = indicators

    def adoption(
        self, region: str | None = None, technology: str | None = None, phase: str | None = None
    ) -> dict[str, Any]:
        """Adoption cells (municipality × technology), filtered; ``as_of`` is the newest fact."""
        where: dict[str, Any] = {}
        if region:
            where["region"] = region
        if technology:
            where["technology"] = technology
        if phase:
            where["phase"] = phase
        docs = self.store.find(CELLS, where or None, exclude=("contributions",))
        cells = [_cell(d) for d in docs]
        if self.procurement is not None:
            extras = self.procurement.cells_index()
            for cell in cells:
                cell.update(extras.get((cell["municipality"], cell["technology"]), _NO_CONTRACTS))
        self._add_cell_alarms(cells)
        return {"as_of": max((c["updated_at"] for c in cells), default=None), "cells": cells}

    def municipalities(self) -> list[dict[str, Any]]:
        members = self.membership.members()
        counts = Counter(d["municipality"] for d in self.store.find(CELLS, exclude=("contributions",)))
        return [
            {
                "code": m.code,
                "code_pre2020": m.code_pre2020,
                "name": m.name,
                "region": m.region,
                "org_number": m.org_number,
                "population_2013": m.population_2013,
                "member": m.code in members,
                "technologies": counts.get(m.code, 0),
            }
            for m in self.ref.municipalities
        ]

    def municipality(self, code: str) -> dict[str, Any]:
        municipality = self.ref.municipality(code)
        if municipality is None:
            raise NotFound(f"Unknown municipality {code!r}: use a 34xx (or pre-2020 04xx) number")
        cells = self.store.find(CELLS, {"municipality": municipality.code}, exclude=("contributions",))
        pilots = self.store.find(PILOTS, {"municipality": municipality.code}, sort="pilot_id")
        profile = {
            "code": municipality.code,
            "code_pre2020": municipality.code_pre2020,
            "name": municipality.name,
            "region": municipality.region,
            "org_number": municipality.org_number,
            "population_2013": municipality.population_2013,
            "population_2019": municipality.population_2019,
            "member": municipality.code in self.membership.members(),
            "cells": [_cell(c) for c in cells],
            "pilots": [{k: p.get(k) for k in PILOT_SUMMARY_FIELDS} for p in pilots],
        }
        if self.procurement is not None:
            self._add_procurement(profile)
        if self.indicators is not None:
            self._add_cell_alarms(profile["cells"], municipality.code)
            profile["alarms"] = self.indicators.municipality_alarms(municipality.code)
        return profile

    def _add_cell_alarms(self, cells: list[dict[str, Any]], municipality: str | None = None) -> None:
        """Each cell's latest reported alarm month, where the municipality reports one."""
        if self.indicators is None:
            return
        figures = self.indicators.cell_alarms(municipality)
        for cell in cells:
            latest = figures.get((cell["municipality"], cell["technology"]))
            if latest:
                cell["alarms"] = latest

    def _add_procurement(self, profile: dict[str, Any]) -> None:
        """Each cell's suppliers and contract value, and the municipality's procurements."""
        assert self.procurement is not None
        extras = self.procurement.cells_for_municipality(profile["code"])
        for cell in profile["cells"]:
            cell.update(extras.get(cell["technology"], {"suppliers": [], "contract_value_nok": 0}))
        profile["procurements"] = self.procurement.for_municipality(profile["code"])

    def technologies(self) -> list[dict[str, Any]]:
        counts = Counter(d["technology"] for d in self.store.find(CELLS, exclude=("contributions",)))
        return [
            {
                "code": t.code,
                "name_nb": t.name_nb,
                "name_en": t.name_en,
                "recommended": t.recommended,
                "municipalities": counts.get(t.code, 0),
            }
            for t in self.ref.technologies
        ]

    def technology(self, code: str) -> dict[str, Any]:
        technology = self.ref.technology(code)
        if technology is None:
            known = ", ".join(sorted(self.ref.technology_codes))
            raise NotFound(f"Unknown technology {code!r}; known codes: {known}")
        members = self.membership.members()
        cells = self.store.find(CELLS, {"technology": code}, exclude=("contributions",))
        per_phase = Counter(c["phase"] for c in cells)
        adopting = {c["municipality"] for c in cells if c["phase"] in ("implementing", "operation")}
        return {
            "code": technology.code,
            "name_nb": technology.name_nb,
            "name_en": technology.name_en,
            "recommended": technology.recommended,
            "phases": {p.code: per_phase.get(p.code, 0) for p in self.ref.phases},
            "members": len(members),
            "members_adopting": len(adopting & members),
            "adoption_rate": round(len(adopting & members) / len(members), 4) if members else 0.0,
            "alarms": self.indicators.technology_alarms(code) if self.indicators else None,
            "municipalities": [
                {
                    "municipality": c["municipality"],
                    "phase": c["phase"],
                    "pilots": c["pilots"],
                    "member": c["municipality"] in members,
                }
                for c in cells
            ],
        }

    def cell_pilots(self, municipality: str, technology: str) -> list[dict[str, Any]]:
        """The registered pilots of one cell with their current counts (small-count suppression)."""
        docs = self.store.find(PILOTS, {"municipality": municipality, "technology": technology})
        return [
            {
                "pilot_id": d["pilot_id"],
                "users_active": d["users_active"],
                "devices_deployed": d["devices_deployed"],
            }
            for d in docs
            if d.get("registered")
        ]

    def pilot(self, pilot_id: str) -> dict[str, Any]:
        doc = self.store.get(PILOTS, pilot_id)
        if doc is None or not doc.get("registered"):
            raise NotFound(f"Unknown pilot {pilot_id!r}")
        return _public_pilot(pilot_id, self.store.find(FACTS, {"pilot_id": pilot_id}))

    def event_status(self, event_id: str) -> dict[str, Any]:
        """accepted (in the log, or waiting for its pilot's registration), processed, or rejected."""
        fact = self.store.get(FACTS, event_id)
        if fact is not None:
            state = self.store.get(PILOTS, fact["pilot_id"]) or {}
            status, reason = fact_status(fact_of(fact), state.get("owner"))
            body: dict[str, Any] = {"event_id": event_id, "status": status}
            if reason:
                body["reason"] = reason
            if state.get("owner") is None:
                body["detail"] = "waiting for the pilot's pilot.registered event"
            return body
        indicator = self.indicators.event_status(event_id) if self.indicators else None
        if indicator is not None:
            return indicator
        rejection = self.store.get(REJECTIONS, event_id)
        if rejection is not None:
            return {
                "event_id": event_id,
                "status": "rejected",
                "reason": rejection["reason"],
                "errors": rejection.get("errors", []),
            }
        if self.store.get(PUBLISHED_EVENT_IDS, event_id) is not None:
            return {"event_id": event_id, "status": "accepted"}
        raise NotFound(f"Unknown event {event_id!r}")
