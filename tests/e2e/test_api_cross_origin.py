"""Every seed method from Python in the softphone iframe (127.0.0.1) against the real
console module (loader/desk-console.js) in the host page (localhost): both styles,
success, and each seed rule broken."""

import pytest

from conftest import Guard, host_url, run_py, softphone_frame

BOTH = """
import asyncio
import desk_cti_py as d
from desk_cti_py import interaction, cti


def plain(v):
    return v.to_dict() if hasattr(v, "to_dict") else v


async def both(fn, *args):
    got = []
    with_callback = fn(*args, callback=got.append)
    try:
        value, exc = plain(await fn(*args)), None
    except d.CtiError as e:
        value, exc = None, [type(e).__name__, e.code, e.message]
    await asyncio.wait([with_callback])
    await asyncio.sleep(0)
    r = got[0]
    cb = {"result": plain(r.result)}
    if "error" in r:
        cb["error"] = plain(r.error)
    return {"value": value, "exc": exc, "cb": cb}
"""


@pytest.fixture(scope="module")
def api(browser, origins):
    """One console page with the softphone booted, shared by this module's tests."""
    context = browser.new_context()
    guard = Guard(context)
    page = context.new_page()
    guard.watch(page)
    page.goto(host_url(origins))
    frame = softphone_frame(page)
    yield page, frame
    context.close()
    assert guard.external == [] and guard.errors == []


def call(frame, expr):
    return run_py(frame, BOTH + f"\nasync def main():\n    return await both({expr})\n")


def requests_seen(page):
    return sum(1 for row in page.evaluate("host.log") if row[0] == "in" and row[1] == "request")


SUCCESS = [
    ("cti.setSoftphoneHeight, 250", True, "document.getElementById('sp').style.height", "250px"),
    ("cti.set_softphone_width, 280", True, "document.getElementById('sp').style.width", "280px"),
    ("cti.enableClickToDial", True, "cti.clickToDialEnabled", True),
    ("cti.disableClickToDial", True, "cti.clickToDialEnabled", False),
    ("interaction.screenPop, '42', 'object=case'", True, "host.page.objectName", "Phone will not ring"),
    ("interaction.screen_pop, '3', 'object=company'", True, "host.page.objectName", "Acme"),
    ("interaction.searchAndScreenPop, 'Acme', 'object=company'", True, "host.page", None),
    ("interaction.setVisible, False", True, "document.getElementById('panel').hidden", True),
    ("interaction.isVisible", False, "document.getElementById('panel').hidden", True),
    ("interaction.set_visible, True", True, "document.getElementById('panel').hidden", False),
    ("interaction.is_visible", True, "document.getElementById('panel').hidden", False),
]


@pytest.mark.parametrize("expr,result,js,seen", SUCCESS, ids=[s[0].split(",")[0] for s in SUCCESS])
def test_success_both_styles(api, expr, result, js, seen):
    page, frame = api
    out = call(frame, expr)
    assert out == {"value": result, "exc": None, "cb": {"result": result}}
    assert page.evaluate(js) == seen


def test_search_exact_customer_creates_a_phone_case_and_page_info_reads_it(api):
    page, frame = api
    out = call(frame, "interaction.searchAndScreenPop, '+1 555 0100', 'object=customer'")
    assert out["value"] is True and out["cb"] == {"result": True}
    info = call(frame, "interaction.getPageInfo")
    assert info["exc"] is None
    assert info["value"] == info["cb"]["result"]
    assert info["value"]["object"] == "case"
    assert info["value"]["objectName"] == "Phone call from Ann Archer"
    assert info["value"]["url"].startswith(page.evaluate("location.origin"))


def test_get_user_info_has_the_ten_fields(api):
    _, frame = api
    out = call(frame, "interaction.getUserInfo")
    assert out["value"] == out["cb"]["result"]
    assert list(out["value"]) == ["userId", "email", "userName", "fullName", "profilePhotoUrl",
                                  "profileThumbnailUrl", "userType", "language", "locale", "siteUrl"]
    assert out["value"]["fullName"] == "Alex Agent"


BROKEN = [
    ("cti.setSoftphoneHeight, -1", False, "height must be equal or greater than 0"),
    ("cti.setSoftphoneHeight, '300'", False, "height must be a number"),
    ("cti.setSoftphoneWidth, -10", False, "width must be equal or greater than 0"),
    ("interaction.screenPop, '42', 'object=ticket'", False, "object=customer, object=company or object=case"),
    ("interaction.screenPop, '42', ''", False, "object=customer, object=company or object=case"),
    ("interaction.searchAndScreenPop, '', 'object=customer'", False, "searchString must be a non-empty"),
    ("interaction.searchAndScreenPop, 'x', 'object=agent'", False, "object=customer, object=company"),
    ("interaction.setVisible, 'yes'", False, "value must be a boolean"),
]


@pytest.mark.parametrize("expr,result,why", BROKEN, ids=[f"{b[0].split(',')[0]}-{i}" for i, b in enumerate(BROKEN)])
def test_broken_rules_both_styles_nothing_posted(api, expr, result, why):
    page, frame = api
    before = requests_seen(page)
    out = call(frame, expr)
    assert out["value"] is None
    assert out["exc"][:2] == ["BadArguments", "bad_arguments"] and why in out["exc"][2]
    assert out["cb"]["result"] is result and why in out["cb"]["error"]
    assert requests_seen(page) == before


CONSOLE_ERRORS = [
    ("interaction.screenPop, '999', 'object=case'", False, "NotFound", "not_found", "case 999 does not exist"),
    ("interaction.getPageInfo", None, "NotSupportedOnPage", "not_supported_on_page", "only on case, customer"),
]


