// The demo console's answers to the softphone: Desk's behaviour for every Open CTI method.
import { CtiConsoleError, ErrorCode } from "/loader/desk-console.js";
import { api } from "./api.js";
import { pluralOf } from "./views.js";

const MAX_AJAX_BODY = 64 * 1024;
const AJAX_TIMEOUT_MS = 15000; // a cap of our own; the request's ctx.signal ends it sooner at the caller's deadline
const WRITES_BURST = 10; // records a softphone may create at once ...
const WRITES_PER_SECOND = 0.5; // ... and then one every 2 s
// What the softphone panel may be: the main content keeps at least MAIN_MIN_WIDTH px beside it.
const PANEL_MIN_WIDTH = 200;
const PANEL_MIN_HEIGHT = 120;
const MAIN_MIN_WIDTH = 360;
const LAYOUT_GUTTERS = 48; // .layout's padding (2 x 16 px) and gap (16 px)
const digits = (s) => String(s).replace(/\D/g, "");
// the same number with or without the North American country code
const national = (s) => digits(s).replace(/^1(?=\d{7,}$)/, "");
const fail = (code, message, extra) => new CtiConsoleError(code, message, extra);

/**
 * The one gate for ajax: a path of this console's own /api/v2, nothing else.
 * Absolute URLs to other origins, protocol-relative URLs, credentials, "..", encoded
 * separators and backslashes are refused before anything is sent.
 */
export function apiPath(raw) {
  const refuse = (why) => fail(ErrorCode.BAD_ARGUMENTS, `ajax: ${why}; only this console's own /api/v2/ is reachable`);
  // eslint-disable-next-line no-control-regex
  if (/[\\\u0000-\u001f\u007f]/.test(raw)) throw refuse("control characters or backslashes in the URL");
  if (/%(2e|2f|5c)/i.test(raw)) throw refuse("encoded '.', '/' or '\\' in the URL");
  const path = raw.split(/[?#]/)[0];
  if (path.split("/").some((seg) => seg === ".." || seg === ".")) throw refuse("'.' or '..' in the path");
  let url;
  try {
    url = new URL(raw, location.origin);
  } catch {
    throw refuse("not a URL");
  }
  if (url.origin !== location.origin) throw refuse(`${url.origin} is another origin`);
  if (url.username || url.password) throw refuse("credentials in the URL");
  if (!url.pathname.startsWith("/api/v2/")) throw refuse(`${url.pathname} is outside /api/v2/`);
  return url.pathname + url.search;
}

function body(method, data) {
  if (data === undefined || data === null) return undefined;
  if (!["POST", "PUT", "PATCH"].includes(method)) {
    throw fail(ErrorCode.BAD_ARGUMENTS, `ajax: data is sent only with POST, PUT or PATCH, not ${method}`);
  }
  const text = typeof data === "string" ? data : JSON.stringify(data);
  if (text.length > MAX_AJAX_BODY) throw fail(ErrorCode.BAD_ARGUMENTS, `ajax: data is over ${MAX_AJAX_BODY} bytes`);
  return text;
}

/**
 * A token bucket for the actions that create records: `burst` at once, then `perSecond`.
 * take() is false when empty; the caller answers busy.
 */
export class TokenBucket {
  constructor(burst = WRITES_BURST, perSecond = WRITES_PER_SECOND, now = () => performance.now()) {
    Object.assign(this, { burst, perSecond, now, tokens: burst, at: now(), taken: 0, refused: 0 });
  }

  take() {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.at) / 1000) * this.perSecond);
    this.at = t;
    if (this.tokens < 1) {
      this.refused++;
      return false;
    }
    this.tokens -= 1;
    this.taken++;
    return true;
  }

  busy(what) {
    const wait = Math.ceil((1 - this.tokens) / this.perSecond);
    return fail(ErrorCode.BUSY, `${what}: too many records created; try again in ${wait} s`);
  }
}

// The request's own signal (the caller's deadline, the console's limit) and our cap, whichever ends first.
function deadline(signal) {
  const cap = AbortSignal.timeout(AJAX_TIMEOUT_MS);
  return signal ? AbortSignal.any([signal, cap]) : cap;
}

export async function ajax({ url, method, data }, { signal, onChange = () => {}, writes } = {}) {
  const path = apiPath(url);
  const payload = body(method, data);
  if (method !== "GET" && writes && !writes.take()) throw writes.busy("ajax");
  const limit = deadline(signal);
  let r;
  try {
    r = await api(path, { method, body: payload, signal: limit });
  } catch (error) {
    if (limit.aborted) {
      throw fail(ErrorCode.TIMEOUT, `ajax: no answer from the API in time; a write may have reached it`, { status: 0, statusText: "" });
    }
    throw fail(ErrorCode.HTTP_ERROR, `ajax: ${error.message}`, { status: 0, statusText: "" });
  }
  if (!r.ok) {
    const message = (r.data && r.data.message) || r.statusText || `HTTP ${r.status}`;
    throw fail(ErrorCode.HTTP_ERROR, message, { status: r.status, statusText: r.statusText, data: r.data });
  }
  if (method !== "GET") onChange();
  return { data: r.data, status: r.status, statusText: r.statusText };
}

