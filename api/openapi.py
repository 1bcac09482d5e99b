"""The OpenAPI document: what FastAPI generates, plus the event contracts, the access policies
and the refusals of the body reader."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, TypeAdapter

from api.security.openapi import document_policies
from schemas.events import PilotEvent

_BODY_REFUSALS = {
    "413": "The body is larger than the limit",
    "415": "The body is not JSON (content-type)",
    "422": "The body is not valid JSON, exceeds a shape limit, or fails validation",
}


def json_request_body(model: type[BaseModel]) -> dict[str, Any]:
    """``openapi_extra`` documenting ``model`` as the JSON request body of a route."""
    schema = model.model_json_schema()
    assert "$defs" not in schema, f"{model.__name__}: nested models need components of their own"
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


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
    _document_body_refusals(schema)
    app.openapi_schema = schema
    return schema


def _document_body_refusals(schema: dict[str, Any]) -> None:
    """Every operation with a request body may be refused by the body reader (api/middleware/body.py)."""
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            if "requestBody" not in operation:
                continue
            responses = operation.setdefault("responses", {})
            for code, description in _BODY_REFUSALS.items():
                error = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
                responses.setdefault(code, {"description": description, "content": error})
