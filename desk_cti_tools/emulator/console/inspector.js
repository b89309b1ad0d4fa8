// The protocol inspector: every message both ways, with time and round-trip latency.
import { esc } from "./views.js";

const MAX_ROWS = 500;

export function inspector(root) {
  const rows = root.querySelector("#inspector-rows");
  const count = root.querySelector("#inspector-count");
  const body = root.querySelector(".inspector-body");
  const toggle = root.querySelector("#inspector-toggle");
  const started = new Map(); // request id -> time it arrived
  let n = 0;
  // Rows are drawn once a frame, at most MAX_ROWS of them: a burst of messages costs a few
  // array pushes each, not a DOM update each, so the console stays responsive.
  let pending = [];
  let drawing = false;
  toggle.addEventListener("click", () => {
    body.hidden = !body.hidden;
    toggle.setAttribute("aria-expanded", String(!body.hidden));
  });
  root.querySelector("#inspector-clear").addEventListener("click", () => {
    rows.replaceChildren();
    pending = [];
    n = 0;
    count.textContent = "0";
  });

  // A row opens to its whole message (a row below it) and closes again, by click or Enter/Space.
  const open = (tr) => {
    const next = tr.nextElementSibling;
    if (next?.classList.contains("full")) {
      next.remove();
      tr.setAttribute("aria-expanded", "false");
      return;
    }
    const full = document.createElement("tr");
    full.className = "full";
    full.innerHTML = `<td colspan="7"><pre class="mono" data-testid="full-message"></pre></td>`;
    full.querySelector("pre").textContent = JSON.stringify(messages.get(tr), null, 2);
    tr.after(full);
    tr.setAttribute("aria-expanded", "true");
  };
  rows.addEventListener("click", (event) => {
    const tr = event.target.closest("tr.msg");
    if (tr && !window.getSelection()?.toString()) open(tr);
  });
  rows.addEventListener("keydown", (event) => {
    const tr = event.target.closest("tr.msg");
    if (tr && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      open(tr);
    }
  });

  function draw() {
    drawing = false;
    const fragment = document.createDocumentFragment();
    for (const item of pending.slice(-MAX_ROWS).reverse()) fragment.append(row(item));
    pending = [];
    rows.prepend(fragment);
    while (rows.children.length > MAX_ROWS) rows.lastElementChild.remove();
    count.textContent = String(n);
  }

  return function record(direction, msg) {
    const now = performance.now();
    let latency = "";
    if (direction === "in" && msg.type === "request") started.set(msg.id, now);
    if (direction === "out" && msg.re && started.has(msg.re)) {
      latency = (now - started.get(msg.re)).toFixed(1);
      started.delete(msg.re);
    }
    const text = JSON.stringify(msg.params ?? msg.result ?? msg.data ?? msg.error ?? "");
    pending.push({ direction, msg, latency, time: new Date().toISOString().slice(11, 23), text: text.length > 160 ? `${text.slice(0, 160)}…` : text });
    if (pending.length > 2 * MAX_ROWS) pending = pending.slice(-MAX_ROWS);
    n++;
    if (!drawing) {
      drawing = true;
      requestAnimationFrame(draw);
    }
  };
}

// Each row's whole message, for opening it; dropped with the row.
const messages = new WeakMap();

function row({ direction, msg, latency, time, text }) {
  const name = msg.method || msg.event || "";
  const tr = document.createElement("tr");
  messages.set(tr, msg);
  tr.className = `msg dir-${direction}${msg.ok === false || msg.type === "error" || msg.error ? " failed" : ""}`;
  tr.tabIndex = 0;
  tr.title = "Show the whole message";
  tr.setAttribute("aria-expanded", "false");
  tr.dataset.type = msg.type;
  tr.dataset.name = name;
  tr.innerHTML = `<td>${time}</td><td>${direction === "in" ? "softphone → console" : "console → softphone"}</td>
    <td>${esc(msg.type)}</td><td>${esc(name)}</td><td class="mono">${esc(msg.re ? `${msg.id} ↩ ${msg.re}` : msg.id)}</td>
    <td class="num" data-testid="latency">${latency}</td><td class="mono">${esc(text)}</td>`;
  return tr;
}
