"""Every seed method through the public API against the fake console, both styles."""

import asyncio

import pytest
import pytest_asyncio

import desk_cti_py as d
from desk_cti_py.testing import FakeConsole

pytestmark = pytest.mark.asyncio

RECORDS = {
    ("customer", "7"): {"name": "Ann Archer", "phone": "+1 555 0100", "email": "ann@example.com"},
    ("company", "3"): {"name": "Acme"},
    ("case", "42"): {"subject": "Phone will not ring", "customer_id": "7"},
}


def ajax_handler(method, url, data):
    if url == "/api/v2/cases/42":
        return 200, {"id": 42, "subject": "Phone will not ring"}
    if method == "POST":
        return 201, {"echo": data}
    return 404, {"message": "Resource Not Found"}


@pytest_asyncio.fixture
async def console():
    with FakeConsole(records=RECORDS, ajax_handler=ajax_handler) as c:
        yield c


async def both(call, *args):
    """Call once with a callback, once awaited: (awaited value or exception, callback's response)."""
    got = []
    with_callback = call(*args, callback=got.append)
    try:
        value = await call(*args)
    except d.CtiError as exc:
        value = exc
    await asyncio.wait([with_callback])
    await asyncio.sleep(0)
    assert len(got) == 1
    return value, got[0]


SUCCESS = [
    ("cti.setSoftphoneHeight", (300,), True, lambda c: c.height == 300),
    ("cti.set_softphone_height", (0,), True, lambda c: c.height == 0),
    ("cti.setSoftphoneWidth", (250.5,), True, lambda c: c.width == 250.5),
    ("cti.enableClickToDial", (), True, lambda c: c.click_to_dial_enabled),
    ("cti.disable_click_to_dial", (), True, lambda c: not c.click_to_dial_enabled),
    ("screenPop", ("42", "object=case"), True, lambda c: c.page.objectName == "Phone will not ring"),
    ("screen_pop", ("3", "object=company"), True, lambda c: c.page.object_name == "Acme"),
    ("setVisible", (False,), True, lambda c: c.visible is False),
    ("is_visible", (), True, lambda c: True),
]


@pytest.mark.parametrize("name,args,result,check", SUCCESS, ids=[s[0] for s in SUCCESS])
async def test_success_in_both_styles(console, name, args, result, check):
    target = d.interaction
    for part in name.split("."):
        target = getattr(target, part)
    value, response = await both(target, *args)
    assert value == result
    assert dict(response) == {"result": result} and response.error is None
    assert check(console)


BROKEN = [
    ("cti.setSoftphoneHeight", (-1,), False, "height must be equal or greater than 0"),
    ("cti.setSoftphoneHeight", ("400",), False, "height must be a number"),
    ("cti.setSoftphoneWidth", (-5,), False, "width must be equal or greater than 0"),
    ("screenPop", ("42", "type=case"), False, "queryParams must carry object="),
    ("screenPop", ("42", "object=ticket"), False, "queryParams must carry object="),
    ("screenPop", ("", "object=case"), False, "non-empty"),
    ("searchAndScreenPop", ("", "object=customer"), False, "searchString must be a non-empty"),
    ("searchAndScreenPop", ("ann", "object=agent"), False, "queryParams must carry object="),
    ("setVisible", ("yes",), False, "value must be a boolean"),
]


@pytest.mark.parametrize("name,args,result,why", BROKEN, ids=[f"{b[0]}-{i}" for i, b in enumerate(BROKEN)])
async def test_broken_rules_fail_in_both_styles_and_post_nothing(console, name, args, result, why):
    target = d.interaction
    for part in name.split("."):
        target = getattr(target, part)
    value, response = await both(target, *args)
    assert isinstance(value, d.BadArguments) and value.code == "bad_arguments" and why in value.message
    assert response.result is result and why in response.error and response.code == "bad_arguments"
    assert console.requests == []


async def test_screen_pop_unknown_id_is_not_found(console):
    value, response = await both(d.interaction.screenPop, "999", "object=customer")
    assert isinstance(value, d.NotFound)
    assert dict(response) == {"result": False, "error": "customer 999 does not exist"}


async def test_search_exact_customer_creates_a_phone_case(console):
    assert await d.interaction.searchAndScreenPop("+1 555 0100", "object=customer") is True
    info = await d.interaction.getPageInfo()
    assert info.object == "case" and "Ann Archer" in info.objectName
    assert console.records[("case", info.objectId)]["customer_id"] == "7"


