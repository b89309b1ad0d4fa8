"""Every seed method, from Pyodide under pytest-pyodide in a softphone iframe (127.0.0.1),
against the real console module in the console page (localhost): callback and await
styles, success, and each seed rule broken with nothing posted. Each softphone declares
the console's origin (``softphone.console_origin``) when it connects."""

from pytest_pyodide import run_in_pyodide


def requests_posted(softphone):
    return [row[2] for row in softphone.console.evaluate("host.log") if row[0] == "in" and row[1] == "request"]


def test_every_method_succeeds_in_both_styles(softphone):
    results = every_method(softphone, softphone.console_origin)
    assert results == "ok"
    console = softphone.console
    assert console.evaluate("document.getElementById('sp').style.height") == "250px"
    assert console.evaluate("document.getElementById('sp').style.width") == "280px"
    posted = requests_posted(softphone)
    # each method crossed the boundary; the two-style ones twice (once per style)
    assert sorted(set(posted)) == sorted(["setSoftphoneHeight", "setSoftphoneWidth", "enableClickToDial",
                                          "disableClickToDial", "screenPop", "searchAndScreenPop", "getPageInfo",
                                          "setVisible", "isVisible", "getUserInfo", "ajax"])
    assert posted.count("setSoftphoneHeight") == 2 and posted.count("getPageInfo") == 3 and posted.count("ajax") == 1


@run_in_pyodide(packages=["desk-cti-py"])
async def every_method(selenium, console):
    import asyncio

    import desk_cti_py as d
    from desk_cti_py import cti, interaction

    client = d.connect(console).client
    from js import location

    assert location.origin.startswith("http://127.0.0.1:")

    def plain(v):
        return v.to_dict() if hasattr(v, "to_dict") else v

    async def both(fn, *args):
        got = []
        with_callback = fn(*args, callback=got.append)
        value = plain(await fn(*args))
        await asyncio.wait([with_callback])
        await asyncio.sleep(0)
        assert dict(got[0]) == {"result": plain(got[0].result)}, got[0]
        assert plain(got[0].result) == value
        return value

    assert await both(cti.setSoftphoneHeight, 250) is True
    assert await both(cti.set_softphone_width, 280) is True
    assert await both(cti.enableClickToDial) is True
    assert await both(cti.disableClickToDial) is True
    assert await both(interaction.screenPop, "42", "object=case") is True
    info = await both(interaction.getPageInfo)
    assert info["objectId"] == "42" and info["objectName"] == "Phone will not ring"
    assert await both(interaction.searchAndScreenPop, "+1 555 0100", "object=customer") is True
    assert (await interaction.get_page_info()).objectName == "Phone call from Ann Archer"
    assert await both(interaction.setVisible, False) is True
    assert await both(interaction.isVisible) is False
    assert await both(interaction.set_visible, True) is True
    user = await both(interaction.getUserInfo)
    assert user["fullName"] == "Alex Agent" and len(user) == 10
    got = []
    result = await interaction.ajax("/api/v2/cases", {"method": "POST", "data": {"subject": "x"}, "callback": got.append})
    await asyncio.sleep(0)
    assert result.status == 201 and got[0].result == result
    assert client.origin.startswith("http://localhost:") and client.pending == 0
    return "ok"


def test_every_seed_rule_broken_fails_in_both_styles_and_posts_nothing(softphone):
    assert every_rule_broken(softphone, softphone.console_origin) == "ok"
    assert requests_posted(softphone) == []


@run_in_pyodide(packages=["desk-cti-py"])
async def every_rule_broken(selenium, console):
    import asyncio

    import desk_cti_py as d
    from desk_cti_py import cti, interaction

    d.connect(console)
    cases = [
        (cti.setSoftphoneHeight, (-1,), False, "height must be equal or greater than 0"),
        (cti.setSoftphoneHeight, ("1",), False, "height must be a number"),
        (cti.setSoftphoneWidth, (-1,), False, "width must be equal or greater than 0"),
        (cti.setSoftphoneWidth, (float("nan"),), False, "width must be a finite number"),
        (interaction.screenPop, ("42", "case"), False, "queryParams must carry object="),
        (interaction.screenPop, ("42", "object=ticket"), False, "queryParams must carry object="),
        (interaction.screenPop, ("", "object=case"), False, "id must be a non-empty string"),
        (interaction.searchAndScreenPop, ("", "object=case"), False, "searchString must be a non-empty"),
        (interaction.searchAndScreenPop, ("x", "object=agent"), False, "queryParams must carry object="),
        (interaction.setVisible, ("yes",), False, "value must be a boolean"),
    ]
    for fn, args, failed, why in cases:
        got = []
        with_callback = fn(*args, callback=got.append)
        try:
            await fn(*args)
            raise AssertionError(f"{fn.__name__}{args} did not fail")
        except d.BadArguments as e:
            assert why in e.message and e.code == "bad_arguments", (fn.__name__, e.message)
        await asyncio.wait([with_callback])
        await asyncio.sleep(0)
        assert got[0].result is failed and why in got[0].error and got[0].code == "bad_arguments"
    for url, config, why in [("", None, "url must be"), ("/api/v2/x", {"method": "TRACE"}, "method must be one of"),
                             ("/api/v2/x", {"data": {1, 2}}, "data must be")]:
        got = []
        try:
            await interaction.ajax(url, {**(config or {}), "callback": got.append})
            raise AssertionError("ajax did not fail")
        except d.BadArguments as e:
            assert why in e.message
        await asyncio.sleep(0)
        assert got[0].result is None and why in got[0].error
    return "ok"


def test_console_errors_reach_both_styles(softphone):
    softphone.console.evaluate("host.page = null")
    assert console_errors(softphone, softphone.console_origin) == "ok"


