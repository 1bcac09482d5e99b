"""A small bilingual glossary of welfare-technology words, for searching across languages.

Stemming makes "alarmer" meet "alarms", but not "opplæring" meet "training". Each query
word is therefore widened with its translations below (both directions), so a coordinator
searching in English also finds the many lessons written in Norwegian, and vice versa.
"""

from __future__ import annotations

from functools import lru_cache

# (bokmål, English) — words that recur in lessons from pilots and procurements.
PAIRS: tuple[tuple[str, str], ...] = (
    ("opplæring", "training"),
    ("ansatte", "staff"),
    ("ansatte", "employees"),
    ("leverandør", "supplier"),
    ("leverandør", "vendor"),
    ("leverandørbytte", "supplier"),
    ("pårørende", "relatives"),
    ("pårørende", "family"),
    ("gevinst", "benefit"),
    ("gevinstrealisering", "benefits"),
    ("gevinster", "benefits"),
    ("dekning", "coverage"),
    ("mobildekning", "coverage"),
    ("anskaffelse", "procurement"),
    ("innkjøp", "purchase"),
    ("anbud", "tender"),
    ("kostnad", "cost"),
    ("kostnader", "costs"),
    ("besparelse", "savings"),
    ("tid", "time"),
    ("bruker", "user"),
    ("brukere", "users"),
    ("beboere", "residents"),
    ("hjemmetjenesten", "homecare"),
    ("hjemmebesøk", "visits"),
    ("besøk", "visit"),
    ("nattevakter", "night"),
    ("utrykninger", "callouts"),
    ("falske", "false"),
    ("batteri", "battery"),
    ("lading", "charging"),
    ("personvern", "privacy"),
    ("samtykke", "consent"),
    ("sikkerhet", "security"),
    ("risiko", "risk"),
    ("kontrakt", "contract"),
    ("plattform", "platform"),
    ("legemidler", "medication"),
    ("medisiner", "medication"),
    ("medisineringsstøtte", "medication"),
    ("tilsyn", "supervision"),
    ("sensorer", "sensors"),
    ("fall", "fall"),
    ("utprøving", "pilot"),
    ("drift", "operation"),
    ("implementering", "implementation"),
    ("avsluttet", "discontinued"),
    ("skalert", "scaled"),
    ("kommunestyret", "council"),
    ("nabokommunene", "neighbouring"),
    ("felles", "joint"),
)


@lru_cache(maxsize=1)
def translations() -> dict[str, frozenset[str]]:
    """Each glossary word (lower case) → the words it translates to."""
    table: dict[str, set[str]] = {}
    for norwegian, english in PAIRS:
        table.setdefault(norwegian, set()).add(english)
        table.setdefault(english, set()).add(norwegian)
    return {word: frozenset(others) for word, others in table.items()}
