"""The `desk-cti` command: new, build, test, serve.

Bad input (a folder that is not a softphone project, a bad config value, a missing tool, a
dependency that cannot be had) is answered with one line on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import NoReturn

from .errors import ToolError

PROG = "desk-cti"
BAD_INPUT = 2


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (its usage is in --help)."""

    def error(self, message: str) -> NoReturn:
        raise ToolError(f"{message} (see {self.prog} --help)")


def _version() -> str:
    from .build import tools_version
    from .pins import PYODIDE_VERSION

    return f"{PROG} {tools_version()} (Pyodide {PYODIDE_VERSION})"


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port number (0-65535)")
    return port


def _parser() -> argparse.ArgumentParser:
    version = _version()
    top = _Parser(prog=PROG, description="Build, test and serve Python softphones for the Desk agent console.")
    top.add_argument("--version", action="version", version=version)
    sub = top.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def command(name: str, help: str, description: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help, description=description)
        p.add_argument("--version", action="version", version=version)
        return p

    p = command("new", "make a new softphone project",
                "Make a working softphone project in DIR (which must not exist, or be empty): its own "
                "Python package, a page with the loader, tests on a fake console and in Pyodide.")
    p.add_argument("dir", metavar="DIR", type=Path)
    p.add_argument("--name", help="the project's name (default: DIR's name), such as my-softphone")

    p = command("build", "build a folder any static web server can serve",
                "Build the softphone project DIR into OUT: the page, the loader, the pinned Pyodide "
                "runtime with the project's wheels and lock, precompressed files, server header "
                "snippets and a manifest of sha256s.")
    p.add_argument("dir", metavar="DIR", type=Path)
    p.add_argument("-o", "--output", metavar="OUT", type=Path, required=True, help="the folder to build into")
    p.add_argument("--console-origin", metavar="ORIGIN", action="append", dest="origins",
                   help="a console origin that may frame the softphone, instead of the declared ones (repeatable)")
    p.add_argument("--pyodide-packages", metavar="DIR", type=Path,
                   help="a Pyodide distribution folder (its pyodide-lock.json and wheels), for Pyodide's "
                        "own packages such as numpy (over pyodide-dist in [tool.desk-cti])")
    p.add_argument("--for-tests", action="store_true", help="add the wheels pytest-pyodide loads")

    p = command("test", "run the project's tests in CPython, then in Pyodide in Chromium",
                "Run DIR's tests: tests/ in CPython (fake_console, async tests need no settings), then "
                "tests/pyodide/ in real Pyodide in Chromium through pytest-pyodide, against a build. "
                "Arguments after -- go to pytest.")
    p.add_argument("dir", metavar="DIR", type=Path)
    which = p.add_mutually_exclusive_group()
    which.add_argument("--cpython-only", action="store_true", help="skip the Pyodide tests")
    which.add_argument("--pyodide-only", action="store_true", help="skip the CPython tests")

    p = command("serve", "run the emulator console with a softphone in it",
                "Serve the emulator console on one origin and the softphone project DIR, built, on a "
                "second one (rebuilt when a file changes); or load any softphone by --softphone-url.")
    p.add_argument("dir", metavar="DIR", type=Path, nargs="?")
    p.add_argument("--softphone-url", metavar="URL", help="load this softphone, served from anywhere")
    p.add_argument("--console-port", type=_port, default=8000, help="the console's port (default 8000)")
    p.add_argument("--phone-port", type=_port, default=8001, help="the softphone's port (default 8001)")
    p.add_argument("--farend-port", type=_port, default=8002,
                   help="the far end's port on 127.0.0.1: a SIP-over-WebSocket line with audio that "
                        "answers the softphone's calls and rings it (default 8002)")
    p.add_argument("--no-farend", action="store_true", help="do not start the far end")
    p.add_argument("--db", type=Path, metavar="FILE",
                   help="the emulator's SQLite file (default: a per-user data folder; created and seeded if missing)")
    return top


def main(argv: list[str] | None = None) -> int:
    try:
        return _run(sys.argv[1:] if argv is None else argv)
    except ToolError as e:
        print(f"{PROG}: error: {e}", file=sys.stderr)
        return BAD_INPUT
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except Exception as e:  # a bug of ours: one line, the traceback on request
        if os.environ.get("DESK_CTI_DEBUG"):
            raise
        print(f"{PROG}: internal error: {type(e).__name__}: {e} (DESK_CTI_DEBUG=1 shows the traceback)",
              file=sys.stderr)
        return 1


def _run(argv: list[str]) -> int:
    # what follows `--` goes to pytest (desk-cti test DIR -- -k name)
    rest: list[str] = []
    if "--" in argv:
        at = argv.index("--")
        argv, rest = argv[:at], argv[at + 1:]
    args = _parser().parse_args(argv)
    if rest and args.command != "test":
        raise ToolError(f"arguments after -- go to pytest, for `desk-cti test` only: {' '.join(rest)}")
    if args.command is None:
        raise ToolError("give a command: new, build, test or serve (see desk-cti --help)")
    if args.command == "new":
        from .scaffold import new_project

        path = new_project(args.dir, args.name)
        print(f"made {path}: next, `desk-cti test {args.dir}`, `desk-cti serve {args.dir}`")
        return 0
    if args.command == "build":
        from .build import build_project
        from .project import load_project

        out = build_project(load_project(args.dir), args.output, console_origins=args.origins,
                            for_tests=args.for_tests, pyodide_packages=args.pyodide_packages)
        print(f"built {out}: serve it with the headers in {out / 'server-headers'}")
        return 0
    if args.command == "test":
        from .testrun import run_tests

        return run_tests(args.dir, cpython=not args.pyodide_only, pyodide=not args.cpython_only, pytest_args=rest)
    if args.command == "serve":
        if args.dir is None and args.softphone_url is None:
            raise ToolError("serve: give a softphone project DIR, or --softphone-url URL")
        try:
            from .serve import run
        except ImportError as e:
            raise ToolError(f"serve is not available in this installation ({e})") from None
        return run(args.dir, args.softphone_url, args.console_port, args.phone_port, db=args.db,
                   farend_port=None if args.no_farend else args.farend_port)
    raise AssertionError(args.command)


if __name__ == "__main__":
    sys.exit(main())
