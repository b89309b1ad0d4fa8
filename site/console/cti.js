// The demo console's answers to the softphone: Desk's behaviour for every Open CTI method.
import { CtiConsoleError, ErrorCode } from "/loader/desk-console.js";
import { api } from "./api.js";
import { pluralOf } from "./views.js";

const MAX_AJAX_BODY = 64 * 1024;
const AJAX_TIMEOUT_MS = 15000;
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

export async function ajax({ url, method, data }, onChange = () => {}) {
  const path = apiPath(url);
  const payload = body(method, data);
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), AJAX_TIMEOUT_MS);
  let r;
  try {
    r = await api(path, { method, body: payload, signal: abort.signal });
  } catch (error) {
    throw fail(ErrorCode.HTTP_ERROR, `ajax: ${error.message}`, { status: 0, statusText: "" });
  } finally {
    clearTimeout(timer);
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

/**
 * Handlers for DeskConsole. `ui` gives the console's pieces: navigate(path), refresh()
 * (show changed data), page() (the record in view or null), me() (the signed-in agent), the panel.
 */
export function handlers(ui) {
  return {
    setSoftphoneHeight({ height }) {
      ui.frame.style.height = `${height}px`;
      return true;
    },
    setSoftphoneWidth({ width }) {
      ui.panel.style.width = `${width}px`;
      return true;
    },
    setVisible({ value }) {
      ui.setVisible(value);
      return true;
    },
    isVisible() {
      return !ui.panel.hidden;
    },
    async screenPop({ id, object }) {
      if (!/^\d{1,12}$/.test(id)) throw fail(ErrorCode.NOT_FOUND, `${object} ${id} does not exist`);
      const r = await api(`/api/v2/${pluralOf(object)}/${id}`);
      if (r.status === 404) throw fail(ErrorCode.NOT_FOUND, `${object} ${id} does not exist`);
      if (!r.ok) throw fail(ErrorCode.CONSOLE_ERROR, `screenPop: the API answered ${r.status} ${r.statusText}`);
      await ui.navigate(`/agent/${pluralOf(object)}/${id}`);
      return true;
    },
    async searchAndScreenPop({ searchString, object }) {
      if (object === "customer") {
        const r = await api(`/api/v2/customers/search?q=${encodeURIComponent(searchString)}&per_page=100`);
        if (!r.ok) throw fail(ErrorCode.CONSOLE_ERROR, `searchAndScreenPop: the API answered ${r.status}`);
        const exact = exactCustomer(r.data._embedded.entries, searchString);
        if (exact.length === 1) {
          const c = exact[0];
          const created = await api("/api/v2/cases", {
            method: "POST",
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
    ajax: (params) => ajax(params, ui.refresh),
  };
}
