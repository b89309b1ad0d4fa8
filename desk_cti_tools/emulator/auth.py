"""Agent sign-in: a server-side session (sessions.py) on the console origin; the API and console pages need it.

The password hash (PBKDF2, tens of ms) runs in a pool of its own, off the event loop and off
the pool the API uses, so that a flood of sign-ins slows neither. Failures are throttled per
account and per client address (429 with Retry-After) before any hashing.
"""

from __future__ import annotations

import asyncio
import html
import os
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from .guards import write_refusal
from .db import DEMO_PASSWORD, Database, check_password, hash_password
from .sessions import COOKIE, Sessions
from .throttle import Throttle

Handler = Callable[[Request], Awaitable[Response]]

WINDOW = 60  # seconds
ACCOUNT_LIMIT = 5  # failures per account per window (then even the right password waits)
CLIENT_LIMIT = 20  # failures per client address per window, whatever the accounts
# A throttled answer is held back this long: a client that ignores Retry-After gets one answer
# a second per connection, instead of turning the throttle into a flood of instant 429s
# (which alone slowed the API: docs/robustness.md).
TARPIT = 1.0
# at most half the cores hash: the event loop and the API keep the rest, even when every hash
# thread is busy (2 threads on 2 cores made the API 1.8-2.8 times slower under an unthrottled flood)
HASHER = ThreadPoolExecutor(max_workers=max(1, (os.cpu_count() or 2) // 2), thread_name_prefix="password-hash")
NO_SUCH_USER = hash_password("", "no-such-user")  # an unknown email costs a hash too: no timing tell

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


async def too_many(wait: int) -> HTMLResponse:
    # no database and no hash: the cheapest answer, since a flood gets mostly this
    await asyncio.sleep(TARPIT)
    return HTMLResponse(f'<!doctype html><title>Too many sign-in attempts</title><p role="alert">Too many sign-in '
                        f'attempts. Try again in {wait} s. <a href="/login">Sign in</a></p>', status_code=429,
                        headers={"Retry-After": str(wait), "Cache-Control": "no-store"})


def _verify(db: Database, email: str, password: str) -> int | None:
    """The agent's id if the password is right (runs in HASHER)."""
    with db.connect() as conn:
        row = conn.execute("SELECT id, password_hash FROM users WHERE lower(email)=?", (email,)).fetchone()
    ok = check_password(password, row["password_hash"] if row else NO_SUCH_USER)
    return row["id"] if row and ok else None


def routes(db: Database, sessions: Sessions, origin: str) -> tuple[Handler, Handler]:
    accounts, clients = Throttle(ACCOUNT_LIMIT, WINDOW), Throttle(CLIENT_LIMIT, WINDOW)

    async def login(request: Request) -> Response:
        if request.method == "GET":
            return login_page(db, next_=request.query_params.get("next", ""))
        # Login CSRF (signing the agent in as someone else) comes from a browser, which always sends
        # an Origin with a form post: a wrong or missing one is refused.
        if refused := write_refusal(request, origin, json=False):
            return refused
        client = request.client.host if request.client else ""
        if wait := clients.wait(client):  # before reading the form
            return await too_many(wait)
        # each attempt is counted as it passes its check, with no await between the two, or 64
        # attempts at once would all pass the check while none is counted yet (taken back below
        # if it succeeds, or if the account's own throttle answers it)
        clients.fail(client)
        form = await request.form()
        email, password = str(form.get("email", "")).strip().lower(), str(form.get("password", ""))
        next_ = str(form.get("next", ""))
        if wait := accounts.wait(email):
            clients.forgive(client)
            return await too_many(wait)
        accounts.fail(email)
        user_id = await asyncio.get_running_loop().run_in_executor(HASHER, _verify, db, email, password)
        if user_id is None:
            return login_page(db, error="Wrong email or password.", email=email, next_=next_, status=401)
        accounts.clear(email)
        clients.forgive(client)
        sessions.end(request.cookies.get(COOKIE))  # a new sign-in replaces the old session
        response = RedirectResponse(_safe_next(next_), status_code=303)
        sessions.set_cookie(response, sessions.start(user_id))
        return response

    async def logout(request: Request) -> Response:
        if refused := write_refusal(request, origin, json=False):
            return refused
        sessions.end(request.cookies.get(COOKIE))
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax")
        return response

    return login, logout


def require_login(sessions: Sessions, request: Request) -> Response | None:
    """A redirect to the sign-in page when no agent is signed in."""
    if sessions.user(request.cookies.get(COOKIE)):
        return None
    return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)
