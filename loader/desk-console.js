// desk-console.js: the console's half of the desk-cti protocol (docs/protocol.md, version 1).
// Its reference is docs/console.md; it ships as the npm package in this folder (package.json).
//
// Any console page can use it:
//
//   import { DeskConsole, CtiConsoleError } from "./desk-console.js";
//   const cti = new DeskConsole({
//     frame: document.querySelector("iframe#softphone"),
//     allowedOrigins: ["https://phone.example"],
//     handlers: { isVisible: () => true, setSoftphoneHeight: ({ height }) => { ...; return true; } },
//   });
//
// Incoming messages are filtered by source (the softphone frame's window), then
// shape, then origin (allowed at the handshake, pinned after it). Every request
// is validated before it reaches a handler; bad input never throws.
//
// Handlers get (params, ctx): ctx.signal aborts when the console gives the
// request up (the caller's deadline, the console's own limit, a lost softphone);
// pass it on to fetch. What a softphone can make the console do is bounded:
// requests in progress (maxInFlight, beyond it `busy`), time (`timeout`), and
// message size (`too_large`). A softphone that goes quiet is pinged; one that
// does not answer is shown as disconnected (docs/protocol.md, "ping").

export const NAMESPACE = "desk-cti";
/** The protocol version this module speaks (package.json's deskCti.protocol says the same). */
export const VERSION = 1;
export const PROTOCOL_VERSION = VERSION;
// the head of every message this console posts, as JSON.stringify writes it
const HEAD = `{"ns":${JSON.stringify(NAMESPACE)},"v":${VERSION},`;
// a hello is ids and little else: a longer message from a refused origin is not even parsed
const MAX_HELLO_CHARS = 1000;
export const MAX_MESSAGE_CHARS = 1000000;

export const ErrorCode = Object.freeze({
  BAD_ARGUMENTS: "bad_arguments",
  UNKNOWN_METHOD: "unknown_method",
  NOT_SUPPORTED_ON_PAGE: "not_supported_on_page",
  NOT_FOUND: "not_found",
  CONSOLE_ERROR: "console_error",
  TIMEOUT: "timeout",
  CONNECTION_LOST: "connection_lost",
  NOT_CONNECTED: "not_connected",
  ORIGIN_NOT_ALLOWED: "origin_not_allowed",
  HTTP_ERROR: "http_error",
  BUSY: "busy",
  TOO_LARGE: "too_large",
  UNSUPPORTED_VERSION: "unsupported_version",
});

// DeskConsole's options; tests shorten the intervals.
export const DEFAULTS = Object.freeze({
  maxInFlight: 32, // requests from the softphone in progress at once; more are answered busy
  requestTimeoutMs: 15000, // the console's own limit on a request's work
  pingAfterMs: 15000, // nothing heard for this long: ask whether the softphone is still there
  pongTimeoutMs: 5000, // no pong this long after a ping: the softphone is gone
});
const MAX_CALLER_TIMEOUT = 1e9;
const CODES = new Set(Object.values(ErrorCode));

/** Throw this from a handler to answer with a protocol error code. */
export class CtiConsoleError extends Error {
  constructor(code, message, extra = {}) {
    super(message);
    this.code = CODES.has(code) ? code : ErrorCode.CONSOLE_ERROR;
    this.extra = extra; // e.g. {status, statusText} for ajax
  }
}

// The caller's remaining wait in ms (the request's optional `timeout`), or null without one.
function callerTimeout(msg) {
  if (!own(msg, "timeout")) return null;
  const t = msg.timeout;
  if (!Number.isInteger(t) || t < 1 || t > MAX_CALLER_TIMEOUT) {
    throw bad(`timeout must be a whole number of milliseconds from 1 to ${MAX_CALLER_TIMEOUT}`);
  }
  return t;
}

// How long the console may work on a request: it answers min(1000, timeout / 10) ms before
// the caller's deadline, so the caller hears why; never longer than the console's own limit.
function budget(timeout, ownLimit) {
  return timeout === null ? ownLimit : Math.min(ownLimit, timeout - Math.min(1000, timeout / 10));
}

