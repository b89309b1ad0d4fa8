"""The one module that touches ``js`` and ``pyodide.ffi``: postMessage out, messages in.

Messages cross the frame boundary as JSON strings. A small JS filter drops,
before Python is entered, every message whose ``event.source`` is not the
parent window or whose data is not a string; the client then checks origin
and shape. The parent window proxy is read once and cached (reading
``window.parent`` of a cross-origin parent costs 1-2 ms each time).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import js
from pyodide.code import run_js
from pyodide.ffi import create_proxy

# postMessage bound to the parent once: a property read on a cross-origin window is slow.
_MAKE_POST = run_js("(parent) => (text, origin) => parent.postMessage(text, origin)")

_MAKE_FILTER = run_js(
    """(parent, deliver, stats) => (event) => {
        if (event.source === parent && typeof event.data === "string") {
            stats.passed++;
            deliver(event.origin, event.data);
        } else {
            stats.dropped++;
        }
    }"""
)


def detect_console_origin() -> str | None:
    """The embedding page's origin, from ``location.ancestorOrigins`` or the referrer."""
    if js.window.parent == js.window:
        return js.location.origin
    ancestors = getattr(js.location, "ancestorOrigins", None)
    if ancestors is not None and ancestors.length > 0:
        origin = ancestors.item(0)
        if origin and origin != "null":
            return str(origin)
    referrer = str(js.document.referrer or "")
    if referrer:
        return str(js.URL.new(referrer).origin)
    return None


class BrowserTransport:
    """Posts to the cached parent window and owns the one message listener proxy."""

    def __init__(self) -> None:
        self._parent = js.window.parent
        #: ``post(text, target_origin)``: a JS function, handed to the client as it is
        self.post = _MAKE_POST(self._parent)
        self._deliver: Any = None
        self._listener: Any = None
        #: messages the JS filter passed to Python, and dropped (wrong source or not a string)
        self.stats = run_js("({passed: 0, dropped: 0})")

    def attach(self, receive: Callable[[str, str], None]) -> None:
        self.detach()
        self._deliver = create_proxy(receive)
        self._listener = _MAKE_FILTER(self._parent, self._deliver, self.stats)
        js.window.addEventListener("message", self._listener)

    def detach(self) -> None:
        """Remove the listener and destroy its proxy."""
        if self._listener is not None:
            js.window.removeEventListener("message", self._listener)
            self._listener = None
        if self._deliver is not None:
            self._deliver.destroy()
            self._deliver = None
