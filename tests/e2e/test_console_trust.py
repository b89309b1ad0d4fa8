"""The console module under a misbehaving or vanished softphone (issue 12, items 4 to 8).

The softphone here is tests/e2e/pages/js-softphone.html, a hand-written JS softphone that
speaks the wire protocol, so each test sends exactly the requests it means (a `timeout`
field, a burst) and sees exactly what crosses the frame boundary. It runs in the test host
console (pages/host.html) or, served at the softphone's URL, in the demo console itself.
"""

import json
import sqlite3
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from conftest import PAGES, frame_at, host_url, sign_in

JS_PHONE = "js-softphone.html"
BOUND = 32  # DeskConsole's default maxInFlight
BUCKET = (10, 0.5)  # the demo console's record-creating actions: a burst of 10, then one every 2 s
LIMIT = 1_000_000
CUSTOMER_33 = "+1 555 0133"  # a customer no other test uses


def db_rows(db_path, sql, *args):
    with sqlite3.connect(db_path) as conn:
        return conn.execute(sql, args).fetchall()


def js_host(page, origins, **options):
    """The test host console (DeskConsole with `options`) holding the JS softphone, connected."""
    url = host_url(origins, phone_page=JS_PHONE)
    if options:
        url += f"&opts={quote(json.dumps(options))}"
    page.goto(url)
    frame = frame_at(page, f"{origins.phone}/test/{JS_PHONE}")
    frame.wait_for_function("window.sp && sp.connected")
    page.wait_for_function("cti.connected")
    return frame


def js_console(page, origins, path="/agent/cases"):
    """The demo console, signed in, with the JS softphone at the softphone's URL, connected."""
    sign_in(page, origins)
    page.route(f"{origins.phone}/", lambda route: route.fulfill(path=PAGES / JS_PHONE))
    page.goto(f"{origins.console}{path}")
    frame = frame_at(page, f"{origins.phone}/")
    frame.wait_for_function("window.sp && sp.connected")
    expect(page.locator("#cti-state")).to_have_text("Softphone: connected")
    return frame


def call(frame, method, params=None, fields=None, wait=15_000):
    """One request from the JS softphone; its answer (or {"local": "timeout"} after `wait` ms)."""
    return frame.evaluate("([m, p, f, w]) => sp.call(m, p, f, w)", [method, params or {}, fields or {}, wait])


def code_of(answer):
    """What an answer says: "ok", an error code, or "local-timeout" (the console said nothing)."""
    if "local" in answer:
        return f"local-{answer['local']}"
    return "ok" if answer["ok"] else answer["error"]["code"]


def new_case(page, origins, subject):
    r = page.request.post(f"{origins.console}/api/v2/cases", headers={"Origin": origins.console},
                          data={"subject": subject, "type": "phone", "status": "open", "customer_id": 33})
    assert r.status == 201, r.text()
    return r.json()["id"]


# ---------------------------------------------------------------- item 4: over the size limit


def test_an_ajax_answer_over_the_limit_ends_at_once_with_too_large(page, origins, figures):
    frame = js_console(page, origins)
    case_id = new_case(page, origins, "A case with long notes")
    for i in range(100):
        r = page.request.post(f"{origins.console}/api/v2/cases/{case_id}/notes", headers={"Origin": origins.console},
                              data={"body": f"{i:03d}" + "n" * 9_997})
        assert r.status == 201, r.text()
    got = call(frame, "ajax", {"url": f"/api/v2/cases/{case_id}/notes?per_page=100", "method": "GET"},
               {"timeout": 10_000}, wait=10_000)
    figures["console_too_large"] = {"notes": 100, "note_chars": 10_000, "answered_in_ms": round(got["ms"]),
                                    "code": got.get("error", {}).get("code", got.get("local"))}
    assert "local" not in got, "the softphone heard nothing: the reply was over the limit and dropped"
    assert got["ok"] is False and got["error"]["code"] == "too_large"
    # the API did answer (200): the status says so, and a write would be known to have gone through
    assert (got["error"]["status"], got["error"]["statusText"]) == (200, "OK")
    message = got["error"]["message"]
    assert "1000000" in message.replace(",", "") and "characters" in message
    assert frame.evaluate("sp.dropped") == 0  # nothing over the limit crossed the frame boundary


