"""Files the tools ship that live elsewhere in the repository: the loader folder, JsSIP.

``loader/`` at the repository's top is their source of truth. From a checkout they are read
there; an installed copy of the tools has them in ``_assets/loader``, copied in when the wheel is
built (setup.py).
"""

from __future__ import annotations

from pathlib import Path

from .errors import ToolError

HERE = Path(__file__).resolve().parent
#: the loader's files a build needs at least; every .js and .mjs of the folder ships (the loader
#: imports its modules by name beside itself)
LOADER_FILES = ("desk-cti.js", "desk-cti-wheel.mjs", "desk-cti-snapshot.mjs", "desk-console.js")


def loader_dir() -> Path:
    for folder in (HERE.parent / "loader", HERE / "_assets" / "loader"):
        if all((folder / name).is_file() for name in LOADER_FILES):
            return folder
    raise ToolError(f"the loader files ({', '.join(LOADER_FILES)}) are missing from {HERE}; reinstall desk-cti-py")


def loader_files() -> list[Path]:
    """The loader's scripts and modules, as a build ships them."""
    folder = loader_dir()
    return sorted(p for p in folder.iterdir() if p.suffix in (".js", ".mjs") and p.is_file())


def jssip_text() -> str:
    """The browser build of JsSIP that the SIP call engine loads from ``loader/vendor/``: made
    from the pinned npm package by ``python -m desk_cti_tools.jssip_bundle`` and kept in
    ``vendor/`` (a test checks it is that bundle), so an install needs no node_modules."""
    path = HERE / "vendor" / "jssip.js"
    if not path.is_file():
        raise ToolError(f"JsSIP for the call engine is missing ({path}); reinstall desk-cti-py")
    return path.read_text(encoding="utf-8")


def templates_dir() -> Path:
    return HERE / "templates"
