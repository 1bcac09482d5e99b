"""End to end on the Sør-Østerdal joint safety-alarm procurement."""

from __future__ import annotations

import json
from datetime import date

from schemas.privacy import identity_number_paths
from services.procurement.classification import classify
from services.procurement.compile import compile_releases
from services.procurement.examples import (
    EXAMPLE_OCID,
    SUPPLIER_ORG_NUMBER,
    sor_osterdal_safety_alarm_releases,
)
from services.procurement.matching import load_hedmark_municipalities, match_buyers
from services.procurement.sanitise import sanitise_release
from services.procurement.summary import ending_within, summarise
from services.procurement.validation import split_package

MUNICIPALITIES = load_hedmark_municipalities()


def _pipeline(releases: list[dict]) -> dict:
    valid, refusals = split_package({"releases": releases})
    assert refusals == []
    clean = [sanitise_release(r)[0] for r in valid]
    return compile_releases(reversed(clean)).compiled


def test_example_is_fresh_each_call() -> None:
    first = sor_osterdal_safety_alarm_releases()
    first[0]["tender"]["title"] = "changed"
    assert sor_osterdal_safety_alarm_releases()[0]["tender"]["title"] != "changed"


def test_joint_safety_alarm_procurement_end_to_end() -> None:
    compiled = _pipeline(sor_osterdal_safety_alarm_releases())
    assert compiled["ocid"] == EXAMPLE_OCID
    text = json.dumps(compiled, ensure_ascii=False)
    for personal in ("Kari Nordmann", "Ola Nordmann", "Per Hansen", "@example", "+47"):
        assert personal not in text
    assert identity_number_paths(compiled) == []

    matches = match_buyers(compiled, MUNICIPALITIES)
    assert [(m.municipality_code, m.municipality_name, m.match_method) for m in matches.matches] == [
        ("3420", "Elverum", "org_number"),
        ("3421", "Trysil", "org_number"),
        ("3422", "Åmot", "org_number"),
    ]
    assert matches.unmatched == ()

    technologies = classify(compiled)
    assert technologies[0]["technology"] == "safety-alarm"
    assert technologies[0]["confidence"] >= 0.9
    assert {t["technology"] for t in technologies} == {"safety-alarm"}

    summary = summarise(compiled)
    assert summary.status == "terminated"
    assert [s.org_number for s in summary.suppliers] == [SUPPLIER_ORG_NUMBER]
    assert [b.org_number for b in summary.buyers] == ["952857991", "864948502", "940152496"]
    assert summary.contract_periods[0].end_date == "2024-06-30T23:59:59+02:00"
    assert summary.total_value is not None
    assert (summary.total_value.amount, summary.total_value.currency) == (10450000, "NOK")
    # Terminated: nothing to renew, even close to the original end date.
    assert not ending_within(summary, date(2026, 6, 1), 6)


def test_before_termination_the_contract_is_on_the_renewal_radar() -> None:
    compiled = _pipeline(sor_osterdal_safety_alarm_releases()[:3])
    summary = summarise(compiled)
    assert summary.status == "contract"
    assert ending_within(summary, date(2026, 3, 1), 6)
    assert not ending_within(summary, date(2025, 6, 1), 6)
