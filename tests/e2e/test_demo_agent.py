"""The demo as an agent uses it (issue 16): focus as the seed describes it, and the softphone's
screen at the sizes the console allows."""

import re

import pytest
from playwright.sync_api import expect

from conftest import BOOT_MS, dev_tools, open_console, run_py, sign_in, softphone_frame

CUSTOMER_7 = "+1 555 0107"


def test_the_demo_softphone_boots_from_its_snapshot(page, origins):
    """make demo's softphone, built as `desk-cti serve` builds it, with the shipped strategy
    (data-snapshot auto): a loopback link is local, or measured fast once the runtime is in."""
    frame = open_console(page, origins)
    info = frame.evaluate("desk.bootInfo")
    assert info["snapshot"] is True, info
    assert frame.evaluate("performance.getEntriesByName('desk-cti:snapshot-in').length") == 1


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
# ready() has fired (connect(hold_events_until_ready=True), which the loader asks for).
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


def test_the_phone_comes_first_and_the_developers_tools_fold_away(page, origins):
    frame = open_console(page, origins)
    for name in ("Call", "Hang up", "5"):
        expect(frame.get_by_role("button", name=name, exact=True)).to_be_visible()
    for name in ("Incoming call", "Taller", "screenPop"):
        expect(frame.get_by_role("button", name=name)).to_be_hidden()
    dev_tools(frame)
    expect(frame.get_by_role("button", name="Incoming call")).to_be_visible()
    frame.locator("#dev > summary").click()
    expect(frame.get_by_role("button", name="Incoming call")).to_be_hidden()


@pytest.mark.parametrize("number,why", [("", "Enter the caller's number."),
                                        ("call me", "Not a phone number"), ("12", "Not a phone number")])
def test_a_bad_caller_number_is_refused_next_to_the_field(page, origins, number, why):
    frame = open_console(page, origins, "/agent/cases")
    dev_tools(frame)
    url = page.url
    frame.locator("#caller").fill(number)
    frame.locator("#inbound").click()
    error = frame.get_by_test_id("caller-error")
    expect(error).to_contain_text(why)
    expect(frame.locator("#caller")).to_have_attribute("aria-invalid", "true")
    # nothing started: no call, no timer, no search in the console
    expect(frame.get_by_test_id("call-state")).to_have_text("Idle")
    expect(frame.locator("#hangup")).to_be_disabled()
    assert page.url == url
    frame.locator("#caller").fill(CUSTOMER_7)
    expect(error).to_be_hidden()


SIZE = """async (_, [w, h]) => {
  const ns = desk.pyodide.globals.get("dict")();
  try {
    await desk.pyodide.runPythonAsync(
      `from desk_cti_py import cti\\nawait cti.setSoftphoneWidth(${w})\\nawait cti.setSoftphoneHeight(${h})`, { globals: ns });
  } finally { ns.destroy(); }
}"""


def panel_at(page, frame, width, height):
    """Ask the console for a panel size; wait until the frame has the size the console allows."""
    frame.locator("body").evaluate(SIZE, [width, height])
    # the console's limits: 200 px to the window less the main content's; 120 px to the window's
    # bottom (the panel starts below the console's top bar, 8 px kept below it)
    page.wait_for_function("""([w, h]) => { const r = document.getElementById('softphone').getBoundingClientRect();
        const fits = Math.max(120, innerHeight - (r.top + scrollY) - 8);
        return r.width === w && r.height === Math.min(Math.max(h, 120), fits) && r.bottom <= innerHeight; }""",
                           arg=[min(max(width, 200), 1360 - 408), height])


@pytest.mark.parametrize("width,height", [(0, 0), (0, 100_000), (100_000, 0), (100_000, 100_000)])
def test_the_softphone_works_at_every_size_the_console_allows(browser, guard, origins, width, height):
    page = guard.context.new_page()
    guard.watch(page)
    page.set_viewport_size({"width": 1360, "height": 860})
    frame = open_console(page, origins, "/agent/customers/7")
    dev_tools(frame)
    frame.locator("#try summary").click()
    panel_at(page, frame, width, height)
    # nothing wider than the panel: no button clipped at its side
    assert frame.evaluate("document.documentElement.scrollWidth <= innerWidth")
    for button in frame.locator("button:visible").all():
        box = button.evaluate("b => { const r = b.getBoundingClientRect(); return [r.left, r.right]; }")
        assert box[0] >= 0 and box[1] <= frame.evaluate("innerWidth"), button.text_content()
    # scrolled to the end, the call controls are still in sight and usable
    frame.evaluate("document.querySelectorAll('.app, .phone, .dev').forEach(e => e.scrollTop = 1e6); scrollTo(0, 1e6)")
    for name in ("Call", "Hang up"):
        box = frame.get_by_role("button", name=name, exact=True).bounding_box()
        top = page.locator("#softphone").bounding_box()
        assert box["y"] >= top["y"] and box["y"] + box["height"] <= top["y"] + top["height"], name
    frame.locator("#number").fill(CUSTOMER_7)
    frame.get_by_role("button", name="Call", exact=True).click()
    expect(frame.get_by_test_id("call-state")).to_have_text(f"Calling {CUSTOMER_7}")


