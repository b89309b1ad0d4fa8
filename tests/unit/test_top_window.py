"""A softphone page opened as the top window: nothing is posted, calls fail at once."""

import pytest

import desk_cti_py as d
from desk_cti_py.connection import disconnect, open_connection
from desk_cti_py.transport import MemoryTransport

pytestmark = pytest.mark.asyncio


async def test_a_top_window_posts_no_hello_and_its_calls_fail_at_once():
    posted = []
    transport = MemoryTransport(lambda text, target: posted.append((text, target)))
    conn = open_connection(transport, "https://console.example", embedded=False)
    try:
        with pytest.raises(d.NotConnected, match="not in a console's frame"):
            await d.interaction.isVisible()
        assert posted == []
        assert not conn.client.connected
    finally:
        disconnect()


async def test_an_embedded_page_greets_its_console():
    posted = []
    transport = MemoryTransport(lambda text, target: posted.append((text, target)))
    open_connection(transport, "https://console.example", parent_origin="https://console.example")
    try:
        assert [target for _, target in posted] == ["https://console.example"]
        assert '"type":"hello"' in posted[0][0]
    finally:
        disconnect()