async def test_search_cases_lists_and_page_info_then_fails(console):
    assert await d.interaction.search_and_screen_pop("phone", "object=case") is True
    value, response = await both(d.interaction.getPageInfo)
    assert isinstance(value, d.NotSupportedOnPage)
    assert response.result is None and "only on case, customer and company pages" in response.error


async def test_get_page_info_and_on_focus(console):
    got = []
    sub = d.interaction.onFocus(got.append)
    await d.interaction.screenPop("7", "object=customer")
    await console.settle()
    info = await d.interaction.get_page_info()
    assert info == got[0].result
    assert info.to_dict() == {"url": "https://console.example/agent/customer/7", "objectId": "7",
                              "object": "customer", "objectName": "Ann Archer"}
    sub.unsubscribe()


async def test_get_user_info(console):
    value, response = await both(d.interaction.getUserInfo)
    assert value.full_name == value.fullName == "Alex Agent"
    assert response.result["userName"] == "agent@example.com"


async def test_ajax_success_failure_and_callback_in_config(console):
    r = await d.interaction.ajax("/api/v2/cases/42")
    assert (r.status, r.statusText, r.data["subject"]) == (200, "OK", "Phone will not ring")
    got = []
    await d.interaction.ajax("/api/v2/cases", {"method": "POST", "data": {"subject": "x"}, "callback": got.append})
    await console.settle()
    assert got[0].result.status == 201 and got[0].result.data == {"echo": {"subject": "x"}}
    with pytest.raises(d.AjaxError) as info:
        await d.interaction.ajax("/api/v2/nothing", {"callback": got.append})
    await console.settle()
    assert info.value.error.to_dict() == {"message": "Resource Not Found", "status": 404, "statusText": "Not Found"}
    assert got[1].result is None and got[1].error.statusText == "Not Found"


@pytest.mark.parametrize("args,why", [
    (("",), "url must be"),
    (("/api/v2/x", {"method": "TRACE"}), "method must be one of"),
    (("/api/v2/x", {"methd": "GET"}), "unknown config keys"),
    (("/api/v2/x", "GET"), "config must be a mapping"),
    (("/api/v2/x", {"data": object()}), "data must be"),
    (("/api/v2/x", {"callback": "nope"}), "callback must be a function"),
])
async def test_ajax_bad_arguments(console, args, why):
    with pytest.raises(d.BadArguments, match=why) as info:
        await d.interaction.ajax(*args)
    assert console.requests == []
    # still the seed's error object, with no HTTP status
    assert isinstance(info.value, d.AjaxError) and info.value.code == "bad_arguments"
    assert info.value.error["status"] == 0 and info.value.error["statusText"] == ""


def _seed_error(response):
    return {"message": response.error["message"], "status": response.error["status"],
            "statusText": response.error["statusText"]}


async def test_every_ajax_failure_is_the_seeds_error_object_in_both_styles(console):
    got = []
    cases = [
        (d.interaction.ajax("", {"callback": got.append}), d.BadArguments),
        (d.interaction.ajax("/api/v2/x", {"method": "TRACE", "callback": got.append}), d.BadArguments),
        (d.interaction.ajax("/api/v2/x", {"methd": "GET", "callback": got.append}), d.BadArguments),
    ]
    console.silent = True
    cases.append((d.interaction.ajax("/api/v2/x", {"callback": got.append}, timeout=0.05), d.CtiTimeout))
    for fut, kind in cases:
        with pytest.raises(kind) as info:
            await fut
        assert isinstance(info.value, d.AjaxError)
        assert info.value.error.to_dict() == {"message": info.value.message, "status": 0, "statusText": ""}
    await console.settle()
    assert [_seed_error(r)["status"] for r in got] == [0, 0, 0, 0]
    assert all(r.result is None and r.error["statusText"] == "" and r.error["message"] for r in got)


async def test_ajax_without_a_console_is_the_seeds_error_object_too():
    assert d.connection.use(None) is None
    got = []
    with pytest.raises(d.NotConnected) as info:
        await d.interaction.ajax("/api/v2/cases", {"callback": got.append})
    await asyncio.sleep(0)
    assert isinstance(info.value, d.AjaxError) and info.value.error["status"] == 0
    assert _seed_error(got[0]) == {"message": info.value.message, "status": 0, "statusText": ""}