const own = (o, k) => Object.prototype.hasOwnProperty.call(o, k);
const bad = (message) => new CtiConsoleError(ErrorCode.BAD_ARGUMENTS, message);
const OBJ = (r) => r !== null && typeof r === "object" && !Array.isArray(r);
const MAX_ID_CHARS = 120;
const MAX_METHOD_CHARS = 64;
const MAX_INTEGER = Number.MAX_SAFE_INTEGER; // beyond it JSON numbers are not read exactly
const OBJECTS = ["customer", "company", "case"];
const AJAX_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"];

/**
 * The method table: params with their rules, the successful result's shape. It must equal
 * desk_cti_py/protocol.json's (tests/js/test_conformance.mjs checks it and runs the cases);
 * it is written out here so the module stays one file a console page imports as it is.
 * "Non-blank" is what trim() strips; lengths are JavaScript's (UTF-16 code units).
 */
export const METHOD_TABLE = deepFreeze({
  setSoftphoneHeight: { params: { height: { type: "number", min: 0 } }, result: "boolean" },
  setSoftphoneWidth: { params: { width: { type: "number", min: 0 } }, result: "boolean" },
  enableClickToDial: { params: {}, result: "boolean" },
  disableClickToDial: { params: {}, result: "boolean" },
  screenPop: {
    params: { id: { type: "recordId", maxChars: 200 }, queryParams: { type: "query", maxChars: 2000 } },
    result: "boolean",
  },
  searchAndScreenPop: {
    params: { searchString: { type: "text", maxChars: 500 }, queryParams: { type: "query", maxChars: 2000 } },
    result: "boolean",
  },
  getPageInfo: { params: {}, result: { url: "string", objectId: "string!", object: "object!", objectName: "string" } },
  setVisible: { params: { value: { type: "boolean" } }, result: "boolean" },
  isVisible: { params: {}, result: "boolean" },
  getUserInfo: {
    params: {},
    result: { userId: "string|integer", email: "string", userName: "string", fullName: "string", profilePhotoUrl: "string",
      profileThumbnailUrl: "string", userType: "string", language: "string", locale: "string", siteUrl: "string" },
  },
  ajax: {
    params: { url: { type: "text", maxChars: 2000 }, method: { type: "ajaxMethod", default: "GET" },
      data: { type: "json", optional: true, maxChars: 500000 } },
    result: { data: "any", status: "integer!", statusText: "string" },
  },
});

function deepFreeze(o) {
  for (const v of Object.values(o)) if (v !== null && typeof v === "object") deepFreeze(v);
  return Object.freeze(o);
}

function isId(v) {
  return typeof v === "string" && v.length > 0 && v.length <= MAX_ID_CHARS;
}

