"""The snapshot boot, end to end: a softphone on 127.0.0.1 boots from a memory snapshot in a
console on localhost (desk.bootInfo, the progress events, the handshake the console sees), is
fresh per boot, and falls back to a working plain boot, saying why, for every broken snapshot.

Each folder is a copy of build/pyodide under a temporary folder (snapshot_site.py); the
snapshot is made there once per session (about 5 s in Node).
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote, urlparse

import pytest

from conftest import BOOT_MS, run_py
from snapshot_site import serve, site, variant, with_snapshot

PHONE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>snapshot softphone</title>
<script>
  window.progress = [];
  document.addEventListener("desk-cti:progress", (e) => progress.push(e.detail));
</script>
<script src="/loader/desk-cti.js" data-pyodide="/{folder}/" data-snapshot="{mode}"
        data-console-origins="{console}" data-timeout="20"></script>
</head>
<body><p>snapshot softphone</p>
<script type="text/python">
import random
import js
from desk_cti_py import ready

@ready
def first():
    js.window.firstRandom = random.random()
</script>
</body></html>
"""

FOLDERS = ("good", "build_id", "wheel", "corrupt", "memory", "missing", "none")
MODES = ("always", "auto")


@pytest.fixture(scope="session")
def snap_site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("snapshot")
    good = with_snapshot(tmp / "folders" / "good")
    folders = {"good": good}
    for kind in FOLDERS[1:]:
        folders[kind] = variant(good, tmp / "folders" / kind, kind)
    root = site(tmp / "site", folders, {})
    with serve(root) as port:
        console, phone = f"http://localhost:{port}", f"http://127.0.0.1:{port}"
        for folder in FOLDERS:
            for mode in MODES:
                (root / "test" / f"phone-{folder}-{mode}.html").write_text(
                    PHONE.format(folder=folder, mode=mode, console=console))
        yield {"console": console, "phone": phone, "root": Path(root)}


def boot(page, snap_site, folder="good", mode="always"):
    """Open the test console with the softphone of ``folder``; its frame once ready()."""
    phone = f"{snap_site['phone']}/test/phone-{folder}-{mode}.html"
    page.goto(f"{snap_site['console']}/test/host.html?phone={quote(phone)}")
    frame = page.wait_for_selector("#sp").content_frame()
    frame.wait_for_function("window.desk && desk.phase === 'ready' && window.firstRandom !== undefined", timeout=BOOT_MS)
    return frame


CACHED = """async () => {
    const e = performance.getEntriesByType('resource').find((e) => e.name.includes('/snapshot.bin') && e.responseEnd > 0);
    if (!e) return false;
    try {
        return (await fetch(e.name, { cache: 'only-if-cached', mode: 'same-origin' })).ok;
    } catch {
        return false;
    }
}"""


def boot_info(frame):
    return frame.evaluate("desk.bootInfo")


def handshake_ids(page):
    """The ids of the messages the console received from the softphone (its hello first)."""
    return [entry[3] for entry in page.evaluate("host.log") if entry[0] == "in"]


def works(frame):
    """A call across the frame boundary answers."""
    assert run_py(frame, "from desk_cti_py import interaction\nasync def main():\n    return await interaction.isVisible()") is True


def test_boots_from_the_snapshot(page, snap_site, guard):
    frame = boot(page, snap_site)
    info = boot_info(frame)
    assert info["snapshot"] is True, info
    assert info["reason"] == "data-snapshot=always"
    assert isinstance(info["ms"], int) and info["ms"] > 0
    # every progress event after the decision says so
    progress = frame.evaluate("progress")
    assert [p["phase"] for p in progress] == ["download", "start", "package", "python", "ready"]
    assert progress[-1]["snapshot"] is True
    assert handshake_ids(page), "the console saw no hello"
    works(frame)
    # the snapshot came compressed (the server's zstd twin: Chromium takes zstd) and was fetched once
    sizes = frame.evaluate("""performance.getEntriesByType('resource').filter((e) => e.name.includes('/snapshot.bin'))
        .map((e) => [e.encodedBodySize, e.decodedBodySize])""")
    folder = snap_site["root"] / "good"
    assert sizes == [[(folder / "snapshot.bin.zst").stat().st_size, (folder / "snapshot.bin").stat().st_size]], sizes
    assert not any("error" in line for line in guard.console), guard.console


