"""Validation refusals: paths, rules, and messages that never leak values."""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path

import pytest
from stdnum.no import fodselsnummer

from services.procurement.examples import sor_osterdal_safety_alarm_releases
from services.procurement.validation import (
    Refusal,
    split_package,
    validate_release,
    validate_release_package,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "ocds"
PACKAGE = json.loads(
    (FIXTURES / "sample-data__fictional-1.1__release-package.json").read_text(encoding="utf-8")
)


def synthetic_identity_number(born: date = date(1985, 4, 15)) -> str:
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


def _rules(refusals: list[Refusal]) -> set[tuple[str, str]]:
    return {(r.path, r.rule) for r in refusals}


def test_fixtures_and_example_are_valid() -> None:
    assert validate_release_package(PACKAGE) == []
    releases, refusals = split_package(PACKAGE)
    assert len(releases) == 6 and refusals == []
    assert split_package(sor_osterdal_safety_alarm_releases())[1] == []


def test_missing_ocid_is_refused_at_the_missing_member() -> None:
    release = copy.deepcopy(PACKAGE["releases"][0])
    del release["ocid"]
    refusals = validate_release(release)
    assert refusals == [Refusal("$.ocid", "required", "'ocid' is required")]


def test_empty_ocid_is_refused() -> None:
    release = {**PACKAGE["releases"][0], "ocid": ""}
    assert _rules(validate_release(release)) == {("$.ocid", "minLength")}


@pytest.mark.parametrize(
    "bad_date",
    [
        "2022-01-01",
        "2022-01-01T10:00:00",
        "2022-13-01T10:00:00Z",
        "2022-02-30T10:00:00Z",
        "01.02.2022 10:00",
        "2022-01-01T25:00:00Z",
    ],
)
def test_bad_dates_are_refused_with_format_rule(bad_date: str) -> None:
    release = {**PACKAGE["releases"][0], "date": bad_date}
    refusals = validate_release(release)
    assert _rules(refusals) == {("$.date", "format")}
    assert "RFC 3339" in refusals[0].message
    assert bad_date not in refusals[0].message


def test_nested_date_type_and_enum_violations_have_paths() -> None:
    release = copy.deepcopy(PACKAGE["releases"][3])  # the award release
    release["awards"][0]["date"] = "last Tuesday"
    release["tender"]["value"] = {"amount": "1 100 000", "currency": "GBP"}
    release["tender"]["status"] = "open"
    release["tag"] = []
    assert _rules(validate_release(release)) == {
        ("$.awards[0].date", "format"),
        ("$.tender.value.amount", "type"),
        ("$.tender.status", "enum"),
        ("$.tag", "minItems"),
    }


def test_split_package_keeps_valid_releases_and_prefixes_paths_by_index() -> None:
    package = copy.deepcopy(PACKAGE)
    del package["releases"][1]["ocid"]
    package["releases"][3]["date"] = "2010-05-10"
    package["releases"][4] = "not a release"
    releases, refusals = split_package(package)
    assert [r["id"] for r in releases] == [PACKAGE["releases"][i]["id"] for i in (0, 2, 5)]
    assert _rules(refusals) == {
        ("$.releases[1].ocid", "required"),
        ("$.releases[3].date", "format"),
        ("$.releases[4]", "type"),
    }
    assert [r.release_index for r in refusals] == [1, 3, 4]
    assert "JSON object" in refusals[-1].message


def test_split_accepts_a_single_release_and_a_list() -> None:
    single = PACKAGE["releases"][0]
    assert split_package(single) == ([single], [])
    releases, refusals = split_package([single, 42, {"id": "x"}])
    assert releases == [single]
    assert ("$[1]", "type") in _rules(refusals)
    assert {("$[2].ocid", "required"), ("$[2].date", "required")} <= _rules(refusals)


@pytest.mark.parametrize(
    ("obj", "expected"),
    [
        (42, ("$", "type")),
        ("not json", ("$", "json")),
        (b"\xff\xfe", ("$", "json")),
        ('"a string"', ("$", "type")),
        ({"releases": {}}, ("$.releases", "type")),
        ({"releases": []}, ("$.releases", "minItems")),
        ({"records": []}, ("$.records", "unsupported")),
    ],
)
def test_not_a_release_container_is_refused(obj: object, expected: tuple[str, str]) -> None:
    releases, refusals = split_package(obj)
    assert releases == []
    assert _rules(refusals) == {expected}


def test_json_text_is_accepted() -> None:
    releases, refusals = split_package(json.dumps(PACKAGE))
    assert len(releases) == 6 and refusals == []


def test_package_envelope_is_checked_by_the_strict_validator() -> None:
    package = {"releases": [PACKAGE["releases"][0]]}
    refusals = validate_release_package(package)
    assert {r.path for r in refusals} == {"$.uri", "$.publisher", "$.publishedDate", "$.version"}
    assert all(r.release_index is None for r in refusals)


def test_messages_never_contain_identity_numbers() -> None:
    number = synthetic_identity_number()
    release = copy.deepcopy(PACKAGE["releases"][0])
    release["date"] = number
    release["tender"]["status"] = number
    release["tender"]["value"]["amount"] = number
    release["ocid"] = int(number)
    refusals = validate_release(release)
    assert {r.rule for r in refusals} == {"format", "enum", "type"}
    for refusal in refusals:
        assert number not in json.dumps(refusal.to_dict())
