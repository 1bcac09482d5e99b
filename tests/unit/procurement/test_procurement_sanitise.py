"""Sanitising: contact persons and identity numbers go, organisations stay."""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path

from stdnum.no import fodselsnummer

from schemas.privacy import identity_number_paths
from services.procurement.examples import sor_osterdal_safety_alarm_releases
from services.procurement.sanitise import sanitise_release
from services.procurement.validation import validate_release

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "ocds"
PACKAGE = json.loads(
    (FIXTURES / "sample-data__fictional-1.1__release-package.json").read_text(encoding="utf-8")
)


def synthetic_identity_number(born: date) -> str:
    """A checksum-valid fødselsnummer, computed so none is written into the repo."""
    stem = born.strftime("%d%m%y")
    for individual in range(499, -1, -1):
        base = f"{stem}{individual:03d}"
        k1 = fodselsnummer.calc_check_digit1(base)
        if len(k1) != 1:
            continue
        k2 = fodselsnummer.calc_check_digit2(base + k1)
        if len(k2) == 1 and fodselsnummer.is_valid(base + k1 + k2):
            return base + k1 + k2
    raise AssertionError("no valid number found")


NUMBER = synthetic_identity_number(date(1985, 4, 15))
EARLY_DAY_NUMBER = synthetic_identity_number(date(1972, 11, 3))  # leading zero


def test_contact_persons_are_removed_everywhere_and_organisations_kept() -> None:
    release = copy.deepcopy(PACKAGE["releases"][0])
    release["tender"]["procuringEntity"]["contactPoint"] = {
        "name": "Kari Nordmann",
        "email": "kari@example.org",
        "telephone": "+47 400 00 000",
        "faxNumber": "+47 00 00 00 00",
        "url": "https://example.org/",
    }
    clean, removed = sanitise_release(release)
    text = json.dumps(clean)
    for person_data in (
        "Procurement Team",
        "procurement-team@example.com",
        "01234 345 346",
        "01234 345 345",
        "Kari Nordmann",
        "kari@example.org",
    ):
        assert person_data not in text
    party = clean["parties"][0]
    assert party["name"] == "London Borough of Barnet"
    assert party["identifier"] == release["parties"][0]["identifier"]
    assert party["contactPoint"] == {"url": "http://example.com/contact/"}
    assert clean["tender"]["procuringEntity"]["contactPoint"] == {"url": "https://example.org/"}
    assert "$.parties[0].contactPoint.email" in removed
    assert "$.tender.procuringEntity.contactPoint.faxNumber" in removed
    assert validate_release(clean) == []


def test_input_is_not_modified() -> None:
    release = copy.deepcopy(PACKAGE["releases"][0])
    sanitise_release(release)
    assert release == PACKAGE["releases"][0]


def test_additional_contact_points_extension_is_cleaned() -> None:
    release = {
        "parties": [
            {
                "id": "p",
                "name": "Org AS",
                "additionalContactPoints": [
                    {"name": "Per Hansen", "email": "per@example.com", "availableLanguage": ["no"]}
                ],
            }
        ]
    }
    clean, removed = sanitise_release(release)
    assert clean["parties"][0]["additionalContactPoints"] == [{"availableLanguage": ["no"]}]
    assert removed == [
        "$.parties[0].additionalContactPoints[0].name",
        "$.parties[0].additionalContactPoints[0].email",
    ]


def test_identity_number_values_are_removed_and_free_text_redacted() -> None:
    spaced = f"{NUMBER[:6]} {NUMBER[6:]}"
    release = {
        "ocid": "ocds-213czf-x",
        "parties": [{"id": NUMBER, "name": "Enkeltperson", "identifier": {"id": spaced}}],
        "tender": {
            "description": f"Bruker med fødselsnummer {NUMBER} trenger alarm.",
            "items": [{"id": "1", "quantity": int(EARLY_DAY_NUMBER)}],
        },
        "awards": [{"id": "a", "documents": [NUMBER, "ok"]}],
        "x_notes": {f"fnr-{NUMBER}": "value under a personal key"},
    }
    clean, removed = sanitise_release(release)
    assert identity_number_paths(clean) == []
    assert clean["tender"]["description"] == "Bruker med fødselsnummer [removed] trenger alarm."
    assert clean["parties"][0] == {"name": "Enkeltperson", "identifier": {}}
    assert clean["tender"]["items"][0] == {"id": "1"}
    assert clean["awards"][0]["documents"] == ["ok"]
    assert clean["x_notes"] == {}
    assert set(removed) == {
        "$.parties[0].id",
        "$.parties[0].identifier.id",
        "$.tender.description",
        "$.tender.items[0].quantity",
        "$.awards[0].documents[0]",
        "$.x_notes['fnr-[removed]']",
    }
    assert NUMBER not in json.dumps(removed)


def test_org_numbers_and_other_numbers_are_not_mistaken_for_identity_numbers() -> None:
    release = sor_osterdal_safety_alarm_releases()[1]
    clean, removed = sanitise_release(release)
    assert all(".contactPoint." in path for path in removed)
    assert [p["identifier"]["id"] for p in clean["parties"] if "identifier" in p] == [
        "952857991",
        "940152496",
        "923456708",
    ]
    assert clean["awards"] == release["awards"]


def test_fixture_package_sanitises_to_valid_releases() -> None:
    for release in PACKAGE["releases"]:
        clean, _ = sanitise_release(release)
        assert validate_release(clean) == []
        assert "contactPoint" not in json.dumps(clean) or all(
            set(p.get("contactPoint", {})) <= {"url"} for p in clean.get("parties", [])
        )
