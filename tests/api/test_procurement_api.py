"""Procurement end to end in the embedded shape: OCDS releases in through the API, views out."""

from __future__ import annotations

import copy
import csv
import io
import json
import random
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import ocdsmerge
import orjson
import pytest
from fastapi.testclient import TestClient
from jsonschema import Draft4Validator, FormatChecker

from alliance.bootstrap import Platform, build_platform
from alliance.settings import Settings
from api.app import create_app
from schemas.topics import DEAD_LETTER, PROCUREMENT_RELEASES
from services.core.ports import LogRecord
from services.insights.views import CELL_FIELDS
from services.procurement import sor_osterdal_safety_alarm_releases
from services.procurement.examples import EXAMPLE_OCID, SUPPLIER_ORG_NUMBER
from services.procurement.schema import record_package_schema, registry, release_schema
from tests.support.auth import PlatformTokens, SigningAuth
from tests.support.factories import FNR, registered

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ocds"
SUPPLIER_ID = f"NO-BRC-{SUPPLIER_ORG_NUMBER}"
PERSONAL = ("Kari Nordmann", "kari.nordmann@example.org", "+47 400 00 000", "Per Hansen", "Ola Nordmann")


def _fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


FICTIONAL_PACKAGE = _fixture("sample-data__fictional-1.1__release-package.json")
FICTIONAL_OCID = "ocds-213czf-000-00001"
FICTIONAL_COMPILED = _fixture("sample-data__fictional-1.1__record-package.json")["records"][0][
    "compiledRelease"
]
SIMPLE = _fixture("ocds-merge__1.1__simple.json")


def _without_contact_persons(release: dict[str, Any]) -> dict[str, Any]:
    """A release without the personal fields of its parties' contact points (by hand)."""
    out = copy.deepcopy(release)
    for party in out.get("parties", []):
        contact = party.get("contactPoint")
        if isinstance(contact, dict):
            for name in ("name", "email", "telephone", "faxNumber"):
                contact.pop(name, None)
            if not contact:
                del party["contactPoint"]
    return out


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def published(platform: Platform) -> int:
    """How many releases are in the procurement-releases topic."""
    topic = PROCUREMENT_RELEASES.name
    return sum(platform.log.end_offset(topic, p) for p in platform.log.partitions(topic))


def submit(client: TestClient, platform: Platform, body: Any, status: int = 200) -> dict[str, Any]:
    response = client.post("/v1/procurement/releases", json=body)
    assert response.status_code == status, response.text
    platform.drain()
    return response.json()


def record(client: TestClient, ocid: str) -> dict[str, Any]:
    response = client.get(f"/v1/procurement/records/{ocid}")
    assert response.status_code == 200, response.text
    return response.json()


# -- exact compilation of the published fixtures ---------------------------------------------------


def test_fictional_package_compiles_exactly_to_the_published_compiled_release(client, platform):
    body = submit(client, platform, FICTIONAL_PACKAGE)
    assert (body["accepted"], body["refused"], body["refusals"]) == (6, 0, [])
    served = record(client, FICTIONAL_OCID)["compiled_release"]
    # Contact persons are removed before publishing: the published record minus exactly those.
    expected = _without_contact_persons(FICTIONAL_COMPILED)
    assert expected != FICTIONAL_COMPILED
    assert json.dumps(served) == json.dumps(expected)  # same content, same key order


