"""The browser every test here runs in, as desk_cti_tools.chromium launches it: GWP-ASan and
the heap profiler off (their frame-pointer stack walks crash a renderer running Pyodide on a JSPI
stack: docs/robustness.md), and every feature Playwright turns off still off."""

from desk_cti_tools.chromium import CHROMIUM, DISABLED_FEATURES, FLAGS, command_line, disabled_features


def test_the_allocation_samplers_are_off_and_playwrights_own_features_stay_off(browser, playwright):
    plain = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
    try:
        playwrights = disabled_features(command_line(plain))
    finally:
        plain.close()
    assert playwrights, "no --disable-features read from a browser Playwright launched"
    off = disabled_features(command_line(browser))
    assert set(DISABLED_FEATURES) == {"GwpAsanMalloc", "GwpAsanPartitionAlloc", "HeapProfilerReporting"}
    assert set(off) == set(playwrights) | set(DISABLED_FEATURES), off
