"""Running the softphone author's code: on the current loop, and never letting it break ours."""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Callable
from typing import Any

log = logging.getLogger("desk_cti_py")


def running_loop() -> asyncio.AbstractEventLoop:
    """The running loop, or the thread's loop outside one (Pyodide's WebLoop is always there)."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.get_event_loop()


def safe_call(fn: Callable[..., Any], *args: Any, what: str = "listener") -> None:
    """Call a user function; log (never raise) what it raises; schedule it if it is async."""
    try:
        out = fn(*args)
        if inspect.isawaitable(out):
            task = asyncio.ensure_future(out)
            task.add_done_callback(lambda t: _log_task_error(t, what))
    except Exception:
        log.exception("desk_cti_py: %s %r raised", what, fn)


def _log_task_error(task: asyncio.Future[Any], what: str) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("desk_cti_py: async %s raised", what, exc_info=task.exception())