async def test_click_to_dial_reaches_every_listener(console):
    got = []

    @d.interaction.cti.onClickToDial
    def first(response):
        got.append(("first", response.result.number))

    d.cti.on_click_to_dial(lambda r: got.append(("second", r["result"]["objectId"])))
    assert console.click_to_dial("555", "7", "customer") is False  # not enabled yet
    await d.cti.enableClickToDial()
    assert console.click_to_dial("+1 555 0100", "7", "customer")
    await console.settle()
    assert got == [("first", "+1 555 0100"), ("second", "7")]
    first.unsubscribe()
    await d.cti.disableClickToDial()
    assert console.click_to_dial("555", "7", "customer") is False


async def test_a_silent_console_times_out_in_both_styles(console):
    console.silent = True
    got = []
    fut = d.interaction.isVisible(got.append, timeout=0.05)
    with pytest.raises(d.CtiTimeout):
        await fut
    await asyncio.sleep(0)
    assert got[0].code == "timeout" and got[0].result is False


async def test_bad_timeout_and_callback_are_bad_arguments(console):
    for kw in ({"timeout": 0}, {"timeout": -1}, {"timeout": "5"}, {"callback": 3}):
        with pytest.raises(d.BadArguments):
            await d.interaction.isVisible(**kw)


async def test_listener_needs_a_function(console):
    with pytest.raises(d.BadArguments):
        d.interaction.onFocus(None)


async def test_callback_exception_is_logged_not_raised(console, caplog):
    def bad(response):
        raise ValueError("callback bug")

    assert await d.interaction.isVisible(bad) is True
    await console.settle()
    assert "callback bug" in caplog.text


async def test_not_connected_without_a_console():
    assert d.connection.use(None) is None  # no FakeConsole installed here
    got = []
    with pytest.raises(d.NotConnected, match="not connected"):
        await d.interaction.isVisible(got.append)
    await asyncio.sleep(0)
    assert got[0].code == "not_connected"
    with pytest.raises(d.NotConnected):
        d.get_client()


async def test_the_softphone_never_posts_to_star_after_the_handshake(console):
    await d.interaction.isVisible()
    await d.cti.setSoftphoneHeight(10)
    assert console.violations == []


async def test_configure_sets_the_default_timeout(console):
    import desk_cti_py

    old = desk_cti_py.connection.DEFAULTS.timeout
    try:
        desk_cti_py.configure(timeout=0.05)
        console.silent = True
        with pytest.raises(d.CtiTimeout, match="in 0.05 s"):
            await d.interaction.isVisible()
        with pytest.raises(d.BadArguments):
            desk_cti_py.configure(timeout=0)
    finally:
        desk_cti_py.configure(timeout=old)


async def test_clicks_reach_the_listener_only_while_click_to_dial_is_enabled_in_this_console_session(console):
    heard = []
    d.cti.onClickToDial(lambda r: heard.append(r.result.number))
    console.click_to_dial_enabled = True  # a console that sends clicks the softphone never asked for
    console.click_to_dial("+1 555 0100", "7", "customer")
    await console.settle()
    assert heard == []
    assert await d.cti.enableClickToDial() is True
    console.click_to_dial("+1 555 0101", "7", "customer")
    await console.settle()
    assert heard == ["+1 555 0101"]
    console.reload()  # a new console session starts with click-to-dial off
    await console.settle()
    assert await d.interaction.isVisible() is True  # the new session's handshake is done
    console.click_to_dial_enabled = True
    console.click_to_dial("+1 555 0102", "7", "customer")
    await console.settle()
    assert heard == ["+1 555 0101"]


async def test_a_failed_click_and_leaving_the_records_reach_the_listeners_as_errors(console):
    dials, focus = [], []
    d.cti.onClickToDial(lambda r: dials.append((r.result, r.error)))
    d.interaction.onFocus(lambda r: focus.append((r.result, r.error)))
    await d.cti.enableClickToDial()
    assert console.click_to_dial_error() is True
    console.leave_records()
    await console.settle()
    assert dials == [(None, "Resource Object does not exist.")]
    assert focus == [(None, "no case, customer or company in view")]
    with pytest.raises(d.NotSupportedOnPage):
        await d.interaction.getPageInfo()


@pytest.mark.parametrize("bad", [-5, 0, float("nan"), True, "3"])
async def test_connect_refuses_a_bad_timeout_before_it_touches_the_browser(bad):
    with pytest.raises(d.BadArguments, match="timeout"):
        d.connect("https://console.example", timeout=bad)
