"""The read side of lessons, benefits, peers and diffusion, over the adoption read models.

Every view here derives from the stored facts through the same pure rules as the pilot
view, so both shapes (SQLite or MongoDB underneath) give the same answers. The derived
pilots and the lesson index form a snapshot that is rebuilt only when the store has
changed (and not more often than the view cache allows).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING, Any

from schemas.reference import reference
from services.adoption.documents import fact_of
from services.adoption.pilots import derive_pilot
from services.adoption.records import Fact
from services.adoption.service import CELLS, FACTS
from services.core.errors import NotFound
from services.core.ports import DocumentStore, ViewCache
from services.governance.membership import MembershipService
from services.insights.benefits import BenefitFilter, benefits
from services.insights.diffusion import diffusion
from services.insights.lessons import LESSON_FIELDS, all_lessons
from services.insights.peers import peers
from services.insights.search import LessonFilter, LessonIndex

if TYPE_CHECKING:
    from services.procurement.queries import ProcurementQueries

SNAPSHOT_KEY = ("insights-snapshot",)


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Every registered pilot's derived view, and the lessons index over them."""

    pilots: list[dict[str, Any]]
    index: LessonIndex


def build_snapshot(facts: list[dict[str, Any]]) -> Snapshot:
    """Pilots and lessons from the stored facts (documents of the ``facts`` collection)."""
    grouped: dict[str, dict[str, Fact]] = {}
    for doc in facts:
        fact = fact_of(doc)
        grouped.setdefault(fact.pilot_id, {})[fact.event_id] = fact
    pilots = [derive_pilot(pilot_id, group) for pilot_id, group in sorted(grouped.items())]
    registered = [p for p in pilots if p["registered"]]
    return Snapshot(registered, LessonIndex(all_lessons(registered)))


class InsightQueries:
    """Lessons search, benefit realisation, peer matching and diffusion."""

    def __init__(
        self,
        store: DocumentStore,
        membership: MembershipService,
        cache: ViewCache,
        procurement: ProcurementQueries | None = None,
    ) -> None:
        self.store = store
        self.membership = membership
        self.cache = cache
        self.procurement = procurement
        self.ref = reference()

    def snapshot(self) -> Snapshot:
        return self.cache.get(SNAPSHOT_KEY, lambda: build_snapshot(self.store.find(FACTS)))

    def lessons(
        self, query: str = "", where: LessonFilter | None = None, limit: int = 20, offset: int = 0
    ) -> dict[str, Any]:
        """Ranked lessons matching the words of ``query`` and the filters."""
        if where and where.municipality:
            where = replace(where, municipality=self._municipality(where.municipality))
        result = self.snapshot().index.search(query, where, limit, offset)
        return {
            "query": query,
            "total": result.total,
            "limit": limit,
            "offset": offset,
            "lessons": [
                {
                    **{k: hit.lesson[k] for k in LESSON_FIELDS},
                    "score": hit.score,
                    "matched": hit.matched_words,
                }
                for hit in result.hits
            ],
        }

    def benefits(self, where: BenefitFilter | None = None) -> dict[str, Any]:
        if where and where.municipality:
            where = replace(where, municipality=self._municipality(where.municipality))
        return benefits(self.snapshot().pilots, where)

    def peers(self, municipality: str, technology: str, today: date) -> dict[str, Any]:
        code = self._municipality(municipality)
        self._technology(technology)
        cells = self.store.find(CELLS, {"technology": technology}, exclude=("contributions",))
        if self.procurement is not None:
            extras = self.procurement.cells_index()
            cells = [{**c, **extras.get((c["municipality"], technology), {})} for c in cells]
        snapshot = self.snapshot()
        regions = {m.code: m.region for m in self.ref.municipalities}
        lessons = snapshot.index.lessons
        return peers(
            code, technology, cells, snapshot.pilots, lessons, self.membership.members(), regions, today
        )

    def diffusion(self, technology: str, today: date) -> dict[str, Any]:
        self._technology(technology)
        return diffusion(technology, self.snapshot().pilots, self.membership.members(), today)

    def diffusion_all(self, today: date) -> list[dict[str, Any]]:
        snapshot, members = self.snapshot(), self.membership.members()
        return [diffusion(t.code, snapshot.pilots, members, today) for t in self.ref.technologies]

    def _municipality(self, code: str) -> str:
        municipality = self.ref.municipality(code)
        if municipality is None:
            raise NotFound(f"Unknown municipality {code!r}: use a 34xx (or pre-2020 04xx) number")
        return municipality.code

    def _technology(self, code: str) -> None:
        if self.ref.technology(code) is None:
            known = ", ".join(sorted(self.ref.technology_codes))
            raise NotFound(f"Unknown technology {code!r}; known codes: {known}")
