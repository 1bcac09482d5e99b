"""Matching buyers to municipalities: org number first, names as a reported fallback."""

from __future__ import annotations

from typing import Any

import pytest

from services.procurement.matching import (
    MunicipalityRef,
    as_municipality_ref,
    fold_name,
    load_hedmark_municipalities,
    match_buyers,
)
from services.procurement.parties import normalise_org_number

MUNICIPALITIES = load_hedmark_municipalities()


def _release(*parties: dict[str, Any], buyer: dict[str, Any] | None = None) -> dict[str, Any]:
    release: dict[str, Any] = {"ocid": "ocds-213czf-m", "parties": list(parties)}
    if buyer is not None:
        release["buyer"] = buyer
    return release


def test_reference_list_is_loaded() -> None:
    assert len(MUNICIPALITIES) == 22
    elverum = next(m for m in MUNICIPALITIES if m.code == "3420")
    assert elverum == MunicipalityRef("3420", "Elverum", "952857991")


@pytest.mark.parametrize(
    "party",
    [
        {
            "id": "p1",
            "name": "Something else",
            "roles": ["buyer"],
            "identifier": {"scheme": "NO-BRC", "id": "952857991"},
        },
        {
            "id": "p1",
            "name": "X",
            "roles": ["procuringEntity"],
            "additionalIdentifiers": [{"scheme": "no-brc", "id": "952 857 991"}],
        },
        {"id": "NO-BRC-952857991", "name": "X", "roles": ["buyer"]},
        {
            "id": "p1",
            "name": "X",
            "roles": ["buyer"],
            "identifier": {"scheme": "NO-BRC", "id": "NO 952 857 991 MVA"},
        },
    ],
)
def test_org_number_match(party: dict[str, Any]) -> None:
    result = match_buyers(_release(party), MUNICIPALITIES)
    assert result.municipality_codes == ("3420",)
    assert result.matches[0].match_method == "org_number"
    assert result.matches[0].org_number == "952857991"


def test_buyer_reference_is_resolved_through_parties() -> None:
    party = {
        "id": "org-1",
        "name": "Elverum kommune",
        "identifier": {"scheme": "NO-BRC", "id": "952857991"},
    }  # no roles at all
    result = match_buyers(_release(party, buyer={"id": "org-1", "name": "Elverum"}), MUNICIPALITIES)
    assert result.matches[0].match_method == "org_number"
    assert result.matches[0].roles == ("buyer",)


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Elverum kommune", "3420"),
        ("ELVERUM KOMMUNE", "3420"),
        ("elverum", "3420"),
        ("Våler (Innlandet)", "3419"),
        ("Våler kommune", "3419"),
        ("VALER KOMMUNE (HEDMARK)", "3419"),
        ("Stor-Elvdal kommune", "3423"),
        ("Stor Elvdal", "3423"),
        ("Åsnes kommune, helse og omsorg", "3418"),
        ("Sør-Odal kommune", "3415"),
    ],
)
def test_name_fallback_is_reported(name: str, code: str) -> None:
    result = match_buyers(_release({"id": "p", "name": name, "roles": ["buyer"]}), MUNICIPALITIES)
    assert result.municipality_codes == (code,)
    assert result.matches[0].match_method == "name"


@pytest.mark.parametrize(
    "name",
    ["Elverum Energi AS", "Våler kommune (Østfold)", "Nord-Odal og Sør-Odal", "Hamarregionen"],
)
def test_names_that_are_not_a_municipality_do_not_match(name: str) -> None:
    result = match_buyers(_release({"id": "p", "name": name, "roles": ["buyer"]}), MUNICIPALITIES)
    assert result.matches == ()
    assert [o.name for o in result.unmatched] == [name]


def test_unknown_valid_org_number_falls_back_to_name() -> None:
    unit = {
        "id": "p",
        "name": "Trysil kommune hjemmetjenesten",
        "roles": ["buyer"],
        "identifier": {"scheme": "NO-BRC", "id": "923456708"},
    }
    result = match_buyers(_release(unit), MUNICIPALITIES)
    assert result.municipality_codes == ("3421",)
    assert result.matches[0].match_method == "name"
    assert result.matches[0].org_number == "923456708"


def test_ambiguous_names_are_not_guessed() -> None:
    refs = [("1", "Våler (Innlandet)", None), ("2", "Våler (Østfold)", None)]
    party = {"id": "p", "name": "Våler kommune", "roles": ["buyer"]}
    assert match_buyers(_release(party), refs).matches == ()
    qualified = {"id": "p", "name": "Våler kommune (Østfold)", "roles": ["buyer"]}
    assert match_buyers(_release(qualified), refs).municipality_codes == ("2",)


def test_suppliers_and_other_roles_are_ignored() -> None:
    supplier = {
        "id": "p",
        "name": "Hamar kommune",
        "roles": ["supplier"],
        "identifier": {"scheme": "NO-BRC", "id": "970540008"},
    }
    assert match_buyers(_release(supplier), MUNICIPALITIES).matches == ()


def test_joint_procurement_links_every_participant_once() -> None:
    parties = [
        {
            "id": "a",
            "name": "Elverum kommune",
            "roles": ["buyer", "procuringEntity"],
            "identifier": {"scheme": "NO-BRC", "id": "952857991"},
        },
        {"id": "b", "name": "TRYSIL KOMMUNE", "roles": ["buyer"]},
        {
            "id": "c",
            "name": "Åmot",
            "roles": ["buyer"],
            "identifier": {"scheme": "NO-BRC", "id": "940152496"},
        },
        # Elverum again under a second party id, by name: the org-number link wins.
        {"id": "d", "name": "Elverum kommune", "roles": ["buyer"]},
    ]
    result = match_buyers(_release(*parties, buyer={"id": "a"}), MUNICIPALITIES)
    assert [(m.municipality_code, m.match_method) for m in result.matches] == [
        ("3420", "org_number"),
        ("3421", "name"),
        ("3422", "org_number"),
    ]


def test_municipalities_can_be_tuples_or_objects() -> None:
    class Muni:
        code = "9999"
        name = "Testby"
        org_number = "952 857 991"

    assert as_municipality_ref(Muni()) == MunicipalityRef("9999", "Testby", "952857991")
    assert as_municipality_ref(("1", "A")) == MunicipalityRef("1", "A", None)
    party = {
        "id": "p",
        "name": "x",
        "roles": ["buyer"],
        "identifier": {"scheme": "NO-BRC", "id": "952857991"},
    }
    assert match_buyers(_release(party), [Muni()]).municipality_codes == ("9999",)


def test_helpers() -> None:
    assert fold_name("  Åmot  KOMMUNE ") == "amot kommune"
    assert fold_name("Sør-Fron") == "sor fron"
    assert normalise_org_number("952857990") is None  # bad check digit
    assert normalise_org_number(952857991) == "952857991"
    assert normalise_org_number(True) is None
