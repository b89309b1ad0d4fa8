"""The client: handshake, origin pinning, queue, timeouts, reloads, listeners."""

import asyncio
import json

import pytest

from desk_cti_py import models as m
from desk_cti_py import protocol as p
from desk_cti_py.client import Client

pytestmark = pytest.mark.asyncio
CONSOLE = "https://console.example"


class Wire:
    """A transport that records what the softphone sent, and helpers to answer as the console."""

    def __init__(self):
        self.sent = []
        self.batching = []  # what the client said about calls in flight

    def post(self, text, target):
        self.sent.append((json.loads(text), target))

    def attach(self, receiver):
        pass

    def detach(self):
        pass

    def set_batching(self, many_in_flight):
        self.batching.append(many_in_flight)

    def last(self, kind):
        return next(msg for msg, _ in reversed(self.sent) if msg["type"] == kind)

    def requests(self):
        return [msg for msg, _ in self.sent if msg["type"] == "request"]


def console_msg(kind, **kw):
    return p.encode(p.envelope(kind, f"con-{kind}-{len(kw)}", **kw))


def welcome(client, wire, session="S1", origin=CONSOLE):
    client.receive(origin, console_msg("welcome", re=wire.last("hello")["id"], session=session))


def reply(client, req, result=True, origin=CONSOLE):
    client.receive(origin, console_msg("response", re=req["id"], ok=True, result=result))


def connected(session="S1", **kw):
    """A client that has completed the handshake, and its wire."""
    wire = Wire()
    client = Client(wire, console_origin=CONSOLE, **kw)
    client.start()
    welcome(client, wire, session=session)
    return wire, client


def parse_bool(v):
    if not isinstance(v, bool):
        raise p.ProtocolError("bool")
    return v


async def test_hello_goes_to_the_known_console_origin_never_star():
    wire = Wire()
    client = Client(wire, console_origin=CONSOLE)
    client.start()
    assert wire.sent[0][0]["type"] == "hello" and wire.sent[0][1] == CONSOLE
    welcome(client, wire)
    fut = client.call("isVisible", {}, parse=parse_bool)
    assert all(target == CONSOLE for _, target in wire.sent)
    reply(client, wire.requests()[0], False)
    assert await fut is False
    client.close()


async def test_no_declared_origin_refuses_at_once_and_posts_nothing():
    wire = Wire()
    client = Client(wire, parent_origin="https://stranger.example")
    fut = client.call("isVisible", {}, parse=parse_bool)
    assert client.state == "refused" and wire.sent == []
    assert "declares no console origins" in client.refusal.message
    with pytest.raises(m.OriginNotAllowed):
        await fut


async def test_an_embedding_page_of_another_origin_is_refused_by_name():
    wire = Wire()
    client = Client(wire, console_origins=[CONSOLE], parent_origin="https://stranger.example")
    client.start()
    assert client.state == "refused" and wire.sent == []
    assert CONSOLE in client.refusal.message and "https://stranger.example" in client.refusal.message
    # a welcome forged by that page is not even read
    client.receive("https://stranger.example", console_msg("welcome", re="x-1", session="S"))
    assert not client.connected


async def test_development_mode_connects_to_the_embedding_page_only():
    wire = Wire()
    client = Client(wire, development=True, parent_origin="http://localhost:9000")
    client.start()
    assert [target for _, target in wire.sent] == ["http://localhost:9000"]
    welcome(client, wire, origin="http://127.0.0.1:9000")
    assert not client.connected
    welcome(client, wire, origin="http://localhost:9000")
    assert client.origin == "http://localhost:9000"
    client.close()


async def test_hellos_go_to_each_exact_origin_when_the_parent_is_unknown_never_star():
    wire = Wire()
    client = Client(wire, console_origins=[CONSOLE, "https://b.example", "https://*.c.example"])
    client.start()
    assert sorted(target for _, target in wire.sent) == ["https://b.example", CONSOLE]
    welcome(client, wire, origin="https://b.example")
    assert client.origin == "https://b.example"
    client.call("isVisible", {}, parse=parse_bool)
    assert wire.sent[-1][1] == "https://b.example"
    client.close()


