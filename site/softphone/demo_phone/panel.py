"""The softphone panel in the console: its size, hiding it for a while, click-to-dial on or off."""

import asyncio

from js import window

from desk_cti_py import cti, interaction

from .page import el, log


class Panel:
    def __init__(self):
        self.height = 640
        self.width = 320

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
        await self.show_visibility()

    async def show_visibility(self):
        el("visible-state").textContent = "visible" if await interaction.isVisible() else "hidden"

    async def toggle_click_to_dial(self):
        if el("ctd").checked:
            await cti.enableClickToDial()
        else:
            await cti.disableClickToDial()
        log(f"click-to-dial {'on' if el('ctd').checked else 'off'}")
