"""``ready()``: listeners queued until the loader says the library and the page are ready."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ._tasks import running_loop, safe_call
from .models import BadArguments


class ReadyQueue:
    """ready() listeners, held until :meth:`fire` runs them, exactly once."""

    def __init__(self) -> None:
        self.fired = False
        self._listeners: list[Callable[[], Any]] = []
        self._after: list[Callable[[], Any]] = []

    def after_fire(self, hook: Callable[[], Any]) -> None:
        """Run ``hook`` once the listeners have fired and the async ones reached their first
        ``await`` (at once if they have)."""
        if self.fired:
            running_loop().call_soon(hook)
        else:
            self._after.append(hook)

    def add(self, listener: Callable[[], Any]) -> Callable[[], Any]:
        """Queue ``listener`` to run once when desk_cti_py and the DOM are ready.

        Added after ready, it runs at once. An async listener is scheduled. One
        that raises is logged and does not stop the others. Returns the listener,
        so ``@ready`` works as a decorator.
        """
        if not callable(listener):
            raise BadArguments("ready: listener must be a function")
        if self.fired:
            safe_call(listener, what="ready listener")
        else:
            self._listeners.append(listener)
        return listener

    def fire(self) -> None:
        """Run the queued listeners, exactly once (the loader calls this)."""
        if self.fired:
            return
        self.fired = True
        queued, self._listeners = self._listeners, []
        for listener in queued:
            safe_call(listener, what="ready listener")
        # call_soon: after the first step of each async listener, which ensure_future scheduled
        after, self._after = self._after, []
        for hook in after:
            running_loop().call_soon(hook)


_queue = ReadyQueue()
ready = _queue.add
fire_ready = _queue.fire
after_ready = _queue.after_fire


def is_ready() -> bool:
    """Whether the ready() listeners have fired."""
    return _queue.fired
