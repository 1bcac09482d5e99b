"""What the dashboard shows, assembled from the platform's views (no HTML here)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlencode

from api.dashboard.charts import diffusion_chart
from api.dashboard.indicators import indicator_context
from api.dashboard.labels import Language, translator
from api.platform import ApiPlatform
from schemas.reference import reference
from services.insights.search import LessonFilter

RADAR_MONTHS = 12
LESSONS_SHOWN = 10


@dataclass(frozen=True, slots=True)
class SearchForm:
    q: str = ""
    technology: str | None = None
    region: str | None = None

    def api_url(self, limit: int = LESSONS_SHOWN) -> str:
        params = {"q": self.q, "technology": self.technology, "region": self.region, "limit": limit}
        return "/v1/lessons?" + urlencode({k: v for k, v in params.items() if v})


@dataclass(slots=True)
class HeatCell:
    technology: str
    phase: str | None = None
    pilots: int = 0
    label: str = ""


@dataclass(slots=True)
class HeatRow:
    code: str
    name: str
    cells: list[HeatCell] = field(default_factory=list)


@dataclass(slots=True)
class RegionGroup:
    code: str
    name: str
    rows: list[HeatRow]
    in_operation: int
    with_data: int


def format_number(value: float | int, language: Language) -> str:
    """Thousands grouped, as each language writes them (nb: 12 345,5; en: 12,345.5)."""
    fraction = isinstance(value, float) and not value.is_integer()
    text = f"{value:,.1f}" if fraction else f"{int(value):,}"
    if language == "nb":
        text = text.replace(",", "\u00a0").replace(".", ",")
    return text


def build_page(platform: ApiPlatform, language: Language, form: SearchForm, today: date) -> dict[str, Any]:
    """The template context of the dashboard."""
    ref = reference()
    words = translator(language)
    phase_names = {p.code: (p.name_nb if language == "nb" else p.name_en) for p in ref.phases}
    technology_names = {t.code: (t.name_nb if language == "nb" else t.name_en) for t in ref.technologies}
    region_names = {r.code: (r.name if language == "nb" else r.name_en) for r in ref.regions}
    municipality_names = {m.code: m.name for m in ref.municipalities}
    members = platform.membership.members()

    adoption = platform.queries.adoption()
    cells = {(c["municipality"], c["technology"]): c for c in adoption["cells"]}
    groups = []
    for region in ref.regions:
        codes = sorted((m for m in members if ref.region_of(m) == region.code), key=municipality_names.get)
        rows = []
        for code in codes:
            row = HeatRow(code, municipality_names[code])
            for technology in ref.technologies:
                cell = cells.get((code, technology.code))
                if cell is None:
                    row.cells.append(HeatCell(technology.code))
                else:
                    row.cells.append(
                        HeatCell(technology.code, cell["phase"], cell["pilots"], phase_names[cell["phase"]])
                    )
            rows.append(row)
        member_cells = [c for (m, _t), c in cells.items() if m in codes]
        groups.append(
            RegionGroup(
                region.code,
                region_names[region.code],
                rows,
                in_operation=sum(1 for c in member_cells if c["phase"] == "operation"),
                with_data=len(member_cells),
            )
        )

    diffusion = [
        (view, diffusion_chart(view)) for view in platform.insights.diffusion_all(today) if view["quarters"]
    ]
    benefits = platform.insights.benefits()
    where = LessonFilter(technology=form.technology, region=form.region)
    lessons = platform.insights.lessons(form.q, where, LESSONS_SHOWN)
    radar = platform.procurement_queries.radar(today, RADAR_MONTHS)
    return {
        "lang": language,
        "other_lang": "en" if language == "nb" else "nb",
        "t": words,
        # The ladder in order, then discontinued (which ranks lowest but reads best last).
        "phases": [(p.code, phase_names[p.code]) for p in sorted(ref.phases, key=lambda p: p.rank or 99)],
        "technologies": [(t.code, technology_names[t.code]) for t in ref.technologies],
        "phase_names": phase_names,
        "technology_names": technology_names,
        "region_names": region_names,
        "municipality_names": municipality_names,
        "members": len(members),
        "as_of": adoption["as_of"],
        "groups": groups,
        "cells_with_data": sum(len([c for c in r.cells if c.phase]) for g in groups for r in g.rows),
        "diffusion": diffusion,
        "diffusion_description": lambda view: _diffusion_description(view, words, phase_names),
        "benefits": benefits,
        "lessons": lessons,
        "form": form,
        "lessons_api": form.api_url(),
        "radar": radar,
        "radar_months": RADAR_MONTHS,
        "number": lambda value: format_number(value, language),
        **indicator_context(platform, language),
    }


def _diffusion_description(view: dict[str, Any], words: dict[str, str], phase_names: dict[str, str]) -> str:
    last = view["quarters"][-1]
    counts = ", ".join(f"{phase_names[p].lower()} {last[p]}" for p in view["phases"])
    return words["diffusion_desc"].format(quarter=last["quarter"], counts=counts, members=view["members"])
