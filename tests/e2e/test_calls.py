"""Real calls: the Python softphone (desk_cti_py.calls over JsSIP in Debian's Chromium, fake
microphone playing a tone) and the far end (desk_cti_tools.farend: SIP over WebSocket, aiortc
audio), all on 127.0.0.1. Audio is measured at both ends: the far end's received energy, the
softphone's getStats() inbound packets and energy."""

from __future__ import annotations

import calls_support
from calls_support import control, far_call, run, wait_far

# the fixtures, under their own names
calls_browser, phone_origin, booted, phone, farend = (calls_support.calls_browser, calls_support.phone_origin,
                                                      calls_support.booted, calls_support.phone, calls_support.farend)


ENGINE = """
import asyncio
from desk_cti_py.calls import sip_engine, CallError, CallFailed, Reason
# audio_processing off: the browser's noise suppression takes a steady test tone for noise
phone = sip_engine({url!r}, "sip:agent@127.0.0.1", no_answer_timeout=30, audio_processing=False)
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
    # media on loopback alone: the far end's candidates, and the browser's that it may use
    assert fc["candidates"]["local"] == ["127.0.0.1"] and set(fc["candidates"]["remote"]) <= {"127.0.0.1", "::1"}
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


def audio_for(page, far, far_id, seconds=1.5):
    """What arrived at each end in ``seconds``: (softphone packets, softphone energy, far end
    frames, far end energy)."""
    a, fa = media(page), far_call(far, far_id)["received"]
    wait(page, seconds)
    b, fb = media(page), far_call(far, far_id)["received"]
    return (b["packets_received"] - a["packets_received"], b["audio_energy"] - a["audio_energy"],
            fb["frames"] - fa["frames"], fb["energy"] - fa["energy"])


def test_dtmf_digits_sent_are_the_digits_received(phone, farend):
    fc = connected_call(phone, farend)
    run(phone, 'async def step():\n    call.send_dtmf("159#*0")')
    status = wait_far(farend, lambda s: len(far_call(farend, fc["id"])["digits"]) >= 6, "six digits")
    assert far_call(farend, fc["id"])["digits"] == "159#*0", status


def test_hold_stops_the_audio_both_ways_and_resume_brings_it_back(phone, farend):
    fc = connected_call(phone, farend)
    before = audio_for(phone, farend, fc["id"])
    assert before[0] > 30 and before[1] > 0.005 and before[3] > 0.005, before
    assert run(phone, "async def step():\n    await call.hold()\n    return str(call.state)") == "held"
    wait(phone, 0.5)  # packets already on the way
    held = audio_for(phone, farend, fc["id"])
    print("1.5 s active:", before, "1.5 s held:", held)
    assert held[0] <= 2 and held[1] < before[1] / 50  # the far end sends nothing on hold
    assert held[3] < before[3] / 50  # the softphone's microphone is off on hold
    assert run(phone, "async def step():\n    await call.resume()\n    return str(call.state)") == "active"
    wait(phone, 0.5)
    after = audio_for(phone, farend, fc["id"])
    assert after[0] > 30 and after[1] > before[1] / 3 and after[3] > before[3] / 3, after
    assert far_call(farend, fc["id"])["directions"] == ["sendonly", "sendrecv"]


def test_mute_silences_the_softphone_only(phone, farend):
    fc = connected_call(phone, farend)
    before = audio_for(phone, farend, fc["id"])
    run(phone, "async def step():\n    call.mute()")
    wait(phone, 0.5)
    muted = audio_for(phone, farend, fc["id"])
    print("1.5 s unmuted:", before, "1.5 s muted:", muted)
    assert muted[2] > 30 and muted[3] < before[3] / 50  # frames still come, silent
    assert muted[0] > 30 and muted[1] > before[1] / 3  # the far end's tone still plays here
    run(phone, "async def step():\n    call.unmute()")
    wait(phone, 0.5)
    assert audio_for(phone, farend, fc["id"])[3] > before[3] / 3


def test_the_far_end_hanging_up_ends_the_call_here(phone, farend):
    fc = connected_call(phone, farend)
    control(farend, "POST", f"/calls/{fc['id']}/hangup")
    out = run(phone, """