def test_an_event_over_the_limit_is_not_sent_and_says_why(page, origins, guard):
    frame = js_host(page, origins)
    assert call(frame, "enableClickToDial")["ok"]
    big = "x" * (LIMIT + 1)
    sent = page.evaluate("""(big) => [
        cti.emitFocus({ url: location.href, objectId: "1", object: "case", objectName: big }),
        cti.emitClickToDial({ number: big, objectId: "1", object: "customer" }),
        cti.emitFocus({ url: location.href, objectId: "42", object: "case", objectName: "Phone will not ring" }),
    ]""", big)
    assert sent == [False, False, True]
    frame.wait_for_function("sp.events.length >= 1")
    assert [e["data"]["objectId"] for e in frame.evaluate("sp.events")] == ["42"]
    assert frame.evaluate("sp.dropped") == 0
    errors = [m for m in guard.console if m.startswith("error:") and "limit" in m]
    assert len(errors) == 2, guard.console
    assert page.evaluate("host.uncaught") == []


# ---------------------------------------------------------------- item 5: the caller's deadline


@pytest.mark.parametrize("value", [0, -1, 1.5, 1_000_000_001, "100", None, True, [100], {"ms": 5}])
def test_a_bad_timeout_field_is_bad_arguments(page, origins, value):
    frame = js_host(page, origins)
    got = call(frame, "isVisible", {}, {"timeout": value})
    assert got.get("error", {}).get("code") == "bad_arguments", got
    assert "timeout" in got["error"]["message"]
    assert page.evaluate("host.calls.isVisible || 0") == 0
    for good in (1_000, 1_000_000_000):  # the field's range, and a request without it, still work
        assert call(frame, "isVisible", {}, {"timeout": good})["result"] is True
    assert call(frame, "isVisible")["result"] is True


def test_the_console_answers_timeout_before_the_callers_deadline_and_aborts_the_work(page, origins, figures):
    frame = js_host(page, origins, requestTimeoutMs=1_500)
    page.evaluate("host.hold = true")
    # with the caller's timeout: given up min(1000, timeout / 10) ms before the caller's deadline
    given = call(frame, "isVisible", {}, {"timeout": 3_000}, wait=3_000 + 5_000)
    ajax = call(frame, "ajax", {"url": "/api/v2/cases", "method": "POST", "data": {"subject": "x"}},
                {"timeout": 1_000}, wait=1_000 + 5_000)
    # without it: the console's own limit (requestTimeoutMs)
    own = call(frame, "isVisible", wait=1_500 + 5_000)
    figures["console_deadline"] = {
        "timeout_3000_answered_at_ms": round(given["ms"]), "timeout_1000_answered_at_ms": round(ajax["ms"]),
        "own_limit_1500_answered_at_ms": round(own["ms"])}
    assert [code_of(m) for m in (given, ajax, own)] == ["timeout"] * 3
    assert "status" not in given["error"]
    assert (ajax["error"]["status"], ajax["error"]["statusText"]) == (0, "")
    assert page.evaluate("host.aborted") == 3  # each handler's signal was aborted
    assert page.evaluate("host.uncaught") == []


def test_a_write_past_the_callers_deadline_is_aborted_not_saved_later(page, origins, db_path, figures):
    frame = js_console(page, origins)
    case_id = new_case(page, origins, "A case whose note times out")
    notes = f"{origins.console}/api/v2/cases/{case_id}/notes"
    held, failed = [], []
    # the API "hangs": the note's POST is held at the network, never passed on
    page.route(notes, lambda route: held.append(route) if route.request.method == "POST" else route.fallback())
    page.on("requestfailed", lambda r: failed.append((r.method, r.url, r.failure)))
    got = call(frame, "ajax", {"url": f"/api/v2/cases/{case_id}/notes", "method": "POST", "data": {"body": "late"}},
               {"timeout": 3_000}, wait=3_000 + 5_000)
    figures["console_write_timeout"] = {"timeout_ms": 3_000, "answered_at_ms": round(got["ms"]),
                                        "code": got.get("error", {}).get("code", got.get("local"))}
    assert got.get("error", {}).get("code") == "timeout", got
    assert (got["error"]["status"], got["error"]["statusText"]) == (0, "")
    assert len(held) == 1  # it did reach the network ...
    for _ in range(100):
        if failed:
            break
        page.wait_for_timeout(50)
    assert failed and failed[0][:2] == ("POST", notes)  # ... and the console aborted it there
    assert db_rows(db_path, "SELECT count(*) FROM notes WHERE case_id=?", case_id) == [(0,)]


