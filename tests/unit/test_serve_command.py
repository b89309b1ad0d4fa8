"""`desk-cti serve` as a user runs it: bad arguments get one line and exit 2; a running serve
builds the project, rebuilds it on a change, keeps the last good build when a rebuild fails,
and stops cleanly. (In a browser: tests/e2e/test_serve.py.)"""

import shutil
import socket
import sys
from pathlib import Path

import pytest

from desk_cti_tools.emulator import config
from conftest import serve
from tools.serving import Serving, fetch

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "site" / "softphone"


@pytest.mark.parametrize("args, says", [
    ((), "softphone project DIR, or --softphone-url"),
    ((DEMO, "--softphone-url", "http://127.0.0.1:9/"), "not both"),
    (("--softphone-url", "ftp://127.0.0.1/phone"), "expected an http:// or https:// URL"),
    (("--softphone-url", "http:///phone"), "expected an http:// or https:// URL with a host"),
    (("--softphone-url", "http://user:pw@127.0.0.1:9/"), "credentials"),
    (("--softphone-url", "http://127.0.0.1:99999/"), "port"),
    (("--softphone-url", "http://localhost:8655/", "--console-port", "8655"), "the console's own origin"),
    ((DEMO, "--console-port", "8656", "--phone-port", "8656"), "two origins"),
    ((DEMO, "--console-port", "70000"), "70000"),
    ((DEMO, "--phone-port", "eighty"), "eighty"),
    ((ROOT / "docs",), "not a softphone project"),
    ((ROOT / "no-such-folder",), "no such folder"),
])
def test_a_bad_argument_is_one_line_and_exit_2(capsys, args, says):
    status, lines = serve(capsys, *args)
    assert status == 2
    assert len(lines) == 1 and lines[0].startswith("desk-cti: error: "), lines
    assert says in lines[0]


def test_a_port_in_use_is_one_line_and_exit_2(capsys, busy_port, tmp_path, monkeypatch):
    monkeypatch.setenv("DESK_CTI_DATA", str(tmp_path))
    status, lines = serve(capsys, DEMO, "--console-port", busy_port, "--phone-port", 0, "--farend-port", 0)
    assert status == 2 and len(lines) == 1
    assert f"cannot listen on port {busy_port}" in lines[0] and "in use" in lines[0]


def test_the_database_goes_to_a_per_user_folder_never_into_the_package(monkeypatch, tmp_path):
    monkeypatch.delenv("DESK_CTI_DATA", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    if sys.platform.startswith("linux"):
        assert config.default_db() == tmp_path / "xdg" / "desk-cti" / "desk.sqlite3"
    assert not config.default_db().is_relative_to(config.PACKAGE.parent)
    monkeypatch.setenv("DESK_CTI_DATA", str(tmp_path / "mine"))
    assert config.default_db() == tmp_path / "mine" / "desk.sqlite3"


@pytest.fixture
def project(tmp_path):
    copy = tmp_path / "phone"
    shutil.copytree(DEMO, copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def test_serve_builds_rebuilds_keeps_the_last_good_build_and_stops_cleanly(project, tmp_path):
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace("console-origins = []",
                                                       'console-origins = ["https://desk.example.com"]'))
    s = Serving(project, "--console-port", 0, "--phone-port", 0, "--farend-port", 0,
                env={"DESK_CTI_DATA": str(tmp_path / "data"), "TMPDIR": str(tmpdir)})
    try:
        i, m = s.wait_for(r"the console emulator is at (http://localhost:\d+)/")
        console = m.group(1)
        i, m = s.wait_for(r"served from (http://127\.0\.0\.1:\d+)/", i)
        phone = m.group(1)
        assert (tmp_path / "data" / "desk.sqlite3").is_file()  # seeded on first start, where told

        status, headers, body = fetch(f"{phone}/")
        assert status == 200 and b"<title>Python softphone</title>" in body
        # the build declares the project's consoles and the emulator
        assert f'data-console-origins="https://desk.example.com {console}"'.encode() in body
        assert headers["Content-Security-Policy"] == f"frame-ancestors {console}"
        status, headers, _ = fetch(f"{phone}/pyodide/pyodide.asm.wasm", {"Accept-Encoding": "gzip"})
        assert headers["Content-Encoding"] == "gzip" and headers["Content-Type"] == "application/wasm"
        assert fetch(f"{console}/config.json")[2] == f'{{"softphoneUrl":"{phone}/","softphoneOrigin":"{phone}"}}'.encode()

        page = project / "index.html"
        page.write_text(page.read_text().replace("<title>Python softphone</title>", "<title>Edited</title>"))
        i, _ = s.wait_for(r"changed: rebuilding", i)
        i, _ = s.wait_for(r"rebuilt in", i)
        assert b"<title>Edited</title>" in fetch(f"{phone}/")[2]

        pyproject.write_text(pyproject.read_text().replace('page = "index.html"', 'page = "index.htm"'))
        i, _ = s.wait_for(r"changed: rebuilding", i)
        i, m = s.wait_for(r"rebuild failed, still serving the last good build: (.*)", i)
        assert "page" in m.group(1) and "index.htm" in m.group(1)
        assert b"<title>Edited</title>" in fetch(f"{phone}/")[2]  # still the last good one
        assert not any("Traceback" in line for line in s.lines)
    finally:
        status = s.stop()
    assert status == 0
    assert s.lines[-1] == "stopped."
    assert list(tmpdir.iterdir()) == []  # the builds are gone


def test_a_first_build_that_fails_is_one_line_and_exit_2_with_no_port_held(capsys, project, tmp_path, monkeypatch):
    monkeypatch.setenv("DESK_CTI_DATA", str(tmp_path / "data"))
    page = project / "index.html"
    page.write_text(page.read_text().replace('<script src="loader/desk-cti.js"></script>', ""))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    status, lines = serve(capsys, project, "--console-port", port, "--phone-port", 0, "--farend-port", 0)
    assert status == 2 and len(lines) == 1, lines
    assert "the build of" in lines[0] and "desk-cti.js" in lines[0]
    with socket.socket() as again:  # the port was let go
        again.bind(("127.0.0.1", port))


def test_what_is_watched_is_what_a_build_reads(project):
    from desk_cti_tools.serve import fingerprint

    before = fingerprint(project)
    assert str(project / "pyproject.toml") in before and str(project / "index.html") in before
    assert str(project / "demo_phone" / "calls.py") in before and str(project / "phone.css") in before
    (project / "demo_phone" / "__pycache__").mkdir()
    (project / "demo_phone" / "__pycache__" / "calls.cpython-312.pyc").write_bytes(b"cache")
    (project / "notes.txt").write_text("not shipped")
    assert fingerprint(project) == before  # neither is part of a build
    (project / "demo_phone" / "extra.py").write_text("X = 1\n")
    assert str(project / "demo_phone" / "extra.py") in fingerprint(project)
    (project / "phone.css").write_text("body { color: red; }\n")
    assert fingerprint(project)[str(project / "phone.css")] != before[str(project / "phone.css")]