@pytest.mark.parametrize("expr,result,cls,code,why", CONSOLE_ERRORS, ids=["not_found", "not_on_page"])
def test_console_errors_both_styles(api, expr, result, cls, code, why):
    page, frame = api
    page.evaluate("host.page = null")
    out = call(frame, expr)
    assert out["exc"][:2] == [cls, code] and why in out["exc"][2]
    assert out["cb"] == {"result": result, "error": out["exc"][2]}


def test_ajax_success_error_and_refusal(api):
    _, frame = api
    out = run_py(frame, BOTH + """
async def main():
    got = []
    ok = await interaction.ajax("/api/v2/cases", {"method": "post", "data": {"subject": "x"},
                                                  "callback": got.append})
    missing = refused = None
    try:
        await interaction.ajax("/api/v2/missing", {"callback": got.append})
    except d.AjaxError as e:
        missing = [e.code, e.error.to_dict()]
    try:
        await interaction.ajax("https://evil.example/steal")
    except d.AjaxError as e:
        refused = [e.code, e.message]
    await asyncio.sleep(0)
    return [ok.to_dict(), dict(got[0].result), missing, plain(got[1].error), got[1].result, refused]
""")
    ok, cb_ok, missing, cb_missing, cb_missing_result, refused = out
    assert ok == {"data": {"url": "/api/v2/cases", "method": "POST", "data": {"subject": "x"}},
                  "status": 201, "statusText": "Created"}
    assert cb_ok == ok
    assert missing == ["http_error", {"message": "Not Found", "status": 404, "statusText": "Not Found"}]
    assert cb_missing == missing[1] and cb_missing_result is None
    assert refused == ["bad_arguments", "ajax: only /api/v2/ paths of this console"]


def test_ajax_bad_arguments_post_nothing(api):
    page, frame = api
    before = requests_seen(page)
    out = run_py(frame, BOTH + """
async def main():
    out = []
    for args in [("",), ("/api/v2/x", {"method": "TRACE"}), ("/api/v2/x", {"verb": "GET"})]:
        try:
            await interaction.ajax(*args)
        except d.BadArguments as e:
            out.append(e.message)
    return out
""")
    assert len(out) == 3 and "url must be" in out[0] and "method must be one of" in out[1]
    assert requests_seen(page) == before


def test_the_console_validates_requests_itself(api):
    """A request that skipped the Python checks is still refused by the console module."""
    page, frame = api
    out = run_py(frame, """
import desk_cti_py as d
async def main():
    client = d.get_client()
    out = []
    for method, params in [("setSoftphoneHeight", {"height": -1}), ("setVisible", {"value": "yes"}),
                           ("screenPop", {"id": "42", "queryParams": "object=ticket"}), ("dial", {}),
                           ("isVisible", {"extra": 1}), ("ajax", {"url": "/api/v2/x", "method": "TRACE"})]:
        try:
            await client.call(method, params, parse=lambda r: r)
        except d.CtiError as e:
            out.append([e.code, e.message])
    return out
""")
    assert [code for code, _ in out] == ["bad_arguments", "bad_arguments", "bad_arguments", "unknown_method",
                                        "bad_arguments", "bad_arguments"]
    assert "height must be equal or greater than 0" in out[0][1]
    assert page.evaluate("document.getElementById('sp').style.height") != "-1px"


def test_click_to_dial_and_focus_events_reach_python_listeners(api):
    page, frame = api
    run_py(frame, """
import __main__
from desk_cti_py import interaction, cti
__main__.heard = []
@cti.onClickToDial
def dial(r):
    __main__.heard.append(["dial", r.result.to_dict()])
@interaction.onFocus
def focus(r):
    __main__.heard.append(["focus", r.result.objectId, r.result.objectName])
def boom(r):
    raise RuntimeError("one bad listener")
cti.onClickToDial(boom)
interaction.onFocus(boom)
async def main():
    await cti.disableClickToDial()
    return True
""")
    assert page.evaluate("cti.emitClickToDial({number: '555', objectId: '7', object: 'customer'})") is False
    run_py(frame, "from desk_cti_py import cti\nasync def main():\n    return await cti.enableClickToDial()")
    assert page.evaluate("cti.emitClickToDial({number: '+1 555 0100', objectId: '7', object: 'customer'})")
    run_py(frame, "from desk_cti_py import interaction\nasync def main():\n"
                  "    return await interaction.screenPop('42', 'object=case')")
    frame.wait_for_function("desk.pyodide.runPython('import __main__; len(__main__.heard)') >= 2")
    heard = run_py(frame, "import __main__\nasync def main():\n    return __main__.heard")
    assert heard == [["dial", {"number": "+1 555 0100", "objectId": "7", "object": "customer"}],
                     ["focus", "42", "Phone will not ring"]]
    run_py(frame, "from desk_cti_py import cti\nasync def main():\n    return await cti.disableClickToDial()")


def test_a_console_that_does_not_allow_the_origin_refuses_the_handshake(page, origins):
    page.goto(host_url(origins, allow="http://127.0.0.1:9"))
    frame = softphone_frame(page)
    out = run_py(frame, """
import desk_cti_py as d
async def main():
    try:
        await d.interaction.isVisible()
    except d.CtiError as e:
        return [type(e).__name__, e.code, e.message]
""")
    assert out[0:2] == ["OriginNotAllowed", "origin_not_allowed"]
    assert origins.phone in out[2]
    assert page.evaluate("cti.connected") is False
