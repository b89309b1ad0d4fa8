"""The library's own Python per call, in CPython: interaction.isVisible() -> post -> reply ->
resolve -> the awaiting task resumes (eager resume, as a message event would run it).

The console's side is not in it: replies are prebuilt strings, handed to the client from a
loop callback (a browser's message event). Prints µs per call (best of 5); under
`valgrind --tool=callgrind` (argument `once`), instruction counts that repeat on a busy machine:
    .venv/bin/python bench/ad_hoc/call_cost.py
    valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.out .venv/bin/python bench/ad_hoc/call_cost.py once 5000
(and `once 0`: the difference over 5,000 is the instructions per call)
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import desk_cti_py as d  # noqa: E402
from desk_cti_py import protocol as p  # noqa: E402
from desk_cti_py.connection import open_connection  # noqa: E402

CONSOLE = "https://console.example"


class Echo:
    """Answers every request with `true`, one loop turn later, as the console's page would."""

    def __init__(self) -> None:
        self.receiver = None
        self.loop = asyncio.get_running_loop()

    def post(self, text: str, origin: str) -> None:
        if '"hello"' in text:
            msg = json.loads(text)
            answer = p.encode(p.envelope(p.WELCOME, "c-0", re=msg["id"], session="S"))
        else:
            i = text.index('"id":"') + 6
            call_id = text[i:text.index('"', i)]
            answer = '{"ns":"%s","v":%d,"type":"response","id":"c-%s","re":"%s","ok":true,"result":true}' % (
                p.NAMESPACE, p.VERSION, call_id, call_id)
        self.loop.call_soon(self.hand_over, answer)

    def hand_over(self, answer: str) -> None:
        self.receiver.receive(CONSOLE, answer)

    def attach(self, receiver) -> None:
        self.receiver = receiver

    def detach(self) -> None:
        self.receiver = None

    def set_batching(self, many_in_flight: bool) -> None:
        pass


async def run(n: int) -> float:
    t = time.perf_counter()
    for _ in range(n):
        await d.interaction.isVisible()
    return (time.perf_counter() - t) / n * 1e6


async def main() -> None:
    transport = Echo()
    open_connection(transport, CONSOLE, parent_origin=CONSOLE)
    await d.interaction.isVisible()
    if sys.argv[1:2] == ["once"]:  # for callgrind: a fixed number of calls
        await run(int(sys.argv[2]))
        return
    await run(2000)
    print(f"{min([await run(20_000) for _ in range(5)]):.2f} us per call")


asyncio.run(main())
