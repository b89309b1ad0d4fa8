// desk-cti-snapshot.mjs: booting Pyodide from a memory snapshot (browser side).
//
// The one module that uses Pyodide's private snapshot API (loadPyodide's _loadSnapshot, the
// snapshot's header) in the browser; the build side's is desk_cti_tools/snapshot.mjs. Used with
// the PINNED runtime only: with another, desk-cti.js boots plain (and mismatch() says so).
// desk-cti.js imports it when the built folder has a snapshot.json (docs/snapshot.md) and asks:
//   chooseSnapshot()    whether to boot from the snapshot, and why (or why not), or to decide
//                       once the runtime is in (decideLate)
//   snapshotOptions()   loadPyodide's options for it, the bytes streamed in while the runtime
//                       compiles, checked, and written into its memory before the restore
//                       (restoreHeap), this browser's call trampoline kept; or, decided late, a
//                       plain start
//   afterRestore()      what must be fresh per boot (random's seed), before any other Python runs;
//                       what held the snapshot let go

export const PINNED = "314.0.7";
export const FORMAT = 3;
const MAGIC = 1886286592; // the first word of a Pyodide 314 snapshot
/** A request that takes at most this long (a round trip and a small body) is taken for a local
 * network, where the snapshot's extra download (2.8 MB in zstd, 3.7 in gzip) is shorter than the
 * start it saves, and it streams in beside the runtime; on other links the snapshot is decided once the
 * runtime is in (decideLate), and later boots take it from the HTTP cache (docs/snapshot.md). */
export const FAST_RTT_MS = 16;
/** A plain start (CPython's main() and Pyodide's finalize) takes about this many times as long as
 * the runtime's instantiation on the same page: 12.7-18.8 on the 2-core machine kind, median
 * 14.6 (docs/snapshot.md). decideLate estimates a plain start from this page's own
 * instantiation with it. */
export const PLAIN_START_PER_INSTANTIATE = 15;

export class SnapshotMismatch extends Error {}

const HEX64 = /^[0-9a-f]{64}$/;

/** snapshot.json's contents, checked for shape; throws SnapshotMismatch with the reason. */
export function readManifest(m) {
  const bad = (why) => new SnapshotMismatch(`snapshot.json is not usable: ${why}`);
  if (!m || typeof m !== "object") throw bad("not an object");
  if (m.format !== FORMAT) throw bad(`format ${m.format}, this loader reads ${FORMAT}`);
  if (!HEX64.test(m.build_id || "") || !HEX64.test(m.sha256 || "")) throw bad("no build_id or sha256");
  if (typeof m.file !== "string" || !/^[\w.-]+$/.test(m.file)) throw bad("no file name");
  if (!Number.isInteger(m.bytes) || m.bytes <= 48 || !Number.isInteger(m.file_bytes) || m.file_bytes < 8) {
    throw bad("no size");
  }
  const header = m.bytes - m.heap_bytes; // the image's bytes before its heap
  if (!Number.isInteger(m.heap_bytes) || header < 48 || header > 65536 || header % 4) throw bad("no heap size");
  if (!HEX64.test(m.kept_sha256 || "")) throw bad("no kept_sha256");
  for (const key of ["gzip_bytes", "zstd_bytes"]) {
    if (m[key] !== undefined && !(Number.isInteger(m[key]) && m[key] > 0)) throw bad(`${key} is not a size`);
  }
  if (!m.wheels || typeof m.wheels !== "object" || !m.runtime || !HEX64.test(m.runtime["python_stdlib.zip"] || "")) {
    throw bad("no wheels or runtime hashes");
  }
  return m;
}

/** Whether this browser has JSPI (WebAssembly stack switching), as Pyodide 314 decides it. */
export function hasJspi() {
  try {
    new WebAssembly.Module(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]));
  } catch {
    return false;
  }
  return "Suspending" in WebAssembly || "Suspender" in WebAssembly;
}

/**
 * Why this snapshot cannot serve this runtime and lock, or null if it can: the runtime's version
 * (the private API is pinned), JSPI (Pyodide's boot points pyodide.ffi.run_sync at the real
 * function or at a stand-in that always raises, by whether the runtime has JSPI, and the heap
 * keeps that choice), and the wheels the lock ships, by file name and sha256 (the snapshot's heap
 * holds their modules, the loader writes their files).
 */
