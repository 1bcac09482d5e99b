"""The FastAPI application: thin routes over a platform built by the composition root."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api.errors import install_error_handlers
from api.middleware.body import BodyReader
from api.middleware.headers import SecurityHeaders
from api.middleware.identity import IdentityNumberScreen
from api.middleware.limits import InputLimits
from api.middleware.metrics import HttpMetricsMiddleware
from api.openapi import openapi_document
from api.platform import ApiPlatform
from api.routes import (
    adoption,
    alarms,
    audit,
    benefits,
    competence,
    dashboard,
    dead_letters,
    diffusion,
    events,
    lessons,
    membership,
    meta,
    municipalities,
    peers,
    pilots,
    procurement,
    suppliers,
    technologies,
)
from api.security.tokens import TokenVerifier

API_VERSION = "1.0.0"
ROUTERS = (
    events,
    adoption,
    municipalities,
    technologies,
    pilots,
    lessons,
    benefits,
    peers,
    diffusion,
    dashboard,
    procurement,
    suppliers,
    alarms,
    competence,
    membership,
    meta,
    dead_letters,
    audit,
)


def create_app(platform: ApiPlatform, process: bool = True, close_platform: bool = False) -> FastAPI:
    """The API over ``platform``, built by the composition root (``alliance.bootstrap``).

    ``process=False`` leaves consuming the log to the caller (tests drain it explicitly);
    ``close_platform`` closes the platform when the application shuts down.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if process:
            platform.start_processing()
            if platform.settings.shape == "embedded":
                platform.monitor_lag()
        try:
            yield
        finally:
            if close_platform:
                platform.close()

    app = FastAPI(
        title="Innovation alliance for welfare technology — Innlandet",
        version=API_VERSION,
        description="Shared, live picture of welfare-technology pilots across the alliance's member "
        "municipalities: post pilot events, read adoption, pilots and lessons.",
        lifespan=lifespan,
    )
    app.state.platform = platform
    app.state.token_verifier = TokenVerifier(platform.settings)
    install_error_handlers(app)
    # Outermost last: the body is read inside the time limit, the metrics see every answer.
    app.add_middleware(BodyReader)
    app.add_middleware(IdentityNumberScreen)
    app.add_middleware(InputLimits)
    app.add_middleware(HttpMetricsMiddleware)
    app.add_middleware(SecurityHeaders)
    for module in ROUTERS:
        app.include_router(module.router)
    app.mount("/static", dashboard.static_files, name="static")
    app.openapi = lambda: openapi_document(app)  # type: ignore[method-assign]
    return app
