"""The SIP engine's settings are checked in plain Python, with clear errors, before any browser
code runs; the calls package never imports js outside its one browser room."""

import subprocess
import sys
from pathlib import Path

import pytest

from desk_cti_py.calls import BadArguments, SipConfig

ROOT = Path(__file__).resolve().parents[2]


def test_a_good_config():
    c = SipConfig("wss://pbx.example.com:8089/ws", "sip:agent@pbx.example.com", password="s3cret",
                  ice_servers=["stun:stun.example.com:3478"], jssip_url="/loader/vendor/jssip.js")
    assert c.host == "pbx.example.com" and c.register and c.no_answer_timeout == 60
    assert "s3cret" not in repr(c)


@pytest.mark.parametrize("kwargs, message", [
    ({"server": "http://pbx/ws"}, "server must be a ws:// or wss:// URL"),
    ({"server": 7}, "server must be a URL string"),
    ({"uri": "agent@pbx"}, "uri must be a SIP URI"),
    ({"uri": "sip:agent"}, "uri must be a SIP URI"),
    ({"password": "a\nb"}, "password must be a string"),
    ({"register": "yes"}, "register must be True or False"),
    ({"ice_servers": "stun:x"}, "ice_servers must be a list"),
    ({"ice_servers": ["http://x"]}, "not a stun: or turn: URL"),
    ({"jssip_url": "javascript://x"}, "jssip_url must be a http:// or https:// URL"),
    ({"no_answer_timeout": 0}, "no_answer_timeout must be a positive number"),
    ({"dtmf_duration_ms": 10}, "dtmf_duration_ms must be a whole number"),
    ({"audio_processing": 1}, "audio_processing must be True or False"),
])
def test_bad_settings_are_refused(kwargs, message):
    args = {"server": "ws://127.0.0.1:8700/sip", "uri": "sip:agent@127.0.0.1", **kwargs}
    with pytest.raises(BadArguments, match=message):
        SipConfig(args.pop("server"), args.pop("uri"), **args)


def test_the_calls_package_imports_without_js_and_only_sip_touches_it():
    code = ("import sys; sys.modules['js'] = None; sys.modules['pyodide'] = None\n"
            "import desk_cti_py.calls, desk_cti_py.calls.testing, desk_cti_py.calls.sip\n"
            "assert 'desk_cti_py.calls._sip' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)
    for path in (ROOT / "desk_cti_py" / "calls").glob("*.py"):
        text = path.read_text()
        uses_js = "import js" in text or "from pyodide" in text
        assert uses_js == (path.name == "_sip.py"), path.name


@pytest.mark.parametrize("cause, originator, connected, reason", [
    ("Terminated", "local", True, "hung up"), ("Terminated", "remote", True, "remote hung up"),
    ("Canceled", "remote", False, "cancelled"), ("Canceled", "local", False, "hung up"),
    ("Rejected", "remote", False, "declined"), ("Busy", "remote", False, "busy"),
    ("Not Found", "remote", False, "not found"), ("Connection Error", "system", False, "unreachable"),
    ("Connection Error", "system", True, "connection lost"), ("Request Timeout", "system", False, "unreachable"),
    ("User Denied Media Access", "local", False, "media failed"), ("Something New", "system", False, "error"),
    ("Authentication Error", "remote", False, "authentication failed"),
])
def test_jssip_causes_map_to_reasons(cause, originator, connected, reason):
    from desk_cti_py.calls.sip import reason_for

    assert reason_for(cause, originator, connected=connected) == reason
