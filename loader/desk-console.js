// desk-console.js: the console's half of the desk-cti protocol (docs/protocol.md, version 1).
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

export const NAMESPACE = "desk-cti";
export const VERSION = 1;
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
});
const CODES = new Set(Object.values(ErrorCode));

/** Throw this from a handler to answer with a protocol error code. */
export class CtiConsoleError extends Error {
  constructor(code, message, extra = {}) {
    super(message);
    this.code = CODES.has(code) ? code : ErrorCode.CONSOLE_ERROR;
    this.extra = extra; // e.g. {status, statusText} for ajax
  }
}

const OBJECTS = ["customer", "company", "case"];
const AJAX_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"];
const own = (o, k) => Object.prototype.hasOwnProperty.call(o, k);
const bad = (message) => new CtiConsoleError(ErrorCode.BAD_ARGUMENTS, message);

function isId(v) {
  return typeof v === "string" && v.length > 0 && v.length <= 120;
}

function number(p, name) {
  const v = p[name];
  if (typeof v !== "number" || !Number.isFinite(v)) throw bad(`${name} must be a number`);
  if (v < 0) throw bad(`${name} must be equal or greater than 0, got ${v}`);
  return { [name]: v };
}

function noParams(p) {
  const keys = Object.keys(p);
  if (keys.length) throw bad(`takes no arguments, got ${keys.join(", ")}`);
  return {};
}

/** Parse queryParams ("object=case&..."); returns the object type and all pairs. */
export function parseQueryParams(query) {
  if (typeof query !== "string" || query.length > 2000) throw bad("queryParams must be a string");
  const params = new URLSearchParams(query.replace(/^\?/, ""));
  const objects = params.getAll("object");
  if (objects.length !== 1 || !OBJECTS.includes(objects[0])) {
    throw bad(`queryParams must carry object=customer, object=company or object=case, got ${JSON.stringify(query)}`);
  }
  return { object: objects[0], query: Object.fromEntries(params) };
}

function recordId(v) {
  if (typeof v !== "string" || !v.trim() || v.length > 200) throw bad("id must be a non-empty string");
  return v;
}

// Each request method: its argument rule (returns the params a handler gets)
// and the check on what the handler returns.
const BOOL = (r) => typeof r === "boolean";
const OBJ = (r) => r !== null && typeof r === "object" && !Array.isArray(r);
export const METHODS = {
  setSoftphoneHeight: [(p) => number(p, "height"), BOOL],
  setSoftphoneWidth: [(p) => number(p, "width"), BOOL],
  enableClickToDial: [noParams, BOOL],
  disableClickToDial: [noParams, BOOL],
  screenPop: [(p) => ({ id: recordId(p.id), ...parseQueryParams(p.queryParams) }), BOOL],
  searchAndScreenPop: [
    (p) => {
      const s = p.searchString;
      if (typeof s !== "string" || !s.trim() || s.length > 500) throw bad("searchString must be a non-empty string");
      return { searchString: s, ...parseQueryParams(p.queryParams) };
    },
    BOOL,
  ],
  getPageInfo: [noParams, OBJ],
  setVisible: [
    (p) => {
      if (typeof p.value !== "boolean") throw bad("value must be a boolean");
      return { value: p.value };
    },
    BOOL,
  ],
  isVisible: [noParams, BOOL],
  getUserInfo: [noParams, OBJ],
  ajax: [
    (p) => {
      if (typeof p.url !== "string" || !p.url.trim() || p.url.length > 2000) throw bad("url must be a non-empty string");
      const method = own(p, "method") ? p.method : "GET";
      if (typeof method !== "string" || !AJAX_METHODS.includes(method.toUpperCase())) {
        throw bad(`method must be one of ${AJAX_METHODS.join(", ")}`);
      }
      const data = own(p, "data") ? p.data : undefined;
      if (data !== undefined && data !== null && typeof data !== "string" && typeof data !== "object") {
        throw bad("data must be a string, an object or an array");
      }
      return { url: p.url, method: method.toUpperCase(), data: data ?? undefined };
    },
    (r) => OBJ(r) && Number.isInteger(r.status),
  ],
};