# ---------------------------------------------------------------- item 6: bursts


@pytest.mark.parametrize("options", [{}, {"maxInFlight": 5}])
def test_requests_in_progress_are_bounded_and_the_rest_answered_busy_at_once(page, origins, options):
    bound = options.get("maxInFlight", BOUND)
    frame = js_host(page, origins, requestTimeoutMs=2_000, **options)
    page.evaluate("host.hold = true")  # every handler hangs: requests pile up in progress
    got = frame.evaluate("() => sp.burst(100, 'isVisible', {}, {}, 15000)")
    assert got["codes"] == {"busy": 100 - bound, "timeout": bound}
    assert page.evaluate("host.calls.isVisible") == bound
    assert page.evaluate("cti.stats.peakInFlight") == bound
    # the slots were freed by the timeouts: it works again
    page.evaluate("host.hold = false")
    assert call(frame, "isVisible")["result"] is True


# The console module's own time: its message listener, timed from outside.
LISTENER_CLOCK = """() => {
  const c = deskConsole, inner = c._listener;
  window.listenerMs = 0;
  c._win.removeEventListener("message", inner);
  c._listener = (e) => { const t = performance.now(); inner(e); listenerMs += performance.now() - t; };
  c._win.addEventListener("message", c._listener);
}"""

PROBE = """() => {
  // the longest gap between two runs of a setTimeout(0) chain and of a requestAnimationFrame chain
  const p = (window.probe = { timeoutMax: 0, rafMax: 0 });
  let t = performance.now(), r = performance.now();
  const tick = () => { const now = performance.now(); p.timeoutMax = Math.max(p.timeoutMax, now - t); t = now; setTimeout(tick, 0); };
  const frame = () => { const now = performance.now(); p.rafMax = Math.max(p.rafMax, now - r); r = now; requestAnimationFrame(frame); };
  p.reset = () => { p.timeoutMax = 0; p.rafMax = 0; t = r = performance.now(); };
  setTimeout(tick, 0);
  requestAnimationFrame(frame);
}"""


def test_a_burst_of_2000_requests_is_bounded_and_the_console_stays_responsive(page, origins, figures):
    frame = js_console(page, origins)
    url = f"{origins.console}/api/v2/cases/2"
    live = {"now": 0, "peak": 0, "total": 0}

    def started(r):
        if r.url == url:
            live["now"] += 1
            live["total"] += 1
            live["peak"] = max(live["peak"], live["now"])

    def ended(r):
        if r.url == url:
            live["now"] -= 1

    page.on("request", started)
    page.on("requestfinished", ended)
    page.on("requestfailed", ended)
    page.evaluate(PROBE)
    page.evaluate(LISTENER_CLOCK)
    page.evaluate("probe.reset()")
    page.wait_for_timeout(1_000)
    idle = page.evaluate("({...probe})")
    page.evaluate("probe.reset()")
    got = frame.evaluate("() => sp.burst(2000, 'ajax', {url: '/api/v2/cases/2', method: 'GET'}, {timeout: 60000}, 65000)")
    during = page.evaluate("({...probe})")
    figures["console_burst"] = {
        "requests": 2000, "answers": got["codes"], "answered_all_in_ms": round(got["ms"]),
        "api_requests_made": live["total"], "console_listener_ms": round(page.evaluate("listenerMs")), "api_requests_in_progress_peak": live["peak"],
        "module_in_progress_peak": page.evaluate("deskConsole.stats.peakInFlight ?? null"),
        "longest_setTimeout_gap_ms": {"idle": round(idle["timeoutMax"]), "during": round(during["timeoutMax"])},
        "longest_frame_gap_ms": {"idle": round(idle["rafMax"]), "during": round(during["rafMax"])}}
    assert sum(got["codes"].values()) == 2000
    assert set(got["codes"]) <= {"ok", "busy"} and got["codes"].get("busy", 0) > 0
    assert got["codes"]["ok"] >= BOUND
    assert live["peak"] <= BOUND and page.evaluate("deskConsole.stats.peakInFlight") <= BOUND
    assert all(a["status"] == 0 and a["statusText"] == "" for a in got["answers"] if a["code"] == "busy")


