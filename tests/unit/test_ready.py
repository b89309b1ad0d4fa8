"""ready(): queued until fired, exactly once, at once after, listeners isolated."""

import pytest

from desk_cti_py import _ready
from desk_cti_py.models import BadArguments


@pytest.fixture(autouse=True)
def fresh():
    saved = dict(_ready._state)
    _ready._state.update(fired=False, listeners=[])
    yield
    _ready._state.update(saved)


def test_listeners_run_once_in_order_and_late_ones_at_once(caplog):
    calls = []
    _ready.ready(lambda: calls.append("a"))

    @_ready.ready
    def b():
        calls.append("b")

    def boom():
        raise RuntimeError("listener bug")

    _ready.ready(boom)
    _ready.ready(lambda: calls.append("c"))
    assert calls == [] and not _ready.is_ready()
    _ready.fire_ready()
    _ready.fire_ready()
    assert calls == ["a", "b", "c"]
    assert "listener bug" in caplog.text
    _ready.ready(lambda: calls.append("late"))
    assert calls == ["a", "b", "c", "late"]
    assert b() is None and calls[-1] == "b"  # the decorator returns the function


def test_ready_needs_a_function():
    with pytest.raises(BadArguments):
        _ready.ready("start")
