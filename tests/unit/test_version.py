"""One version number, one protocol version: the library, the console package and the docs agree."""

import json
import re
import shutil
import subprocess
from pathlib import Path

import desk_cti_py
from desk_cti_py import protocol as p

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = json.loads((ROOT / "loader" / "package.json").read_text(encoding="utf-8"))
CONSOLE_JS = (ROOT / "loader" / "desk-console.js").read_text(encoding="utf-8")
#: what the console's npm package ships, and nothing else
SHIPPED = {"package.json", "desk-console.js", "desk-console.d.ts"}


def test_the_console_package_has_the_librarys_version():
    assert re.fullmatch(r"\d+\.\d+\.\d+", desk_cti_py.__version__)
    assert PACKAGE["version"] == desk_cti_py.__version__ == desk_cti_py.version


def test_the_changelog_names_this_version():
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"## [{desk_cti_py.__version__}]" in changelog


def test_every_side_speaks_the_same_protocol_version():
    table = json.loads((ROOT / "desk_cti_py" / "protocol.json").read_text(encoding="utf-8"))
    declared = re.search(r"^export const VERSION = (\d+);$", CONSOLE_JS, re.M)
    assert declared, "desk-console.js declares no VERSION"
    assert "export const PROTOCOL_VERSION = VERSION;" in CONSOLE_JS
    assert table["version"] == p.VERSION == desk_cti_py.PROTOCOL_VERSION == int(declared[1]) == PACKAGE["deskCti"]["protocol"]
    assert f"# The desk-cti wire protocol, version {p.VERSION}" in (ROOT / "docs" / "protocol.md").read_text()


def test_the_package_exports_the_console_module_with_its_types():
    console = PACKAGE["exports"]["./console"]
    assert console == {"types": "./desk-console.d.ts", "default": "./desk-console.js"}
    assert PACKAGE["type"] == "module"
    for target in (console["types"], console["default"]):
        assert (ROOT / "loader" / target).is_file()


def test_npm_pack_ships_exactly_the_console_module():
    npm = shutil.which("npm")
    assert npm, "npm is needed (make setup installs node modules with it)"
    out = subprocess.run([npm, "pack", "--dry-run", "--json", "--ignore-scripts"], cwd=ROOT / "loader",
                         capture_output=True, text=True, check=True, timeout=120)
    (pack,) = json.loads(out.stdout)
    assert {f["path"] for f in pack["files"]} == SHIPPED
    assert (pack["name"], pack["version"]) == (PACKAGE["name"], desk_cti_py.__version__)
    assert set(PACKAGE["files"]) | {"package.json"} == SHIPPED
