"""Trust: hostile frames and malformed input on both sides of the frame boundary.

The console is on localhost, the softphone on 127.0.0.1, the hostile frame on 127.0.0.2
(a third site), and a sibling frame on the softphone's own origin. DESK_FUZZ=long (make fuzz)
raises the counts.
"""

import json
import os

import pytest

from conftest import frame_at, host_url, run_py, softphone_frame

LONG = os.environ.get("DESK_FUZZ") == "long"
FORGED = 10_000  # per hostile frame, to each side
FUZZ = 20_000 if LONG else 1_000

STATS = """
import desk_cti_py as d
async def main():
    t = d.current().transport
    return {"passed": t.stats.passed, "dropped_js": t.stats.dropped, "dropped_py": d.get_client().dropped,
            "pending": d.get_client().pending, "connected": d.get_client().connected}
"""

LISTEN = """
import __main__
from desk_cti_py import interaction, cti
__main__.heard = []
cti.onClickToDial(lambda r: __main__.heard.append(["dial", r.result.number]))
interaction.onFocus(lambda r: __main__.heard.append(["focus", r.result.objectId]))
async def main():
    return await cti.enableClickToDial()
"""

CALLS_DURING = """
import asyncio
from desk_cti_py import interaction, cti
async def main():
    out = []
    for i in range(40):
        out.append(await cti.setSoftphoneHeight(300 + i))
        out.append(await interaction.isVisible())
        await asyncio.sleep(0.01)
    return out
"""


def test_hostile_and_sibling_frames_are_never_accepted(page, origins, third_origin, figures):
    hostile_url = f"{third_origin}/test/attack.html"
    sibling_url = f"{origins.phone}/test/attack.html"
    page.goto(host_url(origins, others=[hostile_url, sibling_url]))
    frame = softphone_frame(page)
    hostile, sibling = frame_at(page, hostile_url), frame_at(page, sibling_url)
    assert run_py(frame, LISTEN) is True
    before_console = page.evaluate("({...cti.stats})")
    calls_before = page.evaluate("({...host.calls})")
    before_phone = run_py(frame, STATS)
    real_ids = [row[3] for row in page.evaluate("host.log")]

    # the real softphone works while both frames post 10,000 forged messages to each side
    frame.evaluate("(code) => { window.during = desk.pyodide.runPythonAsync("
                   "code + '\\nimport json\\njson.dumps(await main())'); }", CALLS_DURING)
    sent = [hostile.evaluate("([n, ids]) => forge(n, ids)", [FORGED, real_ids]),
            sibling.evaluate("([n, ids]) => forge(n, ids)", [FORGED, real_ids])]
    assert sent == [FORGED, FORGED]
    results = json.loads(frame.evaluate("() => window.during"))
    assert results == [True] * 80
    page.wait_for_function(f"cti.stats.ignored - {before_console['ignored']} >= {2 * FORGED}")

    after_console = page.evaluate("({...cti.stats})")
    after_phone = run_py(frame, STATS)
    calls_after = page.evaluate("({...host.calls})")
    # console: every forged message was ignored at the source check; handlers saw only the real calls
    assert after_console["ignored"] - before_console["ignored"] == 2 * FORGED
    assert after_console["refused"] == before_console["refused"]
    assert after_console["accepted"] - before_console["accepted"] == 80  # the real calls, and only them
    real = {k: calls_after.get(k, 0) - calls_before.get(k, 0) for k in calls_after}
    assert real == {"setSoftphoneHeight": 40, "isVisible": 40}
    # softphone: every forged message was dropped in JS, before Python; none reached a listener
    assert after_phone["dropped_js"] - before_phone["dropped_js"] >= 2 * FORGED
    assert after_phone["dropped_py"] == before_phone["dropped_py"]
    assert after_phone["pending"] == 0 and after_phone["connected"]
    assert run_py(frame, "import __main__\nasync def main():\n    return __main__.heard") == []
    figures["hostile_frames"] = {
        "forged_messages": 4 * FORGED, "to_console": 2 * FORGED, "to_softphone": 2 * FORGED,
        "accepted_by_console": after_console["accepted"] - before_console["accepted"] - 80,
        "reached_softphone_python": after_phone["dropped_py"] - before_phone["dropped_py"],
        "uncaught": len(frame.evaluate("uncaught")) + len(page.evaluate("host.uncaught")),
        "real_calls_during": len(results), "real_calls_failed": results.count(False)}
    # nothing thrown, nothing polluted, and it still works afterwards
    assert frame.evaluate("uncaught") == [] and page.evaluate("host.uncaught") == []
    assert page.evaluate("({}).polluted") is None
    assert run_py(frame, "from desk_cti_py import interaction\nasync def main():\n"
                         "    return await interaction.isVisible()") is True


