"""The demo's SQLite database: schema, realistic sample data, and small queries.

Created and seeded on first start. Every request opens its own connection
(SQLite is embedded; a connection costs microseconds).
"""

from __future__ import annotations

import hashlib
import hmac
import random
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path

SCHEMA = """
CREATE TABLE users (
  id INTEGER PRIMARY KEY, name TEXT NOT NULL, public_name TEXT NOT NULL, email TEXT NOT NULL UNIQUE,
  level TEXT NOT NULL, avatar TEXT NOT NULL, language TEXT NOT NULL, locale TEXT NOT NULL,
  password_hash TEXT NOT NULL, created_at TEXT NOT NULL
);
CREATE TABLE companies (
  id INTEGER PRIMARY KEY, name TEXT NOT NULL, domains TEXT NOT NULL, created_at TEXT NOT NULL
);
CREATE TABLE customers (
  id INTEGER PRIMARY KEY, first_name TEXT NOT NULL, last_name TEXT NOT NULL, title TEXT NOT NULL,
  company_id INTEGER REFERENCES companies(id), created_at TEXT NOT NULL, updated_at TEXT NOT NULL
);
CREATE TABLE customer_phones (
  customer_id INTEGER NOT NULL REFERENCES customers(id), type TEXT NOT NULL, value TEXT NOT NULL,
  digits TEXT NOT NULL
);
CREATE TABLE customer_emails (
  customer_id INTEGER NOT NULL REFERENCES customers(id), type TEXT NOT NULL, value TEXT NOT NULL
);
CREATE TABLE cases (
  id INTEGER PRIMARY KEY, subject TEXT NOT NULL, description TEXT NOT NULL, status TEXT NOT NULL,
  priority INTEGER NOT NULL, type TEXT NOT NULL, customer_id INTEGER NOT NULL REFERENCES customers(id),
  assigned_user_id INTEGER REFERENCES users(id), created_at TEXT NOT NULL, updated_at TEXT NOT NULL
);
CREATE TABLE notes (
  id INTEGER PRIMARY KEY, case_id INTEGER NOT NULL REFERENCES cases(id),
  user_id INTEGER NOT NULL REFERENCES users(id), body TEXT NOT NULL, created_at TEXT NOT NULL
);
CREATE INDEX customer_phones_digits ON customer_phones(digits);
CREATE INDEX cases_customer ON cases(customer_id);
CREATE INDEX notes_case ON notes(case_id);
"""

DEMO_PASSWORD = "demo"

AGENTS = [
    ("Alex Rivera", "alex@acme-support.example", "siteadmin"),
    ("Priya Natarajan", "priya@acme-support.example", "agent"),
    ("Sam O'Connor", "sam@acme-support.example", "agent"),
    ("Mei Tanaka", "mei@acme-support.example", "agent"),
]
COMPANIES = [
    ("Northwind Traders", "northwind.example"), ("Contoso Pharmacy", "contoso.example"),
    ("Globex Logistics", "globex.example"), ("Initech", "initech.example"),
    ("Umbrella Home Care", "umbrella.example"), ("Stark Dental Group", "starkdental.example"),
    ("Wayne Property Management", "wayneprop.example"), ("Hooli Cloud", "hooli.example"),
]
FIRST = ["Ann", "Ben", "Carla", "David", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kemi", "Luis",
         "Maya", "Noah", "Olga", "Pavel", "Quinn", "Rosa", "Sven", "Tara", "Umar", "Vera", "Wes", "Yara"]
LAST = ["Archer", "Becker", "Castillo", "Dubois", "Eriksen", "Fischer", "Garcia", "Hughes", "Iqbal", "Jensen",
        "Kowalski", "Lindqvist", "Moreau", "Nakamura", "Okafor", "Petrov"]
TITLES = ["Office Manager", "IT Lead", "Owner", "Accounts Payable", "Operations Director", "Receptionist"]
SUBJECTS = [
    "Phone line drops after a few minutes", "Cannot log in to the customer portal", "Invoice shows the wrong amount",
    "Request to add a new user", "Voicemail greeting will not save", "Delivery arrived damaged",
    "How do I export my call history?", "Billing address change", "Hold music is too quiet",
    "Outbound calls show the wrong caller ID", "Password reset email never arrives", "Upgrade to the business plan",
    "Conference bridge PIN not accepted", "Refund for a duplicate charge", "Number porting status",
]
STATUSES = ["new", "open", "open", "pending", "resolved", "closed"]
NOTES = ["Called the customer back, left a voicemail.", "Customer confirmed the fix works.",
         "Escalated to tier 2.", "Waiting on the carrier.", "Sent the knowledge base article."]


