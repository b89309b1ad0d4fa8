"""What only a test inside the runtime can see, across two sites: pytest-pyodide's page as the
softphone iframe (127.0.0.1) against the real console module (localhost). When a reply's task
resumes, how replies are batched, what a detach drops. Every seed method, both styles, broken
rules, console errors and events across origins are tests/e2e/test_api_cross_origin.py's."""

from pytest_pyodide import run_in_pyodide


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
    # A listener added after the library's looks, in the next browser task, at where the task
    # awaiting each reply has got to: resumed already (as a JS promise continuation would be), or
    # still waiting for the loop to schedule it.
    seen = run_js("""(() => { const seen = [];
        addEventListener("message", (e) => {
            if (String(e.data).includes('"response"')) setTimeout(() => seen.push(globalThis.deskStep), 0);
        });
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
    # a message from the console, as the browser delivers it to the window's listeners
    post = run_js("(origin) => dispatchEvent(new MessageEvent('message', {data: '{}', origin, source: parent}))")
    post(d.get_client().origin)  # gathered, its hand-over scheduled
    passed, batches = transport.stats.passed, transport.stats.batches
    d.disconnect()
    await asyncio.sleep(0.05)
    assert transport.stats.batches == batches  # the scheduled hand-over never ran
    post(console)
    assert transport.stats.passed == passed  # the listener is gone
    assert transport.stats.batching is False
    return "ok"
