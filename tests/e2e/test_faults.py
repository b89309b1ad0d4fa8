"""Faults: a console that never answers, a console that goes away and comes back, reloads."""

import json
from urllib.parse import quote

from conftest import BOOT_MS, host_url, run_py, softphone_frame

HANGING = """
import asyncio
import desk_cti_py as d
from desk_cti_py import interaction, cti
async def one(i):
    loop = asyncio.get_running_loop()
    start = loop.time()
    try:
        await (interaction.isVisible(timeout=2.0) if i % 2 else cti.setSoftphoneHeight(10 + i, timeout=2.0))
        return ["answered", 0]
    except d.CtiError as e:
        return [e.code, loop.time() - start]
async def main():
    got = await asyncio.gather(*(one(i) for i in range(20)))
    return [got, d.get_client().pending]
"""


def test_a_console_whose_handlers_hang_answers_timeout_before_the_callers_deadline(page, origins):
    page.goto(host_url(origins))
    frame = softphone_frame(page)
    page.evaluate("host.hold = true")
    got, pending = run_py(frame, HANGING)
    assert [code for code, _ in got] == ["timeout"] * 20
    # the console gives up min(1 s, a tenth of the wait) before the caller would: its own account
    assert all(1.75 <= took < 2.0 for _, took in got), got
    assert page.evaluate("host.aborted") == 20
    assert pending == 0
    page.evaluate("host.hold = false")
    assert run_py(frame, "from desk_cti_py import interaction\nasync def main():\n"
                         "    return await interaction.isVisible()") is True


RESTART = """
import asyncio
import json
from urllib.parse import quote
import desk_cti_py as d
from desk_cti_py import interaction, cti
async def main():
    client = d.get_client()
    first = client.console_session
    in_flight = interaction.isVisible(timeout=10)         # the console holds it: in flight
    while client.connected:                              # until the console's bye arrives
        await asyncio.sleep(0.01)
    try:
        await in_flight
        lost = "answered"
    except d.CtiError as e:
        lost = e.code
    queued = [cti.setSoftphoneHeight(400 + i, timeout=10) for i in range(5)]  # made while disconnected
    state = client.state
    results = await asyncio.gather(*queued)
    return json.dumps([lost, state, results, client.console_session != first, client.pending])
await main()
"""


def test_console_restart_fails_calls_in_flight_and_delivers_queued_ones_once(page, origins):
    page.goto(host_url(origins))
    frame = softphone_frame(page)
    page.evaluate("host.hold = true")
    frame.evaluate("(code) => { window.result = desk.pyodide.runPythonAsync(code); }", RESTART)
    page.wait_for_function("host.calls.isVisible >= 1")
    page.evaluate("host.hold = false; restart(1500)")  # a bye now, a new console in 1.5 s
    lost, state, results, new_session, pending = json.loads(frame.evaluate("() => window.result"))
    assert lost == "connection_lost"
    assert state == "connecting"
    assert results == [True] * 5
    assert new_session and pending == 0
    # each queued call reached the console exactly once
    assert page.evaluate("host.calls.setSoftphoneHeight") == 5
    heights = [r for r in page.evaluate("host.log") if r[0] == "in" and r[2] == "setSoftphoneHeight"]
    assert len(heights) == 5 and len({r[3] for r in heights}) == 5


def test_console_page_reload_runs_the_handshake_again(page, origins):
    page.goto(host_url(origins))
    frame = softphone_frame(page)
    assert run_py(frame, "from desk_cti_py import cti\nasync def main():\n    return await cti.enableClickToDial()")
    page.reload()
    frame = softphone_frame(page)
    page.wait_for_function("cti.connected", timeout=BOOT_MS)
    assert page.evaluate("cti.clickToDialEnabled") is False
    assert run_py(frame, "from desk_cti_py import interaction\nasync def main():\n"
                         "    return await interaction.isVisible()") is True


def test_softphone_reload_starts_a_new_session(page, origins):
    page.goto(host_url(origins))
    frame = softphone_frame(page)
    assert run_py(frame, "from desk_cti_py import cti\nasync def main():\n    return await cti.enableClickToDial()")
    first = page.evaluate("cti.peerSession")
    assert page.evaluate("cti.clickToDialEnabled") is True
    frame.evaluate("location.reload()")
    page.wait_for_function(f"cti.peerSession && cti.peerSession !== {first!r}", timeout=BOOT_MS)
    frame = softphone_frame(page)
    assert page.evaluate("cti.clickToDialEnabled") is False  # the console's state for the softphone starts afresh
    assert run_py(frame, "from desk_cti_py import interaction\nasync def main():\n"
                         "    return await interaction.isVisible()") is True


def test_a_quiet_python_softphone_answers_the_consoles_pings_and_stays_connected(page, origins):
    opts = json.dumps({"pingAfterMs": 200, "pongTimeoutMs": 1000})
    page.goto(f"{host_url(origins)}&opts={quote(opts)}")
    softphone_frame(page)
    page.wait_for_function("cti.stats.pings >= 5", timeout=BOOT_MS)
    assert page.evaluate("cti.stats.lost") == 0
    assert "disconnected" not in page.evaluate("host.states")
    assert page.evaluate("cti.connected") is True


BLOCK = """
import time
import desk_cti_py as d
from desk_cti_py import cti
async def main():
    assert await cti.enableClickToDial() is True
    before = d.current().click_to_dial_enabled
    end = time.monotonic() + 2.0
    while time.monotonic() < end:  # a softphone busy in Python: no pong while it lasts
        pass
    return before
"""


def test_a_softphone_declared_lost_learns_its_click_to_dial_is_off_when_it_is_welcomed_back(page, origins):
    opts = json.dumps({"pingAfterMs": 200, "pongTimeoutMs": 600})
    page.goto(f"{host_url(origins)}&opts={quote(opts)}")
    frame = softphone_frame(page)
    assert run_py(frame, BLOCK) is True
    page.wait_for_function("host.states.includes('disconnected') && cti.connected", timeout=BOOT_MS)
    assert page.evaluate("cti.clickToDialEnabled") is False
    # the softphone was welcomed in a new console session: it agrees that click-to-dial is off
    assert run_py(frame, "import desk_cti_py as d\nasync def main():\n"
                         "    return d.current().click_to_dial_enabled") is False