async def test_a_wildcard_origin_accepts_subdomains_only():
    for parent, ok in (("https://eu.desk.example", True), ("https://a.b.desk.example", True),
                       ("https://desk.example", False), ("http://eu.desk.example", False),
                       ("https://eu.desk.example:8443", False), ("https://evildesk.example", False)):
        wire = Wire()
        client = Client(wire, console_origins="https://*.desk.example", parent_origin=parent)
        client.start()
        assert (client.state == "connecting") is ok, parent
        assert [t for _, t in wire.sent] == ([parent] if ok else [])
        client.close()


async def test_a_declared_default_port_matches_what_the_browser_reports():
    wire = Wire()
    client = Client(wire, console_origins="https://desk.example:443 http://*.desk.example:80",
                    parent_origin="https://desk.example")
    client.start()
    assert client.state == "connecting"
    client.close()
    other = Client(Wire(), console_origins="http://*.desk.example:80", parent_origin="http://eu.desk.example")
    other.start()
    assert other.state == "connecting"
    other.close()


@pytest.mark.parametrize("bad", ["*", "https://", "desk.example", "https://a.example/path", "ftp://a.example",
                                 "https://*.", "https://a..example", 42])
async def test_bad_declared_origins_are_refused_clearly(bad):
    with pytest.raises(p.ArgumentError, match="console origin"):
        Client(Wire(), console_origins=[bad])


async def test_a_foreign_origin_message_is_dropped_before_it_is_parsed(caplog):
    wire, client = connected()
    hostile = "[" * 40 + '"' + '\\"' * 1000
    with caplog.at_level("DEBUG", logger="desk_cti_py"):
        client.receive("https://evil.example", hostile)
        client.receive(CONSOLE, hostile)
    reasons = [r.getMessage().rsplit(": ", 1)[-1] for r in caplog.records]
    assert reasons == ["origin is not the console's", f"message nested deeper than {p.MAX_DEPTH}"]
    client.close()


async def test_a_ping_from_the_console_is_answered_with_a_pong():
    wire = Wire()
    client = Client(wire, console_origin=CONSOLE)
    client.start()
    client.receive(CONSOLE, console_msg("ping"))  # before the handshake: dropped
    assert [msg["type"] for msg, _ in wire.sent] == ["hello"]
    welcome(client, wire)
    client.receive(CONSOLE, p.encode(p.envelope("ping", "con-ping-7")))
    assert wire.sent[-1] == ({"ns": "desk-cti", "v": 1, "type": "pong", "id": wire.sent[-1][0]["id"],
                              "re": "con-ping-7"}, CONSOLE)
    client.close()


async def test_requests_carry_the_time_the_caller_still_waits():
    wire = Wire()
    client = Client(wire, console_origin=CONSOLE, timeout=4)
    client.call("isVisible", {}, parse=parse_bool)
    await asyncio.sleep(0.3)  # queued before the handshake: the wait already spent is taken off
    welcome(client, wire)
    client.call("isVisible", {}, parse=parse_bool, timeout=0.5)
    first, second = wire.requests()
    assert 3000 <= first["timeout"] <= 3700 and 1 <= second["timeout"] <= 500
    client.close()


@pytest.mark.parametrize("code, exc", [("busy", m.Busy), ("too_large", m.TooLarge)])
async def test_busy_and_too_large_from_the_console_raise_their_own_errors(code, exc):
    wire, client = connected()
    fut = client.call("isVisible", {}, parse=parse_bool)
    req = wire.requests()[0]
    client.receive(CONSOLE, console_msg("response", re=req["id"], ok=False, result=None,
                                        error={"code": code, "message": "slow down"}))
    with pytest.raises(exc, match="slow down"):
        await fut
    client.close()


