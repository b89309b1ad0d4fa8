// The snapshot boot's decisions and checks (loader/desk-cti-snapshot.mjs), and the upgrade guard:
// the pinned Pyodide's private snapshot API still has the shape both sides rely on.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as snap from "../../loader/desk-cti-snapshot.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const RUNTIME = join(ROOT, "node_modules", "pyodide");
const sha = (b) => createHash("sha256").update(b).digest("hex");
const H = (c) => c.repeat(64);

function manifest(over = {}) {
  return {
    format: 3, pyodide_version: snap.PINNED, build_id: H("a"), file: "snapshot.bin", sha256: H("b"), bytes: 4096, heap_bytes: 4032,
    file_bytes: 100,
    kept_sha256: sha(new Uint8Array(0)),
    runtime: { "python_stdlib.zip": H("c") }, wheels: { "w-1.0-py3-none-any.whl": H("d") }, ...over,
  };
}
const lock = (sha256 = H("d"), file_name = "w-1.0-py3-none-any.whl") => ({ packages: { w: { file_name, sha256 } } });

test("chooseSnapshot: off, always, cached, fast link, save-data; other links decided late", () => {
  assert.deepEqual(snap.chooseSnapshot({ mode: "off", cached: true, rttMs: 1 }).use, false);
  assert.equal(snap.chooseSnapshot({ mode: "always", rttMs: 500 }).use, true);
  assert.deepEqual(snap.chooseSnapshot({ cached: true, rttMs: 500 }), { use: true, reason: "snapshot in the HTTP cache" });
  assert.equal(snap.chooseSnapshot({ cached: true, saveData: true }).use, true); // cached: no bytes to save
  assert.deepEqual(snap.chooseSnapshot({ rttMs: 3 }), { use: true, reason: "fast link (round trip 3 ms)" });
  assert.equal(snap.chooseSnapshot({ rttMs: 3, saveData: true }).use, false);
  const slow = snap.chooseSnapshot({ rttMs: 21 });
  assert.deepEqual([slow.use, slow.late], [null, true]);
  assert.match(slow.reason, /round trip 21 ms\): decided once the runtime is in/);
  assert.match(snap.chooseSnapshot({ rttMs: null }).reason, /unknown round trip/);
  assert.equal(snap.chooseSnapshot({ rttMs: snap.FAST_RTT_MS }).use, true);
  assert.equal(snap.chooseSnapshot({ rttMs: snap.FAST_RTT_MS + 0.5 }).late, true);
  assert.equal(snap.chooseSnapshot({ rttMs: 21, saveData: true }).use, false); // save-data: never a late download
});

test("decideLate: the snapshot when what is left of its download and a restore beat a plain start", () => {
  const F = snap.PLAIN_START_PER_INSTANTIATE;
  // 20 Mbit/s (2,500 B/ms), a 2.76 MB snapshot begun 130 ms ago, an instantiation of 130 ms
  const at20 = snap.decideLate({ snapshotBytes: 2.76e6, startedAt: 0, now: 130, rate: 2500, instantiateMs: 130 });
  assert.equal(at20.use, true, at20.reason);
  assert.match(at20.reason, /^link measured at 20\.0 Mbit\/s: snapshot in about 1104 ms, a plain start about 1950 ms$/);
  // 8 Mbit/s: 2,760 ms of download left against a 1,950 ms start
  const at8 = snap.decideLate({ snapshotBytes: 2.76e6, startedAt: 0, now: 130, rate: 1000, instantiateMs: 130 });
  assert.equal(at8.use, false);
  assert.match(at8.reason, /^slow link \(8\.0 Mbit\/s: .*\): plain boot, snapshot fetched when idle for the next$/);
  // the estimate of a plain start follows this machine's instantiation: twice as fast, half as long
  assert.equal(snap.decideLate({ snapshotBytes: 2.76e6, startedAt: 0, now: 65, rate: 2500, instantiateMs: 65 }).use,
    (2.76e6 / 2500 - 65) + 65 < F * 65);
  // the boundary: left + one instantiation against F instantiations
  const edge = (left) => snap.decideLate({ snapshotBytes: 1000 * (left + 100), startedAt: 0, now: 100, rate: 1000, instantiateMs: 100 }).use;
  assert.equal(edge((F - 1) * 100 - 1), true);
  assert.equal(edge((F - 1) * 100), false);
  // not begun yet: all of it is left; all in: used; no rate: plain
  assert.equal(snap.decideLate({ snapshotBytes: 1e6, startedAt: null, now: 500, rate: 1000, instantiateMs: 100 }).use, true);
  assert.equal(snap.decideLate({ snapshotBytes: 1e7, startedAt: null, now: 500, rate: 1000, instantiateMs: 100 }).use, false);
  assert.match(snap.decideLate({ snapshotBytes: 1e9, startedAt: 0, now: 1, rate: null, done: true, instantiateMs: 100 }).reason, /^fast link/);
  assert.match(snap.decideLate({ snapshotBytes: 1, startedAt: 0, now: 1, rate: null, instantiateMs: 100 }).reason, /^link of unknown speed/);
  // an instantiation measured absurdly (a paused tab) is bounded
  assert.equal(snap.decideLate({ snapshotBytes: 1e8, startedAt: 0, now: 0, rate: 1000, instantiateMs: 1e9 }).use, false);
});

