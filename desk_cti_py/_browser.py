"""The one module that touches ``js`` and ``pyodide.ffi``: postMessage out, messages in; and the
one that reaches into Pyodide's private JS API (``pyodide_js._api``, for :func:`promising_entry`,
on the releases in :data:`ENTRY_RELEASES` only).

Messages cross the frame boundary as JSON strings. A small JS filter drops,
before Python is entered, every message whose ``event.source`` is not the
parent window, whose data is not a string or is over the protocol's size
limit; the client then checks the origin, and only then parses. The parent
window proxy is read once and cached: reading ``window.parent`` of a
cross-origin parent is slow (docs/performance.md, "The library").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import js
from pyodide.code import run_js
from pyodide.ffi import create_proxy

from .protocol import MAX_MESSAGE_CHARS
from .transport import Receiver


class _JsFunction:
    """A JS function made from its source on first call: importing this module creates no JS
    object (a memory snapshot taken after the import would hold it)."""

    __slots__ = ("_fn", "_source")

    def __init__(self, source: str) -> None:
        self._source = source
        self._fn: Any = None

    def __call__(self, *args: Any) -> Any:
        if self._fn is None:
            self._fn = run_js(self._source)
        return self._fn(*args)


# postMessage bound to the parent once: a property read on a cross-origin window is slow.
_MAKE_POST = _JsFunction("(parent) => (text, origin) => parent.postMessage(text, origin)")

# Drops what is not a string from the parent window before Python is entered. While several
# calls are in flight (stats.batching, set from Python) messages are gathered and handed over
# together one task later: Python is entered once per batch, not once per message.
_MAKE_FILTER = _JsFunction(
    """(parent, deliverProxy, deliverManyProxy, stats, maxChars, enter) => {
        // Python is entered through enter (callPromising) where the runtime can stack-switch
        // (JSPI), so code that a message resumes may call pyodide.ffi.run_sync; else by a plain call.
        const report = (e) => console.error("desk_cti_py: a message could not be handled", e);
        const promising = enter && typeof WebAssembly.Suspending === "function";
        const deliver = promising ? (o, t) => { enter(deliverProxy, o, t).catch(report); } : deliverProxy;
        const deliverMany = promising
            ? (o, t) => { enter(deliverManyProxy, o, t).catch(report); } : deliverManyProxy;
        let origins = [], texts = [], scheduled = false;
        const channel = new MessageChannel();
        channel.port1.onmessage = () => {
            scheduled = false;
            const o = origins, t = texts;
            origins = [];
            texts = [];
            stats.batches++;
            deliverMany(o, t);
        };
        const listener = (event) => {
            if (event.source !== parent || typeof event.data !== "string" || event.data.length > maxChars) {
                stats.dropped++;
                return;
            }
            stats.passed++;
            if (!scheduled && !stats.batching) return deliver(event.origin, event.data);
            origins.push(event.origin);
            texts.push(event.data);
            if (!scheduled) {
                scheduled = true;
                channel.port2.postMessage(null);
            }
        };
        listener.close = () => {
            channel.port1.onmessage = null;
            channel.port1.close();
            origins = texts = [];
        };
        return listener;
    }"""
)


#: Pyodide releases whose ``callPromising`` was read for the entry below (docs/performance.md)
ENTRY_RELEASES = ("314.0.7",)

# callPromising without the task it waits before it enters Python: Pyodide 314 awaits its
# internal scheduleCallback (a MessageChannel task) first, about a tenth of a round trip. While
# callPromising runs up to that await, scheduleCallback calls back at once: Python then runs in
# a microtask of the message's own task. With no api (another release): callPromising as it is.
_MAKE_ENTER = _JsFunction(
    """(api) => {
        if (!api || typeof api.scheduleCallback !== "function") return (proxy, a, b) => proxy.callPromising(a, b);
        const scheduled = api.scheduleCallback;
        const now = (callback, ms) => (ms > 0 ? scheduled(callback, ms) : callback());
        return (proxy, a, b) => {
            api.scheduleCallback = now;
            try {
                return proxy.callPromising(a, b);
            } finally {
                api.scheduleCallback = scheduled;
            }
        };
    }"""
)


def promising_entry() -> Any:
    """The JS function ``(proxy, a, b)`` that calls ``proxy(a, b)`` through ``callPromising``
    (code it runs may call ``pyodide.ffi.run_sync``) and returns its promise; on a Pyodide
    release in :data:`ENTRY_RELEASES`, without callPromising's extra task."""
    import pyodide
    import pyodide_js

    checked = getattr(pyodide, "__version__", None) in ENTRY_RELEASES
    return _MAKE_ENTER(getattr(pyodide_js, "_api", None) if checked else None)


