"""Agent sign-in: a session cookie on the console origin; the API and the console pages need it."""

from __future__ import annotations

import html
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from .db import DEMO_PASSWORD, Database, check_password

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,">
<title>Sign in · Desk demo console</title><link rel="stylesheet" href="/static/console.css"></head>
<body class="login-body"><form class="login" method="post" action="/login">
<h1><span class="brand">desk</span> agent sign-in</h1>
{error}
<label>Email <input name="email" type="email" value="{email}" required autofocus></label>
<label>Password <input name="password" type="password" required></label>
<input type="hidden" name="next" value="{next}">
<button type="submit">Sign in</button>
<p class="hint">Demo agents: {agents}. Password: <code>{password}</code></p>
</form></body></html>"""


def _safe_next(value: str | None) -> str:
    # only a path on this origin: never //host or a scheme
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/agent/cases"


def login_page(db: Database, *, error: str = "", email: str = "", next_: str = "", status: int = 200) -> HTMLResponse:
    with db.connect() as conn:
        agents = [r["email"] for r in conn.execute("SELECT email FROM users ORDER BY id")]
    body = PAGE.format(
        error=f'<p class="error" role="alert">{html.escape(error)}</p>' if error else "",
        email=html.escape(email or agents[0]), next=html.escape(_safe_next(next_)),
        agents=", ".join(f"<code>{html.escape(a)}</code>" for a in agents), password=DEMO_PASSWORD,
    )
    return HTMLResponse(body, status_code=status, headers={"Cache-Control": "no-store"})


def routes(db: Database):
    async def login(request: Request) -> Response:
        if request.method == "GET":
            return login_page(db, next_=request.query_params.get("next", ""))
        form = await request.form()
        email, password = str(form.get("email", "")).strip().lower(), str(form.get("password", ""))
        with db.connect() as conn:
            row = conn.execute("SELECT id, password_hash FROM users WHERE lower(email)=?", (email,)).fetchone()
        if row is None or not check_password(password, row["password_hash"]):
            return login_page(db, error="Wrong email or password.", email=email,
                              next_=str(form.get("next", "")), status=401)
        request.session.clear()
        request.session["user_id"] = row["id"]
        return RedirectResponse(_safe_next(str(form.get("next", ""))), status_code=303)

    async def logout(request: Request) -> Response:
        request.session.clear()
        return RedirectResponse("/login", status_code=303)

    return login, logout


def require_login(request: Request) -> Response | None:
    """A redirect to the sign-in page when no agent is signed in."""
    if request.session.get("user_id"):
        return None
    return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)
