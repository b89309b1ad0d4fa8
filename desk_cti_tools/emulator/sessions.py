"""Server-side sessions in the demo's SQLite file, so that sign-out and expiry end them.

A signed cookie (Starlette's SessionMiddleware) stayed valid after sign-out: a copy kept
working. Now the cookie holds a random token and the table its SHA-256 (a copy of the
database holds no usable token), the agent, and when the session began and ends.
"""

from __future__ import annotations

import hashlib
import secrets
import time

from starlette.responses import Response

from .db import Database

COOKIE = "desk_session"
LIFETIME = 8 * 3600
SCHEMA = """CREATE TABLE IF NOT EXISTS sessions (
  token_hash TEXT PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id),
  created INTEGER NOT NULL, expires INTEGER NOT NULL
)"""


def _now() -> float:
    return time.time()  # one place for the clock: the tests move it


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Sessions:
    def __init__(self, db: Database, lifetime: int = LIFETIME) -> None:
        self.db, self.lifetime = db, lifetime
        with db.connect() as conn:  # a database made before sessions existed gets the table too
            conn.execute(SCHEMA)

    def start(self, user_id: int) -> str:
        token, t = secrets.token_urlsafe(32), int(_now())
        with self.db.connect() as conn:
            conn.execute("DELETE FROM sessions WHERE expires <= ?", (t,))  # the table does not grow forever
            conn.execute("INSERT INTO sessions VALUES (?,?,?,?)", (_digest(token), user_id, t, t + self.lifetime))
        return token

    def user(self, token: str | None) -> int | None:
        """The agent of a live session, or None."""
        if not token or len(token) > 100:
            return None
        with self.db.connect() as conn:
            row = conn.execute("SELECT user_id FROM sessions WHERE token_hash=? AND expires > ?",
                               (_digest(token), _now())).fetchone()
        return row[0] if row else None

    def end(self, token: str | None) -> None:
        if token:
            with self.db.connect() as conn:
                conn.execute("DELETE FROM sessions WHERE token_hash=?", (_digest(token),))

    def set_cookie(self, response: Response, token: str) -> None:
        response.set_cookie(COOKIE, token, max_age=self.lifetime, path="/", httponly=True, samesite="lax")
