// The console's own calls to its API (same origin, the agent's session cookie).
export async function api(path, { method = "GET", body, signal } = {}) {
  const response = await fetch(path, {
    method,
    credentials: "same-origin",
    headers: { Accept: "application/json", ...(body !== undefined ? { "Content-Type": "application/json" } : {}) },
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

export async function apiGet(path) {
  const r = await api(path);
  if (!r.ok) {
    const error = new Error((r.data && r.data.message) || r.statusText);
    error.status = r.status;
    throw error;
  }
  return r.data;
}
