"""`desk-cti serve` on the demo softphone (what `make demo` runs) makes real calls: its far end
answers a number clicked in the console with audio both ways, the timer runs on the connected
call, hang-up writes the call's note; "Incoming call" makes the far end ring the softphone, the
console pops the caller's case, the agent answers, the far end hangs up, the note is written.
Chromium with fake media devices and loopback ICE (calls_support); nothing leaves 127.0.0.1."""

import contextlib
import json
import re
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

import calls_support
from conftest import BOOT_MS, LOCAL, dev_tools, frame_at
from desk_cti_tools.cli import main
from tools.serving import Serving

DEMO = Path(__file__).resolve().parents[2] / "site" / "softphone"
CUSTOMER_7 = "+1 555 0107"
CALL_MS = 20_000  # a call's signalling and ICE on loopback take well under a second; bounded anyway


@contextlib.contextmanager
def serving(project, data):
    """`desk-cti serve PROJECT` with its far end, all on free ports: (console, phone, far end)."""
    s = Serving(project, "--console-port", 0, "--phone-port", 0, "--farend-port", 0, env={"DESK_CTI_DATA": str(data)})
    try:
        i, m = s.wait_for(r"the console emulator is at (http://localhost:\d+)/")
        console = m.group(1)
        i, m = s.wait_for(r"served from (http://127\.0\.0\.1:\d+)/", i)
        phone = m.group(1)
        _, m = s.wait_for(r"far end .*control API (http://127\.0\.0\.1:\d+)/status", i)
        yield console, phone, m.group(1)
    finally:
        assert s.stop() == 0, s.lines
    assert s.lines[-1] == "stopped." and not any("Traceback" in line for line in s.lines), s.lines


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    with serving(DEMO, tmp_path_factory.mktemp("data")) as origins:
        yield origins


browser = calls_support.calls_browser  # Chromium with a fake microphone


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    outside, errors = [], []

    def route(r):
        if urlparse(r.request.url).hostname in LOCAL:
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page
    context.close()
    assert outside == [], f"requests left loopback: {outside}"
    assert errors == [], f"uncaught page errors: {errors}"


def far(base, path, body=None):
    """The far end's JSON control API."""
    req = urllib.request.Request(base + path, data=None if body is None else json.dumps(body).encode(),
                                 method="GET" if body is None else "POST", headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read())


def far_call_when(base, predicate, what, seconds=10.0):
    """The far end's last call once ``predicate(call)`` holds (polled, bounded)."""
    end = time.monotonic() + seconds
    while True:
        calls = far(base, "/status")["calls"]
        if calls and predicate(calls[-1]):
            return calls[-1]
        if time.monotonic() > end:
            raise AssertionError(f"the far end never saw {what}: {calls[-1:] or 'no call'}")
        time.sleep(0.1)


def sign_in(page, console):
    r = page.request.post(f"{console}/login", form={"email": "alex@acme-support.example", "password": "demo"},
                          max_redirects=0, headers={"Origin": console})
    assert r.status == 303


