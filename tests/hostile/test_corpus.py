"""The hostile-input corpus through the API, ``alliance import`` and the event topic.

One parametrised test per case checks its expected outcome; the conservation test runs the
whole corpus through one platform and checks that every input was applied exactly once or
refused with a reason — nothing lost, nothing doubled.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path
from typing import Any

import orjson
import pytest
from typer.testing import CliRunner

from alliance.cli import app as cli
from api.routes.events import MAX_BATCH
from schemas.topics import DEAD_LETTER, PILOT_EVENTS
from services.adoption.service import FACTS
from services.core.ports import LogRecord
from services.intake.events import EVENT_IDS
from tests.conftest import NOW
from tests.hostile.corpus import CSV_COLUMNS, build_event, build_input, csv_row, load_cases, repeated
from tests.oracles.adoption import reference_views
from tests.support.auth import HOSPITAL_ORG, READ, WRITE, org_of
from tests.support.factories import FNR, H_NUMBER

CASES = load_cases()
SECRETS = (FNR[6:], H_NUMBER[6:])  # the individual digits of synthetic identity numbers


def test_the_corpus_is_large_and_covers_every_channel():
    channels = Counter(c["channel"] for c in CASES)
    assert len(CASES) >= 60 and set(channels) == {"api", "import", "topic"}
    assert len({c["id"] for c in CASES}) == len(CASES)


# -- the API --------------------------------------------------------------------------------------


def _headers(role: str, tokens: Any) -> dict[str, str]:
    if role == "anonymous":
        return {}
    if role == "hospital":
        return tokens.headers(HOSPITAL_ORG, f"{WRITE} {READ}")
    if role == "operator":
        return tokens.operator()
    if role == "expired":
        settings = tokens.settings
        token = tokens.issuer.issue(
            org_of("3420"), WRITE, settings.auth_issuer, settings.auth_audience, exp=1, iat=0, nbf=0
        )
        return {"Authorization": f"Bearer {token}"}
    return tokens.municipality(role)


def _post(client: Any, tokens: Any, body: bytes, role: str, content_type: str = "application/json") -> Any:
    headers = {**_headers(role, tokens), "content-type": content_type}
    return client.post("/v1/events", content=body, headers=headers, auth=None)


def _check_response(case_id: str, response: Any, expect: dict[str, Any]) -> None:
    assert response.status_code == expect["status"], (case_id, response.text[:500])
    body = response.json() if response.content else {}
    for text in SECRETS:
        assert text not in response.text, case_id
    if "errors" in expect:
        assert sorted((e["field"], e["rule"]) for e in body["errors"]) == sorted(map(tuple, expect["errors"]))
    if "rule" in expect:
        assert expect["rule"] in {e["rule"] for e in body.get("errors", [])}, case_id
    if "outcome" in expect:
        assert body["status"] == expect["outcome"], case_id
    if "results" in expect:
        got = [(r["status"], r["errors"][0]["rule"] if r.get("errors") else None) for r in body["results"]]
        assert got == [tuple(r) for r in expect["results"]], case_id
    if response.status_code == 401:
        assert response.headers["www-authenticate"].startswith("Bearer ")


def run_api_case(case: dict[str, Any], client: Any, platform: Any, tokens: Any) -> list[Any]:
    """Send a case (and its repeat); return the responses."""
    for spec in case.get("setup", []):
        assert client.post("/v1/events", json=build_event(spec, case["id"])).status_code == 202
    platform.drain()
    sent = build_input(case)
    role = case.get("as", "3420")
    responses = [_post(client, tokens, sent.body, role, case.get("content_type", "application/json"))]
    if "repeat" in case:
        if case["repeat"].get("drain"):
            platform.drain()
        again = repeated(case, sent)
        responses.append(_post(client, tokens, again.body, case["repeat"].get("as", role)))
    return responses


@pytest.mark.parametrize("case", [c for c in CASES if c["channel"] == "api"], ids=lambda c: c["id"])
def test_api_case(case, client, platform, tokens):
    responses = run_api_case(case, client, platform, tokens)
    expect = case["expect"]
    _check_response(case["id"], responses[0], expect)
    if "again" in expect:
        _check_response(case["id"], responses[1], expect["again"])
    if "shown" in expect:
        _check_shown(case, client, platform, expect["shown"])
    if "after_drain" in expect:
        platform.drain()
        event_id = responses[0].json()["event_id"]
        status = client.get(f"/v1/events/{event_id}").json()
        wanted = expect["after_drain"].split(":")
        assert [status["status"], status.get("reason")][: len(wanted)] == wanted, case["id"]


def _check_shown(case: dict[str, Any], client: Any, platform: Any, shown: dict[str, Any]) -> None:
    """What the views give back after processing: the pilot's fields and the adoption cells."""
    platform.drain()
    pilot_id = f"h-{case['id']}"[:60]
    pilot = client.get(f"/v1/pilots/{pilot_id}")
    assert pilot.status_code == 200, (case["id"], pilot.text[:300])
    for name, value in shown.get("pilot", {}).items():
        assert pilot.json()[name] == value, (case["id"], name)
    if "cells" in shown:
        cells = client.get("/v1/adoption").json()["cells"]
        assert sorted([c["municipality"], c["technology"], c["pilots"]] for c in cells) == shown["cells"]


