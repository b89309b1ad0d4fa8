"""The house plan's walls: pure modules, the wheel's contents, no CDN in anything served."""

import ast
import gzip
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import zstandard

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "desk_cti_py"
CDN = re.compile(r"cdn\.jsdelivr|unpkg\.com|cdnjs\.|pyscript\.net|googleapis\.com")


def imported_modules(path):
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


#: the FFI rooms: what each may import of the browser (packages.py only inside load())
FFI_ROOMS = {"_browser.py": {"js", "pyodide", "pyodide_js"}, "packages.py": {"js", "pyodide", "pyodide_js"},
             "calls/_sip.py": {"js", "pyodide"}}


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_only_the_browser_module_touches_js(path):
    name = path.relative_to(PACKAGE).as_posix()
    touches = imported_modules(path) & {"js", "pyodide", "pyodide_js"}
    if name in FFI_ROOMS:
        assert touches == FFI_ROOMS[name]
    else:
        assert touches == set(), f"{name} imports {touches}"


def test_the_package_imports_in_cpython_with_js_blocked():
    code = ("import sys; sys.modules['js'] = None; sys.modules['pyodide'] = None\n"
            "import desk_cti_py, desk_cti_py.testing, desk_cti_py.protocol, desk_cti_py.client\n"
            "assert 'desk_cti_py._browser' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


def wheel():
    wheels = sorted((ROOT / "build" / "wheel").glob("desk_cti_py-*-py3-none-any.whl"))
    assert wheels, "build the wheel first (make dist)"
    return wheels[-1]


def test_the_wheel_holds_the_library_alone():
    with zipfile.ZipFile(wheel()) as zf:
        names = zf.namelist()
    tops = {n.split("/")[0] for n in names}
    assert tops == {"desk_cti_py", wheel().name.split("-py3")[0] + ".dist-info"}
    assert "desk_cti_py/py.typed" in names
    assert {n.split("/", 1)[1] for n in names if n.startswith("desk_cti_py/")} == {
        p.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob("*")
        if p.suffix in (".py", ".typed", ".json") and "__pycache__" not in p.parts}


def served_files():
    for folder in ("site", "desk_cti_tools/emulator/console", "loader", "build/pyodide"):
        for path in (ROOT / folder).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix not in (".sqlite3", ".pyc"):
                yield path


def test_no_cdn_address_in_anything_served():
    files = list(served_files())
    assert any(p.name == "pyodide.mjs" for p in files), "build the runtime first (make dist)"
    hits = []
    for path in files:
        text = path.read_bytes()
        if path.suffix == ".gz":
            text = gzip.decompress(text)
        if path.suffix == ".zst":
            text = zstandard.ZstdDecompressor().decompress(text)
        if path.suffix in (".whl", ".zip"):
            with zipfile.ZipFile(path) as zf:
                text = b"".join(zf.read(n) for n in zf.namelist())
        if CDN.search(text.decode("latin-1")):
            hits.append(str(path.relative_to(ROOT)))
    assert hits == []


def test_the_lock_lists_exactly_the_shipped_wheels_with_their_hashes():
    import hashlib
    import json

    dist = ROOT / "build" / "pyodide"
    lock = json.loads((dist / "pyodide-lock.json").read_text())
    shipped = {p.name for p in dist.glob("*.whl")}
    assert {e["file_name"] for e in lock["packages"].values()} == shipped
    for entry in lock["packages"].values():
        assert entry["sha256"] == hashlib.sha256((dist / entry["file_name"]).read_bytes()).hexdigest()
