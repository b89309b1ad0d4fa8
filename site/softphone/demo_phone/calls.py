"""The call UI on a call engine: dial, answer, hang up, the timer, the caller's screen pop, and
the note every call leaves on its case. It uses only the engine's interface
(``desk_cti_py.calls``): the line behind it is the far end's (real calls) or a simulated one
(lines.py), and this module cannot tell which.
"""

import asyncio

import desk_cti_py as desk
from desk_cti_py import interaction
from desk_cti_py.calls import BadArguments, CallError

from .checks import number_problem
from .page import el, field_error, log


def clock(seconds):
    seconds = int(seconds)
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


class Phone:
    def __init__(self):
        self.line = self.engine = None  # set by use(): the page's line is known once farend.json is read
        self.live = None  # the engine's Call, from dialling or ringing until it is over
        self.shown = None  # the number as the agent sees it (as typed, for an outbound call)
        self.record = {}  # where the call's note goes: {"case_id", "customer_id", "case_name"}
        self.dial_context = None  # (object, objectId) of the last clicked number
        self.focus = None  # the PageInfo in view
        self.ticker = None

    async def use(self, line):
        """Take calls on ``line`` (lines.FarEndLine or lines.SimulatedLine) and start its engine."""
        self.line, self.engine = line, line.engine
        el("line").textContent = line.label
        self.engine.on_ringing(self.on_ringing)
        self.engine.on_answered(self.on_answered)
        self.engine.on_ended(self.on_over)
        self.engine.on_failed(self.on_over)
        try:
            await self.engine.start()
        except CallError as exc:
            el("line").textContent = "no line"
            log(f"no phone line: {exc.message}", error=True)
            return
        log(f"{line.label}: registered, calls can come and go")

    def set_state(self, text):
        el("call-state").textContent = text

    def buttons(self, in_call, answer=False):
        el("call").textContent = "Answer" if answer else "Call"
        el("call").disabled = in_call and not answer
        el("inbound").disabled = in_call
        el("hangup").disabled = not in_call

    # ---- the agent's buttons
    async def dial(self):
        """Call: answers a ringing call, or dials the number shown."""
        if self.live is not None:
            if self.live.state == "ringing":
                await self.live.answer()
            return
        if self.engine is None:
            self.set_state("The phone line is not ready yet")
            return
        number = el("number").value.strip()
        problem = number_problem(number) if number else "Enter a number, or click one in the console"
        if problem:
            self.set_state(problem)
            return
        context = self.dial_context or ((self.focus.object, self.focus.objectId) if self.focus else None)
        self.record = {"case_id": context[1] if context and context[0] == "case" else None,
                       "customer_id": context[1] if context and context[0] == "customer" else None}
        try:
            self.live = self.engine.dial(number)
        except (CallError, BadArguments) as exc:
            self.set_state(f"Cannot call: {exc.message}")
            return
        self.shown = number
        self.buttons(in_call=True)
        el("timer").textContent = clock(0)
        self.set_state(f"Calling {number}")
        log(f"outbound call to {number}")

    async def inbound(self):
        """Incoming call: the line rings this phone from the number typed."""
        number = el("caller").value.strip()
        problem = number_problem(number)
        field_error("caller", problem)
        if problem or self.live is not None or self.line is None:
            return
        try:
            await self.line.ring(number)
        except CallError as exc:
            log(f"the line could not ring this phone: {exc.message}", error=True)

    async def hang_up(self):
        if self.live is not None:
            self.live.hang_up()  # a ringing call is rejected; on_over writes the note

    # ---- the engine's events
    async def on_ringing(self, call):
        if self.live is not None:  # one call at a time
            call.reject()
            return
        self.live, self.shown = call, call.number
        self.record = {"case_id": None, "customer_id": None}
        el("number").value = call.number
        el("timer").textContent = clock(0)
        self.buttons(in_call=True, answer=True)
        self.set_state(f"Incoming call from {call.number}")
        log(f"inbound call from {call.number}: searchAndScreenPop")
        await interaction.searchAndScreenPop(call.number, "object=customer")
        try:
            info = await interaction.getPageInfo()
        except desk.NotSupportedOnPage:
            info = None
        if info is not None and info.object == "case":
            self.record.update(case_id=info.objectId, case_name=info.objectName)
        if call.state == "ringing":
            self.set_state(f"Incoming call from {call.number}{self.about()}")

    def about(self):
        if self.record.get("case_name"):
            return f" · case #{self.record['case_id']}: {self.record['case_name']}"
        return " · no exact customer match" if self.live and str(self.live.direction) == "inbound" else ""

    def on_answered(self, call):
        self.buttons(in_call=True)
        self.set_state(f"On call with {self.shown}{self.about()}")
        log(f"connected to {self.shown}")
        self.ticker = asyncio.ensure_future(self.tick(call))

    async def tick(self, call):
        """The timer, and what arrived of the other side's audio (the engine's media figures)."""
        turn = 0
        while call.state in ("active", "held"):
            el("timer").textContent = clock(call.duration)
            if turn % 2 == 0:
                stats = await call.media_stats()
                el("audio").textContent = f"♪ {stats.packets_received} in" if stats.packets_received else ""
            turn += 1
            await asyncio.sleep(0.5)
        el("audio").textContent = ""

    async def on_over(self, call):
        if call is not self.live:
            return
        self.live = None
        self.buttons(in_call=False)
        duration = clock(call.duration)
        el("timer").textContent = duration
        if call.state == "ended":
            ended = f"Call ended after {duration}" + ("" if call.reason == "hung up" else f" ({call.reason})")
        else:
            ended = f"Call {call.reason}: {self.shown}"
        self.set_state(ended)
        log(f"call with {self.shown} {call.state}: {call.reason}" + (f" ({call.detail})" if call.detail else ""))
        await self.write_note(call, ended)

    async def write_note(self, call, ended):
        """Every call, connected or not, leaves a note on its case (a new phone case for a call
        placed from a customer's record)."""
        case_id, direction = self.record.get("case_id"), str(call.direction)
        if case_id is None and self.record.get("customer_id") is not None:
            created = await interaction.ajax("/api/v2/cases", {"method": "POST", "data": {
                "subject": f"Outbound call to {self.shown}", "type": "phone",
                "customer_id": int(self.record["customer_id"])}})
            case_id = str(created.data["id"])
            await interaction.screenPop(case_id, "object=case")
        if case_id is None:
            log(f"call with {self.shown} over; no case to note it on")
            return
        body = f"Phone call with {self.shown} ({direction}), {clock(call.duration)}, {call.reason}."
        note = await interaction.ajax(f"/api/v2/cases/{case_id}/notes", {"method": "POST", "data": {"body": body}})
        log(f"note #{note.data['id']} saved on case #{case_id}")
        self.set_state(f"{ended} · note saved on case #{case_id}")

    # ---- the console's events
    def on_click_to_dial(self, response):
        if response.error:
            log(f"click-to-dial failed: {response.error}", error=True)
            return
        r = response.result
        self.dial_context = (r.object, r.objectId)
        el("number").value = r.number
        if self.live is None:
            self.set_state(f"Ready to call {r.number} ({r.object} #{r.objectId})")
        log(f"clicked {r.number}")

    def on_focus(self, response):
        # The console's focus event carries an error when no case, customer or company is in view.
        info = response.result
        self.focus = info
        text = "No record in view" if info is None else f"In view: {info.object} #{info.objectId} · {info.objectName}"
        el("in-view").textContent = text
        el("in-view").title = text  # the whole of it, where the line is cut short