def test_simple_merge_fixture_compiles_and_versions_exactly(client, platform):
    submit(client, platform, SIMPLE)
    served = record(client, "ocds-213czf-A")
    assert json.dumps(served["compiled_release"]) == json.dumps(
        _fixture("ocds-merge__1.1__simple-compiled.json")
    )
    assert served["versioned_release"] == _fixture("ocds-merge__1.1__simple-versioned.json")
    assert [r["id"] for r in served["releases"]] == ["1", "2"]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_order_and_duplicates_do_not_change_the_record(client, platform, seed):
    releases = copy.deepcopy(FICTIONAL_PACKAGE["releases"])
    shuffled = random.Random(seed).sample(releases, len(releases))
    submit(client, platform, shuffled[:3])
    submit(client, platform, shuffled[3:])
    first = record(client, FICTIONAL_OCID)
    again = random.Random(seed + 100).sample(releases, len(releases))
    submit(client, platform, {"releases": again + again[:2]})
    second = record(client, FICTIONAL_OCID)
    assert second == first
    # The standard's reference implementation, on releases sorted by their instants and with
    # the contact persons removed, is the oracle.
    clean = sorted((_without_contact_persons(r) for r in releases), key=lambda r: _instant(r["date"]))
    merger = ocdsmerge.Merger(release_schema())
    assert first["compiled_release"] == merger.create_compiled_release(clean)
    assert first["versioned_release"] == merger.create_versioned_release(clean)
    assert len(first["releases"]) == 6 and first["compile"]["conflicts"] == []
    assert published(platform) == 14  # redelivery is harmless: the log holds every copy


# -- the realistic Norwegian example ---------------------------------------------------------------


def test_joint_safety_alarm_procurement_is_linked_classified_and_attributed(client, platform):
    pilots = client.post("/v1/events", json=[registered("elv-alarm", municipality="3420")])
    assert pilots.json()["accepted"] == 1
    body = submit(client, platform, {"releases": sor_osterdal_safety_alarm_releases()})
    assert body["accepted"] == 4
    assert "$.releases[0].parties[0].contactPoint.name" in body["results"][0]["removed"]

    served = record(client, EXAMPLE_OCID)
    assert served["municipalities"] == ["3420", "3421", "3422"]
    assert {m["match_method"] for m in served["match"]["matches"]} == {"org_number"}
    assert [b["name"] for b in served["buyers"]] == ["Elverum kommune", "TRYSIL KOMMUNE", "Åmot kommune"]
    assert served["buyers"][0] == {
        "id": "NO-BRC-952857991",
        "name": "Elverum kommune",
        "org_number": "952857991",
    }
    assert served["technologies"] == ["safety-alarm"]
    assert served["classification"][0]["confidence"] >= 0.9
    assert served["status"] == "terminated"
    assert served["suppliers"] == [
        {"id": SUPPLIER_ID, "name": "Fjellvakt Trygghet AS", "org_number": "923456708"}
    ]
    assert (served["total_value"], served["currency"]) == (10450000, "NOK")

    for code in ("3420", "0427", "3421", "3422"):
        profile = client.get(f"/v1/municipalities/{code}").json()
        assert [p["ocid"] for p in profile["procurements"]] == [EXAMPLE_OCID], code
    (cell,) = client.get("/v1/municipalities/3420").json()["cells"]
    assert cell["technology"] == "safety-alarm"
    assert cell["suppliers"] == [{"id": SUPPLIER_ID, "name": "Fjellvakt Trygghet AS"}]
    assert cell["contract_value_nok"] == 10450000
    assert client.get("/v1/municipalities/3403").json()["procurements"] == []
    # The adoption cells carry the contracts behind them too.
    adoption_cell = next(
        c
        for c in client.get("/v1/adoption").json()["cells"]
        if (c["municipality"], c["technology"]) == ("3420", "safety-alarm")
    )
    assert set(adoption_cell) == {*CELL_FIELDS, "suppliers", "contract_value_nok"}
    assert adoption_cell["contract_value_nok"] == 10450000
    assert adoption_cell["suppliers"] == [{"id": SUPPLIER_ID, "name": "Fjellvakt Trygghet AS"}]

    supplier = client.get(f"/v1/suppliers/{SUPPLIER_ID}").json()
    assert [c["ocid"] for c in supplier["contracts"]] == [EXAMPLE_OCID]
    assert supplier["municipalities"] == ["3420", "3421", "3422"]
    assert supplier["technologies"] == ["safety-alarm"]
    assert supplier["total_value_nok"] == 10450000
    assert [s["id"] for s in client.get("/v1/suppliers").json()] == [SUPPLIER_ID]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("municipality=3421", {EXAMPLE_OCID}),
        ("municipality=0428", {EXAMPLE_OCID}),
        ("municipality=3403", set()),
        ("technology=safety-alarm", {EXAMPLE_OCID}),
        ("technology=location-gps", set()),
        (f"supplier={SUPPLIER_ID}", {EXAMPLE_OCID}),
        ("status=terminated", {EXAMPLE_OCID}),
        ("status=contract", set()),
        ("municipality=3420&technology=safety-alarm&status=terminated", {EXAMPLE_OCID}),
        ("", {EXAMPLE_OCID, FICTIONAL_OCID}),
    ],
)
def test_record_filters_combine(client, platform, query, expected):
    submit(client, platform, sor_osterdal_safety_alarm_releases())
    submit(client, platform, FICTIONAL_PACKAGE)
    response = client.get(f"/v1/procurement/records?{query}")
    assert {r["ocid"] for r in response.json()} == expected


