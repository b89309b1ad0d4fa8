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

from collections.abc import Iterable
from typing import Any

from ._page import run_script as _run_script  # noqa: F401  (the loader calls it)
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
    Busy,
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
    TooLarge,
    UnknownMethod,
    UserInfo,
)
from .protocol import VERSION as PROTOCOL_VERSION
from .protocol import ArgumentError

__version__ = "0.1.0"
version = __version__

#: ``desk.interaction``; ``interaction.cti`` is ``desk.interaction.cti``.
interaction = Interaction()
cti = interaction.cti

_transport: dict[str, Any] = {"transport": None}
_defaults: dict[str, Any] = {"timeout": DEFAULT_TIMEOUT, "eager_resume": True}


def connect(console_origins: Iterable[str] | str | None = None, *, development: bool = False,
            timeout: float | None = None) -> Client:
    """Connect to the console in the parent window (the loader does this at boot).

    ``console_origins``: the console origins this softphone accepts, exact
    (``https://desk.example.com``) or for every subdomain (``https://*.example.com``).
    The softphone connects only to an embedding page of one of them; anything
    else raises :class:`OriginNotAllowed` and nothing is posted. With no list,
    only ``development=True`` connects, to whichever page embeds the softphone
    (for local work; the loader shows a warning). Returns the client.
    """
    from . import _browser

    disconnect()
    transport = _browser.BrowserTransport()
    try:
        client = Client(
            transport.post,
            console_origins=console_origins,
            parent_origin=_browser.detect_console_origin(),
            development=development,
            timeout=_defaults["timeout"] if timeout is None else timeout,
            eager_resume=_defaults["eager_resume"],
        )
    except ArgumentError as exc:
        raise BadArguments(f"connect: {exc}") from None
    client.start()
    if client.refusal is not None:
        raise client.refusal
    transport.attach(client)
    _transport["transport"] = transport
    set_client(client)
    return client


def disconnect() -> None:
    """Close the connection: pending calls fail with ConnectionLost, the listener proxy is destroyed."""
    client = set_client(None)
    if client is not None:
        client.close()
    transport = _transport["transport"]
    if transport is not None:
        transport.detach()
        _transport["transport"] = None


def configure(*, timeout: float | None = None, eager_resume: bool | None = None) -> None:
    """Set defaults for this connection and later ones; what is left out stays as it is.

    ``timeout``: seconds every later call waits for its answer (a call's ``timeout=`` wins).
    ``eager_resume`` (default ``True``): a task awaiting a reply resumes inside the message
    event that delivered it, as a JS promise continuation does, instead of in a later
    browser task scheduled by Pyodide's event loop (about 0.1-0.2 ms a call). Set it to
    ``False`` if code resumed by a reply calls ``pyodide.ffi.run_sync`` (JSPI): that needs
    the loop's own scheduling.
    """
    if timeout is not None and (
        isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not 0 < timeout < 1e9
    ):
        raise BadArguments("timeout must be a positive number of seconds")
    if eager_resume is not None and not isinstance(eager_resume, bool):
        raise BadArguments("eager_resume must be True or False")
    client = _api_state["client"]
    if timeout is not None:
        _defaults["timeout"] = float(timeout)
        if client is not None:
            client.timeout = float(timeout)
    if eager_resume is not None:
        _defaults["eager_resume"] = eager_resume
        if client is not None:
            client.eager_resume = eager_resume


__all__ = [
    "AjaxError", "AjaxErrorInfo", "AjaxResult", "BadArguments", "Busy", "ClickToDial", "Client",
    "ConnectionLost", "ConsoleError", "Cti", "CtiError", "CtiTimeout", "Interaction",
    "NotConnected", "NotFound", "NotSupportedOnPage", "OriginNotAllowed", "PROTOCOL_VERSION",
    "PageInfo", "Response", "Subscription", "TooLarge", "UnknownMethod", "UserInfo", "configure", "connect",
    "cti", "disconnect", "get_client", "interaction", "is_ready", "ready", "set_client", "version",
]
