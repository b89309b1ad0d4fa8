"""docs/console-example.html, the minimal console page of the docs, served by a plain static
server on one origin (localhost) and holding softphones of another (127.0.0.1, allowing only that
console to frame them): the Python test softphone, then the hand-written JS one for a hello of
another protocol version."""

from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.sync_api import expect
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import HTMLResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

import conftest
from conftest import BOOT_MS, frame_at, run_py
from desk_cti_tools.emulator.config import PYODIDE, loader_dir
from desk_cti_tools.emulator.guards import AddHeaders
from desk_cti_tools.emulator.server import Background

DOCS = Path(__file__).resolve().parents[2] / "docs"


@pytest.fixture(scope="module")
def example():
    """(console origin, softphone origin): the docs folder and the console module on a static
    server, beside the loader as in a checkout; the test softphones, the loader and the runtime
    (``make dist`` builds it) on another."""
    console_app = Starlette(routes=[Mount("/docs", StaticFiles(directory=DOCS)),
                                    Mount("/loader", StaticFiles(directory=loader_dir()))])
    with Background.serving(console_app, "localhost") as console:
        # the test softphone with the loader's data-debug
        debug_page = (conftest.PAGES / "softphone.html").read_text().replace(
            "%DESK_CONSOLE_ORIGINS%", console).replace('data-timeout="5"', 'data-timeout="5" data-debug')
        phone_app = Starlette(
            routes=[Route("/debug/softphone.html", lambda request: HTMLResponse(debug_page)),
                    Mount("/debug", StaticFiles(directory=conftest.PAGES)),
                    Mount("/test", conftest.test_pages(console)), Mount("/loader", StaticFiles(directory=loader_dir())),
                    Mount("/pyodide", StaticFiles(directory=PYODIDE, check_dir=False))],
            middleware=[Middleware(AddHeaders, headers={"Content-Security-Policy": f"frame-ancestors {console}"})])
        with Background.serving(phone_app, "127.0.0.1") as phone:
            yield console, phone


def open_example(page, console, softphone=None):
    page.goto(f"{console}/docs/console-example.html" + (f"?softphone={quote(softphone)}" if softphone else ""))


def test_the_example_console_loads_a_softphone_of_another_origin_and_answers_it(page, example):
    console, phone = example
    phone_url = f"{phone}/test/softphone.html"
    open_example(page, console)
    # typed into the page, as a user would
    page.get_by_label("Softphone URL").fill(phone_url)
    page.get_by_role("button", name="Load").click()
    frame = frame_at(page, phone_url)
    frame.wait_for_function("window.desk && desk.phase === 'ready'", timeout=BOOT_MS)
    expect(page.locator("#state")).to_have_text("connected")
    expect(page.locator("#allowed")).to_have_text(f"(allowed origin {phone}, protocol version 1)")
    assert page.url.endswith(f"?softphone={quote(phone_url, safe='')}")

    out = run_py(frame, """
import __main__
import desk_cti_py as d
from desk_cti_py import interaction, cti
__main__.heard = []
@cti.onClickToDial
def dial(r):
    __main__.heard.append(["dial", r.result.number])
@interaction.onFocus
def focus(r):
    __main__.heard.append(["focus", r.result.objectId if r.result else None, r.error])
async def main():
    try:
        await interaction.getPageInfo()
    except d.NotSupportedOnPage as e:
        off_record = e.code
    return [off_record, await cti.setSoftphoneHeight(333), await interaction.screenPop("42", "object=case"),
            (await interaction.getPageInfo()).objectName, await cti.enableClickToDial()]
""")
    assert out == ["not_supported_on_page", True, True, "Phone will not ring", True]
    expect(page.locator("#softphone")).to_have_attribute("style", "height: 333px;")
    expect(page.locator("#record")).to_have_text("case 42: Phone will not ring")
    # the agent's clicks in the console reach the softphone's Python listeners
    expect(page.get_by_role("button", name="Click to dial")).to_be_enabled()
    page.get_by_role("button", name="Click to dial").click()
    page.get_by_role("button", name="Open customer 7").click()
    page.get_by_role("button", name="Leave records").click()
    frame.wait_for_function("desk.pyodide.runPython('import __main__; len(__main__.heard)') >= 4")
    heard = run_py(frame, "import __main__\nasync def main():\n    return __main__.heard")
    assert heard == [["focus", "42", None], ["dial", "+1 555 0100"], ["focus", "7", None],
                     ["focus", None, "no case, customer or company in view"]]
    # the page's message list shows both directions
    log = page.get_by_role("list", name="Messages")
    expect(log).to_contain_text("<- request screenPop")
    expect(log).to_contain_text("-> event clickToDial")


