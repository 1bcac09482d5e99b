"""The one body reader: every POST, PUT and PATCH body is read here, once, under the limits.

:class:`BodyReader` (ASGI middleware, inside the time limit of :mod:`api.middleware.limits`,
so a trickled body is cut off with the request) reads the body up to ``max_body_bytes``,
decodes it as JSON once, and checks the nesting depth, array length and string length of
what it decoded. It leaves in the request state either the decoded value (``json_body``)
or why the body was refused (``body_refusal``: 413 too large, 415 not JSON, 422 not valid
JSON or over a shape limit, each naming the path and the rule, never the value).

Routes take the body through :func:`json_body` or :func:`json_model`; none reads the stream.
A refusal surfaces as :class:`BodyRefused`, answered in the common error shape
(:mod:`api.errors`) unless the route answers it in its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

import orjson
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from starlette.datastructures import Headers
from starlette.requests import HTTPConnection
from starlette.types import Message, Receive, Scope, Send

from api.middleware.http import HttpMiddleware, platform_in
from api.platform import ApiSettings
from schemas.privacy import format_path

BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
# A missing content type, and JSON labelled as plain text (a common client default), are read as JSON.
JSON_MEDIA_TYPES = frozenset({"application/json", "text/plain"})
INVALID_JSON = "invalid_json"
Model = TypeVar("Model", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class BodyRefusal:
    """Why a body was not handed to the route: status, rule and a message (never the value)."""

    status: int
    detail: str
    rule: str
    message: str
    field: str = "$"


class BodyRefused(Exception):
    """Raised where a route asks for a body the reader refused."""

    def __init__(self, refusal: BodyRefusal) -> None:
        super().__init__(refusal.detail)
        self.refusal = refusal


def too_large(limit: int) -> BodyRefusal:
    return BodyRefusal(413, "Request body too large", "max_body_bytes", f"At most {limit} bytes")


NOT_JSON = BodyRefusal(422, "Body is not valid JSON", INVALID_JSON, "Send one JSON value, UTF-8 encoded")
UNSUPPORTED = BodyRefusal(
    415, "Unsupported media type", "unsupported_media_type", "Send JSON (content-type: application/json)"
)


def is_json(content_type: str | None) -> bool:
    """Whether a body of this content type is read as JSON (media type compared case-insensitively)."""
    if content_type is None:
        return True
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type in JSON_MEDIA_TYPES or media_type.endswith("+json")


def json_violation(value: Any, settings: ApiSettings) -> tuple[str, str, str] | None:
    """The first (path, rule, message) by which decoded JSON exceeds the limits, or None."""
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(value, ())]
    while stack:
        item, path = stack.pop()
        if len(path) > settings.max_json_depth:
            return format_path(path), "max_depth", f"Nested deeper than {settings.max_json_depth} levels"
        if isinstance(item, str):
            if len(item) > settings.max_json_string_chars:
                limit = settings.max_json_string_chars
                return format_path(path), "max_string_length", f"At most {limit} characters"
        elif isinstance(item, list):
            if len(item) > settings.max_json_array_items:
                limit = settings.max_json_array_items
                return format_path(path), "max_array_items", f"At most {limit} items"
            stack.extend((v, (*path, i)) for i, v in enumerate(item))
        elif isinstance(item, dict):
            for key, v in item.items():
                if len(key) > settings.max_json_string_chars:
                    return format_path(path), "max_string_length", "A member name is too long"
                stack.append((v, (*path, key)))
    return None


async def read_json(scope: Scope, receive: Receive, settings: ApiSettings) -> tuple[Any, Receive]:
    """(the decoded body or a :class:`BodyRefusal`, a receive that replays what was read)."""
    headers = Headers(scope=scope)
    if not is_json(headers.get("content-type")):
        return UNSUPPORTED, receive
    limit = settings.max_body_bytes
    declared = headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return too_large(limit), receive
    body = bytearray()
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        body += message.get("body", b"")
        if len(body) > limit:
            return too_large(limit), receive
        if not message.get("more_body"):
            break
    replay = _replay(bytes(body), receive)
    try:
        value = orjson.loads(body)
    except orjson.JSONDecodeError:
        return NOT_JSON, replay
    violation = json_violation(value, settings)
    if violation is not None:
        field, rule, message = violation
        return BodyRefusal(422, "Request body exceeds a limit", rule, message, field), replay
    return value, replay


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # later messages (disconnect) come from the server

    return replay


class BodyReader(HttpMiddleware):
    """ASGI middleware: reads and decodes the body of every write request (see the module)."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] in BODY_METHODS:
            outcome, receive = await read_json(scope, receive, platform_in(scope).settings)
            key = "body_refusal" if isinstance(outcome, BodyRefusal) else "json_body"
            scope.setdefault("state", {})[key] = outcome
        await self.app(scope, receive, send)


def json_body(request: HTTPConnection) -> Any:
    """The decoded JSON body of the request; :class:`BodyRefused` when the reader refused it."""
    state = request.scope.get("state", {})
    if "body_refusal" in state:
        raise BodyRefused(state["body_refusal"])
    if "json_body" not in state:
        raise LookupError(f"{request.url.path}: no body was read (only POST, PUT and PATCH have one)")
    return state["json_body"]


def json_model(request: HTTPConnection, model: type[Model]) -> Model:
    """The JSON body validated as ``model``; refused as FastAPI refuses an invalid body (422)."""
    value = json_body(request)
    try:
        return model.model_validate(value)
    except ValidationError as error:
        errors = [{**e, "loc": ("body", *e["loc"])} for e in error.errors(include_url=False)]
        raise RequestValidationError(errors, body=value) from None
