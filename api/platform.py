"""What the HTTP entry points need of the platform, stated here so that ``api`` never imports it.

The composition root (``alliance.bootstrap``) builds the platform and hands it to
:func:`api.app.create_app`; ``alliance.bootstrap.Platform`` and ``alliance.settings.Settings``
satisfy these protocols structurally, without naming them. The members are the ones the
routes, the middleware and the dashboard read; the API only reads them (hence properties).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, Protocol, cast

from starlette.requests import HTTPConnection

from services.core.dead_letters import DeadLetterLog
from services.core.ports import DocumentStore
from services.governance.audit import AuditLog
from services.governance.membership import MembershipService
from services.indicators.queries import IndicatorQueries
from services.insights.queries import InsightQueries
from services.insights.views import Queries
from services.intake.events import IngestService
from services.intake.releases import ProcurementIngest
from services.procurement.queries import ProcurementQueries
from streams.observability.metrics import Metrics


class ApiSettings(Protocol):
    """The settings the API reads: access control, input limits, and where the local keys live."""

    shape: Literal["embedded", "distributed"]
    data_dir: Path
    auth_issuer: str
    auth_audience: str
    auth_jwks_file: Path | None
    auth_jwks_url: str | None
    auth_leeway_seconds: int
    read_requires_token: bool
    coordinator_orgs: list[str]
    rate_limit_per_second: int
    max_body_bytes: int
    max_json_depth: int
    max_json_array_items: int
    max_json_string_chars: int
    request_timeout_seconds: float
    public_base_url: str


class ViewCache(Protocol):
    """Rendered read views, kept while the store is unchanged (see ``streams.adapters.view_cache``)."""

    def peek(self, key: Hashable) -> Any:
        """A usable value without rendering, or None when the caller should render."""
        ...

    def get(self, key: Hashable, render: Callable[[], Any]) -> Any:
        """The value for ``key``, rendered if needed (blocks: call it off the event loop)."""
        ...


class Runner(Protocol):
    """The embedded shape's background consumer, as far as readiness is concerned."""

    @property
    def recovered(self) -> threading.Event:
        """Set once the read models have caught up with the event log after a start."""
        ...


class ApiPlatform(Protocol):
    """The services and views the API serves, wired by the composition root."""

    @property
    def settings(self) -> ApiSettings: ...

    @property
    def clock(self) -> Callable[[], datetime]: ...

    @property
    def store(self) -> DocumentStore: ...

    @property
    def runner(self) -> Runner | None: ...

    @property
    def metrics(self) -> Metrics: ...

    @property
    def view_cache(self) -> ViewCache: ...

    @property
    def ingest(self) -> IngestService: ...

    @property
    def procurement_ingest(self) -> ProcurementIngest: ...

    @property
    def membership(self) -> MembershipService: ...

    @property
    def queries(self) -> Queries: ...

    @property
    def insights(self) -> InsightQueries: ...

    @property
    def procurement_queries(self) -> ProcurementQueries: ...

    @property
    def indicator_queries(self) -> IndicatorQueries | None: ...

    @property
    def audit(self) -> AuditLog | None: ...

    @property
    def dead_letters(self) -> DeadLetterLog: ...

    def start_processing(self) -> None:
        """Embedded shape: consume the local log in the background."""
        ...

    def monitor_lag(self) -> object:
        """Sample the consumers' lag into the metrics."""
        ...

    def close(self) -> None:
        """Release the log and the store."""
        ...


def public_url(connection: HTTPConnection) -> str:
    """The absolute URL of a request, on the configured public base (never the ``Host`` header)."""
    query = f"?{connection.url.query}" if connection.url.query else ""
    return platform_of(connection).settings.public_base_url + connection.url.path + query


def platform_of(connection: HTTPConnection) -> ApiPlatform:
    """The platform the application serving ``connection`` was created with."""
    return cast(ApiPlatform, connection.app.state.platform)
