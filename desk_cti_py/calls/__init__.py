"""Calls: place and take real calls from a Python softphone, whatever the telephony vendor.

>>> from desk_cti_py.calls import sip_engine
>>> phone = sip_engine("wss://pbx.example.com/ws", "sip:agent@pbx.example.com", password="...")
>>> await phone.start()                      # registered: calls can come in
>>> call = phone.dial("+1 555 0100")         # Call, state DIALING
>>> await call.wait_answered()
>>> call.send_dtmf("1#"); await call.hold(); await call.resume(); call.hang_up()

:class:`CallEngine` is the interface (calls, states, events, awaitables); a :class:`Driver`
moves the calls: :func:`sip_engine` gives one speaking SIP over WebSocket with WebRTC audio in
the browser (JsSIP, self-hosted); ``desk_cti_py.calls.testing`` an in-memory one for tests.
"""

from __future__ import annotations

from typing import Any

from .engine import EVENTS, Call, CallEngine, Driver, Sink
from .model import (
    BadArguments,
    CallError,
    CallFailed,
    CallState,
    Direction,
    EngineStatus,
    InvalidCallState,
    MediaStats,
    Reason,
)
from .sip import SipConfig

__all__ = [
    "EVENTS", "BadArguments", "Call", "CallEngine", "CallError", "CallFailed", "CallState", "Direction",
    "Driver", "EngineStatus", "InvalidCallState", "MediaStats", "Reason", "SipConfig", "Sink", "sip_engine",
]


def sip_engine(server: str, uri: str, **options: Any) -> CallEngine:
    """A CallEngine speaking SIP over WebSocket (RFC 7118) with WebRTC audio, in the browser.

    ``server``: the PBX's WebSocket URL (``wss://pbx.example.com:8089/ws``); ``uri``: this
    phone's SIP address; options: ``password``, ``authorization_user``, ``display_name``,
    ``register`` (True: take inbound calls), ``ice_servers`` (stun:/turn: URLs),
    ``jssip_url`` (where the self-hosted JsSIP is; default ``vendor/jssip.js`` beside the
    loader), ``no_answer_timeout`` (seconds), ``dtmf_duration_ms``, ``audio_processing``
    (the browser's echo cancelling, noise suppression and gain control; on by default). The settings are checked
    here (BadArguments); JsSIP is loaded by ``start()``.
    """
    config = SipConfig(server, uri, **options)
    from ._sip import SipDriver  # the browser room: imported only when a SIP engine is made

    return CallEngine(SipDriver(config), no_answer_timeout=config.no_answer_timeout)
