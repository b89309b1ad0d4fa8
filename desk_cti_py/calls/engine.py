"""The call engine: calls and their states, events to listeners, awaitables. Pure Python.

What moves the calls is a :class:`Driver` (SIP over WebSocket in the browser, an in-memory
fake in tests): the engine tells it what the user asked for, and it reports back what the
network did through the engine's :class:`Sink`. The engine alone decides the states, so every
driver gives the same states, events and reasons, and no call is left hanging: a call this
side ends is final at once, whatever the network does after.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from .._tasks import running_loop, safe_call
from ..events import Subscription
from .model import (
    BadArguments,
    CallError,
    CallFailed,
    CallState,
    Direction,
    EngineStatus,
    InvalidCallState,
    MediaStats,
    Reason,
    check_digits,
    check_number,
    check_timeout,
)

EVENTS = ("ringing", "alerting", "answered", "held", "resumed", "ended", "failed", "status")
#: An outbound call nobody answers fails with NO_ANSWER after this many seconds (dial's default).
NO_ANSWER_SECONDS = 60.0
START_SECONDS = 10.0


class Driver(Protocol):
    """What moves calls: one per engine. Every method returns at once; results come back
    through the :class:`Sink` given to :meth:`start`. Call ids are the engine's."""

    def start(self, sink: Sink) -> None: ...
    def stop(self) -> None: ...
    def dial(self, call_id: str, number: str) -> None: ...
    def answer(self, call_id: str) -> None: ...
    def reject(self, call_id: str) -> None: ...
    def hang_up(self, call_id: str) -> None: ...
    def hold(self, call_id: str, on: bool) -> None: ...
    def mute(self, call_id: str, on: bool) -> None: ...
    def send_dtmf(self, call_id: str, digits: str) -> None: ...
    def media_stats(self, call_id: str) -> Awaitable[MediaStats]: ...


