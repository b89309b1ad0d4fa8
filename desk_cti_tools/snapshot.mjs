// snapshot.mjs: makes a memory snapshot of the pinned Pyodide with packages imported (build side).
//
//   node snapshot.mjs PYODIDE_DIR OUT_BIN SITE_DIR IMPORT [IMPORT ...]
//
// SITE_DIR holds the wheels' files, unpacked (by snapshot.py) as the loader writes them into
// site-packages. The runtime boots with Pyodide's private _makeSnapshot option, the files are
// written, the modules imported (nothing connected: no JS object is held by Python), and the
// heap is written to OUT_BIN. The snapshot is then restored in a second runtime, as a browser
// would, and checked. Prints one line of JSON: {version, build_id, heap_bytes, bytes, modules, jspi,
// zeroed (the free bytes zeroed before the heap was written), trampoline (the heap offset of the
// call trampoline's word)}, and writes OUT_BIN.base, the runtime's memory just before a restore.
// Every use of the private snapshot API on the build side is in this file; the browser side's
// is loader/desk-cti-snapshot.mjs. Both check the pinned version first.
//
// Made with JSPI (WebAssembly stack switching): Pyodide's boot asks the JS runtime once whether
// it has JSPI and keeps the answer in the heap (jsproxy_init points pyodide.ffi.run_sync at the
// real function or at a stand-in that always raises). A snapshot made without it has a run_sync
// that fails in every browser, JSPI or not. Node 20-24 have JSPI behind a V8 flag: the script
// runs itself again with it.
import { execFileSync, spawnSync } from "node:child_process";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

export const PINNED = "314.0.7";
const MAGIC = 1886286592; // the first word of a Pyodide 314 snapshot

function fail(message) {
  process.stderr.write(`snapshot: ${message}\n`);
  process.exit(2);
}

/** Whether this JS runtime has JSPI, as Pyodide 314 decides it (stack_switching.mjs). */
function hasJspi() {
  try {
    new WebAssembly.Module(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]));
  } catch {
    return false;
  }
  return "Suspending" in WebAssembly || "Suspender" in WebAssembly;
}

/** Runs this script again with the V8 flag that turns JSPI on, if this Node has one; returns
 * its exit status, or fails if there is none (the snapshot would hold a broken run_sync). */
function rerunWithJspi() {
  const options = execFileSync(process.execPath, ["--v8-options"], { encoding: "utf8" });
  const flag = ["--experimental-wasm-jspi", "--experimental-wasm-stack-switching"].find((f) => options.includes(`  ${f} `));
  if (!flag || process.env.DESK_SNAPSHOT_JSPI_RERUN) {
    fail(`this Node (${process.version}) has no JSPI (WebAssembly stack switching): a snapshot made without it ` +
      "has a pyodide.ffi.run_sync that always fails; use a Node that has it (20-24 with a V8 flag, or newer)");
  }
  const run = spawnSync(process.execPath, [...process.execArgv, flag, ...process.argv.slice(1)], {
    stdio: "inherit", env: { ...process.env, DESK_SNAPSHOT_JSPI_RERUN: "1" },
  });
  return run.status ?? 2;
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

/**
 * Zeroes the C heap's free memory before the heap is written out. Freed memory keeps what it
 * held (about 3.5 MB after the imports), and the snapshot's file carries every byte that is not
 * zero (snapshot_runs.py). Free chunks are taken with malloc, largest first, while malloc can
 * serve them without growing the heap; they are zeroed and freed again. What Python's own
 * allocator keeps free inside its arenas is left as it is. Returns the bytes zeroed (0 where
 * the runtime lacks the C functions used; tests/js/test_snapshot.mjs then fails).
 */
function zeroFreeMemory(M) {
  const needs = ["_sbrk", "_malloc", "_free", "_malloc_usable_size"];
  if (!needs.every((name) => typeof M[name] === "function") || !M.HEAPU8) return 0; // the file is larger, that is all
  const heap = M.HEAP8.length;
  const taken = [];
  for (let size = 1 << 17; size >= 16; size >>= 1) {
    for (;;) {
      const brk = M._sbrk(0);
      if (brk + size + (1 << 20) > heap) break; // the heap could grow: not worth it
      const p = M._malloc(size);
      if (!p) break;
      taken.push(p);
      if (M._sbrk(0) !== brk) break; // served from new memory: nothing free of this size left
    }
  }
  if (M.HEAP8.length !== heap) throw new Error("the heap grew while its free memory was zeroed");
  let zeroed = 0;
  for (const p of taken) {
    const n = M._malloc_usable_size(p);
    M.HEAPU8.fill(0, p, p + n);
    zeroed += n;
  }
  for (const p of taken) M._free(p);
  return zeroed;
}

const CHECK = `
import sys, random, asyncio
from pyodide.ffi import run_sync
missing = [m for m in NAMES if m not in sys.modules]
assert not missing, f"not imported after restore: {missing}"
random.seed()
def blocks():
    # the heap's run_sync is the real one (made with JSPI): it blocks until the awaitable is done
    return run_sync(asyncio.sleep(0, "run_sync works"))
blocks
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
  const zeroed = zeroFreeMemory(pyodide._module);
  let bytes;
  try {
    bytes = pyodide.makeMemorySnapshot();
  } catch (e) {
    fail(`the heap could not be snapshotted (does an import keep a JS object, e.g. a run_js result?): ${e.message}`);
  }
  await writeFile(out, bytes);

  // Restored as the loader does it (the files written from fsInit), then checked. The runtime's
  // memory just before the restore is written beside OUT_BIN (OUT_BIN.base): the bytes of the
  // snapshot equal to it need not be sent (snapshot_runs.py), except the call trampoline's word,
  // which each runtime sets for itself (loader/desk-cti-snapshot.mjs, restoreHeap keeps it).
  const heap = bytes.length - new Uint32Array(bytes.buffer, bytes.byteOffset, 2)[1];
  let trampoline = null;
  const createPyodideModule = async (settings) => {
    const { default: create } = await import(pathToFileURL(`${indexURL}pyodide.asm.mjs`).href);
    const Module = await create(settings);
    await writeFile(`${out}.base`, Module.HEAPU8.subarray(0, heap));
    trampoline = Module.__PyRuntime + Module.HEAP32[Module.__PyEM_EMSCRIPTEN_TRAMPOLINE_OFFSET >>> 2];
    return Module;
  };
  try {
    const again = await runtime.loadPyodide({
      indexURL, _loadSnapshot: bytes, ...quiet, createPyodideModule,
      fsInit: (FS, info) => writeTree(FS, info.sitePackages, files),
    });
    const check = again.toPy({ NAMES: imports });
    try {
      const blocks = again.runPython(CHECK, { globals: check });
      try {
        if ((await blocks.callPromising()) !== "run_sync works") throw new Error("run_sync did not return its awaitable's result");
      } finally {
        blocks.destroy();
      }
    } finally {
      check.destroy();
    }
  } catch (e) {
    fail(`the snapshot (heap ${heap} B) does not restore: ${String(e.message).trim().split("\n").pop()}`);
  }
  const made = {
    version: runtime.version, build_id: buildIdOf(bytes), heap_bytes: heap, bytes: bytes.length, modules, jspi: true, zeroed,
    trampoline,
  };
  if (!Number.isInteger(trampoline)) fail("the runtime keeps no call trampoline where Pyodide 314.0.7 does (_PyRuntime)");
  process.stdout.write(`${JSON.stringify(made)}\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (hasJspi()) main(process.argv.slice(2)).catch((e) => fail(e.stack || String(e)));
  else process.exit(rerunWithJspi());
}
