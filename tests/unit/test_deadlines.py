"""One timer for every deadline: due ones expire in order, answered ones never pile up."""

import asyncio

import pytest

from desk_cti_py._deadlines import Deadlines

pytestmark = pytest.mark.asyncio


async def test_due_keys_expire_in_deadline_order_and_answered_ones_are_skipped():
    live, expired = {}, []
    deadlines = Deadlines(lambda k, d: live.get(k) == d, lambda k: (expired.append(k), live.pop(k)),
                          lambda: ((d, k) for k, d in live.items()))
    now = asyncio.get_running_loop().time()
    for key, delay in (("c", 0.06), ("a", 0.02), ("b", 0.04), ("answered", 0.01)):
        live[key] = now + delay
        deadlines.add(key, now + delay, len(live))
    del live["answered"]
    await asyncio.sleep(0.12)
    assert expired == ["a", "b", "c"]


async def test_answered_entries_do_not_pile_up():
    live = {}
    deadlines = Deadlines(lambda k, d: live.get(k) == d, lambda k: live.pop(k),
                          lambda: ((d, k) for k, d in live.items()))
    now = asyncio.get_running_loop().time()
    live["pending"] = now + 60
    deadlines.add("pending", now + 60, 1)
    for i in range(5000):  # a steady stream, each answered at once
        live[str(i)] = now + 60
        deadlines.add(str(i), now + 60, len(live))
        del live[str(i)]
    assert len(deadlines) <= 1002
    deadlines.stop()
