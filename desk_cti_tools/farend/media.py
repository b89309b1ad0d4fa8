"""The far end's audio: WebRTC through aiortc, kept on loopback, a tone out and a meter in.

Loopback only. aioice (under aiortc) gathers host candidates from every interface except
127.0.0.1; the far end must use 127.0.0.1 and nothing else. aioice has no setting for which
addresses to gather, so :func:`loopback_only` swaps its one address lister for one answering
127.0.0.1 (pinned aioice version, checked; a test fails loudly if the function moves). And the
peer's SDP loses every candidate that is not a loopback address before aiortc reads it, so no
check or media packet is ever sent to another interface.
"""

from __future__ import annotations

import asyncio
import fractions
import math
import re
import struct
import time
from array import array
from typing import Any

import aioice.ice
from aiortc import MediaStreamTrack, RTCPeerConnection, RTCSessionDescription
from av import AudioFrame

AIOICE_VERSION = "0.13.0"
RATE = 48_000
PTIME = 0.020
SAMPLES = int(RATE * PTIME)


def loopback_only() -> None:
    """Make aioice gather 127.0.0.1 alone, and hear loopback sources alone (this process only:
    the far end). The second matters as much: a browser also sends checks to 127.0.0.1 from its
    other addresses, and aioice would learn those as peer-reflexive candidates and answer them."""
    from importlib.metadata import version

    found = version("aioice")
    protocol = getattr(aioice.ice, "StunProtocol", None)
    if found != AIOICE_VERSION or not callable(getattr(aioice.ice, "get_host_addresses", None)) \
            or not callable(getattr(protocol, "datagram_received", None)):
        raise RuntimeError(f"the far end's loopback patch is for aioice {AIOICE_VERSION} "
                           "(aioice.ice.get_host_addresses, StunProtocol.datagram_received); "
                           f"found {found}: check it still applies")
    aioice.ice.get_host_addresses = _loopback_addresses
    assert protocol is not None
    if not getattr(protocol.datagram_received, "loopback_only", False):
        received = protocol.datagram_received

        def from_loopback_only(self: Any, data: bytes | str, addr: tuple[Any, ...]) -> None:
            if is_loopback(addr[0]):
                received(self, data, addr)

        from_loopback_only.loopback_only = True  # type: ignore[attr-defined]
        protocol.datagram_received = from_loopback_only


def is_loopback(host: str) -> bool:
    return host.startswith("127.") or host == "::1"


def _loopback_addresses(use_ipv4: bool, use_ipv6: bool) -> list[str]:
    return ["127.0.0.1"] if use_ipv4 else []


_CANDIDATE = re.compile(r"^a=candidate:\S+ \d+ \S+ \d+ (\S+) \d+ typ .*$")


def loopback_sdp(sdp: str) -> str:
    """The SDP with every ICE candidate that is not on 127.0.0.0/8 or ::1 left out."""
    kept = []
    for line in sdp.splitlines():
        m = _CANDIDATE.match(line)
        if m and not is_loopback(m.group(1)):
            continue
        kept.append(line)
    return "\r\n".join(kept) + "\r\n"


def direction_of(sdp: str) -> str:
    """The audio section's direction (sendrecv when not said)."""
    audio = sdp.split("m=audio", 1)[-1].split("\nm=", 1)[0]
    for d in ("sendonly", "recvonly", "inactive", "sendrecv"):
        if f"a={d}" in audio:
            return d
    return "sendrecv"


def answer_direction(offered: str) -> str:
    return {"sendonly": "recvonly", "recvonly": "sendonly", "inactive": "inactive"}.get(offered, "sendrecv")


def with_direction(sdp: str, direction: str, version: int) -> str:
    """Our SDP again, as an answer: the audio direction changed, the origin's version bumped,
    and an offer's ``setup:actpass`` fixed to the role DTLS took (passive: the browser connected)."""
    sdp = re.sub(r"a=(sendrecv|sendonly|recvonly|inactive)", f"a={direction}", sdp)
    sdp = re.sub(r"^(o=\S+ \S+ )\d+", lambda m: f"{m.group(1)}{version}", sdp, flags=re.M)
    return sdp.replace("a=setup:actpass", "a=setup:passive")


