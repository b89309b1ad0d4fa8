"""`desk-cti build`: a softphone project made into a folder any static web server can serve.

    OUT/index.html          the author's page, its loader tag filled in (console origins, packages)
    OUT/loader/             desk-cti.js and the modules it loads (desk-cti-wheel.mjs...), desk-console.js
    OUT/pyodide/            the pinned runtime, the library's wheel, the author's package as a
                            wheel, dependency wheels, pyodide-lock.json (real sha256 for each)
    OUT/<files>             the author's files, as they are
    OUT/server-headers/     nginx, Caddy, Apache and _headers snippets (types, caching, frame-ancestors)
    OUT/manifest.json       the sha256 of every file
    *.zst, *.gz             zstd- and gzip-precompressed beside each compressible file (compress.py)

Built in a temporary folder next to OUT, which then takes OUT's place: a failed build leaves
nothing half-written.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import shutil
import sys
import tempfile
from html.parser import HTMLParser
from importlib import metadata
from pathlib import Path

from packaging.utils import canonicalize_name, parse_wheel_filename

from . import deps
from .assets import jssip_text, loader_files
from .compress import precompress
from .errors import ToolError
from .headers import write_snippets
from .lock import write_lock
from .pins import MICROPIP, PYODIDE_VERSION, TEST_WHEELS
from .project import Project, check_origin
from .runtime import copy_runtime, find_runtime
from .wheels import LIBRARY, library_version, library_wheel, write_wheel

MANIFEST = "manifest.json"


def tools_version() -> str:
    try:
        return metadata.version(LIBRARY)
    except metadata.PackageNotFoundError:  # run from a checkout that is not installed
        return library_version()


def build_project(project: Project, out: Path, *, console_origins: list[str] | None = None,
                  for_tests: bool = False, pyodide_packages: Path | None = None) -> Path:
    """Build ``project`` into ``out`` (replacing an earlier build there); returns ``out``.

    ``console_origins`` replaces the declared list (the emulator adds its own origin);
    ``for_tests`` adds the wheels pytest-pyodide loads (pytest and its kin, micropip);
    ``pyodide_packages`` is a Pyodide distribution folder, over the project's ``pyodide-dist``.
    """
    origins = [check_origin(o) for o in (project.console_origins if console_origins is None else console_origins)]
    if not origins:
        raise ToolError("no console origins: declare the consoles that may frame the softphone in "
                        "[tool.desk-cti] console-origins")
    out = Path(out).absolute()
    _check_out(project, out)
    runtime = find_runtime()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.building-", dir=out.parent))
    try:
        with tempfile.TemporaryDirectory(prefix="desk-cti-wheels-") as work:
            _assemble(project, tmp, Path(work), runtime, origins, for_tests,
                      pyodide_packages or project.pyodide_dist)
        _swap(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


def _check_out(project: Project, out: Path) -> None:
    root = project.root.resolve()
    if out.resolve() == root or root.is_relative_to(out.resolve()):
        raise ToolError(f"{out}: the output folder would hold the project itself; choose another")
    for rel in project.files:
        if out.resolve().is_relative_to((project.root / rel).resolve()):
            raise ToolError(f"{out}: the output folder is inside {rel!r}, which the build ships; choose another")
    if out.exists() and not out.is_dir():
        raise ToolError(f"{out} exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not (out / MANIFEST).is_file():
        raise ToolError(f"{out} exists and is not an earlier build (no {MANIFEST}); give a new or empty folder")


def _swap(tmp: Path, out: Path) -> None:
    if not out.exists():
        os.replace(tmp, out)
        return
    old = out.with_name(f".{out.name}.old-{os.getpid()}")
    os.replace(out, old)
    os.replace(tmp, out)
    shutil.rmtree(old, ignore_errors=True)


def _assemble(project: Project, dest: Path, work: Path, runtime: Path, origins: list[str], for_tests: bool,
              dist: Path | None) -> None:
    pyodide = dest / "pyodide"
    runtime_lock = copy_runtime(runtime, pyodide)
    skip = {LIBRARY, project.name}

    boot = deps.resolve(project.packages, project.dependencies, runtime_lock=runtime_lock, dist=dist,
                        skip=skip, work=work / "boot")
    wheels: dict[str, Path] = {}  # canonical name -> wheel; the first one named wins
    for w in boot.wheels:
        wheels.setdefault(_name(w), w)
    extra = list(TEST_WHEELS) if for_tests else [MICROPIP] if project.on_demand else []
    extra = [r for r in extra if canonicalize_name(r.split("==")[0]) not in wheels | boot.dist_entries.keys()]
    if extra:
        for w in deps.download(extra, work / "extra"):
            wheels.setdefault(_name(w), w)

    # On-demand packages (and what they need beyond the boot set) are not loaded at boot: pure
    # ones go in an index of their own that micropip reads at run time (desk_cti_py.packages.load);
    # Pyodide's own ones they need go in the lock (micropip falls back to it), from this origin too.
    later = deps.resolve([], project.on_demand, runtime_lock=runtime_lock, dist=dist,
                         skip=skip | wheels.keys() | boot.dist_entries.keys(), work=work / "on-demand")

    shipped = [library_wheel(pyodide)]
    for w in wheels.values():
        shipped.append(Path(shutil.copy2(w, pyodide / w.name)))
    _copy_dist_files(boot, dist, pyodide)
    _copy_dist_files(later, dist, pyodide)
    # The author's package depends on what boots with it.
    requires = [LIBRARY, *project.packages, *project.dependencies]
    shipped.append(write_wheel(pyodide, name=project.name, version=project.version,
                               package_dir=project.package_dir, requires=requires))
    write_lock(runtime_lock, pyodide, shipped, {**later.dist_entries, **boot.dist_entries})
    write_index(pyodide / "simple", later.wheels)

    if not for_tests:  # pytest-pyodide boots with its own loadPyodide: a snapshot would go unused
        _snapshot(pyodide, project, [shipped[0], shipped[-1], *wheels.values()])

    loader = dest / "loader"
    loader.mkdir()
    for path in loader_files():
        shutil.copy2(path, loader / path.name)
    (loader / "vendor").mkdir()  # fetched only when a softphone starts the SIP call engine
    (loader / "vendor" / "jssip.js").write_text(jssip_text(), encoding="utf-8")
    for rel in project.files:
        src = project.root / rel
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, target, dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".*"))
        else:
            shutil.copy2(src, target)
    page_out = dest / project.page
    page_out.parent.mkdir(parents=True, exist_ok=True)
    loader_src = os.path.relpath(loader / "desk-cti.js", page_out.parent).replace(os.sep, "/")
    page_out.write_text(fill_loader_tag((project.root / project.page).read_text(encoding="utf-8"),
                                        src=loader_src, origins=origins, packages=[project.name],
                                        where=str(project.root / project.page)), encoding="utf-8")
    write_snippets(dest / "server-headers", origins)
    if not for_tests:  # a test build is read from disk by one test run: gzip would only cost time
        precompress(dest)
    write_manifest(dest, origins=origins, project=project, for_tests=for_tests)


def _snapshot(pyodide: Path, project: Project, wheels: list[Path]) -> None:
    """A memory snapshot with the library and the softphone's package imported (docs/snapshot.md).
    Without one the softphone still boots, plainly: say so in one line and go on."""
    from .snapshot import SnapshotError, make_snapshot

    try:
        make_snapshot(pyodide, imports=["desk_cti_py", "desk_cti_py._browser", project.package],
                      wheels=[pyodide / w.name for w in wheels])
    except SnapshotError as exc:
        print(f"desk-cti build: no memory snapshot ({exc}); the softphone boots without one", file=sys.stderr)


def _copy_dist_files(resolved: deps.Resolved, dist: Path | None, pyodide: Path) -> None:
    if dist is None:
        return
    for f in resolved.dist_files:
        rel = f.relative_to(dist)
        (pyodide / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(f, pyodide / rel)


def write_index(folder: Path, wheels: list[Path]) -> None:
    """A static package index (PEP 503): ``folder/<name>/index.html`` linking each wheel, with its
    sha256 (micropip checks it), and the wheel beside it."""
    by_name: dict[str, list[Path]] = {}
    for w in wheels:
        by_name.setdefault(_name(w), []).append(w)
    for name, files in sorted(by_name.items()):
        target = folder / name
        target.mkdir(parents=True, exist_ok=True)
        links = []
        for w in sorted(files):
            shutil.copy2(w, target / w.name)
            digest = hashlib.sha256(w.read_bytes()).hexdigest()
            links.append(f'<a href="{html.escape(w.name)}#sha256={digest}">{html.escape(w.name)}</a><br>')
        (target / "index.html").write_text(
            f"<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>{name}</title></head><body>\n"
            + "\n".join(links) + "\n</body></html>\n")
    if by_name:
        (folder / "index.html").write_text(
            "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>on-demand packages</title></head><body>\n"
            + "\n".join(f'<a href="{n}/">{n}</a><br>' for n in sorted(by_name)) + "\n</body></html>\n")


def _name(wheel: Path) -> str:
    return canonicalize_name(parse_wheel_filename(wheel.name)[0])


class _ScriptTags(HTMLParser):
    """Finds the loader's script tag (``src`` ending in desk-cti.js): where it is, its attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[tuple[int, int], str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        src = dict(attrs).get("src") or ""
        if tag == "script" and src.split("?")[0].endswith("desk-cti.js"):
            self.found.append((self.getpos(), self.get_starttag_text() or "", attrs))