export function mismatch(manifest, { version, lock, jspi = hasJspi() }) {
  if (version !== PINNED) return `runtime is Pyodide ${version}; snapshots are used with ${PINNED} only`;
  if (manifest.pyodide_version !== version) {
    return `snapshot made with Pyodide ${manifest.pyodide_version}, runtime is ${version}`;
  }
  if ((manifest.jspi === true) !== jspi) {
    return jspi ? "snapshot made without JSPI: its run_sync would always fail" : "this browser has no JSPI, the snapshot was made with it";
  }
  const shipped = Object.fromEntries(Object.values(lock.packages || {}).map((p) => [p.file_name, p.sha256]));
  for (const [name, sha] of Object.entries(manifest.wheels)) {
    if (!(name in shipped)) return `wheel ${name} is in the snapshot but not in pyodide-lock.json`;
    if (shipped[name] !== sha) return `wheel ${name} changed since the snapshot was made`;
  }
  return null;
}

/**
 * Whether to boot from the snapshot: {use, reason}. mode is data-snapshot ("off", "always", or
 * "auto"); cached: the snapshot is in the HTTP cache; rttMs: a round trip to the server, measured
 * on the requests made so far (null if unknown). Pure: unit-tested in tests/js.
 */
export function chooseSnapshot({ mode = "auto", cached = false, rttMs = null, saveData = false }) {
  if (mode === "off") return { use: false, reason: "turned off (data-snapshot=off)" };
  if (mode === "always") return { use: true, reason: "data-snapshot=always" };
  if (cached) return { use: true, reason: "snapshot in the HTTP cache" };
  if (saveData) return { use: false, reason: "the browser asks to save data: plain boot" };
  if (rttMs !== null && rttMs <= FAST_RTT_MS) {
    return { use: true, reason: `fast link (round trip ${Math.round(rttMs)} ms)` };
  }
  const rtt = rttMs === null ? "unknown round trip" : `round trip ${Math.round(rttMs)} ms`;
  return { use: null, late: true, reason: `link not known to be fast (${rtt}): decided once the runtime is in` };
}

/**
 * The late decision, once the runtime is downloaded and instantiated: {use, reason}. The
 * snapshot's download began when the runtime's was over (so it took no bandwidth from it); it is
 * used if what is left of it, at the link's measured rate, and a restore (about an
 * instantiation) take less than a plain start would: PLAIN_START_PER_INSTANTIATE instantiations.
 * snapshotBytes: its size on the wire; startedAt, now: when its download began (null: now), and
 * now (performance.now()); rate: the link's bytes per ms (linkRate), or null; done: it is all in;
 * instantiateMs: how long this runtime's instantiation took. Pure: unit-tested in tests/js.
 */
export function decideLate({ snapshotBytes, startedAt, now, rate, done = false, instantiateMs }) {
  const inst = Math.min(Math.max(instantiateMs, 10), 5000);
  const plainMs = PLAIN_START_PER_INSTANTIATE * inst;
  const next = "plain boot, snapshot fetched when idle for the next";
  if (done) return { use: true, reason: "fast link (the snapshot was in with the runtime)" };
  if (!(rate > 0)) return { use: false, reason: `link of unknown speed: ${next}` };
  const leftMs = Math.max(0, (startedAt ?? now) + snapshotBytes / rate - now);
  const mbit = `${((rate * 8) / 1000).toFixed(1)} Mbit/s`;
  const est = `${mbit}: snapshot in about ${Math.round(leftMs + inst)} ms, a plain start about ${Math.round(plainMs)} ms`;
  return leftMs + inst < plainMs ? { use: true, reason: `link measured at ${est}` } : { use: false, reason: `slow link (${est}): ${next}` };
}

/**
 * The link's rate in bytes per ms, from the requests to origin that came over the network (not
 * from the cache) and have ended: their bytes over the time from the first one's start to the
 * last one's end (gaps between them count, so it errs low). Null below 1 MB: too little to tell.
 */
export function linkRate(origin) {
  const got = overTheNetwork(origin);
  const bytes = got.reduce((sum, e) => sum + e.transferSize, 0);
  if (bytes < 1e6) return null;
  const ms = Math.max(...got.map((e) => e.responseEnd)) - Math.min(...got.map((e) => e.requestStart || e.startTime));
  return ms > 0 ? bytes / ms : null;
}

