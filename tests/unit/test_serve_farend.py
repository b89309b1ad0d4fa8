"""`desk-cti serve` and its far end: started on 127.0.0.1 beside the console, named to each build
in farend.json (never in `desk-cti build`'s output), open to the softphone's origin, stopped
with the serve; bad far end ports get one line and exit 2. (Calls over it: tests/e2e/test_demo_calls.py.)"""

import json
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from desk_cti_tools.build import build_project
from desk_cti_tools.project import load_project
from conftest import serve
from tools.serving import Serving, fetch

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "site" / "softphone"


@pytest.mark.parametrize("args, says", [
    (("--farend-port", "70000"), "70000"),
    (("--farend-port", "far"), "'far' is not a port number"),
    (("--farend-port", "8657", "--console-port", "8657"), "--farend-port and --console-port are both 8657"),
    (("--farend-port", "8658", "--phone-port", "8658"), "--farend-port and --phone-port are both 8658"),
])
def test_a_bad_farend_port_is_one_line_and_exit_2(capsys, args, says):
    status, lines = serve(capsys, DEMO, *args)
    assert status == 2 and len(lines) == 1 and lines[0].startswith("desk-cti: error: "), lines
    assert says in lines[0]


def test_a_farend_port_in_use_is_one_line_and_exit_2(capsys, busy_port, tmp_path, monkeypatch):
    monkeypatch.setenv("DESK_CTI_DATA", str(tmp_path))
    status, lines = serve(capsys, DEMO, "--console-port", 0, "--phone-port", 0, "--farend-port", busy_port)
    assert status == 2 and len(lines) == 1, lines
    assert f"cannot listen on port {busy_port} for the far end" in lines[0] and "--no-farend" in lines[0]


def control(url, method="GET", origin=None):
    headers = {"Origin": origin} if origin else {}
    req = urllib.request.Request(url, method=method, headers=headers)
    with urllib.request.urlopen(req, timeout=10) as r:
        return r.status, r.headers, r.read()


def test_serve_starts_the_far_end_names_it_to_the_build_and_stops_it(tmp_path):
    s = Serving(DEMO, "--console-port", 0, "--phone-port", 0, "--farend-port", 0,
                env={"DESK_CTI_DATA": str(tmp_path / "data")})
    try:
        i, m = s.wait_for(r"served from (http://127\.0\.0\.1:\d+)/")
        phone = m.group(1)
        i, m = s.wait_for(r"far end \(a line to call\): SIP on (ws://127\.0\.0\.1:\d+/sip), "
                          r"control API (http://127\.0\.0\.1:\d+)/status", i)
        sip, far = m.group(1), m.group(2)
        s.wait_for(r"486 are busy, 404 do not exist, 408 ring unanswered", i)
        status, headers, body = fetch(f"{phone}/farend.json")
        assert status == 200 and headers["Content-Type"].startswith("application/json")
        assert json.loads(body) == {"sip": sip, "control": far}
        assert json.loads(control(f"{far}/status")[2]) == {"registered": [], "connections": 0, "calls": []}
        # the softphone's page may use the control API ("Incoming call"); another origin may not
        _, headers, _ = control(f"{far}/calls", "OPTIONS", origin=phone)
        assert headers["Access-Control-Allow-Origin"] == phone
        _, headers, _ = control(f"{far}/status", origin="http://127.0.0.1:9")
        assert headers["Access-Control-Allow-Origin"] is None
    finally:
        assert s.stop() == 0, s.lines
    assert s.lines[-1] == "stopped." and not any("Traceback" in line for line in s.lines), s.lines
    with pytest.raises(urllib.error.URLError):  # the far end stopped with the serve
        control(f"{far}/status")


def test_no_farend_starts_none_and_writes_no_farend_json(tmp_path):
    s = Serving(DEMO, "--console-port", 0, "--phone-port", 0, "--no-farend",
                env={"DESK_CTI_DATA": str(tmp_path / "data")})
    try:
        i, m = s.wait_for(r"served from (http://127\.0\.0\.1:\d+)/")
        phone = m.group(1)
        s.wait_for(r"sign in as", i)
        with pytest.raises(urllib.error.HTTPError) as e:
            fetch(f"{phone}/farend.json")
        assert e.value.code == 404
    finally:
        assert s.stop() == 0, s.lines
    assert not any("far end" in line for line in s.lines), s.lines


def test_the_authors_build_has_no_farend_json(tmp_path):
    out = build_project(load_project(DEMO), tmp_path / "out", console_origins=["https://desk.example.com"])
    assert (out / "index.html").is_file()
    assert not list(out.rglob("farend.json*"))
    assert "farend.json" not in (out / "manifest.json").read_text()
