"""pytest-pyodide in real Pyodide: Debian's Chromium (through Playwright) and Node.

The runtime is our assembled folder (build/pyodide-test: the pinned npm
runtime, the desk_cti_py wheel and pytest's wheels, each in the lock with its
real sha256, and a memory snapshot of it with desk_cti_py imported, as
build/pyodide has). Chromium resolves no host but localhost and 127.0.0.1.

In Chromium every runtime boots from that snapshot, as a softphone does
(docs/snapshot.md), or the test fails: no quiet plain boot. A test marked
``plain_boot`` gets a runtime of its own booted plain.
"""

import contextlib

import pytest
from pytest_pyodide import get_global_config
from pytest_pyodide.hook import pytest_wrapper

from desk_cti_tools.chromium import launch


config = get_global_config()

# pytest-pyodide's own: a plain loadPyodide, in the runner's page (module_test.html)
PLAIN_BOOT = config.get_load_pyodide_script("chrome")

# The loader's runtime phase (loader/desk-cti.js) in pytest-pyodide's page: every check and every
# use of the private snapshot API is desk-cti-snapshot.mjs's (copied beside the runtime by make
# dist). Where the loader falls back to a plain boot, this throws: the layer runs on the snapshot
# or fails. It defines `pyodide`, as pytest-pyodide's script does.
SNAPSHOT_BOOT = """
const here = (path) => new URL(path, location.href).href;
const snap = await import(here("loader/desk-cti-snapshot.mjs"));
const { version } = await import(here("pyodide.mjs"));
const noSnapshot = (why) => new Error(`no boot from the snapshot (the layer runs on it): ${why}`);
const manifestIn = await fetch(here("snapshot.json"));
if (!manifestIn.ok) throw noSnapshot(`snapshot.json: HTTP ${manifestIn.status} (make dist makes it)`);
const manifest = snap.readManifest(await manifestIn.json());
const lock = await (await fetch(here("pyodide-lock.json"))).json();
const why = snap.mismatch(manifest, { version, lock });
if (why) throw noSnapshot(why);
const snapshot = snap.snapshotOptions(fetch(snap.snapshotURL(here("./"), manifest)), manifest);
let pyodide;
try {
  pyodide = await loadPyodide({
    fullStdLib: false, jsglobals: self, ...snapshot.options,
    // a snapshot that fails its checks has its magic number cleared, and the restore refuses it
    fsInit: () => snapshot.ready.catch(() => {}),
  });
} catch (e) {
  await snapshot.ready.catch((bad) => { throw noSnapshot(bad.message); });
  throw noSnapshot(e.message);
}
await snapshot.ready.catch((bad) => { throw noSnapshot(bad.message); });
await snap.afterRestore(pyodide, manifest);
"""
# Node keeps pytest-pyodide's plain boot: the snapshot boot is the browser loader's (it fetches,
# streams and checks over HTTP); Node has no loader, and a softphone never runs there.
config.set_load_pyodide_script("chrome", SNAPSHOT_BOOT)


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "plain_boot: in Chromium, the test gets its own runtime booted plain, not from the snapshot")


@contextlib.contextmanager
def booted(request, runtime, web_server_main, playwright_browsers, script):
    """A runtime of its own, booted by script in Chromium (pytest-pyodide reads its one load
    script as a runner starts); the layer's script is back once it has."""
    from pytest_pyodide.fixture import selenium_common

    config.set_load_pyodide_script("chrome", script)
    try:
        with selenium_common(request, runtime, web_server_main, browsers=playwright_browsers) as runner:
            config.set_load_pyodide_script("chrome", SNAPSHOT_BOOT)
            yield runner
    finally:
        config.set_load_pyodide_script("chrome", SNAPSHOT_BOOT)


@pytest.fixture
def selenium(request, selenium, runtime, web_server_main, playwright_browsers):
    """pytest-pyodide's runtime, shared by a module's tests; a ``plain_boot`` test's own, plain."""
    if runtime != "chrome" or request.node.get_closest_marker("plain_boot") is None:
        yield selenium
        return
    with booted(request, runtime, web_server_main, playwright_browsers, PLAIN_BOOT) as runner:
        yield runner


@pytest.fixture
def fresh_boot(request, runtime, web_server_main, playwright_browsers):
    """Boots a new runtime from the snapshot (Chromium) and runs Python in it before anything
    else does; returns the result."""

    def boot_and_run(code):
        with booted(request, runtime, web_server_main, playwright_browsers, SNAPSHOT_BOOT) as runner:
            return runner.run(code)

    return boot_and_run


@pytest.fixture
def chromium(selenium):
    """The layer's runtime, in Chromium only (a window, JSPI): the test's Node twin is deselected."""
    return selenium


def pytest_collection_modifyitems(config, items):
    """Tests that need a window, or boot from the snapshot, run in Chromium only: their Node twins
    are deselected, not reported as skipped."""
    windowed = {"softphone", "same_window_console", "fresh_boot", "chromium"}
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
        browser = launch(p.chromium, config.get_flags("chrome"))
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
