"""Just enough SIP (RFC 3261) for the far end: parse one message from a WebSocket frame, build
requests and responses. The browser side is JsSIP; this is the test peer, lenient in what it
reads (one message a frame, as RFC 7118 says) and strict about nothing it does not use."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field

COMPACT = {"v": "via", "f": "from", "t": "to", "i": "call-id", "m": "contact", "l": "content-length",
           "c": "content-type", "k": "supported"}
REASONS = {100: "Trying", 180: "Ringing", 200: "OK", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found",
           405: "Method Not Allowed", 481: "Call/Transaction Does Not Exist", 486: "Busy Here",
           487: "Request Terminated", 488: "Not Acceptable Here", 500: "Server Internal Error"}


class SipError(ValueError):
    pass


@dataclass
class Message:
    """A request (``method``, ``uri``) or a response (``status``, ``reason``)."""

    method: str | None = None
    uri: str | None = None
    status: int | None = None
    reason: str = ""
    headers: list[tuple[str, str]] = field(default_factory=list)  # (lower-case name, value), in order
    body: str = ""

    def get(self, name: str, default: str = "") -> str:
        name = name.lower()
        return next((v for k, v in self.headers if k == name), default)

    def all(self, name: str) -> list[str]:
        name = name.lower()
        return [v for k, v in self.headers if k == name]

    @property
    def call_id(self) -> str:
        return self.get("call-id")

    @property
    def cseq(self) -> tuple[int, str]:
        num, _, method = self.get("cseq").partition(" ")
        return int(num or 0), method.strip()

    def serialize(self) -> str:
        start = f"{self.method} {self.uri} SIP/2.0" if self.method else f"SIP/2.0 {self.status} {self.reason}"
        names = {"via": "Via", "from": "From", "to": "To", "call-id": "Call-ID", "cseq": "CSeq",
                 "contact": "Contact", "content-type": "Content-Type", "max-forwards": "Max-Forwards",
                 "www-authenticate": "WWW-Authenticate"}
        lines = [start] + [f"{names.get(k, k.title())}: {v}" for k, v in self.headers if k != "content-length"]
        lines.append(f"Content-Length: {len(self.body.encode())}")
        return "\r\n".join(lines) + "\r\n\r\n" + self.body


def parse(text: str) -> Message:
    head, sep, body = text.partition("\r\n\r\n")
    if not sep:
        raise SipError("no blank line after the headers")
    lines = head.split("\r\n")
    start = lines[0].split(" ", 2)
    if len(start) < 3:
        raise SipError(f"bad start line {lines[0]!r}")
    if start[0] == "SIP/2.0":
        msg = Message(status=int(start[1]), reason=start[2])
    elif start[2] == "SIP/2.0":
        msg = Message(method=start[0], uri=start[1])
    else:
        raise SipError(f"bad start line {lines[0]!r}")
    for line in lines[1:]:
        if line[:1] in (" ", "\t") and msg.headers:  # folded
            k, v = msg.headers[-1]
            msg.headers[-1] = (k, v + " " + line.strip())
            continue
        name, colon, value = line.partition(":")
        if not colon:
            raise SipError(f"bad header line {line!r}")
        name = name.strip().lower()
        msg.headers.append((COMPACT.get(name, name), value.strip()))
    msg.body = body
    return msg


def tag() -> str:
    return secrets.token_hex(5)


def branch() -> str:
    return "z9hG4bK" + secrets.token_hex(8)


def tag_of(header: str) -> str:
    m = re.search(r";\s*tag=([^;>\s]+)", header)
    return m.group(1) if m else ""


def uri_of(header: str) -> str:
    """The URI in a From/To/Contact value (``"Name" <sip:x@y>;p=1`` -> ``sip:x@y``)."""
    m = re.search(r"<([^>]+)>", header)
    return m.group(1) if m else header.split(";")[0].strip()


def user_of(header: str) -> str:
    m = re.match(r"sips?:([^@;>]+)@", uri_of(header))
    return m.group(1) if m else ""


def response(req: Message, status: int, *, to_tag: str = "", extra: list[tuple[str, str]] | None = None,
             body: str = "", content_type: str = "") -> Message:
    to = req.get("to")
    if to_tag and not tag_of(to):
        to += f";tag={to_tag}"
    headers = [("via", v) for v in req.all("via")] + [
        ("from", req.get("from")), ("to", to), ("call-id", req.call_id), ("cseq", req.get("cseq"))]
    headers += extra or []
    if body:
        headers.append(("content-type", content_type or "application/sdp"))
    return Message(status=status, reason=REASONS.get(status, "Unknown"), headers=headers, body=body)
