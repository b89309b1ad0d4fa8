// The loader's wheel installer (loader/desk-cti-wheel.mjs): when it writes, and that what it
// writes imports, in the pinned Pyodide run by Node.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";

import { WheelInstaller, installLate } from "../../loader/desk-cti-wheel.mjs";
import { makeZip } from "./zip.mjs";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

function realWheel() {
  const dir = `${ROOT}build/wheel/`;
  const name = readdirSync(dir).find((n) => n.endsWith(".whl"));
  assert.ok(name, "build/wheel/*.whl: run `make wheel` first");
  const data = readFileSync(dir + name);
  return { url: name, bytes: data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) };
}

/** An Emscripten FS stand-in that records what is written where. */
function fakeFS() {
  const files = new Map();
  return { files, mkdirTree() {}, writeFile: (path, data) => files.set(path, new TextDecoder().decode(data)) };
}

const INFO = { sitePackages: "/site" };
const tiny = (name = "tiny") => makeZip([{ name: `${name}/__init__.py`, data: `NAME = ${JSON.stringify(name)}\n` }]);
const settle = () => new Promise((res) => setTimeout(res, 20));

describe("when the installer writes", () => {
  test("a wheel unpacked by fsInit is written there, and finish() writes nothing more", async () => {
    const installer = new WheelInstaller({ url: "t.whl", bytes: await tiny() });
    await settle();
    const FS = fakeFS();
    installer.fsInit(FS, INFO);
    assert.deepEqual([...FS.files], [["/site/tiny/__init__.py", 'NAME = "tiny"\n']]);
    const late = { FS: fakeFS(), toPy: () => assert.fail("no late install") };
    await installer.finish(late, INFO);
    assert.equal(late.FS.files.size, 0);
  });

  test("a wheel not unpacked by fsInit is not waited for: finish() writes it once Python is up", async () => {
    let arrive;
    const installer = new WheelInstaller(new Promise((res) => (arrive = res)));
    const early = fakeFS();
    installer.fsInit(early, INFO); // returns at once
    assert.equal(early.files.size, 0);
    arrive({ url: "t.whl", bytes: await tiny() });
    const ran = [];
    const pyodide = {
      FS: fakeFS(),
      toPy: (obj) => ({ obj, destroy: () => ran.push("destroyed") }),
      runPython: (code, { globals }) => ran.push(globals.obj.dir),
    };
    await installer.finish(pyodide, INFO);
    assert.deepEqual([...pyodide.FS.files.keys()], ["/site/tiny/__init__.py"]);
    assert.deepEqual(ran, ["/site", "destroyed"], "the late write drops site-packages' cached listing");
  });

  test("a bad wheel fails finish(), and fsInit before it still returns", async () => {
    const installer = new WheelInstaller({ url: "bad.whl", bytes: new ArrayBuffer(8) });
    await settle();
    installer.fsInit(fakeFS(), INFO);
    await assert.rejects(installer.finish({}, INFO), /bad\.whl is not a wheel this loader can unpack/);
  });

  test("a wheel that could not be fetched fails finish() with the fetch's own error", async () => {
    const installer = new WheelInstaller(Promise.reject(new Error("HTTP 404")));
    await assert.rejects(installer.finish({}, INFO), /HTTP 404/);
  });

  test("a runtime that never called fsInit is an error, not a silent skip", async () => {
    const installer = new WheelInstaller({ url: "t.whl", bytes: await tiny() });
    await assert.rejects(installer.finish({}, null), /did not call loadPyodide's fsInit hook/);
  });
});

describe("in the pinned Pyodide", () => {
  let pyodide;
  let installer;
  let site;

  before(async () => {
    const { loadPyodide } = await import(`${ROOT}node_modules/pyodide/pyodide.mjs`);
    installer = new WheelInstaller(realWheel());
    await installer.unpacked;
    pyodide = await loadPyodide({
      fsInit: (FS, info) => {
        site = info.sitePackages;
        installer.fsInit(FS, info);
      },
    });
    await installer.finish(pyodide, { sitePackages: site });
  });

  test("the wheel written from fsInit is found by Python's import and its metadata", () => {
    const got = pyodide.runPython(`
import importlib.metadata, importlib.util
[importlib.util.find_spec("desk_cti_py").origin,
 importlib.metadata.version("desk-cti-py"),
 sorted(str(f) for f in importlib.metadata.files("desk-cti-py") if f.name == "py.typed")]
`);
    const version = realWheel().url.split("-")[1];
    assert.deepEqual(got.toJs(), [`${site}/desk_cti_py/__init__.py`, version, ["desk_cti_py/py.typed"]]);
    got.destroy();
  });

  test("a late install imports even when site-packages was listed in the same instant", async () => {
    const FS = pyodide.FS;
    // Python lists site-packages and finds no late_pkg; then the write leaves the folder's
    // mtime as it was, as a write in the same millisecond as the listing would
    pyodide.runPython("import importlib.util\nassert importlib.util.find_spec('late_pkg') is None");
    const mtime = FS.stat(site).mtime;
    const frozen = Object.create(pyodide, {
      FS: {
        value: {
          mkdirTree: (p) => FS.mkdirTree(p),
          writeFile: (p, d) => {
            FS.writeFile(p, d);
            FS.utime(site, mtime, mtime);
          },
        },
      },
    });
    const { unzip } = await import("../../loader/desk-cti-wheel.mjs");
    installLate(frozen, site, await unzip(await tiny("late_pkg"), "late.whl"));
    assert.equal(FS.stat(site).mtime.getTime(), mtime.getTime());
    assert.equal(pyodide.runPython("import late_pkg\nlate_pkg.NAME"), "late_pkg");
    assert.equal(pyodide.runPython("'dir' in globals()"), false, "the page's globals are left alone");
  });
});