def test_the_call_log_scrolls_within_the_panel(page, origins):
    frame = open_console(page, origins)
    frame.locator("#log").evaluate("""log => { for (let i = 0; i < 200; i++) {
        const li = document.createElement('li'); li.textContent = 'line ' + i; log.append(li); } }""")
    sizes = frame.locator("#log").evaluate("log => [log.scrollHeight, log.clientHeight, innerHeight]")
    assert sizes[0] > sizes[1] and sizes[1] < sizes[2]  # it scrolls, inside a box shorter than the panel
    assert frame.evaluate("document.documentElement.scrollHeight") < sizes[0]


def test_a_line_arriving_in_the_call_log_moves_nothing_below_it(page, origins):
    """The developer tools sit below the log: an agent aiming at one of their buttons must not
    have it moved by a call's line arriving (a test's click once missed Hide that way)."""
    frame = open_console(page, origins)
    dev_tools(frame)
    where = "document.getElementById('inbound').getBoundingClientRect().top + scrollY"
    before = frame.evaluate(where)
    for count in (1, 3, 40):
        frame.locator("#log").evaluate(f"""log => {{ for (let i = 0; i < {count}; i++) {{
            const li = document.createElement('li'); li.textContent = 'a call ' + i; log.prepend(li); }} }}""")
        assert frame.evaluate(where) == before, f"{count} more line(s) moved the developer tools"
    # nor does a record with a long name coming into view: its line is cut short, whole in its title
    frame.locator("#in-view").evaluate("el => { el.textContent = 'In view: company #1 · ' + 'Initech '.repeat(40); }")
    assert frame.evaluate(where) == before, "a long record name moved the developer tools"


def test_notes_are_signed_with_the_agents_name(page, origins):
    frame = open_console(page, origins, "/agent/cases/3")
    frame.locator("#number").fill(CUSTOMER_7)
    frame.get_by_role("button", name="Call", exact=True).click()
    frame.get_by_role("button", name="Hang up").click()
    expect(frame.get_by_test_id("call-state")).to_contain_text("note saved on case #3")
    expect(page.get_by_test_id("note-author").last).to_contain_text("Alex Rivera")
    assert "agent #" not in page.get_by_test_id("notes").text_content()


def test_a_422_shows_the_apis_field_errors(page, origins):
    frame = open_console(page, origins, "/agent/cases/3")
    dev_tools(frame)
    frame.locator("#try summary").click()
    frame.locator("#ajax-method").select_option("POST")
    frame.locator("#ajax-url").fill("/api/v2/cases/3/notes")
    frame.locator("#ajax-data").fill('{"body": " "}')
    frame.locator("#ajax").click()
    expect(frame.get_by_test_id("field-errors")).to_have_text("Field errors: body: blank")
    expect(frame.get_by_test_id("output")).to_contain_text('"status": 422')
    # the console's own note form says the same
    page.get_by_label("New note").fill("x" * 10_001)
    page.get_by_role("button", name="Add note").click()
    expect(page.get_by_test_id("note-error")).to_have_text(
        "The note was not saved: Validation Failed · body: too long (at most 10000)")


def test_an_inspector_row_opens_to_the_whole_message(page, origins):
    open_console(page, origins, "/agent/cases/3")
    page.get_by_role("button", name=re.compile("Protocol inspector")).click()
    row = page.locator("#inspector-rows tr[data-type=response]").filter(has_text="fullName").first
    expect(row).to_contain_text("…")  # cut short in the table
    row.click()
    full = page.get_by_test_id("full-message")
    expect(full).to_contain_text('"siteUrl"')
    expect(full).to_contain_text('"profileThumbnailUrl"')
    row.press("Enter")
    expect(full).to_have_count(0)
