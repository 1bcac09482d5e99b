"""The dashboard's alarm-reception and competence sections: region and alliance figures only.

Per-municipality figures stay in the API (``/v1/alarms``, ``/v1/competence``), where
small-count suppression applies per caller; the public page shows rollups.
"""

from __future__ import annotations

from typing import Any

from api.dashboard.labels import Language
from api.platform import ApiPlatform

LABELS: dict[str, dict[str, str]] = {
    "alarms": {"nb": "Alarmmottak", "en": "Alarm reception"},
    "alarms_intro": {
        "nb": "Månedstall fra de felles alarmmottakene: falske alarmer, utrykninger og svartid.",
        "en": "Monthly figures from the shared alarm-reception platforms: false alarms, call-outs "
        "and response times.",
    },
    "alarms_caption": {"nb": "Alarmmottak per region", "en": "Alarm reception by region"},
    "no_alarms": {"nb": "Ingen alarmtall er rapportert ennå.", "en": "No alarm figures reported yet."},
    "months": {"nb": "Måneder", "en": "Months"},
    "alarms_received": {"nb": "Alarmer", "en": "Alarms"},
    "false_share": {"nb": "Falske", "en": "False"},
    "on_site_share": {"nb": "Utrykning", "en": "On site"},
    "p50": {"nb": "Svartid p50 (s)", "en": "Response p50 (s)"},
    "p90": {"nb": "Svartid p90 (s)", "en": "Response p90 (s)"},
    "within_target": {"nb": "Måneder innen mål", "en": "Months within target"},
    "target": {"nb": "Mål: p90 ≤ {seconds} s", "en": "Target: p90 ≤ {seconds} s"},
    "competence": {"nb": "Kompetanse", "en": "Competence"},
    "competence_intro": {
        "nb": "Ansatte i kompetanseprogram: påmeldte, fullførte og timer.",
        "en": "Staff in competence programmes: enrolled, completed and hours.",
    },
    "competence_caption": {"nb": "Kompetanse per region", "en": "Competence by region"},
    "no_competence": {"nb": "Ingen kompetansetall er rapportert ennå.", "en": "No competence figures yet."},
    "enrolled": {"nb": "Påmeldte", "en": "Enrolled"},
    "completed": {"nb": "Fullførte", "en": "Completed"},
    "hours": {"nb": "Timer", "en": "Hours"},
    "programme": {"nb": "Program", "en": "Programme"},
    "velferdsteknologiens-abc": {"nb": "Velferdsteknologiens ABC", "en": "Velferdsteknologiens ABC"},
    "innovation-management": {"nb": "Innovasjonsledelse", "en": "Innovation management"},
    "public-sector-phd": {"nb": "Offentlig sektor-ph.d.", "en": "Public-sector PhD"},
    "other": {"nb": "Annet", "en": "Other"},
}


def percent(share: float | None, language: Language) -> str:
    """A share as a percentage with one decimal (— when there is none)."""
    if share is None:
        return "—"
    text = f"{share * 100:.1f} %"
    return text.replace(".", ",") if language == "nb" else text


def indicator_context(platform: ApiPlatform, language: Language) -> dict[str, Any]:
    """Template context of the two sections (``alarms``, ``competence``, their labels ``it``)."""
    queries = platform.indicator_queries
    members = platform.membership.members()
    words = {key: text[language] for key, text in LABELS.items()}
    if queries is None:
        return {"alarms": None, "competence": None, "it": words}
    alarms = queries.alarms(members)
    competence = queries.competence(members)
    return {
        "alarms": alarms if alarms["reports"] else None,
        "competence": competence if competence["reports"] else None,
        "it": words,
        "target_label": words["target"].format(seconds=f"{alarms['target_p90_s']:g}"),
        "percent": lambda share: percent(share, language),
    }
