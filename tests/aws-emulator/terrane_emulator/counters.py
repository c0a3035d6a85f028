"""Per-operation call counters."""

from __future__ import annotations

import threading
from collections import defaultdict
from typing import Any


class CallCounters:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._total = 0
        self._calls: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))

    def record(self, service: str, operation: str) -> None:
        with self._lock:
            self._total += 1
            self._calls[service][operation] += 1

    def reset(self) -> None:
        with self._lock:
            self._total = 0
            self._calls.clear()

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "total": self._total,
                "services": {
                    service: dict(sorted(ops.items()))
                    for service, ops in sorted(self._calls.items())
                },
            }
