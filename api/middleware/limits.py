"""Limits on hostile input, applied to every request before any route sees it.

* request rate per client address (429 with ``Retry-After``), via the ``limits`` library;
* body size (413), and for JSON bodies nesting depth, array length and string length (422,
  naming the path and the rule, never the value);
* time per request (503 with ``Retry-After`` when a route has not answered in time).

The checked JSON is handed to the route in ``request.state.json_body`` so it is parsed once.
"""

from __future__ import annotations

import asyncio
import math
import time
from typing import Any

import orjson
from limits import RateLimitItemPerSecond
from limits.storage import MemoryStorage
from limits.strategies import FixedWindowRateLimiter
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.platform import ApiSettings
from schemas.privacy import format_path

BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
RETRY_AFTER_SECONDS = 5


def _error(status: int, detail: str, field: str, rule: str, message: str, **headers: str) -> list[Message]:
    body = orjson.dumps({"detail": detail, "errors": [{"field": field, "rule": rule, "message": message}]})
    raw_headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw_headers += [(k.lower().replace("_", "-").encode(), v.encode()) for k, v in headers.items()]
    return [
        {"type": "http.response.start", "status": status, "headers": raw_headers},
        {"type": "http.response.body", "body": body},
    ]


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


class InputLimits:
    """ASGI middleware: rate, size, shape and time limits (settings read per request)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.limiter = FixedWindowRateLimiter(MemoryStorage())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        platform = getattr(scope.get("app").state, "platform", None) if scope.get("app") else None
        if scope["type"] != "http" or platform is None:
            await self.app(scope, receive, send)
            return
        settings: ApiSettings = platform.settings
        refusal = self._rate(scope, settings)
        if refusal is None and scope["method"] in BODY_METHODS:
            refusal, receive = await self._body(scope, receive, settings)
        if refusal is not None:
            for message in refusal:
                await send(message)
            return
        await self._timed(scope, receive, send, settings.request_timeout_seconds)

    def _rate(self, scope: Scope, settings: ApiSettings) -> list[Message] | None:
        if not settings.rate_limit_per_second:
            return None
        client = (scope.get("client") or ("unknown", 0))[0]
        item = RateLimitItemPerSecond(settings.rate_limit_per_second)
        if self.limiter.hit(item, client):
            return None
        reset = self.limiter.get_window_stats(item, client).reset_time
        wait = max(1, math.ceil(reset - time.time()))
        limit = settings.rate_limit_per_second
        message = f"At most {limit} requests per second per client"
        return _error(429, "Too many requests", "$", "rate_limit", message, retry_after=str(wait))

    async def _body(
        self, scope: Scope, receive: Receive, settings: ApiSettings
    ) -> tuple[list[Message] | None, Receive]:
        limit = settings.max_body_bytes
        too_large = _error(413, "Request body too large", "$", "max_body_bytes", f"At most {limit} bytes")
        headers = dict(scope["headers"])
        declared = headers.get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            return too_large, receive
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            body += message.get("body", b"")
            if len(body) > limit:
                return too_large, receive
            if not message.get("more_body"):
                break
        content_type = headers.get(b"content-type", b"application/json").split(b";")[0].strip()
        if body and (content_type == b"application/json" or content_type.endswith(b"+json")):
            try:
                value = orjson.loads(body)
            except orjson.JSONDecodeError:
                pass  # the route answers with its own invalid-JSON refusal
            else:
                violation = json_violation(value, settings)
                if violation:
                    return _error(422, "Request body exceeds a limit", *violation), receive
                scope.setdefault("state", {})["json_body"] = value
        return None, _replay(bytes(body), receive)

    async def _timed(self, scope: Scope, receive: Receive, send: Send, seconds: float) -> None:
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = True
            await send(message)

        try:
            await asyncio.wait_for(self.app(scope, receive, tracking_send), seconds)
        except TimeoutError:
            if started:
                raise
            message = f"Not answered within {seconds:g} s"
            for part in _error(
                503,
                "The request took too long",
                "$",
                "request_timeout",
                message,
                retry_after=str(RETRY_AFTER_SECONDS),
            ):
                await send(part)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # later messages (disconnect) come from the server

    return replay
