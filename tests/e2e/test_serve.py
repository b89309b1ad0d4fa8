"""`desk-cti serve` as an author runs it (a subprocess), in Chromium: the emulator console on
localhost shows the softphone from a second origin, calls cross the two, an edit is rebuilt and
shown on reload; and with --softphone-url, a softphone served by another server entirely."""

import re
import shutil
import socket
from pathlib import Path

import pytest
from playwright.sync_api import expect
from starlette.staticfiles import StaticFiles

from conftest import BOOT_MS, frame_at
from desk_cti_tools.build import build_project
from desk_cti_tools.emulator.server import Background
from desk_cti_tools.project import load_project
from tools.serving import Serving

DEMO = Path(__file__).resolve().parents[2] / "site" / "softphone"
CUSTOMER_7 = "+1 555 0107"


@pytest.fixture
def project(tmp_path):
    copy = tmp_path / "phone"
    shutil.copytree(DEMO, copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


@pytest.fixture
def serving(tmp_path):
    started = []

    def start(*args):
        s = Serving(*args, env={"DESK_CTI_DATA": str(tmp_path / "data")})
        started.append(s)
        return s

    yield start
    for s in started:
        assert s.stop() == 0, s.lines
        assert not any("Traceback" in line for line in s.lines), s.lines


def sign_in_and_open(page, console, path="/agent/customers/7"):
    page.goto(f"{console}{path}")  # the sign-in page, as an agent sees it first
    page.fill("input[name=email]", "alex@acme-support.example")
    page.fill("input[name=password]", "demo")
    page.click("button[type=submit]")
    page.wait_for_url(f"{console}{path}")


def a_call_crosses_the_origins(page, frame):
    """The softphone asked the console who is signed in; a number clicked in the console reaches
    the softphone; its hang-up writes a case through the console's API and pops it there."""
    expect(frame.get_by_test_id("agent")).to_have_text("Alex Rivera")
    page.get_by_role("link", name=CUSTOMER_7).click()
    expect(frame.get_by_test_id("call-state")).to_contain_text(f"Ready to call {CUSTOMER_7}")
    frame.get_by_role("button", name="Call", exact=True).click()
    expect(frame.get_by_test_id("call-state")).to_contain_text(f"Calling {CUSTOMER_7}")
    frame.get_by_role("button", name="Hang up").click()
    expect(frame.get_by_test_id("call-state")).to_contain_text("note saved on case #")
    expect(page).to_have_url(re.compile(r"/agent/cases/\d+$"))


def test_serve_shows_the_softphone_a_call_crosses_and_an_edit_is_rebuilt(page, project, serving):
    # the simulated line: this browser has no fake microphone (real calls: test_demo_calls.py)
    s = serving(project, "--console-port", 0, "--phone-port", 0, "--no-farend")
    i, m = s.wait_for(r"the console emulator is at (http://localhost:\d+)/")
    console = m.group(1)
    phone = s.wait_for(r"served from (http://127\.0\.0\.1:\d+)/", i)[1].group(1)

    sign_in_and_open(page, console)
    frame = frame_at(page, f"{phone}/")
    frame.locator("#log").get_by_text("ready").wait_for(timeout=BOOT_MS)
    a_call_crosses_the_origins(page, frame)

    main = project / "demo_phone" / "main.py"
    main.write_text(main.read_text().replace('log("ready")', 'log("ready, as edited")'))
    i, _ = s.wait_for(r"changed: rebuilding", i)
    s.wait_for(r"rebuilt in", i)
    page.reload()
    frame = frame_at(page, f"{phone}/")
    frame.locator("#log").get_by_text("ready, as edited").wait_for(timeout=BOOT_MS)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_softphone_url_loads_a_softphone_served_elsewhere(page, project, serving, tmp_path):
    console_port = free_port()
    console = f"http://localhost:{console_port}"
    # built as a softphone author ships it, for this console, and served by a plain static server
    out = build_project(load_project(project), tmp_path / "out", console_origins=[console])
    with Background.serving(StaticFiles(directory=out, html=True), "127.0.0.2") as elsewhere:
        s = serving("--softphone-url", f"{elsewhere}/", "--console-port", console_port, "--no-farend")
        s.wait_for(rf"loads the softphone at {elsewhere}/")
        sign_in_and_open(page, console)
        frame = frame_at(page, f"{elsewhere}/")
        frame.locator("#log").get_by_text("ready").wait_for(timeout=BOOT_MS)
        expect(page.locator("#cti-state")).to_have_text("Softphone: connected")
        a_call_crosses_the_origins(page, frame)
