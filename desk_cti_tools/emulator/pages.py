"""Pages with the console origins they accept filled in as they are served (test and bench pages).

A softphone declares its consoles in its page (``data-console-origins``). A built softphone has
them written in by the build; the test and bench pages, served as they are, say
``%DESK_CONSOLE_ORIGINS%`` and the server writes the real origin in (the ports are chosen at start).
"""

from __future__ import annotations

import os
from typing import Any

from starlette.responses import Response
from starlette.types import Scope

from .static import CachedStatic

PLACEHOLDER = "%DESK_CONSOLE_ORIGINS%"


class DeclaringStatic(CachedStatic):
    """Static files; an HTML page gets ``PLACEHOLDER`` replaced by ``console_origins``."""

    def __init__(self, *, console_origins: str, **kw: Any) -> None:
        super().__init__(**kw)
        self.console_origins = console_origins

    def file_response(self, full_path: Any, stat_result: os.stat_result, scope: Scope,
                      status_code: int = 200) -> Response:
        path = str(full_path)
        if not path.endswith(".html"):
            return super().file_response(full_path, stat_result, scope, status_code)
        with open(path, encoding="utf-8") as f:
            page = f.read().replace(PLACEHOLDER, self.console_origins)
        return Response(page, status_code=status_code, media_type="text/html",
                        headers={"Cache-Control": "no-cache"})
