// The protocol's conformance cases (tests/protocol_cases.json) against loader/desk-console.js.
// tests/unit/test_conformance.py runs the same cases against the softphone's Python side.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import {
  DeskConsole, CtiConsoleError, ErrorCode, METHOD_TABLE, MAX_MESSAGE_CHARS, NAMESPACE, VERSION,
  checkRequest, checkResult, parseMessage,
} from "../../loader/desk-console.js";

const read = (path) => JSON.parse(readFileSync(new URL(path, import.meta.url), "utf8"));
const TABLE = read("../../desk_cti_py/protocol.json");
const CASES = read("../protocol_cases.json");
const ORIGIN = "https://phone.example";

// The cases' shorthands: {"$repeat": [s, n]} and {"$concat": [...]}, anywhere in a value.
function expand(v) {
  if (Array.isArray(v)) return v.map(expand);
  if (v === null || typeof v !== "object") return v;
  const keys = Object.keys(v);
  if (keys.length === 1 && keys[0] === "$repeat") return v.$repeat[0].repeat(v.$repeat[1]);
  if (keys.length === 1 && keys[0] === "$concat") return v.$concat.map(expand).join("");
  return Object.fromEntries(keys.map((k) => [k, expand(v[k])]));
}

// A case's message as posted: {"$text": t} is the exact text, {"$value": v} a non-string.
function wireData(message) {
  const keys = Object.keys(message);
  if (keys.length === 1 && keys[0] === "$text") return message.$text;
  if (keys.length === 1 && keys[0] === "$value") return message.$value;
  return JSON.stringify(expand(message));
}

// The handler's params less `query`, the console's parsed view of queryParams (not on the wire).
function wireParams(params) {
  const { query, ...rest } = params;
  if (query !== undefined) assert.equal(query.object, params.object);
  return rest;
}

function refusal(fn) {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof CtiConsoleError, `threw ${e}`);
    return e.code;
  }
  return null;
}

// A valid request and a valid result for each method, to reach the console's other checks.
const VALID_PARAMS = Object.fromEntries(
  CASES.requests.filter((c) => c.expect.params).reverse().map((c) => [c.method, expand(c.expect.params)]),
);
const VALID_RESULTS = {
  ...Object.fromEntries(Object.keys(METHOD_TABLE).map((name) => [name, true])), // the boolean methods'
  ...Object.fromEntries(CASES.results.filter((c) => c.valid && c.result !== false).reverse().map((c) => [c.method, c.result])),
};

/** A DeskConsole in Node: an EventTarget for the page's window, a fake softphone frame. */
function harness(results = {}) {
  const win = new EventTarget();
  const posted = [];
  const calls = [];
  const frame = { postMessage: (text, origin) => posted.push({ msg: JSON.parse(text), origin }) };
  const handlers = Object.fromEntries(
    Object.keys(METHOD_TABLE).map((name) => [name, (params) => {
      calls.push({ name, params });
      return own(results, name) ? results[name] : VALID_RESULTS[name];
    }]),
  );
  const cti = new DeskConsole({ frame: () => frame, allowedOrigins: [ORIGIN], handlers, window: win });
  const send = (data) => win.dispatchEvent(Object.assign(new Event("message"), { data, origin: ORIGIN, source: frame }));
  send(JSON.stringify({ ns: NAMESPACE, v: VERSION, type: "hello", id: "s-1", session: "s" }));
  assert.equal(posted.shift().msg.type, "welcome");
  return { cti, posted, calls, send };
}
const own = (o, k) => Object.prototype.hasOwnProperty.call(o, k);
const settle = () => new Promise((resolve) => setImmediate(resolve));

/** Post one request to a fresh console; its one answer (a response) and the handler's calls. */
async function ask(method, params, results) {
  const h = harness(results);
  try {
    h.send(JSON.stringify({ ns: NAMESPACE, v: VERSION, type: "request", id: "s-2", method, params }));
    await settle();
    assert.equal(h.posted.length, 1, `one answer, got ${JSON.stringify(h.posted)}`);
    const { msg } = h.posted[0];
    assert.equal(msg.type, "response");
    assert.equal(msg.re, "s-2");
    return { msg, calls: h.calls };
  } finally {
    h.cti.destroy();
  }
}

