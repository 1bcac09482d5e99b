"""One SQLite file shared by threads: a single writer connection under a lock, a reader per thread.

WAL mode lets readers (API threads) run while the writer commits; writes are serialised
here rather than left to SQLite's busy handler.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path


class SqliteFile:
    """Connections to one SQLite database file in WAL mode."""

    def __init__(self, path: Path, synchronous: str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.lock = threading.Lock()
        self._local = threading.local()
        self.writer = self._connect()
        self.writer.execute("PRAGMA journal_mode=WAL")
        self.writer.execute(f"PRAGMA synchronous={synchronous}")

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        connection.execute("PRAGMA busy_timeout=30000")
        return connection

    def reader(self) -> sqlite3.Connection:
        """This thread's read connection."""
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = self._connect()
            self._local.connection = connection
        return connection

    def close(self) -> None:
        self.writer.close()
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
