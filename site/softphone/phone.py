"""The demo softphone, in Python on desk_cti_py: a dial pad, click-to-dial, inbound calls
that pop the caller's new phone case, a call timer, a note on hang-up through ajax, and
buttons that try every Open CTI method by hand."""

import asyncio
import json
import time

from js import document
from pyodide.ffi.wrappers import add_event_listener

import desk_cti_py as desk
from desk_cti_py import cti, interaction, ready


def el(element_id):
    return document.getElementById(element_id)


def log(text, error=False):
    item = document.createElement("li")
    item.textContent = f"{time.strftime('%H:%M:%S')} {text}"
    if error:
        item.className = "error"
    el("log").prepend(item)


def on_click(element, handler):
    """Run an async handler on click; an error is shown in the log, never lost."""

    async def run():
        try:
            await handler()
        except desk.CtiError as exc:
            log(f"{type(exc).__name__}: {exc.message}", error=True)

    add_event_listener(element, "click", lambda event: asyncio.ensure_future(run()))


class Phone:
    def __init__(self):
        self.call = None  # {"number", "direction", "started", "case_id", "customer_id"}
        self.dial_context = None  # (object, objectId) of the last clicked number
        self.focus = None  # the PageInfo in view
        self.height = 640
        self.width = 320
        self.ticker = None

    # ------------------------------------------------------------ calls
    def set_state(self, text):
        el("call-state").textContent = text

    def start_call(self, number, direction, case_id=None, customer_id=None):
        self.call = {"number": number, "direction": direction, "started": time.monotonic(),
                     "case_id": case_id, "customer_id": customer_id}
        el("call").disabled = True
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
        el("call").disabled = False
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

    # ----------------------------------------------------------- events
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
        info = response.result
        if info is None:
            return
        self.focus = info
        el("in-view").textContent = f"In view: {info.object} #{info.objectId} · {info.objectName}"

    # ------------------------------------------------------- the panel
    async def resize(self, dh=0, dw=0):
        if dh:
            self.height = max(300, self.height + dh)
            await cti.setSoftphoneHeight(self.height)
        if dw:
            self.width = max(260, self.width + dw)
            await cti.setSoftphoneWidth(self.width)
        log(f"panel {self.width}×{self.height}")

    async def hide_for_a_while(self):
        await interaction.setVisible(False)
        await asyncio.sleep(3)
        await interaction.setVisible(True)
        el("visible-state").textContent = "visible" if await interaction.isVisible() else "hidden"

    async def toggle_click_to_dial(self):
        if el("ctd").checked:
            await cti.enableClickToDial()
        else:
            await cti.disableClickToDial()
        log(f"click-to-dial {'on' if el('ctd').checked else 'off'}")


def show(response):
    """A callback-style answer, shown as the seed's response object."""

    def plain(value):
        return value.to_dict() if hasattr(value, "to_dict") else value

    out = {"result": plain(response.result)}
    if "error" in response:
        out["error"] = plain(response.error)
    el("output").textContent = json.dumps(out, indent=1)


def try_ajax():
    raw = el("ajax-data").value.strip()
    config = {"method": el("ajax-method").value, "callback": show}
    if raw:
        try:
            config["data"] = json.loads(raw)
        except ValueError:
            config["data"] = raw
    interaction.ajax(el("ajax-url").value.strip(), config)


phone = Phone()
cti.onClickToDial(phone.on_click_to_dial)
interaction.onFocus(phone.on_focus)

for key in document.querySelectorAll(".dialpad button"):
    add_event_listener(key, "click", lambda e: setattr(el("number"), "value", el("number").value + e.target.dataset.key))

on_click(el("call"), phone.dial)
on_click(el("hangup"), phone.hang_up)
on_click(el("inbound"), phone.inbound)
on_click(el("taller"), lambda: phone.resize(dh=60))
on_click(el("shorter"), lambda: phone.resize(dh=-60))
on_click(el("wider"), lambda: phone.resize(dw=40))
on_click(el("narrower"), lambda: phone.resize(dw=-40))
on_click(el("hide"), phone.hide_for_a_while)
add_event_listener(el("ctd"), "change", lambda e: asyncio.ensure_future(phone.toggle_click_to_dial()))

# "Try the API": callback style, the answer shown as the seed's response object.
add_event_listener(el("pop"), "click", lambda e: interaction.screenPop(
    el("pop-id").value.strip(), f"object={el('pop-object').value}", show))
add_event_listener(el("search"), "click", lambda e: interaction.searchAndScreenPop(
    el("search-text").value, f"object={el('search-object').value}", show))
add_event_listener(el("page-info"), "click", lambda e: interaction.getPageInfo(show))
add_event_listener(el("user-info"), "click", lambda e: interaction.getUserInfo(show))
add_event_listener(el("is-visible"), "click", lambda e: interaction.isVisible(show))
add_event_listener(el("ajax"), "click", lambda e: try_ajax())


@ready
async def start():
    el("phone").hidden = False
    await cti.setSoftphoneHeight(phone.height)
    me = await interaction.getUserInfo()
    el("agent").textContent = me.fullName
    el("avatar").src = me.profileThumbnailUrl
    await cti.enableClickToDial()
    el("visible-state").textContent = "visible" if await interaction.isVisible() else "hidden"
    try:
        phone.on_focus(desk.Response(await interaction.getPageInfo()))
    except desk.NotSupportedOnPage:
        pass
    log("ready")