# One call into JS at connect: where this page is (the same lookups through Python proxies are
# slow at boot, docs/performance.md). "top <origin>" for a top window, else the embedding
# page's origin, or "" when neither ancestorOrigins nor the referrer tells.
_WHERE = _JsFunction(
    """() => {
        if (window.parent === window) return "top " + location.origin;
        const ancestors = location.ancestorOrigins;
        if (ancestors && ancestors.length > 0 && ancestors[0] && ancestors[0] !== "null") return ancestors[0];
        return document.referrer ? new URL(document.referrer).origin : "";
    }"""
)


def frame_origins() -> tuple[str | None, str | None]:
    """(this page's origin if it is the top window, else None; the embedding page's origin,
    None at top level or when neither ``location.ancestorOrigins`` nor the referrer tells)."""
    where = str(_WHERE())
    if where.startswith("top "):
        return where[4:], None
    return None, where or None


def detect_console_origin() -> str | None:
    """The embedding page's origin (None at top level, or when unknown)."""
    return frame_origins()[1]


class BrowserTransport:
    """The :class:`~desk_cti_py.transport.Transport` of a softphone frame: posts to the
    cached parent window, and owns the message listener and its two proxies."""

    #: messages enter Python through :func:`promising_entry` (where the runtime has JSPI), so
    #: that code they resume may call ``pyodide.ffi.run_sync``; False: a plain call, for
    #: measuring what that costs (bench/ad_hoc/roundtrip_ab.py; docs/performance.md)
    promising_entry = True

    def __init__(self) -> None:
        self._parent = js.window.parent
        #: ``post(text, target_origin)``: a JS function, called by the client as it is
        self.post: Callable[[str, str], None] = _MAKE_POST(self._parent)
        self._proxies: list[Any] = []
        self._listener: Any = None
        #: messages the JS filter passed to Python, dropped (wrong source, not a string, too large),
        #: and the batches it handed over
        self.stats = run_js("({passed: 0, dropped: 0, batches: 0, batching: false})")

    def attach(self, receiver: Receiver) -> None:
        """Hand the parent's messages to ``receiver``."""
        self.detach()

        def receive_many(origins: Any, texts: Any) -> None:
            receiver.receive_many(zip(origins.to_py(), texts.to_py()))

        self._proxies = [create_proxy(receiver.receive), create_proxy(receive_many)]
        self._listener = _MAKE_FILTER(self._parent, *self._proxies, self.stats, MAX_MESSAGE_CHARS,
                                      promising_entry() if self.promising_entry else None)
        js.window.addEventListener("message", self._listener)

    def set_batching(self, many_in_flight: bool) -> None:
        """Gather messages while several calls are in flight: Python is entered once a batch."""
        self.stats.batching = many_in_flight

    def detach(self) -> None:
        """Remove the listener, drop what it gathered, destroy its proxies."""
        if self._listener is not None:
            js.window.removeEventListener("message", self._listener)
            self._listener.close()
            self._listener = None
        for proxy in self._proxies:
            proxy.destroy()
        self._proxies = []
        self.stats.batching = False