class Tone(MediaStreamTrack):
    """A continuous sine tone, paced in real time. ``paused``: no frames at all (no RTP), as a
    phone on hold sends nothing."""

    kind = "audio"

    def __init__(self, hz: float = 440.0, level: float = 0.3) -> None:
        super().__init__()
        one_second = b"".join(
            struct.pack("<h", int(level * 32767 * math.sin(2 * math.pi * hz * i / RATE))) for i in range(RATE))
        self._samples = one_second * 2  # a frame may run past the end of the second
        self._pts = 0
        self._start: float | None = None
        self._resumed = asyncio.Event()
        self._resumed.set()

    @property
    def paused(self) -> bool:
        return not self._resumed.is_set()

    @paused.setter
    def paused(self, value: bool) -> None:
        if value:
            self._resumed.clear()
        else:
            self._start = None  # pace from now: no burst of the frames skipped while paused
            self._resumed.set()

    async def recv(self) -> AudioFrame:
        await self._resumed.wait()
        if self._start is None:
            self._start = time.monotonic() - self._pts / RATE
        wait = self._start + self._pts / RATE - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        offset = (self._pts % RATE) * 2
        chunk = self._samples[offset:offset + SAMPLES * 2]
        frame = AudioFrame(format="s16", layout="mono", samples=SAMPLES)
        frame.planes[0].update(chunk)
        frame.sample_rate = RATE
        frame.pts = self._pts
        frame.time_base = fractions.Fraction(1, RATE)
        self._pts += SAMPLES
        return frame


class Meter:
    """What arrived from the browser: frames, and the energy of the audio (the sum over time of
    the mean square, full scale 1: WebRTC's ``totalAudioEnergy``); loud frames are over -40 dBFS."""

    def __init__(self) -> None:
        self.frames = 0
        self.energy = 0.0
        self.loud_frames = 0
        self._task: asyncio.Task[None] | None = None

    def listen(self, track: MediaStreamTrack) -> None:
        self._task = asyncio.ensure_future(self._run(track))

    async def _run(self, track: MediaStreamTrack) -> None:
        try:
            while True:
                frame = await track.recv()
                assert isinstance(frame, AudioFrame)
                n = frame.samples * len(frame.layout.channels)
                samples = array("h", bytes(frame.planes[0])[: n * 2])
                mean_square = sum(s * s for s in samples) / (max(1, n) * 32768.0 * 32768.0)
                self.frames += 1
                self.energy += mean_square * frame.samples / frame.sample_rate
                if mean_square > 1e-4:
                    self.loud_frames += 1
        except Exception:  # the track ended (the call is over)
            return

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()

    def figures(self) -> dict[str, Any]:
        return {"frames": self.frames, "energy": round(self.energy, 6), "loud_frames": self.loud_frames}


class Peer:
    """One call's WebRTC side: a tone out, a meter in."""

    def __init__(self) -> None:
        self.pc = RTCPeerConnection()  # no STUN/TURN: host candidates only, and those on 127.0.0.1
        self.tone = Tone()
        self.meter = Meter()
        self.local_sdp = ""
        self.version = 1
        self.pc.addTrack(self.tone)

        @self.pc.on("track")
        def on_track(track: MediaStreamTrack) -> None:
            if track.kind == "audio":
                self.meter.listen(track)

    def addresses(self) -> dict[str, list[str]]:
        """The IP addresses of the ICE candidates in use: ours and the peer's (loopback only)."""
        local: set[str] = set()
        remote: set[str] = set()
        for t in self.pc.getTransceivers():
            dtls = t.sender.transport
            if dtls is None:
                continue
            local |= {c.ip for c in dtls.transport.iceGatherer.getLocalCandidates()}
            remote |= {c.ip for c in dtls.transport.getRemoteCandidates()}
        return {"local": sorted(local), "remote": sorted(remote)}

    async def answer(self, offer: str) -> str:
        await self.pc.setRemoteDescription(RTCSessionDescription(loopback_sdp(offer), "offer"))
        await self.pc.setLocalDescription(await self.pc.createAnswer())
        self.local_sdp = self.pc.localDescription.sdp
        return self.local_sdp

    async def offer(self) -> str:
        await self.pc.setLocalDescription(await self.pc.createOffer())
        self.local_sdp = self.pc.localDescription.sdp
        return self.local_sdp

    async def accept(self, answer: str) -> None:
        await self.pc.setRemoteDescription(RTCSessionDescription(loopback_sdp(answer), "answer"))

    def reoffer(self, offer: str) -> str:
        """A re-INVITE (hold, resume): same transport, new direction; the tone stops while we
        may not send."""
        direction = answer_direction(direction_of(offer))
        self.tone.paused = direction in ("recvonly", "inactive")
        self.version += 1
        return with_direction(self.local_sdp, direction, self.version)

    async def close(self) -> None:
        self.meter.stop()
        await self.pc.close()
