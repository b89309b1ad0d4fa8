"""``python -m desk_cti_tools.farend --port N``: the far end on ws://127.0.0.1:N/sip."""

from __future__ import annotations

import argparse
import re
import sys

import uvicorn

from . import config
from .media import loopback_only
from .server import FarEnd


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m desk_cti_tools.farend",
                                     description="A SIP-over-WebSocket far end with audio, on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=8710, help="port on 127.0.0.1 (default 8710)")
    parser.add_argument("--answer-delay", type=float, default=0.3, help="seconds of ringing before it answers")
    parser.add_argument("--allow-origin", action="append", default=[], metavar="ORIGIN",
                        help="a page origin that may use the control API (repeatable)")
    parser.add_argument("--password", help="ask registering phones for this password (digest, as a PBX does)")
    args = parser.parse_args(argv)
    for origin in args.allow_origin:
        if not re.fullmatch(r"https?://[A-Za-z0-9.-]+(:\d{1,5})?", origin):
            print(f"farend: --allow-origin {origin!r}: expected an origin such as http://127.0.0.1:8001", file=sys.stderr)
            return 2
    if not 0 < args.port < 65536:
        print(f"farend: --port must be 1-65535, not {args.port}", file=sys.stderr)
        return 2
    if not 0 <= args.answer_delay <= 60:
        print("farend: --answer-delay must be 0 to 60 seconds", file=sys.stderr)
        return 2
    try:
        loopback_only()
    except RuntimeError as exc:
        print(f"farend: {exc}", file=sys.stderr)
        return 1
    print(f"far end: SIP on ws://127.0.0.1:{args.port}/sip, control on http://127.0.0.1:{args.port}/status",
          flush=True)
    server = uvicorn.Server(config(FarEnd(answer_delay=args.answer_delay, allow_origins=tuple(args.allow_origin), password=args.password).app, args.port))
    try:
        server.run()
    except OSError as exc:  # the port is taken
        print(f"farend: cannot serve on 127.0.0.1:{args.port}: {exc.strerror}", file=sys.stderr)
        return 1
    return 0 if server.started else 1


if __name__ == "__main__":
    sys.exit(main())
