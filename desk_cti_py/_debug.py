"""Debug mode: every message both ways, written to the browser console (as HubSpot's ``debugMode``).

:class:`DebugTransport` wraps the transport a client talks through and writes one line per
message: direction, origin, type, id, size and the text, cut short. It is put in place only
while debug mode is on, so a softphone without it pays nothing. Incoming messages are shown as
the transport hands them over (from the console's window; the client may still drop them for
their origin or shape: a line says so, and the reason is logged at DEBUG level, which debug
mode also turns on for the ``desk_cti_py`` logger). Nothing here parses a message: the type and
id are read by a bounded pattern from the text's start, so hostile text costs no more than
its size.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from typing import Any

from .transport import Receiver, Transport

#: characters of each message's text shown in a line
TEXT_CHARS = 300
# type and id as both sides write them: compact JSON, the envelope's fields first
_FIELD = {name: re.compile(rf'"{name}":"([^"\\]{{1,120}})"') for name in ("type", "id")}
_HEAD_CHARS = 400
PREFIX = "desk-cti debug:"

Write = Callable[[str], None]


def describe(direction: str, origin: str, text: Any) -> str:
    """One line for one message: ``out``/``in``, the origin it went to or came from, its type,
    id and size in characters, and its text (at most TEXT_CHARS of it)."""
    arrow = "->" if direction == "out" else "<-"
    where = "to" if direction == "out" else "from"
    if not isinstance(text, str):
        return f"{PREFIX} {arrow} {direction} {where} {origin} (not a string: {type(text).__name__})"
    head = text[:_HEAD_CHARS]
    kind, msg_id = (m.group(1) if (m := _FIELD[name].search(head)) else "?" for name in ("type", "id"))
    shown = text if len(text) <= TEXT_CHARS else f"{text[:TEXT_CHARS]}... (+{len(text) - TEXT_CHARS} chars)"
    return f"{PREFIX} {arrow} {direction} {where} {origin} {kind} id={msg_id} {len(text)} chars {shown}"


class _Logging:
    """The receiver the wrapped transport hands messages to: writes each, then passes it on."""

    def __init__(self, receiver: Receiver, write: Write) -> None:
        self.receiver = receiver
        self.write = write

    def _dropped(self) -> Any:
        return getattr(self.receiver, "dropped", None)

    def _note_drop(self, before: Any) -> None:
        if isinstance(before, int) and self._dropped() != before:
            self.write(f"{PREFIX}    (dropped by the softphone: not its console's origin, or not the protocol)")

    def receive(self, origin: str, text: Any) -> None:
        self.write(describe("in", origin, text))
        before = self._dropped()
        self.receiver.receive(origin, text)
        self._note_drop(before)

    def receive_many(self, messages: Iterable[tuple[str, Any]]) -> None:
        listed = list(messages)
        for origin, text in listed:
            self.write(describe("in", origin, text))
        before = self._dropped()
        self.receiver.receive_many(listed)
        self._note_drop(before)


class DebugTransport:
    """A :class:`~desk_cti_py.transport.Transport` that writes every message it carries.

    ``inner`` does the carrying; ``write`` gets each line (``print`` by default: under Pyodide
    it reaches the browser console as ``console.log``).
    """

    def __init__(self, inner: Transport, write: Write | None = None) -> None:
        self.inner = inner
        self.write: Write = write or _print

    def post(self, text: str, target_origin: str) -> None:
        self.write(describe("out", target_origin, text))
        self.inner.post(text, target_origin)

    def attach(self, receiver: Receiver) -> None:
        self.inner.attach(_Logging(receiver, self.write))

    def detach(self) -> None:
        self.inner.detach()

    def set_batching(self, many_in_flight: bool) -> None:
        self.inner.set_batching(many_in_flight)

    def __getattr__(self, name: str) -> Any:
        # what the inner transport offers besides the protocol (BrowserTransport.stats)
        return getattr(self.inner, name)


def _print(line: str) -> None:
    print(line, flush=True)


# ------------------------------------------------------------ the library's own log

_handler: logging.Handler | None = None
_old_level = logging.NOTSET


def log_to_console(on: bool) -> None:
    """While on, the ``desk_cti_py`` logger writes everything (DEBUG and up) to stdout, the
    browser console under Pyodide: why a message was dropped, refusals, late replies."""
    global _handler, _old_level
    log = logging.getLogger("desk_cti_py")
    if on and _handler is None:
        _handler = logging.StreamHandler(_Stdout())
        _handler.setFormatter(logging.Formatter(f"{PREFIX} %(levelname)s %(message)s"))
        _old_level = log.level
        log.addHandler(_handler)
        log.setLevel(logging.DEBUG)
    elif not on and _handler is not None:
        log.removeHandler(_handler)
        log.setLevel(_old_level)
        _handler = None


class _Stdout:
    """sys.stdout as it is when a line is written (pytest and Pyodide replace it)."""

    def write(self, text: str) -> int:
        import sys

        return sys.stdout.write(text)

    def flush(self) -> None:
        import sys

        sys.stdout.flush()
