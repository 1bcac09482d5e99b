"""The trust gates in the distributed shape: real Kafka, FerretDB, API and workers.

Records produced straight onto the topics (past the API) meet the same rules as the API's
input: a release into another buyer's process is dead-lettered ``not_permitted``, an event
with a future period ``period_in_future``, an identity number written with dots
``identity_number``; nothing of them is applied. The API over FerretDB refuses the same
things up front, and answers hostile requests with 4xx.
"""

from __future__ import annotations

import orjson
import pytest
from kafka import KafkaProducer

from tests.conftest import NOW
from tests.support.auth import org_of
from tests.support.distributed import Distributed, wait_until
from tests.support.factories import FNR, lesson, metrics, registered
from tests.support.ocds import release

pytestmark = pytest.mark.integration

OCID = "ocds-213czf-trust-1"


def _letters(client, rule: str) -> list[dict]:
    """Dead letters refused by ``rule`` (the reason, or the rule of one of their errors)."""
    items = client.get("/v1/dead-letters").json()["items"]
    return [i for i in items if i["reason"] == rule or any(e["rule"] == rule for e in i["errors"])]


def test_records_written_past_the_api_meet_the_same_gates(distributed: Distributed, kafka_bootstrap):
    distributed.start_api()
    distributed.start_worker("procurement")
    distributed.start_worker("adoption")
    tokens_client = distributed.client()
    with tokens_client as client:
        elverum = client.post(
            "/v1/procurement/releases",
            json=release(OCID, f"{OCID}-r1", ["3420"]),
            headers=client.auth.tokens.municipality("3420"),
        )
        assert elverum.status_code == 200, elverum.text
        assert client.post("/v1/events", json=registered("trust-p1", municipality="3420")).status_code == 202
        wait_until(
            lambda: client.get(f"/v1/procurement/records/{OCID}").status_code == 200, 120, what="record"
        )

        # The API, reading the owners from FerretDB, refuses Hamar at once.
        hamar = client.post(
            "/v1/procurement/releases",
            json=release(OCID, f"{OCID}-r2", ["3403"], day=2),
            headers=client.auth.tokens.municipality("3403"),
        )
        assert hamar.status_code == 403
        assert hamar.json()["results"][0]["refusals"][0]["rule"] == "not_permitted"

        # Past the API, straight onto the topics.
        stamp = {"recorded_at": NOW.isoformat(), "source": "kafka"}
        dotted = f"{FNR[:2]}.{FNR[2:4]}.{FNR[4:6]} {FNR[6:]}"
        producer = KafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
        producer.send(
            f"{distributed.prefix}procurement-releases",
            key=OCID.encode(),
            value=orjson.dumps(release(OCID, f"{OCID}-r1", ["3403"], day=3)),  # Elverum's id, Hamar as buyer
        )
        for event in (
            {**metrics("trust-p1", "2099-12", municipality="3420", users_active=5), **stamp},
            {**lesson("trust-p1", text=f"Bruker {dotted} fikk hjelp", municipality="3420"), **stamp},
        ):
            producer.send(f"{distributed.prefix}pilot-events", key=b"3420", value=orjson.dumps(event))
        producer.flush(60)
        producer.close()

        for rule in ("not_permitted", "period_in_future", "identity_number"):
            wait_until(lambda r=rule: _letters(client, r), 120, what=f"a dead letter for {rule}")
        (future,) = _letters(client, "period_in_future")
        assert [(e["field"], e["rule"]) for e in future["errors"]] == [("payload.period", "period_in_future")]
        record = client.get(f"/v1/procurement/records/{OCID}").json()
        assert record["owners"] == [org_of("3420")] and record["municipalities"] == ["3420"]
        assert [p["org_numbers"] for p in record["published_by"]] == [[org_of("3420")]]
        pilot = client.get("/v1/pilots/trust-p1").json()
        assert pilot["metrics"] == {} and pilot["lessons"] == []

        # Hostile requests against the distributed API: refusals, never server errors.
        assert client.get(f"/v1/events/{FNR}").status_code == 400
        assert client.get("/v1/lessons", params={"q": dotted}).status_code == 400
        assert (
            client.get(
                "/v1/adoption", headers=[("Authorization", "Bearer a"), ("Authorization", "Bearer b")]
            ).status_code
            == 400
        )
        deep = b'{"a":' * 5000 + b"1" + b"}" * 5000
        response = client.post("/v1/events", content=deep, headers={"Content-Type": "APPLICATION/JSON"})
        assert 400 <= response.status_code < 500
        for text in (client.get("/v1/dead-letters").text, record.__repr__()):
            assert FNR not in text and FNR[6:] not in text
