"""No identity number in the address of a request: the path and query are screened first.

A request whose path, or any query parameter name or value, holds a Norwegian national
identity number in any written form (the screen of :mod:`schemas.privacy`) is refused
with 400 before routing, naming where (``path`` or ``query.<name>``) and the rule, never
the value — so no route can echo it back, and no handler sees it. Bodies are screened by
the contracts of what they carry (events, releases, membership), through the same screen.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

import orjson
from starlette.types import Message, Receive, Scope, Send

from api.errors import error_body, field_error
from api.middleware.http import HttpMiddleware
from schemas.privacy import format_path, text_contains_identity_number

RULE = "identity_number"
MESSAGE = "Contains a Norwegian national identity number"


def address_refusals(path: str, query: bytes) -> list[dict[str, str]]:
    """The field errors of an address that holds an identity number (empty when it holds none)."""
    errors = []
    if text_contains_identity_number(path):
        errors.append(field_error("path", RULE, MESSAGE))
    for name, value in parse_qsl(query.decode("utf-8", "replace"), keep_blank_values=True):
        if text_contains_identity_number(name) or text_contains_identity_number(value):
            errors.append(field_error(format_path(("query", name)), RULE, MESSAGE))
    return errors


def _refusal(errors: list[dict[str, str]]) -> list[Message]:
    body = orjson.dumps(error_body("Personal data in the request address", errors))
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    return [
        {"type": "http.response.start", "status": 400, "headers": headers},
        {"type": "http.response.body", "body": body},
    ]


class IdentityNumberScreen(HttpMiddleware):
    """ASGI middleware: refuses a request whose path or query holds an identity number."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        errors = address_refusals(scope.get("path", ""), scope.get("query_string", b""))
        if errors:
            for message in _refusal(errors):
                await send(message)
            return
        await self.app(scope, receive, send)