def test_records_as_csv(client, platform):
    submit(client, platform, sor_osterdal_safety_alarm_releases())
    response = client.get("/v1/procurement/records", headers={"Accept": "text/csv"})
    assert response.headers["content-type"].startswith("text/csv")
    (row,) = list(csv.DictReader(io.StringIO(response.text)))
    assert row["ocid"] == EXAMPLE_OCID
    assert row["municipalities"] == "3420|3421|3422"
    assert row["supplier_ids"] == SUPPLIER_ID and row["total_value"] == "10450000"
    assert client.get("/v1/procurement/records?format=csv").text.startswith("ocid,title,status")


def test_unknown_ids_and_filter_values(client):
    assert client.get("/v1/procurement/records/ocds-nope-1").status_code == 404
    assert client.get("/v1/suppliers/NO-BRC-000000000").status_code == 404
    bad = client.get("/v1/procurement/records?municipality=0301")
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "municipality"
    assert client.get("/v1/procurement/records?technology=robot").status_code == 422
    assert client.get("/v1/procurement/record-package").status_code == 404


# -- the renewal radar -----------------------------------------------------------------------------


@pytest.fixture
def radar_client(tmp_path: Path) -> Iterator[tuple[TestClient, Platform]]:
    """A platform whose clock says 1 February 2026: the example's contract runs to 31 August 2026."""
    built = build_platform(
        Settings(data_dir=tmp_path / "radar", cache_seconds=0),
        clock=lambda: datetime(2026, 2, 1, 9, 0, tzinfo=UTC),
    )
    with TestClient(create_app(built, process=False)) as test_client:
        test_client.auth = SigningAuth(PlatformTokens(built.settings))
        yield test_client, built
    built.close()


def test_radar_shows_the_contract_until_it_is_terminated(radar_client):
    client, platform = radar_client
    tender, award, contract, termination = sor_osterdal_safety_alarm_releases()
    submit(client, platform, [tender, award, contract])

    radar = client.get("/v1/procurement/radar?months=12").json()
    assert (radar["today"], radar["until"]) == ("2026-02-01", "2027-02-01")
    (entry,) = radar["contracts"]
    assert (entry["ocid"], entry["contract_id"], entry["end_date"]) == (
        EXAMPLE_OCID,
        "SOE-2022-001-K1",
        "2026-08-31",
    )
    assert [m["name"] for m in entry["municipalities"]] == ["Elverum", "Trysil", "Åmot"]
    assert entry["suppliers"][0]["id"] == SUPPLIER_ID and entry["days_left"] == 211
    assert client.get("/v1/procurement/radar?months=3").json()["contracts"] == []
    ending = client.get("/v1/procurement/records?ending_before=2026-09-01").json()
    assert [r["ocid"] for r in ending] == [EXAMPLE_OCID]

    submit(client, platform, termination)
    assert client.get("/v1/procurement/radar?months=12").json()["contracts"] == []
    assert client.get("/v1/procurement/records?ending_before=2026-09-01").json() == []
    assert record(client, EXAMPLE_OCID)["status"] == "terminated"
    assert client.get("/v1/procurement/radar?months=-1").status_code == 422


