"""The far end over its WebSocket, from a scripted SIP client in CPython: registration, the
numbers that fail on purpose, a cancelled call, DTMF over INFO, and its control API's checks.
(The calls that carry audio are in tests/e2e/test_calls.py, with a browser.)"""

import asyncio
import json
import urllib.error
import urllib.request

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from desk_cti_tools.farend import Running
from desk_cti_tools.farend import sipmsg as s

SDP = ("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
       "c=IN IP4 0.0.0.0\r\na=rtpmap:111 opus/48000/2\r\na=sendrecv\r\n")


AOR = "sip:agent@127.0.0.1"


@pytest.fixture(scope="module")
def far():
    with Running(0, answer_delay=30) as f:  # never answers within a test: no media needed here
        yield f


def request(method, uri, call_id, cseq, *, to_tag="", body="", content_type="application/sdp", contact=True, to=None):
    headers = [("via", f"SIP/2.0/WS client.invalid;branch={s.branch()}"), ("max-forwards", "70"),
               ("from", "<sip:agent@127.0.0.1>;tag=ft1"),
               ("to", f"<{to or uri}>" + (f";tag={to_tag}" if to_tag else "")), ("call-id", call_id),
               ("cseq", f"{cseq} {method}")]
    if contact:
        headers.append(("contact", "<sip:agent@client.invalid;transport=ws>"))
    if body:
        headers.append(("content-type", content_type))
    return s.Message(method=method, uri=uri, headers=headers, body=body).serialize()


async def replies(ws, n):
    return [s.parse(await asyncio.wait_for(ws.recv(), 5)) for _ in range(n)]


def status(far):
    with urllib.request.urlopen(f"{far.url}/status", timeout=5) as r:
        return json.loads(r.read())


def test_register_busy_not_found_cancel_and_dtmf(far):
    async def script():
        async with connect(far.sip_url, subprotocols=["sip"]) as ws:
            await ws.send(request("REGISTER", "sip:127.0.0.1", "reg1", 1, to=AOR))
            (ok,) = await replies(ws, 1)
            assert ok.status == 200 and "expires=600" in ok.get("contact")
            assert status(far)["registered"] == ["agent"]

            await ws.send(request("INVITE", "sip:4860001@127.0.0.1", "busy1", 1, body=SDP))
            trying, busy = await replies(ws, 2)
            assert (trying.status, busy.status) == (100, 486)

            await ws.send(request("INVITE", "sip:4040001@127.0.0.1", "nf1", 1, body=SDP))
            assert [r.status for r in await replies(ws, 2)] == [100, 404]

            await ws.send(request("INVITE", "sip:4080001@127.0.0.1", "na1", 1, body=SDP))
            assert [r.status for r in await replies(ws, 2)] == [100, 180]
            await ws.send(request("CANCEL", "sip:4080001@127.0.0.1", "na1", 1, contact=False))
            cancelled = await replies(ws, 2)
            assert sorted((r.status, r.cseq[1]) for r in cancelled) == [(200, "CANCEL"), (487, "INVITE")]

            await ws.send(request("INFO", "sip:farend@127.0.0.1", "nobody", 2, body="Signal=5\r\nDuration=100\r\n",
                                  content_type="application/dtmf-relay"))
            (info,) = await replies(ws, 1)
            assert info.status == 200  # answered even outside a call, and recorded nowhere

            await ws.send(request("REGISTER", "sip:127.0.0.1", "reg1", 2, to=AOR)
                          .replace(";transport=ws>", ";transport=ws>;expires=0"))
            assert (await replies(ws, 1))[0].status == 200
            assert status(far)["registered"] == []

    asyncio.run(script())
    calls = {c["number"]: c for c in status(far)["calls"]}
    assert (calls["4860001"]["state"], calls["4860001"]["end"], calls["4860001"]["status"]) == ("failed", "busy", [486])
    assert calls["4040001"]["end"] == "not found"
    assert (calls["4080001"]["end"], calls["4080001"]["status"]) == ("cancelled", [487])


def test_a_websocket_without_the_sip_subprotocol_is_refused(far):
    async def script():
        with pytest.raises(InvalidStatus) as info:
            async with connect(far.sip_url) as ws:
                await ws.recv()
        assert info.value.response.status_code == 403

    asyncio.run(script())


