"""Smoke tests: the provisioned Kafka and FerretDB servers work end to end."""

from __future__ import annotations

import sys
import time
import uuid
from pathlib import Path

import pytest
from kafka import KafkaConsumer, KafkaProducer
from pymongo import ASCENDING, InsertOne, MongoClient, UpdateOne
from pymongo.errors import DuplicateKeyError

try:
    from tests.support import servers
except ModuleNotFoundError:  # plain `pytest` without the project root on sys.path
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from tests.support import servers

pytestmark = pytest.mark.integration


def test_kafka_keyed_messages_round_trip() -> None:
    bootstrap = servers.kafka_bootstrap()
    topic = f"smoke-{uuid.uuid4().hex[:12]}"  # fresh topic, auto-created on first send
    sent = [(f"pilot-{i}", f"event {i}") for i in range(3)]

    producer = KafkaProducer(
        bootstrap_servers=bootstrap,
        client_id="smoke-producer",
        acks="all",
    )
    try:
        futures = [producer.send(topic, key=key.encode(), value=value.encode()) for key, value in sent]
        producer.flush(timeout=30)
        offsets = [future.get(timeout=30).offset for future in futures]
    finally:
        producer.close(timeout=10)
    assert offsets == [0, 1, 2]

    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        client_id="smoke-consumer",
        group_id=f"smoke-{uuid.uuid4().hex[:12]}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    received: list[tuple[str, str]] = []
    try:
        deadline = time.monotonic() + 60
        while len(received) < len(sent) and time.monotonic() < deadline:
            for records in consumer.poll(timeout_ms=1000).values():
                received.extend((record.key.decode(), record.value.decode()) for record in records)
        consumer.commit()
    finally:
        consumer.close()

    assert received == sent


def test_ferretdb_insert_bulk_upsert_query() -> None:
    uri = servers.ferretdb_uri()
    db_name = f"smoke_{uuid.uuid4().hex[:12]}"
    client: MongoClient = MongoClient(uri, serverSelectionTimeoutMS=10_000)
    try:
        pilots = client[db_name]["pilots"]
        pilots.create_index([("code", ASCENDING)], unique=True)

        pilots.insert_many(
            [
                {"_id": "p1", "code": "HAM-1", "municipality": "Hamar", "adopted": False},
                {"_id": "p2", "code": "GJO-1", "municipality": "Gjøvik", "adopted": False},
            ]
        )

        result = pilots.bulk_write(
            [
                UpdateOne({"_id": "p1"}, {"$set": {"adopted": True}}, upsert=True),
                UpdateOne(
                    {"_id": "p3"},
                    {"$set": {"code": "HAM-2", "municipality": "Hamar", "adopted": True}},
                    upsert=True,
                ),
                InsertOne({"_id": "p4", "code": "ELV-1", "municipality": "Elverum"}),
            ],
            ordered=True,
        )
        assert result.matched_count == 1
        assert result.modified_count == 1
        assert result.upserted_count == 1
        assert result.inserted_count == 1

        hamar = list(pilots.find({"municipality": "Hamar"}).sort("_id", ASCENDING))
        assert [doc["_id"] for doc in hamar] == ["p1", "p3"]
        assert all(doc["adopted"] for doc in hamar)
        assert pilots.count_documents({"adopted": True}) == 2
        assert pilots.find_one({"code": "GJO-1"})["municipality"] == "Gjøvik"

        with pytest.raises(DuplicateKeyError):
            pilots.insert_one({"_id": "p5", "code": "HAM-1"})
    finally:
        client.drop_database(db_name)
        client.close()
