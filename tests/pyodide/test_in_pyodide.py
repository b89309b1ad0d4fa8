"""desk_cti_py inside real Pyodide: the pure layers on the WebLoop (Chromium and Node),
and the browser transport against the real console module (Chromium)."""

import pytest
from pytest_pyodide import run_in_pyodide


@run_in_pyodide(packages=["desk-cti-py"])
async def test_api_round_trip_on_pyodides_event_loop(selenium):
    import asyncio

    import pytest

    import desk_cti_py as d
    from desk_cti_py.testing import FakeConsole

    with FakeConsole(records={("case", "42"): {"subject": "No dial tone"}}) as console:
        got = []
        assert await d.interaction.isVisible() is True
        d.cti.setSoftphoneHeight(321, got.append)
        assert await d.interaction.screenPop("42", "object=case") is True
        info = await d.interaction.getPageInfo()
        assert (info.objectId, info.objectName) == ("42", "No dial tone")
        with pytest.raises(d.BadArguments):
            await d.cti.setSoftphoneWidth(-1)
        console.silent = True
        with pytest.raises(d.CtiTimeout):
            await d.interaction.isVisible(timeout=0.05)
        await asyncio.sleep(0)
        assert console.height == 321 and got[0].result is True
        assert console.violations == [] and console.client.pending == 0


# plain: the snapshot this layer boots from was taken with desk_cti_py._browser imported
@pytest.mark.plain_boot
@run_in_pyodide(packages=["desk-cti-py"])
def test_the_package_imports_its_browser_module_only_when_connecting(selenium):
    import importlib.metadata
    import sys

    import desk_cti_py

    assert "desk_cti_py._browser" not in sys.modules
    assert desk_cti_py.version == importlib.metadata.version("desk-cti-py")


@pytest.fixture
def same_window_console(selenium):
    """The real loader/desk-console.js in the test page, answering the page itself.

    With no iframe, window.parent is window: the softphone posts to itself and
    the console's source check (frame: () => window) accepts it.
    """
    selenium.run_js(
        """
        const { DeskConsole, CtiConsoleError, ErrorCode } = await import("./loader/desk-console.js");
        let visible = true;
        globalThis.testConsole = new DeskConsole({
          frame: () => window,
          allowedOrigins: [location.origin],
          handlers: {
            isVisible: () => visible,
            setVisible: ({ value }) => { visible = value; return true; },
            setSoftphoneHeight: ({ height }) => { globalThis.lastHeight = height; return true; },
            getPageInfo: () => { throw new CtiConsoleError(ErrorCode.NOT_SUPPORTED_ON_PAGE, "not on this page"); },
            getUserInfo: () => { throw new Error("handler bug"); },
          },
        });
        """
    )
    return selenium


def test_browser_transport_against_the_real_console_module(same_window_console):
    selenium = same_window_console
    run_transport_checks(selenium)
    stats = selenium.run_js("return testConsole.stats")
    assert stats["refused"] == 0 and stats["answered"] >= 3 and stats["errors"] >= 2
    assert selenium.run_js("return globalThis.lastHeight") == 222


@run_in_pyodide(packages=["desk-cti-py"])
async def run_transport_checks(selenium):
    import sys

    import pytest

    import desk_cti_py as d
    from js import location

    client = d.connect(location.origin).client
    assert await d.interaction.isVisible() is True
    assert client.origin == location.origin and client.connected
    got = []
    await d.interaction.setVisible(False, got.append)
    assert await d.interaction.is_visible() is False
    assert await d.cti.setSoftphoneHeight(222) is True
    with pytest.raises(d.NotSupportedOnPage, match="not on this page"):
        await d.interaction.getPageInfo()
    with pytest.raises(d.ConsoleError, match="handler bug"):
        await d.interaction.getUserInfo()
    with pytest.raises(d.UnknownMethod, match="does not answer screenPop"):
        await d.interaction.screenPop("1", "object=case")
    transport = d.current().transport
    d.disconnect()
    assert transport._proxies == [] and transport._listener is None
    assert "desk_cti_py._browser" in sys.modules


