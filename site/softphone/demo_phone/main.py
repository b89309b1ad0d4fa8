"""The demo softphone wired to its page and to the console: start() once, from the page."""

import asyncio

from js import document
from pyodide.ffi.wrappers import add_event_listener

import desk_cti_py as desk
from desk_cti_py import cti, interaction, ready

from . import tryapi
from .calls import Phone
from .lines import open_line
from .page import el, field_error, log, on_click
from .panel import Panel


def start():
    """Listen to the console, wire the page's buttons, and finish setting up once connected."""
    phone, panel = Phone(), Panel()
    line = asyncio.ensure_future(open_line())  # farend.json is read while the console connects
    cti.onClickToDial(phone.on_click_to_dial)
    interaction.onFocus(phone.on_focus)

    for key in document.querySelectorAll(".dialpad button"):
        add_event_listener(key, "click", lambda e: press(phone, e.target.dataset.key))

    on_click(el("call"), phone.dial)
    on_click(el("hangup"), phone.hang_up)
    on_click(el("inbound"), phone.inbound)
    on_click(el("taller"), lambda: panel.resize(dh=60))
    on_click(el("shorter"), lambda: panel.resize(dh=-60))
    on_click(el("wider"), lambda: panel.resize(dw=40))
    on_click(el("narrower"), lambda: panel.resize(dw=-40))
    on_click(el("hide"), panel.hide_for_a_while)
    add_event_listener(el("ctd"), "change", lambda e: asyncio.ensure_future(panel.toggle_click_to_dial()))
    tryapi.wire()
    add_event_listener(el("caller"), "input", lambda e: field_error("caller", None))

    @ready
    async def connected():
        el("phone").hidden = False
        await cti.setSoftphoneHeight(panel.height)
        me = await interaction.getUserInfo()
        el("agent").textContent = me.fullName
        el("avatar").src = me.profileThumbnailUrl
        await cti.enableClickToDial()
        await panel.show_visibility()
        try:
            phone.on_focus(desk.Response(await interaction.getPageInfo()))
        except desk.NotSupportedOnPage:
            pass
        await phone.use(await line)
        log("ready")

    return phone


def press(phone, key):
    """A dial pad key: a digit of the number, or a DTMF digit sent on a connected call."""
    if phone.live is not None and phone.live.state == "active":
        phone.live.send_dtmf(key)
    else:
        el("number").value = el("number").value + key