# -- file import ----------------------------------------------------------------------------------


def _import_lines(case: dict[str, Any]) -> list[bytes]:
    sent = build_input(case)
    lines = [sent.body]
    if "repeat" in case:
        lines.append(repeated(case, sent).body)
    return lines


def _summary(output: str) -> Counter[str]:
    counts: Counter[str] = Counter()
    for outcome, number in re.findall(r"(accepted|duplicate|refused|conflict)\s*│\s*(\d+)", output):
        counts[outcome] = int(number)
    return counts


def _csv_file(cases: list[dict[str, Any]], path: Path) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        for case in cases:
            writer.writerow(csv_row(case))
    return path


def run_import(
    lines: list[bytes], data_dir: Path, tmp_path: Path, file: Path | None = None
) -> tuple[int, str]:
    if file is None:
        file = tmp_path / "hostile.jsonl"
        file.write_bytes(b"\n".join(lines) + b"\n")
    result = CliRunner().invoke(cli, ["import", str(file), "--data-dir", str(data_dir)], terminal_width=200)
    return result.exit_code, result.output


@pytest.mark.parametrize("case", [c for c in CASES if c["channel"] == "import"], ids=lambda c: c["id"])
def test_import_case(case, tmp_path):
    data_dir = tmp_path / "var"
    if "csv" in case:
        code, output = run_import([], data_dir, tmp_path, _csv_file([case], tmp_path / "hostile.csv"))
    else:
        code, output = run_import(_import_lines(case), data_dir, tmp_path)
    expect = case["expect"]
    outcomes = [expect["outcome"], *([expect["again"]] if "again" in expect else [])]
    assert _summary(output) == Counter(outcomes), output
    assert code == (1 if {"refused", "conflict"} & set(outcomes) else 0), output
    if "rule" in expect:
        assert expect["rule"] in output, output
    for text in SECRETS:
        assert text not in output
        for path in data_dir.rglob("*"):
            assert not path.is_file() or text.encode() not in path.read_bytes()


# -- the event topic (Kafka in the distributed shape; the embedded log takes the same bytes) -----


def _append(platform: Any, body: bytes) -> tuple[int, int]:
    """Append raw bytes to pilot-events; return (partition, offset) of the record."""
    topic = PILOT_EVENTS.name
    before = {p: platform.log.end_offset(topic, p) for p in platform.log.partitions(topic)}
    platform.log.append(topic, [LogRecord(key="3420", value=body)])
    (where,) = [(p, before[p]) for p in before if platform.log.end_offset(topic, p) > before[p]]
    return where


