"""Static files with caching headers and precompressed gzip.

The runtime folder is cached for a day (``max_age``); pages revalidate (``no-cache``).
Where ``file.gz`` exists beside ``file`` (``tools/build_dist.py`` writes them for the
runtime) and the browser accepts gzip, the compressed file is sent with
``Content-Encoding: gzip``: no compression work per request.
"""

from __future__ import annotations

import mimetypes
import os
from typing import Any

from starlette.datastructures import Headers
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

TYPES = {".mjs": "text/javascript; charset=utf-8", ".wasm": "application/wasm", ".json": "application/json",
         ".whl": "application/zip", ".zip": "application/zip"}


def media_type(path: str) -> str:
    ext = os.path.splitext(path)[1]
    return TYPES.get(ext) or mimetypes.guess_type(path)[0] or "application/octet-stream"


class CachedStatic(StaticFiles):
    def __init__(self, *, directory: Any, max_age: int = 0, **kw: Any) -> None:
        super().__init__(directory=directory, **kw)
        self.max_age = max_age

    def file_response(self, full_path: Any, stat_result: os.stat_result, scope: Scope, status_code: int = 200):
        path = str(full_path)
        gz = path + ".gz"
        encoding = None
        if "gzip" in Headers(scope=scope).get("accept-encoding", "") and os.path.isfile(gz):
            full_path, stat_result, encoding = gz, os.stat(gz), "gzip"
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["Cache-Control"] = f"public, max-age={self.max_age}" if self.max_age else "no-cache"
        response.headers["Content-Type"] = media_type(path)
        response.headers["Vary"] = "Accept-Encoding"
        if encoding:
            response.headers["Content-Encoding"] = encoding
        return response