def test_a_softphone_of_another_protocol_version_is_told_and_the_page_says_so(page, example):
    console, phone = example
    phone_url = f"{phone}/test/js-softphone.html"
    open_example(page, console, softphone=phone_url)
    frame = frame_at(page, phone_url)
    frame.wait_for_function("window.sp && sp.connected")
    # the JS softphone sends a hello of version 2 and reads the answer as it crosses the boundary
    answer = frame.evaluate("""() => new Promise((resolve) => {
        addEventListener("message", (e) => {
            const m = JSON.parse(e.data);
            if (m.re === "v2-1") resolve({ origin: e.origin, msg: m });
        });
        parent.postMessage(JSON.stringify({ ns: "desk-cti", v: 2, type: "hello", id: "v2-1", session: "v2" }),
                           location.ancestorOrigins[0]);
    })""")
    assert answer["origin"] == console
    msg = answer["msg"]
    want = f"this console speaks desk-cti protocol version 1; the softphone at {phone} speaks version 2"
    assert (msg["type"], msg["v"], msg["error"]) == (
        "error", 1, {"code": "unsupported_version", "message": want, "supported": [1]})
    expect(page.get_by_role("alert")).to_have_text(f"Refused a softphone: {want}")
    # the version-1 connection it already had is untouched
    assert page.evaluate("cti.connected") is True
    assert page.evaluate("cti.stats.versionRefused") == 1


def test_debug_mode_writes_every_message_both_ways_to_the_browser_console(page, guard, example):
    console, phone = example
    phone_url = f"{phone}/test/softphone.html"
    open_example(page, console, softphone=phone_url)
    frame = frame_at(page, phone_url)
    frame.wait_for_function("window.desk && desk.phase === 'ready'", timeout=BOOT_MS)
    assert not any("desk-cti debug:" in line for line in guard.console)  # off unless asked for
    out = run_py(frame, f"""
import desk_cti_py as d
async def main():
    conn = d.connect({console!r}, debug=True)
    return [conn.debug, await d.interaction.isVisible()]
""")
    assert out == [True, True]
    lines = [line for line in guard.console if "desk-cti debug:" in line]
    # the browser console, as console.log: both directions, with origin, type, id and size
    assert any(line.startswith(f"log: desk-cti debug: -> out to {console} hello id=") for line in lines), lines
    assert any(line.startswith(f"log: desk-cti debug: <- in from {console} welcome id=") for line in lines), lines
    request = next(line for line in lines if " -> out to " in line and " request id=" in line)
    assert '"method":"isVisible"' in request and " chars {" in request
    assert any(f"<- in from {console} response id=" in line for line in lines), lines


def test_the_loaders_data_debug_turns_debug_mode_on_at_boot(page, guard, example):
    console, phone = example
    phone_url = f"{phone}/debug/softphone.html"
    open_example(page, console, softphone=phone_url)
    frame = frame_at(page, phone_url)
    frame.wait_for_function("window.desk && desk.phase === 'ready'", timeout=BOOT_MS)
    assert run_py(frame, "import desk_cti_py as d\nasync def main():\n    return d.current().debug") is True
    lines = [line for line in guard.console if "desk-cti debug:" in line]
    assert any(line.startswith(f"log: desk-cti debug: -> out to {console} hello id=") for line in lines), lines
    assert any(line.startswith(f"log: desk-cti debug: <- in from {console} welcome id=") for line in lines), lines
