"""The dashboard's words in Norwegian (bokmål, the default) and English."""

from __future__ import annotations

from typing import Literal

Language = Literal["nb", "en"]

LABELS: dict[str, dict[Language, str]] = {
    "title": {
        "nb": "Innovasjonsalliansen for velferdsteknologi – Innlandet",
        "en": "Innovation alliance for welfare technology – Innlandet",
    },
    "subtitle": {
        "nb": "Status for velferdsteknologi i medlemskommunene",
        "en": "Welfare technology across the member municipalities",
    },
    "skip": {"nb": "Hopp til innholdet", "en": "Skip to content"},
    "as_of": {"nb": "Sist oppdatert", "en": "Last updated"},
    "no_data": {"nb": "Ingen data ennå", "en": "No data yet"},
    "members": {"nb": "medlemmer", "en": "members"},
    "heatmap": {"nb": "Utbredelse: kommune × teknologi", "en": "Adoption: municipality × technology"},
    "heatmap_caption": {
        "nb": "Fase per medlemskommune og teknologi; tallet er antall prosjekter",
        "en": "Phase per member municipality and technology; the number is the count of pilots",
    },
    "municipality": {"nb": "Kommune", "en": "Municipality"},
    "technology": {"nb": "Teknologi", "en": "Technology"},
    "region": {"nb": "Region", "en": "Region"},
    "all": {"nb": "Alle", "en": "All"},
    "pilots": {"nb": "prosjekter", "en": "pilots"},
    "regions": {"nb": "Regionene", "en": "The regions"},
    "in_operation": {"nb": "i drift", "en": "in operation"},
    "technologies_with_data": {"nb": "teknologier med aktivitet", "en": "technologies with activity"},
    "diffusion": {"nb": "Spredning over tid", "en": "Diffusion over time"},
    "diffusion_intro": {
        "nb": "Antall medlemmer som har nådd hver fase, per kvartal siden 2017",
        "en": "Members that had reached each phase, per quarter since 2017",
    },
    "diffusion_desc": {
        "nb": "Ved utgangen av {quarter}: {counts} av {members} medlemmer.",
        "en": "At the end of {quarter}: {counts} of {members} members.",
    },
    "figures": {"nb": "Tallene", "en": "The figures"},
    "quarter": {"nb": "Kvartal", "en": "Quarter"},
    "benefits": {"nb": "Gevinster", "en": "Benefits"},
    "benefits_intro": {
        "nb": "Sum av siste korrigerte rapport per måned",
        "en": "Sum of the latest corrected report per month",
    },
    "benefits_caption": {
        "nb": "Gevinster per teknologi og per region",
        "en": "Benefits per technology and per region",
    },
    "hours_saved": {"nb": "Timer spart", "en": "Hours saved"},
    "avoided_visits": {"nb": "Unngåtte besøk", "en": "Avoided visits"},
    "cost_nok": {"nb": "Kostnad (kr)", "en": "Cost (NOK)"},
    "alliance": {"nb": "Alliansen", "en": "The alliance"},
    "lessons": {"nb": "Erfaringer", "en": "Lessons"},
    "search": {"nb": "Søk", "en": "Search"},
    "search_words": {"nb": "Søkeord (norsk eller engelsk)", "en": "Search words (Norwegian or English)"},
    "results": {"nb": "treff", "en": "results"},
    "latest_lessons": {"nb": "Siste erfaringer", "en": "Latest lessons"},
    "phase_at_time": {"nb": "fase da", "en": "phase then"},
    "no_lessons": {"nb": "Ingen erfaringer funnet.", "en": "No lessons found."},
    "radar": {"nb": "Fornyelsesradar", "en": "Renewal radar"},
    "radar_intro": {
        "nb": "Kontrakter som løper ut de neste {months} månedene",
        "en": "Contracts ending within the next {months} months",
    },
    "contract": {"nb": "Anskaffelse", "en": "Procurement"},
    "suppliers": {"nb": "Leverandører", "en": "Suppliers"},
    "ends": {"nb": "Utløper", "en": "Ends"},
    "days_left": {"nb": "Dager igjen", "en": "Days left"},
    "no_contracts": {"nb": "Ingen kontrakter løper ut i perioden.", "en": "No contracts end in this period."},
    "api": {"nb": "API", "en": "API"},
    "csv": {"nb": "Last ned CSV", "en": "Download CSV"},
    "language": {"nb": "English", "en": "Norsk"},
}


def translator(language: Language) -> dict[str, str]:
    """All labels in one language."""
    return {key: words[language] for key, words in LABELS.items()}
