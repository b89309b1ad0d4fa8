// A softphone of another protocol version, as the console module sees it: told at once, in an
// error naming both versions, and the console page hears of it (onRefused, one log line).
import { test } from "node:test";
import assert from "node:assert/strict";
import { DeskConsole, ErrorCode, NAMESPACE, VERSION, PROTOCOL_VERSION, otherVersionHello } from "../../loader/desk-console.js";

const PHONE = "https://phone.example";

function harness() {
  const win = new EventTarget();
  const posted = [];
  const refusals = [];
  const states = [];
  const seen = [];
  const frame = { postMessage: (text, origin) => posted.push({ msg: JSON.parse(text), origin }) };
  const cti = new DeskConsole({
    frame: () => frame, allowedOrigins: [PHONE], window: win, handlers: { isVisible: () => true },
    onRefused: (r) => refusals.push(r), onStateChange: (s) => states.push(s.state), onMessage: (dir, msg) => seen.push([dir, msg.type]),
  });
  const send = (fields, origin = PHONE) => win.dispatchEvent(Object.assign(new Event("message"),
    { data: JSON.stringify({ ns: NAMESPACE, ...fields }), origin, source: frame }));
  return { cti, posted, refusals, states, seen, send };
}

function capturingErrors(fn) {
  const logged = [];
  const old = console.error;
  console.error = (...args) => logged.push(args.join(" "));
  try {
    fn();
  } finally {
    console.error = old;
  }
  return logged;
}

test("PROTOCOL_VERSION is the version the module speaks", () => {
  assert.equal(PROTOCOL_VERSION, VERSION);
  assert.equal(ErrorCode.UNSUPPORTED_VERSION, "unsupported_version");
});

test("a hello of version 2 is refused with both versions named, and nothing is pinned", () => {
  const h = harness();
  const logged = capturingErrors(() => {
    for (let i = 1; i <= 3; i++) h.send({ v: 2, type: "hello", id: `s-${i}`, session: "s" }); // hellos repeat
  });
  assert.equal(h.posted.length, 3);
  for (const [i, { msg, origin }] of h.posted.entries()) {
    assert.equal(origin, PHONE); // the softphone's own origin, never "*"
    assert.deepEqual([msg.type, msg.v, msg.re, msg.error.code], ["error", VERSION, `s-${i + 1}`, "unsupported_version"]);
    assert.equal(msg.error.message, `this console speaks desk-cti protocol version 1; the softphone at ${PHONE} speaks version 2`);
    assert.deepEqual(msg.error.supported, [1]);
  }
  // said once on the console page's log, not once per hello
  assert.equal(logged.length, 1);
  assert.match(logged[0], /refused a softphone: this console speaks desk-cti protocol version 1; .* speaks version 2/);
  assert.equal(h.refusals.length, 3);
  assert.deepEqual(h.refusals[0], { code: "unsupported_version", message: h.posted[0].msg.error.message, origin: PHONE });
  assert.deepEqual(h.cti.lastRefusal, h.refusals[2]);
  assert.equal(h.cti.connected, false);
  assert.equal(h.cti.origin, null);
  assert.equal(h.cti.state, "connecting");
  assert.deepEqual(h.states, []);
  assert.equal(h.cti.stats.versionRefused, 3);
  // the inspector sees the refused hello and the refusal
  assert.deepEqual(h.seen.slice(0, 2), [["in", "hello"], ["out", "error"]]);
  h.cti.destroy();
});

test("after a refusal the same softphone can still connect in version 1", () => {
  const h = harness();
  capturingErrors(() => h.send({ v: 2, type: "hello", id: "s-1", session: "s" }));
  h.send({ v: 1, type: "hello", id: "s-2", session: "s" });
  assert.equal(h.posted.at(-1).msg.type, "welcome");
  assert.equal(h.cti.connected, true);
  h.cti.destroy();
});

test("a hello of another version from an origin not allowed is refused for its origin, not read further", () => {
  const h = harness();
  const logged = capturingErrors(() => h.send({ v: 2, type: "hello", id: "e-1", session: "e" }, "https://evil.example"));
  assert.equal(h.posted.length, 0); // a v2 hello is no hello of ours: a refused origin learns nothing
  assert.equal(h.cti.stats.refused, 1);
  assert.equal(h.cti.stats.versionRefused, 0);
  assert.deepEqual(logged, []);
  // a v1 hello from there gets origin_not_allowed, and the page hears of it too
  h.send({ v: 1, type: "hello", id: "e-2", session: "e" }, "https://evil.example");
  assert.equal(h.posted[0].origin, "https://evil.example");
  assert.equal(h.posted[0].msg.error.code, "origin_not_allowed");
  assert.equal(h.refusals[0].code, "origin_not_allowed");
  h.cti.destroy();
});

test("otherVersionHello reads only the fields every version keeps", () => {
  const hello = (o) => JSON.stringify({ ns: NAMESPACE, type: "hello", id: "s-1", ...o });
  assert.deepEqual(otherVersionHello(hello({ v: 2 })), { id: "s-1", v: 2 });
  assert.deepEqual(otherVersionHello(hello({})), { id: "s-1", v: undefined });
  assert.equal(otherVersionHello(hello({ v: 1 })), undefined);
  assert.equal(otherVersionHello(hello({ v: 2, type: "request" })), undefined);
  assert.equal(otherVersionHello(hello({ v: 2, id: "" })), undefined);
  assert.equal(otherVersionHello(hello({ v: 2, pad: "x".repeat(1000) })), undefined);
  assert.equal(otherVersionHello("{"), undefined);
  assert.equal(otherVersionHello({ ns: NAMESPACE }), undefined);
});
