"""How protocol messages travel: the :class:`Transport` a client talks through.

A transport carries the protocol's JSON strings between the softphone and its console,
and nothing else: it neither parses nor checks them. ``_browser.BrowserTransport`` is the
real one (``window.parent.postMessage`` and the window's ``message`` event);
:class:`MemoryTransport` joins a client to a console in the same process, for tests.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Protocol


class Receiver(Protocol):
    """What a transport hands incoming messages to (a :class:`~desk_cti_py.client.Client`)."""

    def receive(self, origin: str, text: Any) -> None: ...

    def receive_many(self, messages: Iterable[tuple[str, Any]]) -> None: ...


class Transport(Protocol):
    """Requirements, first: ``post`` delivers one string to the console's window only if
    that window's origin is ``target_origin`` (never ``"*"``); every incoming message is
    handed over with the origin the platform reports, and only messages from the console's
    window (its source), as strings of at most the protocol's size limit; ``detach`` stops
    delivery and drops what was gathered but not yet handed over.

    ``set_batching(True)`` says several calls are in flight: the transport may then hand
    over the messages that arrive together in one ``receive_many`` call, in order.
    """

    def post(self, text: str, target_origin: str) -> None: ...

    def attach(self, receiver: Receiver) -> None: ...

    def detach(self) -> None: ...

    def set_batching(self, many_in_flight: bool) -> None: ...


class MemoryTransport:
    """A transport inside one process: what the softphone posts goes to ``deliver(text,
    target_origin)`` (the console's side), and :meth:`send` hands the console's messages to
    the attached receiver on the next turn of the event loop, as a browser would."""

    def __init__(self, deliver: Callable[[str, str], None]) -> None:
        self._deliver = deliver
        self.receiver: Receiver | None = None

    def post(self, text: str, target_origin: str) -> None:
        self._deliver(text, target_origin)

    def attach(self, receiver: Receiver) -> None:
        self.receiver = receiver

    def detach(self) -> None:
        self.receiver = None

    def set_batching(self, many_in_flight: bool) -> None:
        """Nothing to gather in one process: every message is handed over at once."""

    def send(self, origin: str, text: str) -> None:
        """Deliver ``text`` from ``origin`` to the receiver on the loop's next turn (dropped
        if the transport is detached by then)."""
        from ._tasks import running_loop

        running_loop().call_soon(self._hand_over, origin, text)

    def _hand_over(self, origin: str, text: str) -> None:
        if self.receiver is not None:
            self.receiver.receive(origin, text)
