"""What entering Python from JS costs in the softphone frame, per entry, in Chromium: a plain
call of a proxy, callPromising (JSPI-capable; Pyodide runs it one task later), and a Python loop
suspended in run_sync on a promise that JS resolves (the "pump"). Nothing else runs. Then the
library's own Python per call under Pyodide (bench/ad_hoc/call_cost.py's path, the reply handed
back at once: no browser message, no loop turn).
    flock /tmp/desk-browser.lock .venv/bin/python bench/ad_hoc/entry_cost.py
"""

from __future__ import annotations

import json
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

MEASURE = """async (n) => {
    const py = desk.pyodide;
    py.runPython(`
from pyodide.ffi import run_sync, create_proxy
def noop(*a):
    pass
def pump(next_value):
    while (p := next_value()) is not None:
        run_sync(p)
noop_proxy = create_proxy(noop)
pump_proxy = create_proxy(pump)
`);
    const noop = py.globals.get("noop_proxy"), pumpProxy = py.globals.get("pump_proxy");
    const out = {};
    let t = performance.now();
    for (let i = 0; i < n; i++) noop("o", "t");
    out.plain_us = (performance.now() - t) / n * 1000;
    t = performance.now();
    for (let i = 0; i < n; i++) await noop.callPromising("o", "t");
    out.promising_us = (performance.now() - t) / n * 1000;
    // the pump: JS resolves, the suspended loop takes it and asks for the next
    let left = n, done, resolveNext;
    const finished = new Promise((r) => { done = r; });
    const next = () => {
        if (left-- === 0) { done(); return null; }
        return new Promise((r) => { resolveNext = r; queueMicrotask(() => resolveNext("o t")); });
    };
    t = performance.now();
    pumpProxy.callPromising(next);
    await finished;
    out.pump_us = (performance.now() - t) / n * 1000;
    // the same JS with no Python: what a promise and a microtask cost alone
    t = performance.now();
    for (let i = 0; i < n; i++) await new Promise((r) => queueMicrotask(() => r("o t")));
    out.promise_only_us = (performance.now() - t) / n * 1000;
    return out;
}"""


LIBRARY = """
import json, time
import desk_cti_py as d
from desk_cti_py import protocol as p
from desk_cti_py.connection import open_connection
CONSOLE = "https://console.example"
class Echo:
    receiver = None
    def post(self, text, origin):
        if '"hello"' in text:
            answer = p.encode(p.envelope(p.WELCOME, "c-0", re=json.loads(text)["id"], session="S"))
        else:
            i = text.index('"id":"') + 6
            call_id = text[i:text.index('"', i)]
            answer = p.encode(p.envelope(p.RESPONSE, "c-" + call_id, re=call_id, ok=True, result=True))
        if self.receiver is not None:
            self.receiver.receive(CONSOLE, answer)
    def attach(self, receiver):
        self.receiver = receiver
    def detach(self):
        self.receiver = None
    def set_batching(self, many):
        pass
echo = Echo()
open_connection(echo, CONSOLE, parent_origin=CONSOLE)
echo.attach(d.current().client)
echo.post('{"type":"hello","id":"' + d.current().client._hellos.copy().pop() + '"}', CONSOLE)
async def run(n):
    t = time.perf_counter()
    for _ in range(n):
        await d.interaction.isVisible()
    return (time.perf_counter() - t) / n * 1e6
await run(500)
json.dumps(min([await run(3000) for _ in range(3)]))
"""


def main() -> None:
    static = DeclaringStatic(directory=Path(__file__).parent / "pages", console_origins="")
    pages = [Mount("/bench", static)]
    with tempfile.TemporaryDirectory() as tmp, \
            Background(8602, 8603, db_path=Path(tmp) / "d.sqlite3", extra_console=pages, extra_phone=pages) as o, \
            sync_playwright() as p:
        static.console_origins = o.console
        browser = launch(p.chromium)
        page = browser.new_page()
        page.goto(f"{o.console}/bench/host.html?phone={quote(o.phone + '/bench/phone.html')}")
        frame = page.wait_for_selector("#sp").content_frame()
        frame.wait_for_function("window.desk && desk.phase === 'ready'", timeout=120_000)
        for _ in range(5):
            print({k: round(v, 1) for k, v in frame.evaluate(MEASURE, 2000).items()})
        for _ in range(5):
            print("library's Python per call, us:", round(json.loads(frame.evaluate(
                "(code) => desk.pyodide.runPythonAsync(code)", LIBRARY)), 1))
        browser.close()


if __name__ == "__main__":
    main()
