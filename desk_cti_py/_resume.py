"""Resume the tasks a reply wakes as soon as the reply is handled.

The one module that relies on private internals of asyncio (``Handle._run``, the loop's
``call_soon`` looked up on the instance) and of Pyodide's WebLoop
(``_install_running_loop``, ``_install_asyncgen_hooks``). :func:`supported` checks them
(the Pyodide release they were read against, and their shape); where it says no, messages
are handled on the public path: what a reply wakes runs in a later task of the loop.

Pyodide's WebLoop runs every ``call_soon`` callback as a browser task of its
own, each through a fresh one-shot proxy. A task awaiting a reply would
resume one browser task after the message event, which costs a good part of
a call (docs/performance.md). While the client handles one message, :func:`run_resuming` swaps the
loop's ``call_soon`` for one that collects the callbacks, then runs them in
order right after, as a JS promise continuation runs. Everything else on the
loop is untouched, and callbacks scheduled by those callbacks go through the
loop as usual. Nothing is swapped unless ``loop`` is the running loop and no
task is running (a message handled from inside a task, as a CPython test may
do, leaves the loop alone).
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from typing import Any

_MISSING = object()
#: Pyodide releases whose WebLoop this module was read against (see docs/performance.md)
PYODIDE_RELEASES = ("314.0.7",)


def supported(loop: asyncio.AbstractEventLoop) -> bool:
    """Whether eager resume can run on ``loop``: the internals it uses are there, and under
    Pyodide the release is one it was checked against."""
    if not callable(getattr(asyncio.Handle, "_run", None)) or not hasattr(asyncio, "_get_running_loop"):
        return False
    if getattr(loop, "__dict__", None) is None or not callable(getattr(loop, "call_soon", None)):
        return False
    pyodide = sys.modules.get("pyodide")
    if pyodide is not None and "emscripten" in sys.platform:
        return getattr(pyodide, "__version__", None) in PYODIDE_RELEASES and all(
            callable(getattr(loop, name, None)) for name in ("_install_running_loop", "_install_asyncgen_hooks"))
    return True


def run_resuming(loop: asyncio.AbstractEventLoop, fn: Callable[..., None], *args: Any) -> None:
    """Call ``fn(*args)``; run the callbacks it scheduled with ``call_soon`` right after
    (on the public path, where :func:`supported` says no: just ``fn(*args)``)."""
    checked = _checked
    if loop is not checked[0]:  # one loop in practice: checked once, not per message
        ok = supported(loop)
        checked[:] = [loop, ok, getattr(loop, "_install_running_loop", None) if ok else None,
                      getattr(loop, "__dict__", None) if ok else None]
    slots = checked[3]
    if slots is None:
        fn(*args)
        return
    install = checked[2]
    if install is not None:  # Pyodide's WebLoop, as it does per handle
        install()
    if asyncio._get_running_loop() is not loop or asyncio.current_task(loop) is not None:
        fn(*args)
        return
    ready: list[asyncio.Handle] = []

    def collect(callback: Callable[..., Any], *cb_args: Any, context: Any = None) -> asyncio.Handle:
        handle = asyncio.Handle(callback, cb_args, loop, context=context)
        ready.append(handle)
        return handle

    previous = slots.get("call_soon", _MISSING)
    slots["call_soon"] = collect
    try:
        fn(*args)
    finally:
        if previous is _MISSING:
            del slots["call_soon"]
        else:
            slots["call_soon"] = previous
        if ready:
            run_handles(loop, ready)


#: the loop last checked, whether eager resume runs on it, its running-loop installer, its __dict__
_checked: list[Any] = [None, False, None, None]


def run_handles(loop: asyncio.AbstractEventLoop, ready: list[asyncio.Handle]) -> None:
    """Run handles in order. An exception is the loop's to report; SystemExit and
    KeyboardInterrupt propagate, and the handles left go back to the loop."""
    hooks = getattr(loop, "_install_asyncgen_hooks", None)
    if hooks is not None:
        hooks()
    for i, handle in enumerate(ready):
        if handle.cancelled():
            continue
        try:
            handle._run()
        except BaseException:
            if i + 1 < len(ready):
                loop.call_soon(run_handles, loop, ready[i + 1:])
            raise