// Python's urlencode: every character but A-Za-z0-9._~- percent-encoded as UTF-8.
const quote = (s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

// Each param rule returns the params it gives the handler (a query adds `object` and `query`).
const RULES = {
  number(name, v, spec) {
    if (typeof v !== "number" || !Number.isFinite(v)) throw bad(`${name} must be a finite number`);
    if (v < spec.min) throw bad(`${name} must be equal or greater than ${spec.min}, got ${v}`);
    return { [name]: v };
  },
  text(name, v, spec) {
    if (typeof v !== "string" || v.length > spec.maxChars || !v.trim()) {
      throw bad(`${name} must be a non-empty string of at most ${spec.maxChars} characters`);
    }
    return { [name]: v };
  },
  boolean(name, v) {
    if (typeof v !== "boolean") throw bad(`${name} must be a boolean`);
    return { [name]: v };
  },
  // A whole number is taken as its digits, as the softphone sends it.
  recordId(name, v, spec) {
    if (typeof v !== "number") return RULES.text(name, v, spec);
    if (!Number.isSafeInteger(v) || v < 0) throw bad(`${name} must be a string, or a whole number from 0 to ${MAX_INTEGER}`);
    return { [name]: String(v) };
  },
  ajaxMethod(name, v) {
    if (typeof v !== "string" || !AJAX_METHODS.includes(v.toUpperCase())) {
      throw bad(`${name} must be one of ${AJAX_METHODS.join(", ")}`);
    }
    return { [name]: v.toUpperCase() };
  },
  json(name, v, spec) {
    if (typeof v !== "string" && typeof v !== "object") throw bad(`${name} must be a string, an object or an array`);
    if (JSON.stringify(v).length > spec.maxChars) throw bad(`${name} is over ${spec.maxChars} characters as JSON`);
    return { [name]: v };
  },
  query(name, v, spec) {
    return parseQueryParams(v, spec.maxChars, name);
  },
};

/**
 * Check queryParams ("object=case&...", or an object of strings, encoded as the softphone does):
 * returns {queryParams, object, query}, query being every pair as an object.
 */
export function parseQueryParams(v, maxChars = 2000, name = "queryParams") {
  if (OBJ(v)) {
    const pairs = Object.entries(v);
    if (!pairs.every(([, x]) => typeof x === "string")) throw bad(`${name} object must hold strings`);
    try {
      v = pairs.map(([k, x]) => `${quote(k)}=${quote(x)}`).join("&");
    } catch {
      throw bad(`${name} must be valid Unicode text`); // a lone surrogate has no UTF-8
    }
  }
  if (typeof v !== "string") throw bad(`${name} must be a string`);
  if (v.length > maxChars) throw bad(`${name} must be at most ${maxChars} characters`);
  const q = v.replace(/^\?+/, "");
  const params = new URLSearchParams(q);
  const objects = params.getAll("object");
  if (objects.length !== 1 || !OBJECTS.includes(objects[0])) {
    throw bad(`${name} must carry object=customer, object=company or object=case, got ${JSON.stringify(q.slice(0, 100))}`);
  }
  return { [name]: q, object: objects[0], query: Object.fromEntries(params) };
}

function paramsRule(params) {
  const steps = Object.entries(params).map(([name, spec]) => [name, RULES[spec.type], spec]);
  return (p) => {
    if (!steps.length) {
      const keys = Object.keys(p);
      if (keys.length) throw bad(`takes no arguments, got ${keys.join(", ")}`);
    }
    const out = {};
    for (const [name, rule, spec] of steps) {
      const v = own(p, name) ? p[name] : spec.default;
      if ((v === undefined || v === null) && spec.optional) continue;
      Object.assign(out, rule(name, v, spec));
    }
    return out;
  };
}

const isKind = (v, kind) =>
  kind === "any" ||
  (kind === "string" && typeof v === "string") ||
  (kind === "integer" && Number.isSafeInteger(v)) || // JSON.stringify writes these as digits
  (kind === "object" && OBJECTS.includes(v));

// A result's own fields are what JSON.stringify sends, so only those count.
function resultRule(shape) {
  if (shape === "boolean") return (r) => typeof r === "boolean";
  const fields = Object.entries(shape).map(([k, kinds]) => [k, kinds.replace(/!$/, "").split("|"), kinds.endsWith("!")]);
  return (r) =>
    OBJ(r) &&
    fields.every(([k, kinds, required]) => {
      const v = own(r, k) ? r[k] : undefined;
      if (v === undefined || v === null || v === "") {
        if (required) return false;
        if (v !== "") return true;
      }
      return kinds.some((kind) => isKind(v, kind));
    });
}

const METHODS = Object.fromEntries(
  Object.entries(METHOD_TABLE).map(([name, m]) => [name, { check: paramsRule(m.params), result: resultRule(m.result) }]),
);

/**
 * A request's method and params, checked as the console does before any handler runs:
 * returns the params the handler gets, or throws a CtiConsoleError (bad_arguments, unknown_method).
 */
export function checkRequest(method, params) {
  if (typeof method !== "string" || !own(METHODS, method)) {
    throw new CtiConsoleError(ErrorCode.UNKNOWN_METHOD, `unknown method ${JSON.stringify(method)}`);
  }
  const raw = params === undefined ? {} : params;
  if (!OBJ(raw)) throw bad(`${method}: params must be an object`);
  try {
    return METHODS[method].check(raw);
  } catch (e) {
    if (e instanceof CtiConsoleError) e.message = `${method}: ${e.message}`;
    throw e;
  }
}

/** Whether a handler's result has the shape the method's table gives (false: console_error). */
export function checkResult(method, result) {
  return own(METHODS, method) && METHODS[method].result(result);
}

/** A message from the softphone, checked for shape (not origin); null when it is malformed.
 * JSON.parse has no prototype surprises: "__proto__" keys become plain data. */
export function parseMessage(text) {
  if (typeof text !== "string" || text.length > MAX_MESSAGE_CHARS) return null;
  let msg;
  try {
    msg = JSON.parse(text);
  } catch {
    return null;
  }
  if (!OBJ(msg) || msg.ns !== NAMESPACE || msg.v !== VERSION || !isId(msg.id)) return null;
  if (msg.type !== "hello" && msg.type !== "request" && msg.type !== "pong") return null;
  if (msg.type === "request" && (typeof msg.method !== "string" || msg.method.length > MAX_METHOD_CHARS)) return null;
  if (msg.type === "pong" && !isId(msg.re)) return null;
  return msg;
}

/**
 * The version a hello of another protocol version asks for, or undefined when `text` is not
 * one. Only the fields every version keeps are read (ns, type, id): a softphone that speaks
 * another version is told so, not left waiting.
 */
export function otherVersionHello(text) {
  if (typeof text !== "string" || text.length > MAX_HELLO_CHARS) return undefined;
  let msg;
  try {
    msg = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!OBJ(msg) || msg.ns !== NAMESPACE || msg.type !== "hello" || !isId(msg.id) || msg.v === VERSION) return undefined;
  return { id: msg.id, v: msg.v };
}

// A version as a message may quote it: whatever the peer sent, short.
const showVersion = (v) => (v === undefined ? "none" : JSON.stringify(v).slice(0, 20));

// The wire's error object. Every ajax error carries status and statusText: 0 and "" when the
// API gave no answer (refused before sending, busy, timed out).
function errorObject(method, error) {
  const known = error instanceof CtiConsoleError;
  const err = {
    ...(known ? error.extra : {}),
    code: known ? error.code : ErrorCode.CONSOLE_ERROR,
    message: String((error && error.message) || error || "console error"),
  };
  if (method === "ajax" && !Number.isInteger(err.status)) Object.assign(err, { status: 0, statusText: "" });
  return err;
}

// What replaces an answer over the message limit. For ajax it keeps the API's status: a
// softphone that reads 201 knows its write went through even though the reply cannot follow.
function tooLargeError(method, answer, size) {
  const err = {
    code: ErrorCode.TOO_LARGE,
    message: `${method}: the answer is ${size} characters, over the protocol's limit of ${MAX_MESSAGE_CHARS}`,
  };
  if (method === "ajax") {
    err.status = Number.isInteger(answer.status) ? answer.status : 0;
    err.statusText = String(answer.statusText ?? "").slice(0, 200);
  }
  return err;
}

// A handler's ctx: {signal, deadline, console}. Most handlers answer at once and never read
// the signal, so its AbortController is made on first read (already aborted if the request
// was given up by then).
class RequestContext {
  #controller = null;
  #aborted = false;

  constructor(deadline, console) {
    this.deadline = deadline;
    this.console = console;
  }

  get signal() {
    if (this.#controller === null) {
      this.#controller = new AbortController();
      if (this.#aborted) this.#controller.abort();
    }
    return this.#controller.signal;
  }

  static abort(ctx) {
    ctx.#aborted = true;
    ctx.#controller?.abort();
  }
}

function randomId() {
  const a = new Uint8Array(6);
  crypto.getRandomValues(a);
  return Array.from(a, (b) => b.toString(16).padStart(2, "0")).join("");
}

export class DeskConsole {
  /**
   * @param {object} o
   * @param {HTMLIFrameElement|(() => Window)} o.frame the softphone iframe (or a function giving its window)
   * @param {string[]} o.allowedOrigins softphone origins allowed to connect
   * @param {object} o.handlers method name -> (params, ctx) => result (or a promise of it);
   *   ctx is {signal, deadline, console}: signal aborts when the console gives the request up
   * @param {(dir: "in"|"out", msg: object, info: object) => void} [o.onMessage] sees every accepted message (an inspector)
   * @param {(state: object) => void} [o.onStateChange] connection and click-to-dial changes;
   *   state.state is "connecting", "connected" or "disconnected"
   * @param {(refusal: object) => void} [o.onRefused] a softphone this console refused at the
   *   handshake: {code, message, origin} (code unsupported_version, or origin_not_allowed)
   * @param {number} [o.maxInFlight] requests in progress at once (32); more are answered busy
   * @param {number} [o.requestTimeoutMs] the console's own limit on a request (15000 ms)
   * @param {number} [o.pingAfterMs] quiet time before a ping (15000 ms)
   * @param {number} [o.pongTimeoutMs] how long a ping waits for its pong (5000 ms)
   */
  constructor({ frame, allowedOrigins, handlers = {}, onMessage, onStateChange, onRefused, window: win = globalThis.window,
    ...options }) {
    if (!frame) throw new TypeError("DeskConsole: frame is required");
    if (!Array.isArray(allowedOrigins) || allowedOrigins.length === 0) {
      throw new TypeError("DeskConsole: allowedOrigins must list the softphone origins");
    }
    if (allowedOrigins.includes("*")) throw new TypeError("DeskConsole: '*' is not an origin");
    this.options = { ...DEFAULTS };
    for (const [name, value] of Object.entries(options)) {
      if (!own(DEFAULTS, name)) throw new TypeError(`DeskConsole: unknown option ${name}`);
      if (!Number.isInteger(value) || value < 1) throw new TypeError(`DeskConsole: ${name} must be a whole number >= 1`);
      this.options[name] = value;
    }
    this._frame = typeof frame === "function" ? frame : () => frame.contentWindow;
    this._frameElement = typeof frame === "function" ? null : frame;
    this.allowedOrigins = new Set(allowedOrigins.map((o) => new URL(o).origin));
    this.handlers = handlers;
    this.onMessage = onMessage;
    this.onStateChange = onStateChange;
    this.onRefused = onRefused;
    /** The last handshake this console refused: {code, message, origin}, or null. */
    this.lastRefusal = null;
    this._versionsLogged = new Set();
    this.session = randomId();
    this.origin = null; // the softphone's origin, pinned at the handshake
    this.peerSession = null;
    this.clickToDialEnabled = false;
    this.state = "connecting";
    // ignored: not from the softphone frame; dropped: malformed or from an unpinned origin;
    // refused: origin not allowed; accepted: passed every check; busy: refused for the bound;
    // timedOut: given up; tooLarge: answers and events over the limit; late: results after a give-up
    // versionRefused: hellos of a protocol version this console does not speak
    this.stats = { ignored: 0, accepted: 0, dropped: 0, refused: 0, answered: 0, errors: 0,
      busy: 0, timedOut: 0, tooLarge: 0, late: 0, peakInFlight: 0, pings: 0, lost: 0, versionRefused: 0 };
    this._jobs = new Set(); // requests in progress
    this._n = 0;
    this._heardAt = 0;
    this._pingTimer = null; // set while a ping waits for its pong
    this._quietTimer = null;
    this._win = win;
    this._listener = (event) => this._receive(event);
    this._bye = () => this._post({ type: "bye" });
    this._onLoad = () => this.connected && this._ping(); // a new document in the frame: is it still ours?
    win.addEventListener("message", this._listener);
    win.addEventListener("pagehide", this._bye);
    this._frameElement?.addEventListener?.("load", this._onLoad);
  }

  get connected() {
    return this.origin !== null;
  }

  /** Requests from the softphone in progress now. */
  get inFlight() {
    return this._jobs.size;
  }

  /** Remove the listener; tell the softphone the console is going away. */
  destroy() {
    this._bye();
    this._win.removeEventListener("message", this._listener);
    this._win.removeEventListener("pagehide", this._bye);
    this._frameElement?.removeEventListener?.("load", this._onLoad);
    this._abortAll();
    this._stopWatching();
    this.origin = null;
  }

  /** Deliver a click on a telephone number; only while click-to-dial is enabled. False if not sent. */
  emitClickToDial({ number, objectId, object }) {
    if (!this.connected || !this.clickToDialEnabled) return false;
    if (typeof number !== "string" || !OBJECTS.includes(object)) {
      throw new TypeError("emitClickToDial: number must be a string and object customer, company or case");
    }
    return this._post({ type: "event", event: "clickToDial", data: { number, objectId: String(objectId), object } });
  }

  /**
   * A click on a number that failed (its record no longer exists, say): the softphone's
   * listener gets result null and this message, as the seed has it. Only while click-to-dial
   * is enabled. False if not sent.
   */
  emitClickToDialError(message = "Resource Object does not exist.") {
    if (!this.connected || !this.clickToDialEnabled) return false;
    return this._post({ type: "event", event: "clickToDial", data: {},
      error: { code: ErrorCode.NOT_FOUND, message: String(message) } });
  }

  /**
   * Tell the softphone a record is in focus: {url, objectId, object, objectName}; or, with
   * null, that no case, customer or company is in view (an event carrying an error, so a
   * softphone's "in view" does not go stale). False if not sent.
   */
  emitFocus(record) {
    if (!this.connected) return false;
    if (record === null) {
      return this._post({ type: "event", event: "focus", data: {},
        error: { code: ErrorCode.NOT_SUPPORTED_ON_PAGE, message: "no case, customer or company in view" } });
    }
    const { url, objectId, object, objectName } = record;
    return this._post({ type: "event", event: "focus", data: { url, objectId: String(objectId), object, objectName } });
  }

  // Post one message. Over the size limit nothing is posted: `tooLarge(size)` decides what
  // happens instead (by default, an event is dropped with a console error and false).
  _post(fields, origin = this.origin, tooLarge = null) {
    const win = this._frame();
    if (!origin || !win) return false;
    const msg = { ns: NAMESPACE, v: VERSION, id: `${this.session}-${++this._n}`, ...fields };
    const text = JSON.stringify(msg);
    if (text.length > MAX_MESSAGE_CHARS) {
      this.stats.tooLarge++;
      return tooLarge ? tooLarge(text.length) : this._eventTooLarge(fields, text.length);
    }
    win.postMessage(text, origin);
    this.onMessage?.("out", msg, { origin });
    return true;
  }

  // The common answer, a boolean result, written straight as its JSON (what _post's
  // JSON.stringify gives for it, in the same key order): no message object unless an inspector
  // wants one. It is a few hundred characters at most (an id is), far below the limit.
  _postBoolean(re, result) {
    const win = this._frame();
    const origin = this.origin;
    if (!origin || !win) return false;
    const id = `${this.session}-${++this._n}`;
    win.postMessage(`${HEAD}"id":"${id}","type":"response","re":${JSON.stringify(re)},"ok":true,"result":${result}}`, origin);
    this.onMessage?.("out", { ns: NAMESPACE, v: VERSION, id, type: "response", re, ok: true, result }, { origin });
    return true;
  }

  // Events are the page's own calls (not the softphone's input), so a log and false, not a throw.
  _eventTooLarge(fields, size) {
    console.error(`desk-console: the ${fields.event || fields.type} event is ${size} characters, ` +
      `over the protocol's limit of ${MAX_MESSAGE_CHARS}; not sent`);
    return false;
  }

  _setState(state) {
    this.state = state;
    this.onStateChange?.({ state, connected: this.connected, origin: this.origin, clickToDialEnabled: this.clickToDialEnabled });
  }

  _receive(event) {
    // 1. source: only the softphone frame's window
    if (!event.source || event.source !== this._frame()) {
      this.stats.ignored++;
      return;
    }
    // 2. origin, before anything is parsed: a page of another origin in the frame pays nothing
    // but a short hello's refusal (posted to its own origin, never to an opaque one)
    if (!this.allowedOrigins.has(event.origin)) {
      this.stats.refused++;
      const hello = typeof event.data === "string" && event.data.length <= MAX_HELLO_CHARS && event.origin !== "null"
        ? parseMessage(event.data) : null;
      if (hello && hello.type === "hello") {
        this._refuse(hello.id, event.origin, ErrorCode.ORIGIN_NOT_ALLOWED,
          `this console does not allow softphones from ${event.origin}`);
      }
      return;
    }
    // 3. shape
    const msg = parseMessage(event.data);
    if (msg === null) {
      const other = otherVersionHello(event.data);
      if (other) return this._refuseVersion(event, other);
      this.stats.dropped++;
      return this._answerMalformed(event);
    }
    if (msg.type === "hello") return this._hello(event, msg);
    if (event.origin !== this.origin) {
      this.stats.dropped++;
      return;
    }
    this.stats.accepted++;
    this._heard();
    this.onMessage?.("in", msg, { origin: event.origin });
    if (msg.type === "request") this._request(msg);
  }

  // A request whose id can still be read gets the bad-arguments error.
  _answerMalformed(event) {
    if (event.origin !== this.origin || typeof event.data !== "string" || event.data.length > MAX_MESSAGE_CHARS) return;
    let msg;
    try {
      msg = JSON.parse(event.data);
    } catch {
      return;
    }
    if (OBJ(msg) && msg.ns === NAMESPACE && msg.type === "request" && isId(msg.id)) {
      this._reply(msg, bad("malformed request"));
    }
  }

  // A hello this console cannot accept gets an error naming why, posted to the softphone's own
  // origin (never "*", never an opaque origin); the page hears it through onRefused and the log.
  _refuse(re, origin, code, message, extra = {}) {
    const error = { code, message, ...extra };
    this.lastRefusal = { code, message, origin };
    this._post({ type: "error", re, error }, origin);
    this.onRefused?.({ code, message, origin });
  }

  // A softphone of another protocol version: told which version this console speaks, and the
  // console page says so (a log line, the inspector, onRefused). Nothing is pinned.
  _refuseVersion(event, hello) {
    this.stats.versionRefused++;
    const message = `this console speaks desk-cti protocol version ${VERSION}; ` +
      `the softphone at ${event.origin} speaks version ${showVersion(hello.v)}`;
    // once per softphone and version: its hellos repeat until it hears the refusal
    const key = `${event.origin} ${showVersion(hello.v)}`;
    if (!this._versionsLogged.has(key)) console.error(`desk-console: refused a softphone: ${message}`);
    this._versionsLogged.add(key);
    this.onMessage?.("in", { ns: NAMESPACE, v: hello.v, type: "hello", id: hello.id }, { origin: event.origin });
    this._refuse(hello.id, event.origin, ErrorCode.UNSUPPORTED_VERSION, message, { supported: [VERSION] });
  }

  _hello(event, msg) {
    if (!isId(msg.session)) {
      this.stats.dropped++;
      return;
    }
    if (msg.session !== this.peerSession) {
      // A new softphone (first load or a reload): state starts afresh, the old one's work is dropped.
      this._abortAll();
      this.clickToDialEnabled = false;
      this.peerSession = msg.session;
    }
    this.origin = event.origin;
    this.stats.accepted++;
    this._heard();
    this.onMessage?.("in", msg, { origin: event.origin });
    this._post({ type: "welcome", re: msg.id, session: this.session });
    this._setState("connected");
  }

  // ---- liveness: a quiet softphone is pinged; no pong in time and it is gone

  // Anything accepted from the softphone shows it is there.
  _heard() {
    this._heardAt = performance.now();
    if (this._pingTimer !== null) {
      clearTimeout(this._pingTimer);
      this._pingTimer = null;
    }
    if (this._quietTimer === null) this._watch(this.options.pingAfterMs);
  }

  // One timer, re-armed when it fires rather than on every message (bursts stay cheap).
  _watch(ms) {
    this._quietTimer = setTimeout(() => {
      this._quietTimer = null;
      if (!this.connected) return;
      const quiet = performance.now() - this._heardAt;
      if (quiet >= this.options.pingAfterMs) this._ping();
      else this._watch(this.options.pingAfterMs - quiet);
    }, ms);
  }

  _ping() {
    if (this._pingTimer !== null) return; // one question at a time
    this.stats.pings++;
    this._post({ type: "ping" });
    this._pingTimer = setTimeout(() => this._lost(), this.options.pongTimeoutMs);
  }

  _stopWatching() {
    clearTimeout(this._pingTimer);
    clearTimeout(this._quietTimer);
    this._pingTimer = this._quietTimer = null;
  }

  // No pong: the frame holds another page, a reload that never came back, or a hung softphone.
  // Disconnected until a new hello; the bye tells a softphone that was only slow to shake hands again.
  _lost() {
    const origin = this.origin;
    this.stats.lost++;
    this._stopWatching();
    this._abortAll();
    this.origin = null;
    this.peerSession = null;
    this.clickToDialEnabled = false;
    this._post({ type: "bye" }, origin);
    // a new console session: the softphone that shakes hands again knows its click-to-dial is off
    this.session = randomId();
    this._setState("disconnected");
  }

  // ---- requests

  // A handler that answers at once is answered in the same task, with no timer and no promise;
  // one that returns a promise is given up at its deadline (a timer for those only).
  _request(msg) {
    let params, timeout;
    try {
      params = this._check(msg);
      timeout = callerTimeout(msg);
      if (this._jobs.size >= this.options.maxInFlight) {
        this.stats.busy++;
        throw new CtiConsoleError(ErrorCode.BUSY,
          `${msg.method}: ${this._jobs.size} requests from this softphone are in progress; try again later`);
      }
    } catch (e) {
      this._reply(msg, e);
      return;
    }
    const job = this._start(msg, budget(timeout, this.options.requestTimeoutMs));
    let result;
    try {
      result = this._handle(msg.method, params, job.ctx);
      if (result !== null && (typeof result === "object" || typeof result === "function") && typeof result.then === "function") {
        this._arm(job);
        Promise.resolve(result).then((r) => this._settle(job, r), (e) => this._finish(job, e));
        return;
      }
    } catch (e) {
      this._finish(job, e);
      return;
    }
    this._settle(job, result);
  }

  // A handler's result, checked against the method's table, answers the request.
  _settle(job, result) {
    try {
      if (!checkResult(job.msg.method, result)) {
        throw new CtiConsoleError(ErrorCode.CONSOLE_ERROR, `${job.msg.method}: the console's handler returned a bad result`);
      }
      this._finish(job, null, result);
    } catch (e) {
      this._finish(job, e);
    }
  }

  // The method's argument rule: the params a handler gets, or a thrown protocol error.
  _check(msg) {
    return checkRequest(msg.method, msg.params);
  }

  // A request in progress: counted against the bound until it is answered or given up.
  _start(msg, ms) {
    const job = { msg, ms, done: false, timer: null, ctx: new RequestContext(performance.now() + ms, this) };
    this._jobs.add(job);
    if (this._jobs.size > this.stats.peakInFlight) this.stats.peakInFlight = this._jobs.size;
    return job;
  }

  // A request still working after its handler returned: given up (its work aborted) at its deadline.
  _arm(job) {
    const { msg, ms } = job;
    job.timer = setTimeout(() => {
      this.stats.timedOut++;
      this._finish(job, new CtiConsoleError(ErrorCode.TIMEOUT,
        `${msg.method}: the console gave up after ${Math.round(ms)} ms, before the caller's deadline` +
        (msg.method === "ajax" ? "; a write may have reached the API (read before you retry)" : "")));
      RequestContext.abort(job.ctx);
    }, Math.max(0, job.ctx.deadline - performance.now()));
  }

  // The first outcome answers; one after a give-up is only counted.
  _finish(job, error, result) {
    if (job.done) {
      this.stats.late++;
      return;
    }
    job.done = true;
    if (job.timer !== null) clearTimeout(job.timer);
    this._jobs.delete(job);
    this._reply(job.msg, error, result);
  }

  // Work for a softphone that is gone cannot be answered: stop it.
  _abortAll() {
    for (const job of this._jobs) {
      job.done = true;
      if (job.timer !== null) clearTimeout(job.timer);
      RequestContext.abort(job.ctx);
    }
    this._jobs.clear();
  }

  // The handler's result, or a promise of it.
  _handle(method, params, ctx) {
    if (method === "enableClickToDial" || method === "disableClickToDial") return this._clickToDial(method, params, ctx);
    const handler = this.handlers[method];
    if (typeof handler !== "function") {
      throw new CtiConsoleError(ErrorCode.UNKNOWN_METHOD, `this console does not answer ${method}`);
    }
    return handler(params, ctx);
  }

  // Click-to-dial is on or off once the page's handler (if any) says it is.
  async _clickToDial(method, params, ctx) {
    const ok = this.handlers[method] ? await this.handlers[method](params, ctx) : true;
    if (ok === true && !ctx.signal.aborted) {
      this.clickToDialEnabled = method === "enableClickToDial";
      this._setState(this.state);
    }
    return ok;
  }

  _reply(req, error, result) {
    if (!error && typeof result === "boolean") {
      this.stats.answered++;
      return this._postBoolean(req.id, result);
    }
    const method = typeof req.method === "string" ? req.method : "";
    let fields;
    if (error) {
      this.stats.errors++;
      if (!(error instanceof CtiConsoleError)) console.error("desk-console: handler failed", error);
      fields = { type: "response", re: req.id, ok: false, result: null, error: errorObject(method, error) };
    } else {
      this.stats.answered++;
      fields = { type: "response", re: req.id, ok: true, result };
    }
    // an answer over the limit becomes a too_large error the softphone can read at once
    return this._post(fields, this.origin, (size) => this._post({ type: "response", re: req.id, ok: false, result: null,
      error: tooLargeError(method, error ? fields.error : result, size) }));
  }
}
