"""A softphone connects only to the console origins it declares (development mode aside, visibly)."""

from conftest import BOOT_MS, host_url, run_py, softphone_frame

IS_VISIBLE = "from desk_cti_py import interaction\nasync def main():\n    return await interaction.isVisible()"


def refusal(page, selector="#sp"):
    frame = page.wait_for_selector(selector).content_frame()
    box = frame.wait_for_selector(".desk-cti-error", timeout=BOOT_MS)
    assert box.get_attribute("role") == "alert" and box.is_visible()
    return box.inner_text()


def test_a_page_of_another_origin_cannot_make_itself_the_console(page, origins, third_origin):
    # a stranger's page frames a softphone that declares the demo console; it would welcome the hello
    page.goto(f"{third_origin}/test/host.html?phone={third_origin}/test/softphone.html")
    text = refusal(page)
    assert f"not connected: this softphone connects only to {origins.console}; it is embedded in {third_origin}" in text
    assert page.evaluate("host.log") == [] and page.evaluate("cti.stats.ignored + cti.stats.refused") == 0
    assert page.evaluate("host.calls") == {}


def test_without_declared_origins_the_softphone_refuses_and_says_why(page, origins):
    page.goto(host_url(origins, "undeclared.html"))
    assert "declares no console origins" in refusal(page)
    assert page.evaluate("host.log") == []


def test_development_mode_connects_to_the_embedding_page_under_a_visible_warning(page, origins):
    page.goto(host_url(origins, "development.html"))
    frame = softphone_frame(page)
    warning = frame.locator(".desk-cti-development")
    assert warning.is_visible() and "Development mode" in warning.inner_text()
    assert run_py(frame, IS_VISIBLE) is True
    assert [row[1] for row in page.evaluate("host.log")][:2] == ["hello", "welcome"]


def test_the_demo_softphone_declares_its_console(page, origins):
    page.goto(f"{origins.phone}/")
    declared = page.locator("script[src$='desk-cti.js']").get_attribute("data-console-origins")
    assert declared == origins.console