@run_in_pyodide(packages=["desk-cti-py"])
async def console_errors(selenium, console):
    import asyncio

    import desk_cti_py as d
    from desk_cti_py import interaction

    d.connect(console)
    for fn, args, cls, failed, why in [
        (interaction.screenPop, ("999", "object=case"), d.NotFound, False, "case 999 does not exist"),
        (interaction.getPageInfo, (), d.NotSupportedOnPage, None, "only on case, customer and company pages"),
    ]:
        got = []
        with_callback = fn(*args, callback=got.append)
        try:
            await fn(*args)
            raise AssertionError("did not fail")
        except cls as e:
            assert why in e.message
        await asyncio.wait([with_callback])
        await asyncio.sleep(0)
        assert got[0].result is failed and why in got[0].error
    try:
        await interaction.ajax("/api/v2/missing")
        raise AssertionError("did not fail")
    except d.AjaxError as e:
        assert e.error.to_dict() == {"message": "Not Found", "status": 404, "statusText": "Not Found"}
    return "ok"


def test_events_reach_python_listeners_across_origins(softphone):
    assert listen(softphone, softphone.console_origin) == "listening"
    console = softphone.console
    assert console.evaluate("cti.emitClickToDial({number: '555', objectId: '7', object: 'customer'})") is True
    console.evaluate("cti.emitFocus({url: 'u', objectId: '42', object: 'case', objectName: 'Phone will not ring'})")
    assert heard(softphone) == [["dial", "555", "7"], ["focus", "42", "Phone will not ring"]]


@run_in_pyodide(packages=["desk-cti-py"])
async def listen(selenium, console):
    import __main__

    import desk_cti_py as d
    from desk_cti_py import cti, interaction

    d.connect(console)
    __main__.heard = []
    cti.onClickToDial(lambda r: __main__.heard.append(["dial", r.result.number, r.result.objectId]))
    interaction.onFocus(lambda r: __main__.heard.append(["focus", r.result.objectId, r.result.objectName]))
    assert await cti.enableClickToDial() is True
    return "listening"


@run_in_pyodide
async def heard(selenium):
    import asyncio

    import __main__

    for _ in range(100):
        if len(__main__.heard) >= 2:
            break
        await asyncio.sleep(0.02)
    return __main__.heard


def test_a_reply_resumes_its_task_inside_the_message_event(softphone):
    assert resume_order(softphone, softphone.console_origin) == "ok"


@run_in_pyodide(packages=["desk-cti-py"])
async def resume_order(selenium, console):
    import asyncio

    import desk_cti_py as d
    import js
    from desk_cti_py import interaction
    from pyodide.code import run_js
    from pyodide.ffi import can_run_sync

    d.connect(console)
    await interaction.isVisible()
    # A listener added after the library's sees each reply's event once the library is done with it.
    seen = run_js("""(() => { const seen = [];
        addEventListener("message", (e) => { if (String(e.data).includes('"response"')) seen.push(globalThis.deskStep); });
        return seen; })()""")

    async def step(n):
        js.globalThis.deskStep = f"waiting {n}"
        await interaction.isVisible()
        js.globalThis.deskStep = f"resumed {n}"
        ok = can_run_sync()
        await asyncio.sleep(0)  # through the loop: the event is over before this returns
        return ok

    await step(1)
    d.configure(eager_resume=False)
    try:
        lazy_can_run_sync = await step(2)
    finally:
        d.configure(eager_resume=True)
    await asyncio.sleep(0)
    loop_can_run_sync = can_run_sync()  # what Pyodide's own loop scheduling gives
    assert seen.to_py() == ["resumed 1", "waiting 2"], seen.to_py()
    assert lazy_can_run_sync == loop_can_run_sync  # eager_resume=False keeps run_sync working
    assert "call_soon" not in vars(asyncio.get_running_loop())
    return "ok"


def test_calls_in_flight_are_answered_in_batches_in_order(softphone):
    assert burst(softphone, softphone.console_origin) == "ok"
    # the console answered all 300 in the order they were made
    assert softphone.console.evaluate("document.getElementById('sp').style.height") == "399px"


@run_in_pyodide(packages=["desk-cti-py"])
async def burst(selenium, console):
    import asyncio

    import desk_cti_py as d
    from desk_cti_py import cti, interaction

    d.connect(console)
    await interaction.isVisible()
    stats = d.current().transport.stats
    batches = stats.batches
    for _ in range(5):  # one call at a time: each reply goes straight to Python
        assert await interaction.isVisible() is True
    assert stats.batches == batches
    results = await asyncio.gather(*(cti.setSoftphoneHeight(100 + i) for i in range(300)))
    assert results == [True] * 300
    assert 0 < stats.batches - batches < 300, stats.batches - batches
    assert stats.batching is False and d.get_client().pending == 0
    return "ok"


def test_a_batch_gathered_when_the_transport_detaches_is_dropped(softphone):
    assert detach_mid_batch(softphone, softphone.console_origin) == "ok"


@run_in_pyodide(packages=["desk-cti-py"])
async def detach_mid_batch(selenium, console):
    import asyncio

    import desk_cti_py as d
    from pyodide.code import run_js

    d.connect(console)
    await d.interaction.isVisible()
    transport = d.current().transport
    transport.set_batching(True)
    event = run_js("(origin) => new MessageEvent('message', {data: '{}', origin, source: parent})")(d.get_client().origin)
    transport._listener(event)  # gathered, its hand-over scheduled
    batches = transport.stats.batches
    d.disconnect()
    await asyncio.sleep(0.05)
    assert transport.stats.batches == batches  # the scheduled hand-over never ran
    assert transport._proxies == [] and transport.stats.batching is False
    return "ok"
