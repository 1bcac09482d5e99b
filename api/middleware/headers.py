"""Security headers on every response: a strict Content-Security-Policy and friends.

The dashboard's pages load scripts and styles from this origin only (no inline script or
style, no framing). The interactive API docs (/docs, /redoc) load Swagger UI and ReDoc
from their CDN with an inline bootstrap script, so they get a policy that allows exactly that.
"""

from __future__ import annotations

from starlette.types import Message, Receive, Scope, Send

from api.middleware.http import HttpMiddleware

STRICT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com; "
    "font-src 'self' https://fonts.gstatic.com; img-src 'self' data: https://fastapi.tiangolo.com "
    "https://cdn.redoc.ly; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
DOCS_PATHS = frozenset({"/docs", "/redoc", "/docs/oauth2-redirect"})
COMMON = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]


class SecurityHeaders(HttpMiddleware):
    """ASGI middleware adding the headers above (a route's own CSP is left alone)."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        csp = (DOCS_CSP if scope["path"] in DOCS_PATHS else STRICT_CSP).encode()

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                if b"content-security-policy" not in present:
                    headers.append((b"content-security-policy", csp))
                headers += [h for h in COMMON if h[0] not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)
