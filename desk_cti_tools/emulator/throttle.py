"""Sign-in throttling: at most ``limit`` failures per key (an account, a client) in a sliding window."""

from __future__ import annotations

import math
import time
from collections import deque


class Throttle:
    def __init__(self, limit: int, window: float) -> None:
        self.limit, self.window = limit, window
        self.failures: dict[str, deque[float]] = {}

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self.failures.get(key, deque())
        while times and times[0] <= now - self.window:
            times.popleft()
        return times

    def wait(self, key: str) -> int:
        """Seconds until ``key`` may try again; 0 if it may now."""
        now = time.monotonic()
        times = self._recent(key, now)
        return max(1, math.ceil(times[0] + self.window - now)) if len(times) >= self.limit else 0

    def fail(self, key: str) -> None:
        now = time.monotonic()
        if len(self.failures) > 10_000:  # many keys: drop those whose failures have all aged out
            self.failures = {k: v for k, v in self.failures.items() if v and v[-1] > now - self.window}
        times = self._recent(key, now)
        times.append(now)
        while len(times) > self.limit:  # only the last `limit` matter
            times.popleft()
        self.failures[key] = times

    def forgive(self, key: str) -> None:
        """Takes back the last fail() (an attempt counted before its outcome, that succeeded)."""
        times = self.failures.get(key)
        if times:
            times.pop()

    def clear(self, key: str) -> None:
        self.failures.pop(key, None)