async def test_messages_from_another_origin_are_dropped():
    wire = Wire()
    client = Client(wire, console_origin=CONSOLE)
    client.start()
    welcome(client, wire, origin="https://evil.example")
    assert not client.connected and client.dropped == 1
    welcome(client, wire)
    fut = client.call("isVisible", {}, parse=parse_bool)
    req = wire.requests()[0]
    reply(client, req, False, origin="https://evil.example")
    assert not fut.done()
    reply(client, req, True)
    assert await fut is True
    client.close()


async def test_welcome_must_answer_our_hello():
    wire = Wire()
    client = Client(wire, console_origin=CONSOLE)
    client.start()
    client.receive(CONSOLE, console_msg("welcome", re="guess-1", session="S"))
    assert not client.connected


async def test_hello_repeats_until_welcomed():
    wire = Wire()
    client = Client(wire, console_origin=CONSOLE)
    client.start()
    await asyncio.sleep(0.2)
    hellos = [m_ for m_, _ in wire.sent if m_["type"] == "hello"]
    assert len(hellos) >= 3
    welcome(client, wire)
    n = len(wire.sent)
    await asyncio.sleep(0.3)
    assert len(wire.sent) == n
    client.close()


async def test_calls_before_the_handshake_are_queued_and_sent_once():
    wire = Wire()
    client = Client(wire, console_origin=CONSOLE)
    futs = [client.call("isVisible", {}, parse=parse_bool) for _ in range(3)]
    assert wire.requests() == [] and client.state == "connecting"
    welcome(client, wire)
    reqs = wire.requests()
    assert len(reqs) == 3 and len({r["id"] for r in reqs}) == 3
    welcome(client, wire)  # a duplicate welcome sends nothing twice
    assert len(wire.requests()) == 3
    for r in reqs:
        reply(client, r)
    assert await asyncio.gather(*futs) == [True, True, True]
    assert client.pending == 0


async def test_the_queue_is_bounded():
    wire = Wire()
    client = Client(wire, console_origin=CONSOLE, queue_limit=2)
    a = client.call("isVisible", {}, parse=parse_bool)
    b = client.call("isVisible", {}, parse=parse_bool)
    c = client.call("isVisible", {}, parse=parse_bool)
    with pytest.raises(m.NotConnected, match="queued"):
        await c
    client.close()
    for f in (a, b):
        with pytest.raises(m.ConnectionLost):
            await f


async def test_timeout_fails_the_call_and_drops_the_late_reply(caplog):
    wire, client = connected(timeout=0.05)
    fut = client.call("isVisible", {}, parse=parse_bool)
    with pytest.raises(m.CtiTimeout, match="isVisible: no answer"):
        await fut
    assert client.pending == 0
    reply(client, wire.requests()[0])
    assert "late or unknown reply" in caplog.text


async def test_per_call_timeout_overrides_the_default():
    wire, client = connected(timeout=30)
    with pytest.raises(m.CtiTimeout):
        await client.call("isVisible", {}, parse=parse_bool, timeout=0.02)
    client.close()


async def test_a_queued_call_times_out_when_no_console_answers():
    client = Client(Wire(), console_origin=CONSOLE, timeout=0.05)
    with pytest.raises(m.CtiTimeout, match="no console connected"):
        await client.call("isVisible", {}, parse=parse_bool)
    assert client.pending == 0
    client.close()


async def test_console_reload_fails_calls_in_flight_and_keeps_queued_ones():
    wire, client = connected(session="S1")
    in_flight = client.call("isVisible", {}, parse=parse_bool)
    client.receive(CONSOLE, console_msg("bye"))
    with pytest.raises(m.ConnectionLost):
        await in_flight
    assert client.state == "connecting"
    queued = client.call("isVisible", {}, parse=parse_bool)
    assert len(wire.requests()) == 1
    welcome(client, wire, session="S2")
    assert len(wire.requests()) == 2
    reply(client, wire.requests()[1])
    assert await queued is True
    client.close()


