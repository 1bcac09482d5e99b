"""Classification into welfare-technology areas from CPV codes and keywords."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from services.procurement.classification import (
    TECHNOLOGIES,
    classify,
    cpv_codes,
    default_rules,
    fold_text,
    parse_rules,
    technology_labels,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "ocds"


def _tender(title: str = "", description: str = "", cpv: str | None = None) -> dict[str, Any]:
    tender: dict[str, Any] = {"id": "t", "title": title, "description": description}
    if cpv:
        tender["items"] = [{"id": "1", "classification": {"scheme": "CPV", "id": cpv}}]
    return {"ocid": "ocds-213czf-c", "tender": tender}


def _best(release: dict[str, Any]) -> tuple[str, float] | None:
    result = classify(release)
    return (result[0]["technology"], result[0]["confidence"]) if result else None


def test_packaged_rules_are_valid_and_cover_every_technology() -> None:
    rules = default_rules()
    assert {r.technology for r in rules.rules} == set(TECHNOLOGIES)
    assert all(0 <= r.confidence <= 1 for r in rules.rules)
    assert set(technology_labels()) == set(TECHNOLOGIES)
    raw = json.loads(
        (resources.files("services.procurement") / "data" / "classification_rules.json").read_text(
            encoding="utf-8"
        )
    )
    assert all(rule.get("rationale") for rule in raw["rules"])


@pytest.mark.parametrize(
    ("title", "technology"),
    [
        ("Anskaffelse av trygghetsalarmer", "safety-alarm"),
        ("Mobile tryggleiksalarmar", "safety-alarm"),
        ("Social alarms and response service", "safety-alarm"),
        ("Digitalt tilsyn i hjemmetjenesten", "digital-supervision"),
        ("Digital night supervision for care homes", "digital-supervision"),
        ("Lokaliseringsteknologi for personer med demens", "location-gps"),
        ("GPS tracker watches for people with dementia", "location-gps"),
        ("Elektronisk medisineringsstøtte", "medication-support"),
        ("Medisindispensere til hjemmeboende", "medication-support"),
        ("Medication dispensers", "medication-support"),
        ("Elektroniske dørlåser for hjemmetjenesten", "electronic-door-lock"),
        ("Elektroniske dorlaser", "electronic-door-lock"),
        ("Electronic door locks for home care", "electronic-door-lock"),
        ("Digital hjemmeoppfølging av kronisk syke", "digital-home-follow-up"),
        ("Medisinsk avstandsoppfølging", "digital-home-follow-up"),
        ("Remote patient monitoring platform", "digital-home-follow-up"),
        ("Pasientvarslingsanlegg til Trysil sykehjem", "nurse-call"),
        ("Nytt sykesignalanlegg", "nurse-call"),
        ("Nurse call system", "nurse-call"),
        ("Ruteplanlegging for hjemmetjenesten", "logistics"),
        ("Route planning software", "logistics"),
    ],
)
def test_keywords_in_norwegian_and_english(title: str, technology: str) -> None:
    best = _best(_tender(title))
    assert best is not None and best[0] == technology
    assert best[1] >= 0.8


def test_cpv_alone_gives_moderate_confidence() -> None:
    assert _best(_tender(cpv="79711000-1")) == ("safety-alarm", 0.55)
    assert _best(_tender(cpv="44521120")) == ("electronic-door-lock", 0.5)
    assert _best(_tender(cpv="38112100")) == ("location-gps", 0.5)


def test_generic_cpv_needs_a_keyword() -> None:
    assert classify(_tender("Rullatorer og ganghjelpemidler", cpv="33196200")) == []
    assert _best(_tender("Alarm for brukere", cpv="33196200")) == ("safety-alarm", 0.7)
    assert _best(_tender("GPS til brukere", cpv="85000000")) == ("location-gps", 0.8)
    assert _best(_tender("Logistikk i hjemmetjenesten", cpv="48000000")) == ("logistics", 0.65)
    assert _best(_tender("Logistikk")) == ("logistics", 0.45)


def test_compounds_like_fire_alarm_do_not_count_as_safety_alarm() -> None:
    assert classify(_tender("Brannalarmanlegg", cpv="35120000")) == []


def test_cpv_in_awards_contracts_and_additional_classifications() -> None:
    release = {
        "awards": [
            {
                "id": "a",
                "items": [{"id": "1", "classification": {"scheme": "CPV", "id": "44521120"}}],
            }
        ],
        "contracts": [
            {
                "id": "c",
                "items": [
                    {
                        "id": "1",
                        "classification": {"scheme": "UNSPSC", "id": "1"},
                        "additionalClassifications": [{"scheme": "cpv", "id": "79711000"}],
                    }
                ],
            }
        ],
    }
    assert cpv_codes(release) == [
        ("44521120", "$.awards[0].items[0].classification"),
        ("79711000", "$.contracts[0].items[0].additionalClassifications[0]"),
    ]
    assert [m["technology"] for m in classify(release)] == ["safety-alarm", "electronic-door-lock"]


def test_best_confidence_per_technology_with_evidence() -> None:
    release = _tender("Trygghetsalarmer og responssenter", "Lokaliseringsteknologi (GPS)", "79711000")
    result = classify(release)
    assert [(m["technology"], m["confidence"]) for m in result] == [
        ("safety-alarm", 0.95),
        ("location-gps", 0.9),
    ]
    evidence = result[0]["evidence"]
    assert evidence[0].startswith("nb-trygghetsalarm (0.95): keyword 'trygghetsalarm' in $.tender.title")
    assert any("CPV 79711000 at $.tender.items[0].classification" in e for e in evidence)


def test_unclassified_is_an_empty_list() -> None:
    fixture = json.loads(
        (FIXTURES / "sample-data__fictional-1.1__record-package.json").read_text(encoding="utf-8")
    )
    assert classify(fixture["records"][0]["compiledRelease"]) == []  # cycle lanes
    assert classify({}) == []


def test_custom_rules_and_rule_validation() -> None:
    data = {
        "technologies": {"nurse-call": {"en": "Nurse call"}},
        "rules": [{"id": "r", "technology": "nurse-call", "confidence": 0.3, "keywords": ["ring"]}],
    }
    assert classify(_tender("Ringeanlegg"), parse_rules(data))[0]["confidence"] == 0.3
    for bad in (
        {"id": "r", "technology": "teleport", "confidence": 0.3, "keywords": ["x"]},
        {"id": "r", "technology": "nurse-call", "confidence": 1.5, "keywords": ["x"]},
        {"id": "r", "technology": "nurse-call", "confidence": 0.5},
        {"id": "r", "technology": "nurse-call", "confidence": 0.5, "cpv": ["33-1"]},
        {"id": "r", "technology": "nurse-call", "confidence": 0.5, "keywords": ["("]},
    ):
        with pytest.raises(ValueError):
            parse_rules({**data, "rules": [bad]})


def test_fold_text() -> None:
    assert fold_text("Dørlås ÆØÅ é") == "dorlas aeoa e"
