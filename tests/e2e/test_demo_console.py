"""The demo console and the Python softphone, from an agent's point of view: one test per seed method."""

import json
import re
import sqlite3

import pytest
from playwright.sync_api import expect

from conftest import dev_tools, open_console, run_py

CUSTOMER_7 = "+1 555 0107"


def db_rows(db_path, sql, *args):
    with sqlite3.connect(db_path) as conn:
        return conn.execute(sql, args).fetchall()


def try_api(frame):
    """Open the softphone's "Try the API" box."""
    dev_tools(frame)
    if not frame.locator("#try").evaluate("el => el.open"):
        frame.locator("#try summary").click()


def ask(frame, kind, obj, value):
    """Fill one "Try the API" row (kind: "search" or "pop") and press its button."""
    field = "search-text" if kind == "search" else "pop-id"
    frame.locator(f"#{kind}-object").select_option(obj)
    frame.locator(f"#{field}").fill(value)
    frame.locator(f"#{kind}").click()


def output(frame, before=""):
    """The last callback response shown by the softphone, as the seed's object."""
    out = frame.locator("#output")
    expect(out).not_to_have_text(before or re.compile(r"^$"))
    return json.loads(out.text_content())


def test_get_user_info_shows_the_agent(page, origins):
    frame = open_console(page, origins)
    expect(frame.get_by_test_id("agent")).to_have_text("Alex Rivera")
    try_api(frame)
    frame.locator("#user-info").click()
    result = output(frame)["result"]
    assert list(result) == ["userId", "email", "userName", "fullName", "profilePhotoUrl", "profileThumbnailUrl",
                            "userType", "language", "locale", "siteUrl"]
    assert result["email"] == result["userName"] == "alex@acme-support.example"
    assert result["userType"] == "siteadmin" and result["siteUrl"] == origins.console


def test_click_to_dial_shows_the_number_in_the_softphone_without_navigating(page, origins):
    frame = open_console(page, origins, "/agent/customers/7")
    number = page.get_by_role("link", name=CUSTOMER_7)
    expect(number).to_be_visible()
    url = page.url
    number.click()
    expect(frame.locator("#number")).to_have_value(CUSTOMER_7)
    expect(frame.get_by_test_id("call-state")).to_have_text(f"Ready to call {CUSTOMER_7} (customer #7)")
    assert page.url == url
    # disabled: the numbers are plain text again, and a click does nothing
    frame.locator("#ctd").uncheck()
    expect(page.locator("#ctd-state")).to_have_text("Click-to-dial off")
    expect(page.get_by_role("link", name=CUSTOMER_7)).to_have_count(0)
    frame.locator("#number").fill("")
    page.locator(".phone-number").first.click()
    page.wait_for_timeout(300)
    expect(frame.locator("#number")).to_have_value("")
    frame.locator("#ctd").check()
    expect(page.get_by_role("link", name=CUSTOMER_7)).to_be_visible()


def test_a_click_on_a_number_whose_record_is_gone_reaches_the_softphone_as_the_seeds_error(page, origins):
    frame = open_console(page, origins, "/agent/customers/7")
    number = page.get_by_role("link", name=CUSTOMER_7)
    expect(number).to_be_visible()
    # the record was removed after the page was drawn (the demo API deletes nothing: the link is made to point at it)
    number.evaluate("el => { el.dataset.objectId = '999999'; }")
    number.click()
    expect(frame.locator("#log")).to_contain_text("click-to-dial failed: Resource Object does not exist.")
    expect(frame.locator("#number")).to_have_value("")


def test_inbound_call_opens_the_customers_new_phone_case_and_hang_up_notes_it(page, origins, db_path):
    frame = open_console(page, origins)
    (before,) = db_rows(db_path, "SELECT max(id) FROM cases")[0]
    dev_tools(frame)
    frame.locator("#caller").fill(CUSTOMER_7)
    frame.locator("#inbound").click()
    page.wait_for_url(re.compile(r"/agent/cases/\d+$"))
    case_id = int(page.url.rsplit("/", 1)[1])
    assert case_id > before
    expect(page.get_by_test_id("record-title")).to_have_text("Phone call from Grace Castillo")
    assert db_rows(db_path, "SELECT customer_id, type FROM cases WHERE id=?", case_id) == [(7, "phone")]
    expect(frame.get_by_test_id("call-state")).to_have_text(
        f"Incoming call from {CUSTOMER_7} · case #{case_id}: Phone call from Grace Castillo")
    frame.get_by_role("button", name="Answer", exact=True).click()  # it rings until answered
    expect(frame.get_by_test_id("call-state")).to_have_text(
        f"On call with {CUSTOMER_7} · case #{case_id}: Phone call from Grace Castillo")
    expect(frame.get_by_test_id("timer")).not_to_have_text("00:00", timeout=3000)
    frame.locator("#hangup").click()
    expect(frame.get_by_test_id("call-state")).to_contain_text(f"note saved on case #{case_id}")
    notes = db_rows(db_path, "SELECT body, user_id FROM notes WHERE case_id=?", case_id)
    assert len(notes) == 1 and notes[0][0].startswith(f"Phone call with {CUSTOMER_7} (inbound), 00:0")
    assert notes[0][1] == 1  # written with the agent's session
    # the console shows the new note on the case in view
    expect(page.get_by_test_id("notes")).to_contain_text(f"Phone call with {CUSTOMER_7} (inbound)")


