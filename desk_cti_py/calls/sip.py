"""The SIP engine's settings, checked in plain Python before anything reaches the browser.

SIP over WebSocket (RFC 7118) to the user's own server or PBX: where it is (``server``,
``ws://`` or ``wss://``), who this phone is (``uri``, ``sip:agent@pbx.example.com``) and its
credentials. No ``js`` here; the engine itself is ``_sip``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from .model import BadArguments, Reason, check_timeout

_SIP_URI = re.compile(r"sips?:[A-Za-z0-9+_.!~*'()%&=$,;?/-]+@[A-Za-z0-9.-]+(?::\d{1,5})?|sips?:\[[0-9a-fA-F:.]+\](?::\d{1,5})?")


def _url(value: Any, what: str, schemes: tuple[str, ...]) -> str:
    if not isinstance(value, str) or not value:
        raise BadArguments(f"{what} must be a URL string")
    parts = urlsplit(value)
    if parts.scheme not in schemes or not parts.hostname:
        raise BadArguments(f"{what} must be a {' or '.join(s + '://' for s in schemes)} URL, not {value!r}")
    return value


def _text(value: Any, what: str, limit: int = 256) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > limit or any(ord(c) < 32 for c in value):
        raise BadArguments(f"{what} must be a string of at most {limit} printable characters")
    return value


class SipConfig:
    """Settings of the SIP engine (see :func:`desk_cti_py.calls.sip_engine`)."""

    def __init__(self, server: str, uri: str, *, password: str | None = None,
                 authorization_user: str | None = None, display_name: str | None = None,
                 register: bool = True, ice_servers: Sequence[str] = (), jssip_url: str | None = None,
                 no_answer_timeout: float = 60.0, dtmf_duration_ms: int = 100,
                 audio_processing: bool = True) -> None:
        self.server = _url(server, "server", ("ws", "wss"))
        if not isinstance(uri, str) or not _SIP_URI.fullmatch(uri):
            raise BadArguments(f"uri must be a SIP URI such as 'sip:agent@pbx.example.com', not {uri!r}")
        self.uri = uri
        self.password = _text(password, "password")
        self.authorization_user = _text(authorization_user, "authorization_user")
        self.display_name = _text(display_name, "display_name")
        if not isinstance(register, bool):
            raise BadArguments("register must be True or False")
        self.register = register
        if isinstance(ice_servers, str) or not isinstance(ice_servers, Sequence):
            raise BadArguments("ice_servers must be a list of stun: or turn: URLs")
        for s in ice_servers:
            if not isinstance(s, str) or not re.fullmatch(r"(stuns?|turns?):[^\s]+", s):
                raise BadArguments(f"not a stun: or turn: URL: {s!r}")
        self.ice_servers = list(ice_servers)
        self.jssip_url = _text(jssip_url, "jssip_url", 2048)
        if self.jssip_url is not None and ("://" in self.jssip_url or self.jssip_url.startswith("//")):
            _url(self.jssip_url, "jssip_url", ("http", "https"))
        self.no_answer_timeout = check_timeout(no_answer_timeout, "no_answer_timeout") or 60.0
        if isinstance(dtmf_duration_ms, bool) or not isinstance(dtmf_duration_ms, int) \
                or not 40 <= dtmf_duration_ms <= 6000:
            raise BadArguments("dtmf_duration_ms must be a whole number from 40 to 6000")
        self.dtmf_duration_ms = dtmf_duration_ms
        if not isinstance(audio_processing, bool):
            raise BadArguments("audio_processing must be True or False")
        #: the browser's echo cancelling, noise suppression and gain control on the microphone
        self.audio_processing = audio_processing

    @property
    def host(self) -> str:
        return self.uri.split("@", 1)[-1].split(":")[0].strip("[]")

    def __repr__(self) -> str:
        return f"SipConfig(server={self.server!r}, uri={self.uri!r}, password={'***' if self.password else None})"


# JsSIP's end causes (JsSIP.C.causes) -> the engine's reasons; where the side matters, by who ended.
_CAUSES: dict[str, Reason | tuple[Reason, Reason]] = {
    "Terminated": (Reason.HUNG_UP, Reason.REMOTE_HUNG_UP),  # BYE: (this side, the other side)
    "Canceled": (Reason.HUNG_UP, Reason.CANCELLED),
    "Rejected": (Reason.REJECTED, Reason.DECLINED),
    "Busy": Reason.BUSY,
    "No Answer": Reason.NO_ANSWER,
    "Expires": Reason.NO_ANSWER,
    "Not Found": Reason.NOT_FOUND,
    "Address Incomplete": Reason.NOT_FOUND,
    "Unavailable": Reason.UNREACHABLE,
    "Authentication Error": Reason.AUTHENTICATION_FAILED,
    "User Denied Media Access": Reason.MEDIA_FAILED,
    "WebRTC Error": Reason.MEDIA_FAILED,
    "Incompatible SDP": Reason.MEDIA_FAILED,
    "Bad Media Description": Reason.MEDIA_FAILED,
    "Missing SDP": Reason.MEDIA_FAILED,
    "RTP Timeout": Reason.CONNECTION_LOST,
}


def reason_for(cause: str, originator: str, *, connected: bool) -> Reason:
    """The engine's reason for a JsSIP end ``cause``; ``originator`` is "local", "remote" or
    "system". A connection failure is UNREACHABLE before the call connected, CONNECTION_LOST after."""
    if cause in ("Connection Error", "Request Timeout"):
        return Reason.CONNECTION_LOST if connected else Reason.UNREACHABLE
    found = _CAUSES.get(cause, Reason.ERROR)
    if isinstance(found, tuple):
        return found[0] if originator == "local" else found[1]
    return found
