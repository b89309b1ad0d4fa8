"""The page's own Python as the loader runs it: in __main__, at once unless it awaits."""

import asyncio
import sys
import traceback

import pytest

from desk_cti_py._page import run_script


@pytest.fixture
def main_ns():
    ns = sys.modules["__main__"].__dict__
    before = set(ns)
    yield ns
    for name in set(ns) - before:
        del ns[name]


def test_a_script_without_await_runs_at_once_in_main(main_ns):
    assert run_script("import math\nanswer = math.prod([6, 7])\n", "<inline script 1>") is None
    assert main_ns["answer"] == 42
    # the next script sees what the first defined, as scripts on one page do
    run_script("doubled = answer * 2\n", "<inline script 2>")
    assert main_ns["doubled"] == 84


def test_a_script_with_top_level_await_is_handed_back_to_be_awaited(main_ns):
    pending = run_script("import asyncio\nawait asyncio.sleep(0)\nlate = 'ran'\n", "<inline script 1>")
    assert asyncio.iscoroutine(pending) and "late" not in main_ns
    asyncio.run(asyncio.wait_for(pending, 5))
    assert main_ns["late"] == "ran"


def test_tracebacks_show_the_scripts_own_lines(main_ns):
    source = "def dial():\n    raise ValueError(\"the softphone's own bug\")\ndial()\n"
    with pytest.raises(ValueError) as err:
        run_script(source, "<inline script 3>")
    text = "".join(traceback.format_exception(err.value))
    assert 'File "<inline script 3>", line 2, in dial' in text
    assert "raise ValueError(\"the softphone's own bug\")" in text


def test_a_syntax_error_names_the_script(main_ns):
    with pytest.raises(SyntaxError) as err:
        run_script("x = (\n", "https://phone.example/app.py")
    assert err.value.filename == "https://phone.example/app.py" and err.value.lineno == 1
