"""Code that a reply resumes (eager resume, inside the message event) may call run_sync (JSPI).

On the snapshot boot, the default (run_sync died there until desk-cti-snapshot.mjs kept the
runtime's call trampoline across the restore: restoreHeap), and on a plain boot.
"""

import pytest

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

#: a page, and whether it boots from the snapshot (softphone-plain.html: softphone.html with
#: data-snapshot="off", conftest.PageServer)
BOOTS = {"snapshot": ("softphone.html", True), "plain": ("softphone-plain.html", False)}


def softphone(page, origins, boot="snapshot"):
    phone_page, from_snapshot = BOOTS[boot]
    page.goto(host_url(origins, phone_page))
    frame = softphone_frame(page)
    assert frame.evaluate("desk.bootInfo.snapshot") is from_snapshot, frame.evaluate("desk.bootInfo")
    return frame


@pytest.mark.parametrize("boot", BOOTS)
def test_code_resumed_by_a_reply_may_call_run_sync(page, origins, boot):
    frame = softphone(page, origins, boot)
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
    frame = softphone(page, origins)
    assert run_py(frame, RUN_SYNC_ON_THE_CONSOLE) == [True, [True] * 20, True]
