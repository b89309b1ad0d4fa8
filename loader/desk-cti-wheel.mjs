// desk-cti-wheel.mjs: installs a pure-Python wheel into a Pyodide that loadPyodide is starting.
// desk-cti.js imports it once the runtime's requests are out, and hands it the wheel's bytes,
// already checked against the lock's sha256. The files are unzipped with the browser's
// DecompressionStream (no Python runs for it) and written to site-packages from loadPyodide's
// fsInit hook when they are in by then, else once the interpreter is up.

export class WheelError extends Error {}

const END = 0x06054b50; // end of central directory
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

/**
 * The files of a zip archive as [name, bytes], in the archive's order: stored or deflated
 * entries only; zip64, encryption, and absolute, backslashed or ".." names are refused.
 */
export async function unzip(buffer, url) {
  const view = new DataView(buffer);
  const bad = (why) => new WheelError(`${url} is not a wheel this loader can unpack: ${why}`);
  let end = -1;
  // the record is 22 bytes plus a comment of at most 65535
  for (let i = buffer.byteLength - 22; i >= Math.max(0, buffer.byteLength - 65557); i--) {
    if (view.getUint32(i, true) === END) {
      end = i;
      break;
    }
  }
  if (end < 0) throw bad("no end of central directory");
  const count = view.getUint16(end + 10, true);
  let at = view.getUint32(end + 16, true);
  if (count === 0xffff || at === 0xffffffff) throw bad("zip64");
  const names = new TextDecoder();
  const files = [];
  for (let n = 0; n < count; n++) {
    if (at + 46 > buffer.byteLength || view.getUint32(at, true) !== CENTRAL) throw bad("broken central directory");
    const flags = view.getUint16(at + 8, true);
    const method = view.getUint16(at + 10, true);
    const size = view.getUint32(at + 20, true); // compressed
    const fullSize = view.getUint32(at + 24, true);
    const nameLength = view.getUint16(at + 28, true);
    const local = view.getUint32(at + 42, true);
    if (at + 46 + nameLength > buffer.byteLength) throw bad("broken central directory");
    const name = names.decode(new Uint8Array(buffer, at + 46, nameLength));
    at += 46 + nameLength + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
    if (flags & 1) throw bad(`${name} is encrypted`);
    if (method !== 0 && method !== 8) throw bad(`${name}: compression method ${method}`);
    if ([size, fullSize, local].includes(0xffffffff)) throw bad("zip64");
    if (name.startsWith("/") || name.includes("\\") || name.split("/").includes("..")) throw bad(`unsafe name ${name}`);
    if (name.endsWith("/")) continue;
    if (local + 30 > buffer.byteLength || view.getUint32(local, true) !== LOCAL) throw bad(`${name}: broken entry`);
    const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    if (start + size > buffer.byteLength) throw bad(`${name}: truncated`);
    const data = new Uint8Array(buffer, start, size);
    files.push([name, method === 0 ? data : inflate(data, () => bad(`${name}: broken deflate data`))]);
  }
  return Promise.all(files.map(async ([name, data]) => [name, await data]));
}

async function inflate(data, bad) {
  try {
    const stream = new Blob([data]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch {
    throw bad();
  }
}

/** Write files ([name, bytes]) under dir in Emscripten's FS; the time taken is a performance measure. */
export function writeFiles(FS, dir, files) {
  const start = performance.now();
  for (const [name, data] of files) {
    const path = `${dir}/${name}`;
    FS.mkdirTree(path.slice(0, path.lastIndexOf("/")));
    FS.writeFile(path, data);
  }
  performance.measure("desk-cti:install", { start });
}

/**
 * Write files into a running interpreter's dir and drop dir's cached listing, so the next import
 * sees them: Python relists a directory only when its mtime changes, which a write in the same
 * millisecond as a listing would not show (importlib.invalidate_caches() would do it too, but
 * imports importlib.metadata on the way).
 */
export function installLate(pyodide, dir, files) {
  writeFiles(pyodide.FS, dir, files);
  const scope = pyodide.toPy({ dir }); // not the page's own globals
  try {
    pyodide.runPython("import sys\nsys.path_importer_cache.pop(dir, None)", { globals: scope });
  } finally {
    scope.destroy();
  }
}

/**
 * A wheel's install across a runtime's start. Call fsInit from loadPyodide's hook of that name
 * (the runtime is instantiated, the interpreter not started: nothing can have listed
 * site-packages yet), then await finish(pyodide, info) once loadPyodide resolves, with the info
 * that hook was given (this object may have come after the hook). The interpreter is never kept
 * waiting for the wheel: if it is not unpacked by fsInit, finish() installs it late.
 */
export class WheelInstaller {
  /** wheel: a promise of {url, bytes} (an ArrayBuffer), already checked. */
  constructor(wheel) {
    this.files = null;
    this.written = false;
    this.unpacked = Promise.resolve(wheel).then(({ url, bytes }) => unzip(bytes, url));
    this.unpacked.then((files) => (this.files = files), () => {}); // reported by finish()
  }

  fsInit(FS, info) {
    if (this.files && !this.written) {
      writeFiles(FS, info.sitePackages, this.files);
      this.written = true;
    }
  }

  async finish(pyodide, info) {
    const files = await this.unpacked; // a wheel that could not be fetched or unpacked fails here
    if (!info) throw new WheelError("the runtime did not call loadPyodide's fsInit hook");
    if (!this.written) {
      installLate(pyodide, info.sitePackages, files);
      this.written = true;
    }
  }
}