async def step():
    reason = await call.wait_ended(timeout=10)
    return [str(call.state), str(reason), len(phone.calls)]
""")
    assert out == ["ended", "remote hung up", 0]
    assert far_call(farend, fc["id"])["end"] == "far end hung up"


def ring(page, far, caller="5550142", name="Ada Lovelace"):
    start(page, far)
    run(page, "ringing = asyncio.ensure_future(phone.wait_for('ringing', timeout=15))")
    fc = control(far, "POST", "/calls", {"caller": caller, "name": name})
    out = run(page, """
async def step():
    global call
    call = await ringing
    return [call.number, call.name, str(call.state), str(call.direction)]
""")
    assert out == [caller, name, "ringing", "inbound"]
    return fc


def test_an_inbound_call_rings_with_the_callers_number_and_carries_audio(phone, farend):
    fc = ring(phone, farend)
    assert run(phone, "async def step():\n    await call.answer()\n    return str(call.state)") == "active"
    wait_far(farend, lambda s: far_call(farend, fc["id"])["state"] == "answered", "the answer")
    wait(phone, 1)
    got = audio_for(phone, farend, fc["id"])
    print("inbound, 1.5 s:", got)
    assert got[0] > 30 and got[1] > 0.005 and got[2] > 30 and got[3] > 0.005
    run(phone, "async def step():\n    call.hang_up()")
    wait_far(farend, lambda s: far_call(farend, fc["id"])["end"] == "softphone hung up", "the BYE")


def test_an_inbound_call_rejected_or_missed(phone, farend):
    fc = ring(phone, farend)
    assert run(phone, "async def step():\n    call.reject()\n    return [str(call.state), str(call.reason)]") \
        == ["failed", "rejected"]
    wait_far(farend, lambda s: far_call(farend, fc["id"])["end"] == "rejected", "the 486")
    assert far_call(farend, fc["id"])["status"] == [486]
    run(phone, "ringing = asyncio.ensure_future(phone.wait_for('ringing', timeout=15))")
    missed = control(farend, "POST", "/calls", {"caller": "5550143"})
    run(phone, "async def step():\n    global call\n    call = await ringing")
    control(farend, "POST", f"/calls/{missed['id']}/hangup")
    out = run(phone, "async def step():\n    return [str(await call.wait_ended(timeout=10)), str(call.state), len(phone.calls)]")
    assert out == ["cancelled", "failed", 0]


FAILED_CALL = """
async def step():
    call = phone.dial({number!r}{extra})
    try:
        await call.wait_answered(timeout=20)
    except CallFailed as exc:
        return [str(call.state), str(call.reason), str(exc.reason), len(phone.calls)]
    return "answered"
"""


def test_busy(phone, farend):
    start(phone, farend)
    assert run(phone, FAILED_CALL.format(number="4860001", extra="")) == ["failed", "busy", "busy", 0]


def test_no_answer_gives_up_and_cancels(phone, farend):
    start(phone, farend)
    assert run(phone, FAILED_CALL.format(number="4080001", extra=", timeout=2")) == ["failed", "no answer", "no answer", 0]
    wait_far(farend, lambda s: far_call(farend)["end"] == "cancelled", "the CANCEL")


def test_far_end_down(phone, farend):
    down = farend.sip_url.replace(str(farend.port), "1")  # port 1: nothing listens
    out = run(phone, f"""
from desk_cti_py.calls import sip_engine, CallError
phone = sip_engine({down!r}, "sip:agent@127.0.0.1")
async def step():
    try:
        await phone.start(timeout=10)
    except CallError as exc:
        started = [str(exc.reason), exc.message]
    try:
        phone.dial("5550100")
    except CallError as exc:
        return started + [str(exc.reason), str(phone.status), len(phone.calls)]
