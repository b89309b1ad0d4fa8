"""A softphone project: its pyproject.toml's ``[tool.desk-cti]`` table, read and checked.

    [project]
    name = "my-softphone"
    version = "0.1.0"

    [tool.desk-cti]
    console-origins = ["https://desk.example.com"]   # who may frame it and whom it talks to
    package = "my_softphone"     # its own Python package (default: the name with _)
    page = "index.html"          # the page with the loader tag
    packages = []                # Pyodide's own packages (numpy...): from pyodide-dist
    dependencies = []            # pure-Python packages from PyPI, loaded at boot
    on-demand = []               # pure-Python packages installed at run time by micropip
    files = []                   # files and folders shipped as they are
    pyodide-dist = ""            # a Pyodide distribution on disk, for `packages`
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from .errors import ToolError

TABLE = "tool.desk-cti"
KEYS = {"console-origins", "package", "page", "packages", "dependencies", "on-demand", "files", "pyodide-dist"}
#: names the build writes at the top of its output: a shipped file may not take them
RESERVED = {"loader", "pyodide", "server-headers", "manifest.json"}
_NAME = re.compile(r"^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$", re.IGNORECASE)
_HOST = re.compile(r"^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$")


@dataclass(frozen=True)
class Project:
    root: Path
    name: str  # the distribution name, canonical (my-softphone)
    version: str
    package: str  # the import name of its own package (my_softphone)
    console_origins: list[str] = field(default_factory=list)
    packages: list[str] = field(default_factory=list)
    dependencies: list[str] = field(default_factory=list)
    on_demand: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    page: str = "index.html"
    pyodide_dist: Path | None = None

    @property
    def package_dir(self) -> Path:
        return self.root / self.package


def check_origin(origin: object, where: str = "console origin") -> str:
    """An origin as a browser writes it: ``https://host[:port]``, a ``*.`` wildcard allowed."""
    if not isinstance(origin, str) or not origin:
        raise ToolError(f"{where} {origin!r}: expected a string such as 'https://desk.example.com'")
    if origin == "*" or origin.strip() != origin:
        raise ToolError(f"{where} {origin!r}: name the console's origin, such as 'https://desk.example.com'")
    parts = urlsplit(origin)
    host = parts.netloc.rsplit(":", 1)[0] if not parts.netloc.startswith("[") else parts.netloc
    port = parts.netloc.rsplit(":", 1)[1] if ":" in parts.netloc else ""
    if (parts.scheme not in ("http", "https") or parts.path or parts.query or parts.fragment
            or "@" in parts.netloc or not _HOST.match(host) or (port and not port.isdigit())):
        raise ToolError(f"{where} {origin!r}: expected scheme://host[:port], such as 'https://desk.example.com'")
    return origin


def _strings(table: dict[str, Any], key: str, default: list[str] | None = None) -> list[str]:
    value = table.get(key, default if default is not None else [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ToolError(f"[{TABLE}] {key}: expected a list of non-empty strings, got {value!r}")
    return list(value)


def _requirements(table: dict[str, Any], key: str) -> list[str]:
    out = []
    for text in _strings(table, key):
        try:
            req = Requirement(text)
        except InvalidRequirement as e:
            raise ToolError(f"[{TABLE}] {key}: {text!r} is not a requirement ({e})") from None
        if req.url:
            raise ToolError(f"[{TABLE}] {key}: {text!r}: a URL is not allowed; name a package from PyPI")
        out.append(str(req))
    return out


def _inside(root: Path, rel: str, key: str) -> Path:
    path = (root / rel).resolve()
    if Path(rel).is_absolute() or not path.is_relative_to(root.resolve()):
        raise ToolError(f"[{TABLE}] {key}: {rel!r} is outside the project folder")
    return path


def load_project(root: Path) -> Project:
    """Read and check ``root/pyproject.toml``; a ToolError names the first problem."""
    root = Path(root)
    if not root.is_dir():
        raise ToolError(f"{root}: no such folder")
    pyproject = root / "pyproject.toml"
    if not pyproject.is_file():
        raise ToolError(f"{root} is not a softphone project: it has no pyproject.toml (make one with `desk-cti new`)")
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise ToolError(f"{pyproject}: not valid TOML ({e})") from None
    table = data.get("tool", {}).get("desk-cti")
    if not isinstance(table, dict):
        raise ToolError(f"{root} is not a softphone project: {pyproject} has no [{TABLE}] table")
    unknown = sorted(set(table) - KEYS)
    if unknown:
        raise ToolError(f"[{TABLE}]: unknown key {unknown[0]!r} (known: {', '.join(sorted(KEYS))})")

    meta = data.get("project", {})
    raw_name = meta.get("name")
    if not isinstance(raw_name, str) or not _NAME.match(raw_name):
        raise ToolError(f"{pyproject}: [project] name must be a package name such as 'my-softphone', got {raw_name!r}")
    version = meta.get("version", "0.1.0")
    try:
        version = str(Version(version)) if isinstance(version, str) else None
    except InvalidVersion:
        version = None
    if version is None:
        raise ToolError(f"{pyproject}: [project] version {meta.get('version')!r} is not a version such as '0.1.0'")

    package = table.get("package", re.sub(r"[-.]+", "_", raw_name).lower())
    if not isinstance(package, str) or not package.isidentifier():
        raise ToolError(f"[{TABLE}] package: expected a Python package name, got {package!r}")
    if not (root / package / "__init__.py").is_file():
        raise ToolError(f"[{TABLE}] package: {root / package} is not a Python package (no __init__.py)")

    origins = [check_origin(o) for o in _strings(table, "console-origins")]
    page = table.get("page", "index.html")
    if not isinstance(page, str) or not page.endswith(".html"):
        raise ToolError(f"[{TABLE}] page: expected an .html file, got {page!r}")
    if not _inside(root, page, "page").is_file():
        raise ToolError(f"[{TABLE}] page: {root / page} does not exist")

    packages = _strings(table, "packages")
    for name in packages:
        if not _NAME.match(name):
            raise ToolError(f"[{TABLE}] packages: {name!r} is not a package name")
    files = _strings(table, "files")
    for rel in files:
        path = _inside(root, rel, "files")
        if path == root.resolve():
            raise ToolError(f"[{TABLE}] files: {rel!r} would ship the whole project folder; name its files and folders")
        if not path.exists():
            raise ToolError(f"[{TABLE}] files: {rel!r} does not exist in {root}")
        top = Path(rel).parts[0]
        if top in RESERVED or path == (root / page).resolve():
            raise ToolError(f"[{TABLE}] files: {rel!r} would overwrite the build's own {top!r}")

    dist = table.get("pyodide-dist")
    pyodide_dist = None
    if dist not in (None, ""):
        if not isinstance(dist, str):
            raise ToolError(f"[{TABLE}] pyodide-dist: expected a folder path, got {dist!r}")
        pyodide_dist = (root / dist).expanduser().resolve()

    dependencies = _requirements(table, "dependencies")
    on_demand = _requirements(table, "on-demand")
    own = canonicalize_name(raw_name)
    for req in [*dependencies, *on_demand]:
        if canonicalize_name(Requirement(req).name) == own:
            raise ToolError(f"[{TABLE}]: {req!r} is the project itself")
    return Project(
        root=root.resolve(), name=own, version=version, package=package, console_origins=origins,
        packages=packages, dependencies=dependencies, on_demand=on_demand, files=files, page=page,
        pyodide_dist=pyodide_dist,
    )
