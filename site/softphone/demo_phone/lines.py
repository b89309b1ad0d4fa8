"""The phone's line: where its calls go. Both give the same call engine interface to calls.py.

``FarEndLine``: real calls, SIP over WebSocket with WebRTC audio, to the far end that
`desk-cti serve` (make demo) starts and names in ``farend.json`` beside the page
({"sip": "ws://...", "control": "http://..."}). ``SimulatedLine``: without one (the page served
by any other server), the in-memory engine from ``desk_cti_py.calls.testing`` with a simulated
far end that answers after a moment; the phone says "simulated line".
"""

import asyncio
import json

from pyodide.http import pyfetch

from desk_cti_py.calls import CallEngine, CallError, Reason, sip_engine
from desk_cti_py.calls.testing import FakeNetwork

ANSWER_AFTER_S = 1.0  # the simulated far end rings this long before it answers


async def far_end_settings():
    """The far end's addresses from farend.json, or None when the page has none."""
    try:
        r = await pyfetch("farend.json", cache="no-store")
        if not r.ok:
            return None
        settings = json.loads(await r.string())
    except Exception:  # no file, or not JSON: no far end
        return None
    ok = isinstance(settings, dict) and isinstance(settings.get("sip"), str)
    return settings if ok else None


class FarEndLine:
    """Real calls to the far end; "Incoming call" asks its control API to ring this phone."""

    def __init__(self, settings):
        self.control = settings.get("control")
        self.engine = sip_engine(settings["sip"], settings.get("uri", "sip:agent@127.0.0.1"))
        self.label = "line " + settings["sip"].split("//", 1)[-1].split("/", 1)[0]

    async def ring(self, number):
        caller = "".join(ch for ch in number if ch.isdigit() or ch == "+")
        try:
            r = await pyfetch(f"{self.control}/calls", method="POST",
                              headers={"Content-Type": "application/json"}, body=json.dumps({"caller": caller}))
        except Exception as exc:
            raise CallError(f"the far end is not reachable ({exc})", Reason.UNREACHABLE) from None
        if not r.ok:
            raise CallError(f"the far end said {r.status}: {await r.string()}")


class SimulatedNetwork(FakeNetwork):
    """A far end in memory, with the real far end's numbers: 486... busy, 404... no such number,
    408... never answers; any other answers after ANSWER_AFTER_S."""

    def dial(self, call_id, number):
        super().dial(call_id, number)  # it rings there
        digits = number.lstrip("+")
        if digits.startswith("486"):
            self.busy(call_id)
        elif digits.startswith("404"):
            self._later(self.sink.ended, call_id, Reason.NOT_FOUND, "404 Not Found")
        elif not digits.startswith("408"):
            asyncio.get_running_loop().call_later(ANSWER_AFTER_S, self.answer_if_live, call_id)

    def answer_if_live(self, call_id):
        if self._sink is not None and self.calls[call_id].ended_by is None:
            self.answer_remote(call_id)  # the engine ignores a call already over


class SimulatedLine:
    label = "simulated line"

    def __init__(self):
        self.network = SimulatedNetwork()
        self.engine = CallEngine(self.network)

    async def ring(self, number):
        self.network.ring(number)


async def open_line():
    """The far end's line if the page names one, else a simulated line."""
    settings = await far_end_settings()
    return FarEndLine(settings) if settings else SimulatedLine()
