"""The demo server's trust (issue 12): framing headers, CSRF, server-side sessions, sign-in throttling."""

import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest
from starlette.testclient import TestClient

from desk_cti_tools.emulator import auth, db as dbmod
from desk_cti_tools.emulator.app import console_app, make_app
from desk_cti_tools.emulator.config import Origins
from desk_cti_tools.emulator.db import Database
from desk_cti_tools.emulator.server import Background

ORIGINS = Origins(8000, 8001)
CONSOLE = ORIGINS.console
ALEX = {"email": "alex@acme-support.example", "password": "demo"}


@pytest.fixture
def db(tmp_path):
    return Database(tmp_path / "desk.sqlite3")


@pytest.fixture
def app(db):
    return console_app(ORIGINS, db)


@pytest.fixture
def anon(app):
    with TestClient(app, headers={"Origin": CONSOLE}) as client:
        yield client


@pytest.fixture
def api(anon):
    assert anon.post("/login", data=ALEX, follow_redirects=False).status_code == 303
    return anon


# ------------------------------------------------------------------ framing (item 3)


def test_only_the_console_may_frame_the_softphone_and_nobody_else_the_console(db):
    app = make_app(ORIGINS, db.path)
    with TestClient(app, base_url=CONSOLE) as console, TestClient(app, base_url=ORIGINS.phone) as phone:
        for path in ("/login", "/agent/cases", "/static/console.css"):
            r = console.get(path, follow_redirects=False)
            assert r.headers["content-security-policy"] == "frame-ancestors 'self'", path
            assert r.headers["x-frame-options"] == "SAMEORIGIN", path
        for path in ("/", "/loader/desk-cti.js"):
            r = phone.get(path, follow_redirects=False)
            assert r.headers["content-security-policy"] == f"frame-ancestors {CONSOLE}", path
            assert "x-frame-options" not in r.headers  # it cannot name another origin


# ------------------------------------------------------------------ CSRF (item 10)


@pytest.mark.parametrize("headers,why", [
    ({"Content-Type": "text/plain"}, "application/json"),
    ({"Content-Type": "application/x-www-form-urlencoded"}, "application/json"),
    ({"Content-Type": "application/json", "Origin": "http://localhost:9999"}, "Origin"),
    ({"Content-Type": "application/json", "Origin": "null"}, "Origin"),
    ({"Content-Type": "application/json", "Origin": ""}, "Origin"),
])
def test_cross_site_writes_to_the_api_are_refused(api, db, headers, why):
    body = b'{"subject": "CSRF", "customer_id": 7}'
    r = api.post("/api/v2/cases", content=body, headers=headers)
    assert r.status_code == 403 and why in r.json()["message"] and set(r.json()) == {"message"}
    with db.connect() as conn:
        assert conn.execute("SELECT count(*) FROM cases WHERE subject='CSRF'").fetchone()[0] == 0


def test_a_write_without_origin_is_refused_and_the_consoles_own_is_accepted(api):
    del api.headers["Origin"]
    r = api.post("/api/v2/cases/4/notes", json={"body": "x"})
    assert r.status_code == 403 and "Origin" in r.json()["message"]
    ok = api.post("/api/v2/cases/4/notes", json={"body": "x"}, headers={"Origin": CONSOLE})
    assert ok.status_code == 201
    charset = api.post("/api/v2/cases/4/notes", content=b'{"body": "y"}',
                       headers={"Origin": CONSOLE, "Content-Type": "application/json; charset=utf-8"})
    assert charset.status_code == 201


def test_sign_in_and_sign_out_check_the_origin(anon):
    foreign = {"Origin": "http://127.0.0.2:8000"}
    r = anon.post("/login", data=ALEX, headers=foreign, follow_redirects=False)
    assert r.status_code == 403 and "Origin" in r.json()["message"]
    assert "desk_session" not in anon.cookies
    assert anon.post("/login", data=ALEX, follow_redirects=False).status_code == 303
    r = anon.post("/logout", headers=foreign, follow_redirects=False)
    assert r.status_code == 403
    del anon.headers["Origin"]
    assert anon.post("/logout", follow_redirects=False).status_code == 403
    assert anon.get("/api/v2/users/me").status_code == 200  # still signed in


# ------------------------------------------------------------------ sessions (item 11)


def test_the_cookie_is_a_server_side_session(api, db):
    cookie = next(c for c in api.cookies.jar if c.name == "desk_session")
    assert cookie.path == "/" and cookie.has_nonstandard_attr("HttpOnly")
    assert "samesite=lax" in api.post("/login", data=ALEX, follow_redirects=False).headers["set-cookie"].lower()
    with db.connect() as conn:
        assert conn.execute("SELECT count(*) FROM sessions").fetchone()[0] >= 1


def test_sign_out_ends_the_session_for_a_copy_of_the_cookie(app, api):
    stolen = api.cookies["desk_session"]
    assert api.post("/logout", follow_redirects=False).status_code == 303
    with TestClient(app, cookies={"desk_session": stolen}) as other:
        assert other.get("/api/v2/users/me").status_code == 401
        assert other.get("/agent/cases", follow_redirects=False).headers["location"] == "/login?next=/agent/cases"