test("readManifest refuses what it cannot use, with the reason", () => {
  assert.equal(snap.readManifest(manifest()).file, "snapshot.bin");
  for (const [bad, why] of [
    [null, /not an object/], [manifest({ format: 2 }), /format 2, this loader reads 3/], [manifest({ build_id: "x" }), /build_id/],
    [manifest({ file: "../x" }), /file name/], [manifest({ bytes: 10 }), /size/], [manifest({ file_bytes: undefined }), /size/], [manifest({ kept_sha256: "x" }), /kept_sha256/], [manifest({ wheels: null }), /wheels/],
    [manifest({ runtime: {} }), /runtime hashes/], [manifest({ zstd_bytes: -1 }), /zstd_bytes is not a size/],
    [manifest({ gzip_bytes: "3" }), /gzip_bytes is not a size/], [manifest({ heap_bytes: undefined }), /no heap size/],
    [manifest({ heap_bytes: 4090 }), /no heap size/], [manifest({ heap_bytes: 4030 }), /no heap size/],
  ]) {
    assert.throws(() => snap.readManifest(bad), (e) => e instanceof snap.SnapshotMismatch && why.test(e.message));
  }
});

test("mismatch: the pinned version, the snapshot's version, each wheel by name and sha256", () => {
  assert.equal(snap.mismatch(manifest(), { version: snap.PINNED, lock: lock() }), null);
  assert.match(snap.mismatch(manifest(), { version: "315.0.0", lock: lock() }), /used with 314\.0\.7 only/);
  assert.match(snap.mismatch(manifest({ pyodide_version: "314.0.6" }), { version: snap.PINNED, lock: lock() }), /made with Pyodide 314\.0\.6/);
  assert.match(snap.mismatch(manifest(), { version: snap.PINNED, lock: lock(H("e")) }), /changed since the snapshot/);
  assert.match(snap.mismatch(manifest(), { version: snap.PINNED, lock: lock(H("d"), "w-2.0-py3-none-any.whl") }), /not in pyodide-lock/);
});

test("snapshotURL names the content, so a cached copy is the right one", () => {
  assert.equal(snap.snapshotURL("https://a.example/p/", manifest()), `https://a.example/p/snapshot.bin?v=${H("b").slice(0, 16)}`);
});

// A stand-in snapshot: Pyodide 314's header (magic, header size, 0, 0, build id) and a body.
function fakeSnapshot(buildId = H("a"), size = 4096) {
  const b = new Uint8Array(size);
  const w = new Uint32Array(b.buffer, 0, 12);
  w[0] = 1886286592;
  w[1] = 64;
  for (let i = 0; i < 8; i++) w[4 + i] = parseInt(buildId.slice(i * 8, i * 8 + 8), 16);
  b.fill(7, 64);
  return b;
}

