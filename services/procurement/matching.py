"""Linking the buyers of a procurement to member municipalities.

Organisation numbers are authoritative; names are a fallback for publishers that omit
identifiers, and every match says which method produced it so a name match can be
shown (and checked) as such. A joint procurement links to every participating
municipality.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any, Literal, Protocol, runtime_checkable

from .parties import Organisation, buyer_organisations, normalise_org_number

MatchMethod = Literal["org_number", "name"]


@runtime_checkable
class MunicipalityLike(Protocol):
    """Anything with a municipality ``code``, ``name`` and ``org_number``."""

    code: str
    name: str
    org_number: str | None


@dataclass(frozen=True)
class MunicipalityRef:
    """A municipality that procurements can be linked to."""

    code: str
    name: str
    org_number: str | None = None


@dataclass(frozen=True)
class MunicipalityMatch:
    """One municipality linked to a procurement, and how the link was made."""

    municipality_code: str
    municipality_name: str
    match_method: MatchMethod
    party_id: str | None
    party_name: str | None
    org_number: str | None
    roles: tuple[str, ...]


@dataclass(frozen=True)
class MatchResult:
    """Matches sorted by municipality code, and buyers that matched no municipality."""

    matches: tuple[MunicipalityMatch, ...]
    unmatched: tuple[Organisation, ...]

    @property
    def municipality_codes(self) -> tuple[str, ...]:
        """Codes of all matched municipalities."""
        return tuple(m.municipality_code for m in self.matches)


def as_municipality_ref(value: MunicipalityLike | Sequence[Any]) -> MunicipalityRef:
    """Coerce a ``(code, name, org_number)`` tuple or a municipality-like object."""
    if isinstance(value, MunicipalityRef):
        return value
    if isinstance(value, Sequence) and not isinstance(value, str):
        code, name, *rest = value
        org = rest[0] if rest else None
    else:
        code, name, org = value.code, value.name, getattr(value, "org_number", None)
    return MunicipalityRef(str(code), str(name), normalise_org_number(org) if org else None)


def load_hedmark_municipalities() -> tuple[MunicipalityRef, ...]:
    """The packaged reference list of the 22 former Hedmark municipalities.

    Codes are the Innlandet municipality numbers (``34xx``, valid from 2020).
    """
    path = resources.files("schemas") / "data" / "reference" / "hedmark_municipalities.csv"
    rows = csv.DictReader(path.read_text(encoding="utf-8").splitlines())
    return tuple(
        MunicipalityRef(row["code_innlandet"], row["name"], row["org_number"] or None) for row in rows
    )


_FOLD = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "ß": "ss"})
_MUNICIPALITY_WORDS = frozenset({"kommune", "kommunen", "municipality", "herad", "heradet"})
# Old and new county names tell same-named municipalities apart, e.g. Våler.
_REGION_ALIASES = {"hedmark": "innlandet", "oppland": "innlandet"}


def fold_name(text: str) -> str:
    """Lower-case, diacritic-free, punctuation-free form of a name for comparison."""
    text = text.casefold().translate(_FOLD)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def _name_key(name: str) -> tuple[str, str | None]:
    """(base name, region qualifier) of a municipality or organisation name.

    "Våler (Innlandet)" -> ("valer", "innlandet"); "ELVERUM KOMMUNE" -> ("elverum",
    None); "Elverum kommune, helse og omsorg" -> ("elverum", None).
    """
    qualifiers = re.findall(r"\(([^)]*)\)", name)
    qualifier = fold_name(qualifiers[0]) if qualifiers else None
    if qualifier:
        qualifier = _REGION_ALIASES.get(qualifier, qualifier)
    tokens = fold_name(re.sub(r"\([^)]*\)", " ", name)).split()
    for index, token in enumerate(tokens):
        if token in _MUNICIPALITY_WORDS:
            # "X kommune <unit>" names X; "Kommunen X" is rarer but seen.
            before, after = tokens[:index], tokens[index + 1 :]
            tokens = before or after
            break
    return " ".join(tokens), qualifier or None


def _same_name(org_name: str, municipality_name: str) -> bool:
    org_base, org_region = _name_key(org_name)
    base, region = _name_key(municipality_name)
    if not org_base or org_base != base:
        return False
    return org_region is None or region is None or org_region == region


def match_buyers(
    release: Mapping[str, Any],
    municipalities: Iterable[MunicipalityLike | Sequence[Any]],
) -> MatchResult:
    """Link the buyers of ``release`` (usually a compiled release) to municipalities.

    Buyers are ``buyer``, ``tender.procuringEntity`` and parties with role ``buyer``
    or ``procuringEntity``. Each is matched by NO-BRC organisation number first, then
    by name; a name that fits several municipalities is left unmatched rather than
    guessed. One municipality appears at most once, preferring an org-number match.
    """
    refs = [as_municipality_ref(m) for m in municipalities]
    by_org = {ref.org_number: ref for ref in refs if ref.org_number}
    found: dict[str, MunicipalityMatch] = {}
    unmatched: list[Organisation] = []
    for org in buyer_organisations(release):
        match = _match_one(org, refs, by_org)
        if match is None:
            unmatched.append(org)
            continue
        previous = found.get(match.municipality_code)
        if previous is None or (previous.match_method == "name" and match.match_method == "org_number"):
            found[match.municipality_code] = match
    matches = tuple(found[code] for code in sorted(found))
    return MatchResult(matches=matches, unmatched=tuple(unmatched))


def _match_one(
    org: Organisation, refs: Sequence[MunicipalityRef], by_org: Mapping[str, MunicipalityRef]
) -> MunicipalityMatch | None:
    for number in org.org_numbers:
        ref = by_org.get(number)
        if ref is not None:
            return _make(ref, org, "org_number", number)
    # An org number that is no municipality's may still belong to one of its units
    # (e.g. a home-care service registered separately), so the name is still tried.
    if not org.name:
        return None
    candidates = [ref for ref in refs if _same_name(org.name, ref.name)]
    if len(candidates) != 1:
        return None
    return _make(candidates[0], org, "name", org.org_number)


def _make(
    ref: MunicipalityRef, org: Organisation, method: MatchMethod, org_number: str | None
) -> MunicipalityMatch:
    return MunicipalityMatch(
        municipality_code=ref.code,
        municipality_name=ref.name,
        match_method=method,
        party_id=org.party_id,
        party_name=org.name,
        org_number=org_number,
        roles=org.roles,
    )
