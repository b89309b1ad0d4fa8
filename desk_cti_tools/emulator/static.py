"""Static files with caching headers and precompressed twins.

Where ``file.zst`` or ``file.gz`` exists beside ``file`` (the builds write them: compress.py)
and the browser accepts its coding, the twin is sent with its ``Content-Encoding`` (zstd
first): no compression work per request. ``CachedStatic`` serves a fixed folder (the console's files,
the checkout's runtime); ``BuiltFolder`` serves a built softphone whose folder is swapped for
a new one on each rebuild.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
from pathlib import Path
from typing import Any

from starlette.datastructures import Headers
from starlette.responses import FileResponse, PlainTextResponse, RedirectResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

from ..compress import TWINS

TYPES = {".mjs": "text/javascript; charset=utf-8", ".js": "text/javascript; charset=utf-8",
         ".wasm": "application/wasm", ".json": "application/json", ".whl": "application/zip",
         ".zip": "application/zip", ".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8",
         ".py": "text/x-python; charset=utf-8", ".data": "application/octet-stream"}


def media_type(path: str) -> str:
    ext = os.path.splitext(path)[1]
    return TYPES.get(ext) or mimetypes.guess_type(path)[0] or "application/octet-stream"


def accepts(accept_encoding: str, coding: str) -> bool:
    """Whether an Accept-Encoding value allows ``coding`` (``coding;q=0`` and ``*;q=0`` refuse it)."""
    names = ("gzip", "x-gzip") if coding == "gzip" else (coding,)
    star = None
    for part in accept_encoding.lower().split(","):
        name, _, params = part.strip().partition(";")
        q = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if name.strip() in names:
            return q > 0
        if name.strip() == "*":
            star = q > 0
    return bool(star)


def precompressed(path: str, headers: Headers) -> tuple[str, str] | None:
    """The twin of ``path`` to send instead and its coding: the first of TWINS the client takes
    that exists beside it."""
    if path.endswith(tuple(suffix for _, suffix in TWINS)):
        return None
    accept = headers.get("accept-encoding", "")
    for coding, suffix in TWINS:
        if accepts(accept, coding) and os.path.isfile(path + suffix):
            return path + suffix, coding
    return None


class CachedStatic(StaticFiles):
    def __init__(self, *, directory: Any, max_age: int = 0, **kw: Any) -> None:
        super().__init__(directory=directory, **kw)
        self.max_age = max_age

    def file_response(self, full_path: Any, stat_result: os.stat_result, scope: Scope,
                      status_code: int = 200) -> Response:
        path = str(full_path)
        twin = precompressed(path, Headers(scope=scope))
        if twin:
            full_path, stat_result = twin[0], os.stat(twin[0])
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["Cache-Control"] = f"public, max-age={self.max_age}" if self.max_age else "no-cache"
        response.headers["Content-Type"] = media_type(path)
        response.headers["Vary"] = "Accept-Encoding"
        if twin:
            response.headers["Content-Encoding"] = twin[1]
        return response


class BuiltFolder:
    """A built softphone folder as a static site: ``/`` is its ``index.html``.

    ``root`` may be replaced at any time (a rebuild); each request reads it once. Every
    response revalidates (``no-cache`` with an ETag): a rebuild keeps the names and changes
    the contents, so nothing may be taken from a cache unasked.
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def resolve(self, url_path: str) -> tuple[str | None, bool]:
        """The file for ``url_path`` and whether a slash must be added (a folder asked without one)."""
        root = os.path.realpath(self.root)
        parts = [p for p in url_path.split("/") if p not in ("", ".")]
        if any(p == ".." or "\\" in p or "\0" in p for p in parts):
            return None, False
        full = os.path.realpath(os.path.join(root, *parts))
        if os.path.commonpath([root, full]) != root:
            return None, False  # a link out of the folder
        if os.path.isdir(full):
            if not url_path.endswith("/"):
                return full, True
            full = os.path.join(full, "index.html")
        return (full, False) if os.path.isfile(full) else (None, False)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert scope["type"] == "http"
        response = self.response(scope)
        await response(scope, receive, send)

    def response(self, scope: Scope) -> Response:
        if scope["method"] not in ("GET", "HEAD"):
            return PlainTextResponse("Method Not Allowed", status_code=405, headers={"Allow": "GET, HEAD"})
        path, root = scope["path"], scope.get("root_path", "")
        if root and path.startswith(root):  # under a Mount: the path below it
            path = path[len(root):]
        full, add_slash = self.resolve(path)
        if full is None:
            return PlainTextResponse("Not Found", status_code=404, headers={"Cache-Control": "no-cache"})
        if add_slash:
            return RedirectResponse(scope["path"] + "/", status_code=301)
        headers = Headers(scope=scope)
        twin = precompressed(full, headers)
        sent = twin[0] if twin else full
        stat = os.stat(sent)
        etag = '"' + hashlib.md5(f"{sent}-{stat.st_mtime_ns}-{stat.st_size}".encode()).hexdigest() + '"'
        common = {"Cache-Control": "no-cache", "Vary": "Accept-Encoding", "ETag": etag}
        if etag in [t.strip() for t in headers.get("if-none-match", "").split(",")]:
            return Response(status_code=304, headers=common)
        response = FileResponse(sent, stat_result=stat, headers=common, media_type=media_type(full))
        if twin:
            response.headers["Content-Encoding"] = twin[1]
        return response
