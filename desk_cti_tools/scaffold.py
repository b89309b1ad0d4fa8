"""`desk-cti new DIR`: a working softphone project, from the templates in templates/new/.

Each ``X.tmpl`` becomes ``X`` with ``{{name}}`` (the distribution name), ``{{package}}`` (its
import name) and ``{{title}}`` filled in; the ``package/`` folder takes the package's name.
Written into a temporary folder beside DIR, which then becomes DIR.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

from .assets import templates_dir
from .errors import ToolError

_NAME = re.compile(r"^[a-z][a-z0-9]*([-_][a-z0-9]+)*$")


def new_project(target: Path, name: str | None = None) -> Path:
    target = Path(target).absolute()
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise ToolError(f"{target} exists and is not an empty folder; give a new folder")
    name = (name or target.name).lower()
    if not _NAME.match(name):
        raise ToolError(f"{name!r} cannot name a project: use lowercase letters, digits and - "
                        f"(such as 'my-softphone'), or pass --name")
    package = name.replace("-", "_")
    if package in {"desk_cti_py", "desk_cti_tools", "tests", "static", "js", "pyodide"}:
        raise ToolError(f"{name!r} would shadow a package the softphone needs; choose another name (--name)")
    values = {"name": name, "package": package, "title": name.replace("-", " ").replace("_", " ").capitalize()}
    source = templates_dir() / "new"
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.new-", dir=target.parent))
    try:
        for path in sorted(source.rglob("*.tmpl")):
            rel = path.relative_to(source).with_suffix("")
            if rel.parts[0] == "package":
                rel = Path(package, *rel.parts[1:])
            text = path.read_text(encoding="utf-8")
            for key, value in values.items():
                text = text.replace("{{" + key + "}}", value)
            out = tmp / rel
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(text, encoding="utf-8")
        if target.exists():
            target.rmdir()  # empty, checked above
        os.replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target
