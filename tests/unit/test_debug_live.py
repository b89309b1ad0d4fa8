"""Debug mode switched on and off for the connection in use (needs Client.use_transport)."""

import pytest

import desk_cti_py as d
from desk_cti_py import connection as c

from test_debug import CONSOLE, Console


@pytest.fixture(autouse=True)
def clean():
    yield
    c.disconnect()
    d.configure(debug=False)


@pytest.mark.asyncio
async def test_configure_debug_turns_it_on_and_off_for_the_live_connection(capsys):
    console = Console()
    conn = c.open_connection(console.transport, CONSOLE)
    assert await d.interaction.isVisible() is True
    assert "desk-cti debug" not in capsys.readouterr().out
    d.configure(debug=True)
    assert conn.debug and conn.transport.inner is console.transport
    assert await d.interaction.isVisible() is True
    out = capsys.readouterr().out
    assert f"-> out to {CONSOLE} request id=" in out and f"<- in from {CONSOLE} response id=" in out
    d.configure(debug=False)
    assert not conn.debug and conn.transport is console.transport
    assert await d.interaction.isVisible() is True
    assert "desk-cti debug" not in capsys.readouterr().out