def test_record_creation_is_rate_limited(page, origins, db_path, figures):
    frame = js_console(page, origins)
    count = "SELECT count(*) FROM cases WHERE customer_id=33 AND subject LIKE 'Phone call from %'"
    (before,) = db_rows(db_path, count)[0]
    got = frame.evaluate("(q) => sp.sequence(300, 'searchAndScreenPop', "
                         "{searchString: q, queryParams: 'object=customer', object: 'customer'}, {}, 15000)", CUSTOMER_33)
    (after,) = db_rows(db_path, count)[0]
    created = after - before
    capacity, per_second = BUCKET
    allowed = capacity + per_second * got["ms"] / 1000 + 1
    # then notes, 20 at once: the same bucket
    case_id = new_case(page, origins, "A case for a burst of notes")
    notes = frame.evaluate("(url) => sp.burst(20, 'ajax', {url, method: 'POST', data: {body: 'a note'}}, {}, 15000)",
                           f"/api/v2/cases/{case_id}/notes")
    (saved,) = db_rows(db_path, "SELECT count(*) FROM notes WHERE case_id=?", case_id)[0]
    figures["console_rate_limit"] = {
        "exact_match_searches": 300, "cases_created": created, "in_ms": round(got["ms"]),
        "bucket": {"burst": capacity, "per_second": per_second}, "answers": got["codes"],
        "notes_posted_at_once": 20, "notes_saved": saved, "note_answers": notes["codes"]}
    assert 1 <= created <= allowed
    assert got["codes"] == {"ok": created, "busy": 300 - created}
    assert notes["codes"].get("busy", 0) >= 1 and saved == notes["codes"].get("ok", 0)
    assert all((a["status"], a["statusText"]) == (0, "") for a in notes["answers"] if a["code"] == "busy")


# ---------------------------------------------------------------- item 7: the frame is gone


def test_the_demo_console_notices_the_softphone_frame_navigating_away(page, origins, third_origin):
    frame = js_console(page, origins, "/agent/customers/33")
    assert call(frame, "enableClickToDial")["result"] is True
    number = page.get_by_role("link", name=CUSTOMER_33)
    expect(number).to_be_visible()
    expect(page.locator("#ctd-state")).to_have_text("Click-to-dial on")
    frame.evaluate("(url) => { setTimeout(() => { location.href = url; }, 0); }", f"{third_origin}/test/attack.html")
    expect(page.locator("#cti-state")).to_have_text("Softphone: disconnected", timeout=20_000)
    expect(page.get_by_role("link", name=CUSTOMER_33)).to_have_count(0)
    expect(page.locator("#ctd-state")).to_have_text("Click-to-dial off")
    assert page.evaluate("[deskConsole.connected, deskConsole.clickToDialEnabled, deskConsole.origin]") == [
        False, False, None]
    page.locator(".phone-number").first.click()  # a click on the number does nothing now
    assert page.evaluate("deskConsole.stats.answered") >= 1


def test_a_softphone_frame_reloaded_to_nothing_is_disconnected(page, origins):
    frame = js_host(page, origins, pongTimeoutMs=1_000)
    assert call(frame, "enableClickToDial")["result"] is True
    frame.evaluate("() => { window.name = 'silent'; setTimeout(() => location.reload(), 0); }")
    page.wait_for_function("!cti.connected", timeout=20_000)
    assert page.evaluate("cti.clickToDialEnabled") is False
    assert page.evaluate("host.states")[-1] == "disconnected"
    assert any(row[:2] == ["out", "ping"] for row in page.evaluate("host.log"))


