"""The two ASGI apps (console origin, softphone origin) and the one that routes by port."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import auth
from .api import Api
from .config import CONSOLE, PYODIDE, Origins, default_db, loader_dir
from .db import Database
from .guards import AddHeaders
from .openapi import document as openapi_document
from .sessions import Sessions
from .static import BuiltFolder, CachedStatic

DAY = 86400
SECURITY_HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "strict-origin-when-cross-origin"}
# Who may put a page of each origin in a frame: the console only itself (no clickjacking of a
# signed-in agent, even from another port of the same host); the softphone only the console.
CONSOLE_FRAMING = {"Content-Security-Policy": "frame-ancestors 'self'", "X-Frame-Options": "SAMEORIGIN"}


def phone_framing(origins: Origins) -> dict[str, str]:
    # no X-Frame-Options here: it cannot name another origin (ALLOW-FROM is gone from browsers)
    return {"Content-Security-Policy": f"frame-ancestors {origins.console}"}


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def phone_app(origins: Origins, softphone: BuiltFolder | None = None, extra: Sequence[BaseRoute] = ()) -> Starlette:
    """The softphone origin: a built softphone folder as its root; with none, the checkout's
    loader and runtime (what the test and bench pages that ``extra`` adds load)."""
    if softphone is not None:
        served: list[BaseRoute] = [Mount("/", app=softphone)]
    else:
        served = [Mount("/loader", CachedStatic(directory=loader_dir())),
                  Mount("/pyodide", CachedStatic(directory=PYODIDE, max_age=DAY, check_dir=False))]
    return Starlette(routes=[*extra, *served], middleware=[Middleware(AddHeaders, headers=phone_framing(origins))])


def avatar(request: Request) -> Response:
    """A small SVG avatar with the agent's number, for profilePhotoUrl."""
    n = request.path_params["n"]
    hue = (int(n) * 67) % 360
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><rect width="64" height="64" rx="32" '
           f'fill="hsl({hue},45%,45%)"/><text x="32" y="41" font-size="26" text-anchor="middle" fill="#fff" '
           f'font-family="sans-serif">{n}</text></svg>')
    return Response(svg, media_type="image/svg+xml", headers={"Cache-Control": "public, max-age=86400"})


def console_app(origins: Origins, db: Database, extra: Sequence[BaseRoute] = (), softphone_url: str | None = None) -> Starlette:
    """The console origin: the agent console, its API and its half of the protocol. It frames
    ``softphone_url`` (the softphone origin's root unless given) and talks to its origin only."""
    sessions = Sessions(db)
    login, logout = auth.routes(db, sessions, origins.console)
    index = CONSOLE / "index.html"
    url = softphone_url or f"{origins.phone}/"
    softphone_origin = origin_of(url)
    # the agent page may frame the softphone's origin and nothing else
    agent_headers = {"Cache-Control": "no-cache", "Content-Security-Policy": f"frame-src {softphone_origin}"}

    async def config(request: Request) -> JSONResponse:
        return JSONResponse({"softphoneUrl": url, "softphoneOrigin": softphone_origin})

    async def openapi(request: Request) -> JSONResponse:
        return JSONResponse(openapi_document())

    async def agent(request: Request) -> Response:
        return auth.require_login(sessions, request) or FileResponse(index, headers=agent_headers)

    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        return JSONResponse({"message": "Resource Not Found" if exc.status_code == 404 else exc.detail},
                            status_code=exc.status_code, headers=exc.headers)

    app = Starlette(
        exception_handlers={HTTPException: http_error},  # type: ignore[dict-item]  # Starlette types the handler for any Exception
        routes=[
            *extra,
            Route("/", lambda r: RedirectResponse("/agent/cases")),
            Route("/login", login, methods=["GET", "POST"]),
            Route("/logout", logout, methods=["POST"]),
            Route("/config.json", config),
            Route("/avatars/{n:int}.svg", avatar),
            Route("/agent", agent),
            Route("/agent/{path:path}", agent),
            Route("/api/v2/openapi.json", openapi),
            Mount("/api/v2", Api(db, sessions, origins.console).router()),
            Mount("/loader", CachedStatic(directory=loader_dir())),
            Mount("/static", CachedStatic(directory=CONSOLE)),
        ],
        middleware=[Middleware(AddHeaders, headers=CONSOLE_FRAMING)],
    )
    return app


class ByPort:
    """One server, two origins: each request goes to the app of the port it came in on."""

    def __init__(self, apps: dict[int, ASGIApp]) -> None:
        self.apps = apps

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            message = await receive()
            while message["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
                message = await receive()
            await send({"type": "lifespan.shutdown.complete"})
            return
        app = self.apps.get(scope["server"][1])
        if app is None:
            await JSONResponse({"message": "Not Found"}, status_code=404)(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []),
                                      *((k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items())]
            await send(message)

        await app(scope, receive, send_with_headers)


def make_app(origins: Origins, db_path: Path | None = None, *, softphone: BuiltFolder | None = None,
             softphone_url: str | None = None,
             extra_console: Sequence[BaseRoute] = (), extra_phone: Sequence[BaseRoute] = ()) -> ByPort:
    """The emulator: the console, and on the second origin a built softphone (``softphone``).
    ``softphone_url`` makes the console load a softphone served elsewhere instead. Tests may
    add routes (their own host and softphone pages) to either origin. The database is the
    per-user one unless ``db_path`` names another (created and seeded if missing)."""
    db = Database(db_path or default_db())
    return ByPort({origins.console_port: console_app(origins, db, extra_console, softphone_url),
                   origins.phone_port: phone_app(origins, softphone, extra_phone)})