def test_an_expired_session_ends(db, monkeypatch):
    clock = [1_000_000.0]
    monkeypatch.setattr("desk_cti_tools.emulator.sessions._now", lambda: clock[0])
    with TestClient(console_app(ORIGINS, db), headers={"Origin": CONSOLE}) as client:
        client.post("/login", data=ALEX, follow_redirects=False)
        assert client.get("/api/v2/users/me").status_code == 200
        clock[0] += 8 * 3600 + 1
        assert client.get("/api/v2/users/me").status_code == 401


def test_a_session_from_another_database_is_no_session(api, tmp_path):
    # a restart with a fresh database: the old cookie names no session
    with TestClient(console_app(ORIGINS, Database(tmp_path / "fresh.sqlite3")),
                    cookies={"desk_session": api.cookies["desk_session"]}) as fresh:
        assert fresh.get("/api/v2/users/me").status_code == 401


# ------------------------------------------------------------------ sign-in (item 9)


def test_the_password_compare_takes_constant_time(monkeypatch):
    calls = []
    real = dbmod.hmac.compare_digest
    monkeypatch.setattr(dbmod.hmac, "compare_digest", lambda a, b: calls.append(1) or real(a, b))
    stored = dbmod.hash_password("demo", "salt1")
    assert dbmod.check_password("demo", stored) and not dbmod.check_password("nope", stored)
    assert len(calls) == 2


@pytest.fixture
def no_tarpit(monkeypatch):
    monkeypatch.setattr(auth, "TARPIT", 0, raising=False)


def test_wrong_passwords_for_one_account_are_throttled(anon, no_tarpit):
    for _ in range(auth.ACCOUNT_LIMIT):
        assert anon.post("/login", data={**ALEX, "password": "nope"}).status_code == 401
    r = anon.post("/login", data=ALEX)  # even the right password waits now
    assert r.status_code == 429 and 1 <= int(r.headers["retry-after"]) <= auth.WINDOW
    other = anon.post("/login", data={"email": "mei@acme-support.example", "password": "demo"},
                      follow_redirects=False)
    assert other.status_code == 303  # another account is not held up


def test_wrong_passwords_from_one_client_are_throttled(anon, no_tarpit, monkeypatch):
    hashed = []
    real = auth.check_password
    monkeypatch.setattr(auth, "check_password", lambda p, s: hashed.append(1) or real(p, s))
    for i in range(auth.CLIENT_LIMIT):
        r = anon.post("/login", data={"email": f"nobody{i}@example.com", "password": "x"})
        assert r.status_code == 401
    r = anon.post("/login", data=ALEX)
    assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
    assert len(hashed) == auth.CLIENT_LIMIT  # a throttled attempt costs no hash


def post_login(opener, origins, password, email=ALEX["email"]):
    data = urllib.parse.urlencode({"email": email, "password": password}).encode()
    req = urllib.request.Request(f"{origins.console}/login", data=data, headers={"Origin": origins.console})
    try:
        return opener.open(req, timeout=60).status
    except urllib.error.HTTPError as e:
        return e.code


def test_attempts_at_once_cannot_slip_past_the_throttle(tmp_path, monkeypatch, no_tarpit):
    # 64 at once: each must be counted before its hash, or all pass the check while none has failed yet
    n, hashed, statuses, release = 64, [], [], threading.Event()

    def held_check(password, stored):
        hashed.append(1)
        if not release.wait(10):  # held until the others were answered (at most once 10 s)
            release.set()
        return False

    def attempt(i):
        statuses.append(post_login(urllib.request.build_opener(), origins, "x", f"a{i}@example.com"))
        if statuses.count(429) == n - auth.CLIENT_LIMIT:
            release.set()

    monkeypatch.setattr(auth, "check_password", held_check)
    with Background(db_path=tmp_path / "desk.sqlite3") as origins:
        threads = [threading.Thread(target=attempt, args=(i,)) for i in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    assert len(hashed) == auth.CLIENT_LIMIT
    assert sorted(statuses) == [401] * auth.CLIENT_LIMIT + [429] * (n - auth.CLIENT_LIMIT)


def test_the_password_hash_does_not_block_the_server(tmp_path, monkeypatch):
    # The hash is held until the API answered; on the event loop it would hold the API
    # too, and this would see the safety timeout instead of the release.
    entered, release, outcome = threading.Event(), threading.Event(), []

    def slow_check(password, stored):
        entered.set()
        outcome.append("released" if release.wait(20) else "timed out")
        return False

    with Background(db_path=tmp_path / "desk.sqlite3") as origins:
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
        assert post_login(opener, origins, "demo") == 200  # followed the redirect to the console page
        monkeypatch.setattr(auth, "check_password", slow_check)
        flood = threading.Thread(target=post_login, args=(opener, origins, "wrong"))
        flood.start()
        assert entered.wait(20)
        me = opener.open(f"{origins.console}/api/v2/users/me", timeout=60)
        release.set()
        flood.join(30)
    assert me.status == 200 and outcome == ["released"]
