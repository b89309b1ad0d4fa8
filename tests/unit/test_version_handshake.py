"""A console of another protocol version: the handshake ends with UnsupportedVersion naming both."""

import json
import logging
import re

import pytest

import desk_cti_py as d
from desk_cti_py import protocol as p
from desk_cti_py.client import Client

pytestmark = pytest.mark.asyncio
CONSOLE = "https://console.example"


class Wire:
    def __init__(self):
        self.sent = []

    def post(self, text, target):
        self.sent.append((json.loads(text), target))

    def attach(self, receiver):
        pass

    def detach(self):
        pass

    def set_batching(self, many_in_flight):
        pass

    def hellos(self):
        return [msg for msg, _ in self.sent if msg["type"] == "hello"]


def answer(v, kind, **fields):
    return json.dumps({"ns": "desk-cti", "v": v, "type": kind, "id": "c-1", **fields})


def is_visible(client):
    return client.call("isVisible", {}, parse=bool)


async def refused(message_for):
    """A client whose hello the console answers with ``message_for(hello_id)``; its queued call."""
    wire = Wire()
    client = Client(wire, console_origin=CONSOLE)
    queued = is_visible(client)
    client.receive(CONSOLE, message_for(wire.hellos()[-1]["id"]))
    return wire, client, queued


@pytest.mark.parametrize("message_for, theirs", [
    (lambda re: answer(2, "welcome", re=re, session="S"), "2"),
    (lambda re: answer(2, "error", re=re, error={"code": "unsupported_version", "message": "v2 only",
                                                  "supported": [2, 3]}), "2 or 3"),
])
async def test_a_console_of_another_version_fails_every_call_naming_both_versions(message_for, theirs, caplog):
    with caplog.at_level(logging.ERROR, "desk_cti_py"):
        wire, client, queued = await refused(message_for)
    assert client.state == "refused"
    want = f"the console speaks desk-cti protocol version {theirs}; this softphone (desk_cti_py) speaks version 1"
    with pytest.raises(d.UnsupportedVersion, match=re.escape(want)):
        await queued
    with pytest.raises(d.UnsupportedVersion, match=re.escape(want)):  # and every later call, at once
        await is_visible(client)
    assert isinstance(client.refusal, d.CtiError) and client.refusal.code == "unsupported_version"
    assert want in caplog.text  # said once on the softphone's console
    hellos = len(wire.hellos())
    assert wire.sent[-1][0]["type"] == "hello" and hellos == 1  # no more hellos: nothing was posted after
    client.close()


async def test_a_refusal_in_this_version_keeps_the_consoles_words():
    _, client, queued = await refused(lambda re: p.encode(p.envelope(
        p.ERROR, "c-1", re=re, error={"code": "unsupported_version", "message": "this console speaks version 1 only"})))
    with pytest.raises(d.UnsupportedVersion, match="this console speaks version 1 only"):
        await queued
    client.close()


async def test_a_message_of_another_version_that_answers_no_hello_is_only_dropped():
    wire = Wire()
    client = Client(wire, console_origin=CONSOLE)
    client.start()
    client.receive(CONSOLE, answer(2, "welcome", re="someone-else-1", session="S"))
    client.receive(CONSOLE, answer(2, "response", re=wire.hellos()[-1]["id"], ok=True, result=True))
    assert client.state == "connecting" and client.dropped == 2
    client.close()


async def test_once_connected_a_message_of_another_version_is_dropped():
    wire = Wire()
    client = Client(wire, console_origin=CONSOLE)
    client.start()
    hello = wire.hellos()[-1]["id"]
    client.receive(CONSOLE, p.encode(p.envelope(p.WELCOME, "c-1", re=hello, session="S")))
    assert client.connected
    client.receive(CONSOLE, answer(2, "welcome", re=hello, session="S2"))
    assert client.connected and client.dropped == 1
    client.close()
