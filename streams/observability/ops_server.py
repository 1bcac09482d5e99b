"""A worker's operations endpoints: ``/metrics``, ``/healthz`` and ``/readyz`` on their own port.

Served from a daemon thread (the WSGI server of the standard library, as prometheus-client
does for ``start_http_server``), so a scrape or a probe is answered even while the worker's
event loop is busy with a batch; liveness is the loop's own heartbeat, not the thread's.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterable
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from streams.observability.metrics import CONTENT_TYPE_LATEST, Metrics

LIVENESS_SECONDS = 30.0


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # probes every few seconds: no access log
        pass


class WorkerHealth:
    """What the probes report: the event loop's heartbeat and readiness conditions."""

    def __init__(self, metrics: Metrics, ready_checks: Iterable[tuple[str, Callable[[], bool]]] = ()) -> None:
        self.metrics = metrics
        self.ready_checks = list(ready_checks)
        self.heartbeat = time.monotonic()
        self.recovered = False  # set once the consumer has its partitions (state recovery)
        self.stopping = False

    def beat(self) -> None:
        """Called from the worker's event loop (a timer): the loop is alive."""
        self.heartbeat = time.monotonic()

    def alive(self) -> tuple[bool, str | None]:
        silent = time.monotonic() - self.heartbeat
        if silent > LIVENESS_SECONDS:
            return False, f"event loop silent for {silent:.0f}s"
        return True, None

    def ready(self) -> tuple[bool, str | None]:
        if self.stopping:
            self.metrics.ready.set(0)
            return False, "shutting down"
        checks = [("waiting for partitions", lambda: self.recovered), *self.ready_checks]
        for name, check in checks:
            try:
                ok = check()
            except Exception:  # a probe must answer, whatever a check raises
                ok = False
            if not ok:
                self.metrics.ready.set(0)
                return False, name
        self.metrics.ready.set(1)
        return True, None


def _json(start_response: Callable[..., Any], status: int, body: dict[str, Any]) -> list[bytes]:
    text = {200: "200 OK", 404: "404 Not Found", 503: "503 Service Unavailable"}[status]
    start_response(text, [("Content-Type", "application/json")])
    return [json.dumps(body).encode()]


def wsgi_app(health: WorkerHealth) -> Callable[..., list[bytes]]:
    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/metrics":
            start_response("200 OK", [("Content-Type", CONTENT_TYPE_LATEST)])
            return [health.metrics.exposition()]
        if path == "/healthz":
            ok, why = health.alive()
            body = {"status": "ok" if ok else "stalled", "detail": why}
            return _json(start_response, 200 if ok else 503, body)
        if path == "/readyz":
            ok, why = health.ready()
            return _json(
                start_response, 200 if ok else 503, {"status": "ready" if ok else "not_ready", "detail": why}
            )
        return _json(start_response, 404, {"detail": "Not found"})

    return app


class OpsServer:
    """Serves :func:`wsgi_app` on ``host:port`` (port 0: any free port) in a daemon thread."""

    def __init__(self, health: WorkerHealth, host: str, port: int) -> None:
        self.server = make_server(
            host, port, wsgi_app(health), server_class=_ThreadingServer, handler_class=_QuietHandler
        )
        self.port = self.server.server_port
        self._thread = threading.Thread(target=self.server.serve_forever, name="ops-server", daemon=True)

    def start(self) -> OpsServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
