"""A Desk API v2 subset over SQLite, in Desk's shapes.

Lists: ``{total_entries, page, _links: {self, first, last, previous, next}, _embedded: {entries}}``;
records carry ``_links``; validation errors are 422 ``{"message": "Validation Failed", "errors": {...}}``;
unknown ids 404; no session 401. The API answers its own origin only (no CORS).
"""

from __future__ import annotations

import json
import math
import sqlite3
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, Router

from .db import Database, digits, now
from .guards import write_refusal
from .limits import (MAX_BODY, MAX_DESCRIPTION, MAX_ID, MAX_NOTE, MAX_PAGE, MAX_PER_PAGE, MAX_QUERY, MAX_SUBJECT,
                     PER_PAGE, PRIORITY, whole_number)
from .sessions import COOKIE, Sessions

CASE_TYPES = ("phone", "email", "chat", "twitter", "qna")
CASE_STATUSES = ("new", "open", "pending", "resolved", "closed")


class ApiError(Exception):
    def __init__(self, status: int, message: str, errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.errors = status, message, errors

    def response(self) -> JSONResponse:
        body: dict[str, Any] = {"message": self.message}
        if self.errors:
            body["errors"] = self.errors
        return JSONResponse(body, status_code=self.status)


def invalid(**errors: str) -> ApiError:
    return ApiError(422, "Validation Failed", {k: [v] for k, v in errors.items()})


def link(href: str, cls: str) -> dict[str, str]:
    return {"href": href, "class": cls}


# ----------------------------------------------------------------- shapes


def user_json(r: sqlite3.Row) -> dict[str, Any]:
    return {"id": r["id"], "name": r["name"], "public_name": r["public_name"], "email": r["email"],
            "level": r["level"], "avatar": r["avatar"], "language": r["language"], "locale": r["locale"],
            "created_at": r["created_at"], "_links": {"self": link(f"/api/v2/users/{r['id']}", "user")}}


def company_json(r: sqlite3.Row) -> dict[str, Any]:
    return {"id": r["id"], "name": r["name"], "domains": [d for d in r["domains"].split(",") if d],
            "created_at": r["created_at"],
            "_links": {"self": link(f"/api/v2/companies/{r['id']}", "company"),
                       "customers": link(f"/api/v2/companies/{r['id']}/customers", "customer")}}


def customer_json(conn: sqlite3.Connection, r: sqlite3.Row) -> dict[str, Any]:
    phones = conn.execute("SELECT type, value FROM customer_phones WHERE customer_id=? ORDER BY rowid", (r["id"],))
    emails = conn.execute("SELECT type, value FROM customer_emails WHERE customer_id=? ORDER BY rowid", (r["id"],))
    company = conn.execute("SELECT name FROM companies WHERE id=?", (r["company_id"],)).fetchone()
    links = {"self": link(f"/api/v2/customers/{r['id']}", "customer"),
             "cases": link(f"/api/v2/customers/{r['id']}/cases", "case")}
    if r["company_id"]:
        links["company"] = link(f"/api/v2/companies/{r['company_id']}", "company")
    return {"id": r["id"], "first_name": r["first_name"], "last_name": r["last_name"], "title": r["title"],
            "company": company["name"] if company else None,
            "emails": [dict(e) for e in emails], "phone_numbers": [dict(p) for p in phones],
            "created_at": r["created_at"], "updated_at": r["updated_at"], "_links": links}


def case_json(r: sqlite3.Row) -> dict[str, Any]:
    links = {"self": link(f"/api/v2/cases/{r['id']}", "case"),
             "customer": link(f"/api/v2/customers/{r['customer_id']}", "customer"),
             "notes": link(f"/api/v2/cases/{r['id']}/notes", "note")}
    if r["assigned_user_id"]:
        links["assigned_user"] = link(f"/api/v2/users/{r['assigned_user_id']}", "user")
    return {"id": r["id"], "subject": r["subject"], "blurb": r["description"][:100],
            "description": r["description"], "status": r["status"], "priority": r["priority"], "type": r["type"],
            "created_at": r["created_at"], "updated_at": r["updated_at"], "_links": links}


def note_json(r: sqlite3.Row) -> dict[str, Any]:
    return {"id": r["id"], "body": r["body"], "created_at": r["created_at"],
            "_links": {"self": link(f"/api/v2/cases/{r['case_id']}/notes/{r['id']}", "note"),
                       "case": link(f"/api/v2/cases/{r['case_id']}", "case"),
                       "user": link(f"/api/v2/users/{r['user_id']}", "user")}}


# ----------------------------------------------------------------- helpers


def page_args(request: Request) -> tuple[int, int]:
    errors = {}
    values = {}
    for name, default, top in (("page", 1, MAX_PAGE), ("per_page", PER_PAGE, MAX_PER_PAGE)):
        value = whole_number(request.query_params.get(name, str(default)), 1, top)
        if value is None:
            errors[name] = f"must be a whole number from 1 to {top} (ASCII digits)"
        else:
            values[name] = value
    if errors:
        raise invalid(**errors)
    return values["page"], values["per_page"]


def listing(request: Request, total: int, entries: list[dict[str, Any]], page: int, per_page: int) -> dict[str, Any]:
    last = max(1, math.ceil(total / per_page))
    params = {k: v for k, v in request.query_params.items() if k not in ("page", "per_page")}

    def href(p: int) -> dict[str, str]:
        return link(f"{request.url.path}?{urlencode({**params, 'page': p, 'per_page': per_page})}", "page")

    return {"total_entries": total, "page": page,
            "_links": {"self": href(page), "first": href(1), "last": href(last),
                       "previous": href(page - 1) if page > 1 else None,
                       "next": href(page + 1) if page < last else None},
            "_embedded": {"entries": entries}}


def check_query(request: Request, allowed: tuple[str, ...]) -> None:
    """Search parameters are strings of at most MAX_QUERY characters."""
    errors = {k: f"too long (at most {MAX_QUERY})" for k in allowed
              if len(request.query_params.get(k, "")) > MAX_QUERY}
    if errors:
        raise invalid(**errors)


def record_id(request: Request) -> int:
    rid = whole_number(request.path_params["id"], 1, MAX_ID)
    if rid is None:
        raise ApiError(404, "Resource Not Found")
    return rid


async def json_body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise ApiError(413, "Request Entity Too Large")
    try:
        body = json.loads(raw or b"{}")
    except ValueError:
        raise ApiError(400, "Bad Request: the body is not JSON") from None
    if not isinstance(body, dict):
        raise ApiError(400, "Bad Request: the body must be a JSON object")
    return body


# --------------------------------------------------------------- endpoints


class Api:
    def __init__(self, db: Database, sessions: Sessions, origin: str) -> None:
        self.db, self.sessions, self.origin = db, sessions, origin

    def router(self) -> Router:
        r = [
            ("/users/me", self.me, ["GET"]),
            ("/users/{id}", self.user, ["GET"]),
            ("/customers", self.customers, ["GET"]),
            ("/customers/search", self.customer_search, ["GET"]),
            ("/customers/{id}", self.customer, ["GET"]),
            ("/customers/{id}/cases", self.customer_cases, ["GET"]),
            ("/companies", self.companies, ["GET"]),
            ("/companies/search", self.company_search, ["GET"]),
            ("/companies/{id}", self.company, ["GET"]),
            ("/companies/{id}/customers", self.company_customers, ["GET"]),
            ("/cases", self.cases, ["GET", "POST"]),
            ("/cases/search", self.case_search, ["GET"]),
            ("/cases/{id}", self.case, ["GET"]),
            ("/cases/{id}/notes", self.notes, ["GET", "POST"]),
        ]
        return Router(routes=[Route(path, self._wrap(fn), methods=m) for path, fn, m in r], default=_not_found)

    def _wrap(self, fn: Callable[..., Any]) -> Callable[[Request], Any]:
        async def endpoint(request: Request) -> JSONResponse:
            if refused := write_refusal(request, self.origin, json=True):
                return refused
            try:
                user_id = await run_in_threadpool(self.sessions.user, request.cookies.get(COOKIE))
                if not user_id:
                    raise ApiError(401, "Unauthorized")
                body = await json_body(request) if request.method == "POST" else None
                status, data = await _run(fn, request, user_id, body)
            except ApiError as exc:
                return exc.response()
            return JSONResponse(data, status_code=status)

        return endpoint

    # users
    def me(self, request: Request, user_id: int, body: Any) -> tuple[int, Any]:
        return self._one("SELECT * FROM users WHERE id=?", user_id, user_json)

    def user(self, request: Request, user_id: int, body: Any) -> tuple[int, Any]:
        return self._one("SELECT * FROM users WHERE id=?", record_id(request), user_json)

    # customers
    def customers(self, request: Request, user_id: int, body: Any) -> tuple[int, Any]:
        return self._list(request, "customers", "", (), customer_json, with_conn=True)

    def customer(self, request: Request, user_id: int, body: Any) -> tuple[int, Any]:
        with self.db.connect() as conn:
            row = conn.execute("SELECT * FROM customers WHERE id=?", (record_id(request),)).fetchone()
            if row is None:
                raise ApiError(404, "Resource Not Found")
            return 200, customer_json(conn, row)

    def customer_cases(self, request: Request, user_id: int, body: Any) -> tuple[int, Any]:
        cid = record_id(request)
        self._exists("customers", cid)
        return self._list(request, "cases", "WHERE customer_id=?", (cid,), case_json, order="updated_at DESC")

    def customer_search(self, request: Request, user_id: int, body: Any) -> tuple[int, Any]:
        check_query(request, ("q", "phone", "email", "name", "first_name", "last_name"))
        q = request.query_params
        clauses, args = [], []
        for key in ("q", "phone", "email", "name", "first_name", "last_name"):
            value = q.get(key, "").strip()
            if not value:
                continue
            like = f"%{value.lower()}%"
            phone = digits(value)
            sub = []
            if key in ("q", "name", "first_name", "last_name"):
                col = {"first_name": "lower(first_name)", "last_name": "lower(last_name)"}.get(
                    key, "lower(first_name || ' ' || last_name)")
                sub.append(f"{col} LIKE ?")
                args.append(like)
            if key in ("q", "email"):
                sub.append("id IN (SELECT customer_id FROM customer_emails WHERE lower(value) LIKE ?)")
                args.append(like)
            if key in ("q", "phone") and len(phone) >= 3:
                sub.append("id IN (SELECT customer_id FROM customer_phones WHERE digits LIKE ?)")
                args.append(f"%{phone}%")
            if sub:
                clauses.append("(" + " OR ".join(sub) + ")")
        if not clauses:
            raise invalid(q="give q, phone, email, name, first_name or last_name")
        return self._list(request, "customers", "WHERE " + " AND ".join(clauses), tuple(args), customer_json, with_conn=True)

    # companies
    def companies(self, request: Request, user_id: int, body: Any) -> tuple[int, Any]:
        return self._list(request, "companies", "", (), company_json, order="name")

    def company(self, request: Request, user_id: int, body: Any) -> tuple[int, Any]:
        return self._one("SELECT * FROM companies WHERE id=?", record_id(request), company_json)

    def company_customers(self, request: Request, user_id: int, body: Any) -> tuple[int, Any]:
        cid = record_id(request)
        self._exists("companies", cid)
        return self._list(request, "customers", "WHERE company_id=?", (cid,), customer_json, with_conn=True)

    def company_search(self, request: Request, user_id: int, body: Any) -> tuple[int, Any]:
        check_query(request, ("q", "name"))
        value = (request.query_params.get("q") or request.query_params.get("name") or "").strip().lower()
        if not value:
            raise invalid(q="give q or name")
        like = f"%{value}%"
        return self._list(request, "companies", "WHERE lower(name) LIKE ? OR lower(domains) LIKE ?",
                          (like, like), company_json, order="name")

    # cases
    def cases(self, request: Request, user_id: int, body: Any) -> tuple[int, Any]:
        if request.method == "POST":
            return self._create_case(body)
        return self._list(request, "cases", "", (), case_json, order="updated_at DESC")

    def case(self, request: Request, user_id: int, body: Any) -> tuple[int, Any]:
        return self._one("SELECT * FROM cases WHERE id=?", record_id(request), case_json)

    def case_search(self, request: Request, user_id: int, body: Any) -> tuple[int, Any]:
        check_query(request, ("q", "subject", "status", "customer_id"))
        q = request.query_params
        clauses: list[str] = []
        args: list[str | int] = []
        if q.get("q", "").strip():
            clauses.append("(lower(subject) LIKE ? OR lower(description) LIKE ?)")
            args += [f"%{q['q'].strip().lower()}%"] * 2
        if q.get("subject", "").strip():
            clauses.append("lower(subject) LIKE ?")
            args.append(f"%{q['subject'].strip().lower()}%")
        if q.get("status"):
            if q["status"] not in CASE_STATUSES:
                raise invalid(status=f"must be one of {', '.join(CASE_STATUSES)}")
            clauses.append("status = ?")
            args.append(q["status"])
        if q.get("customer_id"):
            customer_id = whole_number(q["customer_id"], 1, MAX_ID)
            if customer_id is None:
                raise invalid(customer_id=f"must be a whole number from 1 to {MAX_ID} (ASCII digits)")
            clauses.append("customer_id = ?")
            args.append(customer_id)
        if not clauses:
            raise invalid(q="give q, subject, status or customer_id")
        return self._list(request, "cases", "WHERE " + " AND ".join(clauses), tuple(args), case_json,
                          order="updated_at DESC")

    def _create_case(self, body: dict[str, Any]) -> tuple[int, Any]:
        errors = {}
        subject: Any = body.get("subject")  # a str once errors is empty
        if not isinstance(subject, str) or not subject.strip():
            errors["subject"] = "blank"
        elif len(subject) > MAX_SUBJECT:
            errors["subject"] = f"too long (at most {MAX_SUBJECT})"
        kind = body.get("type", "phone")
        if kind not in CASE_TYPES:
            errors["type"] = f"must be one of {', '.join(CASE_TYPES)}"
        status = body.get("status", "new")
        if status not in CASE_STATUSES:
            errors["status"] = f"must be one of {', '.join(CASE_STATUSES)}"
        priority = body.get("priority", 4)
        if isinstance(priority, bool) or not isinstance(priority, int) or not PRIORITY[0] <= priority <= PRIORITY[1]:
            errors["priority"] = f"must be a whole number from {PRIORITY[0]} to {PRIORITY[1]}"
        description = body.get("description", "")
        if not isinstance(description, str):
            errors["description"] = "must be a string"
        elif len(description) > MAX_DESCRIPTION:
            errors["description"] = f"too long (at most {MAX_DESCRIPTION})"
        customer_id = body.get("customer_id")
        href = ((body.get("_links") or {}).get("customer") or {}).get("href") if isinstance(
            body.get("_links"), dict) else None
        if customer_id is None and isinstance(href, str) and href.startswith("/api/v2/customers/"):
            customer_id = whole_number(href.rsplit("/", 1)[-1], 1, MAX_ID)
        if isinstance(customer_id, bool) or not isinstance(customer_id, int):
            errors["customer"] = "missing (customer_id or _links.customer.href)"
        elif not 1 <= customer_id <= MAX_ID:
            errors["customer"] = "does not exist"
        if errors:
            raise invalid(**errors)
        with self.db.connect() as conn:
            if conn.execute("SELECT 1 FROM customers WHERE id=?", (customer_id,)).fetchone() is None:
                raise invalid(customer="does not exist")
            stamp = now()
            cur = conn.execute(
                "INSERT INTO cases (subject, description, status, priority, type, customer_id, assigned_user_id,"
                " created_at, updated_at) VALUES (?,?,?,?,?,?,NULL,?,?)",
                (subject.strip(), description, status, priority, kind, customer_id, stamp, stamp))
            row = conn.execute("SELECT * FROM cases WHERE id=?", (cur.lastrowid,)).fetchone()
            return 201, case_json(row)

    def notes(self, request: Request, user_id: int, body: Any) -> tuple[int, Any]:
        case_id = record_id(request)
        self._exists("cases", case_id)
        if request.method == "GET":
            return self._list(request, "notes", "WHERE case_id=?", (case_id,), note_json, order="id")
        text = body.get("body")
        if not isinstance(text, str) or not text.strip():
            raise invalid(body="blank")
        if len(text) > MAX_NOTE:
            raise invalid(body=f"too long (at most {MAX_NOTE})")
        with self.db.connect() as conn:
            stamp = now()
            cur = conn.execute("INSERT INTO notes (case_id, user_id, body, created_at) VALUES (?,?,?,?)",
                               (case_id, user_id, text.strip(), stamp))
            conn.execute("UPDATE cases SET updated_at=? WHERE id=?", (stamp, case_id))
            return 201, note_json(conn.execute("SELECT * FROM notes WHERE id=?", (cur.lastrowid,)).fetchone())

    # shared
    def _exists(self, table: str, rid: int) -> None:
        with self.db.connect() as conn:
            if conn.execute(f"SELECT 1 FROM {table} WHERE id=?", (rid,)).fetchone() is None:  # noqa: S608
                raise ApiError(404, "Resource Not Found")

    def _one(self, sql: str, rid: int, shape: Callable[[sqlite3.Row], Any]) -> tuple[int, Any]:
        with self.db.connect() as conn:
            row = conn.execute(sql, (rid,)).fetchone()
        if row is None:
            raise ApiError(404, "Resource Not Found")
        return 200, shape(row)

    def _list(self, request: Request, table: str, where: str, args: tuple[Any, ...],
              shape: Callable[..., Any], order: str = "id", with_conn: bool = False) -> tuple[int, Any]:
        page, per_page = page_args(request)
        with self.db.connect() as conn:
            total = conn.execute(f"SELECT count(*) FROM {table} {where}", args).fetchone()[0]  # noqa: S608
            rows = conn.execute(f"SELECT * FROM {table} {where} ORDER BY {order} LIMIT ? OFFSET ?",  # noqa: S608
                                (*args, per_page, (page - 1) * per_page)).fetchall()
            entries = [shape(conn, r) if with_conn else shape(r) for r in rows]
        return 200, listing(request, total, entries, page, per_page)


async def _run(fn: Callable[..., tuple[int, Any]], request: Request, user_id: int, body: Any) -> tuple[int, Any]:
    return await run_in_threadpool(fn, request, user_id, body)


async def _not_found(scope: Any, receive: Any, send: Any) -> None:
    await ApiError(404, "Resource Not Found").response()(scope, receive, send)
