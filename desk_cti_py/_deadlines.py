"""One timer for every call's deadline: a heap of (deadline, id), the timer armed for the
earliest. A timer per call would cost a JS setTimeout and a clearTimeout each under Pyodide."""

from __future__ import annotations

import asyncio
import heapq
import math
from collections.abc import Callable, Iterable

from ._tasks import running_loop


class Deadlines:
    """``expire(key)`` is called once ``key``'s deadline has passed, if ``due(key, deadline)``
    still says that deadline is the key's (an answered call's entry is skipped); ``live()``
    gives the (deadline, key) still wanted, for compaction."""

    def __init__(self, due: Callable[[str, float], bool], expire: Callable[[str], None],
                 live: Callable[[], Iterable[tuple[float, str]]]) -> None:
        self._due = due
        self._expire = expire
        self._live = live
        self._heap: list[tuple[float, str]] = []
        self._timer: asyncio.TimerHandle | None = None
        self._timer_at = math.inf

    def __len__(self) -> int:
        return len(self._heap)

    def add(self, key: str, deadline: float, live_count: int) -> None:
        """Watch ``key``; ``live_count`` is how many entries ``live()`` would give."""
        if len(self._heap) > 4 * live_count + 1000:
            # answered calls leave their entries behind until the sweep reaches them: under a
            # steady stream the heap would hold every call of a timeout window
            self._heap = list(self._live())
            heapq.heapify(self._heap)
        heapq.heappush(self._heap, (deadline, key))
        if deadline < self._timer_at:
            self._arm(deadline)

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer, self._timer_at = None, math.inf

    def _arm(self, when: float) -> None:
        self.stop()
        self._timer_at = when
        loop = running_loop()
        # clamped at 0: Pyodide's WebLoop refuses a time in the past, and `when` may have
        # passed while earlier calls were being expired
        self._timer = loop.call_later(max(0.0, when - loop.time()), self._sweep)

    def _sweep(self) -> None:
        self._timer, self._timer_at = None, math.inf
        now = running_loop().time()
        heap = self._heap
        while heap:
            deadline, key = heap[0]
            live = self._due(key, deadline)
            if live and deadline > now:
                break
            heapq.heappop(heap)
            if live:
                self._expire(key)
        if heap:
            self._arm(heap[0][0])
