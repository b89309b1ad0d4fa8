"""`desk-cti build`: the folder a static server serves, and one-line refusals that write nothing.

Dependencies come from PyPI through pip (this machine kind reaches it); the runtime is the
repository's node_modules/pyodide.
"""

import gzip
import hashlib
import json
import re
import zipfile

import pytest
import zstandard

from desk_cti_tools.pins import PYODIDE_VERSION
from desk_cti_tools.scaffold import new_project

from _cli import ROOT, desk_cti, one_line_error, snapshot

ORIGINS = ["https://desk.example.com", "https://*.console.example.net:8443"]


def make_project(parent, name="front-desk", **table):
    """A project as `desk-cti new` makes it (tested in test_cli_new.py), with [tool.desk-cti]
    values replaced by ``table``."""
    root = new_project(parent / name)
    text = (root / "pyproject.toml").read_text()
    for key, value in table.items():
        key = key.replace("_", "-")
        line = f"{key} = {json.dumps(value)}"
        text, n = re.subn(rf"^{key} = .*$", line.replace("\\", "\\\\"), text, flags=re.M)
        if n == 0:
            text = text.replace("[tool.desk-cti]\n", f"[tool.desk-cti]\n{line}\n")
    (root / "pyproject.toml").write_text(text)
    return root


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    parent = tmp_path_factory.mktemp("build")
    root = make_project(parent, console_origins=ORIGINS)
    proc = desk_cti("build", root, "-o", parent / "out")
    assert proc.returncode == 0, proc.stderr
    return parent / "out"


def sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_layout(built):
    loader = {p.name for p in (ROOT / "loader").iterdir() if p.suffix in (".js", ".mjs")}
    assert {p.name for p in (built / "loader").iterdir() if not p.name.endswith((".gz", ".zst"))} == loader | {"vendor"}
    assert "globalThis.JsSIP = require(0)" in (built / "loader" / "vendor" / "jssip.js").read_text()
    for rel in ["index.html", "loader/desk-cti.js", "loader/desk-cti-wheel.mjs", "loader/desk-console.js",
                "pyodide/pyodide.mjs", "pyodide/pyodide.asm.wasm", "pyodide/python_stdlib.zip",
                "pyodide/pyodide-lock.json", "static/phone.css", "manifest.json",
                "server-headers/nginx.conf", "server-headers/Caddyfile", "server-headers/apache.htaccess",
                "server-headers/_headers"]:
        assert (built / rel).is_file(), rel
    assert not [p for p in built.parent.iterdir() if p.name.startswith(".")]  # no temporary folder left


def test_the_page_points_at_the_loader_with_the_declared_origins(built):
    page = (built / "index.html").read_text()
    tag = re.search(r"<script [^>]*desk-cti\.js[^>]*>", page)[0]
    assert 'src="loader/desk-cti.js"' in tag
    assert f'data-console-origins="{" ".join(ORIGINS)}"' in tag
    assert 'data-packages="front-desk"' in tag


def test_the_lock_lists_exactly_the_shipped_wheels_with_their_real_sha256(built):
    lock = json.loads((built / "pyodide" / "pyodide-lock.json").read_text())
    wheels = {p.name for p in (built / "pyodide").glob("*.whl")}
    assert {e["file_name"] for e in lock["packages"].values()} == wheels
    for entry in lock["packages"].values():
        assert entry["sha256"] == sha(built / "pyodide" / entry["file_name"]), entry["name"]
    assert lock["packages"]["front-desk"]["depends"] == ["desk-cti-py"]
    assert lock["packages"]["front-desk"]["imports"] == ["front_desk"]
    assert lock["info"]["python"].startswith("3.14")


def test_the_wheels_hold_the_library_alone_and_the_authors_package(built):
    lock = json.loads((built / "pyodide" / "pyodide-lock.json").read_text())
    with zipfile.ZipFile(built / "pyodide" / lock["packages"]["desk-cti-py"]["file_name"]) as zf:
        tops = {n.split("/")[0] for n in zf.namelist()}
        meta = zf.read(next(n for n in zf.namelist() if n.endswith("METADATA"))).decode()
    assert {t for t in tops if not t.endswith(".dist-info")} == {"desk_cti_py"}
    assert "Requires-Dist" not in meta
    with zipfile.ZipFile(built / "pyodide" / lock["packages"]["front-desk"]["file_name"]) as zf:
        names = set(zf.namelist())
    assert {"front_desk/__init__.py", "front_desk/app.py", "front_desk/dialing.py", "front_desk/page.py"} <= names