def test_a_softphone_frame_reloaded_that_comes_back_stays_connected(page, origins):
    frame = js_host(page, origins, pongTimeoutMs=1_000)
    first = page.evaluate("cti.peerSession")
    frame.evaluate("() => { setTimeout(() => location.reload(), 0); }")
    page.wait_for_function(f"cti.peerSession && cti.peerSession !== {first!r}", timeout=20_000)
    frame = frame_at(page, f"{origins.phone}/test/{JS_PHONE}")
    frame.wait_for_function("sp.pings >= 1")  # the console asked after the load, and heard back
    page.wait_for_timeout(2_000)  # twice the pong timeout: no false alarm
    assert page.evaluate("cti.connected") is True
    assert "disconnected" not in page.evaluate("host.states")
    assert call(frame, "isVisible")["result"] is True


def test_a_softphone_that_stops_answering_is_disconnected_until_it_shakes_hands_again(page, origins):
    frame = js_host(page, origins, pingAfterMs=300, pongTimeoutMs=300)
    frame.wait_for_function("sp.pings >= 3")  # quiet: the console asks; answered, it stays connected
    assert page.evaluate("cti.connected") is True and "disconnected" not in page.evaluate("host.states")
    assert call(frame, "enableClickToDial")["result"] is True
    frame.evaluate("sp.answerPings = false; sp.rehello = false")
    page.wait_for_function("!cti.connected", timeout=20_000)
    assert page.evaluate("[cti.clickToDialEnabled, cti.origin, host.states.at(-1)]") == [False, None, "disconnected"]
    frame.wait_for_function("sp.byes >= 1")  # told, in case it was only slow
    # unpinned: a request is dropped, no handler runs
    calls = page.evaluate("host.calls.isVisible || 0")
    assert code_of(call(frame, "isVisible", wait=1_000)) == "local-timeout"
    assert page.evaluate("host.calls.isVisible || 0") == calls
    # a new hello: connected again, click-to-dial off until the softphone asks
    frame.evaluate("sp.answerPings = true; sp.hello()")
    page.wait_for_function("cti.connected")
    assert page.evaluate("[cti.clickToDialEnabled, host.states.at(-1)]") == [False, "connected"]
    assert call(frame, "isVisible")["result"] is True


# ---------------------------------------------------------------- item 8: the panel's size

GEOMETRY = """() => {
  const box = (id) => document.getElementById(id).getBoundingClientRect();
  const panel = box("softphone-panel"), main = box("main"), frame = box("softphone");
  return { panelLeft: panel.left, panelRight: panel.right, panelWidth: panel.width, mainRight: main.right,
           mainWidth: main.width, frameHeight: frame.height, innerWidth, innerHeight };
}"""


def fits(g):
    return (g["panelRight"] <= g["innerWidth"] and g["mainRight"] <= g["panelLeft"] and g["mainWidth"] >= 360
            and g["frameHeight"] <= g["innerHeight"]
            and g["panelWidth"] >= 200 and g["frameHeight"] >= 120)


def test_the_softphone_cannot_size_itself_over_the_console(page, origins):
    frame = js_console(page, origins)
    for width, height in [(1e308, 1e308), (0, 0), (5e3, 650), (1e308, 1e308)]:
        assert call(frame, "setSoftphoneWidth", {"width": width})["result"] is True
        assert call(frame, "setSoftphoneHeight", {"height": height})["result"] is True
        page.wait_for_timeout(200)  # the height's transition
        g = page.evaluate(GEOMETRY)
        assert fits(g), (width, height, g)
    # a smaller window: the panel fits itself again
    page.set_viewport_size({"width": 900, "height": 500})
    page.wait_for_timeout(200)
    g = page.evaluate(GEOMETRY)
    assert fits(g), json.dumps(g)
    # a size within bounds is kept as asked
    assert call(frame, "setSoftphoneWidth", {"width": 300})["result"] is True
    assert call(frame, "setSoftphoneHeight", {"height": 400})["result"] is True
    page.wait_for_timeout(200)
    g = page.evaluate(GEOMETRY)
    assert (g["panelWidth"], g["frameHeight"]) == (300, 400)
