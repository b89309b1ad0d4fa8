"""How desk-cti launches Chromium: which features a command line turns off, as Chromium reads it
(the browser itself is checked in tests/e2e/test_browser.py)."""

from desk_cti_tools.chromium import disabled_features


def test_the_last_disable_features_is_the_one_chromium_reads():
    argv = ["--headless", "--disable-features=A,B", "--no-sandbox", "--disable-features=C,,D"]
    assert disabled_features(argv) == ["C", "D"]


def test_a_command_line_without_one_turns_nothing_off():
    assert disabled_features(["--headless", "--enable-features=A"]) == []
    assert disabled_features(["--disable-features="]) == []