def test_the_wheels_desk_cti_writes_are_stored_and_served_compressed(built):
    """The loader unpacks desk_cti_py's wheel on the page's main thread without inflating it; the
    server sends its .zst or .gz twin."""
    lock = json.loads((built / "pyodide" / "pyodide-lock.json").read_text())
    for name in ("desk-cti-py", "front-desk"):
        wheel = built / "pyodide" / lock["packages"][name]["file_name"]
        with zipfile.ZipFile(wheel) as zf:
            assert {i.compress_type for i in zf.infolist()} == {zipfile.ZIP_STORED}, name
        for twin in (".zst", ".gz"):
            assert wheel.with_name(wheel.name + twin).stat().st_size < wheel.stat().st_size / 2, (name, twin)


def test_the_manifest_has_the_sha256_of_every_file(built):
    manifest = json.loads((built / "manifest.json").read_text())
    files = {p.relative_to(built).as_posix() for p in built.rglob("*") if p.is_file()} - {"manifest.json"}
    assert set(manifest["files"]) == files
    for rel, digest in manifest["files"].items():
        assert digest == sha(built / rel), rel
    assert manifest["pyodide"] == PYODIDE_VERSION and manifest["console_origins"] == ORIGINS


def test_compressible_files_are_precompressed(built):
    for rel in ["index.html", "loader/desk-cti.js", "pyodide/pyodide.asm.wasm", "pyodide/pyodide-lock.json",
                "pyodide/snapshot.json"]:
        original = (built / rel).read_bytes()
        assert gzip.decompress((built / f"{rel}.gz").read_bytes()) == original, rel
        assert zstandard.ZstdDecompressor().decompress((built / f"{rel}.zst").read_bytes()) == original, rel
    for name in ["python_stdlib.zip.gz", "python_stdlib.zip.zst"]:
        assert not (built / "pyodide" / name).exists()  # compressed already
    # the snapshot, in both codings, and zstd a browser takes: a window of at most 8 MiB
    snapshot = (built / "pyodide" / "snapshot.bin").read_bytes()
    assert gzip.decompress((built / "pyodide" / "snapshot.bin.gz").read_bytes()) == snapshot
    packed = (built / "pyodide" / "snapshot.bin.zst").read_bytes()
    assert zstandard.ZstdDecompressor().decompress(packed) == snapshot
    assert zstandard.get_frame_parameters(packed).window_size <= 8 * 1024 * 1024
    manifest = json.loads((built / "pyodide" / "snapshot.json").read_text())
    assert (manifest["zstd_bytes"], manifest["gzip_bytes"]) == (len(packed), (built / "pyodide" / "snapshot.bin.gz").stat().st_size)


def test_no_cdn_address_is_left_in_the_runtime(built):
    for name in ["pyodide.mjs", "pyodide.js"]:
        assert "cdn.jsdelivr.net" not in (built / "pyodide" / name).read_text()


@pytest.mark.parametrize("snippet", ["nginx.conf", "Caddyfile", "apache.htaccess", "_headers"])
def test_header_snippets_say_who_may_frame_the_page_and_how_to_serve_it(built, snippet):
    text = (built / "server-headers" / snippet).read_text()
    assert f"frame-ancestors {' '.join(ORIGINS)}" in text
    assert "application/wasm" in text and "no-cache" in text and "nosniff" in text
    # the precompressed twins, zstd first, where the server can send them itself
    twins = {"nginx.conf": ["gzip_static on;", "zstd_static on;"], "Caddyfile": ["precompressed zstd gzip"],
             "apache.htaccess": ["$1.zst [L]", "Content-Encoding zstd", "$1.gz [L]", "Content-Encoding gzip"],
             "_headers": []}[snippet]
    assert all(t in text for t in twins), text
    if snippet == "apache.htaccess":
        assert text.index("$1.zst") < text.index("$1.gz")


