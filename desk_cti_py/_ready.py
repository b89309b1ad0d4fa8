"""``ready()``: listeners queued until the loader says the library and the page are ready."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .client import safe_call
from .models import BadArguments

_state: dict[str, Any] = {"fired": False, "listeners": []}


def ready(listener: Callable[[], Any]) -> Callable[[], Any]:
    """Queue ``listener`` to run once when desk_cti_py and the DOM are ready.

    Added after ready, it runs at once. An async listener is scheduled. One
    that raises is logged and does not stop the others. Returns the listener,
    so ``@ready`` works as a decorator.
    """
    if not callable(listener):
        raise BadArguments("ready: listener must be a function")
    if _state["fired"]:
        safe_call(listener, what="ready listener")
    else:
        _state["listeners"].append(listener)
    return listener


def is_ready() -> bool:
    return bool(_state["fired"])


def fire_ready() -> None:
    """Run the queued listeners, exactly once (the loader calls this)."""
    if _state["fired"]:
        return
    _state["fired"] = True
    queued, _state["listeners"] = _state["listeners"], []
    for listener in queued:
        safe_call(listener, what="ready listener")