/** When the last of `files` under indexURL (by default the runtime's two large ones) ended, or
 * null while any is not in. */
export function runtimeEnded(indexURL, files = ["pyodide.asm.wasm", "python_stdlib.zip"]) {
  const got = files.map((f) => performance.getEntriesByName(new URL(f, indexURL).href, "resource").find((e) => e.responseEnd > 0));
  return got.every(Boolean) ? Math.max(...got.map((e) => e.responseEnd)) : null;
}

/**
 * Resolves once the runtime's two large files (its wasm and the stdlib zip, under indexURL) are
 * in, with the time the later one ended: when a late snapshot's download can begin without
 * taking bandwidth from them.
 */
export function runtimeIn(indexURL) {
  return new Promise((resolve) => {
    const now = runtimeEnded(indexURL);
    if (now !== null) return resolve(now);
    if (typeof PerformanceObserver !== "function") return; // decide() begins it, if it is wanted
    const watch = new PerformanceObserver(() => {
      const at = runtimeEnded(indexURL);
      if (at !== null) {
        watch.disconnect();
        resolve(at);
      }
    });
    try {
      watch.observe({ type: "resource" });
    } catch {
      // no resource timing here: the same
    }
  });
}

/** The snapshot's URL: its sha256 in the query, so a cached copy is the right one by name. */
export function snapshotURL(indexURL, manifest) {
  return `${new URL(manifest.file, indexURL).href}?v=${manifest.sha256.slice(0, 16)}`;
}

/** The snapshot from the HTTP cache (fresh or stale, never the network), or null. */
export async function fromCache(url) {
  if (new URL(url).origin !== location.origin) return null; // only-if-cached is same-origin only
  try {
    const r = await fetch(url, { cache: "only-if-cached", mode: "same-origin" });
    return r.ok ? r : null;
  } catch {
    return null;
  }
}

/**
 * The shortest whole request (request sent to last byte, ms) among those to origin so far, or
 * null: a small file's takes at least one round trip. Not the time to the first byte: under
 * DevTools' network emulation that shows no latency for some requests.
 */
export function roundTrip(origin) {
  const times = overTheNetwork(origin).filter((e) => e.requestStart > 0).map((e) => e.responseEnd - e.requestStart);
  return times.length ? Math.min(...times) : null;
}

/** The requests to origin that have ended and came over the network (not from the cache). */
function overTheNetwork(origin) {
  return performance.getEntriesByType("resource")
    .filter((e) => e.name.startsWith(`${origin}/`) && e.transferSize > 0 && e.responseEnd > 0);
}

/** The build id in a snapshot's header (words 4-11), as Pyodide 314 writes it. */
export function headerBuildId(bytes) {
  if (bytes.byteLength < 48) throw new SnapshotMismatch("snapshot is truncated");
  const words = new Uint32Array(bytes.buffer, bytes.byteOffset, 12);
  if (words[0] !== MAGIC) throw new SnapshotMismatch("snapshot is corrupt (bad magic number)");
  return Array.from(words.subarray(4, 12), (w) => w.toString(16).padStart(8, "0")).join("");
}