def test_console_origins_given_on_the_command_line_replace_the_declared_ones(tmp_path):
    root = make_project(tmp_path)
    proc = desk_cti("build", root, "-o", tmp_path / "out", "--console-origin", "http://localhost:8620")
    assert proc.returncode == 0, proc.stderr
    assert 'data-console-origins="http://localhost:8620"' in (tmp_path / "out" / "index.html").read_text()
    assert "frame-ancestors http://localhost:8620\n" in (tmp_path / "out" / "server-headers" / "_headers").read_text()
    # a second build replaces the first
    (root / "static" / "extra.css").write_text("p{}")
    assert desk_cti("build", root, "-o", tmp_path / "out").returncode == 0
    assert (tmp_path / "out" / "static" / "extra.css").is_file()
    assert 'data-console-origins="https://desk.example.com"' in (tmp_path / "out" / "index.html").read_text()


@pytest.mark.parametrize("table, says", [
    ({"console_origins": ["*"]}, "name the console's origin"),
    ({"console_origins": ["desk.example.com"]}, "expected scheme://host[:port]"),
    ({"console_origins": ["https://desk.example.com/agent"]}, "expected scheme://host[:port]"),
    ({"console_origins": []}, "no console origins"),
    ({"console_origins": "https://desk.example.com"}, "expected a list of non-empty strings"),
    ({"files": ["../elsewhere"]}, "outside the project folder"),
    ({"files": ["missing.txt"]}, "does not exist"),
    ({"files": ["pyodide"]}, "does not exist"),
    ({"files": ["."]}, "would ship the whole project folder"),
    ({"dependencies": ["not a requirement!"]}, "is not a requirement"),
    ({"dependencies": ["x @ https://example.com/x.whl"]}, "a URL is not allowed"),
    ({"packages": ["numpy"]}, "--pyodide-packages"),
    ({"packages": ["surely-not-in-pyodide"]}, "is not one of Pyodide's packages"),
    ({"colour": "blue"}, "unknown key 'colour'"),
    ({"package": "missing_pkg"}, "is not a Python package"),
])
def test_a_bad_config_value_gets_one_line_and_nothing_is_written(tmp_path, table, says):
    root = make_project(tmp_path, **table)
    before = snapshot(tmp_path)
    line = one_line_error(desk_cti("build", root, "-o", tmp_path / "out"))
    assert says in line
    assert snapshot(tmp_path) == before


def test_a_folder_that_is_not_a_project_is_refused(tmp_path):
    (tmp_path / "plain").mkdir()
    line = one_line_error(desk_cti("build", tmp_path / "plain", "-o", tmp_path / "out"))
    assert "is not a softphone project" in line and not (tmp_path / "out").exists()
    line = one_line_error(desk_cti("build", tmp_path / "nowhere", "-o", tmp_path / "out"))
    assert "no such folder" in line


def test_an_output_folder_holding_other_things_is_left_alone(tmp_path):
    root = make_project(tmp_path)
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "precious.txt").write_text("keep")
    before = snapshot(tmp_path)
    assert "is not an earlier build" in one_line_error(desk_cti("build", root, "-o", tmp_path / "out"))
    assert snapshot(tmp_path) == before


def test_an_output_folder_inside_shipped_files_is_refused(tmp_path):
    root = make_project(tmp_path)
    before = snapshot(tmp_path)
    assert "which the build ships" in one_line_error(desk_cti("build", root, "-o", root / "static" / "out"))
    assert snapshot(tmp_path) == before


def test_a_missing_page_tag_is_refused(tmp_path):
    root = make_project(tmp_path)
    page = root / "index.html"
    page.write_text(page.read_text().replace('<script src="loader/desk-cti.js"></script>', ""))
    before = snapshot(tmp_path)
    assert "expected one <script" in one_line_error(desk_cti("build", root, "-o", tmp_path / "out"))
    assert snapshot(tmp_path) == before


def test_the_loader_tag_keeps_the_authors_attributes_but_not_development_mode(tmp_path):
    root = make_project(tmp_path)
    page = root / "index.html"
    original = page.read_text()
    page.write_text(original.replace('<script src="loader/desk-cti.js"></script>',
                                     '<script src="/x/desk-cti.js" data-timeout="9" data-pyodide="/elsewhere/" defer></script>'))
    assert desk_cti("build", root, "-o", tmp_path / "out").returncode == 0
    tag = re.search(r"<script [^>]*desk-cti\.js[^>]*>", (tmp_path / "out" / "index.html").read_text())[0]
    assert tag == ('<script src="loader/desk-cti.js" data-console-origins="https://desk.example.com" '
                   'data-packages="front-desk" data-timeout="9" defer>')
    page.write_text(original.replace('<script src="loader/desk-cti.js">', '<script src="loader/desk-cti.js" data-development>'))
    before = snapshot(tmp_path)
    assert "data-development" in one_line_error(desk_cti("build", root, "-o", tmp_path / "out"))
    assert snapshot(tmp_path) == before


