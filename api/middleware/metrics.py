"""HTTP metrics: requests, errors and duration by route template (served at ``GET /metrics``).

A plain ASGI middleware (no per-request task or body copying) that labels each request
with the matched route's template (``/v1/pilots/{pilot_id}``, never the concrete path,
which would carry ids and explode the label set).
"""

from __future__ import annotations

import time

from starlette.types import Message, Receive, Scope, Send

from api.middleware.http import HttpMiddleware, platform_in

UNMATCHED = "unmatched"


class HttpMetricsMiddleware(HttpMiddleware):
    """Records every HTTP request into the platform's :class:`streams.observability.metrics.Metrics`."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        status = 500

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            self._record(scope, status, time.perf_counter() - started)

    @staticmethod
    def _record(scope: Scope, status: int, seconds: float) -> None:
        route = getattr(scope.get("route"), "path", None) or UNMATCHED
        method = scope["method"]
        metrics = platform_in(scope).metrics
        metrics.http_requests.labels(method, route, str(status)).inc()
        metrics.http_duration.labels(method, route).observe(seconds)
        if status >= 500:
            metrics.http_errors.labels(method, route).inc()