def digits(phone: str) -> str:
    return re.sub(r"\D", "", phone)


def hash_password(password: str, salt: str) -> str:
    return salt + "$" + hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), 50_000).hex()


def check_password(password: str, stored: str) -> bool:
    """Slow by design (PBKDF2): call it off the event loop. The compare takes the same time
    wherever the strings differ, so its timing tells nothing about the stored hash."""
    salt = stored.split("$", 1)[0]
    return hmac.compare_digest(hash_password(password, salt).encode(), stored.encode())


def now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _stamp(base: datetime, rng: random.Random, days: int) -> str:
    return (base - timedelta(days=rng.uniform(0, days), minutes=rng.randint(0, 600))).strftime("%Y-%m-%dT%H:%M:%SZ")


def seed(conn: sqlite3.Connection, rng_seed: int = 7) -> None:
    """Realistic sample data, the same on every machine."""
    rng = random.Random(rng_seed)
    base = datetime(2026, 11, 20, 17, 0, tzinfo=timezone.utc)
    for i, (name, email, level) in enumerate(AGENTS, 1):
        conn.execute(
            "INSERT INTO users VALUES (?,?,?,?,?,?,?,?,?,?)",
            (i, name, name.split()[0], email, level, f"/avatars/{i}.svg", "en", "en_us",
             hash_password(DEMO_PASSWORD, f"salt{i}"), _stamp(base, rng, 900)),
        )
    for i, (name, domain) in enumerate(COMPANIES, 1):
        conn.execute("INSERT INTO companies VALUES (?,?,?,?)", (i, name, domain, _stamp(base, rng, 700)))
    people = [(f, last) for last in LAST for f in FIRST]
    rng.shuffle(people)
    for cid, (first, last) in enumerate(people[:36], 1):
        company = rng.randint(1, len(COMPANIES)) if cid % 5 else None
        created = _stamp(base, rng, 500)
        conn.execute("INSERT INTO customers VALUES (?,?,?,?,?,?,?)",
                     (cid, first, last, rng.choice(TITLES), company, created, created))
        phone = f"+1 555 01{cid:02d}"
        conn.execute("INSERT INTO customer_phones VALUES (?,?,?,?)", (cid, "work", phone, digits(phone)))
        if cid % 3 == 0:
            mobile = f"+1 555 02{cid:02d}"
            conn.execute("INSERT INTO customer_phones VALUES (?,?,?,?)", (cid, "mobile", mobile, digits(mobile)))
        domain = COMPANIES[company - 1][1] if company else "mail.example"
        conn.execute("INSERT INTO customer_emails VALUES (?,?,?)",
                     (cid, "work", f"{first.lower()}.{last.lower()}@{domain}".replace("'", "")))
    for case_id in range(1, 49):
        created = _stamp(base, rng, 120)
        conn.execute(
            "INSERT INTO cases VALUES (?,?,?,?,?,?,?,?,?,?)",
            (case_id, rng.choice(SUBJECTS), "Reported by the customer.", rng.choice(STATUSES), rng.randint(1, 10),
             rng.choice(["phone", "email", "email", "chat"]), rng.randint(1, 36), rng.randint(1, len(AGENTS)),
             created, created),
        )
        for _ in range(rng.randint(0, 2)):
            conn.execute("INSERT INTO notes (case_id, user_id, body, created_at) VALUES (?,?,?,?)",
                         (case_id, rng.randint(1, len(AGENTS)), rng.choice(NOTES), _stamp(base, rng, 30)))


class Database:
    """The demo's data file; ``connect()`` gives a connection per request."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        if not self.path.exists():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            tmp.unlink(missing_ok=True)
            conn = sqlite3.connect(tmp)
            conn.executescript(SCHEMA)
            seed(conn)
            conn.commit()
            conn.close()
            tmp.rename(self.path)

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        conn = sqlite3.connect(self.path, timeout=10)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA foreign_keys = ON")
        try:
            yield conn
            conn.commit()
        finally:
            conn.close()
