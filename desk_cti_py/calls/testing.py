"""An in-memory phone network for testing softphone code in plain CPython.

``FakeNetwork`` is a :class:`~desk_cti_py.calls.engine.Driver`: calls go nowhere, the test plays
the other side::

    async def test_my_phone():
        engine, net = fake_engine()
        await engine.start()
        call = engine.dial("+1 555 0100")
        await net.settle()
        net.answer(call.id)                      # or net.busy(...), net.hang_up(...)
        await call.wait_answered()
        call.send_dtmf("12#")
        assert net.digits(call.id) == "12#"

By default every number rings and waits for the test to answer it; ``auto_answer`` answers at
once, and ``busy_numbers``, ``unknown_numbers`` give those failures. ``reachable=False`` makes
``start()`` fail as a down server does.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from .._tasks import running_loop
from .engine import CallEngine, Sink
from .model import EngineStatus, MediaStats, Reason

__all__ = ["FakeCall", "FakeNetwork", "fake_engine"]


@dataclass
class FakeCall:
    """What the network saw of one call."""

    number: str
    outbound: bool
    answered: bool = False
    held: bool = False
    muted: bool = False
    digits: str = ""
    #: how this side ended it: "hang_up", "reject" (None while it lasts, or if the far side did)
    ended_by: str | None = None
    #: packets each way so far (they flow while connected, not held; a muted side sends silence)
    packets: int = 0
    actions: list[str] = field(default_factory=list)


class FakeNetwork:
    """A Driver whose far side the test plays. Every change reaches the engine one loop turn
    later, as a network's would: ``await net.settle()`` lets it arrive."""

    def __init__(self, *, reachable: bool = True, auto_answer: bool = False,
                 busy_numbers: tuple[str, ...] = (), unknown_numbers: tuple[str, ...] = (),
                 refuse_hold: bool = False) -> None:
        self.reachable = reachable
        self.auto_answer = auto_answer
        self.busy_numbers = set(busy_numbers)
        self.unknown_numbers = set(unknown_numbers)
        self.refuse_hold = refuse_hold
        self.calls: dict[str, FakeCall] = {}
        self.started = 0
        self.stopped = 0
        self._sink: Sink | None = None

    # ---- the Driver side (the engine calls these)
    def start(self, sink: Sink) -> None:
        self._sink = sink
        self.started += 1
        if self.reachable:
            self._later(sink.status, EngineStatus.REGISTERED)
        else:
            self._later(sink.status, EngineStatus.OFFLINE, "connection refused")

    def stop(self) -> None:
        self.stopped += 1
        self._sink = None

    def dial(self, call_id: str, number: str) -> None:
        self.calls[call_id] = FakeCall(number, outbound=True, actions=["dial"])
        if number in self.busy_numbers:
            self._later(self.sink.ended, call_id, Reason.BUSY, "486 Busy Here")
        elif number in self.unknown_numbers:
            self._later(self.sink.ended, call_id, Reason.NOT_FOUND, "404 Not Found")
        else:
            self._later(self.sink.alerting, call_id)
            if self.auto_answer:
                self._later(self.answer_remote, call_id)

    def answer(self, call_id: str) -> None:
        self.calls[call_id].actions.append("answer")
        self._later(self._connect, call_id)

    def reject(self, call_id: str) -> None:
        self.calls[call_id].actions.append("reject")
        self.calls[call_id].ended_by = "reject"

    def hang_up(self, call_id: str) -> None:
        self.calls[call_id].actions.append("hang_up")
        self.calls[call_id].ended_by = "hang_up"

    def hold(self, call_id: str, on: bool) -> None:
        self.calls[call_id].actions.append("hold" if on else "resume")
        if self.refuse_hold:
            self._later(self.sink.hold_refused, call_id, "488 Not Acceptable Here")
            return

        def agreed() -> None:
            self.calls[call_id].held = on
            self.sink.held(call_id, on)

        self._later(agreed)

    def mute(self, call_id: str, on: bool) -> None:
        self.calls[call_id].actions.append("mute" if on else "unmute")
        self.calls[call_id].muted = on

    def send_dtmf(self, call_id: str, digits: str) -> None:
        self.calls[call_id].digits += digits

    async def media_stats(self, call_id: str) -> MediaStats:
        c = self.calls[call_id]
        return MediaStats(packets_received=c.packets, packets_sent=c.packets,
                          audio_energy=0.0 if c.held else c.packets * 0.01, audio_level=0.0 if c.held else 0.1)

    # ---- the far side (the test calls these)
    @property
    def sink(self) -> Sink:
        if self._sink is None:
            raise RuntimeError("the engine has not started (or has stopped) this network")
        return self._sink

    def ring(self, number: str, name: str | None = None) -> str:
        """An inbound call from ``number`` rings the engine now; returns the call's id."""
        call_id = self.sink.incoming(number, name)
        self.calls[call_id] = FakeCall(number, outbound=False)
        return call_id

    def answer_remote(self, call_id: str) -> None:
        """The callee answers an outbound call."""
        self._connect(call_id)

    def busy(self, call_id: str) -> None:
        self._later(self.sink.ended, call_id, Reason.BUSY, "486 Busy Here")

    def hang_up_remote(self, call_id: str) -> None:
        """The other side hangs up (or, before answering, the caller gives up: CANCELLED)."""
        answered = self.calls[call_id].answered
        self._later(self.sink.ended, call_id, Reason.REMOTE_HUNG_UP if answered else Reason.CANCELLED, "")

    def drop(self, detail: str = "the connection closed") -> None:
        """The connection to the call server drops."""
        self._later(self.sink.status, EngineStatus.OFFLINE, detail)

    def flow(self, packets: int = 50) -> None:
        """Let media flow on every connected call that is not on hold."""
        for c in self.calls.values():
            if c.answered and not c.held and c.ended_by is None:
                c.packets += packets

    def digits(self, call_id: str) -> str:
        return self.calls[call_id].digits

    async def settle(self, turns: int = 3) -> None:
        """Let what the network sent reach the engine."""
        for _ in range(turns):
            await asyncio.sleep(0)

    def _connect(self, call_id: str) -> None:
        self.calls[call_id].answered = True
        self.sink.answered(call_id)

    @staticmethod
    def _later(fn: object, *args: object) -> None:
        running_loop().call_soon(fn, *args)  # type: ignore[arg-type]


def fake_engine(**network_options: object) -> tuple[CallEngine, FakeNetwork]:
    """A CallEngine on a new FakeNetwork (options as FakeNetwork's)."""
    net = FakeNetwork(**network_options)  # type: ignore[arg-type]
    return CallEngine(net), net
