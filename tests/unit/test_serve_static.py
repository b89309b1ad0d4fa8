"""What `desk-cti serve` sends for a built softphone folder: precompressed files, types, caching
and framing headers, and nothing from outside the folder."""

import gzip
import os

import pytest
import zstandard
from starlette.testclient import TestClient

from desk_cti_tools.emulator.app import make_app
from desk_cti_tools.emulator.config import Origins
from desk_cti_tools.compress import zstd
from desk_cti_tools.emulator.static import BuiltFolder, accepts

ORIGINS = Origins(8650, 8651)
SCRIPT = b"console.log('the loader');\n" * 50
WASM = b"\0asm\1\0\0\0" + bytes(range(256)) * 20


@pytest.fixture
def built(tmp_path):
    root = tmp_path / "build-1"
    (root / "loader").mkdir(parents=True)
    (root / "pyodide").mkdir()
    (root / "index.html").write_text("<!doctype html><title>one</title>")
    (root / "loader" / "desk-cti.js").write_bytes(SCRIPT)
    (root / "loader" / "desk-cti.js.gz").write_bytes(gzip.compress(SCRIPT, mtime=0))
    (root / "pyodide" / "pyodide.asm.wasm").write_bytes(WASM)
    (root / "pyodide" / "pyodide.asm.wasm.gz").write_bytes(gzip.compress(WASM, mtime=0))
    (root / "pyodide" / "pyodide.asm.wasm.zst").write_bytes(zstd(WASM))
    (root / "pyodide" / "python_stdlib.zip").write_bytes(b"PK\5\6" + bytes(18))
    (tmp_path / "secret.txt").write_text("not served")
    return root


@pytest.fixture
def folder(built):
    return BuiltFolder(built)


@pytest.fixture
def phone(tmp_path, folder):
    app = make_app(ORIGINS, tmp_path / "desk.sqlite3", softphone=folder)
    with TestClient(app, base_url=ORIGINS.phone) as client:
        yield client


def test_the_zstd_twin_is_sent_to_a_browser_that_takes_zstd(phone, built):
    r = phone.get("/pyodide/pyodide.asm.wasm", headers={"Accept-Encoding": "gzip, deflate, br, zstd"})
    assert r.status_code == 200
    assert r.headers["content-encoding"] == "zstd"
    assert r.headers["content-type"] == "application/wasm"
    assert int(r.headers["content-length"]) == (built / "pyodide" / "pyodide.asm.wasm.zst").stat().st_size
    assert r.headers["vary"] == "Accept-Encoding"
    # the client here does not decode zstd: the bytes sent are the twin's, which decode to the file
    assert zstandard.ZstdDecompressor().decompress(r.content) == WASM


@pytest.mark.parametrize("accept", ["gzip, deflate, br", "gzip, zstd;q=0"])
def test_the_gzip_twin_is_sent_to_a_browser_that_takes_gzip(phone, built, accept):
    r = phone.get("/pyodide/pyodide.asm.wasm", headers={"Accept-Encoding": accept})
    assert r.status_code == 200
    assert r.headers["content-encoding"] == "gzip"
    assert r.headers["content-type"] == "application/wasm"  # the type of what it decodes to
    assert int(r.headers["content-length"]) == (built / "pyodide" / "pyodide.asm.wasm.gz").stat().st_size
    assert r.headers["vary"] == "Accept-Encoding"
    assert r.content == WASM  # the client decoded it


@pytest.mark.parametrize("accept", ["identity", "br", "gzip;q=0", "*;q=0", "br, gzip;q=0, *;q=1"])
def test_the_plain_file_is_sent_when_gzip_is_not_accepted(phone, accept):
    r = phone.get("/loader/desk-cti.js", headers={"Accept-Encoding": accept})
    assert "content-encoding" not in r.headers
    assert int(r.headers["content-length"]) == len(SCRIPT)
    assert r.headers["content-type"] == "text/javascript; charset=utf-8"
    assert r.headers["vary"] == "Accept-Encoding"


def test_accept_encoding_is_read_with_its_weights():
    assert accepts("gzip", "gzip")
    assert accepts("deflate, x-gzip;q=0.5", "gzip")
    assert accepts("*", "gzip") and accepts("*", "zstd")
    assert accepts("GZIP;Q=1", "gzip")
    assert accepts("gzip, zstd", "zstd")
    assert not accepts("", "gzip")
    assert not accepts("gzip;q=0", "gzip")
    assert not accepts("gzip;q=0.0, *", "gzip")  # named gzip wins over the wildcard
    assert not accepts("gzip;q=nonsense", "gzip")
    assert not accepts("gzip, br", "zstd")
    assert not accepts("zstd;q=0, *", "zstd")


