"""pyodide-lock.json for a build, made by the lock tooling pyodide-build brings (pyodide-lock's
``add_wheels_to_spec``, what ``pyodide lockfile add-wheels`` runs): entries from the wheels
themselves, with their real sha256 (Chromium checks it).

The runtime's own lock lists 357 packages whose files a build does not ship; a name left there
would make Pyodide fetch it from its CDN. The lock lists exactly what the folder holds.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .errors import ToolError


def write_lock(runtime_lock: dict[str, Any], pyodide_dir: Path, wheels: list[Path],
               dist_entries: dict[str, dict[str, Any]]) -> Path:
    """Write ``pyodide_dir/pyodide-lock.json``: ``dist_entries`` as the distribution has them, plus
    an entry made from each of ``wheels`` (which are in ``pyodide_dir``)."""
    from pyodide_lock import PyodideLockSpec
    from pyodide_lock.utils import add_wheels_to_spec

    base = {**runtime_lock, "packages": dict(sorted(dist_entries.items()))}
    spec = PyodideLockSpec.from_dict(base)
    try:
        spec = add_wheels_to_spec(spec, [w.resolve() for w in wheels], base_path=pyodide_dir.resolve())
    except RuntimeError as e:
        raise ToolError(f"the lock could not be made: {e}") from None
    path = pyodide_dir / "pyodide-lock.json"
    data = spec.to_dict()
    data["packages"] = dict(sorted(data["packages"].items()))  # the same inputs give the same bytes
    path.write_text(json.dumps(data, indent=1) + "\n")
    return path