def test_eager_resume_s_private_internals_are_as_read_on_the_pinned_runtime(selenium):
    """The upgrade guard: fails loudly when a new Pyodide changes what eager resume relies on."""
    check_resume_internals(selenium)


@run_in_pyodide(packages=["desk-cti-py"])
def check_resume_internals(selenium):
    import asyncio

    import pyodide

    from desk_cti_py import _resume

    assert pyodide.__version__ in _resume.PYODIDE_RELEASES, (
        f"Pyodide {pyodide.__version__} is not a release eager resume was checked against: read its "
        "WebLoop (call_later's run_handle) against desk_cti_py/_resume.py, then add it to PYODIDE_RELEASES")
    loop = asyncio.get_event_loop()
    assert _resume.supported(loop), "the WebLoop's private methods that eager resume calls have changed"
    # what it does with them is checked across two origins: test_cross_origin.py, resume_order


@run_in_pyodide(packages=["desk-cti-py"])
def forget_the_library(selenium):
    """Installed, and not imported (an earlier test in this runtime may have imported it)."""
    import sys

    for name in [n for n in sys.modules if n == "desk_cti_py" or n.startswith("desk_cti_py.")]:
        del sys.modules[name]


def test_importing_the_library_creates_no_js_object_and_reads_no_window(selenium):
    """What a memory snapshot taken after ``import desk_cti_py`` would freeze: no JS object
    (Pyodide's table of live JS references does not grow; it has no public count, so its
    private one, which the bench reads too) and no read of ``window.parent``."""
    forget_the_library(selenium)
    before, after, reads = selenium.run_js(
        """
        let reads = 0;
        const hasWindow = typeof window !== "undefined";
        if (hasWindow) {
          const own = Object.getOwnPropertyDescriptor(window, "parent");
          Object.defineProperty(window, "parent", { configurable: true, get() { reads++; return own.get.call(window); } });
        }
        const live = () => { pyodide.runPython("import gc; gc.collect()"); return pyodide._module.hiwire.num_keys(); };
        const before = live();
        pyodide.runPython("import desk_cti_py, desk_cti_py._browser, desk_cti_py.testing");
        return [before, live(), hasWindow ? reads : 0];
        """
    )
    assert after == before, f"importing desk_cti_py left {after - before} JS references behind"
    assert reads == 0


def test_messages_enter_python_in_their_own_task_and_may_run_sync(chromium):
    """The upgrade guard of the entry messages take (``_browser.promising_entry``): Pyodide's
    ``callPromising`` enters Python one task later (a task queued before the call runs first);
    through the entry, Python runs before that task, and may still call ``run_sync``."""
    assert check_entry(chromium) == ["task", "python", "python", "task"]


@run_in_pyodide(packages=["desk-cti-py"])
async def check_entry(selenium):
    import asyncio

    import pyodide
    from pyodide.code import run_js
    from pyodide.ffi import create_proxy, run_sync

    from desk_cti_py import _browser

    assert pyodide.__version__ in _browser.ENTRY_RELEASES, (
        f"Pyodide {pyodide.__version__} is not a release the message entry was checked against: read its "
        "callPromising (the scheduleCallback it awaits) against desk_cti_py/_browser.py, then add it to ENTRY_RELEASES")

    def mark(order, _):
        order.push("python")
        run_sync(asyncio.sleep(0))  # JSPI: the entry is a promising one

    proxy = create_proxy(mark)
    # from a fresh task, as a message event is: a task queued first, then Python entered
    probe = run_js("""(enter, proxy) => new Promise((resolve) => setTimeout(() => {
        const order = [];
        const channel = new MessageChannel();
        channel.port1.onmessage = () => order.push("task");
        channel.port2.postMessage(null);
        enter(proxy, order, null).then(() => setTimeout(() => resolve(order), 20), resolve);
    }))""")
    try:
        public = (await probe(run_js("(proxy, a, b) => proxy.callPromising(a, b)"), proxy)).to_py()
        ours = (await probe(_browser.promising_entry(), proxy)).to_py()
    finally:
        proxy.destroy()
    return public + ours