test("the module's table is protocol.json's", () => {
  assert.equal(NAMESPACE, TABLE.namespace);
  assert.equal(VERSION, TABLE.version);
  assert.equal(MAX_MESSAGE_CHARS, TABLE.limits.messageChars);
  assert.deepEqual(Object.values(ErrorCode), TABLE.errors);
  const methods = Object.fromEntries(Object.entries(TABLE.methods).map(([n, m]) => [n, { params: m.params, result: m.result }]));
  assert.deepEqual(JSON.parse(JSON.stringify(METHOD_TABLE)), methods);
  // "non-blank" is what trim() strips: the table spells out that set for the Python side
  let blank = "";
  for (let c = 0; c < 0x10000; c++) if (String.fromCharCode(c).trim() === "") blank += String.fromCharCode(c);
  assert.equal(blank, TABLE.blank);
});

test("requests: checkRequest", async (t) => {
  for (const c of CASES.requests) {
    await t.test(c.name, () => {
      const params = expand(c.params);
      if (c.expect.params) {
        const want = expand(c.expect.params);
        assert.deepEqual(wireParams(checkRequest(c.method, params)), want);
        // what the softphone posts (Python's output) passes unchanged
        assert.deepEqual(wireParams(checkRequest(c.method, want)), want);
      } else {
        assert.equal(refusal(() => checkRequest(c.method, params)), c.expect.error);
      }
    });
  }
});

test("requests: what DeskConsole answers", async (t) => {
  // a method that is not a string is a malformed message, not a request: see fromSoftphone
  for (const c of CASES.requests.filter((r) => typeof r.method === "string")) {
    await t.test(c.name, async () => {
      const { msg, calls } = await ask(c.method, expand(c.params));
      if (c.expect.params) {
        assert.equal(msg.ok, true, JSON.stringify(msg.error));
        assert.equal(calls.length, 1);
        assert.deepEqual(wireParams(calls[0].params), expand(c.expect.params));
      } else {
        assert.equal(msg.ok, false);
        assert.equal(msg.error.code, c.expect.error);
        assert.equal(calls.length, 0, "the method does not run");
      }
    });
  }
});

test("messages from the softphone", async (t) => {
  for (const c of CASES.fromSoftphone) {
    await t.test(c.name, async () => {
      const h = harness();
      try {
        const before = { ...h.cti.stats };
        const data = wireData(c.message);
        h.send(data);
        await settle();
        if (c.expect === "dropped" || c.expect === "accepted") {
          assert.deepEqual(h.posted, [], "no answer");
          assert.equal(h.cti.stats[c.expect], before[c.expect] + 1);
          assert.equal(parseMessage(data) !== null && c.expect === "accepted", c.expect === "accepted");
          return;
        }
        assert.equal(h.posted.length, 1, JSON.stringify(h.posted));
        const { msg, origin } = h.posted[0];
        assert.equal(origin, ORIGIN);
        assert.equal(msg.re, JSON.parse(data).id);
        if (c.expect.error) {
          // a hello refused: an error message (not a response) naming both versions; nothing pinned
          assert.equal(msg.type, "error");
          assert.equal(msg.v, VERSION);
          assert.equal(msg.error.code, c.expect.error);
          assert.deepEqual(msg.error.supported, [VERSION]);
          const sent = JSON.parse(data).v;
          assert.match(msg.error.message, new RegExp(`speaks desk-cti protocol version ${VERSION};.* speaks version ${
            sent === undefined ? "none" : JSON.stringify(sent).replace(/"/g, '"')}$`));
          assert.equal(h.cti.stats.versionRefused, 1);
          assert.deepEqual(h.cti.lastRefusal, { code: c.expect.error, message: msg.error.message, origin: ORIGIN });
          return;
        }
        if (c.expect.answer === "welcome") return assert.equal(msg.type, "welcome");
        assert.equal(msg.type, "response");
        if (c.expect.answer === "ok") assert.equal(msg.ok, true, JSON.stringify(msg.error));
        else assert.equal(msg.error.code, c.expect.answer);
      } finally {
        h.cti.destroy();
      }
    });
  }
});

test("results: checkResult and what DeskConsole answers", async (t) => {
  for (const c of CASES.results) {
    await t.test(c.name, async () => {
      assert.equal(checkResult(c.method, c.result), c.valid);
      const { msg } = await ask(c.method, VALID_PARAMS[c.method], { [c.method]: c.result });
      if (c.valid) {
        assert.equal(msg.ok, true, JSON.stringify(msg.error));
        assert.deepEqual(msg.result, c.result);
      } else {
        assert.equal(msg.ok, false);
        assert.equal(msg.error.code, ErrorCode.CONSOLE_ERROR);
      }
    });
  }
});
