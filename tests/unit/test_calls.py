"""The call engine's interface on the in-memory network: states, events, reasons, awaitables,
argument checks, and no call left hanging."""

import asyncio
import logging

import pytest

from desk_cti_py.calls import (
    BadArguments, CallEngine, CallError, CallFailed, CallState, Direction, EngineStatus, InvalidCallState, Reason,
)
from desk_cti_py.calls.testing import FakeNetwork, fake_engine

pytestmark = pytest.mark.asyncio


async def started(**options):
    engine, net = fake_engine(**options)
    await engine.start()
    return engine, net


def record(engine):
    seen = []
    for name in ("ringing", "alerting", "answered", "held", "resumed", "ended", "failed"):
        engine.on(name, lambda call, name=name: seen.append((name, call.id, call.state, call.reason)))
    return seen


async def connected_call(engine, net, number="5550100"):
    call = engine.dial(number)
    await net.settle()
    net.answer_remote(call.id)
    await call.wait_answered(timeout=1)
    return call


async def test_start_registers_and_dial_connects():
    engine, net = await started()
    assert engine.status is EngineStatus.REGISTERED
    seen = record(engine)
    call = engine.dial("+1 (555) 010-0")
    assert call.number == "+15550100" and call.direction is Direction.OUTBOUND
    assert call.state is CallState.DIALING and engine.calls == (call,)
    await net.settle()
    assert call.state is CallState.ALERTING
    net.answer_remote(call.id)
    assert await call.wait_answered(timeout=1) is call
    assert call.state is CallState.ACTIVE and call.answered_at is not None
    call.hang_up()
    assert call.state is CallState.ENDED and call.reason is Reason.HUNG_UP
    assert engine.calls == () and net.calls[call.id].ended_by == "hang_up"
    assert await call.wait_ended(timeout=1) is Reason.HUNG_UP
    assert [s[0] for s in seen] == ["alerting", "answered", "ended"]


async def test_start_fails_clearly_when_the_server_is_down():
    engine, net = fake_engine(reachable=False)
    with pytest.raises(CallError, match="unreachable: connection refused") as info:
        await engine.start(timeout=1)
    assert info.value.reason is Reason.UNREACHABLE
    assert engine.status is EngineStatus.STOPPED and net.stopped == 1
    with pytest.raises(CallError, match="cannot dial: the engine is stopped") as info:
        engine.dial("123")
    assert info.value.reason is Reason.UNREACHABLE and engine.calls == ()


async def test_start_fails_clearly_when_the_server_refuses_the_credentials():
    class Refusing(FakeNetwork):
        def start(self, sink):
            self._sink = sink
            self._later(sink.status, EngineStatus.OFFLINE, "authentication failed")

    engine = CallEngine(Refusing())
    with pytest.raises(CallError, match="refused this phone: authentication failed") as info:
        await engine.start(timeout=1)
    assert info.value.reason is Reason.AUTHENTICATION_FAILED and engine.status is EngineStatus.STOPPED


async def test_start_times_out_when_the_server_never_answers():
    class Silent(FakeNetwork):
        def start(self, sink):
            self._sink = sink

    engine = CallEngine(Silent())
    with pytest.raises(CallError, match="did not answer in 0.05 s"):
        await engine.start(timeout=0.05)
    assert engine.status is EngineStatus.STOPPED


@pytest.mark.parametrize("number, reason", [("486", Reason.BUSY), ("404", Reason.NOT_FOUND)])
async def test_a_refused_call_fails_with_its_reason(number, reason):
    engine, net = await started(busy_numbers=("486",), unknown_numbers=("404",))
    seen = record(engine)
    call = engine.dial(number)
    with pytest.raises(CallFailed, match=f"failed: {reason}") as info:
        await call.wait_answered(timeout=1)
    assert info.value.reason is reason
    assert call.state is CallState.FAILED and call.reason is reason and engine.calls == ()
    assert seen == [("failed", call.id, CallState.FAILED, reason)]


async def test_no_answer_gives_up_and_cancels_at_the_far_end():
    engine, net = await started()
    call = engine.dial("5550199", timeout=0.05)
    assert await call.wait_ended(timeout=1) is Reason.NO_ANSWER
    assert call.state is CallState.FAILED and net.calls[call.id].ended_by == "hang_up"
    assert engine.calls == ()


