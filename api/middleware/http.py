"""The base of the API's ASGI middleware: HTTP requests are handled, everything else passes."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from api.platform import ApiPlatform


class HttpMiddleware:
    """ASGI middleware acting on HTTP requests only (lifespan events pass straight through)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self.handle(scope, receive, send)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one HTTP request (``scope["type"] == "http"``)."""
        raise NotImplementedError


def platform_in(scope: Scope) -> ApiPlatform:
    """The platform the application of ``scope`` serves (its settings are read per request)."""
    return scope["app"].state.platform
