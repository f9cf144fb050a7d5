"""A thread-safe tally of API calls by name, used by benchmarks and call-budget tests."""

from __future__ import annotations

import threading
from collections import Counter


class CallCounter:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()

    def add(self, name: str) -> None:
        with self._lock:
            self._counts[name] += 1

    def total(self, prefix: str = "") -> int:
        with self._lock:
            return sum(n for k, n in self._counts.items() if k.startswith(prefix))

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return dict(self._counts)

    def reset(self) -> None:
        with self._lock:
            self._counts.clear()
