// The loader's zip reader (loader/desk-cti-wheel.mjs) on the real wheel and on built archives.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

import { WheelError, unzip } from "../../loader/desk-cti-wheel.mjs";
import { makeZip } from "./zip.mjs";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const text = (bytes) => new TextDecoder().decode(bytes);

function realWheel() {
  const dir = `${ROOT}build/wheel/`;
  const name = readdirSync(dir).find((n) => n.endsWith(".whl"));
  assert.ok(name, "build/wheel/*.whl: run `make wheel` first");
  const data = readFileSync(dir + name);
  return data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength);
}

async function refused(entries, why, options) {
  await assert.rejects(unzip(await makeZip(entries, options), "test.whl"), (e) => {
    assert.ok(e instanceof WheelError, e);
    assert.match(e.message, /^test\.whl is not a wheel this loader can unpack: /);
    assert.match(e.message, why);
    return true;
  });
}

test("every file of the real wheel comes out as its RECORD says, byte for byte", async () => {
  const files = new Map(await unzip(realWheel(), "real.whl"));
  const recordName = [...files.keys()].find((n) => n.endsWith(".dist-info/RECORD"));
  const record = text(files.get(recordName)).trim().split("\n").map((l) => l.split(","));
  assert.deepEqual([...files.keys()].sort(), record.map(([name]) => name).sort());
  assert.ok(files.has("desk_cti_py/__init__.py") && files.has("desk_cti_py/py.typed"));
  for (const [name, hash, size] of record) {
    if (name === recordName) continue;
    const data = files.get(name);
    assert.equal(`sha256=${createHash("sha256").update(data).digest("base64url")}`, hash, name);
    assert.equal(data.length, Number(size), name);
  }
});

test("stored and deflated entries both unpack; directory entries are skipped", async () => {
  const big = "x = 1\n".repeat(5000);
  const zip = await makeZip([
    { name: "pkg/", data: "", method: 0 },
    { name: "pkg/stored.py", data: "stored = True\n", method: 0 },
    { name: "pkg/deflated.py", data: big, method: 8 },
    { name: "pkg/empty.py", data: "", method: 8 },
    { name: "pkg/ünïcode.txt", data: "é", method: 0 },
  ]);
  const files = await unzip(zip, "t.whl");
  assert.deepEqual(files.map(([n]) => n), ["pkg/stored.py", "pkg/deflated.py", "pkg/empty.py", "pkg/ünïcode.txt"]);
  assert.equal(text(files[0][1]), "stored = True\n");
  assert.equal(text(files[1][1]), big);
  assert.equal(files[2][1].length, 0);
  assert.equal(text(files[3][1]), "é");
});

test("an archive comment does not hide the end of the central directory", async () => {
  const files = await unzip(await makeZip([{ name: "a.py", data: "a" }], { comment: "c".repeat(1000) }), "t.whl");
  assert.deepEqual(files.map(([n, d]) => [n, text(d)]), [["a.py", "a"]]);
});

test("an encrypted entry is refused", () => refused([{ name: "a.py", data: "a", flags: 1 }], /a\.py is encrypted/));

test("zip64 sizes are refused", async () => {
  await refused([{ name: "a.py", data: "a", size: 0xffffffff }], /zip64/);
  await refused([{ name: "a.py", data: "a", compressedSize: 0xffffffff }], /zip64/);
});

test("a zip64 end of central directory is refused", async () => {
  const zip = await makeZip([{ name: "a.py", data: "a" }]);
  new DataView(zip).setUint16(zip.byteLength - 12, 0xffff, true); // the entry count
  await assert.rejects(unzip(zip, "t.whl"), /zip64/);
});

test("an unknown compression method is refused", () =>
  refused([{ name: "a.py", data: "a", method: 12, raw: new Uint8Array(3) }], /a\.py: compression method 12/));

for (const name of ["../evil.py", "pkg/../../evil.py", "/etc/evil.py", "pkg\\evil.py", "../"]) {
  test(`the unsafe name ${JSON.stringify(name)} is refused, even next to good entries`, () =>
    refused([{ name: "pkg/ok.py", data: "ok" }, { name, data: "evil" }], /unsafe name/));
}

test("a name that merely contains dots is fine", async () => {
  const files = await unzip(await makeZip([{ name: "pkg/..hidden/a..b.py", data: "x" }]), "t.whl");
  assert.deepEqual(files.map(([n]) => n), ["pkg/..hidden/a..b.py"]);
});

test("broken deflate data is refused as a bad wheel", () =>
  refused([{ name: "a.py", data: "a", method: 8, raw: new Uint8Array([0xff, 0xff, 0xff, 0xff]) }], /a\.py: broken deflate data/));

test("an entry whose data runs past the archive is refused", () =>
  refused([{ name: "a.py", data: "abc", method: 0, compressedSize: 1 << 20 }], /a\.py: truncated/));

test("a truncated archive is refused wherever it is cut", async () => {
  const zip = await makeZip([{ name: "pkg/a.py", data: "a = 1\n".repeat(100) }, { name: "pkg/b.py", data: "b" }]);
  for (const cut of [0, 1, 10, 40, zip.byteLength / 2, zip.byteLength - 30, zip.byteLength - 1]) {
    await assert.rejects(unzip(zip.slice(0, Math.floor(cut)), "t.whl"), WheelError, `cut at ${cut}`);
  }
});

test("an archive whose central directory points nowhere is refused", async () => {
  const zip = await makeZip([{ name: "a.py", data: "a" }]);
  const view = new DataView(zip);
  view.setUint32(zip.byteLength - 6, zip.byteLength + 100, true); // the directory's offset
  await assert.rejects(unzip(zip, "t.whl"), /broken central directory/);
  const other = await makeZip([{ name: "a.py", data: "a" }]);
  new DataView(other).setUint32(0, 0, true); // the local header's signature
  await assert.rejects(unzip(other, "t.whl"), /a\.py: broken entry/);
});

test("something that is not a zip is refused", async () => {
  await assert.rejects(unzip(new TextEncoder().encode("<html>not found</html>").buffer, "t.whl"), /no end of central directory/);
  await assert.rejects(unzip(new ArrayBuffer(0), "t.whl"), /no end of central directory/);
});
