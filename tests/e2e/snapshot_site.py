"""A built softphone folder with and without a snapshot, served as a static site would serve it.

For the snapshot boot's end-to-end tests and the bench: copies of build/pyodide under a
temporary folder (the runtime's files linked, not copied; build/ is never written), a
snapshot made into one copy, and broken variants of it. The server sends a file's ``.zst`` or
``.gz`` twin where the browser accepts its coding, with ``no-cache`` and an ETag (every boot
revalidates), as the demo server and the build's header snippets do.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import io
import json
import os
import shutil
import socket
import threading
import time
import zipfile
from contextlib import contextmanager
from pathlib import Path

import uvicorn
import zstandard
from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from desk_cti_tools.compress import precompress
from desk_cti_tools.emulator.static import precompressed

ROOT = Path(__file__).resolve().parents[2]
BUILT = ROOT / "build" / "pyodide"
#: what the snapshot imports: the library, and its browser transport (imported at connect())
IMPORTS = ("desk_cti_py", "desk_cti_py._browser")
LOADER = ROOT / "loader"
SNAPSHOT_FILES = ("snapshot.bin", "snapshot.bin.zst", "snapshot.bin.gz")
MANIFEST_FILES = ("snapshot.json", "snapshot.json.zst", "snapshot.json.gz")
TYPES = {".mjs": "text/javascript", ".js": "text/javascript", ".wasm": "application/wasm",
         ".json": "application/json", ".html": "text/html; charset=utf-8"}


class TwinStatic(StaticFiles):
    def file_response(self, full_path, stat_result, scope, status_code=200):
        path = str(full_path)
        twin = precompressed(path, Headers(scope=scope))
        if twin:
            full_path, stat_result = twin[0], os.stat(twin[0])
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["Cache-Control"] = "no-cache"
        response.headers["Vary"] = "Accept-Encoding"
        response.headers["Content-Type"] = TYPES.get(os.path.splitext(path)[1], "application/octet-stream")
        if twin:
            response.headers["Content-Encoding"] = twin[1]
        return response


@contextmanager
def serve(root: Path):
    """Serve ``root`` on a free port of 127.0.0.1 (reachable as localhost too: another site)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    app = Starlette(routes=[Mount("/", TwinStatic(directory=root, follow_symlink=True))])
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=lambda: asyncio.run(server.serve(sockets=[sock])), daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield sock.getsockname()[1]
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


def link_copy(src: Path, dst: Path, skip: tuple[str, ...] = ()) -> Path:
    """dst holds a hard link to every file of src (but ``skip``): a copy that costs no space
    and keeps its contents when src is rebuilt meanwhile (a rebuild writes new files)."""
    dst.mkdir(parents=True)
    for f in src.iterdir():
        if f.is_file() and f.name not in skip and not f.name.startswith("."):
            os.link(f.resolve(), dst / f.name)
    return dst


def with_snapshot(dst: Path, src: Path = BUILT) -> Path:
    """A copy of ``src`` with a snapshot (src's own, when it has one)."""
    if (src / "snapshot.json").exists():
        return link_copy(src, dst)
    from desk_cti_tools.snapshot import make_snapshot

    link_copy(src, dst, skip=(*MANIFEST_FILES, *SNAPSHOT_FILES))
    make_snapshot(dst, imports=list(IMPORTS), wheels=sorted(dst.glob("desk_cti_py-*.whl")))
    return dst


def _rewrite(dst: Path, name: str, data: bytes) -> None:
    """A file changed, and its twins with it (links to the good folder's are replaced, not written)."""
    (dst / name).unlink(missing_ok=True)
    (dst / name).write_bytes(data)
    for suffix, pack in ((".gz", lambda d: gzip.compress(d, compresslevel=1, mtime=0)),
                         (".zst", lambda d: zstandard.ZstdCompressor(level=1).compress(d))):
        if (dst / f"{name}{suffix}").exists():
            (dst / f"{name}{suffix}").unlink()
            (dst / f"{name}{suffix}").write_bytes(pack(data))


