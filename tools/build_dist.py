"""Assemble a self-hosted Pyodide folder: the pinned npm runtime plus our wheels.

    python tools/build_dist.py OUT WHEEL [WHEEL ...]

Copies the runtime files from node_modules/pyodide, takes out the CDN
fall-back address (so a missing package is an error, never a download from
elsewhere) and the CDN addresses in stdlib doctest examples, copies the wheels, and writes a pyodide-lock.json that lists
exactly the shipped wheels, each with its real sha256 (Chromium checks it).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import re
import shutil
import sys
import zipfile
from email.parser import Parser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNTIME = ROOT / "node_modules" / "pyodide"
RUNTIME_FILES = ["pyodide.mjs", "pyodide.js", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip"]
#: precompressed for browsers that accept gzip (the zip files are compressed already)
GZIP = ["pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "pyodide-lock.json"]
CDN = re.compile(r"https://cdn\.jsdelivr\.net/pyodide/v\$\{(\w+)\}/full/")


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def wheel_entry(path: Path) -> dict:
    with zipfile.ZipFile(path) as zf:
        meta_name = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        meta = Parser().parsestr(zf.read(meta_name).decode())
        tops = {n.split("/")[0] for n in zf.namelist() if not n.split("/")[0].endswith((".dist-info", ".data"))}
        imports = sorted(t[:-3] if t.endswith(".py") else t for t in tops)
        requires = [
            canonical(re.split(r"[\s;<>=!~\[(]", r, maxsplit=1)[0])
            for r in meta.get_all("Requires-Dist") or []
            if "extra ==" not in r and "python_version <" not in r
        ]
    return {
        "name": canonical(meta["Name"]),
        "version": meta["Version"],
        "file_name": path.name,
        "install_dir": "site",
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        "package_type": "package",
        "imports": imports,
        "depends": requires,
        "unvendored_tests": False,
    }


def scrub_zip(data: bytes) -> bytes:
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


def build(out: Path, wheels: list[Path]) -> Path:
    if not (RUNTIME / "pyodide.asm.wasm").exists():
        sys.exit("node_modules/pyodide is missing: run `npm ci` first")
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    for name in RUNTIME_FILES:
        data = (RUNTIME / name).read_bytes()
        if name == "python_stdlib.zip":
            (out / name).write_bytes(scrub_zip(data))
            continue
        if name in ("pyodide.mjs", "pyodide.js"):
            text, n = CDN.subn("offline:no-cdn/", data.decode())
            if n != 1:
                sys.exit(f"{name}: expected one CDN fall-back address, found {n}; check the Pyodide version")
            data = text.encode()
        (out / name).write_bytes(data)
    lock = json.loads((RUNTIME / "pyodide-lock.json").read_text())
    entries = {}
    for wheel in wheels:
        shutil.copy2(wheel, out / wheel.name)
        entry = wheel_entry(out / wheel.name)
        entries[entry["name"]] = entry
    for entry in entries.values():
        entry["depends"] = sorted(d for d in entry["depends"] if d in entries)
    lock["packages"] = dict(sorted(entries.items()))
    (out / "pyodide-lock.json").write_text(json.dumps(lock, indent=1) + "\n")
    for name in GZIP:
        data = (out / name).read_bytes()
        (out / f"{name}.gz").write_bytes(gzip.compress(data, compresslevel=9, mtime=0))
    return out


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    result = build(Path(sys.argv[1]), [Path(w) for w in sys.argv[2:]])
    print(f"assembled {result} with {len(sys.argv) - 2} wheel(s)")