async def test_refused_handshake_fails_every_call_with_a_clear_error():
    wire = Wire()
    client = Client(wire, console_origin=CONSOLE)
    queued = client.call("isVisible", {}, parse=parse_bool)
    client.receive(CONSOLE, console_msg("error", re=wire.last("hello")["id"],
                                        error={"code": "origin_not_allowed", "message": "not allowed here"}))
    assert client.state == "refused"
    with pytest.raises(m.OriginNotAllowed, match="not allowed here"):
        await queued
    with pytest.raises(m.OriginNotAllowed):
        await client.call("isVisible", {}, parse=parse_bool)


async def test_bad_result_from_the_console_is_a_console_error():
    wire, client = connected()
    fut = client.call("isVisible", {}, parse=parse_bool)
    reply(client, wire.requests()[0], result="yes")
    with pytest.raises(m.ConsoleError, match="bad result"):
        await fut


async def test_error_response_maps_to_its_exception():
    wire, client = connected()
    fut = client.call("screenPop", {"id": "1", "object": "case"}, parse=parse_bool)
    client.receive(CONSOLE, console_msg("response", re=wire.requests()[0]["id"], ok=False,
                                        error={"code": "not_found", "message": "case 1 does not exist"}))
    with pytest.raises(m.NotFound, match="case 1 does not exist"):
        await fut


async def test_listeners_are_isolated_and_unsubscribe(caplog):
    wire, client = connected()
    seen = []

    def boom(r):
        raise RuntimeError("listener bug")

    async def later(r):
        seen.append(("async", r.result.object_id))

    subs = [client.on("focus", boom), client.on("focus", lambda r: seen.append(r.result.objectName)),
            client.on("focus", later)]
    event = console_msg("event", event="focus",
                        data={"url": "u", "objectId": "9", "object": "case", "objectName": "Subject"})
    client.receive(CONSOLE, event)
    await asyncio.sleep(0)
    assert seen == ["Subject", ("async", "9")]
    assert "listener bug" in caplog.text
    subs[1].unsubscribe()
    assert not subs[1].active
    client.receive(CONSOLE, event)
    await asyncio.sleep(0)
    assert seen == ["Subject", ("async", "9"), ("async", "9")]


async def test_a_listener_hears_events_only_while_its_accept_says_so():
    wire, client = connected()
    got, open_ = [], [False]
    client.on("clickToDial", got.append, accept=lambda: open_[0])
    click = console_msg("event", event="clickToDial", data={"number": "555", "objectId": "1", "object": "customer"})
    client.receive(CONSOLE, click)
    assert got == []
    open_[0] = True
    client.receive(CONSOLE, click)
    assert [r.result.number for r in got] == ["555"]


async def test_close_fails_everything_pending():
    wire, client = connected()
    fut = client.call("isVisible", {}, parse=parse_bool)
    client.close()
    with pytest.raises(m.ConnectionLost):
        await fut
    with pytest.raises(m.NotConnected):
        await client.call("isVisible", {}, parse=parse_bool)
    assert client.pending == 0


async def test_the_sweep_never_schedules_in_the_past(monkeypatch):
    """Pyodide's WebLoop raises on a negative delay; the sweep must clamp it (this hung once)."""
    wire, client = connected()
    loop = asyncio.get_running_loop()
    real_at = loop.call_at

    def strict_later(delay, *args, **kw):
        if delay < 0:
            raise ValueError("Can't schedule in the past")
        return real_at(loop.time() + delay, *args, **kw)

    def strict_at(when, *args, **kw):  # as WebLoop.call_at does
        return strict_later(when - loop.time(), *args, **kw)

    monkeypatch.setattr(loop, "call_later", strict_later)
    monkeypatch.setattr(loop, "call_at", strict_at)
    futs = [client.call("isVisible", {}, parse=parse_bool, timeout=0.02 + i * 0.0001) for i in range(50)]
    real_time = loop.time
    monkeypatch.setattr(loop, "time", lambda: real_time() + 0.001)  # time moves on while expiring
    for f in futs:
        with pytest.raises(m.CtiTimeout):
            await asyncio.wait_for(f, 2)
    assert client.pending == 0