async def test_the_engine_wide_no_answer_timeout():
    engine = CallEngine(FakeNetwork(), no_answer_timeout=0.05)
    await engine.start()
    assert await engine.dial("1").wait_ended(timeout=1) is Reason.NO_ANSWER


async def test_hanging_up_before_the_answer_cancels_and_a_late_answer_is_ignored():
    engine, net = await started()
    call = engine.dial("5550100")
    await net.settle()
    call.hang_up()
    assert call.state is CallState.FAILED and call.reason is Reason.HUNG_UP
    net.answer_remote(call.id)  # the network's answer crossed the cancel
    await net.settle()
    assert call.state is CallState.FAILED and engine.calls == ()
    call.hang_up()  # a no-op once over


async def test_inbound_rings_with_the_callers_number_and_answers():
    engine, net = await started()
    rung = []
    engine.on_ringing(lambda call: rung.append((call.number, call.name, call.state, call.direction)))
    call_id = net.ring("+15550142", "Ada")
    assert rung == [("+15550142", "Ada", CallState.RINGING, Direction.INBOUND)]
    call = engine.calls[0]
    assert call.id == call_id
    with pytest.raises(InvalidCallState, match="cannot hold a call that is ringing"):
        call.hold()
    await asyncio.wait_for(call.answer(), 1)
    assert call.state is CallState.ACTIVE and net.calls[call_id].actions == ["answer"]
    net.hang_up_remote(call_id)
    assert await call.wait_ended(timeout=1) is Reason.REMOTE_HUNG_UP
    assert call.state is CallState.ENDED


async def test_inbound_reject_and_missed():
    engine, net = await started()
    failed = []
    engine.on_failed(lambda call: failed.append(call.reason))
    net.ring("1")
    first = engine.calls[0]
    first.reject()
    assert first.state is CallState.FAILED and net.calls[first.id].ended_by == "reject"
    net.ring("2")
    second = engine.calls[0]
    net.hang_up_remote(second.id)
    await net.settle()
    assert failed == [Reason.REJECTED, Reason.CANCELLED] and engine.calls == ()
    with pytest.raises(InvalidCallState, match="cannot answer a call that is failed"):
        second.answer()


async def test_hold_resume_mute_and_dtmf_on_a_connected_call():
    engine, net = await started()
    seen = record(engine)
    call = await connected_call(engine, net)
    net.flow()
    before = await call.media_stats()
    assert before.packets_received > 0 and before.audio_energy > 0
    await asyncio.wait_for(call.hold(), 1)
    assert call.state is CallState.HELD and call.held
    net.flow()
    held = await call.media_stats()
    assert held.packets_received == before.packets_received and held.audio_level == 0
    with pytest.raises(InvalidCallState, match="cannot send DTMF on a call that is held"):
        call.send_dtmf("1")
    await asyncio.wait_for(call.hold(), 1)  # already held: at once
    await asyncio.wait_for(call.resume(), 1)
    assert call.state is CallState.ACTIVE
    call.mute()
    call.mute()
    assert call.muted and net.calls[call.id].muted
    call.unmute()
    call.send_dtmf("12*#a")
    assert net.digits(call.id) == "12*#A" and call.digits_sent == "12*#A"
    assert net.calls[call.id].actions == ["dial", "hold", "resume", "mute", "unmute"]
    assert [s[0] for s in seen] == ["alerting", "answered", "held", "resumed"]


async def test_a_refused_hold_raises_and_leaves_the_call_active():
    engine, net = await started(refuse_hold=True)
    call = await connected_call(engine, net)
    with pytest.raises(CallError, match="refused: 488"):
        await asyncio.wait_for(call.hold(), 1)
    assert call.state is CallState.ACTIVE


async def test_ending_while_a_hold_is_pending_fails_the_hold():
    engine, net = await started()
    call = await connected_call(engine, net)
    pending = call.hold()
    call.hang_up()
    with pytest.raises(CallFailed, match="ended: hung up"):
        await pending


