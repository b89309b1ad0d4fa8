"""The author's dependencies as wheels for the runtime: pure Python from PyPI, Pyodide's own
packages from a Pyodide distribution on disk, anything else refused by name.

pip fetches (``pip download --only-binary=:all: --platform any --python-version 3.14``), so
its index settings and cache apply: one resolve for everything first, then a walk of what each
wheel requires under the runtime's markers (Emscripten, 3.14), fetching one at a time what the
first resolve did not give, and naming the one that cannot be had.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass, field
from email.parser import Parser
from pathlib import Path
from typing import Any

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name, parse_wheel_filename

from .errors import ToolError
from .pins import PYTHON_VERSION

PIP = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input"]
PIP_TARGET = ["--only-binary=:all:", "--platform", "any", "--python-version", PYTHON_VERSION,
              "--implementation", "py", "--abi", "none"]
DIST_HINT = "give a Pyodide distribution folder with --pyodide-packages DIR or pyodide-dist in [tool.desk-cti]"


def marker_env() -> dict[str, str]:
    """The markers of the runtime (CPython 3.14 on Emscripten), for a dependency's own requirements."""
    env: dict[str, str] = {k: str(v) for k, v in default_environment().items()}
    env.update(sys_platform="emscripten", platform_system="Emscripten", platform_machine="wasm32",
               os_name="posix", implementation_name="cpython", platform_python_implementation="CPython",
               python_version=PYTHON_VERSION, python_full_version=f"{PYTHON_VERSION}.0", extra="")
    return env


@dataclass
class Resolved:
    wheels: list[Path] = field(default_factory=list)  # pure-Python wheels, downloaded
    dist_entries: dict[str, dict[str, Any]] = field(default_factory=dict)  # lock entries from the Pyodide distribution
    dist_files: list[Path] = field(default_factory=list)  # and their files


def _requires(wheel: Path) -> list[Requirement]:
    with zipfile.ZipFile(wheel) as zf:
        name = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA") and n.count("/") == 1)
        meta = Parser().parsestr(zf.read(name).decode("utf-8"))
    env = marker_env()
    reqs = [Requirement(r) for r in meta.get_all("Requires-Dist") or []]
    return [r for r in reqs if r.marker is None or r.marker.evaluate(env)]


def _pip(args: list[str]) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run([*PIP, *args], capture_output=True, text=True, timeout=900)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise ToolError(f"pip could not run: {e}") from None


class Distribution:
    """A Pyodide distribution on disk: its pyodide-lock.json and the files it names."""

    def __init__(self, folder: Path, runtime_lock: dict[str, Any]) -> None:
        self.folder = folder
        lock_path = folder / "pyodide-lock.json"
        try:
            self.lock = json.loads(lock_path.read_text())
            packages = self.lock["packages"]
        except (OSError, ValueError, KeyError):
            raise ToolError(f"{folder} is not a Pyodide distribution: no readable pyodide-lock.json") from None
        want = runtime_lock.get("info", {}).get("abi_version")
        if self.lock.get("info", {}).get("abi_version") != want:
            raise ToolError(f"{folder} is a Pyodide distribution for another runtime "
                            f"(abi {self.lock.get('info', {}).get('abi_version')!r}, this runtime's is {want!r})")
        self.packages = {canonicalize_name(k): v for k, v in packages.items()}

    def closure(self, name: str, out: Resolved) -> None:
        key = canonicalize_name(name)
        if key in out.dist_entries:
            return
        entry = self.packages.get(key)
        if entry is None:
            raise ToolError(f"{name!r} is not in the Pyodide distribution {self.folder}")
        path = self.folder / entry["file_name"]
        if not path.is_file():
            raise ToolError(f"{path} is missing from the Pyodide distribution (its lock names it)")
        if hashlib.sha256(path.read_bytes()).hexdigest() != entry["sha256"]:
            raise ToolError(f"{path} does not match its sha256 in {self.folder / 'pyodide-lock.json'}")
        out.dist_entries[key] = entry
        out.dist_files.append(path)
        for dep in entry.get("depends", []):
            self.closure(dep, out)


def resolve(packages: list[str], requirements: list[str], *, runtime_lock: dict[str, Any], dist: Path | None,
            skip: set[str], work: Path) -> Resolved:
    """Wheels for ``packages`` (Pyodide's own) and ``requirements`` (from PyPI) and what they need.

    ``skip`` names what the build ships anyway (the library, the author's package).
    """
    shipped = {canonicalize_name(k) for k in runtime_lock.get("packages", {})}
    distribution = Distribution(dist, runtime_lock) if dist is not None else None
    out = Resolved()
    for name in packages:
        if canonicalize_name(name) not in shipped:
            raise ToolError(f"{name!r} is not one of Pyodide's packages; a pure-Python package from PyPI goes in "
                            f"dependencies")
        if distribution is None:
            raise ToolError(f"{name!r} is one of Pyodide's own packages: {DIST_HINT}")
        distribution.closure(name, out)
    if not requirements:
        return out

    # pip resolves them all at once first (pure Python throughout, the usual case): a prefetch.
    # The walk below decides what ships, with the runtime's markers (pip reads the host's).
    fast = work / "fast"
    prefetched: dict[str, Path] = {}
    if _pip(["download", "-q", "-d", str(fast), *PIP_TARGET, *requirements]).returncode == 0:
        prefetched = {canonicalize_name(parse_wheel_filename(w.name)[0]): w for w in fast.glob("*.whl")}

    seen: set[str] = set(skip)
    queue = [Requirement(r) for r in requirements]
    while queue:
        req = queue.pop(0)
        key = canonicalize_name(req.name)
        if key in seen:
            continue
        seen.add(key)
        if distribution is not None and key in distribution.packages:
            distribution.closure(key, out)
            continue
        wheel = prefetched.get(key)
        if wheel is None or not req.specifier.contains(parse_wheel_filename(wheel.name)[1], prereleases=True):
            dest = work / key
            proc = _pip(["download", "-q", "--no-deps", "-d", str(dest), *PIP_TARGET, str(req)])
            found = sorted(dest.glob("*.whl"))
            if proc.returncode != 0 or not found:
                raise ToolError(_why_not(req, key in shipped))
            wheel = found[0]
        out.wheels.append(wheel)
        queue += _requires(wheel)
    return out


def _why_not(req: Requirement, pyodide_ships: bool) -> str:
    if pyodide_ships:
        return f"{req.name!r} has compiled code; Pyodide ships it: {DIST_HINT}"
    proc = _pip(["index", "versions", req.name])
    if proc.returncode == 0:
        return (f"{str(req)!r}: no pure-Python wheel for Python {PYTHON_VERSION} (it has compiled code, or no "
                f"version matches) and Pyodide does not ship it")
    return f"{req.name!r} is neither a pure-Python package on PyPI nor one of Pyodide's packages"


def download(names: list[str], dest: Path) -> list[Path]:
    """Pinned pure-Python wheels (pytest's, micropip) for the runtime, with no dependency resolving."""
    with tempfile.TemporaryDirectory() as tmp:
        proc = _pip(["download", "-q", "--no-deps", "-d", tmp, *PIP_TARGET, *names])
        if proc.returncode != 0:
            last = (proc.stderr.strip().splitlines() or ["pip failed"])[-1]
            raise ToolError(f"could not download {', '.join(names)}: {last}")
        dest.mkdir(parents=True, exist_ok=True)
        out = []
        for w in sorted(Path(tmp).glob("*.whl")):
            out.append(Path(shutil.copy2(w, dest / w.name)))
        return out
