"""pytest-pyodide in real Pyodide: Debian's Chromium (through Playwright) and Node.

The runtime is our assembled folder (build/pyodide-test: the pinned npm
runtime, the desk_cti_py wheel and pytest's wheels, each in the lock with its
real sha256). Chromium resolves no host but localhost and 127.0.0.1.
"""

import pytest
from pytest_pyodide import get_global_config
from pytest_pyodide.hook import pytest_wrapper

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
]

config = get_global_config()
config.set_flags("chrome", [*config.get_flags("chrome"), *FLAGS])


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
