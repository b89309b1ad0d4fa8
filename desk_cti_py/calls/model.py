"""What a call is made of: its states, directions, end reasons, errors, media figures, and the
argument rules every engine shares. Pure Python, no ``js``; names no vendor."""

from __future__ import annotations

import math
import re
from enum import StrEnum
from typing import Any

from ..models import BadArguments

__all__ = [
    "BadArguments", "CallError", "CallFailed", "CallState", "Direction", "EngineStatus", "InvalidCallState",
    "MediaStats", "Reason", "check_digits", "check_number", "check_timeout",
]


class CallState(StrEnum):
    """Where a call is. ``ENDED`` and ``FAILED`` are final."""

    DIALING = "dialing"  #: outbound, asked for; the far end has not said it rings yet
    ALERTING = "alerting"  #: outbound, the far end rings
    RINGING = "ringing"  #: inbound, rings here: answer() or reject()
    ACTIVE = "active"  #: connected, media flows
    HELD = "held"  #: connected, on hold (no audio either way)
    ENDED = "ended"  #: was connected, then ended
    FAILED = "failed"  #: ended without ever connecting (busy, no answer, rejected, missed...)

    @property
    def final(self) -> bool:
        return self in (CallState.ENDED, CallState.FAILED)

    @property
    def connected(self) -> bool:
        return self in (CallState.ACTIVE, CallState.HELD)


class Direction(StrEnum):
    OUTBOUND = "outbound"
    INBOUND = "inbound"


class Reason(StrEnum):
    """Why a call ended or failed."""

    HUNG_UP = "hung up"  #: this side hung up (or cancelled its own call)
    REMOTE_HUNG_UP = "remote hung up"  #: the other side hung up
    REJECTED = "rejected"  #: this side rejected an inbound call
    DECLINED = "declined"  #: the callee declined
    BUSY = "busy"
    NO_ANSWER = "no answer"  #: nobody answered in time
    CANCELLED = "cancelled"  #: the caller gave up before this side answered (a missed call)
    NOT_FOUND = "not found"  #: no such number
    UNREACHABLE = "unreachable"  #: the call server could not be reached
    CONNECTION_LOST = "connection lost"  #: the connection to the call server dropped
    AUTHENTICATION_FAILED = "authentication failed"
    MEDIA_FAILED = "media failed"  #: no microphone, or the audio path could not be set up
    ERROR = "error"  #: anything else; the call's ``detail`` says more


class EngineStatus(StrEnum):
    STOPPED = "stopped"
    CONNECTING = "connecting"
    REGISTERED = "registered"  #: calls can be placed and received
    OFFLINE = "offline"  #: the call server is unreachable (the engine may retry)


class CallError(Exception):
    """A call engine error; ``reason`` is a :class:`Reason` when one applies."""

    def __init__(self, message: str, reason: Reason | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason


class CallFailed(CallError):
    """The call ended before it did what was awaited (it failed or ended)."""


class InvalidCallState(CallError, RuntimeError):
    """The call cannot do that in its present state (hold a ringing call, answer an ended one)."""


class MediaStats:
    """What the call's audio did so far: RTP packets each way and the received audio's energy
    (``audio_energy``: the sum over time of the squared level, as WebRTC's
    ``totalAudioEnergy``; ``audio_level``: the latest level, 0..1)."""

    __slots__ = ("audio_energy", "audio_level", "packets_received", "packets_sent")

    def __init__(self, packets_received: int = 0, packets_sent: int = 0,
                 audio_energy: float = 0.0, audio_level: float = 0.0) -> None:
        self.packets_received = packets_received
        self.packets_sent = packets_sent
        self.audio_energy = audio_energy
        self.audio_level = audio_level

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__}

    def __repr__(self) -> str:
        return "MediaStats(" + ", ".join(f"{k}={v!r}" for k, v in self.as_dict().items()) + ")"


# A dialable number: digits and the symbols phones dial, or a SIP URI's user part and host.
_NUMBER = re.compile(r"(?:sips?:)?[A-Za-z0-9+*#_.!~'()%&=$,;?/-]+(?:@[A-Za-z0-9.:\[\]-]+)?")
MAX_NUMBER = 256
DTMF_DIGITS = "0123456789*#ABCDabcd"
MAX_DIGITS = 64


def check_number(number: Any) -> str:
    """A number to dial, spaces and the usual separators ( - . ) dropped; BadArguments if none."""
    if not isinstance(number, str):
        raise BadArguments(f"number must be a string, not {type(number).__name__}")
    if len(number) > MAX_NUMBER:
        raise BadArguments(f"number is too long (over {MAX_NUMBER} characters)")
    plain = number.strip()
    if not plain.startswith(("sip:", "sips:")):
        plain = re.sub(r"[\s().-]", "", plain)
    if not plain or not _NUMBER.fullmatch(plain):
        raise BadArguments(f"not a number to dial: {number!r}")
    return plain


def check_digits(digits: Any) -> str:
    """DTMF digits: 1 to 64 of 0-9 * # A-D."""
    if not isinstance(digits, str):
        raise BadArguments(f"digits must be a string, not {type(digits).__name__}")
    if not 1 <= len(digits) <= MAX_DIGITS:
        raise BadArguments(f"digits must be 1 to {MAX_DIGITS} characters")
    bad = sorted({d for d in digits if d not in DTMF_DIGITS})
    if bad:
        raise BadArguments(f"not DTMF digits: {''.join(bad)!r} (use 0-9, *, #, A-D)")
    return digits.upper()


def check_timeout(timeout: Any, what: str = "timeout") -> float | None:
    """None, or a positive finite number of seconds."""
    if timeout is None:
        return None
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not math.isfinite(timeout) \
            or timeout <= 0:
        raise BadArguments(f"{what} must be a positive number of seconds")
    return float(timeout)
