"""Structured logs: one JSON object per line on stderr, configured once per process.

Fields: ``ts``, ``level``, ``logger``, ``message`` and the correlation fields a caller
passes in ``extra`` (``event_id``, ``reason``, ``service``, ...). Callers log ids, reasons
and field paths only; a refused value is never handed to a logger. Whatever a line holds
all the same — a request line from the server's access log, an exception's text — goes
through the one redaction of identity numbers (:mod:`schemas.privacy`) before it is written.
"""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime
from typing import Any

import orjson

from schemas.privacy import redact_identity_numbers

# Attributes every LogRecord has; anything else came from ``extra`` and is emitted as a field.
_STANDARD = frozenset(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """Formats a record as a single JSON line."""

    def format(self, record: logging.LogRecord) -> str:
        body: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": redact_identity_numbers(record.getMessage()),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                body[key] = redact_identity_numbers(value) if isinstance(value, str) else value
        if record.exc_info:
            body["exception"] = redact_identity_numbers(self.formatException(record.exc_info))
        return orjson.dumps(body, default=str).decode()


class RedactingTextFormatter(logging.Formatter):
    """Plain-text lines, identity numbers redacted."""

    def format(self, record: logging.LogRecord) -> str:
        return redact_identity_numbers(super().format(record))


def configure_logging(level: str = "INFO", json_lines: bool = True) -> None:
    """Route the root logger (and uvicorn's, Faust's) to stderr as JSON lines."""
    handler = logging.StreamHandler(sys.stderr)
    text = RedactingTextFormatter("%(levelname)s %(name)s %(message)s")
    handler.setFormatter(JsonFormatter() if json_lines else text)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "faust", "mode", "aiokafka", "kafka"):
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True
    # The Kafka clients narrate every connection at INFO; their warnings and errors are enough.
    logging.getLogger("kafka").setLevel(logging.WARNING)
    logging.getLogger("aiokafka").setLevel(logging.WARNING)