function exactCustomer(entries, q) {
  const qd = national(q);
  const ql = q.trim().toLowerCase();
  return entries.filter(
    (c) =>
      (qd.length >= 7 && c.phone_numbers.some((p) => national(p.value) === qd)) ||
      c.emails.some((e) => e.value.toLowerCase() === ql) ||
      `${c.first_name} ${c.last_name}`.toLowerCase() === ql,
  );
}

const PANEL_MARGIN = 8; // px between the panel's bottom and the window's
const clamp = (v, lo, hi) => Math.max(lo, Math.min(v, Math.max(lo, hi)));

/**
 * The softphone panel at the size it asks for, fitted to what the console can show: never so
 * wide that the main content has less than MAIN_MIN_WIDTH, never lower than the window's bottom.
 * Fitted again when the window changes size.
 */
function panelSizer(ui) {
  const asked = { width: null, height: null };
  const fit = () => {
    if (asked.width !== null) {
      const max = window.innerWidth - MAIN_MIN_WIDTH - LAYOUT_GUTTERS;
      ui.panel.style.width = `${clamp(asked.width, PANEL_MIN_WIDTH, max)}px`;
    }
    if (asked.height !== null) {
      // below the console's top bar: the whole panel stays in view without scrolling the page
      const top = ui.frame.getBoundingClientRect().top + window.scrollY;
      ui.frame.style.height = `${clamp(asked.height, PANEL_MIN_HEIGHT, window.innerHeight - top - PANEL_MARGIN)}px`;
    }
  };
  window.addEventListener("resize", fit);
  return (size) => {
    Object.assign(asked, size);
    fit();
    return true;
  };
}

/**
 * Handlers for DeskConsole. `ui` gives the console's pieces: navigate(path), refresh()
 * (show changed data), page() (the record in view or null), me() (the signed-in agent), the panel,
 * and `writes`, the TokenBucket for record-creating actions.
 */
export function handlers(ui) {
  const size = panelSizer(ui);
  const writes = ui.writes ?? new TokenBucket();
  return {
    setSoftphoneHeight: ({ height }) => size({ height }),
    setSoftphoneWidth: ({ width }) => size({ width }),
    setVisible({ value }) {
      ui.setVisible(value);
      return true;
    },
    isVisible() {
      return !ui.panel.hidden;
    },
    async screenPop({ id, object }, { signal } = {}) {
      if (!/^\d{1,12}$/.test(id)) throw fail(ErrorCode.NOT_FOUND, `${object} ${id} does not exist`);
      const r = await api(`/api/v2/${pluralOf(object)}/${id}`, { signal });
      if (r.status === 404) throw fail(ErrorCode.NOT_FOUND, `${object} ${id} does not exist`);
      if (!r.ok) throw fail(ErrorCode.CONSOLE_ERROR, `screenPop: the API answered ${r.status} ${r.statusText}`);
      await ui.navigate(`/agent/${pluralOf(object)}/${id}`);
      return true;
    },
    async searchAndScreenPop({ searchString, object }, { signal } = {}) {
      if (object === "customer") {
        const r = await api(`/api/v2/customers/search?q=${encodeURIComponent(searchString)}&per_page=100`, { signal });
        if (!r.ok) throw fail(ErrorCode.CONSOLE_ERROR, `searchAndScreenPop: the API answered ${r.status}`);
        const exact = exactCustomer(r.data._embedded.entries, searchString);
        if (exact.length === 1) {
          if (!writes.take()) throw writes.busy("searchAndScreenPop");
          const c = exact[0];
          const created = await api("/api/v2/cases", {
            method: "POST",
            signal,
            body: { subject: `Phone call from ${c.first_name} ${c.last_name}`, type: "phone", status: "open", customer_id: c.id,
              description: `Inbound call from ${searchString}.` },
          });
          if (!created.ok) throw fail(ErrorCode.CONSOLE_ERROR, `searchAndScreenPop: could not create the phone case (${created.status})`);
          await ui.navigate(`/agent/cases/${created.data.id}`);
          return true;
        }
      }
      await ui.navigate(`/agent/search?object=${object}&q=${encodeURIComponent(searchString)}`);
      return true;
    },
    getPageInfo() {
      const page = ui.page();
      if (!page) {
        throw fail(ErrorCode.NOT_SUPPORTED_ON_PAGE, "getPageInfo works only on case, customer and company pages");
      }
      return page;
    },
    async getUserInfo() {
      const me = await ui.me();
      return {
        userId: String(me.id), email: me.email, userName: me.email, fullName: me.name,
        profilePhotoUrl: new URL(me.avatar, location.origin).href,
        profileThumbnailUrl: new URL(me.avatar, location.origin).href,
        userType: me.level, language: me.language, locale: me.locale, siteUrl: location.origin,
      };
    },
    ajax: (params, { signal } = {}) => ajax(params, { signal, onChange: ui.refresh, writes }),
  };
}
