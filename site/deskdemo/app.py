"""The two ASGI apps (console origin, softphone origin) and the one that routes by port."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from . import auth
from .api import Api
from .config import LOADER, PYODIDE, SITE, Origins
from .db import Database
from .guards import AddHeaders
from .openapi import document as openapi_document
from .pages import DeclaringStatic
from .sessions import Sessions
from .static import CachedStatic

DAY = 86400
CONSOLE = SITE / "console"
SECURITY_HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "strict-origin-when-cross-origin"}
# Who may put a page of each origin in a frame: the console only itself (no clickjacking of a
# signed-in agent, even from another port of the same host); the softphone only the console.
CONSOLE_FRAMING = {"Content-Security-Policy": "frame-ancestors 'self'", "X-Frame-Options": "SAMEORIGIN"}


def phone_framing(origins: Origins) -> dict[str, str]:
    # no X-Frame-Options here: it cannot name another origin (ALLOW-FROM is gone from browsers)
    return {"Content-Security-Policy": f"frame-ancestors {origins.console}"}


def phone_app(origins: Origins, extra: Sequence[BaseRoute] = ()) -> Starlette:
    """The softphone origin: the softphone page, the loader and the self-hosted runtime."""
    return Starlette(
        routes=[
            *extra,
            Route("/", lambda r: RedirectResponse("/softphone/")),
            Mount("/loader", CachedStatic(directory=LOADER)),
            Mount("/pyodide", CachedStatic(directory=PYODIDE, max_age=DAY, check_dir=False)),
            Mount("/softphone", DeclaringStatic(directory=SITE / "softphone", html=True,
                                                console_origins=origins.console)),
        ],
        middleware=[Middleware(AddHeaders, headers=phone_framing(origins))],
    )


def avatar(request: Request) -> Response:
    """A small SVG avatar with the agent's number, for profilePhotoUrl."""
    n = request.path_params["n"]
    hue = (int(n) * 67) % 360
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><rect width="64" height="64" rx="32" '
           f'fill="hsl({hue},45%,45%)"/><text x="32" y="41" font-size="26" text-anchor="middle" fill="#fff" '
           f'font-family="sans-serif">{n}</text></svg>')
    return Response(svg, media_type="image/svg+xml", headers={"Cache-Control": "public, max-age=86400"})


def console_app(origins: Origins, db: Database, extra: Sequence[BaseRoute] = ()) -> Starlette:
    """The console origin: the agent console, its API and its half of the protocol."""
    sessions = Sessions(db)
    login, logout = auth.routes(db, sessions, origins.console)
    index = CONSOLE / "index.html"

    async def config(request: Request) -> JSONResponse:
        return JSONResponse({"softphoneUrl": f"{origins.phone}/softphone/", "softphoneOrigin": origins.phone})

    async def openapi(request: Request) -> JSONResponse:
        return JSONResponse(openapi_document())

    async def agent(request: Request) -> Response:
        return auth.require_login(sessions, request) or FileResponse(index, headers={"Cache-Control": "no-cache"})

    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        return JSONResponse({"message": "Resource Not Found" if exc.status_code == 404 else exc.detail},
                            status_code=exc.status_code, headers=exc.headers)

    app = Starlette(
        exception_handlers={HTTPException: http_error},
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
            Mount("/loader", CachedStatic(directory=LOADER)),
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

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []),
                                      *((k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items())]
            await send(message)

        await app(scope, receive, send_with_headers)


def make_app(origins: Origins, db_path: Path | None = None, *,
             extra_console: Sequence[BaseRoute] = (), extra_phone: Sequence[BaseRoute] = ()) -> ByPort:
    """The demo; tests may add routes (their own host and softphone pages) to either origin."""
    db = Database(db_path or SITE / "data" / "desk.sqlite3")
    return ByPort({origins.console_port: console_app(origins, db, extra_console),
                   origins.phone_port: phone_app(origins, extra_phone)})
