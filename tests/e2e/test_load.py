"""Load and leaks: many calls and events through the real frame boundary, live JS references
held by Pyodide (its hiwire table) back to the baseline, the Wasm heap measured.

Fast counts in `make test`; DESK_FUZZ=long (make fuzz): 100,000 calls and 10,000 events.
"""

import os

from conftest import host_url, run_py, softphone_frame

LONG = os.environ.get("DESK_FUZZ") == "long"
CALLS = 100_000 if LONG else 5_000
EVENTS = 10_000 if LONG else 1_000

CALL = """
import asyncio
from desk_cti_py import interaction, cti
async def main():
    ok = 0
    for start in range(0, CALLS, 1000):
        batch = [interaction.isVisible() if i % 2 else cti.setSoftphoneHeight(300)
                 for i in range(min(1000, CALLS - start))]
        ok += sum(1 for r in await asyncio.gather(*batch) if r is True)
    return ok
"""

LISTEN = """
import __main__
from desk_cti_py import interaction
__main__.seen = 0
def count(response):
    __main__.seen += 1
__main__.focus_sub = interaction.onFocus(count)
async def main():
    return True
"""

LIVE = "() => { desk.pyodide.runPython('import gc; gc.collect()'); return desk.pyodide._module.hiwire.num_keys(); }"
HEAP = "() => desk.pyodide._module.HEAP8.length"


def test_many_calls_and_events_leak_nothing(page, origins, figures):
    page.goto(host_url(origins))
    frame = softphone_frame(page)
    assert run_py(frame, "from desk_cti_py import interaction\nasync def main():\n"
                         "    return await interaction.isVisible()") is True  # warm up
    assert run_py(frame, LISTEN) is True
    live_before, heap_before = frame.evaluate(LIVE), frame.evaluate(HEAP)
    assert run_py(frame, CALL.replace("CALLS", str(CALLS))) == CALLS
    page.evaluate("""(n) => { for (let i = 0; i < n; i++)
        cti.emitFocus({ url: location.href, objectId: String(i), object: "case", objectName: `case ${i}` }); }""", EVENTS)
    frame.wait_for_function(f"desk.pyodide.runPython('import __main__; __main__.seen') >= {EVENTS}", timeout=120_000)
    assert run_py(frame, "import __main__\nasync def main():\n    return __main__.seen") == EVENTS
    run_py(frame, "import __main__\nasync def main():\n    __main__.focus_sub.unsubscribe()")
    live_after, heap_after = frame.evaluate(LIVE), frame.evaluate(HEAP)
    pending = run_py(frame, "import desk_cti_py as d\nasync def main():\n    return d.get_client().pending")
    figures["load"] = {"calls": CALLS, "events": EVENTS, "live_refs_before": live_before,
                       "live_refs_after": live_after, "heap_growth_bytes": heap_after - heap_before,
                       "pending_after": pending}
    assert pending == 0
    assert live_after == live_before, f"live JS references {live_before} -> {live_after}"
