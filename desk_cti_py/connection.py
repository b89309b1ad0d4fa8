"""The softphone's one connection to its console, and the defaults for the next one.

A :class:`Connection` holds the transport, the client over it and what Desk's semantics
keep per console session; :func:`connect` makes one and makes it current, and the
module-level ``interaction`` talks through the current one. ``FakeConsole`` makes its
own over a ``MemoryTransport``.
"""

from __future__ import annotations

from collections.abc import Iterable

from . import _debug
from . import models as m
from ._ready import after_ready, is_ready
from .client import DEFAULT_TIMEOUT, Client
from .origins import OriginPolicy
from .protocol import ArgumentError
from .transport import Transport


class Defaults:
    """What ``configure()`` sets for the current connection and every later one."""

    def __init__(self) -> None:
        self.timeout = DEFAULT_TIMEOUT
        self.eager_resume = True
        self.debug = False


DEFAULTS = Defaults()


class Connection:
    """A transport, the client over it, and Desk's per-session state (click-to-dial)."""

    def __init__(self, transport: Transport, client: Client) -> None:
        self.transport = transport
        self.client = client
        #: the console session in which click-to-dial was last enabled (None: disabled)
        self.click_to_dial_session: str | None = None

    @property
    def click_to_dial_enabled(self) -> bool:
        """Enabled in this console session: a reloaded console starts with it off."""
        session = self.click_to_dial_session
        return session is not None and session == self.client.console_session

    @property
    def debug(self) -> bool:
        """Whether every message of this connection is written to the browser console."""
        return isinstance(self.transport, _debug.DebugTransport)

    def set_debug(self, on: bool) -> None:
        """Write every message both ways to the browser console (on), or stop (off).

        The debug transport is put in front of the one in use (or taken away), and the client
        posts and receives through it from then on: without debug mode nothing is in between.
        """
        if on == self.debug:
            return
        if on:
            transport: Transport = _debug.DebugTransport(self.transport)
        else:
            assert isinstance(self.transport, _debug.DebugTransport)
            transport = self.transport.inner
        # attached first: attaching resets batching, which the client then sets again
        transport.attach(self.client)
        self.client.use_transport(transport)
        self.transport = transport

    def close(self) -> None:
        """Pending calls fail with ConnectionLost; the transport stops delivering."""
        self.client.close()
        self.transport.detach()


_current: list[Connection | None] = [None]


def current() -> Connection:
    """The connection the module-level ``interaction`` talks through."""
    conn = _current[0]
    if conn is None:
        raise m.NotConnected(
            "desk_cti_py is not connected: load it through the softphone loader "
            "(loader/desk-cti.js), or install a desk_cti_py.testing.FakeConsole"
        )
    return conn


def use(conn: Connection | None) -> Connection | None:
    """Make ``conn`` the current connection; return the one it replaces (not closed)."""
    old, _current[0] = _current[0], conn
    return old


def connect(console_origins: Iterable[str] | str | None = None, *, development: bool = False,
            timeout: float | None = None, hold_events_until_ready: bool = False,
            debug: bool | None = None) -> Connection:
    """Connect to the console in the parent window (the loader does this at boot).

    ``console_origins``: the console origins this softphone accepts, exact
    (``https://desk.example.com``) or for every subdomain (``https://*.example.com``).
    The softphone connects only to an embedding page of one of them; anything
    else raises :class:`~desk_cti_py.OriginNotAllowed` and nothing is posted. With no
    list, only ``development=True`` connects, to whichever page embeds the softphone
    (for local work; the loader shows a warning). With ``hold_events_until_ready`` (the
    loader sets it), events that arrive before ready() has fired (the record in focus at boot)
    reach the listeners registered by then. ``debug=True`` writes every message both ways to
    the browser console (the loader's ``data-debug``; the default is ``configure(debug=...)``'s).
    Returns the connection, now current.

    A console that speaks another version of the protocol ends the handshake: every call
    then fails with :class:`~desk_cti_py.UnsupportedVersion`, naming both versions.
    """
    _check_timeout(timeout)
    _check_flag("debug", debug)
    from . import _browser

    disconnect()
    top, parent_origin = _browser.frame_origins()
    # A top window has no console, unless it accepts its own origin (a page that is its own console)
    try:
        embedded = top is None or OriginPolicy(console_origins, top, development).accepts(top)
    except ArgumentError as exc:
        raise m.BadArguments(f"connect: {exc}") from None
    if top is not None:
        parent_origin = top
    return open_connection(_browser.BrowserTransport(), console_origins, parent_origin=parent_origin,
                           embedded=embedded, development=development, timeout=timeout,
                           hold_events_until_ready=hold_events_until_ready, debug=debug)