def _letters(platform: Any) -> list[dict[str, Any]]:
    return [
        orjson.loads(e.value)
        for p in platform.log.partitions(DEAD_LETTER.name)
        for e in platform.log.read(DEAD_LETTER.name, p, 0, 100_000)
    ]


def run_topic_case(case: dict[str, Any], platform: Any) -> list[tuple[str, str | None]]:
    """Append the case's record(s); return per record ('applied'|'dead_lettered', reason)."""
    for spec in case.get("setup", []):
        event = build_event(spec, case["id"])
        platform.log.append(PILOT_EVENTS.name, [LogRecord("3420", orjson.dumps(_stamped(event)))])
    platform.drain()
    sent = build_input(case)
    bodies = [_record(sent)]
    if "repeat" in case:
        bodies.append(_record(repeated(case, sent)))
    places = [_append(platform, body) for body in bodies]
    platform.drain()
    letters = _letters(platform)
    outcomes = []
    # A repeat sends the same event_id again (unless the case sent none at all).
    ids = (sent.event_ids * len(places))[: len(places)] or [None] * len(places)
    for (partition, offset), event_id in zip(places, ids, strict=True):
        mine = [
            d
            for d in letters
            if (d["topic"], d["partition"], d["offset"]) == (PILOT_EVENTS.name, partition, offset)
        ]
        if mine:
            outcomes.append(("dead_lettered", mine[0]["reason"]))
        else:
            assert event_id and platform.store.get(FACTS, event_id), case["id"]
            outcomes.append(("applied", None))
    for text in SECRETS:
        assert all(text not in orjson.dumps(d).decode() for d in letters)
    return outcomes


def _stamped(event: Any) -> Any:
    if isinstance(event, dict) and "recorded_at" not in event:
        return {**event, "recorded_at": NOW.isoformat(), "source": "kafka"}
    return event


def _record(sent: Any) -> bytes:
    return orjson.dumps(_stamped(sent.value)) if isinstance(sent.value, dict) else sent.body


@pytest.mark.parametrize("case", [c for c in CASES if c["channel"] == "topic"], ids=lambda c: c["id"])
def test_topic_case(case, platform):
    expect = case["expect"]
    outcomes = run_topic_case(case, platform)
    assert outcomes[0] == (expect["outcome"], expect.get("reason")), case["id"]
    if "again" in expect:
        assert outcomes[1][0] == expect["again"]
        _applied_once(case, platform)


def _applied_once(case: dict[str, Any], platform: Any) -> None:
    """The pilot's view equals the reference fold of the distinct events: a double would show."""
    sent = build_input(case)
    events = [build_event(spec, case["id"]) for spec in case.get("setup", [])]
    if isinstance(sent.value, dict):
        events += [sent.value, repeated(case, sent).value]
    pilots, _cells = reference_views([e for e in events if isinstance(e.get("payload"), dict)])
    for pilot_id, expected in pilots.items():
        if expected.owner is None:
            continue
        view = platform.queries.pilot(pilot_id)
        assert len(view["lessons"]) == expected.lessons, case["id"]
        assert view["phase"] == expected.phase, case["id"]


def _items_sent(case: dict[str, Any]) -> int:
    """How many answers a case's requests get: one per element of an array of at most 1000
    (the batch limit; a longer array is refused whole), else one per request."""
    sent = build_input(case)
    try:
        value = orjson.loads(sent.body)
    except orjson.JSONDecodeError:
        value = None
    per_request = len(value) if isinstance(value, list) and len(value) <= MAX_BATCH else 1
    return per_request * (2 if "repeat" in case else 1)


def _accepted_expected(case: dict[str, Any]) -> int:
    """How many new events a case's expectation says were accepted."""
    expect = case["expect"]
    answers = [expect, *([expect["again"]] if "again" in expect else [])]
    total = 0
    for answer in answers:
        if "results" in answer:
            total += sum(1 for status, _rule in answer["results"] if status == "accepted")
        elif answer.get("status") == 202 and answer.get("outcome", "accepted") == "accepted":
            total += 1
    return total