def test_fresh_per_boot(browser, snap_site):
    """Two boots from the same snapshot: random values and the ids the console sees differ."""
    seen = []
    for _ in range(2):
        context = browser.new_context()
        try:
            page = context.new_page()
            frame = boot(page, snap_site)
            assert boot_info(frame)["snapshot"] is True
            values = run_py(frame, "import random, json\nasync def main():\n    return [random.random(), random.getrandbits(64)]")
            seen.append((frame.evaluate("firstRandom"), values, handshake_ids(page)[0]))
        finally:
            context.close()
    (r1, v1, id1), (r2, v2, id2) = seen
    assert r1 != r2, "random is not reseeded after the restore"
    assert v1 != v2
    assert id1 != id2, f"the same handshake id in two boots: {id1}"


@pytest.mark.parametrize("folder, reason, starts", [
    # found by Pyodide at the restore, or in the runtime's memory just before it: a second start
    ("build_id", "build id mismatch", 2),
    ("memory", "does not fit this runtime", 2),
    # found before the restore: the module made for it starts plain
    ("wheel", "changed since the snapshot was made", 1),
    ("corrupt", "sha256 differs", 1),
    ("missing", "HTTP 404", 1),
    ("none", "no snapshot", 1),
])
def test_falls_back_to_a_plain_boot(page, snap_site, guard, folder, reason, starts):
    frame = boot(page, snap_site, folder)
    info = boot_info(frame)
    assert info["snapshot"] is False, info
    assert reason in info["reason"], info
    # said in the console log and in the progress events
    assert any(reason in line for line in guard.console), guard.console
    assert any(reason in (p.get("reason") or "") for p in frame.evaluate("progress"))
    works(frame)
    # each start of the runtime asks for its wasm
    assert len([url for _, url in guard.requests if url.endswith("/pyodide.asm.wasm")]) == starts
    assert frame.locator(".desk-cti-error").count() == 0


def test_auto_uses_the_cached_snapshot(browser, snap_site):
    """In one browser profile: the second boot finds the snapshot in the HTTP cache (the first
    used it too, or fetched it when idle for the next boot). Not through the guard's request
    routing, which turns the HTTP cache off: requests are watched instead."""
    context = browser.new_context()
    try:
        page = context.new_page()
        hosts, errors = set(), []
        page.on("request", lambda r: hosts.add(urlparse(r.url).hostname))
        page.on("pageerror", lambda e: errors.append(str(e)))
        frame = boot(page, snap_site, mode="auto")
        first = boot_info(frame)
        assert first["reason"]
        # the cache entry is written as the download ends: wait until a probe finds it
        for _ in range(300):
            if frame.evaluate(CACHED):
                break
            page.wait_for_timeout(200)
        frame = boot(page, snap_site, mode="auto")
        info = boot_info(frame)
        assert info == {**info, "snapshot": True, "reason": "snapshot in the HTTP cache"}, info
        # hashed once: by the boot that fetched it, else (fetched when idle) by this one
        hashed = frame.evaluate("performance.getEntriesByName('desk-cti:snapshot-sha256').length")
        assert hashed == (0 if first["snapshot"] else 1), (first, hashed)
        works(frame)
        assert hosts <= {"localhost", "127.0.0.1"} and not errors, (hosts, errors)
    finally:
        context.close()


RUN_SYNC = """
import asyncio, json
from pyodide.ffi import run_sync
async def main():
    run_sync(asyncio.sleep(0.01))  # JSPI: a working call trampoline, restored or started plain
    return json.loads("[1]") + [len(await asyncio.gather(asyncio.sleep(0), asyncio.sleep(0)))]
"""


