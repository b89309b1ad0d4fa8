"""The foundation, as a user sees it: boot progress, ready, a first call across two origins."""

from pathlib import Path

from conftest import BOOT_MS, host_url, open_console, run_py, softphone_frame

PHASES = ["download", "start", "package", "python", "ready"]


def test_demo_console_boots_the_softphone_and_it_sets_its_height(page, origins):
    frame = open_console(page, origins)
    assert page.locator("#cti-state").text_content() == "Softphone: connected"
    assert frame.locator("#visible-state").text_content() == "visible"  # isVisible, answered by the console
    # the softphone's Python asked for 640 px through the console
    page.wait_for_function("document.getElementById('softphone').getBoundingClientRect().height === 640")


def test_the_softphone_is_cross_site(page, origins):
    page.goto(host_url(origins))
    frame = softphone_frame(page)
    assert frame.evaluate("location.origin") == origins.phone
    assert page.evaluate("location.origin") == origins.console
    assert origins.console.startswith("http://localhost:") and origins.phone.startswith("http://127.0.0.1:")


DETECT = "from desk_cti_py import _browser\nasync def main():\n    return _browser.detect_console_origin()"


def test_the_console_origin_is_the_embedding_page_and_none_at_top_level(page, origins):
    page.goto(host_url(origins))
    assert run_py(softphone_frame(page), DETECT) == origins.console
    page.goto(f"{origins.phone}/test/await-python.html")  # opened on its own: no embedding page
    page.wait_for_function("window.desk && desk.phase === 'ready'", timeout=BOOT_MS)
    assert run_py(page.main_frame, DETECT) is None


def test_boot_shows_every_phase_in_order_then_ready_listeners_fire_once(page, origins):
    page.goto(host_url(origins))
    frame = softphone_frame(page)
    seen = frame.evaluate("bootSeen")
    assert [phase for phase, _, _, _ in seen] == PHASES
    assert seen[0][1] == "Starting the phone: downloading…"
    assert seen[1][1] == "Starting the phone…"
    assert all(text for _, text, _, _ in seen), "the indicator was on the page at every phase"
    # "Starting the phone" is shown while the interpreter starts, not once it is up
    assert [running for _, _, running, _ in seen] == [False, False, True, True, True]
    assert frame.locator(".desk-cti-boot").count() == 0, "the indicator is gone once ready"
    assert frame.locator("#status").text_content() == "python ready"
    # both JS listeners ran once, around the one that raised; Python likewise
    assert frame.evaluate("counts") == {"js": 11, "jsLate": 0}
    assert run_py(frame, "import __main__\nasync def main():\n    return __main__.counts") == {"py": 11, "extra": 0}
    # listeners added after ready run at once, and only once
    frame.evaluate("desk.ready(() => { counts.jsLate += 1; })")
    assert frame.evaluate("counts.jsLate") == 1
    late = run_py(frame, """
from desk_cti_py import ready
async def main():
    got = []
    ready(lambda: got.append(1))
    return got
""")
    assert late == [1]


def test_a_plain_boot_shows_something_moving_while_the_interpreter_starts(page, origins):
    """A plain start holds the main thread for seconds: something on the indicator moves off it
    (a transform animation) from the "start" phase on. (A boot from the snapshot does not block
    it for long: it shows the phases, and moves only if it takes more than 1.5 s.)"""
    page.goto(host_url(origins, "softphone-plain.html"))
    frame = softphone_frame(page)
    seen = {phase: moving for phase, _, _, moving in frame.evaluate("bootSeen")}
    assert seen["start"] is True, seen


def test_first_calls_cross_the_frame_boundary(page, origins):
    page.goto(host_url(origins))
    frame = softphone_frame(page)
    result = run_py(frame, """
from desk_cti_py import interaction
async def main():
    got = []
    visible = await interaction.isVisible()
    interaction.cti.setSoftphoneHeight(333, lambda r: got.append(dict(r)))
    ok = await interaction.cti.set_softphone_height(345)
    return [visible, ok, got]
""")
    assert result == [True, True, [{"result": True}]]
    assert page.locator("#sp").evaluate("el => el.style.height") == "345px"
    log = [row[:3] for row in page.evaluate("host.log")]
    assert ["in", "hello", ""] in log and ["out", "welcome", ""] in log
    assert ["in", "request", "setSoftphoneHeight"] in log


def boot_error(page, origins, softphone_page):
    """Open a softphone that cannot start; return its frame and the error the user sees."""
    page.goto(host_url(origins, softphone_page))
    frame = page.wait_for_selector("#sp").content_frame()
    alert = frame.locator(".desk-cti-error")
    alert.wait_for(timeout=BOOT_MS)
    return frame, alert.text_content()


def test_boot_failure_is_shown_on_the_page(page, origins, guard):
    _, text = boot_error(page, origins, "broken-runtime.html")
    assert "The softphone could not start." in text and "no-such-runtime" in text
    assert any("could not start" in line for line in guard.console)


def test_missing_package_is_an_error_not_a_fallback(page, origins, guard):
    _, text = boot_error(page, origins, "missing-package.html")
    assert "numpy" in text


def test_page_python_error_is_shown_with_its_traceback(page, origins):
    frame, text = boot_error(page, origins, "broken-python.html")
    assert "ValueError: the softphone's own bug" in text and "in dial" in text
    assert frame.evaluate("desk.phase") == "python"