def test_console_fuzzed_from_the_real_softphone_frame(page, origins, figures):
    """Malformed envelopes from the real softphone (right source and origin): no throw, no hang,
    every request whose id can be read is answered with bad_arguments."""
    page.goto(host_url(origins))
    frame = softphone_frame(page)
    frame.evaluate("""() => {
        window.fuzzAnswers = {};
        addEventListener("message", (e) => {
            if (e.source !== parent || typeof e.data !== "string") return;
            const m = JSON.parse(e.data);
            if (m.type === "response" && String(m.re).startsWith("fuzz-")) fuzzAnswers[m.re] = m.error && m.error.code;
        });
    }""")
    expected = frame.evaluate("""(n) => {
        const ns = "desk-cti";
        const deep = (d) => (d ? [deep(d - 1)] : 0);
        const readable = [  // requests with a readable id and something wrong
          (i) => ({ ns, v: 1, type: "request", id: `fuzz-${i}`, method: "setSoftphoneHeight", params: { height: "tall" } }),
          (i) => ({ ns, v: 1, type: "request", id: `fuzz-${i}`, method: "setSoftphoneHeight", params: { height: -5 } }),
          (i) => ({ ns, v: 1, type: "request", id: `fuzz-${i}`, method: 42, params: {} }),
          (i) => ({ ns, v: 1, type: "request", id: `fuzz-${i}`, method: "setVisible", params: [] }),
          (i) => ({ ns, v: 1, type: "request", id: `fuzz-${i}`, method: "setVisible", params: "true" }),
          (i) => ({ ns, v: 2, type: "request", id: `fuzz-${i}`, method: "isVisible", params: {} }),
          (i) => ({ ns, v: "1", type: "request", id: `fuzz-${i}`, method: "isVisible" }),
          (i) => ({ ns, v: 1, type: "request", id: `fuzz-${i}`, method: "screenPop", params: { id: "1", queryParams: "object=__proto__" } }),
          (i) => ({ ns, v: 1, type: "request", id: `fuzz-${i}`, method: "searchAndScreenPop", params: { searchString: "x".repeat(100000), queryParams: "object=case" } }),
          (i) => ({ ns, v: 1, type: "request", id: `fuzz-${i}`, method: "ajax", params: { url: "/api/v2/cases", method: "TRACE" } }),
          (i) => ({ ns, v: 1, type: "request", id: `fuzz-${i}`, method: "ajax", params: { url: 5 } }),
          (i) => ({ ns, v: 1, type: "request", id: `fuzz-${i}`, method: "isVisible", params: { a: deep(50) } }),
          (i) => JSON.parse(`{"ns":"desk-cti","v":1,"type":"request","id":"fuzz-${i}","method":"setSoftphoneWidth","params":{"__proto__":{"width":5}}}`),
          (i) => ({ ns, v: 1, type: "request", id: `fuzz-${i}`, method: "x".repeat(500), params: {} }),
        ];
        const unreadable = [
          () => 42, () => null, () => [1], () => ({}), () => "{", () => "[".repeat(20000) + "]".repeat(20000),
          (i) => JSON.stringify({ ns, v: 1, type: "request", id: { i }, method: "isVisible" }),
          (i) => JSON.stringify({ ns, v: 1, type: "request", id: "", method: "isVisible" }),
          (i) => JSON.stringify({ ns: "other", v: 1, type: "request", id: `x-${i}` }),
          (i) => JSON.stringify({ ns, v: 1, type: "response", id: `x-${i}`, re: "1", ok: true }),
          () => "x".repeat(1100000),
          (i) => JSON.stringify({ ns, v: 1, type: "request", id: `fuzz-big-${i}`, method: "isVisible", params: { s: "x".repeat(1100000) } }),
        ];
        let answerable = 0;
        for (let i = 0; i < n; i++) {
          if (i % 2 === 0) {
            parent.postMessage(JSON.stringify(readable[(i / 2) % readable.length](i)), "*");
            answerable++;
          } else {
            const m = unreadable[((i - 1) / 2) % unreadable.length](i);
            parent.postMessage(m, "*");
          }
        }
        return answerable;
    }""", FUZZ)
    frame.wait_for_function(f"Object.keys(fuzzAnswers).length >= {expected}", timeout=60_000)
    codes = frame.evaluate("fuzzAnswers")
    figures["fuzz_console"] = {"malformed_messages": FUZZ, "with_readable_id": expected, "answered": len(codes),
                               "answered_bad_arguments": sum(1 for c in codes.values() if c == "bad_arguments"),
                               "uncaught": len(page.evaluate("host.uncaught"))}
    assert len(codes) == expected
    assert set(codes.values()) == {"bad_arguments"}
    assert page.evaluate("host.uncaught") == [] and page.evaluate("({}).polluted") is None
    assert page.evaluate("document.getElementById('sp').style.width") == "300px"  # no __proto__ width got through
    assert run_py(frame, "from desk_cti_py import interaction\nasync def main():\n"
                         "    return await interaction.isVisible()") is True


