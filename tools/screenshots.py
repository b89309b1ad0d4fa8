"""Take the README's screenshots from the real demo, in Debian's Chromium: python tools/screenshots.py"""

import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "site"))
sys.path.insert(0, str(ROOT))

from playwright.sync_api import expect, sync_playwright  # noqa: E402

from deskdemo.server import Background  # noqa: E402
from tools.chromium import CHROMIUM, FLAGS  # noqa: E402

OUT = ROOT / "docs" / "screenshots"


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, Background(db_path=Path(tmp) / "desk.sqlite3") as o, \
            sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1360, "height": 860})
        page.goto(f"{o.console}/agent/customers/7")
        page.fill("input[name=password]", "demo")
        page.click("button[type=submit]")
        frame = page.frame_locator("#softphone")
        frame.locator("#log").get_by_text("ready").wait_for(timeout=60_000)
        page.get_by_role("link", name="+1 555 0107").click()
        expect(frame.get_by_test_id("call-state")).to_contain_text("Ready to call")
        page.screenshot(path=OUT / "click-to-dial.png")
        frame.locator("#inbound").click()
        page.wait_for_url(re.compile(r"/agent/cases/\d+$"))
        page.wait_for_timeout(2200)
        frame.locator("#hangup").click()
        expect(frame.get_by_test_id("call-state")).to_contain_text("note saved")
        page.get_by_role("button", name=re.compile("Protocol inspector")).click()
        page.wait_for_timeout(300)
        page.screenshot(path=OUT / "inbound-call.png", full_page=True)
        browser.close()
    print(f"screenshots in {OUT}")


if __name__ == "__main__":
    main()
