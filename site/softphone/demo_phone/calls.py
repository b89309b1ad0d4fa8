"""The call UI: dial, an inbound call, the timer, hang-up with its note, click-to-dial and focus.

Calls are simulated (a timer and notes through the console's API); a call engine plugs in here.
"""

import asyncio
import time

import desk_cti_py as desk
from desk_cti_py import interaction

from .checks import number_problem
from .page import el, field_error, log


class Phone:
    def __init__(self):
        self.call = None  # {"number", "direction", "started", "case_id", "customer_id"}
        self.dial_context = None  # (object, objectId) of the last clicked number
        self.focus = None  # the PageInfo in view
        self.ticker = None

    def set_state(self, text):
        el("call-state").textContent = text

    def start_call(self, number, direction, case_id=None, customer_id=None):
        self.call = {"number": number, "direction": direction, "started": time.monotonic(),
                     "case_id": case_id, "customer_id": customer_id}
        el("timer").textContent = self.elapsed()
        el("call").disabled = el("inbound").disabled = True
        el("hangup").disabled = False
        self.ticker = asyncio.ensure_future(self.tick())

    async def tick(self):
        while self.call:
            el("timer").textContent = self.elapsed()
            await asyncio.sleep(0.5)

    def elapsed(self):
        seconds = int(time.monotonic() - self.call["started"]) if self.call else 0
        return f"{seconds // 60:02d}:{seconds % 60:02d}"

    async def dial(self):
        number = el("number").value.strip()
        if not number:
            self.set_state("Enter a number, or click one in the console")
            return
        if number_problem(number):
            self.set_state(number_problem(number))
            return
        case_id = customer_id = None
        context = self.dial_context or ((self.focus.object, self.focus.objectId) if self.focus else None)
        if context and context[0] == "case":
            case_id = context[1]
        elif context and context[0] == "customer":
            customer_id = context[1]
        self.start_call(number, "outbound", case_id, customer_id)
        self.set_state(f"Calling {number}")
        log(f"outbound call to {number}")

    async def inbound(self):
        number = el("caller").value.strip()
        problem = number_problem(number)
        field_error("caller", problem)
        if problem or self.call:
            return
        self.set_state(f"Incoming call from {number}")
        log(f"inbound call from {number}: searchAndScreenPop")
        await interaction.searchAndScreenPop(number, "object=customer")
        case_id = None
        try:
            info = await interaction.getPageInfo()
            if info.object == "case":
                case_id = info.objectId
                self.set_state(f"On call with {number} · case #{case_id}: {info.objectName}")
        except desk.NotSupportedOnPage:
            self.set_state(f"On call with {number} · no exact customer match")
        el("number").value = number
        self.start_call(number, "inbound", case_id)

    async def hang_up(self):
        call, duration = self.call, self.elapsed()
        if not call:
            return
        self.call = None
        el("call").disabled = el("inbound").disabled = False
        el("hangup").disabled = True
        self.set_state(f"Call ended after {duration}")
        case_id = call["case_id"]
        if case_id is None and call["customer_id"] is not None:
            created = await interaction.ajax("/api/v2/cases", {"method": "POST", "data": {
                "subject": f"Outbound call to {call['number']}", "type": "phone",
                "customer_id": int(call["customer_id"])}})
            case_id = str(created.data["id"])
            await interaction.screenPop(case_id, "object=case")
        if case_id is None:
            log(f"call with {call['number']} ended ({duration}); no case to note it on")
            return
        body = f"Phone call with {call['number']} ({call['direction']}), {duration}."
        note = await interaction.ajax(f"/api/v2/cases/{case_id}/notes", {"method": "POST", "data": {"body": body}})
        log(f"note #{note.data['id']} saved on case #{case_id}")
        self.set_state(f"Call ended after {duration} · note saved on case #{case_id}")

    def on_click_to_dial(self, response):
        if response.error:
            log(f"click-to-dial failed: {response.error}", error=True)
            return
        r = response.result
        self.dial_context = (r.object, r.objectId)
        el("number").value = r.number
        self.set_state(f"Ready to call {r.number} ({r.object} #{r.objectId})")
        log(f"clicked {r.number}")

    def on_focus(self, response):
        # The console's focus event carries an error when no case, customer or company is in view.
        info = response.result
        self.focus = info
        if info is None:
            el("in-view").textContent = "No record in view"
            return
        el("in-view").textContent = f"In view: {info.object} #{info.objectId} · {info.objectName}"