async def test_the_connection_dropping_ends_every_call():
    engine, net = await started()
    a = await connected_call(engine, net)
    b = engine.dial("5550101")
    net.drop("the WebSocket closed")
    await net.settle()
    assert (a.state, a.reason, a.detail) == (CallState.ENDED, Reason.CONNECTION_LOST, "the WebSocket closed")
    assert (b.state, b.reason) == (CallState.FAILED, Reason.CONNECTION_LOST)
    assert engine.calls == () and engine.status is EngineStatus.OFFLINE
    with pytest.raises(CallError, match="engine is offline \\(the WebSocket closed\\)"):
        engine.dial("1")


async def test_a_listener_that_raises_does_not_stop_the_others(caplog):
    engine, net = await started()
    heard = []
    engine.on_ended(lambda call: 1 / 0)
    engine.on_ended(lambda call: heard.append(call.reason))

    async def later(call):
        heard.append("async")

    engine.on_ended(later)
    call = await connected_call(engine, net)
    with caplog.at_level(logging.ERROR, logger="desk_cti_py"):
        call.hang_up()
        await net.settle()
    assert heard == [Reason.HUNG_UP, "async"]
    assert "ended listener" in caplog.text and "ZeroDivisionError" in caplog.text


async def test_unsubscribe_and_wait_for():
    engine, net = await started()
    heard = []
    sub = engine.on("ringing", heard.append)
    sub.unsubscribe()
    waiting = asyncio.ensure_future(engine.wait_for("ringing", timeout=1))
    await net.settle()
    net.ring("77")
    call = await waiting
    assert call.number == "77" and heard == []
    with pytest.raises(TimeoutError):
        await engine.wait_for("answered", timeout=0.01)


async def test_stop_hangs_up_everything():
    engine, net = await started()
    call = await connected_call(engine, net)
    net.ring("9")
    ringing = engine.calls[-1]
    engine.stop()
    assert (call.reason, ringing.reason) == (Reason.HUNG_UP, Reason.REJECTED)
    assert engine.status is EngineStatus.STOPPED and net.stopped == 1 and engine.calls == ()


async def test_duration_counts_connected_time_only():
    engine, net = await started()
    call = engine.dial("1")
    assert call.duration == 0
    await net.settle()
    net.answer_remote(call.id)
    await asyncio.sleep(0.02)
    call.hang_up()
    d = call.duration
    assert d > 0
    await asyncio.sleep(0.02)
    assert call.duration == d


@pytest.mark.parametrize("number, message", [
    (None, "number must be a string, not NoneType"), (5550100, "number must be a string, not int"),
    ("", "not a number to dial: ''"), ("  ", "not a number to dial"), ("555\x000100", "not a number"),
    ("<script>", "not a number to dial"), ("9" * 257, "number is too long"),
])
async def test_bad_numbers_are_refused_before_anything_is_sent(number, message):
    engine, net = await started()
    with pytest.raises(BadArguments, match=message):
        engine.dial(number)
    assert net.calls == {} and engine.calls == ()


@pytest.mark.parametrize("number", ["+1 555 0100", "*67", "sip:alice@pbx.example.com", "100#", "5550100;ext=2"])
async def test_numbers_that_dial(number):
    engine, net = await started()
    assert engine.dial(number).state is CallState.DIALING


@pytest.mark.parametrize("digits, message", [
    ("", "1 to 64"), ("1" * 65, "1 to 64"), (7, "must be a string"), ("12x", "not DTMF digits: 'x'"),
])
async def test_bad_digits(digits, message):
    engine, net = await started()
    call = await connected_call(engine, net)
    with pytest.raises(BadArguments, match=message):
        call.send_dtmf(digits)
    assert net.digits(call.id) == ""


@pytest.mark.parametrize("timeout", [0, -1, float("nan"), float("inf"), True, "3"])
async def test_bad_timeouts(timeout):
    engine, net = await started()
    with pytest.raises(BadArguments, match="timeout must be a positive number"):
        engine.dial("1", timeout=timeout)
    with pytest.raises(BadArguments, match="no_answer_timeout"):
        CallEngine(FakeNetwork(), no_answer_timeout=timeout)


async def test_bad_listeners_and_events():
    engine, _ = fake_engine()
    with pytest.raises(BadArguments, match="unknown event 'rang'"):
        engine.on("rang", print)
    with pytest.raises(BadArguments, match="listener must be a function"):
        engine.on_ringing("not a function")
    with pytest.raises(BadArguments, match="driver"):
        CallEngine(None)
