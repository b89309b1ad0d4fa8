"""A far end for the SIP engine: registrar and phone over SIP-over-WebSocket, audio by aiortc.

``python -m desk_cti_tools.farend --port 8710`` serves it on 127.0.0.1; :class:`Running` runs
it in a thread (tests, the demo). Loopback only: see ``media.py``.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import uvicorn

from .media import loopback_only
from .server import HOST, FarEnd

__all__ = ["HOST", "FarEnd", "Running", "config"]


def config(app: Any, port: int) -> uvicorn.Config:
    return uvicorn.Config(app, host=HOST, port=port, log_level="warning", ws="websockets-sansio",
                          lifespan="off", ws_ping_interval=None)


class Running:
    """The far end in a thread of its own, on 127.0.0.1: ``with Running(port) as far: far.url``.
    ``port=0`` takes a free one."""

    def __init__(self, port: int = 0, answer_delay: float = 0.3, allow_origins: tuple[str, ...] = (),
                 password: str | None = None) -> None:
        loopback_only()
        self.farend = FarEnd(answer_delay=answer_delay, allow_origins=allow_origins, password=password)
        self.server = uvicorn.Server(config(self.farend.app, port))
        self._thread = threading.Thread(target=self._run, name="farend", daemon=True)
        self.loop: asyncio.AbstractEventLoop | None = None

    def _run(self) -> None:
        self.loop = loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(self.server.serve())
        finally:  # what aiortc left running (ICE consent checks) ends here, not at garbage collection
            pending = asyncio.all_tasks(loop)
            for task in pending:
                task.cancel()
            if pending:
                loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.close()

    def __enter__(self) -> Running:
        self._thread.start()
        while not self.server.started:
            if not self._thread.is_alive():
                raise RuntimeError("the far end did not start (is the port taken?)")
            threading.Event().wait(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.loop is not None and self.loop.is_running():
            asyncio.run_coroutine_threadsafe(self.farend.close(), self.loop).result(10)
        self.server.should_exit = True
        self._thread.join(10)

    @property
    def port(self) -> int:
        return int(self.server.servers[0].sockets[0].getsockname()[1])

    @property
    def url(self) -> str:
        """The HTTP control API's base."""
        return f"http://{HOST}:{self.port}"

    @property
    def sip_url(self) -> str:
        """Where softphones connect: ``ws://127.0.0.1:PORT/sip``."""
        return f"ws://{HOST}:{self.port}/sip"