""")
    assert out[0] == "unreachable" and "cannot reach ws://127.0.0.1:1/sip" in out[1], out
    assert out[2:] == ["unreachable", "stopped", 0]


def test_the_websocket_dropping_mid_call_ends_it_and_the_phone_recovers(phone, farend):
    fc = connected_call(phone, farend)
    assert control(farend, "POST", "/drop")["dropped"] == 1
    out = run(phone, """
async def step():
    reason = await call.wait_ended(timeout=10)
    return [str(call.state), str(reason), len(phone.calls)]
""")
    assert out == ["ended", "connection lost", 0]
    assert far_call(farend, fc["id"])["end"] == "connection dropped"
    # JsSIP reconnects and registers again: the next call goes through
    out = run(phone, """
async def step():
    for _ in range(100):
        if str(phone.status) == "registered":
            break
        await asyncio.sleep(0.2)
    again = phone.dial("5550100")
    await again.wait_answered(timeout=15)
    again.hang_up()
    return str(again.reason)
""")
    assert out == "hung up"


def test_an_inbound_call_pops_the_callers_record_in_the_console(calls_browser, phone_origin, farend, tmp_path):
    """In the emulator console, framed as softphones are: the far end rings the softphone, its
    ringing listener runs searchAndScreenPop on the caller's number, the console opens the
    customer's new phone case."""
    from conftest import sign_in
    from desk_cti_tools.emulator.server import Background

    url = f"{phone_origin}/calls/popping.html?sip={farend.sip_url}"
    with Background(db_path=tmp_path / "desk.sqlite3", softphone_url=url) as origins:
        calls_support.PAGES_STATIC.console_origins = origins.console
        context = calls_browser.new_context()
        outside = []
        context.route("**/*", lambda r: r.continue_() if r.request.url.split("/")[2].split(":")[0]
                      in ("localhost", "127.0.0.1") else (outside.append(r.request.url), r.abort()))
        try:
            page = context.new_page()
            sign_in(page, origins)
            page.goto(f"{origins.console}/agent/customers")
            frame = page.wait_for_selector("#softphone").content_frame()
            frame.wait_for_function("window.desk && desk.phase === 'ready'", timeout=calls_support.BOOT_MS)
            run(frame, "async def step():\n    await phone.start(timeout=10)")
            fc = control(farend, "POST", "/calls", {"caller": "+15550107"})
            frame.get_by_text("ringing: +15550107, popped: True").wait_for(timeout=15_000)
            page.wait_for_url("**/agent/cases/*")
            assert "Grace Castillo" in page.locator("main, body").first.inner_text()
            run(frame, "async def step():\n    await phone.calls[0].answer()")
            control(farend, "POST", f"/calls/{fc['id']}/hangup")
            frame.get_by_text("ended: +15550107, remote hung up").wait_for(timeout=15_000)
            assert outside == []
        finally:
            context.close()
            calls_support.PAGES_STATIC.console_origins = ""


def test_credentials_a_wrong_password_is_refused_clearly_and_the_right_one_registers(phone, tmp_path):
    from desk_cti_tools.farend import Running

    with Running(0, password="s3cret") as pbx:
        out = run(phone, f"""
from desk_cti_py.calls import sip_engine, CallError
async def step():
    global phone
    phone = sip_engine({pbx.sip_url!r}, "sip:agent@127.0.0.1", password="wrong")
    try:
        await phone.start(timeout=10)
        return "registered with a wrong password"
    except CallError as exc:
        refused = [str(exc.reason), exc.message, str(phone.status)]
    phone = sip_engine({pbx.sip_url!r}, "sip:agent@127.0.0.1", password="s3cret")
    await phone.start(timeout=10)
    return refused + [str(phone.status)]
""")
        assert out == ["authentication failed", "the call server refused this phone: authentication failed", "stopped",
                       "registered"]
        wait_far(pbx, lambda s: s["registered"] == ["agent"], "the registration")
