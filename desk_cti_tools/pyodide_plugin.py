"""pytest-pyodide set up for this machine kind: Debian's Chromium through Playwright, offline.

Used by ``desk-cti test`` (``-p desk_cti_tools.pyodide_plugin``); by hand::

    pytest -p desk_cti_tools.pyodide_plugin tests/pyodide --dist-dir BUILD/pyodide \\
        --runtime=chrome --runner=playwright

pytest-pyodide's Playwright runner launches a downloaded browser and has no option for another;
this plugin's fixture launches ``/usr/bin/chromium`` (or ``$DESK_CTI_CHROMIUM``) as
``desk_cti_tools.chromium`` does (without the allocation samplers that crash Pyodide's pages).
Its web server is single-threaded, and Chromium's spare connections can stall it: this one is
threaded.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from .chromium import launch


class _Fixtures:
    """Registered once pytest-pyodide's own plugin is in, so these override its fixtures."""

    @pytest.fixture(scope="module")
    def playwright_browsers(self, request: pytest.FixtureRequest) -> Iterator[dict[str, Any]]:
        from pytest_pyodide import get_global_config
        from pytest_pyodide.hook import pytest_wrapper

        if request.config.option.runner.lower() != "playwright" or "chrome" not in pytest_wrapper.pyodide_runtimes:
            yield {}
            return
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            browser = launch(p.chromium, get_global_config().get_flags("chrome"))
            try:
                yield {"chrome": browser}
            finally:
                browser.close()

    @pytest.fixture(scope="session")
    def web_server_main(self, request: pytest.FixtureRequest,
                        tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int, Path]]:
        from pytest_pyodide.server import DefaultHandler

        handler = functools.partial(DefaultHandler, directory=str(request.config.option.dist_dir))
        log = tmp_path_factory.mktemp("server") / "http-server.log"
        log.write_text("")
        with ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
            server.daemon_threads = True
            thread = threading.Thread(target=server.serve_forever, daemon=True)
            thread.start()
            try:
                yield "127.0.0.1", server.server_address[1], log
            finally:
                server.shutdown()


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(_Fixtures(), "desk_cti_pyodide_fixtures")
