"""Real calls: the Python softphone (desk_cti_py.calls over JsSIP in Debian's Chromium, fake
microphone playing a tone) and the far end (desk_cti_tools.farend: SIP over WebSocket, aiortc
audio), all on 127.0.0.1. Audio is measured at both ends: the far end's received energy, the
softphone's getStats() inbound packets and energy."""

from __future__ import annotations

import pytest

from calls_support import calls_browser, control, far_call, farend, phone, phone_origin, run, wait_far  # noqa: F401


ENGINE = """
import asyncio
from desk_cti_py.calls import sip_engine, CallError, CallFailed, Reason
phone = sip_engine({url!r}, "sip:agent@127.0.0.1", no_answer_timeout=30)
async def step():
    await phone.start(timeout=10)
    return str(phone.status)
"""


def start(page, far):
    assert run(page, ENGINE.format(url=far.sip_url)) == "registered"
    wait_far(far, lambda s: s["registered"] == ["agent"], "the softphone register")


def media(page):
    return run(page, "async def step():\n    return (await call.media_stats()).as_dict()")


def wait(page, seconds):
    run(page, f"import asyncio\nasync def step():\n    await asyncio.sleep({seconds})")


def connected_call(page, far, number="5550100"):
    start(page, far)
    out = run(page, f"""
async def step():
    global call
    call = phone.dial({number!r})
    await call.wait_answered(timeout=15)
    return [str(call.state), call.number]
""")
    assert out == ["active", number]
    return far_call(far)


def test_an_outbound_call_carries_audio_both_ways_and_hangs_up(phone, farend):
    fc = connected_call(phone, farend)
    assert fc["placed_by"] == "softphone" and fc["number"] == "5550100" and fc["state"] == "answered"
    wait(phone, 2)
    here = media(phone)
    there = far_call(farend, fc["id"])["received"]
    print("audio after 2 s: softphone", here, "far end", there)
    assert here["packets_received"] > 50 and here["audio_energy"] > 0.01  # the far end's tone
    assert there["frames"] > 50 and there["energy"] > 0.01 and there["loud_frames"] > 25  # the fake microphone's tone
    out = run(phone, """
async def step():
    call.hang_up()
    return [str(call.state), str(call.reason), [str(c) for c in phone.calls]]
""")
    assert out == ["ended", "hung up", []]
    wait_far(farend, lambda s: far_call(farend, fc["id"])["end"] == "softphone hung up", "the BYE")
