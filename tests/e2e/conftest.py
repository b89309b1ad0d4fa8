"""End-to-end tests in Debian's Chromium: the console on localhost, the softphone on 127.0.0.1.

The softphone origin serves the demo softphone built as `desk-cti serve` builds it (its
loader and runtime under /loader and /pyodide, which the test pages under /test load too).

Every test gets a fresh browser context whose requests are checked: any that
leaves localhost/127.0.0.1 is aborted and fails the test, and so does any
uncaught page error.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote, urlparse

import pytest
from playwright.sync_api import Frame, Page, expect, sync_playwright
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from desk_cti_tools.emulator.config import PYODIDE, loader_dir
from desk_cti_tools.emulator.pages import PLACEHOLDER, DeclaringStatic
from desk_cti_tools.emulator.server import Background
from desk_cti_tools.serve import built_softphone
from desk_cti_tools.chromium import launch

PAGES = Path(__file__).parent / "pages"
DEMO = Path(__file__).resolve().parents[2] / "site" / "softphone"
LOCAL = {"localhost", "127.0.0.1", "127.0.0.2"}
BOOT_MS = 60_000


@pytest.fixture(scope="session")
def db_path(tmp_path_factory):
    return tmp_path_factory.mktemp("demo") / "desk.sqlite3"


class PageServer(DeclaringStatic):
    """The test pages; softphone-plain.html is softphone.html booting plain (data-snapshot="off"),
    for what only a plain boot shows."""

    async def get_response(self, path, scope):
        if path != "softphone-plain.html":
            return await super().get_response(path, scope)
        page = (PAGES / "softphone.html").read_text(encoding="utf-8")
        assert 'data-snapshot="always"' in page
        page = page.replace('data-snapshot="always"', 'data-snapshot="off"').replace(PLACEHOLDER, self.console_origins)
        return Response(page, media_type="text/html", headers={"Cache-Control": "no-cache"})


def test_pages(console_origin=""):
    """The test pages, declaring the console origin as the demo's softphone page does."""
    return PageServer(directory=PAGES, console_origins=console_origin)


@pytest.fixture(scope="session")
def origins(db_path, tmp_path_factory):
    """The emulator on its own SQLite file with the demo softphone, plus the test pages on both
    origins under /test/."""
    pages = test_pages()
    mounts = [Mount("/test", pages)]
    softphone = built_softphone(DEMO, tmp_path_factory.mktemp("softphone"))
    with Background(db_path=db_path, softphone=softphone, extra_console=mounts, extra_phone=mounts) as o:
        pages.console_origins = o.console  # the port is known once the server is bound
        yield o


@pytest.fixture(scope="session")
def third_origin(origins):
    """A third site (127.0.0.2) serving the test pages, the loader and the runtime, with no
    framing headers: where hostile frames come from (and a softphone copy they may frame)."""
    app = Starlette(routes=[Mount("/test", test_pages(origins.console)), Mount("/loader", StaticFiles(directory=loader_dir())),
                            Mount("/pyodide", StaticFiles(directory=PYODIDE, check_dir=False))])
    with Background.serving(app, "127.0.0.2") as origin:
        yield origin


@pytest.fixture(scope="session")
def playwright():
    """One Playwright for the session: a second sync_playwright() in the same thread refuses to
    start while the first is running (the call tests launch their own browser from this one)."""
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright):
    b = launch(playwright.chromium)
    yield b
    b.close()


class Guard:
    """Aborts and records requests that leave this machine; records uncaught errors."""

    def __init__(self, context, allow_errors=False):
        self.external: list[str] = []
        self.requests: list[tuple[str, str]] = []  # (method, url) of everything the pages asked for
        self.errors: list[str] = []
        self.console: list[str] = []
        self.allow_errors = allow_errors
        context.route("**/*", self._route)

    def _route(self, route):
        self.requests.append((route.request.method, route.request.url))
        if urlparse(route.request.url).hostname in LOCAL:
            route.continue_()
        else:
            self.external.append(route.request.url)
            route.abort()

    def watch(self, page: Page) -> None:
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("console", lambda m: self.console.append(f"{m.type}: {m.text}"))


