"""Eager resume: what a reply wakes runs inside the message event, nothing is lost."""

import asyncio
import logging

import pytest

from desk_cti_py._resume import run_handles, run_resuming
from desk_cti_py.client import Client

from test_client import CONSOLE, Wire, parse_bool, reply, welcome

pytestmark = pytest.mark.asyncio


def connected(**kw):
    wire = Wire()
    client = Client(wire, console_origin=CONSOLE, **kw)
    client.start()
    welcome(client, wire)
    return wire, client


async def _order(eager):
    """A task awaits a call; the reply is handled in a plain loop callback, as a browser event."""
    wire, client = connected(eager_resume=eager)
    loop = asyncio.get_running_loop()
    seen = []

    async def caller():
        seen.append(await client.call("isVisible", {}, parse=parse_bool))

    task = asyncio.ensure_future(caller())
    await asyncio.sleep(0)
    req = wire.requests()[-1]

    def event():
        reply(client, req)
        seen.append("event over")

    loop.call_soon(event)
    await task
    return seen, loop


async def test_a_reply_resumes_its_task_inside_the_event():
    seen, loop = await _order(eager=True)
    assert seen == [True, "event over"]
    assert "call_soon" not in vars(loop)  # the loop's own call_soon is back


async def test_without_eager_resume_the_task_resumes_after_the_event():
    seen, _ = await _order(eager=False)
    assert seen == ["event over", True]


async def test_inside_a_running_task_nothing_is_swapped():
    wire, client = connected()
    fut = client.call("isVisible", {}, parse=parse_bool)
    woke = []
    fut.add_done_callback(lambda f: woke.append(f.result()))
    reply(client, wire.requests()[-1])  # from inside this test's task
    assert woke == []  # left to the loop: no task runs inside another
    await asyncio.sleep(0)
    assert woke == [True]


async def test_one_failing_callback_does_not_stop_the_others(caplog):
    loop = asyncio.get_running_loop()
    ran = []

    def fn():
        loop.call_soon(ran.append, 1)
        loop.call_soon(lambda: 1 / 0)
        loop.call_soon(ran.append, 3)
        handle = loop.call_soon(ran.append, "cancelled")
        handle.cancel()

    done = loop.create_future()
    loop.call_soon(lambda: (run_resuming(loop, fn), done.set_result(list(ran))))
    with caplog.at_level(logging.ERROR):
        assert await done == [1, 3]
    assert "ZeroDivisionError" in caplog.text


async def test_call_soon_is_restored_and_callbacks_run_when_fn_raises():
    loop = asyncio.get_running_loop()
    ran = []

    def fn():
        loop.call_soon(ran.append, "woken")
        raise ValueError("boom")

    done = loop.create_future()

    def event():
        with pytest.raises(ValueError):
            run_resuming(loop, fn)
        done.set_result(list(ran))

    loop.call_soon(event)
    assert await done == ["woken"]
    assert "call_soon" not in vars(loop)


async def test_system_exit_propagates_and_the_rest_still_runs():
    loop = asyncio.get_running_loop()
    ran = []

    def stop():
        raise SystemExit(3)

    handles = [asyncio.Handle(f, a, loop) for f, a in ((ran.append, ("a",)), (stop, ()), (ran.append, ("c",)))]
    with pytest.raises(SystemExit):
        run_handles(loop, handles)
    assert ran == ["a"]
    await asyncio.sleep(0)
    assert ran == ["a", "c"]


async def test_a_loop_own_call_soon_attribute_is_put_back():
    loop = asyncio.get_running_loop()
    mine = loop.call_soon
    loop.call_soon = mine  # someone else's instance attribute
    try:
        done = loop.create_future()
        loop.call_soon(lambda: (run_resuming(loop, lambda: None), done.set_result(vars(loop).get("call_soon"))))
        assert await done is mine
    finally:
        del loop.call_soon


async def test_a_loop_that_is_not_running_is_left_alone():
    loop = asyncio.new_event_loop()
    try:
        ran = []
        run_resuming(loop, ran.append, 1)
        assert ran == [1] and "call_soon" not in vars(loop)
    finally:
        loop.close()


async def test_an_unknown_pyodide_release_falls_back_to_the_public_path(monkeypatch):
    """Eager resume reads private internals; on a Pyodide it was not checked against, a reply
    still resolves its call, one loop turn later, as the loop itself would run it."""
    import sys
    import types

    from desk_cti_py import _resume

    monkeypatch.setattr(sys, "platform", "emscripten")
    monkeypatch.setitem(sys.modules, "pyodide", types.SimpleNamespace(__version__="999.0.0"))
    loop = asyncio.get_running_loop()
    assert _resume.supported(loop) is False
    eager, _ = await _order(True)
    monkeypatch.undo()
    assert eager == ["event over", True]  # resumed a turn later: what eager_resume=False does
    assert (await _order(False))[0] == eager