async function sha256Hex(data) {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", data));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

const RUNS_MAGIC = 0x4e555244; // "DRUN", little-endian

/**
 * Reads a snapshot file (format 3: the heap image as its runs, desk_cti_tools/snapshot_runs.py)
 * from `body` as it streams in. The image's header (its bytes below the heap) is copied into
 * `header`; the heap's data runs stay in the chunks they came in, as segments for restoreHeap
 * to write once the runtime's memory exists: each byte is copied once, into the heap. A run's
 * header may span chunks. Returns {chunks (file() joins them, for the sha256), segments: [chunk,
 * start, length, heap offset], runs: every run's [image offset, length], kept: the kept runs'};
 * throws SnapshotMismatch unless the file is exactly manifest.file_bytes of well-formed runs.
 */
export async function readRuns(body, manifest, header) {
  const corrupt = (why) => new SnapshotMismatch(`snapshot is corrupt (${why})`);
  const reader = body.getReader();
  const fail = (error) => {
    reader.cancel().catch(() => {});
    throw error;
  };
  const heapAt = header.byteLength;
  const chunks = [];
  const segments = [];
  const runs = [];
  const kept = [];
  const head = new Uint8Array(8); // the 8-byte header being read: the file's, then each run's
  const words = new DataView(head.buffer);
  let headAt = 0; // its bytes in so far
  let at = 0; // the file's bytes in
  let headerAt = 0; // where in the file the header being read began
  let left = 0; // bytes of the current data run still to come
  let to = 0; // where they go in the image
  let end = 0; // where the last run ended in the image
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (at + value.byteLength > manifest.file_bytes) {
      fail(new SnapshotMismatch(`snapshot is larger than the ${manifest.file_bytes} B snapshot.json says`));
    }
    chunks.push(value);
    for (let i = 0; i < value.byteLength;) {
      if (left > 0) {
        let n = Math.min(left, value.byteLength - i);
        if (to < heapAt) { // the image's header: Pyodide reads it from the array it was handed
          n = Math.min(n, heapAt - to);
          header.set(value.subarray(i, i + n), to);
        } else {
          segments.push([value, i, n, to - heapAt]);
        }
        to += n;
        left -= n;
        i += n;
        continue;
      }
      const n = Math.min(8 - headAt, value.byteLength - i);
      if (headAt === 0) headerAt = at + i;
      head.set(value.subarray(i, i + n), headAt);
      headAt += n;
      i += n;
      if (headAt < 8) break;
      headAt = 0;
      const [first, second] = [words.getUint32(0, true), words.getUint32(4, true)];
      if (headerAt === 0) {
        if (first !== RUNS_MAGIC || second !== manifest.bytes) fail(corrupt("not a runs file of the image's size"));
        continue;
      }
      const length = second & 0x7fffffff;
      if (length === 0 || first < end || first + length > manifest.bytes) fail(corrupt(`bad run at byte ${headerAt}`));
      end = first + length;
      runs.push([first, length]);
      if (!(second & 0x80000000)) [left, to] = [length, first];
      else if (first < heapAt) fail(corrupt("a kept run outside the heap"));
      else kept.push([first - heapAt, length]); // kept: the runtime's own memory, no bytes follow
    }
    at += value.byteLength;
  }
  if (at !== manifest.file_bytes) throw new SnapshotMismatch(`snapshot is ${at} B, snapshot.json says ${manifest.file_bytes} B`);
  if (headAt !== 0 || left !== 0) throw corrupt("its last run is cut short");
  return { chunks, segments, runs, kept, file: () => join(chunks, at) };
}

