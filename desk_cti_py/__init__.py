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

from ._page import run_script as _run_script  # noqa: F401  (the loader calls it)
from ._ready import fire_ready as _fire_ready  # noqa: F401  (the loader calls it)
from ._ready import is_ready, ready
from .api import Cti, Interaction, get_client
from .client import Client
from .events import Subscription
from .connection import Connection, configure, connect, current, disconnect
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
    UnsupportedVersion,
    UserInfo,
)
from .protocol import VERSION as PROTOCOL_VERSION
from .transport import MemoryTransport, Transport

#: The one version number: loader/package.json and CHANGELOG.md follow it (tests/unit/test_version.py).
__version__ = "0.2.0"
version = __version__

#: ``desk.interaction``; ``interaction.cti`` is ``desk.interaction.cti``.
interaction = Interaction()
cti = interaction.cti

__all__ = [
    "AjaxError", "AjaxErrorInfo", "AjaxResult", "BadArguments", "Busy", "ClickToDial", "Client",
    "Connection", "ConnectionLost", "ConsoleError", "Cti", "CtiError", "CtiTimeout", "Interaction",
    "MemoryTransport", "NotConnected", "NotFound", "NotSupportedOnPage", "OriginNotAllowed",
    "PROTOCOL_VERSION", "PageInfo", "Response", "Subscription", "TooLarge", "Transport", "UnknownMethod",
    "UnsupportedVersion", "UserInfo", "configure", "connect", "cti", "current", "disconnect", "get_client", "interaction",
    "is_ready", "ready", "version",
]
