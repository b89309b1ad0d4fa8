"""The demo softphone, in Python on desk_cti_py: a dial pad, click-to-dial, inbound calls
that pop the caller's new phone case, a call timer, a note on hang-up through ajax, and
buttons that try every Open CTI method by hand."""

import asyncio
import json
import re
import time

from js import document, window
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


# A telephone number as an agent types it: digits with spaces, dashes, dots or brackets, an
# optional leading +, and 7 to 15 digits (E.164's longest).
NUMBER = re.compile(r"\+?[0-9][0-9 ().-]*")


def number_problem(text):
    """Why ``text`` is not a number to call, or None."""
    if not text:
        return "Enter the caller's number."
    digits = re.sub(r"\D", "", text)
    if not NUMBER.fullmatch(text) or not 7 <= len(digits) <= 15:
        return "Not a phone number: 7 to 15 digits, with spaces, dashes, brackets or a leading + only."
    return None


def field_error(field_id, message):
    """Show (or clear, with None) the error next to a field."""
    box = el(f"{field_id}-error")
    box.textContent = message or ""
    box.hidden = not message
    el(field_id).setAttribute("aria-invalid", "true" if message else "false")


def api_field_errors(exc):
    """The API's field errors of a failed ajax ({"errors": {field: [message]}}), as one line."""
    data = (exc.details or {}).get("data") if isinstance(exc.details, dict) else None
    errors = data.get("errors") if isinstance(data, dict) else None
    if not isinstance(errors, dict):
        return ""
    return "; ".join(f"{field}: {', '.join(map(str, msgs if isinstance(msgs, list) else [msgs]))}"
                     for field, msgs in errors.items())


def on_click(element, handler):
    """Run an async handler on click; an error is shown in the log, never lost."""

    async def run():
        try:
            await handler()
        except desk.CtiError as exc:
            fields = api_field_errors(exc)
            log(f"{type(exc).__name__}: {exc.message}" + (f" ({fields})" if fields else ""), error=True)

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
        # The console's focus event carries an error when no case, customer or company is in view.
        info = response.result
        self.focus = info
        if info is None:
            el("in-view").textContent = "No record in view"
            return
        el("in-view").textContent = f"In view: {info.object} #{info.objectId} · {info.objectName}"

    # ------------------------------------------------------- the panel
    async def resize(self, dh=0, dw=0):
        # The console fits the panel to what it can show; the log says what it got.
        if dh:
            self.height = max(0, self.height + dh)
            await cti.setSoftphoneHeight(self.height)
        if dw:
            self.width = max(0, self.width + dw)
            await cti.setSoftphoneWidth(self.width)
        await asyncio.sleep(0.2)  # the console animates the height
        log(f"panel {window.innerWidth}×{window.innerHeight} (asked {self.width}×{self.height})")

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


async def try_ajax():
    """ajax, awaited: a failure shows the seed's error object, and under it the API's field
    errors (a 422's {"errors": {field: [message]}}), which the error object does not carry."""
    raw = el("ajax-data").value.strip()
    config = {"method": el("ajax-method").value}
    if raw:
        try:
            config["data"] = json.loads(raw)
        except ValueError:
            config["data"] = raw
    fields = ""
    try:
        response = desk.Response(await interaction.ajax(el("ajax-url").value.strip(), config))
    except desk.AjaxError as exc:
        response = desk.Response(None, exc.error, exc.code)
        fields = api_field_errors(exc)
    except desk.CtiError as exc:
        response = desk.Response(None, exc.error, exc.code)
    show(response)
    el("field-errors").textContent = f"Field errors: {fields}" if fields else ""
    el("field-errors").hidden = not fields


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
add_event_listener(el("ajax"), "click", lambda e: asyncio.ensure_future(try_ajax()))
add_event_listener(el("caller"), "input", lambda e: field_error("caller", None))


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
