"""Loading and running the hostile-input corpus (``cases.jsonl``) through its channel.

A case names its channel (``api``, ``import`` or ``topic``), how to build its input and the
outcome it must have. Identity numbers are written as placeholders (``{FNR}``, ``{D_NUMBER}``
…) and filled in from :mod:`tests.support.factories`; ``{REPEAT c n}`` is ``c`` repeated ``n`` times.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from tests.support.factories import D_NUMBER, FNR, H_NUMBER, concluded, lesson, metrics, phase, registered

CASES_FILE = Path(__file__).with_name("cases.jsonl")
PLACEHOLDERS = {
    "{FNR}": FNR,
    "{FNR_SPACED}": f"{FNR[:6]} {FNR[6:]}",
    "{FNR_HYPHEN}": f"{FNR[:6]}-{FNR[6:]}",
    "{D_NUMBER}": D_NUMBER,
    "{D_NUMBER_HYPHEN}": f"{D_NUMBER[:6]}-{D_NUMBER[6:]}",
    "{H_NUMBER}": H_NUMBER,
}
_REPEAT = re.compile(r"\{REPEAT (.) (\d+)\}")
AT = "2026-01-01T08:00:00Z"


def load_cases() -> list[dict[str, Any]]:
    return [
        orjson.loads(line) for line in CASES_FILE.read_text(encoding="utf-8").splitlines() if line.strip()
    ]


def fill(value: Any) -> Any:
    """Placeholders replaced, recursively (member names too)."""
    if isinstance(value, str):
        for key, text in PLACEHOLDERS.items():
            value = value.replace(key, text)
        return _REPEAT.sub(lambda m: m.group(1) * int(m.group(2)), value)
    if isinstance(value, list):
        return [fill(v) for v in value]
    if isinstance(value, dict):
        return {fill(k): fill(v) for k, v in value.items()}
    return value


def _set(target: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    for name in parents:
        target = target.setdefault(name, {})
    target[last] = value


def _delete(target: dict[str, Any], path: str) -> None:
    *parents, last = path.split(".")
    for name in parents:
        target = target[name]
    target.pop(last, None)


def build_event(spec: dict[str, Any], case_id: str) -> dict[str, Any]:
    """An event from a template, then ``set`` and ``delete`` applied (placeholders filled)."""
    pilot = f"h-{case_id}"[:60]
    template = spec.get("template", "registered")
    event = {
        "registered": lambda: registered(pilot, municipality="3420", at=AT),
        "metrics": lambda: metrics(pilot, "2026-10", municipality="3420", users_active=2, at=AT),
        "lesson": lambda: lesson(pilot, municipality="3420", at=AT),
        "phase": lambda: phase(pilot, "implementing", municipality="3420", at="2026-02-01T08:00:00Z"),
        "concluded": lambda: concluded(pilot, "discontinued", municipality="3420", at="2026-03-01T08:00:00Z"),
    }[template]()
    for path, value in fill(spec.get("set", {})).items():
        _set(event, path, value)
    for path in spec.get("delete", []):
        _delete(event, path)
    return event


@dataclass
class Input:
    """What a case sends: bytes (and the decoded value, when there is one)."""

    body: bytes
    value: Any = None
    event_ids: list[str] = field(default_factory=list)


def _nested(depth: int) -> Any:
    value: Any = "leaf"
    for _ in range(depth):
        value = {"a": value}
    return value


def build_input(case: dict[str, Any]) -> Input:
    """The bytes of a case's (first) request or record."""
    case_id = case["id"]
    if "raw" in case:
        return Input(fill(case["raw"]).encode())
    if "raw_hex" in case:
        return Input(bytes.fromhex(case["raw_hex"]))
    if "oversize" in case:
        return Input(b'["' + b"x" * case["oversize"] + b'"]')
    if "raw_event" in case:
        event = build_event(case["raw_event"], case_id)
        old, new = fill(case["raw_replace"])
        text = orjson.dumps(event).decode()
        assert old in text, (case_id, old)
        return Input(text.replace(old, new).encode(), None, [event["event_id"]])
    if "many" in case:
        events = [build_event({}, f"{case_id}-{i}") for i in range(case["many"])]
        return Input(orjson.dumps(events), events, [e["event_id"] for e in events])
    if "batch" in case:
        items: list[Any] = []
        for i, spec in enumerate(case["batch"]):
            if "same_as" in spec:
                item = copy.deepcopy(items[spec["same_as"]])
                for path, value in fill(spec.get("set", {})).items():
                    _set(item, path, value)
            else:
                item = build_event(spec, f"{case_id}-{i}")
            items.append(item)
        return Input(orjson.dumps(items), items, [i["event_id"] for i in items if isinstance(i, dict)])
    if "event" in case:
        event = build_event(case["event"], case_id)
        if "deep" in case:
            event["payload"]["nested"] = _nested(case["deep"])
        if "long_array" in case:
            event["payload"]["partners"] = ["p"] * case["long_array"]
        if case.get("stamps"):
            event |= {"recorded_at": "2026-01-01T08:00:01+00:00", "source": "kafka"}
        return Input(
            orjson.dumps(event), event, [event["event_id"]] if isinstance(event.get("event_id"), str) else []
        )
    value = fill(case["body"])
    return Input(orjson.dumps(value), value)


def repeated(case: dict[str, Any], first: Input) -> Input:
    """The second request of a ``repeat`` case: the same event, maybe changed."""
    event = copy.deepcopy(first.value)
    for path, value in fill(case["repeat"].get("set", {})).items():
        _set(event, path, value)
    return Input(orjson.dumps(event), event, [event["event_id"]])


CSV_COLUMNS = (
    "event_id",
    "type",
    "municipality",
    "occurred_at",
    "payload.pilot_id",
    "payload.technology",
    "payload.title",
)


def csv_row(case: dict[str, Any]) -> dict[str, str]:
    """One CSV row (``alliance import`` CSV columns) of a registration, with the case's cells."""
    event = build_event({}, case["id"])
    row = {
        "event_id": event["event_id"],
        "type": event["type"],
        "municipality": event["municipality"],
        "occurred_at": event["occurred_at"],
        **{f"payload.{k}": v for k, v in event["payload"].items() if f"payload.{k}" in CSV_COLUMNS},
    }
    return {**row, **fill(case["csv"])}
