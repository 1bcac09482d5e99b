"""A tiny cache of rendered read views, invalidated by store writes and by age.

Dashboards and hospital systems poll the same few views; rendering them once per change
(not once per request) is what keeps the read side as fast as a bare route.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any


class ViewCache:
    """Memoises ``render()`` per key while the store generation is unchanged and young enough."""

    def __init__(self, generation: Callable[[], Any], max_age_seconds: float, max_entries: int = 512) -> None:
        self._generation = generation
        self._max_age = max_age_seconds
        self._max_entries = max_entries
        self._entries: dict[Hashable, tuple[Any, float, Any]] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, render: Callable[[], Any]) -> Any:
        if self._max_age <= 0:
            return render()
        generation = self._generation()
        now = time.monotonic()
        entry = self._entries.get(key)
        if entry is not None and entry[0] == generation and now - entry[1] < self._max_age:
            return entry[2]
        value = render()
        with self._lock:
            if len(self._entries) >= self._max_entries:
                self._entries.clear()
            self._entries[key] = (generation, now, value)
        return value
