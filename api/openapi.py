"""The OpenAPI document: what FastAPI generates, plus the event contracts and the access policies."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import TypeAdapter

from api.security.openapi import document_policies
from schemas.events import PilotEvent


def openapi_document(app: FastAPI) -> dict[str, Any]:
    """The generated document plus the event contracts used by ``POST /v1/events`` (built once)."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    event_schema = TypeAdapter(PilotEvent).json_schema(ref_template="#/components/schemas/{model}")
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.update(event_schema.pop("$defs", {}))
    components["PilotEvent"] = event_schema
    # Maskinporten-style bearer tokens (api/security); shared views may also be read without.
    schema["components"]["securitySchemes"] = {
        "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    }
    schema["security"] = [{"bearer": []}, {}]
    document_policies(schema, app.routes)
    app.openapi_schema = schema
    return schema