@pytest.mark.parametrize("body, code, message", [
    ({"caller": "1"}, 409, "no softphone is registered"),
    ({"caller": "a b"}, 400, "caller"),
    ({}, 400, "caller"),
])
def test_the_control_api_answers_bad_requests_clearly(far, body, code, message):
    req = urllib.request.Request(f"{far.url}/calls", data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(req, timeout=5)
    assert info.value.code == code and message in json.loads(info.value.read())["error"]


def test_the_command_line_refuses_bad_arguments_in_one_line(capsys):
    from desk_cti_tools.farend.__main__ import main

    assert main(["--port", "70000"]) == 2
    assert main(["--allow-origin", "javascript:alert(1)"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["farend: --port must be 1-65535, not 70000",
                   "farend: --allow-origin 'javascript:alert(1)': expected an origin such as http://127.0.0.1:8001"]


def test_the_control_api_answers_allowed_page_origins_only(far):
    far.farend.allow("http://127.0.0.1:8001")

    def preflight(origin):
        req = urllib.request.Request(f"{far.url}/calls", method="OPTIONS", headers={
            "Origin": origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"})
        try:
            with urllib.request.urlopen(req, timeout=5) as r:
                return r.status, r.headers.get("access-control-allow-origin")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.headers.get("access-control-allow-origin")

    assert preflight("http://127.0.0.1:8001") == (204, "http://127.0.0.1:8001")
    assert preflight("http://evil.example")[1] is None
    req = urllib.request.Request(f"{far.url}/status", headers={"Origin": "http://127.0.0.1:8001"})
    with urllib.request.urlopen(req, timeout=5) as r:
        assert r.headers.get("access-control-allow-origin") == "http://127.0.0.1:8001"


def call_me(far):
    """The control API's inbound call: the far end rings the registered client."""
    req = urllib.request.Request(f"{far.url}/calls", data=json.dumps({"caller": "+15550107"}).encode(),
                                 method="POST", headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=5) as r:
        return json.loads(r.read())["id"]


async def answered_call(ws, far, answer_sdp):
    """Registers, takes the far end's call, answers it with answer_sdp; returns (call id, ACK)."""
    await ws.send(request("REGISTER", "sip:127.0.0.1", "reg9", 1, to=AOR))
    assert (await replies(ws, 1))[0].status == 200
    far_id = await asyncio.to_thread(call_me, far)
    (invite,) = await replies(ws, 1)
    assert invite.method == "INVITE"
    await ws.send(s.response(invite, 200, to_tag="me1", body=await answer_sdp(invite.body),
                             extra=[("contact", "<sip:agent@client.invalid;transport=ws>")]).serialize())
    (ack,) = await replies(ws, 1)
    assert ack.method == "ACK"
    return far_id, ack


def test_a_hang_up_right_after_the_ack_is_a_bye(far):
    """The dialog is answered from the ACK on, even while the far end still sets up its media:
    hanging up then sends BYE (a CANCEL after a 200 would be ignored and the call never end)."""
    from aiortc import RTCPeerConnection, RTCSessionDescription

    async def script():
        pc = RTCPeerConnection()

        async def answer(offer):
            pc.addTransceiver("audio", "recvonly")
            await pc.setRemoteDescription(RTCSessionDescription(offer, "offer"))
            await pc.setLocalDescription(await pc.createAnswer())
            return pc.localDescription.sdp

        try:
            async with connect(far.sip_url, subprotocols=["sip"]) as ws:
                far_id, _ = await answered_call(ws, far, answer)
                hang = urllib.request.Request(f"{far.url}/calls/{far_id}/hangup", method="POST", data=b"{}",
                                              headers={"Content-Type": "application/json"})
                await asyncio.to_thread(urllib.request.urlopen, hang, timeout=5)
                (bye,) = await replies(ws, 1)
                assert bye.method == "BYE"
                return far_id
        finally:
            await pc.close()

    far_id = asyncio.run(script())
    call = {c["id"]: c for c in status(far)["calls"]}[far_id]
    assert (call["state"], call["end"]) == ("ended", "far end hung up")


def test_an_answer_the_far_end_cannot_use_ends_the_call_with_a_bye(far):
    async def script():
        async def unusable(offer):
            return SDP  # no ICE credentials, no fingerprint

        async with connect(far.sip_url, subprotocols=["sip"]) as ws:
            far_id, _ = await answered_call(ws, far, unusable)
            (bye,) = await replies(ws, 1)
            assert bye.method == "BYE"
            return far_id

    far_id = asyncio.run(script())
    call = {c["id"]: c for c in status(far)["calls"]}[far_id]
    assert call["state"] == "ended" and call["end"].startswith("unusable answer"), call