def _manifest(dst: Path, **changes) -> None:
    m = json.loads((dst / "snapshot.json").read_text())
    m.update(changes)
    _rewrite(dst, "snapshot.json", (json.dumps(m, indent=1) + "\n").encode())


def variant(good: Path, dst: Path, kind: str) -> Path:
    """A broken copy of a folder with a snapshot: ``build_id`` (a snapshot another runtime
    build made: header and snapshot.json agree, the runtime differs), ``wheel`` (the shipped
    wheel changed after the snapshot, the lock updated), ``corrupt`` (bytes of the snapshot
    changed on the server), ``memory`` (made where the runtime's memory before the restore is
    not this runtime's), ``missing`` (snapshot.json left, the snapshot gone), ``none`` (no
    snapshot at all)."""
    from desk_cti_tools import snapshot_runs

    link_copy(good, dst)
    bin_ = (good / "snapshot.bin").read_bytes()
    if kind == "build_id":
        other = hashlib.sha256(b"another build").hexdigest()
        # the header's words 4-11, as Pyodide writes the id
        data = snapshot_runs.patch(bin_, 16, b"".join(int(other[8 * i:8 * i + 8], 16).to_bytes(4, "little")
                                                       for i in range(8)))
        _rewrite(dst, "snapshot.bin", data)
        _manifest(dst, build_id=other, sha256=hashlib.sha256(data).hexdigest())
    elif kind == "wheel":
        wheel = next(dst.glob("desk_cti_py-*.whl"))
        body = wheel.read_bytes()
        changed = io.BytesIO()
        with zipfile.ZipFile(changed, "w") as out, zipfile.ZipFile(good / wheel.name) as src:
            for info in src.infolist():
                data = src.read(info)
                if info.filename.endswith("/__init__.py"):
                    data += b"\n# changed after the snapshot was made\n"
                out.writestr(info, data)
        _rewrite(dst, wheel.name, changed.getvalue())  # and its twins
        assert wheel.read_bytes() != body
        lock = json.loads((dst / "pyodide-lock.json").read_text())
        lock["packages"]["desk-cti-py"]["sha256"] = hashlib.sha256(wheel.read_bytes()).hexdigest()
        _rewrite(dst, "pyodide-lock.json", (json.dumps(lock, indent=1) + "\n").encode())
    elif kind == "corrupt":  # well-formed runs, some of the heap's bytes changed
        image = snapshot_runs.unpack_data(bin_)
        offset, length = max(image, key=lambda run: run[1])  # the longest data run
        data = snapshot_runs.patch(bin_, offset + length // 2, b"\xa5" * 64)
        assert data != bin_
        _rewrite(dst, "snapshot.bin", data)
    elif kind == "memory":  # made by a runtime whose memory before the restore differs from this one's
        _manifest(dst, kept_sha256=hashlib.sha256(b"another runtime's memory").hexdigest())
    elif kind == "missing":
        for name in SNAPSHOT_FILES:
            (dst / name).unlink(missing_ok=True)
    elif kind == "none":
        for name in (*MANIFEST_FILES, *SNAPSHOT_FILES):
            (dst / name).unlink(missing_ok=True)
    else:
        raise ValueError(kind)
    return dst


def site(root: Path, folders: dict[str, Path], pages: dict[str, str]) -> Path:
    """root/loader (the checkout's loader, with its precompressed twins), root/<name> for each
    folder, root/test/<page>."""
    root.mkdir(parents=True, exist_ok=True)
    precompress(link_copy(LOADER, root / "loader"))  # as `desk-cti build` does
    for name, folder in folders.items():
        (root / name).symlink_to(folder)
    (root / "test").mkdir()
    shutil.copy(ROOT / "tests" / "e2e" / "pages" / "host.html", root / "test" / "host.html")
    for name, text in pages.items():
        (root / "test" / name).write_text(text)
    return root