function join(chunks, size) {
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/**
 * Writes the snapshot's heap (readRuns' answer) into the runtime's memory (Module.HEAPU8, just
 * before Pyodide's restore, which is handed the header alone and so copies nothing): the data
 * runs from their chunks; the kept runs are the runtime's own bytes, checked against
 * manifest.kept_sha256 (a runtime whose memory differs from the snapshot maker's throws
 * SnapshotMismatch: the loader boots plain); the gaps, zero in the snapshot, are zeroed where the
 * runtime has written (below its break and stack: wasm memory starts zeroed, and nothing writes
 * above them); the call trampoline keeps this runtime's value (trampolineWord).
 */
export async function restoreHeap(Module, parsed, manifest, heapAt) {
  const heap = Module.HEAPU8;
  const size = manifest.bytes - heapAt;
  if (!heap || heap.byteLength < size) throw new SnapshotMismatch("this runtime's memory is smaller than the snapshot's heap");
  const word = trampolineWord(Module);
  const top = freshTop(Module, size);
  await checkKept(heap, parsed.kept, manifest);
  const own = Module.HEAP32[word >>> 2];
  let end = heapAt;
  for (const [offset, length] of [...parsed.runs, [manifest.bytes, 0]]) {
    if (offset > end) zeroBelow(heap, end - heapAt, Math.min(offset - heapAt, top));
    end = Math.max(end, offset + length);
  }
  for (const [chunk, start, length, to] of parsed.segments) heap.set(chunk.subarray(start, start + length), to);
  Module.HEAP32[word >>> 2] = own;
}

/** Where the runtime has not written yet: above its break and its stack (else the whole heap). */
function freshTop(Module, size) {
  try {
    const top = Math.max(Module._sbrk(0) >>> 0, Module._emscripten_stack_get_base() >>> 0);
    return top > 0 && top <= size ? top : size;
  } catch {
    return size;
  }
}

/** Zeroes heap[from, to) unless it is zero already (read: an untouched page stays untouched). */
function zeroBelow(heap, from, to) {
  if (to <= from) return;
  let i = from;
  for (; i < to && i & 3; i++) if (heap[i]) return void heap.fill(0, from, to);
  const words = new Int32Array(heap.buffer, heap.byteOffset + i, (to - i) >>> 2);
  for (let k = 0; k < words.length; k++) if (words[k]) return void heap.fill(0, from, to);
  for (i += words.length * 4; i < to; i++) if (heap[i]) return void heap.fill(0, from, to);
}

async function checkKept(heap, kept, manifest) {
  const all = new Uint8Array(kept.reduce((sum, [, length]) => sum + length, 0));
  let at = 0;
  for (const [offset, length] of kept) {
    if (offset + length > heap.byteLength) throw new SnapshotMismatch("snapshot is corrupt (a kept run outside the heap)");
    all.set(heap.subarray(offset, offset + length), at);
    at += length;
  }
  if ((await sha256Hex(all)) !== manifest.kept_sha256) {
    throw new SnapshotMismatch("snapshot does not fit this runtime (its memory before the restore differs from the snapshot maker's)");
  }
}

// A copy of the snapshot hashed and found right leaves a receipt in the HTTP cache: snapshot.json
// fetched under a URL naming the copy (the snapshot's sha256 and the copy's validator). The same
// copy from the HTTP cache, with its receipt there too, is not hashed again (the cache keeps its
// own checksums). A server that does not answer the receipt's URL costs a hash per boot, no more.
function receiptURL(r, manifest) {
  const validator = r.headers.get("etag") || r.headers.get("last-modified");
  if (!validator || !r.url) return null;
  return new URL(`snapshot.json?verified=${manifest.sha256.slice(0, 16)}&copy=${encodeURIComponent(validator)}`, r.url).href;
}

/**
 * loadPyodide's options for a boot from the snapshot, and `ready`, a promise that rejects
 * (SnapshotMismatch) unless the bytes are the snapshot snapshot.json describes and
 * `mismatchFound` (a promise of mismatch()'s answer) finds nothing.
 *
 * Pyodide 314 is handed the snapshot before it creates the runtime and reads it at the restore,
 * after loadPyodide's fsInit hook, copying all of it past the header into the runtime's memory.
 * It is handed an array of the image's header alone: the download streams in while the runtime
 * compiles (readRuns), the caller awaits `ready` from fsInit, and the heap is written into the
 * runtime's memory once the module exists (restoreHeap), so that the restore checks the header
 * and copies nothing. Its size, header and sha256 are checked in `ready` (the sha256 not again
 * for a copy from the HTTP cache, `cached`, already found right); a snapshot that fails them has
 * its magic number cleared, and the restore refuses it.
 *
 * Decided late (`late`: {indexURL, fetch(signal)}, chooseSnapshot's late outcome): the download
 * begins once the runtime's own is over (runtimeIn), and the caller asks `decide()` from fsInit,
 * before the interpreter starts: {use, reason} (decideLate). A plain start is then made of the
 * same module: CPython's main() runs after all (Pyodide 314 reads noInitialRun from the module's
 * settings when it runs, after fsInit) and the restore is skipped (plainStart); the download is
 * cancelled. `startPlain()`, from fsInit, does the same for a snapshot that `ready` refused,
 * decided late or not: no second start.
 */
export function snapshotOptions(response, manifest, mismatchFound = Promise.resolve(null), cached = false, late = null) {
  const holder = new Uint8Array(manifest.bytes - manifest.heap_bytes); // the image's header
  let runs = null; // readRuns' answer, until the heap is written
  // when the late download began, the runtime's ended, its module was created; the bytes on the
  // wire, in the coding snapshot.json came in (the server's choice for this browser), until the
  // snapshot's own response says
  const timing = { startedAt: null, runtimeAt: null, createdAt: null, wire: wireBytes(manifest, late && late.coding) };
  let settings = null; // the module's, once Pyodide creates it
  let plain = false; // decided late: a plain start
  let done = false; // all in and checked
  let failure = null; // or found wrong
  let mismatched = null; // the runtime or lock found not to match, before the download
  mismatchFound.then((why) => (mismatched = why), () => {});
  const cancel = new AbortController();
  let startLate = null; // begins the late download, once
  if (late) {
    response = new Promise((resolve) => {
      startLate = (at) => {
        startLate = null;
        timing.runtimeAt = at;
        timing.startedAt = performance.now();
        resolve(late.fetch(cancel.signal));
      };
    });
    // or from decide(), if the observer has not said so by then
    runtimeIn(late.indexURL).then((at) => startLate && !plain && startLate(at)).catch(() => {});
  }
  const ready = Promise.all([response, mismatchFound]).then(async ([r, why]) => {
    if (why) {
      if (r.body) r.body.cancel().catch(() => {});
      throw new SnapshotMismatch(why);
    }
    if (!r.ok) throw new SnapshotMismatch(`snapshot could not be fetched: HTTP ${r.status}`);
    if (r.type === "basic") timing.wire = wireBytes(manifest, r.headers.get("content-encoding") || "identity");
    const receipt = receiptURL(r, manifest);
    const receiptCached = cached && receipt ? fromCache(receipt).catch(() => null) : null;
    runs = await readRuns(r.body, manifest, holder);
    if (headerBuildId(holder) !== manifest.build_id) throw new SnapshotMismatch("snapshot's build id differs from snapshot.json's");
    if (new DataView(holder.buffer).getUint32(4, true) !== holder.byteLength) {
      throw new SnapshotMismatch("snapshot is corrupt (its heap is not where snapshot.json says)");
    }
    performance.mark("desk-cti:snapshot-in");
    if (receiptCached && (await receiptCached)) return; // this copy was hashed when it came in
    const start = performance.now();
    const sha = await sha256Hex(runs.file());
    performance.measure("desk-cti:snapshot-sha256", { start });
    if (sha !== manifest.sha256) throw new SnapshotMismatch("snapshot is corrupt (its sha256 differs from snapshot.json's)");
    if (receipt) fetch(receipt, { priority: "low" }).then((x) => x.arrayBuffer()).catch(() => {});
  });
  ready.then(() => (done = true), (e) => {
    failure = e;
    new Uint32Array(holder.buffer, 0, 1)[0] = 0; // refused at the restore
  });
  // Pyodide's own factory, wrapped: it resolves once fsInit is done (so the bytes are in and
  // checked), having written the heap, before the restore checks the header.
  const createPyodideModule = async (moduleSettings) => {
    settings = moduleSettings;
    const { indexURL } = settings.API.config; // as Pyodide imports it (in Node, a path)
    const { default: create } = await import(new URL("pyodide.asm.mjs", new URL(indexURL, "file:///")).href);
    timing.createdAt = performance.now();
    const Module = await create(settings);
    if (plain) {
      plainStart(Module);
      return Module;
    }
    if (new Uint32Array(holder.buffer, 0, 1)[0] === MAGIC) { // else refused: the restore refuses it
      const parsed = runs;
      runs = null; // its chunks let go once written
      await restoreHeap(Module, parsed, manifest, holder.byteLength);
    }
    return Module;
  };
  // From fsInit, decided late: whether to restore the snapshot or start plain (see above).
  const decide = () => {
    if (!late) return { use: true, reason: "decided before the download" };
    const now = performance.now();
    // instantiated since the wasm was in (or since the module was asked for, if that was later)
    const wasmAt = runtimeEnded(late.indexURL, ["pyodide.asm.wasm"]) ?? 0;
    const wrong = mismatched || (failure && failure.message);
    const choice = wrong ? { use: false, reason: `snapshot not used: ${wrong}` } : decideLate({
      snapshotBytes: timing.wire, startedAt: timing.startedAt, now, done,
      rate: linkRate(new URL(late.indexURL).origin),
      instantiateMs: now - Math.max(timing.createdAt ?? 0, wasmAt),
    });
    if (choice.use && startLate) startLate(timing.runtimeAt ?? runtimeEnded(late.indexURL));
    if (!choice.use) startPlain();
    return choice;
  };
  // From fsInit, before the interpreter starts: the module starts plain instead of restoring
  // (see above). False if it is too late for that (no module being created).
  const startPlain = () => {
    if (!settings) return false;
    plain = true;
    settings.noInitialRun = false; // read when the module runs, after fsInit
    cancel.abort();
    return true;
  };
  return { options: { _loadSnapshot: holder, createPyodideModule }, ready, decide, startPlain };
}

/** The snapshot's size on the wire in a Content-Encoding (unknown: gzip's, the most common). */
export function wireBytes(manifest, coding) {
  if (coding === "identity") return manifest.file_bytes;
  const sized = coding === "zstd" ? manifest.zstd_bytes : undefined;
  return sized || manifest.gzip_bytes || manifest.file_bytes;
}

/**
 * Makes a module created for a restore start plain instead: Pyodide 314.0.7's loadPyodide restores
 * through API.restoreSnapshot once the module is created; skipped, it finishes a plain start
 * (the module has run CPython's main()).
 */
export function plainStart(Module) {
  if (!Module.API || typeof Module.API.restoreSnapshot !== "function") {
    throw new SnapshotMismatch("this runtime restores snapshots elsewhere than Pyodide 314.0.7 does (API.restoreSnapshot)");
  }
  Module.API.restoreSnapshot = () => undefined;
}

/**
 * Where this runtime keeps its call trampoline (&_PyRuntime.emscripten_trampoline), which
 * restoreHeap leaves as this runtime set it. CPython calls C functions through it: a wasm-gc
 * trampoline where the JS runtime has wasm-gc (Chromium), else 0, a JS one (Node 20, where
 * snapshots are made). Emscripten's start writes this runtime's choice into the heap; the
 * snapshot's 0 written over it would send every call through a JS frame, which JSPI cannot
 * suspend, and run_sync would die ("SuspendError: trying to suspend JS frames", a fatal error:
 * the awaiting page hangs). Pyodide 314.0.7 means to keep this runtime's value (its comment on
 * setEmscriptenTrampoline) but restores after it.
 */
export function trampolineWord(Module) {
  const where = Module.__PyEM_EMSCRIPTEN_TRAMPOLINE_OFFSET;
  if (!Number.isInteger(Module.__PyRuntime) || !Number.isInteger(where) || !Module.HEAP32) {
    throw new SnapshotMismatch("this runtime keeps no call trampoline where Pyodide 314.0.7 does (_PyRuntime)");
  }
  return Module.__PyRuntime + Module.HEAP32[where >>> 2];
}

const FRESH = `
import sys, random
# a fresh seed from the browser's crypto.getRandomValues (os.urandom): the restored one is the
# snapshot's, the same in every boot
random.seed()
# the runtime adds "" to sys.path at every start, restored or not: once is enough
while sys.path.count("") > 1:
    sys.path.remove("")
`;

/**
 * Once restored, before any other Python: checks the stdlib zip the runtime wrote is the one the
 * snapshot was made with (its directory and imported code are in the heap), reseeds random.
 * Throws SnapshotMismatch if the stdlib differs. (JSPI, which the heap's run_sync depends on, is
 * checked by mismatch(), before the download.)
 */
export async function afterRestore(pyodide, manifest) {
  const name = pyodide.FS.readdir("/lib").find((n) => /^python\d+\.zip$/.test(n));
  if (!name || (await sha256Hex(pyodide.FS.readFile(`/lib/${name}`))) !== manifest.runtime["python_stdlib.zip"]) {
    throw new SnapshotMismatch("python_stdlib.zip differs from the one the snapshot was made with");
  }
  const scope = pyodide.toPy({}); // not the page's own globals
  try {
    pyodide.runPython(FRESH, { globals: scope });
  } finally {
    scope.destroy();
  }
  letGo(pyodide);
}

/**
 * Drops what would keep the snapshot's bytes alive once it is restored: Pyodide 314.0.7 keeps
 * loadPyodide's options for the page's life (API.config), the header's array and the hooks whose
 * closures hold what was read among them, and reads none of them after the start.
 */
function letGo(pyodide) {
  const config = pyodide._api && pyodide._api.config;
  if (!config) return;
  for (const key of ["_loadSnapshot", "createPyodideModule", "fsInit"]) config[key] = undefined;
}
