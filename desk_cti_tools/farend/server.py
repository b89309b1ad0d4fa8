"""The far end: a SIP-over-WebSocket (RFC 7118) registrar and phone with real WebRTC audio.

A softphone registers on ``ws://127.0.0.1:PORT/sip`` (any user, no password) and calls any
number: the far end rings, answers after ``answer_delay`` seconds and plays a 440 Hz tone while
it measures what it hears; it takes DTMF (SIP INFO), hold (re-INVITE) and hang-up. Numbers
that fail on purpose, by their first digits: ``486...`` busy, ``404...`` no such number,
``408...`` rings and never answers. A small JSON API on the same port drives it from tests or
a demo: ``POST /calls {"caller": "5550142"}`` rings the registered softphone,
``POST /calls/ID/hangup``, ``POST /drop`` closes every WebSocket, ``GET /status``; pages of
the origins in ``allow_origins`` may use it too (CORS: the demo softphone's "Incoming call").
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import re
import logging
import time
from typing import Any

from starlette.applications import Starlette
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from . import sipmsg as s
from .media import Peer, direction_of

log = logging.getLogger("farend")
HOST = "127.0.0.1"
CONTACT = f"<sip:farend@{HOST};transport=ws>"


class Call:
    """One call, as the far end sees it. ``placed_by``: "softphone" (it dialed us) or "farend"."""

    def __init__(self, call_id: str, placed_by: str, number: str, ws: WebSocket) -> None:
        self.id = call_id
        self.placed_by = placed_by
        self.number = number  # the number dialed (placed by the softphone) or the caller's (by us)
        self.ws = ws
        self.state = "ringing"
        self.end = ""  # why it ended: "softphone hung up", "far end hung up", "cancelled", "busy"...
        self.status: list[int] = []  # final statuses sent or received for the INVITE
        self.digits = ""
        self.directions: list[str] = []  # the audio direction offered by each re-INVITE
        self.peer = Peer()
        self.invite: s.Message | None = None  # the INVITE (ours or theirs)
        self.invite_branch = ""
        self.local = ""  # our From/To header, with our tag
        self.remote = ""  # theirs
        self.target = ""  # where in-dialog requests go
        self.cseq = 1
        self.created = time.monotonic()
        self.answered_at: float | None = None
        self.answer_task: asyncio.Task[None] | None = None

    def figures(self) -> dict[str, Any]:
        return {"id": self.id, "placed_by": self.placed_by, "number": self.number, "state": self.state,
                "end": self.end, "status": self.status, "digits": self.digits, "directions": self.directions,
                "sending": not self.peer.tone.paused and self.state == "answered",
                "received": self.peer.meter.figures(), "candidates": self.peer.addresses()}


class FarEnd:
    def __init__(self, answer_delay: float = 0.3, allow_origins: tuple[str, ...] = (),
                 password: str | None = None) -> None:
        self.answer_delay = answer_delay
        #: with a password, REGISTER must answer a digest challenge (RFC 2617, MD5, qop=auth), as a PBX asks
        self.password = password
        self.nonces: set[str] = set()
        self.registrations: dict[str, tuple[WebSocket, str]] = {}  # user -> (socket, contact URI)
        self.sockets: set[WebSocket] = set()
        self.calls: dict[str, Call] = {}
        self._ids = itertools.count(1)
        self.app = Starlette(routes=[
            WebSocketRoute("/sip", self.websocket),
            Route("/status", self.status_view),
            Route("/calls", self.place_call, methods=["POST"]),
            Route("/calls/{id}", self.call_view),
            Route("/calls/{id}/hangup", self.hang_up_view, methods=["POST"]),
            Route("/drop", self.drop_view, methods=["POST"]),
        ])
        #: page origins that may use the control API; add one with allow() (a softphone's port may
        #: be known only after the far end started)
        self.allowed_origins = set(allow_origins)
        self.app.add_middleware(_Cors, allowed=self.allowed_origins)

    def allow(self, origin: str) -> None:
        self.allowed_origins.add(origin)

    # ---- the SIP side
    async def websocket(self, ws: WebSocket) -> None:
        if "sip" not in ws.scope.get("subprotocols", []):
            await ws.close(code=1002)
            return
        await ws.accept(subprotocol="sip")
        self.sockets.add(ws)
        try:
            while True:
                text = await ws.receive_text()
                try:
                    msg = s.parse(text)
                except (s.SipError, ValueError) as exc:
                    log.warning("far end: dropped a message it could not read: %s", exc)
                    continue
                try:
                    if msg.method:
                        await self.on_request(ws, msg)
                    else:
                        await self.on_response(ws, msg)
                except Exception:
                    log.exception("far end: failed on %s", msg.method or msg.status)
        except (WebSocketDisconnect, RuntimeError):
            pass
        finally:
            await self.lost(ws, "connection dropped")

    async def lost(self, ws: WebSocket, why: str) -> None:
        self.sockets.discard(ws)
        for user, (sock, _) in list(self.registrations.items()):
            if sock is ws:
                del self.registrations[user]
        for call in list(self.calls.values()):
            if call.ws is ws and call.state in ("ringing", "answered"):
                await self.finish(call, "failed" if call.state == "ringing" else "ended", why)

    async def send(self, ws: WebSocket, msg: s.Message) -> None:
        try:
            await ws.send_text(msg.serialize())
        except Exception:  # the socket is gone; lost() tidies up
            log.info("far end: could not send %s", msg.method or msg.status)

    async def finish(self, call: Call, state: str, why: str) -> None:
        call.state, call.end = state, why
        if call.answer_task is not None:
            call.answer_task.cancel()
        await call.peer.close()

    def find(self, msg: s.Message) -> Call | None:
        return next((c for c in self.calls.values() if c.invite is not None and c.invite.call_id == msg.call_id), None)

    async def on_request(self, ws: WebSocket, req: s.Message) -> None:
        method = req.method
        call = self.find(req)
        if method == "REGISTER":
            user = s.user_of(req.get("to"))
            if self.password is not None and not self.authorized(req, user):
                nonce = s.tag() + s.tag()
                self.nonces.add(nonce)
                challenge = f'Digest realm="{HOST}", nonce="{nonce}", algorithm=MD5, qop="auth"'
                await self.send(ws, s.response(req, 401, to_tag=s.tag(), extra=[("www-authenticate", challenge)]))
                return
            contact = req.get("contact")
            expires = req.get("expires", "600")
            if expires.strip() == "0" or "expires=0" in contact:
                self.registrations.pop(user, None)
                await self.send(ws, s.response(req, 200, to_tag=s.tag()))
                return
            self.registrations[user] = (ws, s.uri_of(contact))
            await self.send(ws, s.response(req, 200, to_tag=s.tag(), extra=[("contact", f"{contact};expires=600")]))
        elif method == "INVITE" and call is not None and s.tag_of(req.get("to")):
            call.directions.append(direction_of(req.body))
            answer = call.peer.reoffer(req.body)
            await self.send(ws, s.response(req, 200, extra=[("contact", CONTACT)], body=answer))
        elif method == "INVITE":
            await self.incoming(ws, req)
        elif method == "ACK":
            if call is not None and call.state == "answered" and call.answered_at is None:
                call.answered_at = time.monotonic()
        elif method == "CANCEL":
            await self.send(ws, s.response(req, 200))
            if call is not None and call.state == "ringing" and call.invite is not None:
                call.status.append(487)
                await self.send(ws, s.response(call.invite, 487, to_tag=s.tag_of(call.local)))
                await self.finish(call, "failed", "cancelled")
        elif method == "BYE":
            await self.send(ws, s.response(req, 200))
            if call is not None:
                await self.finish(call, "ended", "softphone hung up")
        elif method == "INFO":
            if call is not None and "dtmf-relay" in req.get("content-type"):
                for line in req.body.splitlines():
                    key, _, value = line.partition("=")
                    if key.strip().lower() == "signal" and value.strip():
                        call.digits += value.strip()
            await self.send(ws, s.response(req, 200))
        elif method == "OPTIONS":
            await self.send(ws, s.response(req, 200))
        else:
            await self.send(ws, s.response(req, 405))

    def authorized(self, req: s.Message, user: str) -> bool:
        """A REGISTER's digest answer is right for ``user`` and the far end's password."""
        header = req.get("authorization")
        if not header.lower().startswith("digest "):
            return False
        p = dict(re.findall(r'(\w+)="?([^",]*)"?', header[7:]))
        if p.get("username") != user or p.get("nonce") not in self.nonces:
            return False

        def md5(text: str) -> str:  # RFC 2617's digest: MD5, as SIP servers still ask
            return hashlib.md5(text.encode()).hexdigest()

        ha1 = md5(f"{user}:{p.get('realm', '')}:{self.password}")
        ha2 = md5(f"{req.method}:{p.get('uri', '')}")
        want = md5(f"{ha1}:{p['nonce']}:{p.get('nc', '')}:{p.get('cnonce', '')}:{p.get('qop', '')}:{ha2}") \
            if p.get("qop") else md5(f"{ha1}:{p['nonce']}:{ha2}")
        return hmac.compare_digest(want, p.get("response", ""))

    async def incoming(self, ws: WebSocket, req: s.Message) -> None:
        """The softphone calls a number."""
        number = s.user_of(req.uri or "")
        call = Call(f"c{next(self._ids)}", "softphone", number, ws)
        call.invite = req
        call.local = f"{req.get('to')};tag={s.tag()}"
        call.remote = req.get("from")
        call.target = s.uri_of(req.get("contact"))
        self.calls[call.id] = call
        await self.send(ws, s.response(req, 100))
        refuse = {"486": 486, "404": 404}.get(number[:3])
        if refuse:
            call.status.append(refuse)
            await self.send(ws, s.response(req, refuse, to_tag=s.tag_of(call.local)))
            await self.finish(call, "failed", "busy" if refuse == 486 else "not found")
            return
        await self.send(ws, s.response(req, 180, to_tag=s.tag_of(call.local), extra=[("contact", CONTACT)]))
        if not number.startswith("408"):  # 408...: rings until the caller gives up
            call.answer_task = asyncio.ensure_future(self.answer_later(call))

    async def answer_later(self, call: Call) -> None:
        await asyncio.sleep(self.answer_delay)
        assert call.invite is not None
        sdp = await call.peer.answer(call.invite.body)
        if call.state != "ringing":
            return
        call.state = "answered"
        call.status.append(200)
        await self.send(call.ws, s.response(call.invite, 200, to_tag=s.tag_of(call.local),
                                            extra=[("contact", CONTACT)], body=sdp))

    async def on_response(self, ws: WebSocket, res: s.Message) -> None:
        call = self.find(res)
        num, method = res.cseq
        if call is None or method != "INVITE" or res.status is None:
            return
        if res.status < 200:
            if s.tag_of(res.get("to")):
                call.remote = res.get("to")
            return
        if call.status and call.status[-1] >= 200 and res.status >= 200 and call.state != "ringing":
            return  # a retransmission
        call.status.append(res.status)
        call.remote = res.get("to")
        if res.status < 300:
            call.target = s.uri_of(res.get("contact")) or call.target
            await self.send(ws, self.request(call, "ACK", cseq=num))
            if call.state != "ringing":  # cancelled meanwhile: take it down
                await self.send(ws, self.request(call, "BYE"))
                return
            # answered from the ACK on: a hang-up while the media is set up sends BYE, not CANCEL
            call.state = "answered"
            call.answered_at = time.monotonic()
            try:
                await call.peer.accept(res.body)
            except Exception as exc:
                if call.state == "answered":  # otherwise the call already ended meanwhile
                    await self.send(ws, self.request(call, "BYE"))
                    await self.finish(call, "ended", f"unusable answer: {exc}")
        else:
            assert call.invite is not None
            ack = s.Message(method="ACK", uri=call.invite.uri, headers=[
                ("via", call.invite.get("via")), ("max-forwards", "70"), ("from", call.local),
                ("to", res.get("to")), ("call-id", res.call_id), ("cseq", f"{num} ACK")])
            await self.send(ws, ack)
            await self.finish(call, "failed", {486: "rejected", 603: "rejected", 487: "cancelled"}.get(
                res.status, f"{res.status} {res.reason}"))

    def request(self, call: Call, method: str, *, cseq: int | None = None, body: str = "") -> s.Message:
        if cseq is None:
            call.cseq += 1
            cseq = call.cseq
        headers = [("via", f"SIP/2.0/WS farend.invalid;branch={s.branch()}"), ("max-forwards", "70"),
                   ("from", call.local), ("to", call.remote), ("call-id", call.invite.call_id if call.invite else ""),
                   ("cseq", f"{cseq} {method}")]
        if body:
            headers.append(("content-type", "application/sdp"))
        return s.Message(method=method, uri=call.target, headers=headers, body=body)

    # ---- what the far end does on its own (the control API)
    async def call_softphone(self, caller: str, name: str = "", user: str | None = None) -> Call:
        if not self.registrations:
            raise LookupError("no softphone is registered")
        if user is None:
            user = next(reversed(self.registrations))
        if user not in self.registrations:
            raise LookupError(f"{user!r} is not registered")
        ws, contact = self.registrations[user]
        call = Call(f"c{next(self._ids)}", "farend", caller, ws)
        call.local = (f'"{name}" ' if name else "") + f"<sip:{caller}@{HOST}>;tag={s.tag()}"
        call.remote = f"<sip:{user}@{HOST}>"
        call.target = contact
        call.invite_branch = s.branch()
        sdp = await call.peer.offer()
        call.invite = s.Message(method="INVITE", uri=contact, headers=[
            ("via", f"SIP/2.0/WS farend.invalid;branch={call.invite_branch}"), ("max-forwards", "70"),
            ("from", call.local), ("to", call.remote), ("call-id", s.tag() + s.tag()), ("cseq", "1 INVITE"),
            ("contact", CONTACT), ("content-type", "application/sdp")], body=sdp)
        self.calls[call.id] = call
        await self.send(ws, call.invite)
        return call

    async def hang_up(self, call: Call) -> None:
        if call.state == "answered":
            await self.send(call.ws, self.request(call, "BYE"))
            await self.finish(call, "ended", "far end hung up")
        elif call.state == "ringing" and call.placed_by == "farend" and call.invite is not None:
            cancel = s.Message(method="CANCEL", uri=call.invite.uri, headers=[
                ("via", call.invite.get("via")), ("max-forwards", "70"), ("from", call.local),
                ("to", call.invite.get("to")), ("call-id", call.invite.call_id), ("cseq", "1 CANCEL")])
            call.state = "cancelling"
            await self.send(call.ws, cancel)
            await self.finish(call, "failed", "far end hung up")
        elif call.state == "ringing" and call.invite is not None:  # the softphone's call, not yet answered
            call.status.append(480)
            await self.send(call.ws, s.response(call.invite, 480, to_tag=s.tag_of(call.local)))
            await self.finish(call, "failed", "far end hung up")

    async def drop(self) -> int:
        socks = list(self.sockets)
        for ws in socks:
            try:
                await ws.close(code=1001)
            except Exception:
                pass
            await self.lost(ws, "connection dropped")
        return len(socks)

    async def close(self) -> None:
        """End every call's media (before the loop stops: no ICE task is left pending)."""
        for call in self.calls.values():
            if call.state in ("ringing", "answered"):
                await self.finish(call, "ended" if call.state == "answered" else "failed", "far end stopped")
            else:
                await call.peer.close()

    # ---- HTTP views
    async def status_view(self, request: Request) -> JSONResponse:
        return JSONResponse({"registered": sorted(self.registrations), "connections": len(self.sockets),
                             "calls": [c.figures() for c in self.calls.values()]})

    async def call_view(self, request: Request) -> JSONResponse:
        call = self.calls.get(request.path_params["id"])
        if call is None:
            return JSONResponse({"error": "no such call"}, status_code=404)
        return JSONResponse(call.figures())

    async def place_call(self, request: Request) -> JSONResponse:
        try:
            body = await request.json()
            caller = body["caller"]
            if not isinstance(caller, str) or not caller or not all(ch.isalnum() or ch in "+*#" for ch in caller):
                raise ValueError
        except (ValueError, KeyError, TypeError):
            return JSONResponse({"error": 'send {"caller": "5550142"} (digits, + * #), optional "name", "user"'},
                                status_code=400)
        try:
            call = await self.call_softphone(caller, str(body.get("name") or ""), body.get("user"))
        except LookupError as exc:
            return JSONResponse({"error": str(exc)}, status_code=409)
        return JSONResponse(call.figures(), status_code=201)

    async def hang_up_view(self, request: Request) -> JSONResponse:
        call = self.calls.get(request.path_params["id"])
        if call is None:
            return JSONResponse({"error": "no such call"}, status_code=404)
        await self.hang_up(call)
        return JSONResponse(call.figures())

    async def drop_view(self, request: Request) -> JSONResponse:
        return JSONResponse({"dropped": await self.drop()})



class _Cors:
    """CORS for the control API, for the origins in ``allowed`` at the time of each request."""

    def __init__(self, app: ASGIApp, allowed: set[str]) -> None:
        self.app = app
        self.allowed = allowed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        origin = dict(scope.get("headers", [])).get(b"origin", b"").decode() if scope["type"] == "http" else ""
        if not origin or origin not in self.allowed:
            await self.app(scope, receive, send)
            return
        grant = [(b"access-control-allow-origin", origin.encode()), (b"vary", b"Origin")]
        if scope["method"] == "OPTIONS":  # the preflight of a JSON POST
            await send({"type": "http.response.start", "status": 204, "headers": grant + [
                (b"access-control-allow-methods", b"GET, POST"), (b"access-control-allow-headers", b"content-type"),
                (b"access-control-max-age", b"600")]})
            await send({"type": "http.response.body", "body": b""})
            return

        async def send_granted(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *grant]}
            await send(message)

        await self.app(scope, receive, send_granted)
