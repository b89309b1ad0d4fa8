"""Where the emulator's files are, where its data goes, and the two origins it serves.

It runs from a checkout of the repository and from a pip-installed copy: its console pages
are package data beside this file; the loader (``desk-console.js``) is the repository's
``loader/`` in a checkout, the copy packaged with the tools otherwise (``assets.loader_dir``).
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from ..assets import loader_dir

__all__ = ["CONSOLE", "PYODIDE", "ROOT", "Origins", "data_dir", "default_db", "loader_dir"]

PACKAGE = Path(__file__).resolve().parent
CONSOLE = PACKAGE / "console"
#: the repository, when this is a checkout (its tests and bench pages load build/pyodide)
ROOT = PACKAGE.parents[1]
PYODIDE = ROOT / "build" / "pyodide"


def data_dir() -> Path:
    """The per-user folder for the emulator's database (never inside the installed package)."""
    if env := os.environ.get("DESK_CTI_DATA"):
        return Path(env)
    if sys.platform == "win32":
        return Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local")) / "desk-cti"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "desk-cti"
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "desk-cti"


def default_db() -> Path:
    return data_dir() / "desk.sqlite3"


@dataclass(frozen=True)
class Origins:
    """The console origin (localhost) and the softphone origin (127.0.0.1): cross-site, as in a real console."""

    console_port: int
    phone_port: int
    console_host: str = "localhost"
    phone_host: str = "127.0.0.1"

    @property
    def console(self) -> str:
        return f"http://{self.console_host}:{self.console_port}"

    @property
    def phone(self) -> str:
        return f"http://{self.phone_host}:{self.phone_port}"