# -- conservation over the whole corpus -----------------------------------------------------------


def _published(platform: Any) -> int:
    topic = PILOT_EVENTS.name
    return sum(platform.log.end_offset(topic, p) for p in platform.log.partitions(topic))


def test_conservation_every_input_applied_once_or_refused_with_a_reason(client, platform, tokens, tmp_path):
    tally: Counter[str] = Counter()
    inputs = 0
    sent_items = sum(_items_sent(c) for c in CASES if c["channel"] == "api")
    before = _published(platform)
    setups = 0
    for case in (c for c in CASES if c["channel"] == "api"):
        setups += len(case.get("setup", []))
        for response in run_api_case(case, client, platform, tokens):
            body = response.json() if response.content else {}
            items = body.get("results") if isinstance(body, dict) and "results" in body else [body]
            for item in items:
                inputs += 1
                status = item.get("status") if response.status_code in (200, 202, 403, 409, 422) else None
                if status in ("accepted", "duplicate"):
                    tally[status] += 1
                else:
                    # Refused: the response names a rule (or the token problem) for it.
                    reasons = (
                        item.get("errors") or body.get("errors") or response.headers.get("www-authenticate")
                    )
                    assert reasons or body.get("detail"), (case["id"], response.text[:300])
                    tally["refused"] += 1
    # Every item sent got exactly one answer (counted from the cases, not from the answers).
    assert inputs == sent_items
    assert tally["accepted"] == sum(_accepted_expected(c) for c in CASES if c["channel"] == "api")
    # Each accepted event is in the log exactly once; duplicates and refusals added nothing.
    assert _published(platform) - before == tally["accepted"] + setups
    platform.drain()

    importing = [c for c in CASES if c["channel"] == "import"]
    lines = [line for c in importing if "csv" not in c for line in _import_lines(c)]
    rows = [c for c in importing if "csv" in c]
    at_import = _published(platform)
    platform.close()
    code, output = run_import(lines, platform.settings.data_dir, tmp_path)
    summary = _summary(output)
    assert sum(summary.values()) == len(lines), output
    assert code == 1
    code, output = run_import(
        [], platform.settings.data_dir, tmp_path, _csv_file(rows, tmp_path / "rows.csv")
    )
    from_csv = _summary(output)
    assert sum(from_csv.values()) == len(rows), output
    summary += from_csv
    from alliance.bootstrap import build_platform

    reopened = build_platform(platform.settings)
    try:
        assert _published(reopened) - at_import == summary["accepted"]
        # What the platform itself published (API and import), before raw records are appended.
        published_by_us = {
            p: reopened.log.end_offset(PILOT_EVENTS.name, p)
            for p in reopened.log.partitions(PILOT_EVENTS.name)
        }
        appended = 0
        for case in (c for c in CASES if c["channel"] == "topic"):
            outcomes = run_topic_case(case, reopened)
            appended += len(outcomes)
            assert all(kind == "applied" or reason for kind, reason in outcomes), case["id"]
        assert appended == sum(1 + ("repeat" in c) for c in CASES if c["channel"] == "topic")
        # No identity number reached the dead letters, nor anything the platform published
        # (the raw records appended by the topic cases carry them on purpose).
        for p, end in published_by_us.items():
            for entry in reopened.log.read(PILOT_EVENTS.name, p, 0, end):
                assert all(text.encode() not in entry.value for text in SECRETS)
        for p in reopened.log.partitions(DEAD_LETTER.name):
            for entry in reopened.log.read(DEAD_LETTER.name, p, 0, 1_000_000):
                assert all(text.encode() not in entry.value for text in SECRETS)
        assert reopened.store.count(EVENT_IDS) >= tally["accepted"]
    finally:
        reopened.close()
