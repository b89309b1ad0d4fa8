"""The page: its elements, the call log, field errors, and click handlers that never lose an error."""

import asyncio
import time

from js import document
from pyodide.ffi.wrappers import add_event_listener

import desk_cti_py as desk

from .checks import api_field_errors


def el(element_id):
    return document.getElementById(element_id)


def log(text, error=False):
    item = document.createElement("li")
    item.textContent = f"{time.strftime('%H:%M:%S')} {text}"
    if error:
        item.className = "error"
    el("log").prepend(item)


def field_error(field_id, message):
    """Show (or clear, with None) the error next to a field."""
    box = el(f"{field_id}-error")
    box.textContent = message or ""
    box.hidden = not message
    el(field_id).setAttribute("aria-invalid", "true" if message else "false")


def on_click(element, handler):
    """Run an async handler on click; an error is shown in the log, never lost."""

    async def run():
        try:
            await handler()
        except desk.CtiError as exc:
            fields = api_field_errors(exc)
            log(f"{type(exc).__name__}: {exc.message}" + (f" ({fields})" if fields else ""), error=True)

    add_event_listener(element, "click", lambda event: asyncio.ensure_future(run()))
