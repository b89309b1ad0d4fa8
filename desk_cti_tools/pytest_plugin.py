"""pytest plugin for softphone projects (registered as ``desk_cti`` through ``pytest11``).

- ``fake_console``: a :class:`desk_cti_py.testing.FakeConsole`, installed for the test (the
  module-level ``desk_cti_py.interaction`` talks to it) and removed after.
- ``async def`` tests run in a fresh event loop each, with no pytest-asyncio settings: in a
  softphone project (``[tool.desk-cti]`` in its pyproject.toml), or wherever a test asks for
  ``fake_console``. A test pytest-asyncio already runs (marked, or its auto mode) is left to it.
"""

from __future__ import annotations

import asyncio
import inspect
import tomllib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

_PROJECT_KEY = pytest.StashKey[bool]()


def pytest_configure(config: pytest.Config) -> None:
    pyproject = Path(config.rootpath) / "pyproject.toml"
    try:
        in_project = "desk-cti" in tomllib.loads(pyproject.read_text()).get("tool", {})
    except (OSError, ValueError):
        in_project = False
    config.stash[_PROJECT_KEY] = in_project


@pytest.fixture
def fake_console(request: pytest.FixtureRequest) -> Any:
    """A FakeConsole for an ``async def`` test: installed once the test's event loop runs
    (the console answers from that loop), uninstalled after."""
    if request.node.get_closest_marker("asyncio") is not None:  # pytest-asyncio runs this test
        return request.getfixturevalue("_desk_cti_console_in_asyncio_loop")
    from desk_cti_py.testing import FakeConsole

    return FakeConsole()


try:
    import pytest_asyncio
except ImportError:  # not installed: this plugin runs every async test itself
    pass
else:
    @pytest_asyncio.fixture
    async def _desk_cti_console_in_asyncio_loop() -> AsyncIterator[Any]:
        """fake_console for a test pytest-asyncio runs: made and installed in its loop."""
        from desk_cti_py.testing import FakeConsole

        with FakeConsole() as console:
            yield console


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    func = pyfuncitem.obj
    if not inspect.iscoroutinefunction(func) or pyfuncitem.get_closest_marker("asyncio"):
        return None  # not ours: sync, or pytest-asyncio's (it replaces a test it runs by a sync one)
    if not (pyfuncitem.config.stash.get(_PROJECT_KEY, False) or "fake_console" in pyfuncitem.fixturenames):
        return None
    from desk_cti_py.testing import FakeConsole

    names = pyfuncitem._fixtureinfo.argnames
    kwargs = {name: pyfuncitem.funcargs[name] for name in names}
    consoles = [v for v in kwargs.values() if isinstance(v, FakeConsole)]

    async def run() -> None:
        for console in consoles:
            console.install()
        try:
            await func(**kwargs)
        finally:
            for console in reversed(consoles):
                console.uninstall()

    with asyncio.Runner() as runner:
        runner.run(run())
    return True
