"""Round trip A/B of the console module and the protocol module, before and after a change,
paired against plain JS; or a CPU profile of the console page's side of the round trip.

The pages and measurement of `make bench`'s round trip (console on localhost, softphone on
127.0.0.1, sequential `isVisible()` against plain JS postMessage). One browser holds two console
pages: one loads `loader/desk-console.js` as it is, the other as it was at BEFORE (a git
revision, default below). In the softphone, `desk_cti_py.protocol`'s encode, decode and method
table are swapped at run time between the wheel's (after) and BEFORE's source (exec'd). A
variant is `console/protocol`, e.g. `before/before`; each run is timed against the mean of a
plain-JS run in the same page just before and just after it; variants go by turns in random
order, and the median of the paired ratios is reported. Usage:
    flock /tmp/desk-browser.lock .venv/bin/python bench/ad_hoc/console_ab.py [ROUNDS] [variant...]
    flock /tmp/desk-browser.lock .venv/bin/python bench/ad_hoc/console_ab.py profile [before|after]
Ports 8790/8791 (PORT to move them). Measures; asserts nothing.
"""

from __future__ import annotations

import collections
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from desk_cti_tools.emulator.pages import DeclaringStatic
from desk_cti_tools.emulator.server import Background
from desk_cti_tools.chromium import launch

BEFORE = os.environ.get("BEFORE", "5522dc9")  # the tree helper G started from
CALLS = int(os.environ.get("CALLS", "400"))
PORT = int(os.environ.get("PORT", "8790"))
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
# the protocol module's per-message functions: the wheel's, or BEFORE's source run beside it
SWAP = """
import json
from desk_cti_py import protocol as p
if not hasattr(p, "_ab"):
    ns = {"__file__": p.__file__, "__name__": "protocol_before"}
    exec(OLD_SRC, ns)
    p._ab = {name: {k: v[k] for k in ("encode", "decode", "envelope", "METHODS")} for name, v in
             (("after", vars(p)), ("before", ns))}
for k, v in p._ab[%r].items():
    setattr(p, k, v)
json.dumps(0)
"""


def git_show(path: str) -> str:
    return subprocess.run(["git", "show", f"{BEFORE}:{path}"], cwd=ROOT, check=True,
                          capture_output=True, text=True).stdout


def main() -> None:
    args = sys.argv[1:]
    profile = args[:1] == ["profile"]
    if profile:
        names = [f"{args[1] if len(args) > 1 else 'after'}/after"]
        rounds = 0
    else:
        rounds = int(args[0]) if args else 10
        names = args[1:] or ["before/before", "after/after"]
    static = DeclaringStatic(directory=Path(__file__).parent / "pages_g", console_origins="")
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        (Path(tmp) / "before").mkdir()
        (Path(tmp) / "before" / "desk-console.js").write_text(git_show("loader/desk-console.js"))
        old_protocol = git_show("desk_cti_py/protocol.py")
        extra = [Mount("/bench", static), Mount("/before", StaticFiles(directory=Path(tmp) / "before"))]
        with Background(PORT, PORT + 1, db_path=Path(tmp) / "d.sqlite3", extra_console=extra,
                        extra_phone=extra) as o:
            static.console_origins = o.console
            browser = launch(pw.chromium)
            pages, frames = {}, {}
            for which in sorted({n.split("/")[0] for n in names}):
                module = "/before/desk-console.js" if which == "before" else "/loader/desk-console.js"
                page = browser.new_page()
                page.goto(f"{o.console}/bench/host.html?console={quote(module)}"
                          f"&phone={quote(o.phone + '/bench/phone.html')}")
                frame = page.wait_for_selector("#sp").content_frame()
                frame.wait_for_function("window.desk && desk.phase === 'ready'", timeout=120_000)
                frame.evaluate("(src) => desk.pyodide.globals.set('OLD_SRC', src)", old_protocol)
                pages[which], frames[which] = page, frame

            def py(which: str, code: str):
                return json.loads(frames[which].evaluate("(code) => desk.pyodide.runPythonAsync(code)", code))

            def variant(name: str, calls: int = CALLS) -> float:
                which, proto = name.split("/")
                py(which, SWAP % proto)
                return py(which, SEQUENTIAL % calls)

            def js(which: str) -> float:
                return frames[which].evaluate(f"jsSequential({CALLS})")

            for name in names:  # warm up
                variant(name, 300)
                js(name.split("/")[0])
            if profile:
                run_profile(pages[names[0].split("/")[0]], lambda: variant(names[0], 2000))
                browser.close()
                return
            ratios: dict[str, list[float]] = {n: [] for n in names}
            us: dict[str, list[float]] = {n: [] for n in names}
            js_us: list[float] = []
            for _ in range(rounds):
                for name in random.sample(names, len(names)):
                    which = name.split("/")[0]
                    before = js(which)
                    t = variant(name)
                    after = js(which)
                    ratios[name].append(t / ((before + after) / 2))
                    us[name].append(t / CALLS * 1000)
                    js_us += [before / CALLS * 1000, after / CALLS * 1000]
            browser.close()
    for name in names:
        r = ratios[name]
        print(f"{name:14s} ratio median x{statistics.median(r):.3f} (min {min(r):.3f} max {max(r):.3f}, "
              f"{len(r)} runs); {statistics.median(us[name]):.1f} us/call")
    print(f"{'js':14s} {statistics.median(js_us):.1f} us/call")
    if len(names) == 2:  # the two variants of one round against each other, paired by round
        a, b = (ratios[n] for n in names)
        print(f"{names[1]} / {names[0]}, per round: median x{statistics.median(y / x for x, y in zip(a, b)):.3f}")


def run_profile(page, work) -> None:
    """The console page's renderer sampled while the softphone makes its calls: self time by function."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Profiler.enable")
    cdp.send("Profiler.setSamplingInterval", {"interval": 50})
    cdp.send("Profiler.start")
    ms = work()
    prof = cdp.send("Profiler.stop")["profile"]
    hits: collections.Counter[str] = collections.Counter()
    for node in prof["nodes"]:
        f = node["callFrame"]
        where = f["url"].rsplit("/", 1)[-1]
        hits[f"{f['functionName'] or '(anon)'} {where}:{f['lineNumber'] + 1}" if where else
             f["functionName"] or "(anon)"] += node.get("hitCount", 0)
    total = sum(hits.values())
    span_us = (prof["endTime"] - prof["startTime"])
    print(f"2000 calls in {ms:.0f} ms; {total} samples over {span_us / 1000:.0f} ms")
    for name, n in hits.most_common(30):
        print(f"{n / total * 100:6.2f}%  {span_us * n / total / 2000:6.2f} us/call  {name}")
    mod = sum(n for k, n in hits.items() if "desk-console.js" in k)
    print(f"desk-console.js self: {mod / total * 100:.2f}%, {span_us * mod / total / 2000:.2f} us/call")


if __name__ == "__main__":
    main()
