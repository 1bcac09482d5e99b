"""The FastAPI application: thin routes over the platform built by the composition root."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from pydantic import TypeAdapter

from alliance.bootstrap import Platform, build_platform
from alliance.settings import Settings
from api.errors import install_error_handlers
from api.headers import SecurityHeaders
from api.limits import InputLimits
from api.metrics import HttpMetricsMiddleware
from api.metrics import router as metrics_router
from api.routes import audit, dashboard, dead_letters, events, insights, meta, procurement, views
from api.routes import indicators as indicator_routes
from api.security import document_policies
from schemas.events import PilotEvent

API_VERSION = "1.0.0"


def create_app(
    platform: Platform | None = None, settings: Settings | None = None, process: bool = True
) -> FastAPI:
    """Build the app. Without a platform, one is built from settings at start-up.

    ``process=False`` leaves consuming the log to the caller (tests drain it explicitly).
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = platform is None
        current = platform or build_platform(settings or Settings())
        app.state.platform = current
        if process:
            current.start_processing()
            if current.settings.shape == "embedded":
                current.monitor_lag()
        try:
            yield
        finally:
            if owned:
                current.close()

    app = FastAPI(
        title="Innovation alliance for welfare technology — Innlandet",
        version=API_VERSION,
        description="Shared, live picture of welfare-technology pilots across the alliance's member "
        "municipalities: post pilot events, read adoption, pilots and lessons.",
        lifespan=lifespan,
    )
    install_error_handlers(app)
    app.add_middleware(InputLimits)
    app.add_middleware(HttpMetricsMiddleware)
    app.add_middleware(SecurityHeaders)
    app.include_router(events.router)
    app.include_router(views.router)
    app.include_router(insights.router)
    app.include_router(dashboard.router)
    app.mount("/static", dashboard.static_files, name="static")
    app.include_router(procurement.router)
    app.include_router(indicator_routes.router)
    app.include_router(meta.router)
    app.include_router(dead_letters.router)
    app.include_router(audit.router)
    app.include_router(metrics_router)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


def _openapi(app: FastAPI) -> dict[str, Any]:
    """The generated document plus the event contracts used by ``POST /v1/events``."""
    if app.openapi_schema:
        return app.openapi_schema
    from fastapi.openapi.utils import get_openapi

    schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    event_schema = TypeAdapter(PilotEvent).json_schema(ref_template="#/components/schemas/{model}")
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.update(event_schema.pop("$defs", {}))
    components["PilotEvent"] = event_schema
    # Maskinporten-style bearer tokens (api/security.py); shared views may also be read without.
    schema["components"]["securitySchemes"] = {
        "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    }
    schema["security"] = [{"bearer": []}, {}]
    document_policies(schema, app.routes)
    app.openapi_schema = schema
    return schema
