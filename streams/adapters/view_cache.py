"""A tiny cache of rendered read views, invalidated by store writes and by age.

Dashboards and hospital systems poll the same few views; rendering them once per change
(not once per request) is what keeps the read side as fast as a bare route. When an entry
goes stale, one caller re-renders it while the others keep getting the previous value for
that short moment, so a burst of requests never renders the same view many times at once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any

_MISSING = object()


class ViewCache:
    """Memoises rendered views per key while the store generation is unchanged and young enough."""

    def __init__(self, generation: Callable[[], Any], max_age_seconds: float, max_entries: int = 512) -> None:
        self._generation = generation
        self._max_age = max_age_seconds
        self._max_entries = max_entries
        self._entries: dict[Hashable, tuple[Any, float, Any]] = {}
        self._rendering: set[Hashable] = set()
        self._lock = threading.Lock()

    def peek(self, key: Hashable) -> Any:
        """A usable value without rendering: fresh, or stale while another caller refreshes it.

        Returns ``None`` when the caller should render (see :meth:`get`).
        """
        if self._max_age <= 0:
            return None
        entry = self._entries.get(key)
        if entry is None:
            return None
        fresh = entry[0] == self._generation() and time.monotonic() - entry[1] < self._max_age
        if fresh or key in self._rendering:
            return entry[2]
        return None

    def get(self, key: Hashable, render: Callable[[], Any]) -> Any:
        """The cached value for ``key``, rendering it if needed."""
        value = self.peek(key)
        if value is not None:
            return value
        if self._max_age <= 0:
            return render()
        with self._lock:
            self._rendering.add(key)
        try:
            generation = self._generation()
            value = render()
            with self._lock:
                if len(self._entries) >= self._max_entries:
                    self._entries.clear()
                self._entries[key] = (generation, time.monotonic(), value)
            return value
        finally:
            with self._lock:
                self._rendering.discard(key)
