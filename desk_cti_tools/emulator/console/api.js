// The console's own calls to its API (same origin, the agent's session cookie).
// Every write says Content-Type: application/json, with or without a body: the server refuses
// writes without it (CSRF), and the browser adds the Origin header the server also checks.
const READS = new Set(["GET", "HEAD"]);

export async function api(path, { method = "GET", body, signal } = {}) {
  const json = body !== undefined || !READS.has(method.toUpperCase());
  const response = await fetch(path, {
    method,
    credentials: "same-origin",
    headers: { Accept: "application/json", ...(json ? { "Content-Type": "application/json" } : {}) },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    redirect: "error",
    signal,
  });
  const text = await response.text();
  let data = text;
  if ((response.headers.get("content-type") || "").includes("json")) {
    try {
      data = JSON.parse(text);
    } catch {
      data = text;
    }
  }
  return { ok: response.ok, status: response.status, statusText: response.statusText, data };
}

// The session is gone (signed out in another tab, expired, or a server restarted on a fresh
// database): sign in again, then come back to this page.
export function signInAgain() {
  location.assign(`/login?next=${encodeURIComponent(location.pathname + location.search)}`);
}

export async function apiGet(path) {
  const r = await api(path);
  if (!r.ok) {
    if (r.status === 401) signInAgain();
    const error = new Error((r.data && r.data.message) || r.statusText);
    error.status = r.status;
    throw error;
  }
  return r.data;
}
