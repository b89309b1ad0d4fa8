"""Run the emulator: one uvicorn server listening on the console port and the softphone port."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

import uvicorn

from .app import make_app
from .config import Origins
from .static import BuiltFolder


def bind(port: int, host: str = "127.0.0.1") -> socket.socket:
    """A listening TCP socket for uvicorn.

    Made with proto IPPROTO_TCP, so asyncio sets TCP_NODELAY on every accepted connection
    (it skips sockets made with proto 0), and set on the listener too (Linux's accepted
    sockets inherit it). Without it every response after the first on a keep-alive
    connection waits for a delayed ACK (docs/performance.md).
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def prepare(console_port: int = 8000, phone_port: int = 8001, *,
            softphone: Callable[[Origins], BuiltFolder] | None = None,
            **extra: Any) -> tuple[uvicorn.Server, list[socket.socket], Origins]:
    """Bind both ports (0 picks a free one) and build the server; ``extra`` goes to make_app.

    ``softphone`` makes the softphone origin's folder once the origins are known (a build
    writes the console origin into the softphone's page); it is called after binding.
    """
    sockets = [bind(console_port)]
    try:
        sockets.append(bind(phone_port))
        origins = Origins(sockets[0].getsockname()[1], sockets[1].getsockname()[1])
        if softphone is not None:
            extra["softphone"] = softphone(origins)
        config = uvicorn.Config(make_app(origins, **extra), log_level="warning", lifespan="on")
    except BaseException:
        for sock in sockets:
            sock.close()
        raise
    return uvicorn.Server(config), sockets, origins


class Background:
    """The emulator in a thread, for tests: ``with Background() as origins: ...``."""

    origins: Origins | str  # an app of one's own (serving) has one origin

    def __init__(self, console_port: int = 0, phone_port: int = 0, **extra: Any) -> None:
        self.server, self.sockets, self.origins = prepare(console_port, phone_port, **extra)
        self.thread = threading.Thread(target=self._run, daemon=True)

    @classmethod
    def serving(cls, app: Any, host: str) -> "Background":
        """Any ASGI app on a free port of ``host`` (tests use it for a third origin)."""
        self = cls.__new__(cls)
        self.sockets = [bind(0, host)]
        self.origins = f"http://{host}:{self.sockets[0].getsockname()[1]}"
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
        self.thread = threading.Thread(target=self._run, daemon=True)
        return self

    def _run(self) -> None:
        asyncio.run(self.server.serve(sockets=self.sockets))

    def __enter__(self) -> Any:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the demo server did not start")
            time.sleep(0.02)
        return self.origins

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        for sock in self.sockets:
            sock.close()
