"""Response headers for one origin (a middleware), and the console's CSRF check."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class AddHeaders:
    """Adds ``headers`` to every HTTP response of ``app``."""

    def __init__(self, app: ASGIApp, headers: dict[str, str]) -> None:
        self.app = app
        self.headers = [(k.lower().encode(), v.encode()) for k, v in headers.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *self.headers]
            await send(message)

        await self.app(scope, receive, send_with_headers if scope["type"] == "http" else send)


def write_refusal(request: Request, origin: str, json: bool) -> JSONResponse | None:
    """A 403 for a state-changing request that another site could have made a browser send.

    It needs an ``Origin`` header equal to the console's own origin (browsers send one with
    every POST, PUT, PATCH and DELETE; a missing one is refused too). With ``json`` (the API)
    it also needs ``Content-Type: application/json``, which a cross-site form or a
    ``text/plain`` fetch cannot send without a CORS preflight, and the API answers none.
    Called by the handlers, after routing: a method a route does not take stays a 405.
    """
    method = request.method
    if method in SAFE_METHODS:
        return None
    got = request.headers.get("origin")
    if got != origin:
        why = f"a {method} needs the Origin header of this console ({origin}); got {'none' if got is None else repr(got)}"
    elif json and request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
        why = f"a {method} to the API must send its body as application/json"
    else:
        return None
    return JSONResponse({"message": f"Forbidden: {why}"}, status_code=403)
