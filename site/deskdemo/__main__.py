"""``python -m deskdemo``: start the demo console and softphone (Ctrl-C stops it)."""

from __future__ import annotations

import argparse
from pathlib import Path

from .config import PYODIDE
from .db import DEMO_PASSWORD
from .server import prepare


def main() -> None:
    parser = argparse.ArgumentParser(prog="deskdemo", description=__doc__)
    parser.add_argument("--console-port", type=int, default=8000)
    parser.add_argument("--phone-port", type=int, default=8001)
    parser.add_argument("--db", type=Path, default=None, help="SQLite file (created and seeded if missing)")
    args = parser.parse_args()
    if not (PYODIDE / "pyodide-lock.json").exists():
        parser.error(f"{PYODIDE} is not built: run `make demo` (or `make dist`)")
    server, sockets, origins = prepare(args.console_port, args.phone_port, db_path=args.db)
    print(f"desk-cti-py demo console: open {origins.console}/", flush=True)
    print(f"  softphone served from {origins.phone} (a second origin). Ctrl-C stops.", flush=True)
    print(f"  sign in as alex@acme-support.example, password {DEMO_PASSWORD}", flush=True)
    try:
        server.run(sockets=sockets)
    except KeyboardInterrupt:
        pass
    print("stopped.", flush=True)


if __name__ == "__main__":
    main()
