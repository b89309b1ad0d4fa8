// The console's npm package (loader/package.json): its export resolves to the module, and the
// hand-written declarations (loader/desk-console.d.ts) name what the module has, no more, no less.
// (No TypeScript compiler is installed here: this reads the declarations' names.)
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as mod from "../../loader/desk-console.js";

const text = (path) => readFileSync(new URL(path, import.meta.url), "utf8");
const PACKAGE = JSON.parse(text("../../loader/package.json"));
const DTS = text("../../loader/desk-console.d.ts");

// The body of `export <kind> <name> ... {...}` (braces balanced), or of `name: {...}` inside it.
function block(start) {
  const at = DTS.indexOf(start);
  assert.ok(at >= 0, `no ${start} in the declarations`);
  let depth = 0;
  for (let i = DTS.indexOf("{", at); i < DTS.length; i++) {
    if (DTS[i] === "{") depth++;
    if (DTS[i] === "}" && --depth === 0) return DTS.slice(DTS.indexOf("{", at) + 1, i);
  }
  throw new Error(`unbalanced ${start}`);
}
// The member names of a declared block: `name:`, `name?:`, `name(` or `readonly name` at a line's start.
const members = (body) => new Set([...body.matchAll(/^\s{2}(?:readonly\s+)?([A-Za-z_$][\w$]*)\??[:(]/gm)].map((m) => m[1]));

test("every runtime name declared exists on the module, and every export is declared", () => {
  const declared = new Set([...DTS.matchAll(/^export (?:const|class|function) ([A-Za-z_$][\w$]*)/gm)].map((m) => m[1]));
  assert.deepEqual([...declared].sort(), Object.keys(mod).sort());
});

test("the declared constants, codes and options are the module's", () => {
  assert.equal(mod.VERSION, Number(DTS.match(/^export const VERSION: (\d+);/m)[1]));
  assert.equal(mod.PROTOCOL_VERSION, Number(DTS.match(/^export const PROTOCOL_VERSION: (\d+);/m)[1]));
  assert.equal(mod.NAMESPACE, DTS.match(/^export const NAMESPACE: "([^"]+)";/m)[1]);
  assert.equal(mod.MAX_MESSAGE_CHARS, Number(DTS.match(/^export const MAX_MESSAGE_CHARS: (\d+);/m)[1]));
  const codes = Object.fromEntries([...block("export const ErrorCode").matchAll(/(\w+): "(\w+)";/g)].map((m) => [m[1], m[2]]));
  assert.deepEqual(codes, { ...mod.ErrorCode });
  assert.deepEqual([...members(block("export const DEFAULTS"))].sort(), Object.keys(mod.DEFAULTS).sort());
  assert.deepEqual([...members(block("export interface MethodParams"))].sort(), Object.keys(mod.METHOD_TABLE).sort());
  assert.deepEqual([...members(block("export interface MethodResults"))].sort(), Object.keys(mod.METHOD_TABLE).sort());
});

test("DeskConsole's declared members are the instance's public ones", () => {
  const win = new EventTarget();
  const cti = new mod.DeskConsole({ frame: () => null, allowedOrigins: ["https://phone.example"], window: win });
  try {
    const declared = members(block("export class DeskConsole"));
    declared.delete("constructor");
    const proto = Object.getOwnPropertyNames(mod.DeskConsole.prototype);
    const actual = new Set([...Object.keys(cti), ...proto].filter((k) => !k.startsWith("_") && k !== "constructor"));
    assert.deepEqual([...declared].sort(), [...actual].sort());
    assert.deepEqual([...members(block("export interface DeskConsoleStats"))].sort(), Object.keys(cti.stats).sort());
    assert.deepEqual([...members(block("export interface StateChange"))].sort(),
      ["clickToDialEnabled", "connected", "origin", "state"]);
  } finally {
    cti.destroy();
  }
});

test("the package's ./console export is this module, typed; its protocol field is the module's", async () => {
  const entry = PACKAGE.exports["./console"];
  const viaPackage = await import(new URL(`../../loader/${entry.default}`, import.meta.url));
  assert.equal(viaPackage.DeskConsole, mod.DeskConsole);
  assert.equal(entry.types, "./desk-console.d.ts");
  assert.equal(PACKAGE.deskCti.protocol, mod.VERSION);
});

test("the packed package, installed, resolves desk-cti/console to the module and its types", async () => {
  const { execFileSync } = await import("node:child_process");
  const { mkdtempSync, mkdirSync, rmSync, writeFileSync, existsSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const { join } = await import("node:path");
  const { fileURLToPath } = await import("node:url");
  const dir = mkdtempSync(join(tmpdir(), "desk-cti-pack-"));
  try {
    const loader = fileURLToPath(new URL("../../loader/", import.meta.url));
    const out = JSON.parse(execFileSync("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", dir],
      { cwd: loader, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }));
    const target = join(dir, "node_modules", "desk-cti");
    mkdirSync(target, { recursive: true });
    execFileSync("tar", ["xzf", join(dir, out[0].filename), "-C", target, "--strip-components=1"]);
    assert.ok(existsSync(join(target, "desk-console.d.ts")));
    writeFileSync(join(dir, "use.mjs"), `import * as m from "desk-cti/console";
      process.stdout.write(JSON.stringify([Object.keys(m).sort(), m.PROTOCOL_VERSION, typeof m.DeskConsole]));`);
    const [keys, protocol, kind] = JSON.parse(execFileSync("node", [join(dir, "use.mjs")], { encoding: "utf8" }));
    assert.deepEqual(keys, Object.keys(mod).sort());
    assert.equal(protocol, PACKAGE.deskCti.protocol);
    assert.equal(kind, "function");
    // only what the exports map names can be imported
    writeFileSync(join(dir, "deep.mjs"), `import "desk-cti/desk-console.js";`);
    assert.throws(() => execFileSync("node", [join(dir, "deep.mjs")], { stdio: "ignore" }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
