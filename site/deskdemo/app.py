"""The two ASGI apps (console origin, softphone origin) and the one that routes by port."""

from __future__ import annotations

from collections.abc import Sequence

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from .config import LOADER, PYODIDE, SITE, Origins
from .static import CachedStatic

DAY = 86400


def phone_app(origins: Origins, extra: Sequence[BaseRoute] = ()) -> Starlette:
    """The softphone origin: the softphone page, the loader and the self-hosted runtime."""
    return Starlette(
        routes=[
            *extra,
            Route("/", lambda r: RedirectResponse("/softphone/")),
            Mount("/loader", CachedStatic(directory=LOADER)),
            Mount("/pyodide", CachedStatic(directory=PYODIDE, max_age=DAY, check_dir=False)),
            Mount("/softphone", CachedStatic(directory=SITE / "softphone", html=True)),
        ]
    )


def console_app(origins: Origins, extra: Sequence[BaseRoute] = ()) -> Starlette:
    """The console origin: the agent console page and its half of the protocol."""

    async def config(request: Request) -> JSONResponse:
        return JSONResponse({"softphoneUrl": f"{origins.phone}/softphone/", "softphoneOrigin": origins.phone})

    return Starlette(
        routes=[
            *extra,
            Route("/config.json", config),
            Mount("/loader", CachedStatic(directory=LOADER)),
            Mount("/", CachedStatic(directory=SITE / "console", html=True)),
        ]
    )


class ByPort:
    """One server, two origins: each request goes to the app of the port it came in on."""

    def __init__(self, apps: dict[int, ASGIApp], lifespan_app: ASGIApp) -> None:
        self.apps = apps
        self.lifespan_app = lifespan_app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.lifespan_app(scope, receive, send)
            return
        app = self.apps.get(scope["server"][1])
        if app is None:
            await JSONResponse({"message": "Not Found"}, status_code=404)(scope, receive, send)
            return
        await app(scope, receive, send)


def make_app(origins: Origins, extra_console: Sequence[BaseRoute] = (), extra_phone: Sequence[BaseRoute] = ()) -> ByPort:
    """The demo; tests may add routes (their own host and softphone pages) to either origin."""
    console = console_app(origins, extra_console)
    return ByPort({origins.console_port: console, origins.phone_port: phone_app(origins, extra_phone)}, console)
