"""`desk-cti test` in CPython (--cpython-only; the Pyodide half is in tests/e2e/test_toolchain.py):
the new project's tests pass with no pytest settings, fail when the phone is wrong, and the exit
status says which."""

import shutil

import pytest

from _cli import desk_cti, one_line_error, snapshot


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    parent = tmp_path_factory.mktemp("test")
    assert desk_cti("new", parent / "front-desk").returncode == 0
    return parent / "front-desk"


def test_the_new_projects_tests_pass(made):
    proc = desk_cti("test", made, "--cpython-only")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "7 passed" in proc.stdout  # tests/test_phone.py and tests/test_line.py


def test_arguments_after_a_double_dash_go_to_pytest(made):
    proc = desk_cti("test", made, "--cpython-only", "--", "-k", "normalize")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "1 passed, 6 deselected" in proc.stdout


def test_a_failing_test_makes_the_exit_status_1(made, tmp_path):
    broken = tmp_path / "broken"
    shutil.copytree(made, broken)
    app = broken / "front_desk" / "app.py"
    app.write_text(app.read_text().replace("HEIGHT = 300", "HEIGHT = 299"))
    proc = desk_cti("test", broken, "--cpython-only")
    assert proc.returncode == 1
    assert "1 failed, 6 passed" in proc.stdout


def test_a_folder_that_is_not_a_project_is_refused(tmp_path):
    (tmp_path / "plain").mkdir()
    before = snapshot(tmp_path)
    assert "is not a softphone project" in one_line_error(desk_cti("test", tmp_path / "plain"))
    assert snapshot(tmp_path) == before


def test_double_dash_arguments_are_for_test_only(made):
    assert "for `desk-cti test` only" in one_line_error(desk_cti("build", made, "-o", "x", "--", "-k", "y"))


@pytest.mark.parametrize("pytest_args", [["-o", "asyncio_mode=auto"], ["-p", "no:asyncio"]],
                         ids=["pytest-asyncio in auto mode", "without pytest-asyncio"])
def test_async_tests_and_fake_console_work_whoever_runs_the_loop(made, pytest_args):
    proc = desk_cti("test", made, "--cpython-only", "--", *pytest_args)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "7 passed" in proc.stdout  # tests/test_phone.py and tests/test_line.py
