"""Debian's Chromium as every browser run of desk-cti launches it: offline, headless, as root,
and without the allocation samplers that crash Pyodide's pages.

Used by ``desk-cti test`` (pytest-pyodide), and in this checkout by the end-to-end tests, the
bench and the screenshots.

Chromium turns on, by default and in a random share of its processes, two samplers of heap
allocations: GWP-ASan and the heap profiler's. Both record a sampled allocation's stack by
walking frame pointers up to the end of the thread's main stack. When the allocation happens
while V8 runs on a JSPI stack (any Pyodide call that may suspend), the walk runs off the end of
that stack and the renderer dies with SIGSEGV; Playwright reports "Target crashed"
(docs/robustness.md).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

CHROMIUM = os.environ.get("DESK_CTI_CHROMIUM", "/usr/bin/chromium")
#: Without the background-networking flags Chromium floods a closed network with refused
#: connections; the resolver rule keeps any other host from resolving at all.
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1, EXCLUDE 127.0.0.2",
]
#: Turned off in every launch: the two samplers (see above).
DISABLED_FEATURES = ("GwpAsanMalloc", "GwpAsanPartitionAlloc", "HeapProfilerReporting")

_defaults: list[str] | None = None  # the features Playwright itself turns off, once asked


def launch(browser_type: Any, args: Sequence[str] = (), **options: Any) -> Any:
    """Launches CHROMIUM through a Playwright ``BrowserType`` with FLAGS, ``args`` and
    DISABLED_FEATURES off; returns the Browser. Chromium reads only the last
    ``--disable-features``, and Playwright passes one of its own: the one given here also lists
    Playwright's features (read once from a browser launched without it) and any in ``args``."""
    flags = [*FLAGS, *(a for a in args if a not in FLAGS and not a.startswith("--disable-features="))]
    features = [*playwright_disabled_features(browser_type), *disabled_features(args), *DISABLED_FEATURES]
    flag = "--disable-features=" + ",".join(dict.fromkeys(features))
    return browser_type.launch(executable_path=CHROMIUM, args=[*flags, flag], **options)


def playwright_disabled_features(browser_type: Any) -> list[str]:
    """The features a browser Playwright launches with FLAGS has turned off."""
    global _defaults
    if _defaults is None:
        probe = browser_type.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            _defaults = disabled_features(command_line(probe))
        finally:
            probe.close()
    return list(_defaults)


def command_line(browser: Any) -> list[str]:
    """A running browser's command line, as chrome://version shows it, split at spaces (the
    DevTools protocol's Browser.getBrowserCommandLine needs --enable-automation)."""
    page = browser.new_page()
    try:
        page.goto("chrome://version")
        return str(page.locator("#command_line").inner_text()).split(" ")
    finally:
        page.close()


def disabled_features(argv: Sequence[str]) -> list[str]:
    """The features a Chromium command line turns off: its last ``--disable-features``, as
    Chromium reads it."""
    values = [a.split("=", 1)[1] for a in argv if a.startswith("--disable-features=")]
    return [f for f in values[-1].split(",") if f] if values else []
