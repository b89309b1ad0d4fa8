"""Debug mode: every message both ways, one line each, as the browser console would show it."""

import asyncio
import json
import logging

import pytest

import desk_cti_py as d
from desk_cti_py import _debug
from desk_cti_py import connection as c
from desk_cti_py import protocol as p
from desk_cti_py.transport import MemoryTransport

CONSOLE = "https://console.example"


class Console:
    """A console at the other end of a MemoryTransport: welcomes hellos, answers isVisible."""

    def __init__(self, extra=()):
        self.transport = MemoryTransport(self.deliver)
        self.extra = list(extra)  # (origin, text) sent once the handshake is done

    def deliver(self, text, target):
        msg = json.loads(text)
        if msg["type"] == "hello":
            self.send(p.envelope(p.WELCOME, "con-1", re=msg["id"], session="con"))
            for origin, raw in self.extra:
                self.transport.send(origin, raw)
        elif msg["type"] == "request":
            self.send(p.envelope(p.RESPONSE, f"con-{msg['id']}", re=msg["id"], ok=True, result=True))

    def send(self, message):
        self.transport.send(CONSOLE, p.encode(message))


@pytest.fixture(autouse=True)
def clean():
    yield
    c.disconnect()
    d.configure(debug=False)


async def settle():
    for _ in range(5):
        await asyncio.sleep(0)


@pytest.mark.asyncio
async def test_connect_with_debug_prints_every_message_both_ways(capsys):
    console = Console()
    conn = c.open_connection(console.transport, CONSOLE, debug=True)
    assert conn.debug
    assert await d.interaction.isVisible() is True
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("desk-cti debug: ")]
    kinds = [(line.split()[3], line.split()[6]) for line in lines if line.split()[2] in ("->", "<-")]
    assert kinds == [("out", "hello"), ("in", "welcome"), ("out", "request"), ("in", "response")]
    hello, welcome = lines[0], lines[1]
    assert hello.startswith(f"desk-cti debug: -> out to {CONSOLE} hello id=")
    assert welcome.startswith(f"desk-cti debug: <- in from {CONSOLE} welcome id=con-1 ")
    request = next(line for line in lines if " request " in line)
    assert '"method":"isVisible"' in request and " chars {" in request


@pytest.mark.asyncio
async def test_without_debug_nothing_is_printed_and_nothing_is_in_between(capsys):
    console = Console()
    conn = c.open_connection(console.transport, CONSOLE)
    assert conn.transport is console.transport and not conn.debug
    assert await d.interaction.isVisible() is True
    assert "desk-cti debug" not in capsys.readouterr().out


@pytest.mark.asyncio
async def test_configure_debug_is_the_default_for_the_next_connection(capsys):
    d.configure(debug=True)
    conn = c.open_connection(Console().transport, CONSOLE)
    assert conn.debug
    await d.interaction.isVisible()
    assert "desk-cti debug: -> out to" in capsys.readouterr().out
    c.disconnect()
    d.configure(debug=False)
    conn = c.open_connection(Console().transport, CONSOLE)
    assert not conn.debug


@pytest.mark.asyncio
async def test_the_connections_debug_flag_wins_over_the_default_and_the_log_follows_it():
    log = logging.getLogger("desk_cti_py")
    handlers = list(log.handlers)
    assert c.open_connection(Console().transport, CONSOLE, debug=True).debug
    assert len(log.handlers) == len(handlers) + 1
    assert not c.open_connection(Console().transport, CONSOLE, debug=False).debug
    assert log.handlers == handlers


@pytest.mark.asyncio
async def test_a_message_the_client_drops_is_shown_and_says_so_with_the_reason(capsys):
    console = Console(extra=[("https://evil.example", p.encode(p.envelope(p.EVENT, "e-1", event="focus", data={}))),
                             (CONSOLE, '{"ns":"desk-cti","v":1,"type":"response"')])
    c.open_connection(console.transport, CONSOLE, debug=True)
    await d.interaction.isVisible()
    await settle()
    out = capsys.readouterr().out
    assert "<- in from https://evil.example event id=e-1" in out
    assert out.count("(dropped by the softphone") == 2
    # debug mode also turns on the library's log: the reason for each drop
    assert "DEBUG desk_cti_py: dropped a message from https://evil.example: origin is not the console's" in out
    assert "message is not JSON" in out


def test_a_long_message_is_cut_short_with_its_size():
    text = p.encode(p.envelope(p.RESPONSE, "c-9", re="s-1", ok=True, result="x" * 5000))
    line = _debug.describe("in", CONSOLE, text)
    assert line.startswith(f"desk-cti debug: <- in from {CONSOLE} response id=c-9 {len(text)} chars ")
    assert line.endswith(f"... (+{len(text) - _debug.TEXT_CHARS} chars)")
    assert len(line) < _debug.TEXT_CHARS + 200


def test_hostile_text_is_described_without_being_parsed():
    deep = "[" * 500_000
    assert _debug.describe("in", CONSOLE, deep).startswith(f"desk-cti debug: <- in from {CONSOLE} ? id=? 500000 chars [[[")
    assert "(not a string: dict)" in _debug.describe("in", CONSOLE, {"ns": "desk-cti"})
    # the type and id come from the envelope, not from a nested "id" further on
    text = p.encode(p.envelope(p.REQUEST, "s-4", method="screenPop", params={"id": "42", "type": "x"}))
    assert " request id=s-4 " in _debug.describe("out", CONSOLE, text)


def test_debug_must_be_a_boolean():
    with pytest.raises(d.BadArguments, match="debug must be True or False"):
        d.configure(debug="yes")
    with pytest.raises(d.BadArguments, match="debug must be True or False"):
        c.open_connection(Console().transport, CONSOLE, debug=1)


def test_the_librarys_log_is_written_only_in_debug_mode():
    log = logging.getLogger("desk_cti_py")
    before = (log.level, list(log.handlers))
    d.configure(debug=True)
    assert log.level == logging.DEBUG and len(log.handlers) == len(before[1]) + 1
    d.configure(debug=True)  # once, not twice
    assert len(log.handlers) == len(before[1]) + 1
    d.configure(debug=False)
    assert (log.level, list(log.handlers)) == before
