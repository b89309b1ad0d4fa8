"""Code that a reply resumes (eager resume, inside the message event) may call run_sync (JSPI).

On a plain boot (data-snapshot="off"): after a boot from a memory snapshot, run_sync hangs in
Chromium (a known bug, docs/snapshot.md "Limits"); a page that uses run_sync turns the snapshot off.
"""

from conftest import host_url, run_py, softphone_frame

RUN_SYNC = """
import asyncio
from pyodide.ffi import can_run_sync, run_sync
from desk_cti_py import interaction
async def main():
    before = can_run_sync()
    await interaction.isVisible()          # resumed by the reply, inside its message event
    after = can_run_sync()
    run_sync(asyncio.sleep(0.01))          # blocks until the awaitable is done (JSPI)
    return [before, after, await interaction.isVisible()]
"""

PAGE = "softphone-plain.html"


def plain_softphone(page, origins):
    page.goto(host_url(origins, PAGE))
    frame = softphone_frame(page)
    assert frame.evaluate("desk.bootInfo.snapshot") is False
    return frame


def test_code_resumed_by_a_reply_may_call_run_sync(page, origins):
    frame = plain_softphone(page, origins)
    assert run_py(frame, RUN_SYNC) == [True, True, True]


RUN_SYNC_ON_THE_CONSOLE = """
import asyncio
from pyodide.ffi import run_sync
from desk_cti_py import interaction
async def main():
    await interaction.isVisible()          # resumed by the reply, inside its message event
    # blocks the code that the last message resumed until the console answers: that answer,
    # and the next ones, must reach Python some other way
    one = run_sync(interaction.isVisible())
    many = run_sync(asyncio.gather(*(interaction.isVisible() for _ in range(20))))
    return [one, many, await interaction.isVisible()]
"""


def test_resumed_code_may_block_in_run_sync_on_a_call_to_the_console(page, origins):
    frame = plain_softphone(page, origins)
    assert run_py(frame, RUN_SYNC_ON_THE_CONSOLE) == [True, [True] * 20, True]
