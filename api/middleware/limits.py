"""Limits on every request before any route sees it: its rate, and its time.

* request rate per client address (429 with ``Retry-After``), via the ``limits`` library;
* time per request, reading the body included (503 with ``Retry-After`` when a route has
  not answered in time, or the body has not arrived in time).

The body itself is read and checked by :mod:`api.middleware.body`, inside the time limit.
"""

from __future__ import annotations

import asyncio
import math
import time

import orjson
from limits import RateLimitItemPerSecond
from limits.storage import MemoryStorage
from limits.strategies import FixedWindowRateLimiter
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import error_body
from api.middleware.http import HttpMiddleware, platform_in
from api.platform import ApiSettings

RETRY_AFTER_SECONDS = 5


def _error(status: int, detail: str, rule: str, message: str, retry_after: int) -> list[Message]:
    body = orjson.dumps(error_body(detail, [{"field": "$", "rule": rule, "message": message}]))
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"retry-after", str(retry_after).encode()),
    ]
    return [
        {"type": "http.response.start", "status": status, "headers": headers},
        {"type": "http.response.body", "body": body},
    ]


class InputLimits(HttpMiddleware):
    """ASGI middleware: rate and time limits (settings read per request)."""

    def __init__(self, app: ASGIApp) -> None:
        super().__init__(app)
        self.limiter = FixedWindowRateLimiter(MemoryStorage())

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        settings = platform_in(scope).settings
        refusal = self._rate(scope, settings)
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
        message = f"At most {settings.rate_limit_per_second} requests per second per client"
        return _error(429, "Too many requests", "rate_limit", message, wait)

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
            refusal = _error(
                503, "The request took too long", "request_timeout", message, RETRY_AFTER_SECONDS
            )
            for part in refusal:
                await send(part)
