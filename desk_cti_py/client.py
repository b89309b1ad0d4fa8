"""The softphone's side of a connection: handshake, pending calls, timeouts, listeners.

Pure Python, no ``js``, and nothing of Desk's: it posts through a
:class:`~desk_cti_py.transport.Transport`, and every message that passed the
transport's source check comes in through :meth:`Client.receive` with its
origin. See ``docs/protocol.md``.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from . import models as m
from . import protocol as p
from ._deadlines import Deadlines
from ._resume import run_resuming
from ._tasks import running_loop
from .events import Events
from .origins import OriginPolicy
from .transport import Transport

log = logging.getLogger("desk_cti_py")

R = TypeVar("R")
Parse = Callable[[Any], Any]
Convert = Callable[[m.CtiError], m.CtiError]

DEFAULT_TIMEOUT = 10.0
QUEUE_LIMIT = 100
HELLO_RETRY = (0.05, 0.1, 0.2, 0.4, 0.8, 1.6)  # then every 2 s


class _Call:
    """A call in flight (or queued before the handshake)."""

    __slots__ = ("method", "params", "future", "parse", "convert", "deadline", "timeout", "sent")

    def __init__(self, method: str, params: dict[str, Any], future: asyncio.Future[Any], parse: Parse,
                 convert: Convert | None, deadline: float, timeout: float) -> None:
        self.method = method
        self.params = params
        self.future = future
        self.parse = parse
        self.convert = convert
        self.deadline = deadline
        self.timeout = timeout
        self.sent = False


class Client:
    """One softphone's connection to its console."""

    def __init__(
        self,
        transport: Transport,
        *,
        console_origins: Iterable[str] | str | None = None,
        console_origin: str | None = None,
        parent_origin: str | None = None,
        development: bool = False,
        timeout: float = DEFAULT_TIMEOUT,
        queue_limit: int = QUEUE_LIMIT,
        session: str | None = None,
        eager_resume: bool = True,
        embedded: bool = True,
    ) -> None:
        self.transport = transport
        #: False for a page opened as the top window: there is no console to greet
        self.embedded = embedded
        self._post = transport.post
        #: resume the tasks a reply wakes inside the message event (see ``_resume``)
        self.eager_resume = eager_resume
        self._burst = False  # more than one call in flight: the transport may batch
        #: which console it may talk to (checked before any message is parsed)
        self.origins = OriginPolicy([console_origin] if console_origin is not None else console_origins,
                                    parent_origin, development)
        self.console_session: str | None = None
        self.timeout = timeout
        self.queue_limit = queue_limit
        self.ids = p.IdMaker(session)
        self.state = "idle"  # idle, connecting, connected, refused, closed
        self.refusal: m.CtiError | None = None
        self._calls: OrderedDict[str, _Call] = OrderedDict()
        self._queued = 0  # calls made before the handshake, not yet posted
        self._deadlines = Deadlines(self._due, self._time_out,
                                    lambda: ((c.deadline, i) for i, c in self._calls.items()))
        self._hellos: set[str] = set()
        self._hello_timer: asyncio.TimerHandle | None = None
        self._hello_tries = 0
        #: who hears the console's events (``on``), and whether they are held for now
        self.events = Events(p.EVENTS)
        self.on = self.events.on
        self.dropped = 0  # messages refused on arrival, for tests and the inspector

    def use_transport(self, transport: Transport) -> None:
        """Post through ``transport`` from now on (already attached to this client), and tell
        it whether several calls are in flight."""
        self.transport = transport
        self._post = transport.post
        if self._burst:
            self._set_burst(True)

    # ------------------------------------------------------------ handshake

    @property
    def connected(self) -> bool:
        return self.state == "connected"

    @property
    def origin(self) -> str | None:
        """The console's origin, pinned at the handshake (None before)."""
        return self.origins.pinned

    def start(self) -> None:
        """Begin (or begin again) the handshake; hellos repeat until welcomed.

        Refused at once (``state == "refused"``, ``refusal`` set) when the embedding page is
        not a console this softphone accepts: nothing is posted then.
        """
        if self.state in ("connecting", "closed"):
            return
        if not self.embedded:  # calls fail at once rather than hellos going to this very window
            self.state = "refused"
            self.refusal = m.NotConnected("this page is not in a console's frame (it is the top window)")
            return
        why = self.origins.refusal()
        if why is not None:
            self._stop_hello()
            self.state = "refused"
            self.refusal = m.OriginNotAllowed(why)
            for call_id in list(self._calls):
                self._finish(call_id, error=self.refusal)
            return
        self.state = "connecting"
        self._hello_tries = 0
        self._send_hello()

    def _send_hello(self) -> None:
        self._hello_timer = None
        if self.state != "connecting":
            return
        hello_id = self.ids()
        self._hellos.add(hello_id)
        text = p.encode(p.envelope(p.HELLO, hello_id, session=self.ids.session))
        for target in self.origins.hello_targets():
            self._post(text, target)
        delay = HELLO_RETRY[self._hello_tries] if self._hello_tries < len(HELLO_RETRY) else 2.0
        self._hello_tries += 1
        self._hello_timer = running_loop().call_later(delay, self._send_hello)

    def _stop_hello(self) -> None:
        if self._hello_timer is not None:
            self._hello_timer.cancel()
            self._hello_timer = None
        self._hellos.clear()

    # --------------------------------------------------------------- inbound

    def receive(self, origin: str, text: Any) -> None:
        """Handle one message from the parent window (the transport checked the source).

        With ``eager_resume``, what the message wakes (tasks awaiting a reply,
        callbacks) runs before this returns, not in a later browser task.
        """
        if self.eager_resume:
            run_resuming(running_loop(), self._receive, origin, text)
        else:
            self._receive(origin, text)

    def receive_many(self, messages: Iterable[tuple[str, Any]]) -> None:
        """Handle ``(origin, text)`` messages that arrived together, in order; one that
        breaks the client is logged and the rest are still handled."""
        if self.eager_resume:
            run_resuming(running_loop(), self._receive_all, messages)
        else:
            self._receive_all(messages)

    def _receive_all(self, messages: Iterable[tuple[str, Any]]) -> None:
        for origin, text in messages:
            try:
                self._receive(origin, text)
            except Exception:
                log.exception("desk_cti_py: a message from %s broke the client", origin)

    def _receive(self, origin: str, text: Any) -> None:
        # The cheap filters first: a message from an origin we do not accept is never parsed.
        if not self.origins.accepts(origin):
            self._drop(origin, "origin is not the console's")
            return
        try:
            msg = p.decode(text)
        except p.ProtocolError as exc:
            # a console of another protocol version ends the handshake, with both versions named
            refusal = p.version_refusal(text, self._hellos) if self.state == "connecting" else None
            if refusal is not None:
                self._on_refused({"error": refusal})
                return
            self._drop(origin, str(exc))
            return
        kind = msg["type"]
        if kind == p.RESPONSE and self.state == "connected":  # the common case first
            self._on_response(msg)
        elif kind == p.WELCOME:
            self._on_welcome(origin, msg)
        elif self.state == "connecting" and kind == p.ERROR and msg.get("re") in self._hellos:
            self._on_refused(msg)
        elif not self.connected or self.origin is None:
            self._drop(origin, f"{kind} before the handshake")
        elif kind == p.RESPONSE:
            self._on_response(msg)
        elif kind == p.EVENT:
            self._on_event(msg)
        elif kind == p.PING:
            self._post(p.encode(p.envelope(p.PONG, self.ids(), re=msg["id"])), self.origin)
        elif kind == p.BYE:
            self._on_bye(msg)
        elif kind == p.ERROR:
            self._on_error(msg)

    def _drop(self, origin: str, why: str) -> None:
        self.dropped += 1
        log.debug("desk_cti_py: dropped a message from %s: %s", origin, why)

    def _on_welcome(self, origin: str, msg: dict[str, Any]) -> None:
        if msg["re"] not in self._hellos:
            self._drop(origin, "welcome to no hello of ours")
            return
        self._stop_hello()
        if self.console_session not in (None, msg["session"]):
            self._fail_sent(m.ConnectionLost("the console was reloaded while the call was in flight"))
        self.origins.pinned = origin
        self.console_session = msg["session"]
        self.state = "connected"
        self.refusal = None
        now = running_loop().time()
        for call_id, call in list(self._calls.items()):
            if not call.sent:
                self._queued -= 1
                self._send(call_id, call, call.deadline - now)

    def _on_refused(self, msg: dict[str, Any]) -> None:
        self._stop_hello()
        self.state = "refused"
        self.refusal = m.error_from_wire(msg["error"])
        log.error("desk_cti_py: the console refused the handshake: %s", self.refusal.message)
        for call_id in list(self._calls):
            self._finish(call_id, error=self.refusal)

    def _on_bye(self, msg: dict[str, Any]) -> None:
        self._fail_sent(m.ConnectionLost("the console went away while the call was in flight"))
        self.state = "idle"
        self.start()

    def _on_error(self, msg: dict[str, Any]) -> None:
        re = msg.get("re")
        if isinstance(re, str) and re in self._calls:
            self._finish(re, error=m.error_from_wire(msg["error"]))
        else:
            log.warning("desk_cti_py: console reported %s", msg["error"])

    def _on_response(self, msg: dict[str, Any]) -> None:
        call_id = msg["re"]
        call = self._calls.get(call_id)
        if call is None or not call.sent:
            log.warning("desk_cti_py: late or unknown reply %s dropped", call_id)
            self.dropped += 1
            return
        if not msg["ok"]:
            self._finish(call_id, error=m.error_from_wire(msg["error"]))
            return
        try:
            result = call.parse(msg.get("result"))
        except Exception as exc:  # ProtocolError, or a parser's bug: the call still ends
            self._finish(call_id, error=m.ConsoleError(f"the console sent a bad result: {exc}"))
            return
        self._finish(call_id, result=result)

    def _on_event(self, msg: dict[str, Any]) -> None:
        name = msg["event"]
        model = m.ClickToDial if name == p.EVENT_CLICK_TO_DIAL else m.PageInfo
        err = msg.get("error")
        response: m.Response[Any]
        if isinstance(err, dict) and isinstance(err.get("message"), str):
            response = m.Response(None, err["message"], str(err.get("code") or p.CONSOLE_ERROR))
        else:
            try:
                response = m.Response(model.from_wire(msg["data"]))
            except p.ProtocolError as exc:
                self._drop(self.origin or "", str(exc))
                return
        self.events.emit(name, response)

    # ---------------------------------------------------------------- calls

    def call(
        self,
        method: str,
        params: dict[str, Any],
        *,
        parse: Callable[[Any], R],
        timeout: float | None = None,
        convert: Convert | None = None,
    ) -> asyncio.Future[R]:
        """Post a checked request; the future resolves to the parsed result or a CtiError
        (which goes through ``convert`` first, if given)."""
        loop = running_loop()
        future: asyncio.Future[R] = loop.create_future()
        if timeout is None:
            timeout = self.timeout
        state = self.state
        if state != "connected":
            early: m.CtiError | None = None
            if state == "refused" and self.refusal is not None:
                early = type(self.refusal)(self.refusal.message)
            elif state == "closed":
                early = m.NotConnected("the connection is closed")
            elif self._queued >= self.queue_limit:
                early = m.NotConnected(f"no console yet and {self._queued} calls already queued")
            if early is not None:
                future.set_exception(convert(early) if convert else early)
                return future
        call_id = self.ids()
        deadline = loop.time() + timeout
        call = _Call(method, params, future, parse, convert, deadline, timeout)
        calls = self._calls
        calls[call_id] = call
        if not self._burst and len(calls) > 1:
            self._set_burst(True)
        self._deadlines.add(call_id, deadline, len(calls))
        if state == "connected":
            self._send(call_id, call, timeout)
        else:
            self._queued += 1
            if state == "idle":
                self.start()
        return future

    def _send(self, call_id: str, call: _Call, left: float) -> None:
        """Post a call; ``left``: the seconds its caller still waits, which the console is told
        so that it answers before the caller gives up."""
        call.sent = True
        left_ms = max(1, min(int(left * 1000), 1_000_000_000))
        text = p.encode(p.envelope(p.REQUEST, call_id, method=call.method, params=call.params, timeout=left_ms))
        origin = self.origins.pinned
        assert origin is not None  # pinned at the handshake
        self._post(text, origin)

    def _due(self, call_id: str, deadline: float) -> bool:
        call = self._calls.get(call_id)
        return call is not None and call.deadline == deadline

    def _time_out(self, call_id: str) -> None:
        call = self._calls[call_id]
        where = "from the console" if call.sent else "(no console connected)"
        self._finish(call_id, error=m.CtiTimeout(f"{call.method}: no answer {where} in {call.timeout:g} s"))

    def _finish(self, call_id: str, *, result: Any = None, error: m.CtiError | None = None) -> None:
        call = self._calls.pop(call_id, None)
        if call is None:
            return
        if self._burst and len(self._calls) <= 1:
            self._set_burst(False)
        if not call.sent:
            self._queued -= 1
        if call.future.done():
            return
        if error is not None:
            if call.convert is not None:
                try:
                    error = call.convert(error)
                except Exception:  # the call still ends, with the error as it came
                    log.exception("desk_cti_py: %s's error hook raised", call.method)
            call.future.set_exception(error)
        else:
            call.future.set_result(result)

    def _set_burst(self, burst: bool) -> None:
        self._burst = burst
        try:
            self.transport.set_batching(burst)
        except Exception:
            log.exception("desk_cti_py: the transport's set_batching raised")

    def _fail_sent(self, error: m.CtiError) -> None:
        for call_id, call in list(self._calls.items()):
            if call.sent:
                self._finish(call_id, error=type(error)(error.message))

    @property
    def pending(self) -> int:
        """Calls not yet answered (queued or in flight)."""
        return len(self._calls)

    def close(self) -> None:
        """End the connection: every pending call fails with ConnectionLost."""
        self._stop_hello()
        self._deadlines.stop()
        for call_id in list(self._calls):
            self._finish(call_id, error=m.ConnectionLost("the connection was closed"))
        self.state = "closed"
        self.events.clear()