def open_connection(transport: Transport, console_origins: Iterable[str] | str | None = None, *,
                    parent_origin: str | None = None, development: bool = False, timeout: float | None = None,
                    hold_events_until_ready: bool = False, debug: bool | None = None,
                    embedded: bool = True) -> Connection:
    """:func:`connect` over any transport (``connect`` gives it the browser's): the client,
    the handshake started, the connection made current. For tests and other transports."""
    _check_timeout(timeout)
    _check_flag("debug", debug)
    disconnect()
    debugging = DEFAULTS.debug if debug is None else debug
    _debug.log_to_console(debugging)  # the library's log follows the connection's debug mode
    if debugging:
        transport = _debug.DebugTransport(transport)
    try:
        client = Client(transport, console_origins=console_origins,
                        parent_origin=parent_origin, development=development,
                        timeout=DEFAULTS.timeout if timeout is None else timeout,
                        eager_resume=DEFAULTS.eager_resume, embedded=embedded)
    except ArgumentError as exc:
        raise m.BadArguments(f"connect: {exc}") from None
    if hold_events_until_ready and not is_ready():
        client.events.hold()
        after_ready(client.events.release)
    client.start()
    if isinstance(client.refusal, m.OriginNotAllowed):  # a top window connects, its calls fail at once
        raise client.refusal
    transport.attach(client)
    conn = Connection(transport, client)
    use(conn)
    return conn


def disconnect() -> None:
    """Close the current connection: pending calls fail with ConnectionLost."""
    conn = use(None)
    if conn is not None:
        conn.close()


def _check_timeout(timeout: object) -> None:
    if timeout is not None and (
        isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not 0 < timeout < 1e9
    ):
        raise m.BadArguments("timeout must be a positive number of seconds")


def _check_flag(name: str, value: object) -> None:
    if value is not None and not isinstance(value, bool):
        raise m.BadArguments(f"{name} must be True or False")


def configure(*, timeout: float | None = None, eager_resume: bool | None = None,
              debug: bool | None = None) -> None:
    """Set defaults for the current connection and later ones; what is left out stays.

    ``timeout``: seconds every later call waits for its answer (a call's ``timeout=`` wins).
    ``eager_resume`` (default ``True``): a task awaiting a reply resumes as soon as the reply
    is handled, as a JS promise continuation does, instead of in a later
    browser task scheduled by Pyodide's event loop. Code resumed so may call
    ``pyodide.ffi.run_sync`` where the browser has JSPI (messages enter Python through
    ``callPromising`` then). On a Pyodide release it was not checked against, it is off.
    ``debug`` (default ``False``): write every message both ways to the browser console
    (direction, origin, type, id, size, the text cut short) and the library's own log, as
    HubSpot's ``debugMode`` does; turned on or off for the current connection at once.
    """
    _check_timeout(timeout)
    _check_flag("eager_resume", eager_resume)
    _check_flag("debug", debug)
    client = _current[0].client if _current[0] is not None else None
    if timeout is not None:
        DEFAULTS.timeout = float(timeout)
        if client is not None:
            client.timeout = float(timeout)
    if eager_resume is not None:
        DEFAULTS.eager_resume = eager_resume
        if client is not None:
            client.eager_resume = eager_resume
    if debug is not None:
        DEFAULTS.debug = debug
        _debug.log_to_console(debug)
        if _current[0] is not None:
            _current[0].set_debug(debug)
