"""Where things are, and the two origins the demo serves."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "site"
LOADER = ROOT / "loader"
PYODIDE = ROOT / "build" / "pyodide"


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