def test_a_file_without_a_twin_is_sent_as_it_is(phone):
    r = phone.get("/pyodide/python_stdlib.zip", headers={"Accept-Encoding": "gzip"})
    assert r.status_code == 200 and "content-encoding" not in r.headers
    assert r.headers["content-type"] == "application/zip"


def test_every_response_revalidates_and_an_unchanged_file_is_a_304(phone):
    r = phone.get("/loader/desk-cti.js", headers={"Accept-Encoding": "gzip"})
    assert r.headers["cache-control"] == "no-cache"
    etag = r.headers["etag"]
    again = phone.get("/loader/desk-cti.js", headers={"Accept-Encoding": "gzip", "If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    plain = phone.get("/loader/desk-cti.js", headers={"Accept-Encoding": "identity", "If-None-Match": etag})
    assert plain.status_code == 200  # the plain file is another representation, with its own tag


def test_the_root_is_the_page_and_the_console_alone_may_frame_it(phone):
    r = phone.get("/")
    assert r.status_code == 200 and "<title>one</title>" in r.text
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    assert r.headers["content-security-policy"] == f"frame-ancestors {ORIGINS.console}"
    assert "x-frame-options" not in r.headers
    for path in ("/loader/desk-cti.js", "/pyodide/pyodide.asm.wasm", "/missing"):
        assert phone.get(path).headers["content-security-policy"] == f"frame-ancestors {ORIGINS.console}", path


def test_a_folder_asked_without_its_slash_is_redirected(phone, built):
    (built / "sub").mkdir()
    (built / "sub" / "index.html").write_text("sub page")
    r = phone.get("/sub", follow_redirects=False)
    assert r.status_code == 301 and r.headers["location"].endswith("/sub/")
    assert phone.get("/sub/").text == "sub page"


@pytest.mark.parametrize("path", ["/../secret.txt", "/%2e%2e/secret.txt", "/loader/..%2f..%2fsecret.txt",
                                  "/loader/%5c..%5csecret.txt", "/missing.js", "/loader/"])
def test_nothing_outside_the_folder_or_missing_is_served(phone, path):
    r = phone.get(path)
    assert r.status_code == 404, (path, r.status_code)
    assert "not served" not in r.text


def test_a_link_out_of_the_folder_is_not_followed(phone, built, tmp_path):
    os.symlink(tmp_path / "secret.txt", built / "link.txt")
    assert phone.get("/link.txt").status_code == 404


def test_only_get_and_head_are_answered(phone):
    assert phone.head("/loader/desk-cti.js").status_code == 200
    r = phone.post("/loader/desk-cti.js")
    assert r.status_code == 405 and r.headers["allow"] == "GET, HEAD"


def test_a_swapped_root_is_served_from_the_next_request(phone, folder, built, tmp_path):
    before = phone.get("/")
    second = tmp_path / "build-2"
    second.mkdir()
    (second / "index.html").write_text("<!doctype html><title>two</title>")
    folder.root = second
    after = phone.get("/", headers={"If-None-Match": before.headers["etag"]})
    assert after.status_code == 200 and "<title>two</title>" in after.text
    assert phone.get("/loader/desk-cti.js").status_code == 404  # nothing of the old build


def test_the_console_frames_the_served_softphone_by_default(tmp_path, folder):
    app = make_app(ORIGINS, tmp_path / "desk.sqlite3", softphone=folder)
    with TestClient(app, base_url=ORIGINS.console) as console:
        assert console.get("/config.json").json() == {"softphoneUrl": f"{ORIGINS.phone}/",
                                                       "softphoneOrigin": ORIGINS.phone}
        assert console.post("/login", data={"email": "alex@acme-support.example", "password": "demo"},
                            headers={"Origin": ORIGINS.console}, follow_redirects=False).status_code == 303
        page = console.get("/agent/cases")
        assert page.status_code == 200
        policies = page.headers.get_list("content-security-policy")
        assert f"frame-src {ORIGINS.phone}" in policies and "frame-ancestors 'self'" in policies


def test_a_softphone_url_elsewhere_moves_what_the_console_frames_and_talks_to(tmp_path):
    url = "https://phones.example.net:8443/softphone/index.html?x=1"
    app = make_app(ORIGINS, tmp_path / "desk.sqlite3", softphone_url=url)
    with TestClient(app, base_url=ORIGINS.console, headers={"Origin": ORIGINS.console}) as console:
        assert console.get("/config.json").json() == {"softphoneUrl": url,
                                                       "softphoneOrigin": "https://phones.example.net:8443"}
        console.post("/login", data={"email": "alex@acme-support.example", "password": "demo"})
        page = console.get("/agent/cases")
        assert "frame-src https://phones.example.net:8443" in page.headers.get_list("content-security-policy")
