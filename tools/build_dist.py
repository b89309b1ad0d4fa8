"""Assemble a self-hosted Pyodide folder: the pinned npm runtime plus our wheels.

    python tools/build_dist.py OUT WHEEL [WHEEL ...]

What `make dist` runs for the tests' folders (build/pyodide, build/pyodide-test). The work is
desk_cti_tools' (what `desk-cti build` does for a softphone's pyodide/ folder): the runtime
without its CDN fall-back address, the wheels, a pyodide-lock.json listing exactly them with
their real sha256 (made by pyodide-lock's tooling), and .zst and .gz files beside the compressible ones.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from desk_cti_tools.compress import precompress  # noqa: E402
from desk_cti_tools.errors import ToolError  # noqa: E402
from desk_cti_tools.lock import write_lock  # noqa: E402
from desk_cti_tools.runtime import copy_runtime, find_runtime  # noqa: E402


def build(out: Path, wheels: list[Path]) -> Path:
    runtime = find_runtime(fetch=False)
    if out.exists():
        shutil.rmtree(out)
    lock = copy_runtime(runtime, out)
    shipped = [Path(shutil.copy2(w, out / w.name)) for w in wheels]
    write_lock(lock, out, shipped, {})
    precompress(out)
    return out


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    try:
        result = build(Path(sys.argv[1]), [Path(w) for w in sys.argv[2:]])
    except ToolError as e:
        sys.exit(f"build_dist: {e}")
    print(f"assembled {result} with {len(sys.argv) - 2} wheel(s)")
