"""The pinned Pyodide runtime: where it comes from (npm), and how it is copied into a build.

Found in the repository's ``node_modules/pyodide`` when the tools run from a checkout, else in
the user's cache (``~/.cache/desk-cti/``), where ``npm pack`` puts it the first time, checked
against the integrity npm's lock records. Copied with the CDN fall-back address taken out, so a
package missing from a build is an error, never a download from elsewhere.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from .errors import ToolError
from .pins import PYODIDE_INTEGRITY, PYODIDE_NPM, PYODIDE_VERSION

REPO = Path(__file__).resolve().parent.parent
FILES = ["pyodide.mjs", "pyodide.js", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json"]
CDN = re.compile(r"https://cdn\.jsdelivr\.net/pyodide/v\$\{(\w+)\}/full/")


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "desk-cti"


def _is_runtime(folder: Path) -> bool:
    try:
        version = json.loads((folder / "package.json").read_text())["version"]
    except (OSError, ValueError, KeyError):
        return False
    return version == PYODIDE_VERSION and all((folder / f).is_file() for f in FILES)


def find_runtime(*, fetch: bool = True) -> Path:
    """The folder of the pinned npm package ``pyodide``; fetched with npm into the cache if absent."""
    for folder in (REPO / "node_modules" / PYODIDE_NPM, Path.cwd() / "node_modules" / PYODIDE_NPM):
        if _is_runtime(folder):
            return folder
    cached = cache_dir() / f"pyodide-{PYODIDE_VERSION}"
    if _is_runtime(cached):
        return cached
    if not fetch:
        raise ToolError(f"the Pyodide runtime {PYODIDE_VERSION} is not in {cached}")
    return _npm_pack(cached)


def _npm_pack(target: Path) -> Path:
    npm = shutil.which("npm")
    if npm is None:
        raise ToolError(f"npm is not installed: it is needed once to fetch the Pyodide runtime "
                        f"({PYODIDE_NPM}@{PYODIDE_VERSION}); install Node.js and npm, then run again")
    target.parent.mkdir(parents=True, exist_ok=True)
    print(f"fetching the Pyodide runtime ({PYODIDE_NPM}@{PYODIDE_VERSION}) with npm into {target}: once", flush=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".npm-pack-") as tmp:
        try:
            proc = subprocess.run([npm, "pack", f"{PYODIDE_NPM}@{PYODIDE_VERSION}", "--json", "--silent",
                                   "--pack-destination", tmp], capture_output=True, text=True, timeout=600)
        except (OSError, subprocess.TimeoutExpired) as e:
            raise ToolError(f"npm pack {PYODIDE_NPM}@{PYODIDE_VERSION} failed: {e}") from None
        tarballs = list(Path(tmp).glob("*.tgz"))
        if proc.returncode != 0 or len(tarballs) != 1:
            last = (proc.stderr.strip().splitlines() or ["no tarball"])[-1]
            raise ToolError(f"npm pack {PYODIDE_NPM}@{PYODIDE_VERSION} failed: {last}")
        data = tarballs[0].read_bytes()
        digest = "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()
        if digest != PYODIDE_INTEGRITY:
            raise ToolError(f"{tarballs[0].name} does not match its pinned integrity ({digest} != {PYODIDE_INTEGRITY})")
        unpacked = Path(tmp) / "unpacked"
        with tarfile.open(fileobj=io.BytesIO(data)) as tar:
            tar.extractall(unpacked, filter="data")
        if not _is_runtime(unpacked / "package"):
            raise ToolError(f"{tarballs[0].name} does not hold the Pyodide runtime files")
        if target.exists():  # a partial copy from an interrupted run
            shutil.rmtree(target)
        os.replace(unpacked / "package", target)
    return target


def _scrub_stdlib(data: bytes) -> bytes:
    """Doctest examples in the stdlib name the CDN; point them at example.invalid instead."""
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as dst:
        for info in src.infolist():
            body = src.read(info)
            if b"cdn.jsdelivr.net" in body:
                body = body.replace(b"https://cdn.jsdelivr.net/", b"https://example.invalid/")
            dst.writestr(info, body, compress_type=info.compress_type)
    return buf.getvalue()


def copy_runtime(runtime: Path, out: Path) -> dict[str, Any]:
    """Copy the runtime's files into ``out`` (no CDN address left); returns its lock, parsed."""
    out.mkdir(parents=True, exist_ok=True)
    for name in FILES:
        if name == "pyodide-lock.json":
            continue
        data = (runtime / name).read_bytes()
        if name == "python_stdlib.zip":
            data = _scrub_stdlib(data)
        elif name in ("pyodide.mjs", "pyodide.js"):
            text, n = CDN.subn("offline:no-cdn/", data.decode())
            if n != 1:
                raise ToolError(f"{runtime / name}: expected one CDN fall-back address, found {n}; "
                                f"is it Pyodide {PYODIDE_VERSION}?")
            data = text.encode()
        (out / name).write_bytes(data)
    lock: dict[str, Any] = json.loads((runtime / "pyodide-lock.json").read_text())
    return lock