def test_page_scripts_run_in_order_awaiting_a_top_level_await_before_ready(page, origins):
    page.goto(host_url(origins, "await-python.html"))
    frame = softphone_frame(page)
    order = run_py(frame, "import __main__\nasync def main():\n    return __main__.order")
    assert order == ["first: start", "first: after await", "second", "ready"]


def test_the_loader_installs_the_wheel_with_its_metadata(page, origins):
    page.goto(host_url(origins))
    frame = softphone_frame(page)
    got = run_py(frame, """
import importlib.metadata, desk_cti_py
async def main():
    dist = importlib.metadata.distribution("desk-cti-py")
    return [dist.version, desk_cti_py.__version__, sorted(str(f) for f in dist.files if f.name == "py.typed")]
""")
    assert got == [got[1], got[1], ["desk_cti_py/py.typed"]]


def wheel_bytes():
    build = Path(__file__).resolve().parents[2] / "build" / "pyodide"
    return next(build.glob("desk_cti_py-*.whl")).read_bytes()


def test_a_tampered_wheel_is_refused(page, origins, guard):
    wheel = bytearray(wheel_bytes())
    wheel[100] ^= 0xFF
    page.route("**/*.whl", lambda route: route.fulfill(body=bytes(wheel), content_type="application/zip"))
    frame, text = boot_error(page, origins, "softphone.html")
    assert "does not match its sha256 in pyodide-lock.json" in text


def test_a_wheel_with_an_unsafe_path_is_refused(page, origins, guard):
    import hashlib
    import io
    import json
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("desk_cti_py/__init__.py", "")
        zf.writestr("../../../tmp/evil.py", "print('escaped')")
    evil = buf.getvalue()

    def lock(route):
        data = json.loads(route.fetch().text())
        data["packages"]["desk-cti-py"]["sha256"] = hashlib.sha256(evil).hexdigest()
        route.fulfill(body=json.dumps(data), content_type="application/json")

    page.route("**/pyodide-lock.json", lock)
    page.route("**/*.whl", lambda route: route.fulfill(body=evil, content_type="application/zip"))
    frame, text = boot_error(page, origins, "softphone.html")
    assert "unsafe name ../../../tmp/evil.py" in text


def test_the_loader_leaves_the_page_globals_alone(page, origins):
    page.goto(host_url(origins))
    frame = softphone_frame(page)
    # the test softphone's own Python defines its names; the loader adds none of its own
    assert frame.evaluate("desk.pyodide.globals.has('site')") is False


INSTALL = """() => {
  const at = (name, type) => performance.getEntriesByName(name, type)[0].startTime;
  return { install: at("desk-cti:install", "measure"), runtime: at("desk-cti:runtime", "mark") };
}"""
WORKS = """
import importlib.metadata, desk_cti_py
from desk_cti_py import interaction
async def main():
    return [importlib.metadata.version("desk-cti-py") == desk_cti_py.__version__, await interaction.isVisible()]
"""


def held(page, pattern):
    """Hold the requests matching pattern until release() is called."""
    routes = []
    page.route(pattern, lambda route: routes.append(route))
    return lambda: [r.continue_() for r in routes]


def test_the_wheel_is_written_before_python_starts_when_it_is_there_first(page, origins):
    # the runtime's wasm is held until the wheel has arrived and had time to unpack
    release = held(page, "**/pyodide.asm.wasm")
    with page.expect_event("requestfinished", lambda r: r.url.endswith(".whl"), timeout=BOOT_MS):
        page.goto(host_url(origins))
    page.wait_for_timeout(500)
    release()
    frame = softphone_frame(page)
    at = frame.evaluate(INSTALL)
    assert at["install"] < at["runtime"], at
    assert frame.locator("#status").text_content() == "python ready"
    assert run_py(frame, WORKS) == [True, True]


def test_a_wheel_that_arrives_after_python_started_is_installed_then(page, origins):
    release = held(page, "**/*.whl")
    page.goto(host_url(origins))
    frame = page.wait_for_selector("#sp").content_frame()
    frame.wait_for_function("performance.getEntriesByName('desk-cti:runtime').length > 0", timeout=BOOT_MS)
    assert frame.evaluate("desk.phase") == "start", "nothing of ours runs before the wheel is in"
    release()
    frame = softphone_frame(page)
    at = frame.evaluate(INSTALL)
    assert at["install"] > at["runtime"], at
    # site-packages may have been listed while Python started: the import still finds the package
    assert frame.locator("#status").text_content() == "python ready"
    assert run_py(frame, WORKS) == [True, True]


def test_the_boot_fetches_the_runtime_files_and_the_wheel_once_each(page, origins, guard):
    page.goto(host_url(origins))
    softphone_frame(page)
    wheel = next((Path(__file__).resolve().parents[2] / "build" / "pyodide").glob("desk_cti_py-*.whl")).name
    urls = [url for _, url in guard.requests if "/pyodide/" in url]
    # build/pyodide has a memory snapshot (make dist), and the page boots from it
    # (data-snapshot="always"): the snapshot is fetched once and, once hashed, leaves a receipt
    # in the HTTP cache (docs/snapshot.md)
    receipts = [url for url in urls if "/snapshot.json?verified=" in url]
    assert len(receipts) <= 1, receipts
    fetched = sorted(url.rsplit("/", 1)[1].split("?")[0] for url in urls if url not in receipts)
    assert fetched == sorted(["pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip",
                              "pyodide-lock.json", wheel, "snapshot.json", "snapshot.bin"])
