// The demo console: pages, click-to-dial, the softphone panel and the inspector, on loader/desk-console.js.
import { DeskConsole } from "/loader/desk-console.js";
import { api, apiGet } from "./api.js";
import { TokenBucket, handlers } from "./cti.js";
import { inspector } from "./inspector.js";
import { navigate, onRoute, render, start } from "./router.js";
import { pluralOf, renderPage } from "./views.js";

const $ = (id) => document.getElementById(id);
const main = $("main");
const frame = $("softphone");
const panel = $("softphone-panel");
let page = null; // the record in view: {url, objectId, object, objectName}
let mePromise = null;
const me = () => (mePromise ??= apiGet("/api/v2/users/me"));

function setVisible(value) {
  panel.hidden = !value;
  $("show-softphone").hidden = value;
}
$("show-softphone").addEventListener("click", () => setVisible(true));

// Telephone numbers are click-to-dial links only while the softphone has it enabled.
function applyClickToDial() {
  const on = cti.connected && cti.clickToDialEnabled;
  document.body.classList.toggle("ctd-on", on);
  $("ctd-state").textContent = on ? "Click-to-dial on" : "Click-to-dial off";
  for (const el of document.querySelectorAll(".phone-number")) {
    if (on) {
      el.setAttribute("role", "link");
      el.tabIndex = 0;
      el.title = "Click to dial";
    } else {
      el.removeAttribute("role");
      el.removeAttribute("tabindex");
      el.removeAttribute("title");
    }
  }
}

// A number whose record no longer exists (removed since the page was drawn) is the seed's
// failed click: the softphone hears result null and "Resource Object does not exist.".
async function dial(el) {
  const { number, objectId, object } = el.dataset;
  let gone = false;
  try {
    gone = (await api(`/api/v2/${pluralOf(object)}/${encodeURIComponent(objectId)}`)).status === 404;
  } catch (e) {
    console.error("click-to-dial: could not check the record; the click goes through", e);
  }
  if (gone) cti.emitClickToDialError();
  else cti.emitClickToDial({ number, objectId, object });
}
document.addEventListener("click", (event) => {
  const el = event.target.closest(".phone-number[role=link]");
  if (el) {
    event.preventDefault();
    dial(el);
  }
});
document.addEventListener("keydown", (event) => {
  const el = event.target.closest?.(".phone-number[role=link]");
  if (el && (event.key === "Enter" || event.key === " ")) {
    event.preventDefault();
    dial(el);
  }
});

$("search").addEventListener("submit", (event) => {
  event.preventDefault();
  const q = event.target.q.value.trim();
  if (q) navigate(`/agent/search?object=${event.target.object.value}&q=${encodeURIComponent(q)}`);
});

const STATE_TEXT = { connected: "Softphone: connected", connecting: "Softphone: connecting…", disconnected: "Softphone: disconnected" };
const cfg = await (await fetch("/config.json")).json();
const writes = new TokenBucket(); // the softphone's record-creating actions, rate-limited
const cti = new DeskConsole({
  frame,
  allowedOrigins: [cfg.softphoneOrigin],
  handlers: handlers({ frame, panel, setVisible, navigate, refresh: render, page: () => page, me, writes }),
  onMessage: inspector($("inspector")),
  onStateChange({ state, connected }) {
    $("cti-state").dataset.state = state;
    $("cti-state").textContent = STATE_TEXT[state];
    applyClickToDial();
    tellFocus();
  },
});
window.deskConsole = cti; // for the curious, and for tests
window.deskWrites = writes;

const same = (a, b) => a === b || (a && b && a.object === b.object && a.objectId === b.objectId && a.objectName === b.objectName);
// What the connected softphone last heard of focus: a focus event goes out when focus changes
// (a record comes into view, or none is), and once to a softphone that has just connected;
// never again for the same record because something else (click-to-dial) changed.
// inView is the page as last rendered (page is null while a page renders).
let heard = { session: null, page: null };
let inView = null;
function tellFocus() {
  if (!cti.connected) {
    heard = { session: null, page: null };
    return;
  }
  const fresh = cti.peerSession !== heard.session;
  if (!fresh && same(inView, heard.page)) return;
  if (inView) cti.emitFocus(inView);
  else if (!fresh) noRecordInFocus();
  heard = { session: cti.peerSession, page: inView };
}
// No case, customer or company in view: a focus event carrying an error, so the softphone's
// "in view" does not go stale.
function noRecordInFocus() {
  cti.emitFocus(null);
}

onRoute(async (url) => {
  page = null;
  const info = await renderPage(main, url);
  for (const a of document.querySelectorAll(".nav a")) {
    a.classList.toggle("active", url.pathname.startsWith(a.getAttribute("href")));
  }
  applyClickToDial();
  page = inView = info;
  document.title = `${info ? info.objectName : "Desk"} · Desk demo console`;
  tellFocus();
});

me().then((u) => ($("agent-name").textContent = u.name)).catch(() => {});
await start();
frame.src = cfg.softphoneUrl;
