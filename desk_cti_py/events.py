"""Who hears the console's events: listeners by event name, each isolated from the others,
and events held back until the listeners of a page are registered. Pure Python, no ``js``."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from typing import Any

from . import models as m
from ._tasks import safe_call

HELD_EVENTS = 100


class Subscription:
    """A listener registration. Call :meth:`unsubscribe` (or ``remove``) to end it.

    Calling the subscription calls the listener, so a decorated function
    still works as a function.
    """

    def __init__(self, registry: list[Any], listener: Callable[..., Any],
                 accept: Callable[[], bool] | None = None) -> None:
        self._registry = registry
        self.listener = listener
        #: events reach the listener only while this says so (None: always)
        self.accept = accept
        registry.append(self)

    @property
    def active(self) -> bool:
        return self in self._registry

    def unsubscribe(self) -> None:
        if self in self._registry:
            self._registry.remove(self)

    remove = unsubscribe

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.listener(*args, **kwargs)


class Events:
    """The listeners of each event name."""

    def __init__(self, names: Iterable[str]) -> None:
        self._listeners: dict[str, list[Subscription]] = {name: [] for name in names}
        self._held: deque[tuple[str, m.Response[Any]]] | None = None

    def on(self, name: str, listener: Callable[[m.Response[Any]], Any],
           accept: Callable[[], bool] | None = None) -> Subscription:
        """Call ``listener`` with each ``name`` event, while ``accept()`` (if given) is true."""
        if not isinstance(name, str) or name not in self._listeners:
            raise m.BadArguments(f"unknown event {name!r}")
        if not callable(listener):
            raise m.BadArguments("listener must be a function")
        return Subscription(self._listeners[name], listener, accept)

    def emit(self, name: str, response: m.Response[Any]) -> None:
        """Call every listener of ``name`` (or hold the event); one that raises does not stop
        the others."""
        if self._held is not None:
            self._held.append((name, response))
            return
        for sub in list(self._listeners[name]):
            if sub.accept is None or sub.accept():
                safe_call(sub.listener, response, what=f"{name} listener")

    def hold(self, limit: int = HELD_EVENTS) -> None:
        """Keep events (the last ``limit``) for :meth:`release` instead of delivering them:
        listeners registered a little later, in ready(), still hear them."""
        self._held = deque(maxlen=limit)

    def release(self) -> None:
        """Stop holding events; deliver the held ones, in order, to the listeners of now."""
        held, self._held = self._held or (), None
        for name, response in held:
            self.emit(name, response)

    def clear(self) -> None:
        for subs in self._listeners.values():
            subs.clear()
        self._held = None
