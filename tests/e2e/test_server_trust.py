"""The demo server's trust in a real browser (issue 12): who may frame the console, what a lost
session does to an open console, and that the console's own writes pass the CSRF check."""

from urllib.parse import parse_qs, urlparse

from playwright.sync_api import Page

from conftest import sign_in


def frame_from(page: Page, host: str, url: str):
    """Open a page of ``host`` that puts ``url`` in an iframe; the iframe's Frame once it settled."""
    page.goto(f"{host}/test/attack.html")
    page.evaluate("""(url) => new Promise((done) => {
        const f = document.createElement("iframe");
        f.onload = done;  // fires for a refused frame too (it shows an error page)
        f.src = url;
        document.body.append(f);
    })""", url)
    return page.frames[1]


def test_no_other_origin_can_frame_the_signed_in_console(page, origins, third_origin):
    sign_in(page, origins)
    for host in (third_origin, origins.phone):  # another site; another port of the same machine
        frame = frame_from(page, host, f"{origins.console}/agent/cases")
        assert not frame.url.startswith(origins.console), host  # chrome-error://: the browser refused it
        assert frame.locator("#main").count() == 0, host


def test_the_softphone_can_be_framed_by_its_console_only(page, origins, third_origin):
    frame = frame_from(page, third_origin, f"{origins.phone}/test/await-python.html")
    assert not frame.url.startswith(origins.phone)


def test_a_lost_session_sends_the_agent_to_sign_in(page, origins):
    sign_in(page, origins)
    page.goto(f"{origins.console}/agent/cases")
    page.locator("#main table.grid").wait_for()  # the console's router is running: no page loads from here
    # what a server restarted on a fresh database sees: a cookie that names no session
    page.context.add_cookies([{"name": "desk_session", "value": "gone", "url": f"{origins.console}/"}])
    page.locator(".nav").get_by_role("link", name="Customers").click()
    page.wait_for_url(lambda url: urlparse(url).path == "/login")
    assert parse_qs(urlparse(page.url).query)["next"] == ["/agent/customers"]
    assert page.locator("form.login").is_visible()
    assert "Something went wrong" not in page.content()


def test_the_consoles_own_writes_pass_the_csrf_check(page, origins):
    sign_in(page, origins)
    page.goto(f"{origins.console}/agent/cases/4")
    page.get_by_role("textbox", name="New note").fill("Written through the console")
    page.get_by_role("button", name="Add note").click()
    page.get_by_test_id("notes").get_by_text("Written through the console").wait_for()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{origins.console}/login")
    assert page.request.get(f"{origins.console}/api/v2/users/me").status == 401
