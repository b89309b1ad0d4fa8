"""Static files with caching headers: the runtime is cached for a day, pages revalidate."""

from __future__ import annotations

from starlette.staticfiles import StaticFiles
from starlette.types import Scope


class CachedStatic(StaticFiles):
    def __init__(self, *, directory, max_age: int = 0, **kw) -> None:
        super().__init__(directory=directory, **kw)
        self.max_age = max_age

    def file_response(self, full_path, stat_result, scope: Scope, status_code: int = 200):
        response = super().file_response(full_path, stat_result, scope, status_code)
        if self.max_age:
            response.headers["Cache-Control"] = f"public, max-age={self.max_age}"
        else:
            response.headers["Cache-Control"] = "no-cache"
        if str(full_path).endswith(".mjs"):
            response.headers["Content-Type"] = "text/javascript; charset=utf-8"
        return response
