"""The page's own Python (``<script type="text/python">``), run for the loader.

A script runs in ``__main__``, as ``pyodide.runPythonAsync`` would run it, but
one without a top-level ``await`` runs at once: going through a coroutine and
the event loop the first time is slow at boot (docs/performance.md).
Its source goes into ``linecache``, so tracebacks show the script's lines.
"""

from __future__ import annotations

import ast
import linecache
import sys
from inspect import CO_COROUTINE
from typing import Any


def run_script(source: str, filename: str) -> Any:
    """Run ``source`` in ``__main__``; return None, or with a top-level ``await`` the
    coroutine that runs it (the loader awaits it)."""
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    code = compile(source, filename, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT, dont_inherit=True)
    namespace = sys.modules["__main__"].__dict__
    if code.co_flags & CO_COROUTINE:
        return eval(code, namespace)
    exec(code, namespace)
    return None