// The served file (format 2): the image's runs, as desk_cti_tools/snapshot_runs.py writes them.
function packRuns(image, runs = null) {
  if (!runs) { // the complement of the zero stretches of 256 bytes or more
    runs = [];
    let at = 0;
    for (let i = 0; i <= image.length; i++) {
      let j = i;
      while (j < image.length && image[j] === 0) j++;
      if (j - i >= 256 || (i === image.length)) {
        if (i > at) runs.push([at, i - at]);
        at = j;
      }
      i = Math.max(i, j);
    }
  }
  const out = [Uint8Array.from([0x44, 0x52, 0x55, 0x4e]), new Uint8Array(new Uint32Array([image.length]).buffer)];
  for (const [offset, length, kept] of runs) {
    out.push(new Uint8Array(new Uint32Array([offset, kept ? (length | 0x80000000) >>> 0 : length]).buffer));
    if (!kept) out.push(image.subarray(offset, offset + length));
  }
  return Buffer.concat(out);
}

// A stand-in runtime for restoreHeap: its memory (the heap, without the image's header), the
// exports restoreHeap reads, and the call trampoline's word at `word` (this runtime's value: own).
function fakeRuntime(memory, { top = memory.length, word = 8, own = 4242 } = {}) {
  const HEAPU8 = memory;
  const HEAP32 = new Int32Array(memory.buffer, memory.byteOffset, memory.length >>> 2);
  HEAP32[1] = word; // __PyEM_EMSCRIPTEN_TRAMPOLINE_OFFSET points here: the word's offset in _PyRuntime (0)
  HEAP32[word >>> 2] = own;
  return { HEAPU8, HEAP32, __PyRuntime: 0, __PyEM_EMSCRIPTEN_TRAMPOLINE_OFFSET: 4, _sbrk: () => top, _emscripten_stack_get_base: () => 0 };
}

// A body that comes in chunks of `size` bytes: a run's header may span them.
const inChunks = (bytes, size) => new ReadableStream({
  start(c) {
    for (let i = 0; i < bytes.length; i += size) c.enqueue(bytes.slice(i, i + size));
    c.close();
  },
});

