"""Each route's policy in the OpenAPI document: the 401/403 answers it may give."""

from __future__ import annotations

from typing import Any

from fastapi.routing import APIRoute, iter_route_contexts

from api.security.policies import policy_of

_ERROR_REF = {"$ref": "#/components/schemas/ErrorOut"}
_AUTH_RESPONSES = {
    "401": "No valid bearer token (WWW-Authenticate says why: missing, expired, bad signature …)",
    "403": "The token's organisation, role or scope does not allow this",
}


def document_policies(schema: dict[str, Any], routes: Any) -> None:
    """Add the 401/403 answers of each route's policy, and the real 422 shape, to an OpenAPI document.

    FastAPI documents its own validation-error shape; this API answers every refusal as
    ``{detail, errors: [{field, rule, message}]}`` (api/errors.py), so the component is
    replaced by that shape.
    """
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    if "ErrorOut" in components:
        components["HTTPValidationError"] = components["ErrorOut"]
    for context in iter_route_contexts(routes):
        route = context.route
        if not isinstance(route, APIRoute) or policy_of(route) in (None, "public"):
            continue
        for method in route.methods:
            operation = schema.get("paths", {}).get(route.path_format, {}).get(method.lower())
            if operation is None:
                continue
            responses = operation.setdefault("responses", {})
            for code, description in _AUTH_RESPONSES.items():
                documented = responses.get(code)
                if documented is None:
                    responses[code] = {
                        "description": description,
                        "content": {"application/json": {"schema": _ERROR_REF}},
                    }
                    continue
                # A route's own 401/403 body (e.g. per-item refusals) or the policy's plain one.
                content = documented.setdefault("content", {}).setdefault("application/json", {})
                own = content.get("schema")
                content["schema"] = {"anyOf": [own, _ERROR_REF]} if own and own != _ERROR_REF else _ERROR_REF