def fill_loader_tag(page: str, *, src: str, origins: list[str], packages: list[str], where: str = "the page") -> str:
    """The page with its loader tag pointing at ``src`` and declaring ``origins`` and ``packages``."""
    parser = _ScriptTags()
    parser.feed(page)
    parser.close()
    if len(parser.found) != 1:
        raise ToolError(f"{where}: expected one <script src=\".../desk-cti.js\"> tag, found {len(parser.found)}")
    (line, col), text, attrs = parser.found[0]
    if any(k == "data-development" and v != "false" for k, v in attrs):
        raise ToolError(f"{where}: the loader tag has data-development (it connects to any page that frames "
                        f"the softphone); remove it: the build declares the console origins")
    lines = page.splitlines(keepends=True)
    start = sum(len(x) for x in lines[: line - 1]) + col
    if page[start:start + len(text)] != text:  # the parser's position and the text disagree: never guess
        raise ToolError(f"{where}: could not locate the loader tag's text; write it on a line of its own")
    values = {"src": src, "data-console-origins": " ".join(origins), "data-packages": ",".join(packages)}
    # data-pyodide would point the loader away from the runtime the build ships beside it
    kept = [(k, v) for k, v in attrs if k not in values and k != "data-pyodide"]
    parts = ["<script"] + [f' {k}="{html.escape(v, quote=True)}"' for k, v in values.items()]
    parts += [f" {k}" if v is None else f' {k}="{html.escape(v, quote=True)}"' for k, v in kept]
    return page[:start] + "".join(parts) + ">" + page[start + len(text):]


def write_manifest(folder: Path, *, origins: list[str], project: Project, for_tests: bool) -> Path:
    files = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.name != MANIFEST:
            files[path.relative_to(folder).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    manifest = {
        "project": project.name, "version": project.version, "desk-cti": tools_version(),
        "pyodide": PYODIDE_VERSION, "console_origins": origins, "for_tests": for_tests, "files": files,
    }
    path = folder / MANIFEST
    path.write_text(json.dumps(manifest, indent=1) + "\n")
    return path