@pytest.fixture
def guard(browser):
    context = browser.new_context()
    g = Guard(context)
    g.context = context
    yield g
    context.close()
    assert g.external == [], f"requests left localhost: {g.external}"
    assert g.errors == [], f"uncaught page errors: {g.errors}"


@pytest.fixture
def page(guard) -> Page:
    p = guard.context.new_page()
    guard.watch(p)
    return p


def sign_in(page: Page, origins, email="alex@acme-support.example") -> None:
    r = page.request.post(f"{origins.console}/login", form={"email": email, "password": "demo"}, max_redirects=0,
                          headers={"Origin": origins.console})  # as a browser's form post sends it
    assert r.status == 303, r.status


def open_console(page: Page, origins, path="/agent/cases") -> Frame:
    """Sign in, open a console page, and wait for the demo softphone to be ready."""
    sign_in(page, origins)
    page.goto(f"{origins.console}{path}")
    frame = softphone_frame(page, "#softphone")
    frame.locator("#log").get_by_text("ready").wait_for(timeout=BOOT_MS)
    return frame


def dev_tools(frame: Frame) -> None:
    """Open the demo softphone's developer tools (closed at first: the phone comes first). The
    click is tried again until they are open: a line or a record arriving as Playwright clicks
    can move the summary away from where it aimed."""
    summary, tools = frame.locator("#dev > summary"), frame.locator("#dev")
    for _ in range(5):
        if tools.evaluate("el => el.open"):
            return
        summary.click()
        try:
            expect(tools).to_have_js_property("open", True, timeout=1000)
            return
        except AssertionError:
            continue
    raise AssertionError("the softphone's developer tools did not open")


def host_url(origins, phone_page="softphone.html", allow=None, others=()) -> str:
    url = f"{origins.console}/test/host.html?phone={quote(f'{origins.phone}/test/{phone_page}')}"
    if others:
        url += f"&others={quote(','.join(others))}"
    return url + (f"&allow={quote(allow)}" if allow else "")


def frame_at(page: Page, url_prefix: str) -> Frame:
    """The page's frame whose URL starts with ``url_prefix``, once it is there (10 s at most)."""
    for _ in range(200):
        for f in page.frames:
            if f.url.startswith(url_prefix):
                return f
        page.wait_for_timeout(50)
    raise AssertionError(f"no frame at {url_prefix}")


def softphone_frame(page: Page, selector="#sp") -> Frame:
    frame = page.wait_for_selector(selector).content_frame()
    assert frame is not None
    frame.wait_for_function("window.desk && desk.phase === 'ready'", timeout=BOOT_MS)
    return frame


RUN_PY = """async (code) => {
  const py = desk.pyodide;
  const ns = py.globals.get("dict")();
  try {
    await py.runPythonAsync(code, { globals: ns });
    // no test waits forever: main() gets two minutes
    return await py.runPythonAsync(
      "import json as _j, asyncio as _a\\n_j.dumps(await _a.wait_for(main(), 120))", { globals: ns });
  } finally {
    ns.destroy();
  }
}"""


def run_py(frame: Frame, code: str):
    """Run ``code`` (which defines ``async def main()``) in the softphone's Pyodide; return main()'s JSON."""
    return json.loads(frame.evaluate(RUN_PY, code))


FIGURES: dict[str, dict] = {}


@pytest.fixture(scope="session")
def figures():
    """Numbers a test measured (messages tried, accepted, leaks...), written to build/robustness.json."""
    yield FIGURES
    if FIGURES:
        out = Path(__file__).resolve().parents[2] / "build" / "robustness.json"
        out.parent.mkdir(exist_ok=True)
        old = json.loads(out.read_text()) if out.exists() else {}
        out.write_text(json.dumps({**old, **FIGURES}, indent=1, sort_keys=True) + "\n")
