// snapshot.mjs: makes a memory snapshot of the pinned Pyodide with packages imported (build side).
//
//   node snapshot.mjs PYODIDE_DIR OUT_BIN SITE_DIR IMPORT [IMPORT ...]
//
// SITE_DIR holds the wheels' files, unpacked (by snapshot.py) as the loader writes them into
// site-packages. The runtime boots with Pyodide's private _makeSnapshot option, the files are
// written, the modules imported (nothing connected: no JS object is held by Python), and the
// heap is written to OUT_BIN. The snapshot is then restored in a second runtime, as a browser
// would, and checked. Prints one line of JSON: {version, build_id, heap_bytes, bytes, modules}.
// Every use of the private snapshot API on the build side is in this file; the browser side's
// is loader/desk-cti-snapshot.mjs. Both check the pinned version first.
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

export const PINNED = "314.0.7";
const MAGIC = 1886286592; // the first word of a Pyodide 314 snapshot

function fail(message) {
  process.stderr.write(`snapshot: ${message}\n`);
  process.exit(2);
}

/** Every file under dir, as [relative path, bytes]. */
async function tree(dir, prefix = "") {
  const out = [];
  for (const entry of await readdir(join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await tree(dir, rel)));
    else out.push([rel, await readFile(join(dir, rel))]);
  }
  return out;
}

function writeTree(FS, root, files) {
  for (const [name, data] of files) {
    const path = `${root}/${name}`;
    FS.mkdirTree(path.slice(0, path.lastIndexOf("/")));
    FS.writeFile(path, data);
  }
}

/** The build id a snapshot was made for: words 4-11 of its header, as Pyodide writes them. */
export function buildIdOf(bytes) {
  const words = new Uint32Array(bytes.buffer, bytes.byteOffset, 12);
  if (words[0] !== MAGIC) throw new Error("not a Pyodide 314 snapshot (bad magic number)");
  return Array.from(words.subarray(4, 12), (w) => w.toString(16).padStart(8, "0")).join("");
}

const CHECK = `
import sys, random
missing = [m for m in NAMES if m not in sys.modules]
assert not missing, f"not imported after restore: {missing}"
random.seed()
`;

async function main([dir, out, site, ...imports]) {
  if (!dir || !out || !site || !imports.length) fail("usage: node snapshot.mjs PYODIDE_DIR OUT_BIN SITE_DIR IMPORT...");
  const indexURL = `${resolve(dir)}/`; // in Node, a path
  const runtime = await import(pathToFileURL(`${indexURL}pyodide.mjs`).href);
  if (runtime.version !== PINNED) {
    fail(`the runtime in ${dir} is Pyodide ${runtime.version}; snapshots are made for ${PINNED} only (its private snapshot API)`);
  }
  const files = await tree(site);
  const quiet = { stdout: () => {}, stderr: (m) => process.stderr.write(`${m}\n`) };

  let sitePackages;
  const pyodide = await runtime.loadPyodide({
    indexURL, _makeSnapshot: true, ...quiet, fsInit: (FS, info) => { sitePackages = info.sitePackages; },
  });
  if (Object.keys(pyodide.loadedPackages).length) fail("packages were loaded at boot: a snapshot cannot hold them");
  // Written once Python is up, not from fsInit: Pyodide records what it finds in site-packages at
  // boot in loadedPackages, a JS object the snapshot cannot hold.
  writeTree(pyodide.FS, sitePackages, files);
  const scope = pyodide.toPy({ NAMES: imports, SITE: sitePackages });
  try {
    pyodide.runPython(
      "import importlib, sys\nsys.path_importer_cache.pop(SITE, None)\nfor n in NAMES: importlib.import_module(n)\n" +
        "import gc; gc.collect()",
      { globals: scope },
    );
  } catch (e) {
    fail(`could not import ${imports.join(", ")}: ${String(e.message).trim().split("\n").pop()}`);
  } finally {
    scope.destroy();
  }
  const modules = pyodide.runPython("import sys; len(sys.modules)");
  let bytes;
  try {
    bytes = pyodide.makeMemorySnapshot();
  } catch (e) {
    fail(`the heap could not be snapshotted (does an import keep a JS object, e.g. a run_js result?): ${e.message}`);
  }
  await writeFile(out, bytes);

  // Restored as the loader does it (the files written from fsInit), then checked.
  const heap = bytes.length - new Uint32Array(bytes.buffer, bytes.byteOffset, 2)[1];
  try {
    const again = await runtime.loadPyodide({
      indexURL, _loadSnapshot: bytes, ...quiet, fsInit: (FS, info) => writeTree(FS, info.sitePackages, files),
    });
    const check = again.toPy({ NAMES: imports });
    try {
      again.runPython(CHECK, { globals: check });
    } finally {
      check.destroy();
    }
  } catch (e) {
    fail(`the snapshot (heap ${heap} B) does not restore: ${String(e.message).trim().split("\n").pop()}`);
  }
  process.stdout.write(`${JSON.stringify({ version: runtime.version, build_id: buildIdOf(bytes), heap_bytes: heap, bytes: bytes.length, modules })}\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((e) => fail(e.stack || String(e)));
}