def test_search_for_cases_and_companies_lists_matches(page, origins, db_path):
    frame = open_console(page, origins)
    try_api(frame)
    ask(frame, "search", "case", "voicemail")
    page.wait_for_url(re.compile(r"/agent/search\?object=case&q=voicemail"))
    (count,) = db_rows(db_path, "SELECT count(*) FROM cases WHERE lower(subject) LIKE '%voicemail%'"
                                " OR lower(description) LIKE '%voicemail%'")[0]
    expect(page.get_by_test_id("result-count")).to_have_text(f"{count} found")
    assert output(frame) == {"result": True}
    ask(frame, "search", "company", "globex")
    page.wait_for_url(re.compile(r"object=company&q=globex"))
    expect(page.get_by_role("link", name="Globex Logistics")).to_be_visible()


def test_screen_pop_opens_a_record_and_an_unknown_id_is_an_error(page, origins):
    frame = open_console(page, origins)
    try_api(frame)
    ask(frame, "pop", "company", "3")
    page.wait_for_url(re.compile(r"/agent/companies/3$"))
    expect(page.get_by_test_id("record-title")).to_have_text("Globex Logistics")
    assert output(frame) == {"result": True}
    ask(frame, "pop", "case", "9999")
    assert output(frame, '{\n "result": true\n}') == {"result": False, "error": "case 9999 does not exist"}
    assert page.url.endswith("/agent/companies/3")


def test_get_page_info_on_a_record_and_an_error_elsewhere(page, origins):
    frame = open_console(page, origins, "/agent/cases/5")
    try_api(frame)
    frame.locator("#page-info").click()
    result = output(frame)["result"]
    (subject,) = page.get_by_test_id("record-title").all_text_contents()
    assert result == {"url": f"{origins.console}/agent/cases/5", "objectId": "5", "object": "case",
                      "objectName": subject}
    page.get_by_role("link", name="Customers", exact=True).first.click()
    page.wait_for_url(re.compile(r"/agent/customers$"))
    frame.locator("#page-info").click()
    got = output(frame, json.dumps({"result": result}, indent=1))
    assert got == {"result": None, "error": "getPageInfo works only on case, customer and company pages"}


def test_focus_follows_navigation(page, origins):
    frame = open_console(page, origins, "/agent/companies")
    expect(frame.get_by_test_id("in-view")).to_have_text("No record in view")
    page.get_by_role("link", name="Initech").click()
    expect(frame.get_by_test_id("in-view")).to_have_text("In view: company #4 · Initech")
    page.locator(".grid a").first.click()
    expect(frame.get_by_test_id("in-view")).to_contain_text("In view: customer #")
    page.go_back()
    expect(frame.get_by_test_id("in-view")).to_have_text("In view: company #4 · Initech")


def test_resize_and_hide_change_the_panel(page, origins):
    frame = open_console(page, origins)
    iframe, panel = page.locator("#softphone"), page.get_by_test_id("softphone-panel")
    dev_tools(frame)
    before = iframe.bounding_box()["height"]
    # Each resize ends with a line in the log, above these buttons: the next click waits for it
    # (a line landing between Playwright's aim and its click moves the button away).
    frame.get_by_role("button", name="Taller").click()
    page.wait_for_function(f"document.getElementById('softphone').getBoundingClientRect().height !== {before}")
    # as tall as it asked, or as tall as fits: the panel's bottom stays in the window
    assert page.evaluate("document.getElementById('softphone').getBoundingClientRect().bottom <= innerHeight")
    expect(frame.get_by_test_id("log")).to_contain_text("(asked 320×700)")
    frame.get_by_role("button", name="Wider").click()
    page.wait_for_function("document.getElementById('softphone-panel').getBoundingClientRect().width === 360")
    assert iframe.bounding_box()["width"] == 360
    expect(frame.get_by_test_id("log")).to_contain_text("(asked 360×700)")
    frame.get_by_role("button", name="Hide").click()
    expect(panel).to_be_hidden()
    expect(page.get_by_role("button", name="Show softphone")).to_be_visible()
    expect(panel).to_be_visible(timeout=6000)  # the softphone shows itself again after 3 s
    expect(frame.locator("#visible-state")).to_have_text("visible")