async def test_the_transport_is_told_when_more_than_one_call_is_in_flight():
    wire, client = connected()
    for _ in range(3):  # one at a time: never a burst
        fut = client.call("isVisible", {}, parse=parse_bool)
        reply(client, wire.requests()[-1])
        assert await fut is True
    assert wire.batching == []
    futs = [client.call("isVisible", {}, parse=parse_bool) for _ in range(3)]
    assert wire.batching == [True]
    for req in wire.requests()[-3:]:
        reply(client, req)
    assert wire.batching == [True, False] and all(f.result() for f in futs)


async def test_a_transport_failing_to_batch_is_logged_and_calls_go_on(caplog):
    wire, client = connected()
    wire.set_batching = lambda busy: 1 / 0
    futs = [client.call("isVisible", {}, parse=parse_bool) for _ in range(2)]
    for req in wire.requests():
        reply(client, req)
    assert [f.result() for f in futs] == [True, True]
    assert "set_batching raised" in caplog.text


async def test_receive_many_handles_each_in_order_and_a_broken_error_hook_still_ends_its_call(caplog):
    wire, client = connected()
    def buggy(error):
        raise RuntimeError("a bug")

    futs = [client.call("isVisible", {}, parse=parse_bool, convert=buggy if i == 1 else None) for i in range(3)]
    reqs = wire.requests()
    answers = [console_msg("response", re=reqs[0]["id"], ok=True, result=True),
               console_msg("response", re=reqs[1]["id"], ok=False, result=None,
                           error={"code": "not_found", "message": "gone"}),  # its convert hook raises
               console_msg("response", re=reqs[2]["id"], ok=True, result=False)]
    client.receive_many((CONSOLE, text) for text in answers)
    assert futs[0].result() is True and futs[2].result() is False
    assert isinstance(futs[1].exception(), m.NotFound)
    assert "isVisible's error hook raised" in caplog.text


async def test_a_parser_bug_ends_the_call_with_console_error():
    wire, client = connected()

    def bad_parse(v):
        raise KeyError("oops")

    fut = client.call("getUserInfo", {}, parse=bad_parse)
    reply(client, wire.requests()[-1], result={})
    with pytest.raises(m.ConsoleError, match="bad result"):
        await fut


async def test_a_pending_call_still_times_out_after_thousands_of_answered_ones():
    wire, client = connected(timeout=60)
    pending = client.call("isVisible", {}, parse=parse_bool, timeout=0.3)
    for _ in range(6000):  # a steady stream, answered long before any deadline (the heap compacts)
        fut = client.call("isVisible", {}, parse=parse_bool)
        reply(client, wire.requests()[-1])
        assert fut.result() is True
    with pytest.raises(m.CtiTimeout):
        await pending
    client.close()




async def test_held_events_reach_the_listeners_of_release_time_in_order_and_are_bounded():
    wire, client = connected()
    client.events.hold(limit=3)
    got = []
    for i in range(5):
        client.receive(CONSOLE, console_msg("event", event="focus",
                                            data={"objectId": str(i), "object": "case", "url": "u", "objectName": "n"}))
    client.on("focus", lambda r: got.append(r.result.objectId))  # registered later, as in ready()
    assert got == []
    client.events.release()
    assert got == ["2", "3", "4"]
    client.receive(CONSOLE, console_msg("event", event="focus", data={"objectId": "9", "object": "case"}))
    assert got == ["2", "3", "4", "9"]
    client.close()
