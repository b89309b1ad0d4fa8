"""The demo as an agent uses it (issue 16): focus as the seed describes it, and the softphone's
screen at the sizes the console allows."""

import re

import pytest
from playwright.sync_api import expect

from conftest import BOOT_MS, open_console, run_py, sign_in, softphone_frame

CUSTOMER_7 = "+1 555 0107"


def test_one_focus_event_per_change_of_focus(page, origins):
    frame = open_console(page, origins, "/agent/customers/7")
    run_py(frame, """
import __main__
from desk_cti_py import cti, interaction
async def main():
    __main__.heard = []
    __main__.focus_sub = interaction.onFocus(
        lambda r: __main__.heard.append(r.result.objectId if r.result else r.code))
    for _ in range(3):
        assert await cti.enableClickToDial()
""")
    # A change of focus: its event follows any the enables caused (messages keep their order).
    page.get_by_role("link", name="Contoso Pharmacy").click()
    expect(page.get_by_test_id("record-title")).to_have_text("Contoso Pharmacy")
    heard = run_py(frame, """
import __main__, asyncio
async def main():
    while "2" not in __main__.heard:
        await asyncio.sleep(0.05)
    __main__.focus_sub.unsubscribe()
    return __main__.heard
""")
    assert heard == ["2"]


def demo_with_phone(page, origins, phone_page):
    """The demo console, embedding one of the test pages instead of the demo softphone."""
    def swap(route):
        response = route.fetch()
        route.fulfill(response=response, json={**response.json(), "softphoneUrl": f"{origins.phone}/test/{phone_page}"})
    page.route("**/config.json", swap)


# The console sends the record in view at the handshake, which the loader starts before the
# page's Python runs: an event that arrives before ready()'s listeners are registered reaches no
# one (src= scripts are fetched, so the welcome and its focus come in meanwhile; an async ready
# listener runs after the loop turns). Fixed where the events arrive: the library holds them until
# ready() has fired (issue 16, fidelity 2; a change to desk_cti_py and the loader, not yet in).
@pytest.mark.xfail(strict=True, reason="needs desk_cti_py to hold events until ready() has fired")
@pytest.mark.parametrize("kind", ["inline", "src"])
def test_the_record_in_focus_at_boot_reaches_a_listener_registered_in_ready(page, origins, kind):
    sign_in(page, origins)
    demo_with_phone(page, origins, f"focus-{kind}.html")
    seen = []
    for _ in range(8):
        page.goto(f"{origins.console}/agent/customers/7")
        frame = softphone_frame(page, "#softphone")
        heard = frame.locator("#heard")
        expect(heard).not_to_have_text("booting", timeout=BOOT_MS)
        seen.append(heard.text_content())
    assert seen == ["customer #7"] * 8


def test_in_view_follows_the_console_and_clears_off_records(page, origins):
    frame = open_console(page, origins, "/agent/customers/7")
    in_view = frame.get_by_test_id("in-view")
    expect(in_view).to_have_text("In view: customer #7 · Grace Castillo")
    page.get_by_role("link", name="Companies", exact=True).click()
    expect(in_view).to_have_text("No record in view")
    page.get_by_role("link", name="Initech").click()
    expect(in_view).to_have_text("In view: company #4 · Initech")
    page.locator("#search input").fill("grace")
    page.locator("#search input").press("Enter")
    page.wait_for_url(re.compile(r"/agent/search"))
    expect(in_view).to_have_text("No record in view")
