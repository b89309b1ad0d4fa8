"""JsSIP for the browser, from the pinned npm package: one classic script defining ``JsSIP``.

The npm package ships CommonJS only (no browser build), so its modules and their dependencies
(events, debug, sdp-transform, ms) are wrapped into one file here, each in its own function
scope, ``require`` resolved at build time (a package's ``browser`` field first, as bundlers
do). No bundler from npm is needed, and the output is byte-for-byte the same for the same
node_modules. Run: ``python -m desk_cti_tools.jssip_bundle OUT.js``.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NODE_MODULES = ROOT / "node_modules"
VERSION = "3.13.8"
_REQUIRE = re.compile(r"""\brequire\(\s*(['"])([^'"]+)\1\s*\)""")


def _resolve_file(path: Path) -> Path:
    for candidate in (path, path.with_name(path.name + ".js"), path.with_name(path.name + ".json"), path / "index.js"):
        if candidate.is_file():
            return candidate.resolve()
    raise FileNotFoundError(f"cannot resolve {path}")


def _resolve(spec: str, from_file: Path, node_modules: Path) -> Path:
    if spec.startswith("."):
        return _resolve_file(from_file.parent / spec)
    package = node_modules / spec
    meta = json.loads((package / "package.json").read_text())
    entry = meta.get("browser") if isinstance(meta.get("browser"), str) else meta.get("main", "index.js")
    return _resolve_file(package / entry)


def bundle(node_modules: Path = NODE_MODULES) -> str:
    """The bundle's text. Raises if the installed JsSIP is not the pinned version."""
    meta = json.loads((node_modules / "jssip" / "package.json").read_text())
    if meta["version"] != VERSION:
        raise RuntimeError(f"node_modules has jssip {meta['version']}, this bundle is for {VERSION}")
    entry = (node_modules / "jssip" / "lib" / "JsSIP.js").resolve()
    ids: dict[Path, int] = {}
    bodies: list[str] = []
    todo = [entry]
    ids[entry] = 0
    while todo:
        path = todo.pop(0)
        if path.suffix == ".json":  # JsSIP reads only its package.json's title and version
            data = json.loads(path.read_text())
            bodies.append(f"module.exports = {json.dumps({k: data[k] for k in ('title', 'version') if k in data})};")
            continue
        source = path.read_text()

        def swap(match: re.Match[str], path: Path = path) -> str:
            target = _resolve(match.group(2), path, node_modules)
            if target not in ids:
                ids[target] = len(ids)
                todo.append(target)
            return f"require({ids[target]})"

        bodies.append(_REQUIRE.sub(swap, source))
    order = sorted(ids.items(), key=lambda kv: kv[1])
    modules = ",\n".join(
        f"/* {p.relative_to(node_modules.resolve())} */\nfunction (module, exports, require) {{\n{bodies[i]}\n}}"
        for p, i in order
    )
    return (
        f"/* JsSIP {VERSION} (MIT, https://jssip.net) with events, debug, sdp-transform and ms (MIT), "
        "bundled by desk_cti_tools.jssip_bundle. */\n"
        "(function () {\n\"use strict\";\nconst defs = [\n" + modules + "\n];\n"
        "const cache = [];\n"
        "function require(id) {\n"
        "  if (cache[id]) return cache[id].exports;\n"
        "  const module = (cache[id] = { exports: {} });\n"
        "  defs[id].call(module.exports, module, module.exports, require);\n"
        "  return module.exports;\n"
        "}\n"
        "globalThis.JsSIP = require(0);\n"
        "})();\n"
    )


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m desk_cti_tools.jssip_bundle OUT.js", file=sys.stderr)
        return 2
    try:
        text = bundle()
    except (OSError, RuntimeError, KeyError, ValueError) as exc:
        print(f"jssip_bundle: {exc}", file=sys.stderr)
        return 1
    out = Path(argv[0])
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(text)
    tmp.replace(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
