// The console's pages: lists and details of cases, customers and companies, and search results.
// Each view renders into <main> and returns the page info of the record in view (or null).
import { api, apiGet, signInAgain } from "./api.js";

export const esc = (v) =>
  String(v ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

const PLURAL = { case: "cases", customer: "customers", company: "companies" };
export const pluralOf = (object) => PLURAL[object];

const fullName = (c) => `${c.first_name} ${c.last_name}`;
const idOf = (href) => href && href.split("/").pop();
const when = (iso) => (iso ? new Date(iso).toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short" }) : "");

/** A telephone number; the console turns it into a click-to-dial link while click-to-dial is on. */
const phone = (number, object, objectId) =>
  `<span class="phone-number" data-number="${esc(number)}" data-object="${object}" data-object-id="${esc(objectId)}">${esc(number)}</span>`;

function pager(data, base) {
  const { page, total_entries: total } = data;
  const prev = data._links.previous;
  const next = data._links.next;
  const link = (l, label) => (l ? `<a href="${base}?page=${new URL(l.href, location.origin).searchParams.get("page")}" data-nav>${label}</a>` : "");
  return `<p class="pager">${total} in all · page ${page} ${link(prev, "‹ previous")} ${link(next, "next ›")}</p>`;
}

const status = (s) => `<span class="status status-${esc(s)}">${esc(s)}</span>`;

function caseRows(entries) {
  if (!entries.length) return `<p class="muted">No cases.</p>`;
  return `<table class="grid"><thead><tr><th>#</th><th>Subject</th><th>Status</th><th>Channel</th><th>Updated</th></tr></thead><tbody>${entries
    .map(
      (c) => `<tr><td>${c.id}</td><td><a href="/agent/cases/${c.id}" data-nav>${esc(c.subject)}</a></td>
      <td>${status(c.status)}</td><td>${esc(c.type)}</td><td>${when(c.updated_at)}</td></tr>`,
    )
    .join("")}</tbody></table>`;
}

function customerRows(entries) {
  if (!entries.length) return `<p class="muted">No customers.</p>`;
  return `<table class="grid"><thead><tr><th>Name</th><th>Company</th><th>Phone</th><th>Email</th></tr></thead><tbody>${entries
    .map(
      (c) => `<tr><td><a href="/agent/customers/${c.id}" data-nav>${esc(fullName(c))}</a></td><td>${esc(c.company || "")}</td>
      <td>${c.phone_numbers.map((p) => phone(p.value, "customer", c.id)).join("<br>")}</td>
      <td>${c.emails.map((e) => esc(e.value)).join("<br>")}</td></tr>`,
    )
    .join("")}</tbody></table>`;
}

function companyRows(entries) {
  if (!entries.length) return `<p class="muted">No companies.</p>`;
  return `<table class="grid"><thead><tr><th>Name</th><th>Domains</th></tr></thead><tbody>${entries
    .map((c) => `<tr><td><a href="/agent/companies/${c.id}" data-nav>${esc(c.name)}</a></td><td>${esc(c.domains.join(", "))}</td></tr>`)
    .join("")}</tbody></table>`;
}

const ROWS = { case: caseRows, customer: customerRows, company: companyRows };
const TITLES = { case: "Cases", customer: "Customers", company: "Companies" };

async function list(main, object, url) {
  const page = url.searchParams.get("page") || "1";
  const data = await apiGet(`/api/v2/${PLURAL[object]}?page=${encodeURIComponent(page)}&per_page=15`);
  main.innerHTML = `<h1>${TITLES[object]}</h1>${ROWS[object](data._embedded.entries)}${pager(data, `/agent/${PLURAL[object]}`)}`;
  return null;
}

// Agents' names by API link, asked once each: a note is signed with its author's name.
const agents = new Map();
function agentName(href) {
  if (!agents.has(href)) agents.set(href, apiGet(href).then((u) => u.name, () => `agent #${idOf(href)}`));
  return agents.get(href);
}

/** The API's refusal as an agent reads it: its message and each field's errors. */
export function apiProblem(r) {
  const data = r.data && typeof r.data === "object" ? r.data : {};
  const fields = Object.entries(data.errors || {}).map(([field, msgs]) => `${field}: ${[].concat(msgs).join(", ")}`);
  return [data.message || `${r.status} ${r.statusText}`, ...fields].join(" · ");
}

async function caseDetail(main, id) {
  const c = await apiGet(`/api/v2/cases/${id}`);
  const [customer, notes] = await Promise.all([
    apiGet(c._links.customer.href),
    apiGet(`/api/v2/cases/${id}/notes?per_page=100`),
  ]);
  const authors = await Promise.all(notes._embedded.entries.map((n) => agentName(n._links.user.href)));
  main.innerHTML = `
    <p class="crumbs"><a href="/agent/cases" data-nav>Cases</a> › #${c.id}</p>
    <h1 data-testid="record-title">${esc(c.subject)}</h1>
    <dl class="facts">
      <dt>Status</dt><dd>${status(c.status)}</dd><dt>Channel</dt><dd>${esc(c.type)}</dd>
      <dt>Priority</dt><dd>${c.priority}</dd><dt>Created</dt><dd>${when(c.created_at)}</dd>
      <dt>Customer</dt><dd><a href="/agent/customers/${customer.id}" data-nav>${esc(fullName(customer))}</a>
        ${customer.phone_numbers.map((p) => phone(p.value, "case", c.id)).join(" ")}</dd>
    </dl>
    <p>${esc(c.description)}</p>
    <h2>Notes</h2>
    <ol class="notes" data-testid="notes">${notes._embedded.entries
      .map((n, i) => `<li><p>${esc(n.body)}</p><small data-testid="note-author">${esc(authors[i])} · ${when(n.created_at)}</small></li>`)
      .join("") || '<li class="muted">No notes yet.</li>'}</ol>
    <form class="note-form" data-case="${c.id}"><textarea name="body" rows="2" placeholder="Add a note" aria-label="New note"></textarea>
      <button type="submit">Add note</button></form>
    <p class="error" data-testid="note-error" role="alert" hidden></p>`;
  main.querySelector(".note-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = event.target.body.value.trim();
    if (!body) return;
    const r = await api(`/api/v2/cases/${c.id}/notes`, { method: "POST", body: { body } });
    if (r.ok) caseDetail(main, id);
    else if (r.status === 401) signInAgain();
    else {
      const problem = main.querySelector("[data-testid=note-error]");
      problem.textContent = `The note was not saved: ${apiProblem(r)}`;
      problem.hidden = false;
    }
  });
  return { objectId: String(c.id), object: "case", objectName: c.subject };
}

async function customerDetail(main, id) {
  const c = await apiGet(`/api/v2/customers/${id}`);
  const cases = await apiGet(`/api/v2/customers/${id}/cases?per_page=50`);
  const company = c._links.company ? `<a href="/agent/companies/${idOf(c._links.company.href)}" data-nav>${esc(c.company)}</a>` : "—";
  main.innerHTML = `
    <p class="crumbs"><a href="/agent/customers" data-nav>Customers</a> › ${esc(fullName(c))}</p>
    <h1 data-testid="record-title">${esc(fullName(c))}</h1>
    <dl class="facts">
      <dt>Title</dt><dd>${esc(c.title)}</dd><dt>Company</dt><dd>${company}</dd>
      <dt>Phone</dt><dd>${c.phone_numbers.map((p) => `${phone(p.value, "customer", c.id)} <small>${esc(p.type)}</small>`).join("<br>")}</dd>
      <dt>Email</dt><dd>${c.emails.map((e) => esc(e.value)).join("<br>")}</dd>
    </dl>
    <h2>Cases</h2>${caseRows(cases._embedded.entries)}`;
  return { objectId: String(c.id), object: "customer", objectName: fullName(c) };
}

async function companyDetail(main, id) {
  const c = await apiGet(`/api/v2/companies/${id}`);
  const people = await apiGet(`/api/v2/companies/${id}/customers?per_page=50`);
  main.innerHTML = `
    <p class="crumbs"><a href="/agent/companies" data-nav>Companies</a> › ${esc(c.name)}</p>
    <h1 data-testid="record-title">${esc(c.name)}</h1>
    <dl class="facts"><dt>Domains</dt><dd>${esc(c.domains.join(", "))}</dd></dl>
    <h2>Customers</h2>${customerRows(people._embedded.entries)}`;
  return { objectId: String(c.id), object: "company", objectName: c.name };
}

export async function searchResults(main, object, q) {
  const data = await apiGet(`/api/v2/${PLURAL[object]}/search?q=${encodeURIComponent(q)}&per_page=50`);
  main.innerHTML = `<h1>Search: ${TITLES[object].toLowerCase()} matching “${esc(q)}”</h1>
    <p class="muted" data-testid="result-count">${data.total_entries} found</p>${ROWS[object](data._embedded.entries)}`;
  return data;
}

/** Render the page for a URL; resolves to the page info of the record in view, or null. */
export async function renderPage(main, url) {
  const m = url.pathname.match(/^\/agent\/(cases|customers|companies)(?:\/(\d+))?\/?$/);
  try {
    if (m) {
      const object = { cases: "case", customers: "customer", companies: "company" }[m[1]];
      if (!m[2]) return await list(main, object, url);
      const detail = { case: caseDetail, customer: customerDetail, company: companyDetail }[object];
      const info = await detail(main, m[2]);
      return { url: url.href, ...info };
    }
    if (url.pathname === "/agent/search") {
      const object = PLURAL[url.searchParams.get("object")] ? url.searchParams.get("object") : "customer";
      await searchResults(main, object, url.searchParams.get("q") || "");
      return null;
    }
    main.innerHTML = `<h1>Not found</h1><p>No page at ${esc(url.pathname)}. <a href="/agent/cases" data-nav>Cases</a></p>`;
  } catch (error) {
    // 401: apiGet is already on its way to the sign-in page
    if (error.status === 401) main.innerHTML = `<p class="muted">Your session has ended: signing in again…</p>`;
    else main.innerHTML = `<h1>${error.status === 404 ? "Not found" : "Something went wrong"}</h1><p class="error">${esc(error.message)}</p>`;
  }
  return null;
}