@pytest.mark.parametrize("url,why", [
    ("/login", "/login is outside /api/v2/"),
    ("/api/v2/../login", "'.' or '..' in the path"),
    ("/api/v2/%2e%2e/login", "encoded '.', '/' or '\\' in the URL"),
    ("//evil.example/api/v2/cases", "http://evil.example is another origin"),
    ("http://127.0.0.1:9/api/v2/cases", "http://127.0.0.1:9 is another origin"),
])
def test_ajax_outside_the_consoles_own_api_is_refused(page, origins, url, why):
    frame = open_console(page, origins)
    try_api(frame)
    frame.locator("#ajax-url").fill(url)
    frame.locator("#ajax").click()
    got = output(frame)
    assert got["result"] is None
    error = got["error"]  # the seed's ajax error object; status 0: nothing was sent
    assert why in error["message"] and "only this console's own /api/v2/ is reachable" in error["message"]
    assert error["status"] == 0 and error["statusText"] == ""


def test_ajax_reaches_the_api_with_the_agents_session(page, origins):
    frame = open_console(page, origins)
    try_api(frame)
    frame.locator("#ajax-url").fill("/api/v2/cases/2")
    frame.locator("#ajax").click()
    got = output(frame)
    assert got["result"]["status"] == 200 and got["result"]["statusText"] == "OK"
    assert got["result"]["data"]["id"] == 2
    frame.locator("#ajax-url").fill("/api/v2/cases/99999")
    frame.locator("#ajax").click()
    assert output(frame, json.dumps(got, indent=1)) == {
        "result": None, "error": {"message": "Resource Not Found", "status": 404, "statusText": "Not Found"}}


def test_the_softphone_origin_cannot_reach_the_api_directly(page, origins):
    frame = open_console(page, origins)
    outcome = frame.evaluate("""async (url) => {
        try { const r = await fetch(url, {credentials: "include"}); return "status " + r.status; }
        catch (e) { return "blocked: " + e.name; } }""", f"{origins.console}/api/v2/users/me")
    assert outcome == "blocked: TypeError"


def test_the_inspector_lists_every_message_with_round_trip_times(page, origins):
    open_console(page, origins)
    page.get_by_role("button", name=re.compile("Protocol inspector")).click()
    rows = page.locator("#inspector-rows tr")
    expect(rows.first).to_be_visible()
    names = rows.evaluate_all("rows => rows.map(r => [r.dataset.type, r.dataset.name])")
    assert ["hello", ""] in names and ["welcome", ""] in names
    assert ["request", "getUserInfo"] in names and ["request", "enableClickToDial"] in names
    latencies = page.get_by_test_id("latency").all_text_contents()
    timed = [float(x) for x in latencies if x]
    assert timed and all(t >= 0 for t in timed)
    assert len(timed) == len([n for n in names if n[0] == "request"])


def test_ajax_limits_refuse_before_anything_is_sent(page, origins, guard):
    frame = open_console(page, origins)
    before = len(guard.requests)
    out = run_py(frame, """
import desk_cti_py as d
from desk_cti_py import interaction
async def main():
    out = []
    for url, config in [("/api/v2/cases/1/notes", {"method": "POST", "data": {"body": "x" * 70000}}),
                        ("/api/v2/cases", {"method": "GET", "data": {"q": 1}}),
                        ("/api/v2/cases", {"method": "TRACE"})]:
        try:
            await interaction.ajax(url, config)
            out.append("sent")
        except d.CtiError as e:
            out.append([e.code, e.message])
    client = d.get_client()
    try:  # past the Python checks: the console refuses an unsupported method too
        await client.call("ajax", {"url": "/api/v2/cases", "method": "TRACE"}, parse=lambda r: r)
    except d.CtiError as e:
        out.append([e.code, e.message])
    return out
""")
    assert out[0][0] == "bad_arguments" and "over 65536 bytes" in out[0][1]
    assert out[1][0] == "bad_arguments" and "only with POST, PUT or PATCH" in out[1][1]
    assert out[2][0] == "bad_arguments" and "method must be one of" in out[2][1]
    assert out[3][0] == "bad_arguments" and "method must be one of" in out[3][1]
    sent = [r for r in guard.requests[before:] if "/api/v2/cases" in r[1]]
    assert sent == []


def test_the_api_refuses_calls_without_a_session(browser, origins):
    context = browser.new_context()
    try:
        r = context.request.get(f"{origins.console}/api/v2/users/me")
        assert r.status == 401 and r.json() == {"message": "Unauthorized"}
    finally:
        context.close()
