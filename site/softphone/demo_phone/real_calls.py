"""Real calls behind the demo phone's buttons: the call engine (SIP over WebSocket, WebRTC audio)
talking to the far end that `desk-cti serve` (make demo) starts.

Where the far end is comes from ``farend.json`` beside the page ({"sip": "ws://...", "control":
"http://..."}); without it the phone keeps its simulated calls. Call places a real call (the
timer starts when the far end answers), "Incoming call" asks the far end to ring this phone, and
the ringing call pops the caller through searchAndScreenPop; Call answers it. Every call that
ends, whichever side hung up, writes its note through ajax (Phone.hang_up).
"""

import json

from pyodide.http import pyfetch

from desk_cti_py import interaction
from desk_cti_py.calls import CallError, sip_engine

from .calls import Phone
from .checks import number_problem
from .page import el, field_error, log


async def far_end_settings():
    """The far end's addresses, or None (simulated calls) when the page has none."""
    try:
        r = await pyfetch("farend.json")
        if not r.ok:
            return None
        settings = json.loads(await r.string())
        return settings if isinstance(settings, dict) and "sip" in settings else None
    except Exception:
        return None


class RealPhone(Phone):
    def __init__(self, settings):
        super().__init__()
        self.control = settings.get("control")
        options = {"jssip_url": settings["jssip_url"]} if settings.get("jssip_url") else {}
        self.engine = sip_engine(settings["sip"], settings.get("uri", "sip:agent@127.0.0.1"), **options)
        self.live = None  # the engine's Call
        self.ringing_case = None
        self.engine.on_ringing(self.on_ringing)
        self.engine.on_answered(self.on_answered)
        self.engine.on_ended(self.on_over)
        self.engine.on_failed(self.on_over)

    async def start(self):
        try:
            await self.engine.start()
            log("phone line registered")
        except CallError as exc:
            log(f"no phone line: {exc.message}", error=True)

    # ---- the buttons
    async def dial(self):
        if self.live is not None and self.live.state == "ringing":
            await self.live.answer()  # Call answers a ringing call
            return
        number = el("number").value.strip()
        problem = number_problem(number) if number else "Enter a number, or click one in the console"
        if problem:
            self.set_state(problem)
            return
        context = self.dial_context or ((self.focus.object, self.focus.objectId) if self.focus else None)
        self.pending = {"case_id": context[1] if context and context[0] == "case" else None,
                        "customer_id": context[1] if context and context[0] == "customer" else None}
        try:
            self.live = self.engine.dial(number)
        except CallError as exc:
            self.set_state(f"Cannot call: {exc.message}")
            return
        el("call").disabled = el("inbound").disabled = True
        el("hangup").disabled = False
        self.set_state(f"Calling {number}")
        log(f"outbound call to {number}")

    async def inbound(self):
        number = el("caller").value.strip()
        problem = number_problem(number)
        field_error("caller", problem)
        if problem or self.live is not None or not self.control:
            return
        caller = "".join(ch for ch in number if ch.isdigit() or ch == "+")
        r = await pyfetch(f"{self.control}/calls", method="POST", headers={"Content-Type": "application/json"},
                          body=json.dumps({"caller": caller}))
        if not r.ok:
            log(f"the far end could not ring this phone: {await r.string()}", error=True)

    async def hang_up(self):
        if self.live is not None:
            self.live.hang_up()  # on_over writes the note

    # ---- the engine's events
    async def on_ringing(self, call):
        if self.live is not None:
            call.reject()
            return
        self.live = call
        self.pending = {"case_id": None, "customer_id": None}
        el("number").value = call.number
        el("call").textContent = "Answer"
        el("inbound").disabled = True
        el("hangup").disabled = False
        self.set_state(f"Incoming call from {call.number}")
        log(f"inbound call from {call.number}: searchAndScreenPop")
        await interaction.searchAndScreenPop(call.number, "object=customer")
        try:
            info = await interaction.getPageInfo()
            if info.object == "case":
                self.pending["case_id"] = info.objectId
        except Exception:
            pass

    def on_answered(self, call):
        el("call").textContent = "Call"
        self.start_call(call.number, str(call.direction), **self.pending)
        self.set_state(f"On call with {call.number}")

    async def on_over(self, call):
        el("call").textContent = "Call"
        self.live = None
        if self.call is not None:  # it was connected: the timer stops, the note is written
            await Phone.hang_up(self)
            self.set_state(f"{el('call-state').textContent} · {call.reason}")
        else:
            el("call").disabled = el("inbound").disabled = False
            el("hangup").disabled = True
            self.set_state(f"Call {call.reason}: {call.number}")
            log(f"call with {call.number} {call.state}: {call.reason}")
