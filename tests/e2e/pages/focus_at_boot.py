# A softphone that listens for focus from ready(), as a page ported from Desk's JavaScript would:
# it shows every focus it heard by the time a first round trip to the console is over. The
# console sends the record in view at the handshake, before it answers any request, so a focus
# not heard by then was lost.
from js import document

from desk_cti_py import interaction, ready

heard = []


@ready
async def listen():
    interaction.onFocus(lambda r: heard.append(f"{r.result.object} #{r.result.objectId}" if r.result else r.code))
    await interaction.isVisible()
    document.getElementById("heard").textContent = ", ".join(heard) or "nothing heard"
