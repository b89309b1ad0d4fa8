"""Take the README's screenshots from the real demo, in Debian's Chromium: python tools/screenshots.py"""

import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import expect, sync_playwright  # noqa: E402

from desk_cti_tools.emulator.server import Background  # noqa: E402
from desk_cti_tools.farend import Running  # noqa: E402
from desk_cti_tools.serve import built_softphone, farend_json  # noqa: E402
from desk_cti_tools.chromium import launch  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
#: a fake microphone (Chromium's beep) and ICE on loopback: the real call's audio stays on 127.0.0.1
MEDIA_FLAGS = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
               "--allow-loopback-in-peer-connection", "--autoplay-policy=no-user-gesture-required"]


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    simulated_line()
    real_call()
    print(f"screenshots in {OUT}")


def simulated_line() -> None:
    """The demo without a far end (its simulated line): click-to-dial, an inbound call, panel sizes."""
    with tempfile.TemporaryDirectory() as tmp, \
            Background(db_path=Path(tmp) / "desk.sqlite3",
                       softphone=built_softphone(ROOT / "site" / "softphone", Path(tmp))) as o, \
            sync_playwright() as p:
        browser = launch(p.chromium)
        page = browser.new_page(viewport={"width": 1360, "height": 860})
        page.goto(f"{o.console}/agent/customers/7")
        page.fill("input[name=password]", "demo")
        page.click("button[type=submit]")
        frame = page.frame_locator("#softphone")
        frame.locator("#log").get_by_text("ready").wait_for(timeout=60_000)
        page.get_by_role("link", name="+1 555 0107").click()
        expect(frame.get_by_test_id("call-state")).to_contain_text("Ready to call")
        page.screenshot(path=OUT / "click-to-dial.png")
        frame.locator("#dev > summary").click()  # the simulated call is among the developer's tools
        frame.locator("#inbound").click()
        page.wait_for_url(re.compile(r"/agent/cases/\d+$"))
        frame.get_by_role("button", name="Answer").click()
        page.wait_for_timeout(2200)
        frame.locator("#hangup").click()
        expect(frame.get_by_test_id("call-state")).to_contain_text("note saved")
        page.get_by_role("button", name=re.compile("Protocol inspector")).click()
        page.wait_for_timeout(300)
        page.screenshot(path=OUT / "inbound-call.png", full_page=True)
        panel_sizes(page, frame)
        browser.close()


def real_call() -> None:
    """A real call in progress, as `desk-cti serve` (make demo) runs it: the far end answered a
    number clicked in the console, audio flows over WebRTC on loopback, the timer runs."""
    with tempfile.TemporaryDirectory() as tmp, Running(0) as far, \
            Background(db_path=Path(tmp) / "desk.sqlite3",
                       softphone=built_softphone(ROOT / "site" / "softphone", Path(tmp),
                                                 {"farend.json": farend_json(far)})) as o, \
            sync_playwright() as p:
        far.farend.allow(o.phone)
        browser = launch(p.chromium, MEDIA_FLAGS)
        page = browser.new_page(viewport={"width": 1360, "height": 860})
        page.goto(f"{o.console}/agent/customers/7")
        page.fill("input[name=password]", "demo")
        page.click("button[type=submit]")
        frame = page.frame_locator("#softphone")
        frame.locator("#log").get_by_text(re.compile(r" ready$")).wait_for(timeout=60_000)
        page.get_by_role("link", name="+1 555 0107").click()
        frame.get_by_role("button", name="Call", exact=True).click()
        expect(frame.get_by_test_id("call-state")).to_contain_text("On call with", timeout=20_000)
        expect(frame.get_by_test_id("timer")).to_have_text("00:04", timeout=10_000)
        page.screenshot(path=OUT / "real-call.png")
        frame.get_by_role("button", name="Hang up").click()
        expect(frame.get_by_test_id("call-state")).to_contain_text("note saved")
        browser.close()


SIZE = """async () => {
  const ns = desk.pyodide.globals.get("dict")();
  try {
    await desk.pyodide.runPythonAsync(
      "from desk_cti_py import cti\\nawait cti.setSoftphoneWidth(%d)\\nawait cti.setSoftphoneHeight(%d)", { globals: ns });
  } finally { ns.destroy(); }
}"""


def panel_sizes(page, frame) -> None:
    """The softphone at the smallest and the largest panel the console allows (cti.js fits what
    the softphone asks: 200 x 120 px at least, the window's width less 408 px and the viewport's
    height at most), with its developer tools open, on a customer page."""
    page.goto(page.url.split("/agent/")[0] + "/agent/customers/7")
    frame.locator("#log").get_by_text("ready").wait_for(timeout=60_000)
    frame.locator("#dev > summary").click()
    panel = page.get_by_test_id("softphone-panel")
    for name, (width, height) in {"smallest": (0, 0), "largest": (100_000, 100_000)}.items():
        page.frame_locator("#softphone").locator("body").evaluate(SIZE % (width, height))
        page.wait_for_timeout(400)  # the console animates the height
        page.evaluate("scrollTo(0, 0)")
        page.screenshot(path=OUT / f"softphone-{name}.png")
        if name == "smallest":
            panel.screenshot(path=OUT / f"softphone-{name}-panel.png")


if __name__ == "__main__":
    main()
