"""Round trip A/B: how messages enter Python (BrowserTransport.promising_entry and its task, eager resume),
paired against plain JS.

Same pages and measurement as `make bench`'s round trip (a copy of bench/pages: console on
localhost, softphone on 127.0.0.1, sequential isVisible() calls against plain JS postMessage), but
every variant in one page, by turns: JS, variant, JS, next variant, JS... each variant's time
against the mean of the JS runs on either side. Usage:
    flock /tmp/desk-browser.lock .venv/bin/python bench/ad_hoc/roundtrip_ab.py [ROUNDS] [variant...]
Ports 8600/8601. Measures; asserts nothing.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import sys
import tempfile
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402
from starlette.routing import Mount  # noqa: E402

from desk_cti_tools.emulator.pages import DeclaringStatic  # noqa: E402
from desk_cti_tools.emulator.server import Background  # noqa: E402
from desk_cti_tools.chromium import launch  # noqa: E402

CALLS = int(os.environ.get("CALLS", 400))  # short runs, many turns: drift on a busy machine hits all alike
SEQUENTIAL = """
import json, time
from desk_cti_py import interaction
async def run(n):
    t = time.perf_counter()
    for _ in range(n):
        await interaction.isVisible()
    return (time.perf_counter() - t) * 1000
json.dumps(await run(%d))
"""
# a variant: how the transport's filter hands messages to Python, and eager resume on or off
SETUP = """
import json, desk_cti_py
conn = desk_cti_py.current()
conn.transport.promising_entry = %r
desk_cti_py._browser.ENTRY_RELEASES = ("314.0.7",) if %r else ()  # False: callPromising with its task
conn.transport.attach(conn.client)
desk_cti_py.configure(eager_resume=%r)
import asyncio
loop = asyncio.get_event_loop()
# bare_future: futures without the WebLoop's done callback (its count of work in progress)
if %r:
    loop.create_future = lambda: asyncio.Future(loop=loop)
else:
    vars(loop).pop("create_future", None)
json.dumps(0)
"""
VARIANTS = {"promising": (True, True, True, False), "plain": (False, True, True, False),
            "hop": (True, False, True, False),  # callPromising as Pyodide has it (one task later)
            "no_eager": (True, True, False, False),
            "bare_console": (True, True, True, False),  # the console page answers without its module (host.html)
            "bare_future": (True, True, True, True)}


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    names = sys.argv[2:] or ["promising", "plain"]
    static = DeclaringStatic(directory=Path(__file__).parent / "pages", console_origins="")
    pages = [Mount("/bench", static)]
    with tempfile.TemporaryDirectory() as tmp, \
            Background(8600, 8601, db_path=Path(tmp) / "d.sqlite3", extra_console=pages, extra_phone=pages) as o, \
            sync_playwright() as p:
        static.console_origins = o.console
        browser = launch(p.chromium)
        page = browser.new_page()
        page.goto(f"{o.console}/bench/host.html?phone={quote(o.phone + '/bench/phone.html')}")
        frame = page.wait_for_selector("#sp").content_frame()
        frame.wait_for_function("window.desk && desk.phase === 'ready'", timeout=120_000)

        def py(code: str):
            return json.loads(frame.evaluate("(code) => desk.pyodide.runPythonAsync(code)", code))

        def variant(name: str) -> float:
            py(SETUP % VARIANTS[name])
            page.evaluate(f"window.bareConsole = {'true' if name == 'bare_console' else 'false'}")
            return py(SEQUENTIAL % CALLS)

        def js() -> float:
            return frame.evaluate(f"jsSequential({CALLS})")

        for name in names:  # warm up
            py(SETUP % VARIANTS[name])
            py(SEQUENTIAL % 300)
        js()
        ratios: dict[str, list[float]] = {n: [] for n in names}
        us: dict[str, list[float]] = {n: [] for n in names + ["js"]}
        for _ in range(rounds):
            order = random.sample(names, len(names))
            before = js()
            for name in order:
                t = variant(name)
                after = js()
                ratios[name].append(t / ((before + after) / 2))
                us[name].append(t / CALLS * 1000)
                us["js"].append(after / CALLS * 1000)
                before = after
        browser.close()
    for name in names:
        r = ratios[name]
        print(f"{name:10s} ratio median x{statistics.median(r):.3f} (min {min(r):.3f} max {max(r):.3f}, "
              f"{len(r)} runs); {statistics.median(us[name]):.1f} us/call")
    print(f"{'js':10s} {statistics.median(us['js']):.1f} us/call")


if __name__ == "__main__":
    main()
