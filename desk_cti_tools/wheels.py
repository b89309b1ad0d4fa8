"""Pure-Python wheels written directly from a package folder, byte for byte the same each time.

The browser wheel of the library (``desk_cti_py`` alone, from wherever it is installed) and the
author's package are made this way: a wheel is a zip with METADATA, WHEEL and RECORD, and no
build backend (nor its download) is needed for a folder of Python files.
"""

from __future__ import annotations

import ast
import base64
import hashlib
import importlib.util
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path

from packaging.utils import canonicalize_name

from .errors import ToolError

LIBRARY = "desk-cti-py"
LIBRARY_PACKAGE = "desk_cti_py"
_EPOCH = (1980, 1, 1, 0, 0, 0)
_SKIP_DIRS = {"__pycache__"}
_SKIP_SUFFIXES = (".pyc", ".pyo")


def _files(folder: Path) -> list[Path]:
    out = []
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if any(part in _SKIP_DIRS or part.startswith(".") for part in rel.parts):
            continue
        if path.is_file() and not path.name.endswith(_SKIP_SUFFIXES):
            out.append(path)
    return out


def _record_hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def write_wheel(out_dir: Path, *, name: str, version: str, package_dir: Path, requires: Sequence[str] = (),
                summary: str = "") -> Path:
    """Write ``{name}-{version}-py3-none-any.whl`` holding ``package_dir`` (as its top-level package)."""
    if not (package_dir / "__init__.py").is_file():
        raise ToolError(f"{package_dir} is not a Python package (no __init__.py)")
    stem = re.sub(r"[-_.]+", "_", canonicalize_name(name))
    info = f"{stem}-{version}.dist-info"
    meta = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}"]
    if summary:
        meta.append(f"Summary: {summary}")
    meta += [f"Requires-Dist: {r}" for r in requires]
    entries: list[tuple[str, bytes]] = [
        (f"{package_dir.name}/{p.relative_to(package_dir).as_posix()}", p.read_bytes()) for p in _files(package_dir)
    ]
    entries.append((f"{info}/METADATA", ("\n".join(meta) + "\n").encode()))
    entries.append((f"{info}/WHEEL", b"Wheel-Version: 1.0\nGenerator: desk-cti\nRoot-Is-Purelib: true\nTag: py3-none-any\n"))
    record = "".join(f"{n},{_record_hash(d)},{len(d)}\n" for n, d in entries) + f"{info}/RECORD,,\n"
    entries.append((f"{info}/RECORD", record.encode()))
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{stem}-{version}-py3-none-any.whl"
    # stored, not deflated: the loader unpacks it on the page's main thread while the runtime
    # loads, where inflating delayed the runtime (docs/performance.md); the server compresses it
    # on the wire, its .zst twin smaller than the deflated wheel
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as zf:
        for arcname, data in entries:
            zi = zipfile.ZipInfo(arcname, date_time=_EPOCH)
            zi.external_attr = 0o644 << 16
            zf.writestr(zi, data)
    return path


def library_folder() -> Path:
    """Where ``desk_cti_py`` is installed (found without importing it)."""
    spec = importlib.util.find_spec(LIBRARY_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ToolError(f"{LIBRARY_PACKAGE} is not installed next to the tools; reinstall desk-cti-py")
    return Path(next(iter(spec.submodule_search_locations)))


def library_version(folder: Path | None = None) -> str:
    """``desk_cti_py.__version__``, read from its source (importing it is not needed)."""
    init = (folder or library_folder()) / "__init__.py"
    for node in ast.parse(init.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "__version__" for t in node.targets):
            if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                return node.value.value
    raise ToolError(f"{init} has no __version__")


def library_wheel(out_dir: Path) -> Path:
    """The browser wheel: the installed ``desk_cti_py`` package alone, no dependencies."""
    folder = library_folder()
    return write_wheel(out_dir, name=LIBRARY, version=library_version(folder), package_dir=folder,
                       summary="Desk.com Open CTI for Python softphones running under Pyodide")


if __name__ == "__main__":  # `python -m desk_cti_tools.wheels OUT`: the Makefile's wheel target
    import sys

    if len(sys.argv) != 2:
        sys.exit("usage: python -m desk_cti_tools.wheels OUT_DIR")
    print(library_wheel(Path(sys.argv[1])))
