"""The demo softphone, in Python, on desk_cti_py."""

import asyncio

from js import document
from pyodide.ffi.wrappers import add_event_listener

from desk_cti_py import interaction, ready

cti = interaction.cti
height = 420


def show(text):
    document.getElementById("screen").textContent = text


async def resize(delta):
    global height
    height = max(200, height + delta)
    ok = await cti.setSoftphoneHeight(height)
    show(f"Height {height}px: {'set' if ok else 'refused'}")


@ready
async def start():
    document.getElementById("phone").hidden = False
    await cti.setSoftphoneHeight(height)
    visible = await interaction.isVisible()
    show(f"Ready. Visible: {visible}")


add_event_listener(document.getElementById("taller"), "click", lambda e: asyncio.ensure_future(resize(40)))
add_event_listener(document.getElementById("shorter"), "click", lambda e: asyncio.ensure_future(resize(-40)))