# ---- Pyodide's own packages from a distribution on disk (a small one made here)

def fake_distribution(folder, *, good=True, abi=None):
    """A Pyodide distribution holding one of Pyodide's package names ("six"), as its lock says."""
    from desk_cti_tools.runtime import find_runtime
    from desk_cti_tools.wheels import write_wheel

    src = folder / "src" / "six"
    src.mkdir(parents=True)
    (src / "__init__.py").write_text("VERSION = 'from the distribution'\n")
    dist = folder / "dist"
    wheel = write_wheel(dist, name="six", version="1.17.0", package_dir=src)
    lock = json.loads((find_runtime(fetch=False) / "pyodide-lock.json").read_text())
    if abi:
        lock["info"]["abi_version"] = abi
    entry = {**lock["packages"]["six"], "file_name": wheel.name,
             "sha256": sha(wheel) if good else "0" * 64}
    lock["packages"] = {"six": entry}
    (dist / "pyodide-lock.json").write_text(json.dumps(lock))
    return dist, entry


def test_pyodide_packages_come_from_the_distribution_with_its_lock_entries(tmp_path):
    dist, entry = fake_distribution(tmp_path)
    root = make_project(tmp_path, packages=["six"])
    proc = desk_cti("build", root, "-o", tmp_path / "out", "--pyodide-packages", dist)
    assert proc.returncode == 0, proc.stderr
    lock = json.loads((tmp_path / "out" / "pyodide" / "pyodide-lock.json").read_text())
    assert lock["packages"]["six"]["sha256"] == entry["sha256"] == sha(tmp_path / "out" / "pyodide" / entry["file_name"])
    assert "six" in lock["packages"]["front-desk"]["depends"]


@pytest.mark.parametrize("good, abi, says", [(False, None, "does not match its sha256"),
                                             (True, "1999_0", "for another runtime")])
def test_a_bad_distribution_is_refused(tmp_path, good, abi, says):
    dist, _ = fake_distribution(tmp_path, good=good, abi=abi)
    root = make_project(tmp_path, packages=["six"], pyodide_dist=str(dist))
    before = snapshot(tmp_path)
    assert says in one_line_error(desk_cti("build", root, "-o", tmp_path / "out"))
    assert snapshot(tmp_path) == before


# ---- dependencies from PyPI (pip, over the network)

def test_a_pure_python_dependency_is_shipped_and_locked(tmp_path):
    root = make_project(tmp_path, dependencies=["humanize>=4"], on_demand=["tabulate"])
    proc = desk_cti("build", root, "-o", tmp_path / "out")
    assert proc.returncode == 0, proc.stderr
    pyodide = tmp_path / "out" / "pyodide"
    lock = json.loads((pyodide / "pyodide-lock.json").read_text())
    assert lock["packages"]["front-desk"]["depends"] == ["desk-cti-py", "humanize"]
    assert lock["packages"]["humanize"]["sha256"] == sha(pyodide / lock["packages"]["humanize"]["file_name"])
    # on demand: micropip in the lock; the package in an index of its own, not in the lock
    assert "micropip" in lock["packages"] and "tabulate" not in lock["packages"]
    index = (pyodide / "simple" / "tabulate" / "index.html").read_text()
    wheel = next((pyodide / "simple" / "tabulate").glob("tabulate-*.whl"))
    assert f'href="{wheel.name}#sha256={sha(wheel)}"' in index


@pytest.mark.parametrize("dependency, says", [
    ("uvloop", "'uvloop': no pure-Python wheel for Python 3.14"),
    ("orjson", "'orjson' has compiled code; Pyodide ships it"),
    ("desk-cti-surely-no-such-package", "is neither a pure-Python package on PyPI nor one of Pyodide's"),
])
def test_a_dependency_that_cannot_be_had_is_refused_by_name(tmp_path, dependency, says):
    root = make_project(tmp_path, dependencies=[dependency])
    before = snapshot(tmp_path)
    assert says in one_line_error(desk_cti("build", root, "-o", tmp_path / "out"))
    assert snapshot(tmp_path) == before
