"""The far end's parts in plain CPython: its SIP reading and writing, its SDP filters, and the
loopback patch of aioice (a test that fails loudly if aioice changes under it)."""

import asyncio

import aioice
import pytest

from desk_cti_tools.farend import sipmsg as s
from desk_cti_tools.farend.media import (
    answer_direction, direction_of, loopback_only, loopback_sdp, with_direction,
)

REGISTER = ("REGISTER sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/WS x.invalid;branch=z9hG4bK1\r\n"
            "To: <sip:agent@127.0.0.1>\r\nFrom: <sip:agent@127.0.0.1>;tag=abc\r\ni: cid1\r\n"
            "CSeq: 1 REGISTER\r\nContact: <sip:u@x.invalid;transport=ws>;expires=600\r\nContent-Length: 0\r\n\r\n")


def test_a_request_reads_and_its_response_echoes_the_transaction():
    req = s.parse(REGISTER)
    assert (req.method, req.uri, req.call_id, req.cseq) == ("REGISTER", "sip:127.0.0.1", "cid1", (1, "REGISTER"))
    assert s.user_of(req.get("to")) == "agent" and s.tag_of(req.get("from")) == "abc"
    assert s.uri_of(req.get("contact")) == "sip:u@x.invalid;transport=ws"
    res = s.parse(s.response(req, 200, to_tag="t1").serialize())
    assert (res.status, res.reason, res.call_id) == (200, "OK", "cid1")
    assert res.get("via") == "SIP/2.0/WS x.invalid;branch=z9hG4bK1" and s.tag_of(res.get("to")) == "t1"
    assert res.get("content-length") == "0"


@pytest.mark.parametrize("text", ["", "REGISTER sip:x SIP/2.0\r\nno colon\r\n\r\n", "HELLO\r\n\r\n"])
def test_unreadable_messages_raise(text):
    with pytest.raises(s.SipError):
        s.parse(text)


SDP = ("v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
       "a=candidate:1 1 udp 2122260223 192.0.2.2 50000 typ host\r\n"
       "a=candidate:2 1 udp 2122260222 127.0.0.1 50001 typ host\r\n"
       "a=candidate:3 1 udp 2122260221 fd00::2 50002 typ host\r\na=setup:actpass\r\na=sendonly\r\n")


def test_only_loopback_candidates_reach_aiortc():
    out = loopback_sdp(SDP)
    assert "127.0.0.1 50001" in out and "192.0.2.2" not in out and "fd00::2" not in out


def test_hold_directions():
    assert direction_of(SDP) == "sendonly" and answer_direction("sendonly") == "recvonly"
    again = with_direction(SDP, "recvonly", 5)
    assert "a=recvonly" in again and "o=- 1 5 IN" in again and "a=setup:passive" in again


def test_aioice_gathers_loopback_alone_after_the_patch():
    loopback_only()

    async def gather():
        conn = aioice.Connection(ice_controlling=True)
        await conn.gather_candidates()
        hosts = {c.host for c in conn.local_candidates}
        await conn.close()
        return hosts

    assert asyncio.run(gather()) == {"127.0.0.1"}


def test_the_jssip_bundle_defines_jssip_and_is_reproducible(tmp_path):
    import subprocess

    from desk_cti_tools.jssip_bundle import VERSION, bundle

    text = bundle()
    assert text == bundle()
    out = tmp_path / "jssip.js"
    out.write_text(text)
    code = f"globalThis.window = globalThis; require({str(out)!r}); console.log(JsSIP.version, typeof JsSIP.UA)"
    run = subprocess.run(["node", "-e", code], capture_output=True, text=True, timeout=30, check=True)
    assert run.stdout.split() == [VERSION, "function"]


def test_the_shipped_jssip_is_the_bundle_of_the_pinned_npm_package():
    from desk_cti_tools.assets import jssip_text
    from desk_cti_tools.jssip_bundle import bundle

    assert jssip_text() == bundle(), "run: python -m desk_cti_tools.jssip_bundle desk_cti_tools/vendor/jssip.js"


def test_the_jssip_bundle_refuses_another_version(tmp_path):
    from desk_cti_tools.jssip_bundle import bundle

    (tmp_path / "jssip").mkdir()
    (tmp_path / "jssip" / "package.json").write_text('{"version": "9.9.9"}')
    with pytest.raises(RuntimeError, match="node_modules has jssip 9.9.9, this bundle is for 3.13.8"):
        bundle(tmp_path)


def test_aioice_hears_loopback_sources_alone_after_the_patch():
    loopback_only()
    loopback_only()  # twice: wrapped once
    heard = []

    class Receiver:
        def data_received(self, data, component):
            heard.append(data)

    async def deliver():
        proto = aioice.ice.StunProtocol(Receiver())
        proto.local_candidate = type("C", (), {"component": 1})()
        proto.datagram_received(b"rtp from far", ("192.0.2.2", 5000))
        proto.datagram_received(b"rtp from here", ("127.0.0.1", 5000))

    asyncio.run(deliver())
    assert heard == [b"rtp from here"]
