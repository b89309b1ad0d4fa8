"""`desk-cti new`: a working softphone project, or a one-line refusal that writes nothing."""

import tomllib

import pytest

from desk_cti_tools.project import load_project

from _cli import desk_cti, one_line_error, snapshot


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    parent = tmp_path_factory.mktemp("new")
    proc = desk_cti("new", parent / "front-desk")
    assert proc.returncode == 0, proc.stderr
    return parent / "front-desk"


def test_new_makes_a_project_that_loads(made):
    project = load_project(made)
    assert (project.name, project.package, project.version) == ("front-desk", "front_desk", "0.1.0")
    assert project.console_origins == ["https://desk.example.com"]
    assert project.files == ["static"]
    table = tomllib.loads((made / "pyproject.toml").read_text())["tool"]["desk-cti"]
    assert {"console-origins", "packages", "dependencies", "on-demand", "files"} <= set(table)


def test_new_gives_a_package_of_several_modules_a_page_tests_and_a_readme(made):
    modules = {p.name for p in (made / "front_desk").glob("*.py")}
    assert {"__init__.py", "app.py", "dialing.py", "calls.py", "page.py"} <= modules
    page = (made / "index.html").read_text()
    assert 'src="loader/desk-cti.js"' in page and "from front_desk import page" in page
    assert (made / "tests" / "test_phone.py").is_file()
    assert "run_in_pyodide" in (made / "tests" / "pyodide" / "test_in_pyodide.py").read_text()
    assert "desk-cti test" in (made / "README.md").read_text()
    assert not list(made.rglob("*.tmpl"))
    assert not [p for p in made.parent.iterdir() if p.name.startswith(".")]  # no temporary folder left


def test_new_refuses_a_folder_that_is_not_empty(tmp_path):
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "notes.txt").write_text("mine")
    before = snapshot(tmp_path)
    line = one_line_error(desk_cti("new", tmp_path / "taken"))
    assert "exists and is not an empty folder" in line
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("name", ["My Phone!", "desk_cti_py", "9lives"])
def test_new_refuses_a_name_that_cannot_be_a_package(tmp_path, name):
    before = snapshot(tmp_path)
    one_line_error(desk_cti("new", tmp_path / "x", "--name", name))
    assert snapshot(tmp_path) == before
