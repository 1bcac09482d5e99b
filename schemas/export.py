"""Exports of the event contracts: JSON Schema per event type and an AsyncAPI 3.0 document.

``alliance export-schemas`` writes them to ``schemas/export``; a test fails when the
committed files differ from what the models generate.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from schemas.events import EVENT_MODELS, SCHEMA_VERSION, DeadLetter
from schemas.topics import DEAD_LETTER, PILOT_EVENTS, PROCUREMENT_RELEASES, TopicSpec

EXPORT_DIR = Path(__file__).parent / "export"
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
KAFKA_BINDING = "0.5.0"


def _camel(name: str) -> str:
    head, *rest = name.replace(".", "-").replace("_", "-").split("-")
    return head + "".join(part.title() for part in rest)


def event_json_schemas() -> dict[str, dict[str, Any]]:
    """File name → JSON Schema (2020-12) for each event type and the dead letter."""
    out: dict[str, dict[str, Any]] = {}
    models: dict[str, type[BaseModel]] = {**EVENT_MODELS, "dead-letter": DeadLetter}
    for name, model in models.items():
        schema = model.model_json_schema()
        schema = {
            "$schema": JSON_SCHEMA_DIALECT,
            "$id": f"urn:innlandet-alliance:{name}:v{SCHEMA_VERSION}",
            **schema,
        }
        out[f"{name}.schema.json"] = schema
    return out


def _components() -> dict[str, Any]:
    schemas: dict[str, Any] = {}
    for model in [*EVENT_MODELS.values(), DeadLetter]:
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(schema.pop("$defs", {}))
        schemas[model.__name__] = schema
    schemas["OcdsRelease"] = {
        "type": "object",
        "title": "OCDS 1.1 release",
        "description": "A release of the Open Contracting Data Standard 1.1 (validated against the "
        "official release schema, shipped in schemas/data/ocds-1.1.5); contact persons removed.",
        "required": ["ocid", "id", "date", "tag", "initiationType"],
        "properties": {
            "ocid": {"type": "string"},
            "id": {"type": "string"},
            "date": {"type": "string", "format": "date-time"},
            "tag": {"type": "array", "items": {"type": "string"}},
            "initiationType": {"type": "string"},
        },
    }
    return schemas


def _channel(topic: TopicSpec, messages: list[str]) -> dict[str, Any]:
    return {
        "address": topic.name,
        "title": topic.name,
        "description": f"{topic.description} Key: {topic.key}.",
        "messages": {m: {"$ref": f"#/components/messages/{m}"} for m in messages},
        "bindings": {
            "kafka": {
                "topic": topic.name,
                "partitions": topic.partitions,
                "topicConfiguration": {"retention.ms": topic.retention_ms},
                "bindingVersion": KAFKA_BINDING,
            }
        },
    }


def _message(name: str, title: str, summary: str, schema: str, key: str) -> dict[str, Any]:
    return {
        "name": name,
        "title": title,
        "summary": summary,
        "contentType": "application/json",
        "payload": {"$ref": f"#/components/schemas/{schema}"},
        "bindings": {
            "kafka": {"key": {"type": "string", "description": key}, "bindingVersion": KAFKA_BINDING}
        },
    }


def asyncapi_document() -> dict[str, Any]:
    """The AsyncAPI 3.0 document for ``pilot-events``, ``procurement-releases`` and ``dead-letter``."""
    pilot_messages = {_camel(t): (t, m) for t, m in EVENT_MODELS.items()}
    messages = {
        name: _message(
            name, event_type, (model.__doc__ or "").strip().splitlines()[0], model.__name__, PILOT_EVENTS.key
        )
        for name, (event_type, model) in pilot_messages.items()
    }
    messages["ocdsRelease"] = _message(
        "ocdsRelease", "OCDS release", "One OCDS 1.1 release", "OcdsRelease", PROCUREMENT_RELEASES.key
    )
    messages["deadLetter"] = _message(
        "deadLetter", "Dead letter", "Why a message was refused", "DeadLetter", DEAD_LETTER.key
    )
    channels = {
        "pilotEvents": _channel(PILOT_EVENTS, list(pilot_messages)),
        "procurementReleases": _channel(PROCUREMENT_RELEASES, ["ocdsRelease"]),
        "deadLetter": _channel(DEAD_LETTER, ["deadLetter"]),
    }

    def operation(action: str, channel: str, summary: str) -> dict[str, Any]:
        return {
            "action": action,
            "channel": {"$ref": f"#/channels/{channel}"},
            "summary": summary,
            "messages": [
                {"$ref": f"#/channels/{channel}/messages/{m}"} for m in channels[channel]["messages"]
            ],
        }

    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Innovation alliance for welfare technology — event streams",
            "version": f"{SCHEMA_VERSION}.0.0",
            "description": "Topics of the Innlandet welfare-technology alliance platform. Events carry "
            "municipality codes and aggregates only; any value that validates as a Norwegian national "
            "identity number makes an event refused.",
            "license": {"name": "Apache-2.0"},
        },
        "defaultContentType": "application/json",
        "servers": {
            "local": {"host": "127.0.0.1:9092", "protocol": "kafka", "description": "Development broker"}
        },
        "channels": channels,
        "operations": {
            "publishPilotEvents": operation(
                "send",
                "pilotEvents",
                "Municipalities (via the API, import or a producer) publish pilot events",
            ),
            "consumePilotEvents": operation(
                "receive", "pilotEvents", "The adoption, lessons and indicators services consume these events"
            ),
            "publishProcurementReleases": operation(
                "send", "procurementReleases", "OCDS import publishes releases"
            ),
            "consumeProcurementReleases": operation(
                "receive", "procurementReleases", "The procurement service compiles releases"
            ),
            "publishDeadLetters": operation("send", "deadLetter", "Services dead-letter refused messages"),
        },
        "components": {"schemas": _components(), "messages": messages},
    }


def rendered_exports() -> dict[str, str]:
    """Relative path → file text, exactly as committed."""
    files = {f"events/{name}": schema for name, schema in event_json_schemas().items()}
    files["asyncapi.json"] = asyncapi_document()
    return {path: json.dumps(doc, indent=2, ensure_ascii=False) + "\n" for path, doc in files.items()}


def write_exports(target: Path = EXPORT_DIR) -> list[Path]:
    """Write every export under ``target``; return the paths written."""
    written = []
    for relative, text in rendered_exports().items():
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