def test_the_demo_places_and_takes_real_calls_and_notes_them(served, page):
    console, phone, farend = served
    sign_in(page, console)
    page.goto(f"{console}/agent/customers/7")
    frame = frame_at(page, f"{phone}/")
    frame.locator("#log").get_by_text(re.compile(r" ready$")).wait_for(timeout=BOOT_MS)
    expect(frame.get_by_test_id("line")).to_have_text(f"line {urlparse(farend).netloc}")
    assert far(farend, "/status")["registered"], "the softphone did not register with the far end"

    # outbound: a number clicked in the console, called; the far end answers with audio both ways
    page.get_by_role("link", name=CUSTOMER_7).click()
    expect(frame.get_by_test_id("call-state")).to_have_text(f"Ready to call {CUSTOMER_7} (customer #7)")
    frame.get_by_role("button", name="Call", exact=True).click()
    state, timer = frame.get_by_test_id("call-state"), frame.get_by_test_id("timer")
    expect(state).to_have_text(f"On call with {CUSTOMER_7}", timeout=CALL_MS)
    call = far_call_when(farend, lambda c: c["state"] == "answered" and c["received"]["energy"] > 0,
                         "audio from the softphone")
    assert call["placed_by"] == "softphone" and call["number"] == "+15550107"
    used = call["candidates"]["local"] + call["candidates"]["remote"]
    assert used and all(a.startswith("127.") or a == "::1" for a in used), used  # loopback only
    expect(timer).not_to_have_text("00:00", timeout=5000)  # the timer runs on the connected call
    expect(frame.get_by_test_id("audio")).to_have_text(re.compile(r"♪ [1-9]\d* in"))  # the far end's tone arrives
    frame.get_by_role("button", name="Hang up").click()
    expect(state).to_contain_text("note saved on case #", timeout=CALL_MS)
    case_id = re.search(r"note saved on case #(\d+)", state.text_content()).group(1)
    expect(page).to_have_url(re.compile(rf"/agent/cases/{case_id}$"))  # the call's new case, popped
    expect(page.get_by_test_id("notes")).to_contain_text(re.compile(
        rf"Phone call with \{CUSTOMER_7} \(outbound\), 00:0\d, hung up\."))
    far_call_when(farend, lambda c: c["state"] == "ended" and c["end"] == "softphone hung up", "the hang-up")

    # inbound: the far end rings the softphone from the number typed; the console pops the case
    dev_tools(frame)
    frame.locator("#caller").fill(CUSTOMER_7)
    frame.get_by_role("button", name="Incoming call").click()
    expect(state).to_contain_text("Incoming call from +15550107", timeout=CALL_MS)
    page.wait_for_url(re.compile(r"/agent/cases/\d+$"))
    expect(page.get_by_test_id("record-title")).to_have_text("Phone call from Grace Castillo")
    inbound_case = page.url.rsplit("/", 1)[1]
    assert inbound_case != case_id
    expect(state).to_have_text(f"Incoming call from +15550107 · case #{inbound_case}: Phone call from Grace Castillo")
    frame.get_by_role("button", name="Answer", exact=True).click()
    expect(state).to_contain_text("On call with +15550107", timeout=CALL_MS)
    call = far_call_when(farend, lambda c: c["state"] == "answered" and c["received"]["energy"] > 0,
                         "audio on the inbound call")
    assert call["placed_by"] == "farend" and call["number"] == "+15550107"
    expect(timer).not_to_have_text("00:00", timeout=5000)
    far(farend, f"/calls/{call['id']}/hangup", {})  # the far end hangs up
    expect(state).to_contain_text(f"(remote hung up) · note saved on case #{inbound_case}", timeout=CALL_MS)
    expect(page.get_by_test_id("notes")).to_contain_text(re.compile(
        r"Phone call with \+15550107 \(inbound\), 00:0\d, remote hung up\."))
    expect(frame.get_by_role("button", name="Call", exact=True)).to_be_enabled()
    expect(frame.get_by_role("button", name="Hang up")).to_be_disabled()

    # a number the far end is busy on: a clear state, and the phone free again
    frame.locator("#number").fill("486 555 0100")
    frame.get_by_role("button", name="Call", exact=True).click()
    expect(state).to_contain_text("Call busy: 486 555 0100", timeout=CALL_MS)
    expect(frame.get_by_role("button", name="Hang up")).to_be_disabled()


def test_a_new_project_served_calls_the_far_end_through_the_engine(page, tmp_path):
    """`desk-cti new`'s scaffold: its line.py on the far end that `desk-cti serve` names in farend.json."""
    assert main(["new", str(tmp_path / "my-phone")]) == 0
    with serving(tmp_path / "my-phone", tmp_path / "data") as (console, phone, farend):
        sign_in(page, console)
        page.goto(f"{console}/agent/customers/7")
        frame = frame_at(page, f"{phone}/")
        expect(frame.get_by_test_id("status")).to_have_text("Ready", timeout=BOOT_MS)
        line = frame.get_by_test_id("line")
        expect(line).to_have_text("Line ready")
        page.get_by_role("link", name=CUSTOMER_7).click()  # click-to-dial places the call
        expect(line).to_have_text("On call with +15550107", timeout=CALL_MS)
        call = far_call_when(farend, lambda c: c["state"] == "answered" and c["received"]["energy"] > 0,
                             "audio from the new softphone")
        frame.get_by_role("button", name="Hang up").click()
        expect(line).to_contain_text("Call ended: hung up")
        far_call_when(farend, lambda c: c["id"] == call["id"] and c["end"] == "softphone hung up", "the hang-up")
        far(farend, "/calls", {"caller": "+15550107"})  # the far end rings it: the console pops the caller
        expect(line).to_have_text("Incoming call from +15550107", timeout=CALL_MS)
        page.wait_for_url(re.compile(r"/agent/cases/\d+$"))
        expect(page.get_by_test_id("record-title")).to_have_text("Phone call from Grace Castillo")
        frame.get_by_role("button", name="Answer").click()
        expect(line).to_have_text("On call with +15550107", timeout=CALL_MS)
        call = far_call_when(farend, lambda c: c["state"] == "answered", "the answer")
        far(farend, f"/calls/{call['id']}/hangup", {})
        expect(line).to_contain_text("Call ended: remote hung up", timeout=CALL_MS)