class Call:
    """One call. Read ``state``, ``number``, ``direction``, ``reason``; act with the methods.

    ``hold()``, ``resume()`` and ``answer()`` return an awaitable that resolves once the
    network agreed; the others act at once. Times are the event loop's clock (seconds).
    """

    def __init__(self, engine: CallEngine, call_id: str, number: str, direction: Direction,
                 state: CallState, name: str | None = None) -> None:
        self._engine = engine
        self.id = call_id
        #: the other side's number (the caller's for an inbound call)
        self.number = number
        #: the other side's display name, if the network gave one
        self.name = name
        self.direction = direction
        self.state = state
        #: why the call ended or failed (None while it lasts); ``detail`` says more, when known
        self.reason: Reason | None = None
        self.detail = ""
        self.muted = False
        self.started_at = running_loop().time()
        self.answered_at: float | None = None
        self.ended_at: float | None = None
        #: DTMF digits sent so far
        self.digits_sent = ""
        self._answered: asyncio.Future[Call] = running_loop().create_future()
        self._ended: asyncio.Future[Reason] = running_loop().create_future()
        self._hold_wanted: bool | None = None
        self._hold_waiters: list[tuple[bool, asyncio.Future[None]]] = []
        self._answer_waiter: asyncio.Future[None] | None = None
        self._no_answer: asyncio.TimerHandle | None = None

    def __repr__(self) -> str:
        return f"<Call {self.id} {self.direction} {self.number!r} {self.state}>"

    @property
    def duration(self) -> float:
        """Seconds connected (so far, or in all once ended); 0 if never connected."""
        if self.answered_at is None:
            return 0.0
        end = self.ended_at if self.ended_at is not None else running_loop().time()
        return max(0.0, end - self.answered_at)

    @property
    def held(self) -> bool:
        return self.state is CallState.HELD

    def _need(self, *states: CallState, action: str) -> None:
        if self.state not in states:
            raise InvalidCallState(f"cannot {action} a call that is {self.state}")

    # ---- actions
    def answer(self) -> asyncio.Future[None]:
        """Answer a ringing inbound call; resolves once connected (raises CallFailed if it ends first)."""
        self._need(CallState.RINGING, action="answer")
        if self._answer_waiter is None:
            self._answer_waiter = running_loop().create_future()
            self._engine._driver.answer(self.id)
        return self._answer_waiter

    def reject(self) -> None:
        """Refuse a ringing inbound call (the call fails with REJECTED)."""
        self._need(CallState.RINGING, action="reject")
        # final first: what the driver reports while it tears the call down is then ignored
        self._engine._finish(self, Reason.REJECTED, "")
        self._engine._driver.reject(self.id)

    def hang_up(self) -> None:
        """End the call whatever its state (an unanswered outbound call is cancelled); a no-op
        on a call already over."""
        if self.state.final:
            return
        if self.state is CallState.RINGING:
            self.reject()
            return
        self._engine._finish(self, Reason.HUNG_UP, "")
        self._engine._driver.hang_up(self.id)

    def hold(self) -> asyncio.Future[None]:
        """Put a connected call on hold: no audio either way. Resolves once the other side agreed."""
        return self._hold(True)

    def resume(self) -> asyncio.Future[None]:
        """Take the call off hold."""
        return self._hold(False)

    def _hold(self, on: bool) -> asyncio.Future[None]:
        self._need(CallState.ACTIVE, CallState.HELD, action="hold" if on else "resume")
        waiter: asyncio.Future[None] = running_loop().create_future()
        if self.held == on and self._hold_wanted in (None, on):
            waiter.set_result(None)
            return waiter
        self._hold_waiters.append((on, waiter))
        if self._hold_wanted != on:
            self._hold_wanted = on
            self._engine._driver.hold(self.id, on)
        return waiter

    def mute(self) -> None:
        """Stop sending this side's audio (the microphone is off for this call)."""
        self._mute(True)

    def unmute(self) -> None:
        self._mute(False)

    def _mute(self, on: bool) -> None:
        self._need(CallState.ACTIVE, CallState.HELD, action="mute" if on else "unmute")
        if self.muted != on:
            self._engine._driver.mute(self.id, on)
            self.muted = on

    def send_dtmf(self, digits: str) -> None:
        """Send DTMF digits (0-9, *, #, A-D) on a connected call."""
        digits = check_digits(digits)
        self._need(CallState.ACTIVE, action="send DTMF on")
        self._engine._driver.send_dtmf(self.id, digits)
        self.digits_sent += digits

    sendDTMF = send_dtmf  # noqa: N815  (the JS spelling)

    async def media_stats(self) -> MediaStats:
        """The call's audio figures now (zeros before media flows)."""
        if self.state.final or not self.state.connected:
            return MediaStats()
        return await self._engine._driver.media_stats(self.id)

    # ---- awaitables
    async def wait_answered(self, timeout: float | None = None) -> Call:
        """Wait until the call is connected; raises CallFailed (with the reason) if it fails or
        ends first, TimeoutError after ``timeout`` seconds (the call goes on)."""
        check_timeout(timeout)
        return await asyncio.wait_for(asyncio.shield(self._answered), timeout)

    async def wait_ended(self, timeout: float | None = None) -> Reason:
        """Wait until the call is over; returns its reason."""
        check_timeout(timeout)
        return await asyncio.wait_for(asyncio.shield(self._ended), timeout)


class Sink:
    """What a driver tells the engine. Reports about a call already over are ignored."""

    def __init__(self, engine: CallEngine) -> None:
        self._engine = engine

    def status(self, status: EngineStatus, detail: str = "") -> None:
        """The connection to the call server changed. Going OFFLINE ends every call (CONNECTION_LOST)."""
        self._engine._set_status(status, detail)

    def incoming(self, number: str, name: str | None = None) -> str:
        """A call rings here; returns its id (the driver's handle from now on)."""
        e = self._engine
        call = Call(e, e._new_id("in"), number, Direction.INBOUND, CallState.RINGING, name)
        e._calls[call.id] = call
        e._emit("ringing", call)
        return call.id

    def alerting(self, call_id: str) -> None:
        """The far end rings (outbound)."""
        call = self._engine._live(call_id)
        if call is not None and call.state is CallState.DIALING:
            call.state = CallState.ALERTING
            self._engine._emit("alerting", call)

    def answered(self, call_id: str) -> None:
        """The call is connected."""
        call = self._engine._live(call_id)
        if call is None or call.state.connected:
            return
        call.state = CallState.ACTIVE
        call.answered_at = running_loop().time()
        if call._no_answer is not None:
            call._no_answer.cancel()
        if not call._answered.done():
            call._answered.set_result(call)
        if call._answer_waiter is not None and not call._answer_waiter.done():
            call._answer_waiter.set_result(None)
        self._engine._emit("answered", call)

    def held(self, call_id: str, on: bool) -> None:
        """The network agreed to put the call on hold (on) or take it off (not on)."""
        call = self._engine._live(call_id)
        if call is None or not call.state.connected:
            return
        was = call.held
        call.state = CallState.HELD if on else CallState.ACTIVE
        if call._hold_wanted == on:
            call._hold_wanted = None
        done = [w for w in call._hold_waiters if w[0] == on]
        call._hold_waiters = [w for w in call._hold_waiters if w[0] != on]
        for _, waiter in done:
            if not waiter.done():
                waiter.set_result(None)
        if was != on:
            self._engine._emit("held" if on else "resumed", call)

    def hold_refused(self, call_id: str, detail: str = "") -> None:
        """The network refused a hold or resume: the call stays as it was."""
        call = self._engine._live(call_id)
        if call is None:
            return
        call._hold_wanted = None
        waiters, call._hold_waiters = call._hold_waiters, []
        for _, waiter in waiters:
            if not waiter.done():
                waiter.set_exception(CallError(f"hold or resume refused: {detail or 'no reason given'}"))

    def ended(self, call_id: str, reason: Reason, detail: str = "") -> None:
        """The call is over (the engine decides whether it ended or failed)."""
        call = self._engine._live(call_id)
        if call is not None:
            self._engine._finish(call, reason, detail)


