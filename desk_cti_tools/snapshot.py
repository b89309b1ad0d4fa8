"""Make a memory snapshot of a built Pyodide folder, for the loader to boot from.

    python -m desk_cti_tools.snapshot PYODIDE_DIR --import desk_cti_py --wheel X.whl [...]

Writes, into PYODIDE_DIR: ``snapshot.bin`` (the runtime's heap with the given packages
imported, as its runs: snapshot_runs.py), ``snapshot.bin.zst`` and ``snapshot.bin.gz``
(served to browsers that accept zstd, or gzip) and ``snapshot.json``
(what the snapshot was made from: the runtime's build id and the sha256 of every file it
depends on; the loader boots from it only when they match). Format: docs/snapshot.md.
The work is done in Node by snapshot.mjs, beside this file (Pyodide's snapshot API is
JavaScript); here the wheels are unpacked, the files hashed and the results written, all
or nothing.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from . import compress, snapshot_runs

SCRIPT = Path(__file__).with_name("snapshot.mjs")
FORMAT = 3
#: the runtime's files whose bytes the snapshot's heap depends on (the stdlib zip's directory
#: and any module imported from it live in the heap; the build id covers the asm files)
RUNTIME_FILES = ("pyodide.asm.mjs", "pyodide.asm.wasm", "pyodide.mjs", "python_stdlib.zip")


class SnapshotError(Exception):
    """The snapshot could not be made; the message says why, in one line."""


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _check_args(pyodide_dir: Path, imports: list[str], wheels: list[Path]) -> None:
    if not isinstance(imports, list) or not imports or not all(
            isinstance(m, str) and all(part.isidentifier() for part in m.split(".")) for m in imports):
        raise SnapshotError(f"imports must be a non-empty list of module names, not {imports!r}")
    missing = [n for n in RUNTIME_FILES if not (pyodide_dir / n).is_file()]
    if missing:
        raise SnapshotError(f"{pyodide_dir} is not a built Pyodide folder: {', '.join(missing)} missing")
    for wheel in wheels:
        if not wheel.is_file() or not wheel.name.endswith(".whl"):
            raise SnapshotError(f"{wheel} is not a wheel file")
    if shutil.which("node") is None:
        raise SnapshotError("node is not on PATH: the snapshot is made in Node")


def _unpack(wheels: list[Path], site: Path) -> None:
    """Unpack the wheels as the loader writes them into site-packages (same names, same bytes)."""
    for wheel in wheels:
        try:
            with zipfile.ZipFile(wheel) as zf:
                for info in zf.infolist():
                    name = info.filename
                    if name.startswith("/") or "\\" in name or ".." in name.split("/"):
                        raise SnapshotError(f"{wheel}: unsafe name {name}")
                    if not name.endswith("/"):
                        (site / name).parent.mkdir(parents=True, exist_ok=True)
                        (site / name).write_bytes(zf.read(info))
        except zipfile.BadZipFile as e:
            raise SnapshotError(f"{wheel} is not a wheel: {e}") from None


def make_snapshot(pyodide_dir: Path, *, imports: list[str], wheels: list[Path]) -> Path:
    """Snapshot the runtime in ``pyodide_dir`` with ``wheels`` installed and ``imports``
    imported; write snapshot.bin, its .zst and .gz twins and snapshot.json there. Returns the
    path of snapshot.json. The wheels must be the ones the folder ships (the loader installs
    those). Raises SnapshotError (nothing written) if it cannot be made or does not restore."""
    pyodide_dir = Path(pyodide_dir)
    wheels = [Path(w) for w in wheels]
    _check_args(pyodide_dir, imports, wheels)
    with tempfile.TemporaryDirectory(prefix="desk-snapshot-") as tmp:
        site, raw = Path(tmp) / "site", Path(tmp) / "snapshot.bin"
        site.mkdir()
        _unpack(wheels, site)
        run = subprocess.run(["node", str(SCRIPT), str(pyodide_dir), str(raw), str(site), *imports],
                             capture_output=True, text=True)
        if run.returncode != 0:
            ours = [ln[len("snapshot: "):] for ln in run.stderr.splitlines() if ln.startswith("snapshot: ")]
            errors = [ln.strip() for ln in run.stderr.splitlines() if "Error" in ln and len(ln) < 500]
            raise SnapshotError((ours or errors or [f"node exited with {run.returncode}"])[-1])
        made = json.loads(run.stdout.strip().splitlines()[-1])
        image = raw.read_bytes()
        base = (Path(tmp) / "snapshot.bin.base").read_bytes()  # the runtime's memory before a restore
        data = snapshot_runs.pack(image, base, fixed=[made["trampoline"]])
        if snapshot_runs.unpack(data, base) != image:
            raise SnapshotError("the snapshot's runs do not give back its image")
        packed = gzip.compress(data, compresslevel=6, mtime=0)
        zpacked = compress.zstd(data, cache=False)  # a new one every build: not worth keeping
        manifest = {
            "format": FORMAT,
            "pyodide_version": made["version"],
            "build_id": made["build_id"],
            "file": "snapshot.bin",
            # the file's (what the loader fetches and hashes); bytes: the image's, restored
            "sha256": hashlib.sha256(data).hexdigest(),
            "file_bytes": len(data),
            "bytes": len(image),
            # the kept runs' bytes (the runtime's own memory): the loader checks its runtime's
            "kept_sha256": snapshot_runs.kept_sha256(data, image),
            # its size on the wire, by coding: the loader's late decision (docs/snapshot.md)
            "gzip_bytes": len(packed),
            "zstd_bytes": len(zpacked),
            "heap_bytes": made["heap_bytes"],
            # made with JSPI: the heap holds a working run_sync, for runtimes that have JSPI
            "jspi": made["jspi"],
            "imports": imports,
            "runtime": {name: sha256(pyodide_dir / name) for name in RUNTIME_FILES},
            "wheels": {w.name: sha256(w) for w in wheels},
        }
        text = (json.dumps(manifest, indent=1) + "\n").encode()
        staged = {"snapshot.bin": data, "snapshot.bin.zst": zpacked, "snapshot.bin.gz": packed, "snapshot.json": text}
        # the coding snapshot.json is sent in tells the loader the snapshot's, before it asks for it
        staged.update({f"snapshot.json{suffix}": body for suffix, body in compress.twins(text).items()})
        # all or nothing: each file written beside its final name, then renamed into place
        for name, body in staged.items():
            (pyodide_dir / f".{name}.tmp").write_bytes(body)
        for name in staged:
            os.replace(pyodide_dir / f".{name}.tmp", pyodide_dir / name)
    return pyodide_dir / "snapshot.json"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m desk_cti_tools.snapshot", description=__doc__.split("\n\n")[0])
    parser.add_argument("pyodide_dir", type=Path, help="a built Pyodide folder (e.g. build/pyodide)")
    parser.add_argument("--import", dest="imports", action="append", required=True, metavar="MODULE",
                        help="a module to import before the snapshot (repeat)")
    parser.add_argument("--wheel", dest="wheels", action="append", default=[], type=Path, metavar="WHEEL",
                        help="a wheel to install before the snapshot (repeat)")
    args = parser.parse_args(argv)
    try:
        out = make_snapshot(args.pyodide_dir, imports=args.imports, wheels=args.wheels)
    except SnapshotError as e:
        print(f"snapshot: {e}", file=sys.stderr)
        return 1
    m = json.loads(out.read_text())
    print(f"wrote {out.parent / m['file']} (a {m['bytes']:,} B heap in {m['file_bytes']:,} B, "
          f"{m['zstd_bytes']:,} B in zstd, {m['gzip_bytes']:,} B in gzip) and {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
