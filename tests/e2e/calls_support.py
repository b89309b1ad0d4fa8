"""What the call tests need: the far end, a server for the softphone page (the loader, the
runtime, JsSIP bundled from node_modules at /loader/vendor/jssip.js, where the engine looks by
default), and Chromium with fake media devices and loopback ICE. Imported by test_calls.py."""

from __future__ import annotations

import json
import math
from array import array
import threading
import time
import urllib.request
import wave
from pathlib import Path

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from desk_cti_tools.emulator.pages import DeclaringStatic
from desk_cti_tools.farend import Running
from desk_cti_tools.jssip_bundle import bundle
from desk_cti_tools.chromium import launch

ROOT = Path(__file__).resolve().parents[2]
PAGES = Path(__file__).parent / "pages" / "calls"
BOOT_MS = 60_000
MEDIA_FLAGS = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
               "--allow-loopback-in-peer-connection", "--autoplay-policy=no-user-gesture-required"]


class Server:
    """An ASGI app on 127.0.0.1 in a thread."""

    def __init__(self, app) -> None:
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self):
        self.thread.start()
        while not self.server.started:
            assert self.thread.is_alive(), "the page server did not start"
            time.sleep(0.02)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        self.origin = f"http://127.0.0.1:{port}"
        return self

    def __exit__(self, *exc):
        self.server.should_exit = True
        self.thread.join(10)


#: the test pages, declaring the console origin a test sets here (phone.html, at top level, needs none)
PAGES_STATIC = DeclaringStatic(directory=PAGES, console_origins="")


@pytest.fixture(scope="module")
def phone_origin(tmp_path_factory):
    runtime = ROOT / "build" / "pyodide"
    assert (runtime / "pyodide-lock.json").exists(), "build the runtime first (make dist)"
    vendor = tmp_path_factory.mktemp("vendor")
    (vendor / "jssip.js").write_text(bundle())
    app = Starlette(routes=[
        Mount("/loader/vendor", StaticFiles(directory=vendor)),
        Mount("/loader", StaticFiles(directory=ROOT / "loader")),
        Mount("/pyodide", StaticFiles(directory=runtime)),
        Mount("/calls", PAGES_STATIC),
    ])
    with Server(app) as s:
        yield s.origin


@pytest.fixture
def farend():
    with Running(0, answer_delay=0.2) as far:
        yield far


def tone_wav(path: Path, hz: int = 660, seconds: int = 90, rate: int = 48_000) -> Path:
    """A continuous tone for Chromium's fake microphone, longer than any call here (Chromium
    plays the file once per capture)."""
    one = array("h", (int(0.3 * 32767 * math.sin(2 * math.pi * hz * i / rate)) for i in range(rate)))
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(one.tobytes() * seconds)  # whole cycles a second: seamless
    return path


@pytest.fixture(scope="module")
def calls_browser(tmp_path_factory, playwright):
    """Chromium with a fake microphone playing a tone, launched from the session's Playwright."""
    wav = tone_wav(tmp_path_factory.mktemp("mic") / "tone.wav")
    b = launch(playwright.chromium, MEDIA_FLAGS + [f"--use-file-for-fake-audio-capture={wav}"])
    yield b
    b.close()


LOCAL_HOSTS = ("127.0.0.1",)


@pytest.fixture(scope="module")
def booted(calls_browser, phone_origin):
    """One softphone page for the module (a boot is the slow part); each test makes its own
    engine on it and stops the one before."""
    context = calls_browser.new_context()
    context.grant_permissions(["microphone"], origin=phone_origin)
    outside: list[str] = []
    errors: list[str] = []

    def route(r):
        host = r.request.url.split("/")[2].split(":")[0]
        if host in LOCAL_HOSTS:
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{phone_origin}/calls/phone.html")
    page.wait_for_function("window.desk && desk.phase === 'ready'", timeout=BOOT_MS)
    run(page, INSTALL)
    yield page, outside, errors
    context.close()


@pytest.fixture
def phone(booted):
    """The softphone page, its previous engine (if any) stopped; nothing may leave loopback and
    no error may go uncaught during the test."""
    page, outside, errors = booted
    run(page, "if 'phone' in globals():\n    phone.stop()")
    yield page
    assert outside == [], f"requests left loopback: {outside}"
    assert errors == [], f"uncaught page errors: {errors}"
    assert page.evaluate("window.uncaught") == []


INSTALL = "import desk_cti_py.calls"

RUN = """async (code) => {
  const py = desk.pyodide;
  await py.runPythonAsync(code, { globals: py.globals });
  const out = await py.runPythonAsync("import json as _j\\n_j.dumps(await __step())", { globals: py.globals });
  return out;
}"""


def run(page, code: str):
    """Run ``code`` in the page's Python (its globals persist between runs, as a softphone's
    would); if it defines ``async def step()``, return step()'s result (JSON)."""
    if "async def step(" not in code:
        code += "\nasync def step():\n    return None\n"
    code = code.replace("async def step(", "async def __step(")
    return json.loads(page.evaluate(RUN, code))


def control(far, method: str, path: str, body=None):
    """The far end's JSON API."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(far.url + path, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read())


def far_call(far, call_id=None):
    calls = control(far, "GET", "/status")["calls"]
    if call_id is None:
        assert calls, "the far end saw no call"
        return calls[-1]
    return next(c for c in calls if c["id"] == call_id)


def wait_far(far, predicate, what: str, seconds: float = 10.0):
    """Poll the far end until ``predicate(status)`` (bounded: a clear failure, not a hang)."""
    end = time.monotonic() + seconds
    while True:
        status = control(far, "GET", "/status")
        if predicate(status):
            return status
        if time.monotonic() > end:
            raise AssertionError(f"the far end never saw {what}: {status}")
        time.sleep(0.1)
