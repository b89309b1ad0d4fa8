"""pytest-pyodide in real Pyodide: Debian's Chromium (through Playwright) and Node.

The runtime is our assembled folder (build/pyodide-test: the pinned npm
runtime, the desk_cti_py wheel and pytest's wheels, each in the lock with its
real sha256). Chromium resolves no host but localhost and 127.0.0.1.
"""

import pytest
from pytest_pyodide import get_global_config
from pytest_pyodide.hook import pytest_wrapper

from tools.chromium import CHROMIUM, FLAGS


config = get_global_config()
config.set_flags("chrome", [*config.get_flags("chrome"), *FLAGS])


def pytest_collection_modifyitems(config, items):
    """Tests that need a window run in Chromium only: their Node twins are deselected, not
    reported as skipped."""
    windowed = {"softphone", "same_window_console"}
    keep = [item for item in items
            if not (windowed & set(getattr(item, "fixturenames", ()))
                    and "node" in getattr(getattr(item, "callspec", None), "id", ""))]
    if len(keep) != len(items):
        config.hook.pytest_deselected(items=[item for item in items if item not in keep])
        items[:] = keep


@pytest.fixture(scope="session")
def web_server_main(request, tmp_path_factory):
    """pytest-pyodide's server is single-threaded, and Chromium's spare connections can stall
    it; this one is uvicorn (threaded I/O), serving the same: the dist folder and the
    runner's page templates, with no CORS header."""
    import sys
    from pathlib import Path

    import pytest_pyodide
    from starlette.applications import Starlette
    from starlette.responses import Response
    from starlette.routing import Mount, Route
    from starlette.staticfiles import StaticFiles

    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from desk_cti_tools.emulator.server import Background

    templates = Path(pytest_pyodide.__file__).parent / "_templates"

    def page(path):
        kind = "text/javascript" if path.suffix == ".js" else "text/html"
        return Route(f"/{path.name}", lambda request: Response(path.read_bytes(), media_type=kind))

    app = Starlette(routes=[*(page(p) for p in templates.iterdir()),
                            Mount("/", StaticFiles(directory=request.config.option.dist_dir))])
    log = tmp_path_factory.mktemp("server") / "http-server.log"
    log.write_text("")
    with Background.serving(app, "127.0.0.1") as origin:
        yield "127.0.0.1", int(origin.rsplit(":", 1)[1]), log


@pytest.fixture(scope="module")
def playwright_browsers(request):
    """pytest-pyodide's fixture launches a downloaded browser; we launch Debian's."""
    runtimes = pytest_wrapper.pyodide_runtimes
    if request.config.option.runner.lower() != "playwright" or "chrome" not in runtimes:
        yield {}
        return
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=config.get_flags("chrome"))
        try:
            yield {"chrome": browser}
        finally:
            browser.close()


@pytest.fixture
def softphone(request, runtime, web_server_main, playwright_browsers):
    """pytest-pyodide's runner moved into an iframe: the Pyodide under test is a softphone.

    The console is tests/e2e/pages/host.html (the real loader/desk-console.js) served as
    http://localhost:PORT, and the softphone frame is pytest-pyodide's own page served as
    http://127.0.0.1:PORT: two sites, as in a real console. ``softphone.console`` is the
    console page, for checks on its side.
    """
    from urllib.parse import quote

    from pytest_pyodide.fixture import selenium_standalone_noload_common

    with selenium_standalone_noload_common(request, runtime, web_server_main, playwright_browsers) as runner:
        _, port, _ = web_server_main
        page = runner.driver
        phone = f"http://127.0.0.1:{port}/module_test.html"
        page.goto(f"http://localhost:{port}/host.html?phone={quote(phone)}")
        frame = page.wait_for_selector("#sp").content_frame()
        frame.wait_for_function("window.loadPyodide !== undefined")
        runner.driver = frame
        try:
            runner.javascript_setup()
            runner.load_pyodide()
            runner.initialize_pyodide()
            runner.save_state()
            runner.restore_state()
            runner.console = page
            runner.console_origin = f"http://localhost:{port}"
            yield runner
        finally:
            runner.driver = page