test("snapshotOptions: an array of the image's header at once; the heap streamed in, checked, written into the runtime's memory; a bad one refused at the restore", async () => {
  const good = fakeSnapshot();
  good.fill(0, 1000, 3000); // a gap
  const file = packRuns(good);
  assert.ok(file.length < good.length && file.length === 8 + 8 + 1000 + 8 + 1096, `${file.length}`);
  const m = manifest({ sha256: sha(file), file_bytes: file.length });
  for (const size of [1, 3, 7, 64, file.length]) {
    const ok = snap.snapshotOptions(new Response(inChunks(file, size)), m);
    const holder = ok.options._loadSnapshot;
    assert.equal(holder.byteLength, 64); // Pyodide reads the header from it at the restore, and copies the rest (none)
    await ok.ready;
    assert.deepEqual(holder, good.subarray(0, 64));
  }

  const check = (bytes) => [new Response(bytes), manifest({ sha256: sha(bytes), file_bytes: bytes.length })];
  const corrupt = Buffer.from(file);
  corrupt[2000] ^= 1;
  const image = (over) => { const b = fakeSnapshot(); over(b); return b; };
  for (const [[response, mf], why] of [
    [[new Response(corrupt), m], /corrupt \(its sha256 differs/],
    [[new Response("nope", { status: 404 }), m], /HTTP 404/],
    [[new Response(file.slice(0, 100)), m], /is 100 B, snapshot.json says/],
    [[new Response(Buffer.concat([file, file])), m], /larger than the/],
    [check(packRuns(fakeSnapshot(H("f")))), /build id differs/],
    [check(packRuns(image((b) => b.fill(0, 0, 4)))), /bad magic number/],
    [check(Buffer.concat([Buffer.from("XRUN"), file.subarray(4)])), /not a runs file/],
    [check(packRuns(fakeSnapshot(H("a"), 2048))), /not a runs file of the image's size/],
    [check(packRuns(good, [[0, 1000], [500, 100]])), /bad run at byte 1016/], // overlapping
    [check(packRuns(good, [[0, 1000], [4000, 0]])), /bad run/], // empty
    [check(Buffer.concat([packRuns(good, [[0, 1000]]), new Uint8Array(new Uint32Array([4000, 200]).buffer)])), /bad run/], // past the end
    [check(packRuns(good).subarray(0, 1500)), /last run is cut short/],
  ]) {
    const o = snap.snapshotOptions(response, mf);
    await assert.rejects(o.ready, why);
    await new Promise((r) => setTimeout(r));
    assert.equal(new Uint32Array(o.options._loadSnapshot.buffer, 0, 1)[0], 0, `${why}: the restore would not refuse it`);
  }
});

test("restoreHeap: data runs written, kept runs checked, gaps zeroed where the runtime wrote, its call trampoline kept", async () => {
  const good = fakeSnapshot(); // header 64 B: the heap starts at byte 64
  for (let i = 64; i < 4096; i++) good[i] = i % 251 || 1; // the heap's bytes, none zero outside the gap
  good.fill(0, 3200, 3600); // a gap
  const fresh = good.slice(64); // the runtime's memory before the restore: the kept run's bytes its own
  const file = packRuns(good, [[0, 1000], [1000, 2000, true], [3000, 200], [3600, 496]]);
  const keptBytes = good.subarray(1000, 3000);
  const m = manifest({ sha256: sha(file), file_bytes: file.length, kept_sha256: sha(keptBytes) });
  const parse = async (size = 5) => {
    const header = new Uint8Array(64);
    const parsed = await snap.readRuns(inChunks(file, size), m, header);
    assert.deepEqual(header, good.subarray(0, 64));
    return parsed;
  };
  const parsed = await parse();
  assert.deepEqual(parsed.kept, [[1000 - 64, 2000]]); // heap offsets
  assert.deepEqual(Buffer.from(parsed.file()), file);

  const word = 1600; // the trampoline's word, in the kept run
  const dirty = () => { // the runtime wrote over the data runs and into the gap (below its break)
    const memory = fresh.slice();
    memory.fill(0x5a, 0, 900);
    memory.fill(0x5a, 3300 - 64, 3400 - 64);
    return memory;
  };
  let memory = dirty();
  const own = new DataView(memory.buffer).getInt32(word, true);
  await snap.restoreHeap(fakeRuntime(memory, { word, own }), parsed, m, 64);
  assert.deepEqual(memory, good.subarray(64));

  // the call trampoline: this runtime's value kept where the snapshot's data would write its own
  const inData = 40;
  memory = dirty();
  await snap.restoreHeap(fakeRuntime(memory, { word: inData, own: 4242 }), await parse(), m, 64);
  assert.equal(new DataView(memory.buffer).getInt32(inData, true), 4242);
  assert.deepEqual(memory.subarray(100), good.subarray(164));

  // above the runtime's break and stack, its memory is taken as zero (wasm memory starts zeroed)
  memory = dirty();
  await snap.restoreHeap(fakeRuntime(memory, { word, own, top: 3250 - 64 }), await parse(), m, 64);
  assert.deepEqual(memory.subarray(0, 3250 - 64), good.subarray(64, 3250));
  assert.equal(memory[3300 - 64], 0x5a);

  const other = dirty();
  other[1500] ^= 1; // inside the kept run
  await assert.rejects(snap.restoreHeap(fakeRuntime(other, { word, own }), await parse(), m, 64), /does not fit this runtime/);
  await assert.rejects(snap.restoreHeap(fakeRuntime(dirty().subarray(0, 1000), { word: 8 }), await parse(), m, 64), /memory is smaller/);
  await assert.rejects(snap.restoreHeap({ HEAPU8: dirty() }, await parse(), m, 64), /no call trampoline/);
  const inHeader = packRuns(good, [[0, 10], [10, 54, true], [64, 4032]]); // a kept run in the header
  await assert.rejects(snap.readRuns(new Response(inHeader).body, { ...m, file_bytes: inHeader.length }, new Uint8Array(64)),
    /a kept run outside the heap/);
});

test("snapshotOptions: a copy from the HTTP cache with its receipt is not hashed again; any other copy is", async () => {
  const good = fakeSnapshot();
  const file = packRuns(good);
  const m = manifest({ sha256: sha(file), file_bytes: file.length });
  const changed = Buffer.from(file);
  changed[2000] ^= 1; // well-formed runs, another sha256
  const origin = "https://phone.example";
  const served = (bytes, etag) => {
    const r = new Response(bytes, { headers: etag ? { etag } : {} });
    Object.defineProperty(r, "url", { value: `${origin}/pyodide/snapshot.bin?v=1` });
    return r;
  };
  const httpCache = new Set(); // the receipts' URLs the "server" answered
  const saved = { fetch: globalThis.fetch, location: globalThis.location };
  globalThis.location = { origin };
  globalThis.fetch = async (url, init = {}) => {
    if (init.cache === "only-if-cached") return httpCache.has(url) ? new Response("{}") : new Response("", { status: 504 });
    httpCache.add(url);
    return new Response("{}");
  };
  const settle = () => new Promise((r) => setTimeout(r, 10));
  try {
    await snap.snapshotOptions(served(file, '"e1"'), m).ready; // over the network: hashed, receipt fetched
    await settle();
    assert.deepEqual([...httpCache], [`${origin}/pyodide/snapshot.json?verified=${m.sha256.slice(0, 16)}&copy=%22e1%22`]);
    await snap.snapshotOptions(served(changed, '"e1"'), m, undefined, true).ready; // the same copy, cached: trusted
    for (const [r, cached] of [
      [served(changed, '"e2"'), true], // another copy
      [served(changed, '"e1"'), false], // over the network
      [served(changed, null), true], // no validator, no receipt
    ]) {
      await assert.rejects(snap.snapshotOptions(r, m, undefined, cached).ready, /sha256 differs/);
    }
    httpCache.clear(); // the receipt evicted
    await assert.rejects(snap.snapshotOptions(served(changed, '"e1"'), m, undefined, true).ready, /sha256 differs/);
  } finally {
    Object.assign(globalThis, saved);
  }
});

// ---- the upgrade guard: fails with a clear message when the pinned runtime's private API moves

test("upgrade guard: the pinned Pyodide declares the private snapshot API both sides use", () => {
  const pkg = JSON.parse(readFileSync(join(RUNTIME, "package.json"), "utf8"));
  assert.equal(pkg.version, snap.PINNED,
    `node_modules/pyodide is ${pkg.version}, the snapshot code is written for ${snap.PINNED}: check Pyodide's ` +
    "src/js/snapshot.ts for changes, then update PINNED in loader/desk-cti-snapshot.mjs and desk_cti_tools/snapshot.mjs");
  const dts = readFileSync(join(RUNTIME, "pyodide.d.ts"), "utf8");
  for (const name of ["_makeSnapshot?: boolean", "_loadSnapshot?:", "_snapshotDeserializer?:", "makeMemorySnapshot(", "fsInit?:"]) {
    assert.ok(dts.includes(name), `pyodide.d.ts no longer declares ${name}: Pyodide's private snapshot API changed`);
  }
  const asm = readFileSync(join(RUNTIME, "pyodide.asm.mjs"), "utf8");
  assert.ok(asm.includes("Snapshot build id mismatch"), "the runtime no longer checks a snapshot's build id in the same words");
  assert.ok(asm.includes("=1886286592,"), "the snapshot header's magic number changed");
});

test("upgrade guard: a snapshot made and restored in Node behaves", { timeout: 120_000 }, async () => {
  const tmp = mkdtempSync(join(tmpdir(), "desk-snap-guard-"));
  try {
    const site = join(tmp, "site");
    mkdirSync(join(site, "guardpkg"), { recursive: true });
    writeFileSync(join(site, "guardpkg", "__init__.py"), "import random\nimport asyncio\nVALUE = 42\n");
    const out = join(tmp, "s.bin");
    const made = JSON.parse(execFileSync("node", [join(ROOT, "desk_cti_tools", "snapshot.mjs"), RUNTIME, out, site, "guardpkg"],
      { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }));
    const bytes = new Uint8Array(readFileSync(out));
    const { loadPyodide } = await import(pathToFileURL(join(RUNTIME, "pyodide.mjs")).href);
    const buildId = /BUILD_ID:"([0-9a-f]{64})"/.exec(readFileSync(join(RUNTIME, "pyodide.mjs"), "utf8"))[1];
    assert.equal(made.build_id, buildId, "the snapshot's header no longer holds the runtime's build id where we read it");
    assert.equal(snap.headerBuildId(bytes), buildId);
    assert.ok(made.heap_bytes <= 30 * 1024 * 1024, `heap ${made.heap_bytes} B: over the 30 MiB a restore accepts`);
    // the C heap's free memory, zeroed before it was written out (what the snapshot's runs leave out)
    assert.ok(made.zeroed > 1e6, `only ${made.zeroed} B of free memory zeroed: does the runtime still export _sbrk and _malloc_usable_size?`);

    // as the loader does it (snapshotOptions): the header handed to loadPyodide, the runs streamed
    // in until fsInit, the heap written into the runtime's memory before the restore
    const file = packRuns(bytes);
    const m = snap.readManifest(manifest({ build_id: buildId, bytes: bytes.length, heap_bytes: made.heap_bytes,
      file_bytes: file.length, sha256: sha(file) }));
    const restore = async () => {
      const o = snap.snapshotOptions(new Response(inChunks(file, 65536)), m);
      const py = await loadPyodide({
        indexURL: `${RUNTIME}/`, ...o.options, stdout: () => {},
        fsInit: () => o.ready,
      }).catch((e) => {
        throw new Error("a snapshot written into the runtime's memory before the restore no longer restores " +
          `(snapshotOptions in desk-cti-snapshot.mjs: the header alone handed to loadPyodide, restoreHeap): ${e.message}`);
      });
      return py.runPython("import sys, random\nrandom.seed()\n[('guardpkg' in sys.modules), sys.modules['guardpkg'].VALUE, random.random()]").toJs();
    };
    const [a, b] = [await restore(), await restore()];
    assert.equal(a[0], true, "the imported package is not in the restored runtime");
    assert.equal(a[1], 42);
    assert.notEqual(a[2], b[2], "random.seed() after a restore no longer gives fresh values");

    const other = bytes.slice();
    new Uint32Array(other.buffer, 0, 12)[4] ^= 1;
    await assert.rejects(loadPyodide({ indexURL: `${RUNTIME}/`, _loadSnapshot: other, stdout: () => {} }), /build id mismatch/,
      "a snapshot of another build is no longer refused with 'build id mismatch' (the loader's fallback reason)");
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test("wireBytes: the snapshot's size in the coding it comes in; unknown: gzip's", () => {
  const m = manifest({ file_bytes: 900, gzip_bytes: 400, zstd_bytes: 300 });
  assert.deepEqual(["zstd", "gzip", "identity", null, "br"].map((c) => snap.wireBytes(m, c)), [300, 400, 900, 400, 400]);
  assert.equal(snap.wireBytes(manifest({ file_bytes: 900 }), "zstd"), 900); // an older snapshot.json
});

test("snapshotOptions decided late: a mismatch already known means a plain start, the snapshot never asked for", async () => {
  const asked = [];
  const o = snap.snapshotOptions(null, manifest(), Promise.resolve("wheel w-1.0-py3-none-any.whl changed since the snapshot was made"),
    false, { indexURL: "http://127.0.0.1:9/none/", fetch: (signal) => asked.push(signal) && new Promise(() => {}) });
  await new Promise((r) => setTimeout(r));
  const choice = o.decide();
  assert.deepEqual(choice, { use: false, reason: "snapshot not used: wheel w-1.0-py3-none-any.whl changed since the snapshot was made" });
  assert.equal(asked.length, 0);
});

test("upgrade guard: a module created for a restore starts plain when the late decision says so", { timeout: 120_000 }, async () => {
  const { loadPyodide } = await import(pathToFileURL(join(RUNTIME, "pyodide.mjs")).href);
  const asked = [];
  // no request timing in Node: the link's speed is unknown, and the decision is a plain start
  const o = snap.snapshotOptions(null, manifest({ bytes: 32 * 1024 * 1024 }), Promise.resolve(null), false,
    { indexURL: "http://127.0.0.1:9/none/", fetch: (signal) => asked.push(signal) && new Promise(() => {}) });
  let choice = null;
  const py = await loadPyodide({ indexURL: `${RUNTIME}/`, ...o.options, stdout: () => {}, fsInit: () => (choice = o.decide()) })
    .catch((e) => {
      throw new Error("a module created for a restore no longer starts plain (noInitialRun read after fsInit, " +
        `API.restoreSnapshot: plainStart in loader/desk-cti-snapshot.mjs): ${e.message}`);
    });
  assert.deepEqual([choice.use, asked.length], [false, 0], choice.reason);
  assert.match(choice.reason, /^link of unknown speed: plain boot/);
  // a whole plain start: the interpreter, the import system, Pyodide's own modules, fresh randomness
  assert.equal(py.runPython("import sys, json, asyncio\nfrom pyodide.ffi import to_js\nsys.version_info[0]"), 3);
  assert.equal(py.runPython("import random\nrandom.random() != random.random()"), true);
  assert.throws(() => snap.plainStart({ API: {} }), snap.SnapshotMismatch);
});

test("snapshotOptions: a mismatch found meanwhile (the lock came in) refuses the snapshot with its reason", async () => {
  const good = fakeSnapshot();
  const o = snap.snapshotOptions(new Response(good.slice()), manifest({ sha256: sha(good) }),
    Promise.resolve("wheel w-1.0-py3-none-any.whl changed since the snapshot was made"));
  await assert.rejects(o.ready, /changed since the snapshot was made/);
  await new Promise((r) => setTimeout(r));
  assert.equal(new Uint32Array(o.options._loadSnapshot.buffer, 0, 1)[0], 0);
});
test("upgrade guard: the call trampoline restoreHeap keeps is where Pyodide 314.0.7 keeps it; the runtime's break and stack are readable", async () => {
  const asm = readFileSync(join(RUNTIME, "pyodide.asm.mjs"), "utf8");
  assert.ok(asm.includes("addOnPreRun(function setEmscriptenTrampoline(){"),
    "the runtime no longer chooses CPython's call trampoline in a preRun: re-read trampolineWord in loader/desk-cti-snapshot.mjs");
  assert.ok(asm.includes("HEAP32[(__PyRuntime+offset)/4>>>0]=ptr"),
    "the call trampoline is no longer kept in _PyRuntime: re-read trampolineWord in loader/desk-cti-snapshot.mjs");
  assert.ok(readFileSync(join(RUNTIME, "pyodide.mjs"), "utf8").includes("if(e.createPyodideModule)return e.createPyodideModule"),
    "loadPyodide no longer takes createPyodideModule as the module's factory (snapshotOptions wraps it)");
  const { loadPyodide } = await import(pathToFileURL(join(RUNTIME, "pyodide.mjs")).href);
  const Module = (await loadPyodide({ indexURL: `${RUNTIME}/`, stdout: () => {} }))._module;
  const word = snap.trampolineWord(Module);
  assert.equal(word, Module.__PyRuntime + Module.HEAP32[Module.__PyEM_EMSCRIPTEN_TRAMPOLINE_OFFSET >>> 2]);
  for (const name of ["_sbrk", "_emscripten_stack_get_base"]) {
    assert.equal(typeof Module[name], "function", `the runtime no longer exports ${name}: restoreHeap would read all of its memory`);
  }
  const top = Math.max(Module._sbrk(0), Module._emscripten_stack_get_base());
  assert.ok(top > 0 && top <= Module.HEAPU8.length, `the runtime's break and stack end at ${top}`);
  assert.equal(Module.HEAPU8.subarray(top).every((b) => b === 0), true,
    "the runtime wrote above its break and stack: restoreHeap's zeroing of the snapshot's gaps must not stop there");
  assert.throws(() => snap.trampolineWord({ HEAP32: Module.HEAP32 }), snap.SnapshotMismatch);
});