# -- refusals: clear, located, and nothing partial stored ------------------------------------------


def _release(**changes: Any) -> dict[str, Any]:
    release = sor_osterdal_safety_alarm_releases()[0]
    release.update(changes)
    return release


def test_body_that_is_not_json_is_refused_at_the_root(client, platform):
    response = client.post(
        "/v1/procurement/releases", content=b"{releases: [", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["refusals"] == [
        {"path": "$", "rule": "json", "message": "the body is not valid JSON"}
    ]
    assert published(platform) == 0


@pytest.mark.parametrize(
    ("body", "path", "rule"),
    [
        (_release(date="2022-01-10"), "$.date", "format"),
        ({k: v for k, v in _release().items() if k != "ocid"}, "$.ocid", "required"),
        ({"releases": [_release(tag="tender")]}, "$.releases[0].tag", "type"),
        ([_release(initiationType="auction")], "$[0].initiationType", "enum"),
        ({"releases": []}, "$.releases", "minItems"),
        ({"records": []}, "$.records", "unsupported"),
        ("a string", "$", "type"),
        (_release(date="2027-01-01T00:00:00Z"), "$.date", "future_date"),
    ],
)
def test_invalid_submissions_name_the_path_and_rule(client, platform, body, path, rule):
    response = client.post("/v1/procurement/releases", json=body)
    assert response.status_code == 422, response.text
    payload = response.json()
    refusals = payload["refusals"] + [r for res in payload["results"] for r in res["refusals"]]
    assert {"path": path, "rule": rule} in [{"path": r["path"], "rule": r["rule"]} for r in refusals]
    assert payload["accepted"] == 0 and payload["refused"] >= 1
    assert published(platform) == 0


def test_a_mixed_package_lands_only_its_valid_releases(client, platform):
    tender, award, *_ = sor_osterdal_safety_alarm_releases()
    broken = copy.deepcopy(award)
    broken["awards"][0]["value"]["amount"] = "ti millioner"
    body = submit(client, platform, {"releases": [tender, broken]})
    assert (body["accepted"], body["refused"]) == (1, 1)
    refused = body["results"][1]
    assert refused["status"] == "refused" and refused["id"] == award["id"]
    assert refused["refusals"] == [
        {
            "path": "$.releases[1].awards[0].value.amount",
            "rule": "type",
            "message": "must be of type number or null, not string",
        }
    ]
    assert "ti millioner" not in json.dumps(body)
    assert published(platform) == 1
    assert [r["id"] for r in record(client, EXAMPLE_OCID)["releases"]] == [tender["id"]]


def test_package_over_the_size_limit_is_refused_whole(client, platform):
    big = _release()
    # Over 5 MiB in strings that each stay under the per-string limit of the API.
    big["planning"] = {"documents": [{"id": str(i), "description": "x" * 60_000} for i in range(90)]}
    response = client.post("/v1/procurement/releases", json={"releases": [big, _release(id="small")]})
    assert response.status_code == 413
    assert [(r["path"], r["rule"]) for r in response.json()["refusals"]] == [("$", "max_size")]
    assert published(platform) == 0

    # The same limit applies to decoded input (the file import), on compact JSON.
    result = platform.procurement_ingest.submit({"releases": [big]})
    assert [(r.path, r.rule) for r in result.refusals] == [("$", "max_size")]
    assert (result.accepted, result.refused) == (0, 1)


def test_too_many_releases_are_refused_whole(client, platform):
    response = client.post("/v1/procurement/releases", json={"releases": [{}] * 1001})
    assert response.status_code == 422
    assert [(r["path"], r["rule"]) for r in response.json()["refusals"]] == [("$.releases", "max_items")]
    assert published(platform) == 0


# -- personal data ---------------------------------------------------------------------------------


def test_personal_data_and_identity_numbers_are_never_stored(client, platform):
    releases = sor_osterdal_safety_alarm_releases()
    releases[0]["tender"]["description"] += f" Kontakt saksbehandler, fnr {FNR}."
    releases[1]["parties"][3]["additionalIdentifiers"] = [{"scheme": "NO-FNR", "id": FNR}]
    body = submit(client, platform, {"releases": releases})
    assert body["accepted"] == 4
    assert "$.releases[0].tender.description" in body["results"][0]["removed"]
    refused = submit(client, platform, _release(ocid=f"ocds-213czf-{FNR}"), status=422)
    assert refused["results"][0]["refusals"][0]["path"] == "$.ocid"
    assert refused["results"][0]["ocid"] is None

    served = json.dumps(record(client, EXAMPLE_OCID), ensure_ascii=False)
    for text in (*PERSONAL, FNR):
        assert text not in served
        assert text not in json.dumps(body, ensure_ascii=False) + json.dumps(refused, ensure_ascii=False)
    assert "[removed]" in served
    files = [p for p in platform.settings.data_dir.rglob("*") if p.is_file()]
    assert {p.name for p in files} >= {"events.db", "views.db"}
    for path in files:
        data = path.read_bytes()
        for text in (*PERSONAL, FNR):
            assert text.encode() not in data, (path.name, text)


def test_releases_written_straight_to_the_log_are_screened_or_dead_lettered(platform):
    tender = sor_osterdal_safety_alarm_releases()[0]  # still has its contact persons
    broken = dict(tender, id="broken", date="not a date")
    platform.log.append(
        PROCUREMENT_RELEASES.name,
        [
            LogRecord(EXAMPLE_OCID, orjson.dumps(tender)),
            LogRecord(EXAMPLE_OCID, orjson.dumps(broken)),
            LogRecord(None, b"{nope"),
        ],
    )
    platform.drain()
    stored = platform.procurement_queries.record(EXAMPLE_OCID)
    assert [r["id"] for r in stored["releases"]] == [tender["id"]]
    assert "Kari Nordmann" not in json.dumps(stored, ensure_ascii=False)
    letters = [orjson.loads(e.value) for e in platform.log.read(DEAD_LETTER.name, 0, 0, 10)]
    assert sorted(letter["reason"] for letter in letters) == ["invalid_json", "validation_failed"]
    invalid = next(letter for letter in letters if letter["reason"] == "validation_failed")
    assert invalid["errors"][0]["field"] == "$.date" and "not a date" not in json.dumps(invalid)


# -- the OCDS record package -----------------------------------------------------------------------


def test_record_package_validates_against_the_official_schema(client, platform):
    submit(client, platform, FICTIONAL_PACKAGE)
    submit(client, platform, sor_osterdal_safety_alarm_releases())
    submit(client, platform, SIMPLE)
    response = client.get("/v1/procurement/record-package")
    assert response.status_code == 200
    package = response.json()
    validator = Draft4Validator(record_package_schema(), registry=registry(), format_checker=FormatChecker())
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(package)]
    assert errors == []
    assert not validator.is_valid({**package, "records": [{"ocid": "x"}]})  # the check has teeth
    assert [r["ocid"] for r in package["records"]] == [FICTIONAL_OCID, "ocds-213czf-A", EXAMPLE_OCID]
    assert package["publishedDate"] == "2026-11-30T12:00:00Z" and package["version"] == "1.1"
    (example,) = [r for r in package["records"] if r["ocid"] == EXAMPLE_OCID]
    assert [r["date"] for r in example["releases"]] == sorted(
        (r["date"] for r in example["releases"]), key=lambda d: datetime.fromisoformat(d)
    )
    assert "Kari Nordmann" not in response.text
