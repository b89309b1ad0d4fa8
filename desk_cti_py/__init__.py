"""desk-cti-py: Desk.com Open CTI for Python softphones running under Pyodide.

>>> from desk_cti_py import ready, interaction
>>> @ready
... def start():
...     interaction.cti.setSoftphoneHeight(400)

``interaction`` holds the seed's methods (``screenPop``, ``getPageInfo``,
``ajax``...) and ``interaction.cti`` the softphone's (``setSoftphoneHeight``,
``enableClickToDial``...), each with a snake_case twin.
"""

from __future__ import annotations

from typing import Any

from ._ready import fire_ready as _fire_ready  # noqa: F401  (the loader calls it)
from ._ready import is_ready, ready
from .client import DEFAULT_TIMEOUT, Client, Subscription
from .api import Cti, Interaction, get_client, set_client
from .api import _state as _api_state
from .models import (
    AjaxError,
    AjaxErrorInfo,
    AjaxResult,
    BadArguments,
    ClickToDial,
    ConnectionLost,
    ConsoleError,
    CtiError,
    CtiTimeout,
    NotConnected,
    NotFound,
    NotSupportedOnPage,
    OriginNotAllowed,
    PageInfo,
    Response,
    UnknownMethod,
    UserInfo,
)
from .protocol import VERSION as PROTOCOL_VERSION

__version__ = "0.1.0"
version = __version__

#: ``desk.interaction``; ``interaction.cti`` is ``desk.interaction.cti``.
interaction = Interaction()
cti = interaction.cti

_transport: dict[str, Any] = {"transport": None}
_defaults: dict[str, float] = {"timeout": DEFAULT_TIMEOUT}


def connect(console_origin: str | None = None, *, timeout: float | None = None) -> Client:
    """Connect to the console in the parent window (the loader does this at boot).

    ``console_origin`` pins the console's origin; left out, it is read from
    ``location.ancestorOrigins`` or the referrer. Returns the client.
    """
    from . import _browser

    disconnect()
    transport = _browser.BrowserTransport()
    client = Client(
        transport.post,
        console_origin=console_origin or _browser.detect_console_origin(),
        timeout=_defaults["timeout"] if timeout is None else timeout,
    )
    transport.attach(client.receive)
    _transport["transport"] = transport
    set_client(client)
    client.start()
    return client


def _state_client() -> Client | None:
    return _api_state["client"]


def disconnect() -> None:
    """Close the connection: pending calls fail with ConnectionLost, the listener proxy is destroyed."""
    client = set_client(None)
    if client is not None:
        client.close()
    transport = _transport["transport"]
    if transport is not None:
        transport.detach()
        _transport["transport"] = None


def configure(*, timeout: float) -> None:
    """Set the default timeout, in seconds, for every later call (a call's ``timeout=`` wins)."""
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not 0 < timeout < 1e9:
        raise BadArguments("timeout must be a positive number of seconds")
    _defaults["timeout"] = float(timeout)
    client = _state_client()
    if client is not None:
        client.timeout = float(timeout)


__all__ = [
    "AjaxError", "AjaxErrorInfo", "AjaxResult", "BadArguments", "ClickToDial", "Client",
    "ConnectionLost", "ConsoleError", "Cti", "CtiError", "CtiTimeout", "Interaction",
    "NotConnected", "NotFound", "NotSupportedOnPage", "OriginNotAllowed", "PROTOCOL_VERSION",
    "PageInfo", "Response", "Subscription", "UnknownMethod", "UserInfo", "configure", "connect",
    "cti", "disconnect", "get_client", "interaction", "is_ready", "ready", "set_client", "version",
]
