"""`desk-cti test DIR`: the project's tests in CPython, then in real Pyodide in Chromium.

CPython: ``tests/`` without ``tests/pyodide/``, with the desk_cti pytest plugin (``fake_console``,
async tests without settings). Pyodide: ``tests/pyodide/`` through pytest-pyodide (Playwright
driving Debian's Chromium), against a build of the project made for tests (the runtime, the
project's wheels and pytest's own).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path

from .build import build_project
from .errors import ToolError
from .project import Project, load_project
from .chromium import CHROMIUM

PYODIDE_TESTS = Path("tests") / "pyodide"


def _plugin_args() -> list[str]:
    """``-p desk_cti_tools.pytest_plugin`` unless pytest loads it already (an installed copy)."""
    installed = metadata.entry_points(group="pytest11", name="desk_cti")
    return [] if installed else ["-p", "desk_cti_tools.pytest_plugin"]


def _pytest(project: Project, args: Sequence[str]) -> int:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(project.root), env.get("PYTHONPATH")]))
    env.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    cmd = [sys.executable, "-m", "pytest", *_plugin_args(), *args]
    try:
        return subprocess.run(cmd, cwd=project.root, env=env).returncode
    except OSError as e:
        raise ToolError(f"pytest could not run: {e}") from None


def _has_tests(folder: Path) -> bool:
    return folder.is_dir() and any(folder.rglob("test_*.py"))


def run_tests(root: Path, *, cpython: bool = True, pyodide: bool = True, pytest_args: Sequence[str] = ()) -> int:
    """Run the tests; the exit code is 0 when every phase run passed."""
    project = load_project(root)
    tests = project.root / "tests"
    if not tests.is_dir():
        raise ToolError(f"{project.root} has no tests/ folder")
    codes = []
    if cpython:
        print(f"desk-cti test: CPython ({sys.version.split()[0]})", flush=True)
        code = _pytest(project, ["tests", f"--ignore={PYODIDE_TESTS}", *pytest_args])
        codes.append(0 if code == 5 else code)  # 5: none collected, not a failure
    if pyodide:
        if not _has_tests(project.root / PYODIDE_TESTS):
            print(f"desk-cti test: no tests in {PYODIDE_TESTS}/, none run in Pyodide", flush=True)
        else:
            codes.append(_pyodide_phase(project, pytest_args))
    return next((c for c in codes if c != 0), 0)


def _pyodide_phase(project: Project, pytest_args: Sequence[str]) -> int:
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        raise ToolError(f"Chromium is not at {CHROMIUM}: install it (Debian: apt-get install chromium) "
                        f"or set DESK_CTI_CHROMIUM to its path")
    with tempfile.TemporaryDirectory(prefix="desk-cti-test-") as tmp:
        out = Path(tmp) / "build"
        print("desk-cti test: building for Pyodide tests", flush=True)
        build_project(project, out, console_origins=project.console_origins or ["http://localhost"], for_tests=True)
        print("desk-cti test: Pyodide in Chromium", flush=True)
        return _pytest(project, [str(PYODIDE_TESTS), "-p", "desk_cti_tools.pyodide_plugin",
                                 f"--dist-dir={out / 'pyodide'}", "--runtime=chrome", "--runner=playwright",
                                 *pytest_args])