class CallEngine:
    """Places and takes calls through a driver; the same interface whatever the driver.

    ``await engine.start()`` connects (and registers) with the call server; then
    ``engine.dial(number)`` places a call and inbound calls fire ``ringing``. Events, each given
    the :class:`Call` (``ringing`` inbound ringing here, ``alerting`` the far end rings,
    ``answered``, ``held``, ``resumed``, ``ended`` (was connected), ``failed`` (never connected),
    and ``status`` given the engine): listen with ``engine.on(name, fn)`` or the decorators
    ``on_ringing``... A listener that raises is logged and never stops the others; an async one
    is scheduled.
    """

    def __init__(self, driver: Driver, *, no_answer_timeout: float = NO_ANSWER_SECONDS) -> None:
        if driver is None or not callable(getattr(driver, "dial", None)):
            raise BadArguments("driver must be a call engine driver")
        self._no_answer_seconds = check_timeout(no_answer_timeout, "no_answer_timeout")
        self._driver = driver
        self._sink = Sink(self)
        self._calls: dict[str, Call] = {}
        self._ids = itertools.count(1)
        self._listeners: dict[str, list[Subscription]] = {name: [] for name in EVENTS}
        self.status = EngineStatus.STOPPED
        #: why the engine is offline (or the last reason it was)
        self.status_detail = ""
        self._status_waiters: list[asyncio.Future[None]] = []

    def __repr__(self) -> str:
        return f"<CallEngine {self.status} calls={len(self._calls)}>"

    # ---- connection
    async def start(self, timeout: float | None = START_SECONDS) -> None:
        """Connect to the call server; returns once calls can be placed and received.
        Raises CallError (reason UNREACHABLE or AUTHENTICATION_FAILED) if it cannot, and
        leaves the engine stopped."""
        check_timeout(timeout)
        if self.status is EngineStatus.REGISTERED:
            return
        waiter: asyncio.Future[None] = running_loop().create_future()
        self._status_waiters.append(waiter)
        if self.status is EngineStatus.STOPPED:
            self._set_status(EngineStatus.CONNECTING, "")
            self._driver.start(self._sink)
        try:
            await asyncio.wait_for(asyncio.shield(waiter), timeout)
        except TimeoutError:
            self.stop()
            raise CallError(f"the call server did not answer in {timeout:g} s", Reason.UNREACHABLE) from None
        except CallError:
            self.stop()
            raise

    def stop(self) -> None:
        """Hang up every call and disconnect."""
        for call in list(self._calls.values()):
            call.hang_up()
        if self.status is not EngineStatus.STOPPED:
            self._driver.stop()
            self._set_status(EngineStatus.STOPPED, "")

    def _set_status(self, status: EngineStatus, detail: str) -> None:
        changed = status is not self.status
        self.status, self.status_detail = status, detail
        if status is EngineStatus.REGISTERED:
            self._wake(None)
        elif status is EngineStatus.OFFLINE:
            for call in list(self._calls.values()):
                self._finish(call, Reason.CONNECTION_LOST, detail)
                self._driver.hang_up(call.id)
            if detail.startswith("authentication"):
                self._wake(CallError(f"the call server refused this phone: {detail}", Reason.AUTHENTICATION_FAILED))
            else:
                self._wake(CallError(f"the call server is unreachable: {detail or 'no reason given'}",
                                     Reason.UNREACHABLE))
        elif status is EngineStatus.STOPPED:
            self._wake(CallError("the engine was stopped", Reason.HUNG_UP))
        if changed:
            self._emit("status", self)

    def _wake(self, error: CallError | None) -> None:
        waiters, self._status_waiters = self._status_waiters, []
        for w in waiters:
            if w.done():
                continue
            if error is None:
                w.set_result(None)
            else:
                w.set_exception(error)

    # ---- calls
    @property
    def calls(self) -> tuple[Call, ...]:
        """The calls not over yet, oldest first."""
        return tuple(self._calls.values())

    def dial(self, number: str, *, timeout: float | None = None) -> Call:
        """Place a call to ``number``. Returns the Call at once (state DIALING); it fails with
        NO_ANSWER if nobody answers within ``timeout`` seconds (the engine's no_answer_timeout
        by default). Raises CallError(UNREACHABLE) if the engine is not registered."""
        number = check_number(number)
        seconds = check_timeout(timeout) or self._no_answer_seconds
        if self.status is not EngineStatus.REGISTERED:
            raise CallError(f"cannot dial: the engine is {self.status}"
                            + (f" ({self.status_detail})" if self.status_detail else ""), Reason.UNREACHABLE)
        call = Call(self, self._new_id("out"), number, Direction.OUTBOUND, CallState.DIALING)
        self._calls[call.id] = call
        if seconds is not None:
            call._no_answer = running_loop().call_later(seconds, self._give_up, call)
        self._driver.dial(call.id, number)
        return call

    def _give_up(self, call: Call) -> None:
        if not call.state.final and not call.state.connected:
            self._finish(call, Reason.NO_ANSWER, "")
            self._driver.hang_up(call.id)

    def _new_id(self, kind: str) -> str:
        return f"{kind}-{next(self._ids)}"

    def _live(self, call_id: str) -> Call | None:
        return self._calls.get(call_id)

    def _finish(self, call: Call, reason: Reason, detail: str) -> None:
        if call.state.final:
            return
        self._calls.pop(call.id, None)
        if call._no_answer is not None:
            call._no_answer.cancel()
        was_connected = call.state.connected
        call.state = CallState.ENDED if was_connected else CallState.FAILED
        call.reason, call.detail = reason, detail
        call.ended_at = running_loop().time()
        message = f"the call {'ended' if was_connected else 'failed'}: {reason}" + (f" ({detail})" if detail else "")
        for fut in ([] if call._answered.done() else [call._answered]) + \
                [w for _, w in call._hold_waiters] + ([call._answer_waiter] if call._answer_waiter else []):
            if not fut.done():
                fut.set_exception(CallFailed(message, reason))
                fut.exception()  # nobody may be awaiting it: no "never retrieved" warning
        call._hold_waiters = []
        call._ended.set_result(reason)
        self._emit("ended" if was_connected else "failed", call)

    # ---- events
    def on(self, event: str, listener: Callable[[Any], Any]) -> Subscription:
        """Call ``listener`` with each ``event``; returns a Subscription (``unsubscribe()``)."""
        if not isinstance(event, str) or event not in self._listeners:
            raise BadArguments(f"unknown event {event!r}; one of {', '.join(EVENTS)}")
        if not callable(listener):
            raise BadArguments("listener must be a function")
        return Subscription(self._listeners[event], listener)

    def on_ringing(self, listener: Callable[[Call], Any]) -> Subscription:
        """An inbound call rings (``call.number`` is the caller's). Usable as a decorator."""
        return self.on("ringing", listener)

    def on_answered(self, listener: Callable[[Call], Any]) -> Subscription:
        return self.on("answered", listener)

    def on_ended(self, listener: Callable[[Call], Any]) -> Subscription:
        """A connected call ended (``call.reason``)."""
        return self.on("ended", listener)

    def on_failed(self, listener: Callable[[Call], Any]) -> Subscription:
        """A call ended without connecting (``call.reason``: busy, no answer, rejected, cancelled...)."""
        return self.on("failed", listener)

    async def wait_for(self, event: str, timeout: float | None = None) -> Any:
        """The next ``event``'s argument (a Call, or the engine for ``status``)."""
        check_timeout(timeout)
        fut: asyncio.Future[Any] = running_loop().create_future()

        def once(arg: Any) -> None:
            if not fut.done():
                fut.set_result(arg)

        sub = self.on(event, once)
        try:
            return await asyncio.wait_for(fut, timeout)
        finally:
            sub.unsubscribe()

    def _emit(self, event: str, arg: Any) -> None:
        for sub in list(self._listeners[event]):
            safe_call(sub.listener, arg, what=f"{event} listener")
