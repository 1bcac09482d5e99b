"""Ownership of procurement records (``services/procurement/ownership.py``), over HTTP and
through the log, against generated sequences of publishers and a model of the rule.

The model: an ocid belongs to the buyers of its first accepted release, joined by the buyers
of every later accepted one; a municipality may only publish releases naming itself as a
buyer; a later release is accepted from an owner, or from a coordinator with
``alliance:admin`` (an override, shown on the record).
"""

from __future__ import annotations

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schemas.topics import DEAD_LETTER, PROCUREMENT_RELEASES
from services.core.ports import LogRecord
from tests.support.auth import COORDINATOR_ORG, org_of
from tests.support.ocds import release

operations = st.lists(
    st.tuples(
        st.sampled_from(["3420", "3403", "admin"]),
        st.sampled_from(["ocds-213czf-own-1", "ocds-213czf-own-2"]),
        st.sampled_from([["3420"], ["3403"], ["3420", "3425"], ["3403", "3420"]]),
        st.sampled_from(["r1", "r2", "r3"]),
    ),
    min_size=1,
    max_size=8,
)


def _headers(tokens, actor: str) -> dict[str, str]:
    return tokens.operator() if actor == "admin" else tokens.municipality(actor)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=operations)
def test_only_owners_and_admins_write_into_a_process(client, platform, tokens, ops):
    suffix = str(abs(hash(tuple(map(str, ops)))))  # a fresh pair of processes per example
    owners: dict[str, set[str]] = {}
    published: dict[str, dict[str, tuple[list[str], bool]]] = {}  # release id → (publisher, override)
    for day, (actor, base, buyers, rid) in enumerate(ops, start=1):
        ocid = f"{base}-{suffix}"
        body = release(ocid, f"{ocid}-{rid}", buyers, day)
        response = client.post("/v1/procurement/releases", json=body, headers=_headers(tokens, actor))
        platform.drain()
        buyer_orgs = {org_of(code) for code in buyers}
        mine = actor == "admin" or org_of(actor) in buyer_orgs
        allowed = mine and (ocid not in owners or actor == "admin" or org_of(actor) in owners[ocid])
        if allowed:
            assert response.status_code == 200, response.text
            owners.setdefault(ocid, set()).update(buyer_orgs)  # an accepted release's buyers join
            publisher = COORDINATOR_ORG if actor == "admin" else org_of(actor)
            published.setdefault(ocid, {})[body["id"]] = ([publisher], actor == "admin")
        else:
            assert response.status_code == 403, response.text
            (result,) = response.json()["results"]
            assert [r["rule"] for r in result["refusals"]] == ["not_permitted"]
    for ocid, expected in owners.items():
        record = client.get(f"/v1/procurement/records/{ocid}").json()
        assert set(record["owners"]) == expected
        shown = {p["release_id"]: (p["org_numbers"], p["override"]) for p in record["published_by"]}
        assert shown == published[ocid]
        assert {r["id"] for r in record["releases"]} == set(published[ocid])


def test_a_release_into_a_foreign_process_written_to_the_log_is_dead_lettered(client, platform, tokens):
    ocid = "ocds-213czf-own-topic"
    assert (
        client.post(
            "/v1/procurement/releases",
            json=release(ocid, f"{ocid}-r1", ["3420"]),
            headers=tokens.municipality("3420"),
        ).status_code
        == 200
    )
    platform.drain()
    hijack = release(ocid, f"{ocid}-r1", ["3403"], day=2)  # Elverum's release id, Hamar as buyer
    other = release(ocid, f"{ocid}-r2", ["3403"], day=3)
    platform.log.append(
        PROCUREMENT_RELEASES.name,
        [LogRecord(ocid, orjson.dumps(hijack)), LogRecord(ocid, orjson.dumps(other))],
    )
    platform.drain()
    record = client.get(f"/v1/procurement/records/{ocid}").json()
    assert record["owners"] == [org_of("3420")] and record["municipalities"] == ["3420"]
    assert [r["id"] for r in record["releases"]] == [f"{ocid}-r1"]
    assert record["releases"][0]["buyer"]["name"] == "Elverum kommune"
    assert record["published_by"] == [
        {"release_id": f"{ocid}-r1", "org_numbers": [org_of("3420")], "override": False, "via": "api"}
    ]
    letters = [
        orjson.loads(e.value)
        for p in platform.log.partitions(DEAD_LETTER.name)
        for e in platform.log.read(DEAD_LETTER.name, p, 0, 100)
    ]
    refused = [letter for letter in letters if letter["reason"] == "not_permitted"]
    assert len(refused) == 2 and refused[0]["errors"][0]["field"] == "$.buyer"
    # The owner itself may still add releases, straight to the log too.
    own = release(ocid, f"{ocid}-r3", ["3420"], day=4)
    platform.log.append(PROCUREMENT_RELEASES.name, [LogRecord(ocid, orjson.dumps(own))])
    platform.drain()
    record = client.get(f"/v1/procurement/records/{ocid}").json()
    assert [r["id"] for r in record["releases"]] == [f"{ocid}-r1", f"{ocid}-r3"]
    assert record["published_by"][-1]["via"] == "topic"
