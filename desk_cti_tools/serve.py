"""`desk-cti serve`: the console emulator on one origin, the author's softphone on a second.

The softphone project is built (as `desk-cti build` does, with the emulator's origin among the
consoles it accepts) into a folder of its own and served from it; a poll of the project's files
rebuilds it on a change, into a new folder that replaces the served one only once it is whole.
A failed rebuild prints one line and the last good build stays served. With ``softphone_url``
the emulator loads a softphone served from anywhere instead.

A far end for the call engine (``desk_cti_tools.farend``: SIP over WebSocket with real audio)
runs beside them on 127.0.0.1 unless ``farend_port`` is None; each build served gets a
``farend.json`` saying where it is (a serve-time file: `desk-cti build` never writes one).
"""

from __future__ import annotations

import contextlib
import json
import shutil
import signal
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .emulator.config import Origins, default_db
from .emulator.db import DEMO_PASSWORD
from .emulator.server import prepare
from .emulator.static import BuiltFolder
from .errors import ToolError

POLL_S = 0.5  # how often the project's files are looked at
QUIET_S = 0.3  # a change is built once the files have been still this long (an editor's save in steps)
AGENT = "alex@acme-support.example"


def say(text: str) -> None:
    print(text, flush=True)


# ------------------------------------------------------------------ arguments

def check_port(port: object, what: str) -> int:
    if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
        raise ToolError(f"{what} {port!r}: expected a port number from 1 to 65535 (0 picks a free one)")
    return port


