"""ready(): queued until fired, exactly once, at once after, listeners isolated."""

import pytest

import desk_cti_py
from desk_cti_py._ready import ReadyQueue
from desk_cti_py.models import BadArguments


def test_listeners_run_once_in_order_and_late_ones_at_once(caplog):
    queue = ReadyQueue()
    calls = []
    queue.add(lambda: calls.append("a"))

    @queue.add
    def b():
        calls.append("b")

    def boom():
        raise RuntimeError("listener bug")

    queue.add(boom)
    queue.add(lambda: calls.append("c"))
    assert calls == [] and not queue.fired
    queue.fire()
    queue.fire()
    assert calls == ["a", "b", "c"]
    assert "listener bug" in caplog.text
    queue.add(lambda: calls.append("late"))
    assert calls == ["a", "b", "c", "late"]
    assert b() is None and calls[-1] == "b"  # the decorator returns the function


def test_ready_needs_a_function():
    with pytest.raises(BadArguments):
        ReadyQueue().add("start")
    with pytest.raises(BadArguments):
        desk_cti_py.ready("start")  # the library's own queue checks the same way