def boot_on_a_link(browser, snap_site, mbit, latency_ms):
    """A cold boot of the auto page over an emulated link (DevTools' network emulation, as the
    bench's slow link), opened on its own: the emulation does not reach a cross-site frame, which
    runs in a process of its own. desk.bootInfo, and the requests for the runtime's wasm and the
    snapshot that went over the network and began before ready() ([name, start, end], by start);
    Python and run_sync work."""
    context = browser.new_context()
    try:
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": latency_ms,
                                                      "downloadThroughput": mbit * 1e6 / 8,
                                                      "uploadThroughput": mbit * 1e6 / 8})
        page.goto(f"{snap_site['phone']}/test/phone-good-auto.html")
        frame = page.main_frame
        frame.wait_for_function("window.desk && desk.phase === 'ready' && window.firstRandom !== undefined", timeout=BOOT_MS)
        info = boot_info(frame)
        assert run_py(frame, RUN_SYNC) == [1, 2]
        asked = frame.evaluate("""performance.getEntriesByType('resource').filter((e) => e.startTime < desk.bootInfo.ms && e.transferSize > 0)
            .map((e) => [e.name.split('/').pop().split('?')[0], e.startTime, e.responseEnd])
            .filter(([n]) => n === 'pyodide.asm.wasm' || n === 'snapshot.bin')""")
        return info, sorted(asked, key=lambda entry: entry[1])
    finally:
        context.close()


ESTIMATES = re.compile(r"snapshot in about (\d+) ms, a plain start about (\d+) ms")


def test_auto_on_a_fast_distant_link_takes_the_snapshot_once_the_runtime_is_in(browser, snap_site):
    """Not local (30 ms), but 200 Mbit/s: decided once the runtime is downloaded and
    instantiated, and the snapshot's download, begun only once the runtime's ended, and a restore
    beat a plain start (15 instantiations) on any machine."""
    info, asked = boot_on_a_link(browser, snap_site, 200, 30)
    assert info["snapshot"] is True, info
    assert info["reason"].startswith("link measured at "), info
    snapshot_ms, plain_ms = map(int, ESTIMATES.search(info["reason"]).groups())
    assert snapshot_ms < plain_ms
    assert [name for name, _, _ in asked] == ["pyodide.asm.wasm", "snapshot.bin"]
    (_, _, wasm_end), (_, snapshot_start, _) = asked
    assert snapshot_start >= wasm_end, asked


def test_auto_on_a_slow_link_starts_plain_without_a_second_start(browser, snap_site):
    """At 4 Mbit/s the snapshot (2.76 MB) would take over 5 s, a plain start 1-3 s: the module
    Pyodide made for a restore starts plain (the runtime's wasm fetched once: no second start),
    no snapshot is downloaded before ready(), and Python and run_sync work."""
    info, asked = boot_on_a_link(browser, snap_site, 4, 40)
    assert info["snapshot"] is False, info
    assert info["reason"].startswith("slow link ("), info
    assert info["reason"].endswith("plain boot, snapshot fetched when idle for the next")
    snapshot_ms, plain_ms = map(int, ESTIMATES.search(info["reason"]).groups())
    assert snapshot_ms >= plain_ms
    assert [name for name, _, _ in asked] == ["pyodide.asm.wasm"]


def test_the_snapshot_array_is_let_go_once_restored(browser, snap_site):
    """The array the snapshot is restored from (31.5 MB) is not kept for the page's life
    (Pyodide keeps loadPyodide's options): after a boot from the snapshot the page holds about as
    much ArrayBuffer memory as after a plain one (no snapshot.json). Opened on its own, so the
    page's own heap is the one measured."""
    held = {}
    for folder in ("good", "none"):
        context = browser.new_context()
        try:
            page = context.new_page()
            page.goto(f"{snap_site['phone']}/test/phone-{folder}-always.html")
            page.wait_for_function("window.desk && desk.phase === 'ready' && window.firstRandom !== undefined", timeout=BOOT_MS)
            assert boot_info(page.main_frame)["snapshot"] is (folder == "good")
            cdp = context.new_cdp_session(page)
            cdp.send("HeapProfiler.enable")
            cdp.send("HeapProfiler.collectGarbage")
            held[folder] = cdp.send("Runtime.getHeapUsage")["backingStorageSize"]
        finally:
            context.close()
    assert held["good"] - held["none"] < 8_000_000, held