// JSON.parse with no prototype surprises: "__proto__" keys become plain data.
function parseMessage(text) {
  if (typeof text !== "string" || text.length > MAX_MESSAGE_CHARS) return null;
  let msg;
  try {
    msg = JSON.parse(text);
  } catch {
    return null;
  }
  if (!OBJ(msg) || msg.ns !== NAMESPACE || msg.v !== VERSION || !isId(msg.id)) return null;
  if (msg.type !== "hello" && msg.type !== "request") return null;
  if (msg.type === "request" && (typeof msg.method !== "string" || msg.method.length > 64)) return null;
  return msg;
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
   * @param {object} o.handlers method name -> (params, ctx) => result (or a promise of it)
   * @param {(dir: "in"|"out", msg: object, info: object) => void} [o.onMessage] sees every accepted message (an inspector)
   * @param {(state: object) => void} [o.onStateChange] connection and click-to-dial changes
   */
  constructor({ frame, allowedOrigins, handlers = {}, onMessage, onStateChange, window: win = globalThis.window }) {
    if (!frame) throw new TypeError("DeskConsole: frame is required");
    if (!Array.isArray(allowedOrigins) || allowedOrigins.length === 0) {
      throw new TypeError("DeskConsole: allowedOrigins must list the softphone origins");
    }
    if (allowedOrigins.includes("*")) throw new TypeError("DeskConsole: '*' is not an origin");
    this._frame = typeof frame === "function" ? frame : () => frame.contentWindow;
    this.allowedOrigins = new Set(allowedOrigins.map((o) => new URL(o).origin));
    this.handlers = handlers;
    this.onMessage = onMessage;
    this.onStateChange = onStateChange;
    this.session = randomId();
    this.origin = null; // the softphone's origin, pinned at the handshake
    this.peerSession = null;
    this.clickToDialEnabled = false;
    // ignored: not from the softphone frame; dropped: malformed or from an unpinned origin;
    // refused: origin not allowed; accepted: passed every check
    this.stats = { ignored: 0, accepted: 0, dropped: 0, refused: 0, answered: 0, errors: 0 };
    this._n = 0;
    this._win = win;
    this._listener = (event) => this._receive(event);
    this._bye = () => this._post({ type: "bye" });
    win.addEventListener("message", this._listener);
    win.addEventListener("pagehide", this._bye);
  }

  get connected() {
    return this.origin !== null;
  }

  /** Remove the listener; tell the softphone the console is going away. */
  destroy() {
    this._bye();
    this._win.removeEventListener("message", this._listener);
    this._win.removeEventListener("pagehide", this._bye);
    this.origin = null;
  }

  /** Deliver a click on a telephone number; only while click-to-dial is enabled. */
  emitClickToDial({ number, objectId, object }) {
    if (!this.connected || !this.clickToDialEnabled) return false;
    if (typeof number !== "string" || !OBJECTS.includes(object)) {
      throw new TypeError("emitClickToDial: number must be a string and object customer, company or case");
    }
    return this._post({ type: "event", event: "clickToDial", data: { number, objectId: String(objectId), object } });
  }

  /** Tell the softphone a record is in focus: {url, objectId, object, objectName}. */
  emitFocus({ url, objectId, object, objectName }) {
    if (!this.connected) return false;
    return this._post({ type: "event", event: "focus", data: { url, objectId: String(objectId), object, objectName } });
  }

  _post(fields, origin = this.origin) {
    const win = this._frame();
    if (!origin || !win) return false;
    const msg = { ns: NAMESPACE, v: VERSION, id: `${this.session}-${++this._n}`, ...fields };
    win.postMessage(JSON.stringify(msg), origin);
    this.onMessage?.("out", msg, { origin });
    return true;
  }

  _state() {
    this.onStateChange?.({ connected: this.connected, origin: this.origin, clickToDialEnabled: this.clickToDialEnabled });
  }

  _receive(event) {
    // 1. source: only the softphone frame's window
    if (!event.source || event.source !== this._frame()) {
      this.stats.ignored++;
      return;
    }
    // 2. shape
    const msg = parseMessage(event.data);
    if (msg === null) {
      this.stats.dropped++;
      return this._answerMalformed(event);
    }
    // 3. origin
    if (!this.allowedOrigins.has(event.origin)) {
      this.stats.refused++;
      if (msg.type === "hello") {
        this._post({ type: "error", re: msg.id, error: {
          code: ErrorCode.ORIGIN_NOT_ALLOWED, message: `this console does not allow softphones from ${event.origin}` } },
          event.origin);
      }
      return;
    }
    if (msg.type === "hello") return this._hello(event, msg);
    if (event.origin !== this.origin) {
      this.stats.dropped++;
      return;
    }
    this.stats.accepted++;
    this.onMessage?.("in", msg, { origin: event.origin });
    this._request(msg);
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
      this._reply(msg.id, bad("malformed request"));
    }
  }

  _hello(event, msg) {
    if (!isId(msg.session)) {
      this.stats.dropped++;
      return;
    }
    if (msg.session !== this.peerSession) {
      // A new softphone (first load or a reload): state starts afresh.
      this.clickToDialEnabled = false;
      this.peerSession = msg.session;
    }
    this.origin = event.origin;
    this.stats.accepted++;
    this.onMessage?.("in", msg, { origin: event.origin });
    this._post({ type: "welcome", re: msg.id, session: this.session });
    this._state();
  }

  async _request(msg) {
    const spec = own(METHODS, msg.method) ? METHODS[msg.method] : null;
    let result;
    try {
      if (!spec) throw new CtiConsoleError(ErrorCode.UNKNOWN_METHOD, `unknown method ${JSON.stringify(msg.method)}`);
      const raw = msg.params === undefined ? {} : msg.params;
      if (!OBJ(raw)) throw bad("params must be an object");
      let params;
      try {
        params = spec[0](raw);
      } catch (e) {
        if (e instanceof CtiConsoleError) e.message = `${msg.method}: ${e.message}`;
        throw e;
      }
      result = await this._handle(msg.method, params);
      if (!spec[1](result)) {
        throw new CtiConsoleError(ErrorCode.CONSOLE_ERROR, `${msg.method}: the console's handler returned a bad result`);
      }
    } catch (e) {
      this._reply(msg.id, e);
      return;
    }
    this._reply(msg.id, null, result);
  }

  async _handle(method, params) {
    if (method === "enableClickToDial" || method === "disableClickToDial") {
      const enable = method === "enableClickToDial";
      const ok = this.handlers[method] ? await this.handlers[method](params, this) : true;
      if (ok === true) {
        this.clickToDialEnabled = enable;
        this._state();
      }
      return ok;
    }
    const handler = this.handlers[method];
    if (typeof handler !== "function") {
      throw new CtiConsoleError(ErrorCode.UNKNOWN_METHOD, `this console does not answer ${method}`);
    }
    return handler(params, this);
  }

  _reply(re, error, result) {
    if (error) {
      this.stats.errors++;
      const known = error instanceof CtiConsoleError;
      const err = {
        code: known ? error.code : ErrorCode.CONSOLE_ERROR,
        message: String((error && error.message) || error || "console error"),
        ...(known ? error.extra : {}),
      };
      if (!known) console.error("desk-console: handler failed", error);
      return this._post({ type: "response", re, ok: false, result: null, error: err });
    }
    this.stats.answered++;
    return this._post({ type: "response", re, ok: true, result });
  }
}