def check_softphone_url(url: object) -> str:
    if not isinstance(url, str) or not url.strip():
        raise ToolError(f"--softphone-url {url!r}: expected a URL such as http://127.0.0.1:9000/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ToolError(f"--softphone-url {url!r}: expected an http:// or https:// URL with a host")
    if parts.username or parts.password:
        raise ToolError(f"--softphone-url {url!r}: a URL with credentials is not allowed")
    try:
        _ = parts.port  # raises for a port that is not a number in range
    except ValueError:
        raise ToolError(f"--softphone-url {url!r}: the port is not a number from 0 to 65535") from None
    return url


def check_arguments(project_dir: Path | None, softphone_url: str | None,
                    console_port: int, phone_port: int, farend_port: int | None = None) -> None:
    """A ToolError for the first bad argument."""
    check_port(console_port, "--console-port")
    check_port(phone_port, "--phone-port")
    if farend_port is not None:
        check_port(farend_port, "--farend-port")
        for port, what in ((console_port, "--console-port"), (phone_port, "--phone-port")):
            if farend_port == port != 0:
                raise ToolError(f"--farend-port and {what} are both {port}: the far end needs a port of its own")
    if project_dir is None and softphone_url is None:
        raise ToolError("name a softphone project folder, or a softphone served elsewhere with --softphone-url URL")
    if project_dir is not None and softphone_url is not None:
        raise ToolError("name a softphone project folder or --softphone-url, not both")
    if softphone_url is not None:
        url = check_softphone_url(softphone_url)
        parts = urlsplit(url)
        if parts.hostname == "localhost" and parts.port == console_port != 0:
            raise ToolError(f"--softphone-url {url}: that is the console's own origin; serve the softphone "
                            "on another origin (the console and the softphone are cross-site, as in Desk)")
    elif console_port == phone_port != 0:
        raise ToolError(f"--console-port and --phone-port are both {console_port}: the console and the "
                        "softphone need two origins")


# ------------------------------------------------------------------- builds

def _build(project_dir: Path, out: Path, console_origin: str) -> None:
    # imported here: the build's own imports are only needed when there is a project to build
    from .build import build_project
    from .project import load_project

    project = load_project(project_dir)
    # the consoles it declares, and the emulator's
    origins = [*project.console_origins, *([] if console_origin in project.console_origins else [console_origin])]
    build_project(project, out, console_origins=origins)


def one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text if isinstance(exc, ToolError) else f"{type(exc).__name__}: {text}"


class Builds:
    """The builds of one project, each in a new folder under ``work``; ``folder`` serves the last
    good one. ``served_files`` (name -> text) are written into each build: what only a serve has."""

    def __init__(self, project_dir: Path, work: Path, console_origin: str,
                 served_files: dict[str, str] | None = None) -> None:
        self.project_dir = Path(project_dir)
        self.work = Path(work)
        self.console_origin = console_origin
        self.served_files = dict(served_files or {})
        self.count = 0
        self.folder: BuiltFolder | None = None
        self.kept: list[Path] = []

    def build(self) -> Path:
        """Build into a new folder; served at once if it succeeds. Raises what the build raised."""
        self.count += 1
        out = self.work / f"build-{self.count}"
        try:
            _build(self.project_dir, out, self.console_origin)
            for name, text in self.served_files.items():
                (out / name).write_text(text, encoding="utf-8")
        except BaseException:
            shutil.rmtree(out, ignore_errors=True)
            raise
        if self.folder is None:
            self.folder = BuiltFolder(out)
        else:
            self.folder.root = out
        self.kept.append(out)
        # the one before stays a while: a page that loaded from it may still be fetching
        while len(self.kept) > 2:
            shutil.rmtree(self.kept.pop(0), ignore_errors=True)
        return out


def built_softphone(project_dir: Path, work: Path,
                    served_files: dict[str, str] | None = None) -> Callable[[Origins], BuiltFolder]:
    """For ``emulator.server.prepare``/``Background``: the project built for the emulator's origins
    (with ``served_files`` written into the build, such as ``farend.json``)."""

    def build(origins: Origins) -> BuiltFolder:
        builds = Builds(project_dir, work, origins.console, served_files)
        builds.build()
        assert builds.folder is not None
        return builds.folder

    return build


SKIP = {"__pycache__", "node_modules", ".git"}


def watched_files(project_dir: Path) -> Iterator[Path]:
    """What a build reads: pyproject.toml, the page, the package, the shipped files."""
    from .project import load_project

    root = Path(project_dir)
    yield root / "pyproject.toml"
    try:
        project = load_project(root)
    except ToolError:
        return  # a broken pyproject.toml: watching it alone until it is fixed
    for rel in [project.page, project.package, *project.files]:
        path = root / rel
        if path.is_dir():
            yield from (p for p in sorted(path.rglob("*"))
                        if p.is_file() and not SKIP.intersection(p.relative_to(root).parts)
                        and p.suffix not in (".pyc", ".pyo"))
        else:
            yield path


def fingerprint(project_dir: Path) -> dict[str, tuple[int, int]]:
    """Each watched file's (mtime, size); a missing file is (-1, -1)."""
    out = {}
    for path in watched_files(project_dir):
        try:
            st = path.stat()
            out[str(path)] = (st.st_mtime_ns, st.st_size)
        except OSError:
            out[str(path)] = (-1, -1)
    return out


class Watcher(threading.Thread):
    """Polls the project's files; on a change (once they are still) calls ``rebuild``."""

    def __init__(self, project_dir: Path, rebuild: Callable[[], None],
                 seen: dict[str, tuple[int, int]] | None = None) -> None:
        super().__init__(daemon=True, name="desk-cti-watch")
        self.project_dir = project_dir
        self.rebuild = rebuild
        self.stop = threading.Event()
        self.seen = fingerprint(project_dir) if seen is None else seen

    def run(self) -> None:
        while not self.stop.wait(POLL_S):
            now = fingerprint(self.project_dir)
            if now == self.seen:
                continue
            while not self.stop.wait(QUIET_S):  # until the files are still
                later = fingerprint(self.project_dir)
                if later == now:
                    break
                now = later
            self.seen = now
            if not self.stop.is_set():
                self.rebuild()


# ------------------------------------------------------------------ the far end

FAREND_HOST = "127.0.0.1"  # loopback only: the far end's media never leaves this machine
FAREND_NUMBERS = ("numbers starting 486 are busy, 404 do not exist, 408 ring unanswered; "
                  "any other answers with a tone")


def _farend_port_free(port: int) -> None:
    """Refused before the far end's thread starts: its server would log a traceback-like error."""
    if port == 0:
        return
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the far end's server binds
        try:
            probe.bind((FAREND_HOST, port))
        except OSError as e:
            raise ToolError(f"cannot listen on port {port} for the far end: {e.strerror or e} "
                            "(choose another with --farend-port, or --no-farend)") from None


def start_farend(port: int, stack: contextlib.ExitStack) -> Any | None:
    """The far end (``farend.Running``) on 127.0.0.1:``port``, stopped when ``stack`` closes; None
    (said on one line) when its WebRTC stack is not installed: the softphone then has no line."""
    try:
        from .farend import Running
    except ImportError as e:
        say(f"far end: not started: {e} (pip install aiortc); softphones get no farend.json")
        return None
    _farend_port_free(port)
    try:
        far = Running(port)
        stack.enter_context(far)
    except RuntimeError as e:
        raise ToolError(f"the far end did not start on port {port}: {one_line(e)}") from None
    return far


def farend_json(far: Any) -> str:
    """What a softphone reads beside its page to find its line (site/softphone's real_calls.py)."""
    return json.dumps({"sip": far.sip_url, "control": far.url})


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


# ---------------------------------------------------------------------- run

def run(project_dir: Path | None, softphone_url: str | None, console_port: int, phone_port: int,
        db: Path | None = None, farend_port: int | None = 8002) -> int:
    """Serve until Ctrl-C, then return 0. A bad argument, a port in use or a first build that
    fails raise a ToolError (the CLI prints its one line and exits 2) before anything is served.
    ``farend_port`` None: no far end."""
    check_arguments(project_dir, softphone_url, console_port, phone_port, farend_port)
    if project_dir is not None:
        from .project import load_project

        load_project(Path(project_dir))  # a folder that is not a project: before any port is taken
    # a rebuild cut short at exit may still be writing in it: what is left is let go, not an error
    with tempfile.TemporaryDirectory(prefix="desk-cti-serve-", ignore_cleanup_errors=True) as work, \
            contextlib.ExitStack() as stack:  # the far end stops here, whatever ended the serve
        far = start_farend(farend_port, stack) if farend_port is not None else None
        return _serve(Path(project_dir) if project_dir is not None else None, softphone_url,
                      console_port, phone_port, db, Path(work), far)


def _serve(project_dir: Path | None, softphone_url: str | None, console_port: int, phone_port: int,
           db: Path | None, work: Path, far: Any | None = None) -> int:
    builds: Builds | None = None
    seen: dict[str, tuple[int, int]] = {}

    def first_build(origins: Origins) -> BuiltFolder:
        nonlocal builds, seen
        assert project_dir is not None
        served = {"farend.json": farend_json(far)} if far is not None else {}
        builds = Builds(project_dir, work, origins.console, served)
        seen = fingerprint(project_dir)  # before the build: a change made during it is built next
        say(f"building {project_dir} ...")
        started = time.monotonic()
        try:
            builds.build()
        except Exception as e:
            raise ToolError(f"the build of {project_dir} failed: {one_line(e)}") from None
        say(f"  built in {time.monotonic() - started:.1f} s")
        assert builds.folder is not None
        return builds.folder

    if softphone_url is not None:
        phone_port = 0  # not served: any free port stands in, closed at once below
    try:
        server, sockets, origins = prepare(
            console_port, phone_port, db_path=db or default_db(), softphone_url=softphone_url,
            softphone=first_build if project_dir is not None else None)
    except OSError as e:
        raise ToolError(f"cannot listen on port {console_port} or {phone_port}: {e.strerror or e}") from None
    if softphone_url is not None:
        sockets[1].close()
        sockets = sockets[:1]
    if far is not None:  # the softphone's page may use the far end's control API ("Incoming call")
        far.farend.allow(origin_of(softphone_url) if softphone_url is not None else origins.phone)
    watcher = None
    if builds is not None and project_dir is not None:
        current = builds

        def rebuild() -> None:
            started = time.monotonic()
            say(f"{time.strftime('%H:%M:%S')} {project_dir} changed: rebuilding ...")
            try:
                current.build()
            except Exception as e:
                say(f"  rebuild failed, still serving the last good build: {one_line(e)}")
            else:
                say(f"  rebuilt in {time.monotonic() - started:.1f} s: reload the console page to load it")

        watcher = Watcher(project_dir, rebuild, seen)
        watcher.start()
    say(f"desk-cti serve: the console emulator is at {origins.console}/")
    if softphone_url is not None:
        say(f"  it loads the softphone at {softphone_url} (that page must accept {origins.console} as its console)")
    else:
        say(f"  softphone {project_dir} served from {origins.phone}/ (a second origin), rebuilt when a file changes")
    if far is not None:
        say(f"  far end (a line to call): SIP on {far.sip_url}, control API {far.url}/status")
        say(f"    {FAREND_NUMBERS}")
        say(f"    it rings the softphone on POST {far.url}/calls {{\"caller\": \"5550107\"}} (the demo's Incoming call)")
    say(f"  sign in as {AGENT}, password {DEMO_PASSWORD}. Ctrl-C stops.")
    # uvicorn stops on SIGINT or SIGTERM and then raises the signal again: heard here, so the
    # builds are cleaned up and "stopped." printed rather than the process killed mid-way
    previous = signal.signal(signal.SIGTERM, lambda *_: None)
    try:
        server.run(sockets=sockets)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        if watcher is not None:
            watcher.stop.set()
            watcher.join(30)
        for sock in sockets:
            sock.close()
    say("stopped.")
    return 0