def test_softphone_fuzzed_from_the_real_console(page, origins, figures):
    """Malformed messages from the real console page: the Python client drops each one, throws
    nothing, leaves nothing pending, and keeps working."""
    page.goto(host_url(origins))
    frame = softphone_frame(page)
    before = run_py(frame, STATS)
    sent = page.evaluate("""([n, origin]) => {
        const w = document.getElementById("sp").contentWindow;
        const ns = "desk-cti";
        const deep = (d) => (d ? { a: deep(d - 1) } : 0);
        const cases = [
          () => "{", () => "null", () => "[]", () => "42", () => '"a string"', () => "{}",
          (i) => JSON.stringify({ ns, v: 1, type: "response", id: `c-${i}`, re: `nobody-${i}`, ok: true, result: true }),
          (i) => JSON.stringify({ ns, v: 1, type: "response", id: `c-${i}`, re: `nobody-${i}`, ok: "yes" }),
          (i) => JSON.stringify({ ns, v: 1, type: "response", id: `c-${i}`, re: `nobody-${i}`, ok: false, error: { code: "boom" } }),
          (i) => JSON.stringify({ ns, v: 1, type: "event", id: `c-${i}`, event: "focus", data: { objectId: 5 } }),
          (i) => JSON.stringify({ ns, v: 1, type: "event", id: `c-${i}`, event: "hangup", data: {} }),
          (i) => JSON.stringify({ ns, v: 1, type: "event", id: `c-${i}`, event: "clickToDial", data: [] }),
          (i) => JSON.stringify({ ns, v: 1, type: "welcome", id: `c-${i}`, re: `nobody-${i}`, session: "S" }),
          (i) => JSON.stringify({ ns, v: 1, type: "welcome", id: `c-${i}` }),
          (i) => JSON.stringify({ ns, v: 1, type: "request", id: `c-${i}`, method: "isVisible" }),
          (i) => JSON.stringify({ ns, v: 2, type: "bye", id: `c-${i}` }),
          (i) => JSON.stringify({ ns: "other", v: 1, type: "bye", id: `c-${i}` }),
          (i) => JSON.stringify({ ns, v: 1, type: "event", id: `c-${i}`, event: "focus", data: deep(60) }),
          (i) => `{"ns":"desk-cti","v":1,"type":"event","id":"c-${i}","event":"focus","data":{"__proto__":{"objectId":"1"}}}`,
          () => "[".repeat(100000) + "]".repeat(100000),
          () => JSON.stringify({ ns, v: 1, type: "event", id: "big", event: "focus", data: { objectName: "x".repeat(1100000) } }),
        ];
        for (let i = 0; i < n; i++) w.postMessage(cases[i % cases.length](i), origin);
        return [n, cases.length];
    }""", [FUZZ, origins.phone])
    sent, kinds = sent
    assert sent == FUZZ
    # the last case, over the size limit, is dropped by the JS filter before Python is entered
    too_large = len(range(kinds - 1, FUZZ, kinds))
    frame.wait_for_function(f"desk.pyodide.runPython('import desk_cti_py as d; d.get_client().dropped') - "
                            f"{before['dropped_py']} >= {FUZZ - too_large}", timeout=60_000)
    after = run_py(frame, STATS)
    figures["fuzz_softphone"] = {"malformed_messages": FUZZ, "dropped": after["dropped_py"] - before["dropped_py"],
                                 "dropped_before_python": after["dropped_js"] - before["dropped_js"],
                                 "pending_after": after["pending"], "uncaught": len(frame.evaluate("uncaught"))}
    assert after["dropped_py"] - before["dropped_py"] == FUZZ - too_large
    assert after["passed"] - before["passed"] == FUZZ - too_large
    assert after["dropped_js"] - before["dropped_js"] == too_large
    assert after["pending"] == 0 and after["connected"]
    assert frame.evaluate("uncaught") == []
    assert run_py(frame, "from desk_cti_py import interaction\nasync def main():\n"
                         "    return await interaction.isVisible()") is True


@pytest.mark.parametrize("kind", ["hello", "request"])
def test_a_disallowed_origin_gets_nothing_but_a_refusal(page, origins, third_origin, kind):
    """A frame of another origin inside the softphone's own slot: the console refuses it."""
    page.goto(host_url(origins, allow=origins.phone))
    softphone_frame(page)
    # put a third-origin page where the softphone is, as if the iframe were navigated away
    page.evaluate("(url) => { document.getElementById('sp').src = url; }", f"{third_origin}/test/attack.html")
    attacker = frame_at(page, f"{third_origin}/test/attack.html")
    attacker.evaluate("""(kind) => {
        window.got = [];
        addEventListener("message", (e) => got.push(JSON.parse(e.data)));
        const m = kind === "hello"
          ? { ns: "desk-cti", v: 1, type: "hello", id: "a-1", session: "evil" }
          : { ns: "desk-cti", v: 1, type: "request", id: "a-1", method: "getUserInfo", params: {} };
        parent.postMessage(JSON.stringify(m), "*");
    }""", kind)
    page.wait_for_timeout(300)
    got = attacker.evaluate("got")
    if kind == "hello":
        assert [m["error"]["code"] for m in got] == ["origin_not_allowed"]
    else:
        assert got == []
    assert page.evaluate("host.calls.getUserInfo || 0") == 0
