"""Matching rules: one link per municipality, org numbers over names, every buyer tried."""

from __future__ import annotations

from typing import Any

from services.procurement.matching import (
    MunicipalityRef,
    as_municipality_ref,
    load_hedmark_municipalities,
    match_buyers,
)

ELVERUM_ORG = "952857991"


def _buyer(party_id: str, name: str, org_number: str | None = None) -> dict[str, Any]:
    party: dict[str, Any] = {"id": party_id, "name": name, "roles": ["buyer"]}
    if org_number is not None:
        party["identifier"] = {"scheme": "NO-BRC", "id": org_number}
    return party


def _release(*parties: dict[str, Any]) -> dict[str, Any]:
    return {"ocid": "ocds-213czf-rules", "parties": list(parties)}


def test_the_reference_list_gives_code_name_and_org_number_of_each_municipality() -> None:
    municipalities = load_hedmark_municipalities()
    by_code = {m.code: m for m in municipalities}
    assert by_code["3420"] == MunicipalityRef("3420", "Elverum", ELVERUM_ORG)
    assert by_code["3419"].name == "Våler (Innlandet)"
    assert all(m.code.startswith("34") and len(m.code) == 4 for m in municipalities)
    assert all(m.org_number is None or len(m.org_number) == 9 for m in municipalities)
    assert sum(m.org_number is not None for m in municipalities) > 0


def test_a_tuple_may_carry_the_org_number_and_an_object_may_lack_it() -> None:
    assert as_municipality_ref(("3420", "Elverum", "952 857 991")) == MunicipalityRef(
        "3420", "Elverum", ELVERUM_ORG
    )

    class NoOrgNumber:
        code = "3420"
        name = "Elverum"

    assert as_municipality_ref(NoOrgNumber()) == MunicipalityRef("3420", "Elverum", None)


def test_an_org_number_match_replaces_an_earlier_name_match() -> None:
    refs = [("3420", "Elverum", ELVERUM_ORG)]
    by_name = _buyer("unit", "Elverum kommune")
    by_number = _buyer("main", "Kommunen vår", ELVERUM_ORG)
    (match,) = match_buyers(_release(by_name, by_number), refs).matches
    assert (match.match_method, match.party_id, match.party_name) == ("org_number", "main", "Kommunen vår")


def test_a_name_match_does_not_replace_an_earlier_org_number_match() -> None:
    refs = [("3420", "Elverum", ELVERUM_ORG)]
    by_number = _buyer("main", "Kommunen vår", ELVERUM_ORG)
    by_name = _buyer("unit", "Elverum kommune")
    (match,) = match_buyers(_release(by_number, by_name), refs).matches
    assert (match.match_method, match.party_id) == ("org_number", "main")


def test_of_two_links_made_the_same_way_the_first_buyer_is_kept() -> None:
    refs = [("3420", "Elverum", ELVERUM_ORG)]
    for method, first, second in [
        ("name", _buyer("a", "Elverum kommune"), _buyer("b", "ELVERUM KOMMUNE, helse")),
        ("org_number", _buyer("a", "A", ELVERUM_ORG), _buyer("b", "B", ELVERUM_ORG)),
    ]:
        (match,) = match_buyers(_release(first, second), refs).matches
        assert (match.match_method, match.party_id, match.party_name) == (method, "a", first["name"])


def test_buyers_after_an_unmatched_one_are_still_matched() -> None:
    refs = [("3420", "Elverum", ELVERUM_ORG), ("3421", "Trysil", None)]
    result = match_buyers(
        _release(_buyer("x", "Hamarregionen"), _buyer("y", "Trysil kommune"), _buyer("z", "Z", ELVERUM_ORG)),
        refs,
    )
    assert result.municipality_codes == ("3420", "3421")
    assert [o.party_id for o in result.unmatched] == ["x"]


def test_a_name_led_by_the_municipality_word_names_every_word_after_it() -> None:
    refs = load_hedmark_municipalities()
    result = match_buyers(_release(_buyer("p", "Kommunen Stor-Elvdal")), refs)
    assert result.municipality_codes == ("3423",)
    assert result.matches[0].match_method == "name"
